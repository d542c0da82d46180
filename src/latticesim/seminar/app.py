"""The dashboard as a Solara app file, for ``solara run`` (``latticesim dashboard`` runs it)."""

from latticesim.seminar.dashboard import Page

__all__ = ["Page"]
