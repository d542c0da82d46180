"""The dashboard as a Solara app file, for ``solara run`` (``latticesim dashboard`` runs it)."""

from latticesim.seminar.page import Page

__all__ = ["Page"]
