"""The dashboard as a Solara app file, for ``solara run`` (``latticesim dashboard`` runs it).

One address serves the seminar's pages (:func:`latticesim.seminar.page.Page`) and, for
the debrief, the comparisons: ``?comparison=NAME`` shows one, ``?view=comparisons`` lists
them (:mod:`latticesim.seminar.comparisons`).
"""

from __future__ import annotations

from urllib.parse import parse_qs

import solara

from latticesim.seminar import page
from latticesim.seminar.comparisons import ComparisonList, ComparisonPage

__all__ = ["Page"]


@solara.component
def Page():
    """The seminar's pages, or a comparison when the address names one."""
    query = parse_qs(solara.use_router().search or "")
    name = (query.get("comparison") or [None])[0]
    if name:
        ComparisonPage(name)
    elif query.get("view") == ["comparisons"]:
        ComparisonList()
    else:
        page.Page()
