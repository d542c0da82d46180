"""Comparisons in the dashboard: a read-only page per comparison folder, for a debrief.

After a seminar has played a scenario, the facilitator shows what the model says across
many runs: ``latticesim compare`` wrote a comparison folder, and the dashboard shows it
(``?comparison=NAME``) as ``latticesim report`` prints it: the arms and what each changes,
the headline differences with their intervals, the figure with the arms overlaid and
where the arms part, in the same words (:func:`~latticesim.sweeps.compare_report.comparison_parts`
builds both). ``?view=comparisons`` lists the folders. Nothing here runs a model or writes
a file: the page reads the folders ``latticesim dashboard --comparisons DIR`` names (by
default ./comparisons, where ``latticesim compare`` writes), and a name in an address is
looked up among them, never taken as a path.
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import solara

from latticesim.common.text import suggest
from latticesim.outputs.report import ReportError
from latticesim.sweeps.compare import COMPARE_MANIFEST
from latticesim.sweeps.compare_report import (
    ComparisonParts,
    build_compare_report,
    comparison_parts,
    is_comparison,
)

__all__ = [
    "COMPARISONS_ENV",
    "ComparisonLinks",
    "ComparisonList",
    "ComparisonNotFound",
    "ComparisonPage",
    "comparison_folders",
    "comparisons_dir",
    "find_comparison",
]

COMPARISONS_ENV = "LATTICESIM_COMPARISONS"


class ComparisonNotFound(LookupError):
    """An address names no comparison the dashboard serves; the message is one line."""


def comparisons_dir() -> Path:
    """Where the dashboard finds comparisons.

    ``$LATTICESIM_COMPARISONS`` when set (``--comparisons``), else ./comparisons, where
    ``latticesim compare`` writes by default.
    """
    env = os.environ.get(COMPARISONS_ENV)
    return Path(env) if env else Path.cwd() / "comparisons"


def comparison_folders(root: Path | None = None) -> dict[str, Path]:
    """The comparisons served, by folder name: ``root`` itself if it is one, else those in it."""
    root = comparisons_dir() if root is None else root
    if not root.is_dir():
        return {}
    if is_comparison(root):
        return {root.name: root}
    return {p.name: p for p in sorted(root.iterdir()) if p.is_dir() and is_comparison(p)}


def find_comparison(name: str) -> Path:
    """The folder of the comparison ``name``, among those served.

    Raises:
        ComparisonNotFound: no comparison of that name is served.
    """
    folders = comparison_folders()
    if name in folders:
        return folders[name]
    known = ", ".join(folders) or "none"
    raise ComparisonNotFound(
        f"no comparison '{name}' in {comparisons_dir()}{suggest(name, list(folders))} "
        f"(the comparisons: {known})"
    )


@dataclass(frozen=True)
class _Listed:
    """A comparison as the list shows it: its arms, runs, quarters and when it was written."""

    name: str
    arms: str
    replications: str
    quarters: str
    written: str


def _listed(name: str, folder: Path) -> _Listed:
    try:
        manifest = json.loads((folder / COMPARE_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _Listed(name, "(its manifest cannot be read)", "", "", "")
    arms = " vs ".join(str(a.get("name", "")) for a in manifest.get("arms", []))
    quarters = f"{manifest.get('start', '')} to {manifest.get('end', '')}"
    written = str(manifest.get("created_utc", ""))[:16].replace("T", " ")
    return _Listed(name, arms, str(manifest.get("replications", "")), quarters, written)


def _link(name: str, text: str | None = None, new_tab: bool = False) -> str:
    target = ' target="_blank" rel="noopener"' if new_tab else ""
    return (
        f'<a class="comparison-link" href="?comparison={quote(name, safe="")}"{target}>'
        f"{html.escape(text if text is not None else name)}</a>"
    )


_CSS = """
.comparison-page { max-width: 72rem; font-size: 15px; line-height: 1.45; }
.comparison-page h1 { font-size: 1.7rem; margin: .2rem 0; }
.comparison-page h2 { font-size: 1.3rem; border-bottom: 1px solid #d0d7de; margin: 1.6rem 0 .4rem; }
.comparison-page h3 { font-size: 1.1rem; margin: 1rem 0 .2rem; }
.comparison-page table { border-collapse: collapse; width: 100%; margin: .4rem 0 .8rem; }
.comparison-page th, .comparison-page td { border-bottom: 1px solid #d0d7de; padding: .25rem .5rem;
  text-align: left; vertical-align: top; font-size: .9rem; }
.comparison-page th { background: #f6f8fa; }
.comparison-page .note { color: #59636e; font-size: .9rem; }
.comparison-page .chronicle li { margin: .2rem 0; }
.comparison-page .comparison-figure img { width: 100%; height: auto; border: 1px solid #d0d7de; }
"""
"""The report's look, kept to the comparison's page (the dashboard's own panels are left
as they are)."""

_TABLE_NOTE = (
    '<p class="note">A comparison folder is what <code>latticesim compare ... --out DIR</code> '
    "writes; the dashboard shows those in {root} (<code>latticesim dashboard --comparisons "
    "DIR</code> names another folder).</p>"
)


@solara.component
def ComparisonList():
    """Every comparison served, each a link to its page."""
    folders = comparison_folders()
    with solara.AppBar():
        solara.AppBarTitle("latticesim: comparisons")
    with solara.Column(classes=["comparison-page", "comparison-list"]):
        solara.Style(_CSS)
        root = html.escape(str(comparisons_dir()))
        if not folders:
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"<h1>Comparisons</h1><p>No comparison folder in {root}.</p>"
                + _TABLE_NOTE.format(root=root),
            )
            return
        rows = "".join(
            f"<tr><td>{_link(x.name)}</td><td>{html.escape(x.arms)}</td>"
            f"<td>{html.escape(x.replications)}</td><td>{html.escape(x.quarters)}</td>"
            f"<td>{html.escape(x.written)}</td></tr>"
            for x in (_listed(n, f) for n, f in folders.items())
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                "<h1>Comparisons</h1><table><tr><th>comparison</th><th>arms</th>"
                f"<th>runs per arm</th><th>quarters</th><th>written (UTC)</th></tr>{rows}</table>"
                + _TABLE_NOTE.format(root=root)
                + '<p><a href="/">The dashboard</a></p>'
            ),
        )


def _parts(name: str) -> ComparisonParts | str:
    """The comparison's parts (every divergence sentence: the page scrolls), or why not."""
    try:
        return comparison_parts(find_comparison(name), sentences=None)
    except (ComparisonNotFound, ReportError) as exc:
        return str(exc)


def _section(anchor: str, heading: str, body: str) -> None:
    solara.HTML(
        tag="section",
        unsafe_innerHTML=f"<h2>{html.escape(heading)}</h2>\n{body}",
        classes=[f"comparison-{anchor}"],
    )


@solara.component
def ComparisonPage(name: str):
    """One comparison, read-only: as its report says it, with the figure at screen width."""
    parts = solara.use_memo(lambda: _parts(name), [name])
    with solara.AppBar():
        solara.AppBarTitle("latticesim: comparison")
    with solara.Sidebar(), solara.Column():
        with solara.Card("Comparisons"):
            solara.HTML(tag="div", unsafe_innerHTML=_sidebar_links(name))
        if isinstance(parts, ComparisonParts):
            with solara.Card("Handout"):
                solara.FileDownload(
                    lambda: build_compare_report(parts.folder),
                    filename=f"{name}-report.html",
                    label="Download the report",
                    mime_type="text/html",
                    children=[
                        solara.Button(
                            "Download the report",
                            icon_name="mdi-download",
                            classes=["download-comparison"],
                        )
                    ],
                )
    with solara.Column(classes=["comparison-page"]):
        solara.Style(_CSS)
        if isinstance(parts, str):
            solara.Error(parts, classes=["comparison-problem"])
            return
        _view(parts)


def _view(parts: ComparisonParts) -> None:
    """The page's body: the report's sections in its order, the figure as an image."""
    solara.HTML(
        tag="header",
        unsafe_innerHTML=(
            f'<h1 class="comparison-title">{html.escape(parts.title)}</h1>'
            f"<p>{html.escape(parts.facts)}</p>"
        ),
    )
    _section("question", "The arms", parts.question)
    _section("headline", "Headline differences", parts.headline)
    solara.HTML(tag="h2", unsafe_innerHTML="The arms overlaid")
    if parts.figure is None:
        solara.Text("This comparison was written without its figure.")
    else:
        with solara.Div(classes=["comparison-figure"]):
            solara.Image(parts.figure.read_bytes(), width="100%")
        solara.HTML(
            tag="p",
            unsafe_innerHTML=(
                "Left: each arm's median over time and its 10-90% band (one-number "
                "outcomes: each run, the median and the 10-90% interval); scenario events "
                "dotted. Right: the paired difference from the first arm with its interval. "
                "Outcomes within noise are greyed, after the others."
            ),
            classes=["note"],
        )
    _section("divergence", "Where the arms part", parts.divergence)
    with solara.Details("Reproducibility: versions, hashes, seeds"):
        solara.HTML(tag="div", unsafe_innerHTML=parts.reproduce, classes=["comparison-reproduce"])


def _sidebar_links(current: str) -> str:
    items = []
    for name in comparison_folders():
        shown = f"<b>{html.escape(name)}</b>" if name == current else _link(name)
        items.append(f"<li>{shown}</li>")
    listed = f"<ul>{''.join(items)}</ul>" if items else ""
    return (
        f'{listed}<p><a href="?view=comparisons">All comparisons</a> &middot; '
        '<a href="/">The dashboard</a></p>'
    )


@solara.component
def ComparisonLinks():
    """The facilitator's way to the comparisons (each opens in a new tab, the run stays)."""
    folders = comparison_folders()
    if not folders:
        return
    with solara.Card("Comparisons"):
        links = "".join(f"<li>{_link(n, new_tab=True)}</li>" for n in folders)
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<ul class='comparison-links'>{links}</ul>"
                '<a href="?view=comparisons" target="_blank" rel="noopener">All comparisons</a>'
            ),
        )
