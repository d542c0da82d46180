"""The report's page as HTML: escaping, tables, sections, the chronicle and the stylesheet.

The report (:mod:`latticesim.outputs.report`) decides what a run's page says; this module
decides how it is written down: every cell escaped, the chronicle's Markdown with raw
HTML switched off, and one stylesheet that reads on screen and prints on A4, each big
section on a new page and each figure on one page. The page links to nothing outside
itself and needs no JavaScript.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence
from pathlib import Path

import markdown

__all__ = ["MIME", "STYLESHEET", "chronicle_html", "data_uri", "escape", "page", "section", "table"]

MIME = {".png": "image/png", ".svg": "image/svg+xml"}
"""The figures a page embeds, by suffix, in the order they are preferred."""


def escape(text: object) -> str:
    """Text as HTML shows it: markup characters and quotes escaped."""
    return html.escape(str(text), quote=True)


def data_uri(path: Path) -> str:
    """A file as a ``data:`` URI, so the page carries its images with it."""
    mime = MIME[path.suffix.lower()]
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    cls: str,
    marked: Sequence[bool] = (),
) -> str:
    """An HTML table; cells are escaped here, so callers pass plain text.

    ``marked[i]`` gives row ``i`` the class ``changed`` (its second cell is set in bold).
    """
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    lines = []
    for i, row in enumerate(rows):
        attr = ' class="changed"' if i < len(marked) and marked[i] else ""
        lines.append(f"<tr{attr}>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>")
    body = "\n".join(lines)
    return (
        f'<table class="{cls}">\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table>"
    )


def section(anchor: str, heading: str, body: str, page: bool = True) -> str:
    """A section of the page; ``page`` starts it on a new sheet when printed."""
    cls = ' class="page"' if page else ""
    return f'<section id="{anchor}"{cls}>\n<h2>{escape(heading)}</h2>\n{body}\n</section>'


def chronicle_html(text: str) -> str:
    """The chronicle's Markdown as HTML, its headings one level down (under the report's).

    Raw HTML is switched off: a chronicle is prose, so anything in it that looks like
    markup (an actor's name, a marker a seminar added) is shown as written, never run.
    """
    md = markdown.Markdown(
        extensions=["sane_lists", "toc"],
        extension_configs={"toc": {"baselevel": 2, "slugify": _slug}},
        output_format="html",
    )
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md.convert(text)


def _slug(value: str, separator: str) -> str:
    """Heading anchors inside the chronicle (``chronicle-2024q3``), apart from the page's."""
    words = "".join(c if c.isalnum() else " " for c in value.lower()).split()
    return "chronicle" + separator + separator.join(words)


STYLESHEET = """
:root { --ink: #1f2328; --muted: #59636e; --rule: #d0d7de; --band: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 11pt/1.45 Georgia, "Times New Roman", serif; color: var(--ink);
       max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; }
h1, h2, h3, h4, h5, h6, th, figcaption, nav, .facts dt, .note, footer {
       font-family: "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.8rem; margin: 0 0 .3rem; }
h2 { font-size: 1.35rem; border-bottom: 1px solid var(--rule); padding-bottom: .2rem;
     margin-top: 2.2rem; }
h3 { font-size: 1.1rem; margin-top: 1.4rem; }
h4 { font-size: 1rem; margin: 1.2rem 0 .3rem; }
h5, h6 { font-size: .95rem; margin: .9rem 0 .2rem; color: var(--muted); }
.description { font-size: 1.1rem; margin: .2rem 0 1rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; }
.facts dt { font-weight: bold; font-size: .9rem; }
.facts dd { margin: 0; }
nav { font-size: .9rem; margin: 1rem 0; color: var(--muted); }
nav a { color: inherit; margin-right: 1rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: .9rem; }
th, td { border-bottom: 1px solid var(--rule); padding: .25rem .5rem; text-align: left;
         vertical-align: top; }
th { background: var(--band); }
td { overflow-wrap: break-word; }
table.parameters td:first-child, table.manifest td:first-child { white-space: nowrap; }
table.manifest td:last-child { overflow-wrap: anywhere; }
tr.changed td:nth-child(2) { font-weight: bold; }
figure { margin: 1.2rem 0 2rem; }
figure img { display: block; max-width: 100%; height: auto; margin: 0 auto;
             border: 1px solid var(--rule); }
figcaption { font-size: .85rem; color: var(--muted); margin-top: .4rem; }
.file, .note { color: var(--muted); }
.chronicle ul { padding-left: 1.2rem; }
.chronicle li { margin: .15rem 0; }
footer { margin-top: 3rem; font-size: .8rem; color: var(--muted);
         border-top: 1px solid var(--rule); padding-top: .5rem; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  section.page { break-before: page; page-break-before: always; }
  h2, h3, h4, h5 { break-after: avoid; page-break-after: avoid; }
  figure { break-inside: avoid; page-break-inside: avoid; margin: 0 0 8mm; }
  figure img { max-width: 100%; max-height: 230mm; width: auto; border: none; }
  tr, li { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  th { background: none; }
}
"""
"""The page's CSS, for the screen and for print (A4)."""


def page(title: str, sections: Sequence[str], kind: str = "run report", css: str = "") -> str:
    """The whole document: ``sections`` under the stylesheet (and ``css``), titled ``title``."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}: latticesim {escape(kind)}</title>\n"
        f"<style>{STYLESHEET}{css}</style>\n"
        "</head>\n<body>\n" + "\n".join(sections) + "\n</body>\n</html>\n"
    )
