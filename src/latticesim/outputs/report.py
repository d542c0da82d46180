"""A run folder as one self-contained HTML page, for a handout a teacher can print or email.

``latticesim report RUN_DIR`` reads what ``latticesim run`` wrote (the manifest, the
model table, the chronicle and the figures) and lays it out as a single file: a summary
with the run's headline figures, every figure embedded as a data URI, the chronicle, the
parameters and the manifest. Nothing is linked: the page opens offline, in any browser
or mail client, and needs no JavaScript. The CSS prints on A4, each big section on a new
page and each figure on one page.

The page is built in memory and written through a temporary file renamed into place, so
a failure leaves either the previous report or none, never half a page.
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown
import pandas as pd

from latticesim.common.files import write_text
from latticesim.outputs.store import MANIFEST

__all__ = [
    "REPORT",
    "ReportError",
    "RunFolder",
    "build_report",
    "chronicle_html",
    "headline",
    "load_run",
    "write_report",
]

REPORT = "report.html"
"""The report's file name inside a run folder (the default output)."""

CHRONICLE = "chronicle.md"

# Figures in the order a reader meets them (as latticesim.figures.render writes them), with a
# caption each; figures not listed here follow, in alphabetical order, titled by name.
_CAPTIONS = {
    "statement_strength": "Statement strength by forum over time, one panel per issue "
    "dimension; crosses are proposals that were blocked.",
    "leading_platform": "Each forum's share of standing; the strip shows the leading "
    "platform quarter by quarter.",
    "attendance": "Attendance by level (head of government, minister, official, absent) "
    "at each forum's meetings.",
    "coordination": "The coordination index and the linkage between the Euro-Atlantic "
    "and the Indo-Pacific, with the scenario's events marked.",
    "lattice": "The lattice at the end of the run: actors and forums, tied by recent attendance.",
    "burden": "Burden sharing among NATO members: the largest member's share of spending "
    "against its share of GDP.",
    "positions": "Mean positions by region on each issue dimension.",
    "blocs": "The two blocs the actors' views imply, over time, with the split's energy.",
}

# Formats that can be embedded, best first: PNG is exactly what the run drew.
_MIME = {".png": "image/png", ".svg": "image/svg+xml"}

_RERUN = "latticesim run SCENARIO --out"


class ReportError(Exception):
    """A run folder that cannot be reported on, or a report that cannot be written.

    The message is one line for people: it names the path and says what to do.
    """


@dataclass
class RunFolder:
    """What a report needs from a run folder, read and checked.

    Attributes:
        path: the run folder.
        manifest: the contents of ``manifest.json``.
        model: ``model.parquet``, one row per quarter.
        chronicle: ``chronicle.md`` as text.
        figures: one file per figure (the best format there is), in reading order.
    """

    path: Path
    manifest: dict[str, Any]
    model: pd.DataFrame
    chronicle: str
    figures: list[Path] = field(default_factory=list)


# ----------------------------------------------------------------------------- reading
def load_run(folder: str | Path) -> RunFolder:
    """Read a run folder, checking everything the report needs is there.

    A report made from half a run would mislead the class it is handed to, so every
    missing piece is an error, with the remedy in the message.

    Raises:
        ReportError: the folder is missing, not a run folder, or incomplete.
    """
    path = Path(folder)
    if not path.exists():
        raise ReportError(f"{path}: no such folder; write a run folder with `{_RERUN} {path}`")
    if not path.is_dir():
        raise ReportError(f"{path}: not a folder; give a run folder written by `latticesim run`")
    manifest = _read_manifest(path)
    model = _read_model(path, manifest)
    chronicle = _read_text(path / CHRONICLE, path)
    return RunFolder(path, manifest, model, chronicle, _figure_files(path, manifest))


def _incomplete(folder: Path, what: str) -> ReportError:
    return ReportError(
        f"{folder}: incomplete run folder ({what}); write it again with `{_RERUN} {folder}`"
    )


def _read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest, if the run finished writing (the manifest says so last)."""
    path = folder / MANIFEST
    if not path.is_file():
        raise ReportError(
            f"{folder}: not a run folder (no {MANIFEST}); write one with `{_RERUN} {folder}`"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path}: cannot be read ({_reason(exc)})") from None
    except json.JSONDecodeError as exc:
        raise _incomplete(folder, f"{MANIFEST} is not valid JSON at line {exc.lineno}") from None
    if not isinstance(manifest, dict):
        raise _incomplete(folder, f"{MANIFEST} is not a run's manifest")
    if manifest.get("complete") is not True:
        raise _incomplete(folder, "the run did not finish writing")
    return manifest


def _read_model(folder: Path, manifest: Mapping[str, Any]) -> pd.DataFrame:
    """The model table, named by the manifest (``model.parquet`` unless it says otherwise)."""
    listed = manifest.get("tables", {})
    entry = listed.get("model", {}) if isinstance(listed, dict) else {}
    name = entry.get("file", "model.parquet") if isinstance(entry, dict) else "model.parquet"
    path = folder / str(name)
    if not path.is_file():
        raise _incomplete(folder, f"{path.name} is missing")
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise _incomplete(folder, f"{path.name} cannot be read: {_reason(exc)}") from None


def _read_text(path: Path, folder: Path) -> str:
    if not path.is_file():
        raise _incomplete(folder, f"{path.name} is missing")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _incomplete(folder, f"{path.name} cannot be read: {_reason(exc)}") from None


def _figure_files(folder: Path, manifest: Mapping[str, Any]) -> list[Path]:
    """One file per figure: those the manifest lists (which must exist) and any others.

    Figures drawn into the folder later (by hand, or by another tool) are shown too, so
    the report holds every figure the folder does.
    """
    listed = [folder / str(f) for f in manifest.get("figures") or []]
    missing = [p for p in listed if not p.is_file()]
    if missing:
        raise _incomplete(folder, f"{missing[0].relative_to(folder)} is missing")
    on_disk = sorted((folder / "figures").glob("*")) if (folder / "figures").is_dir() else []
    by_stem: dict[str, list[Path]] = {}
    for p in [*listed, *on_disk]:
        if p.suffix.lower() in _MIME and p.is_file():
            by_stem.setdefault(p.stem, []).append(p)
    best = {
        s: min(ps, key=lambda p: list(_MIME).index(p.suffix.lower())) for s, ps in by_stem.items()
    }
    order = {name: k for k, name in enumerate(_CAPTIONS)}
    return [best[s] for s in sorted(best, key=lambda s: (order.get(s, len(order)), s))]


def _reason(exc: BaseException) -> str:
    """An exception's message on one line."""
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())


# ----------------------------------------------------------------------------- numbers
def _fmt(value: object, digits: int = 2) -> str:
    """A cell as text: floats rounded, missing values as a dash."""
    if value is None:
        return "\u2013"
    if isinstance(value, float):
        if math.isnan(value):
            return "\u2013"
        return f"{value:.{digits}f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_fmt(v, digits) for v in value)
    return str(value)


def headline(model: pd.DataFrame, linkage_window: int = 4) -> list[tuple[str, str, str]]:
    """The run's headline figures, at the start and at the end, for the summary table.

    Linkage counts meetings over the last ``linkage_window`` quarters, so it is read at
    the first quarter with a full window rather than at the first quarter (always 0).

    Returns:
        Rows ``(measure, at the start, at the end)``; none for an empty table.
    """
    if model.empty:
        return []
    first, last = model.iloc[0], model.iloc[-1]
    rows: list[tuple[str, str, str]] = []
    if "leading_platform" in model:
        lead = model["leading_platform"]
        quarters = int((lead == last["leading_platform"]).sum())
        rows.append(
            (
                "Leading platform (its share of standing)",
                _leader(first),
                f"{_leader(last)}; the leader in {quarters} of {len(model)} quarters",
            )
        )
    for column, label, digits in (
        ("coordination_index", "Coordination index", 2),
        ("share_NATO", "NATO's share of standing", 2),
        ("ip4_standing", "The IP4's mean standing of their forums", 2),
        ("defence_pct_gdp_mean", "NATO members' mean defence effort (% of GDP)", 2),
        ("n_forums", "Forums in the lattice", 0),
    ):
        if column in model:
            rows.append((label, _num(first[column], digits), _num(last[column], digits)))
    if "linkage" in model:
        full = model.iloc[min(max(linkage_window, 1), len(model)) - 1]
        rows.append(
            (
                f"Linkage between the theatres (over the last {linkage_window} quarters)",
                f"{_num(full['linkage'], 2)} ({full['date']})",
                _num(last["linkage"], 2),
            )
        )
    if "meetings_held" in model:
        held = int(pd.to_numeric(model["meetings_held"], errors="coerce").fillna(0).sum())
        rows.append(("Meetings held, over the whole run", "", str(held)))
    return rows


def _leader(row: pd.Series) -> str:
    name = row.get("leading_platform")
    if not isinstance(name, str) or not name:
        return "none"
    return f"{name} ({_num(row.get('leading_platform_share'), 2)})"


def _num(value: object, digits: int) -> str:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return _fmt(value)
    return "\u2013" if math.isnan(x) else f"{x:.{digits}f}"


def _parameter_rows(parameters: Mapping[str, Any]) -> list[tuple[str, str, str, str, bool]]:
    """Each parameter with the model's default and what it means.

    Returns:
        Rows ``(name, value, default, meaning, differs from the default)``; a parameter
        this version does not know keeps an empty default and meaning.
    """
    from latticesim.scenario.schema import Parameters

    defaults = Parameters().model_dump(mode="json")
    fields = Parameters.model_fields
    rows = []
    for name, value in parameters.items():
        known = name in fields
        default = defaults.get(name)
        meaning = (fields[name].description or "") if known else ""
        rows.append(
            (
                name,
                _fmt_parameter(value),
                _fmt_parameter(default) if known else "",
                meaning,
                known and value != default,
            )
        )
    return rows


def _fmt_parameter(value: object) -> str:
    """A parameter as a person would write it (0.35, not 0.3500)."""
    return f"{value:.6g}" if isinstance(value, float) else _fmt(value)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, str]]:
    """Nested mappings as ``(dotted.key, value)`` pairs, lists joined by commas."""
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from _flatten(value, f"{name}.")
        else:
            yield name, _fmt(value) if not isinstance(value, float) else repr(value)


# ------------------------------------------------------------------------------- html
def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    cls: str,
    marked: Sequence[bool] = (),
) -> str:
    """An HTML table; cells are escaped here, so callers pass plain text.

    ``marked[i]`` gives row ``i`` the class ``changed`` (its second cell is set in bold).
    """
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in header)
    lines = []
    for i, row in enumerate(rows):
        attr = ' class="changed"' if i < len(marked) and marked[i] else ""
        lines.append(f"<tr{attr}>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>")
    body = "\n".join(lines)
    return (
        f'<table class="{cls}">\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table>"
    )


def _data_uri(path: Path) -> str:
    """A file as a ``data:`` URI, so the page carries its images with it."""
    mime = _MIME[path.suffix.lower()]
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _figure_title(stem: str) -> str:
    return stem.replace("_", " ").capitalize()


def _figures_html(run: RunFolder) -> str:
    if not run.figures:
        return (
            '<p class="note">This run was written without figures '
            "(<code>latticesim run --no-figures</code>).</p>"
        )
    parts = []
    for path in run.figures:
        stem = path.stem
        caption = _CAPTIONS.get(stem, "")
        title = _figure_title(stem)
        try:
            src = _data_uri(path)
        except OSError as exc:
            raise _incomplete(
                run.path, f"figures/{path.name} cannot be read: {_reason(exc)}"
            ) from None
        parts.append(
            f'<figure id="figure-{_e(stem)}" data-figure="{_e(path.name)}">\n'
            f'<img src="{src}" alt="{_e(title)}">\n'
            f"<figcaption><strong>{_e(title)}.</strong> {_e(caption)}"
            f' <span class="file">(figures/{_e(path.name)})</span></figcaption>\n'
            "</figure>"
        )
    return "\n".join(parts)


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


_CSS = """
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


def build_report(run: RunFolder) -> str:
    """The report of a run folder, as one HTML document.

    Args:
        run: the folder, read by :func:`load_run`.

    Returns:
        The page; its images are data URIs and it links to nothing outside itself.
    """
    title = f"{_scenario(run.manifest).get('name') or run.path.name}, seed {_seed(run)}"
    sections = [
        _header_html(run, title),
        '<nav><a href="#summary">Headline figures</a><a href="#figures">Figures</a>'
        '<a href="#chronicle">Chronicle</a><a href="#parameters">Parameters</a>'
        '<a href="#manifest">Manifest</a></nav>',
        _section("summary", "Headline figures", _headline_html(run), page=False),
        _section("figures", "Figures", _figures_html(run)),
        _chronicle_section(run.chronicle),
        _section(
            "parameters",
            "Parameters",
            "<p>The model parameters this run used; values in bold differ from the "
            "model's defaults.</p>\n" + _parameter_table(_parameter_rows(_parameters(run))),
        ),
        _section(
            "manifest",
            "Manifest",
            f"<p>What <code>{MANIFEST}</code> records about the run (the parameters are "
            "above).</p>\n" + _table(["key", "value"], _manifest_rows(run.manifest), "manifest"),
        ),
        f"<footer>Written by <code>latticesim report</code> from the run folder "
        f"<code>{_e(run.path)}</code>.</footer>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}: latticesim run report</title>\n<style>{_CSS}</style>\n"
        "</head>\n<body>\n" + "\n".join(sections) + "\n</body>\n</html>\n"
    )


def _scenario(manifest: Mapping[str, Any]) -> dict[str, Any]:
    scenario = manifest.get("scenario")
    return scenario if isinstance(scenario, dict) else {}


def _parameters(run: RunFolder) -> dict[str, Any]:
    parameters = run.manifest.get("parameters")
    return parameters if isinstance(parameters, dict) else {}


def _seed(run: RunFolder) -> str:
    return str(run.manifest.get("seed", "\u2013"))


def _span(run: RunFolder) -> tuple[str, str]:
    """First and last quarter, from the model table (the manifest's when it is empty)."""
    dates = run.model["date"] if "date" in run.model else pd.Series(dtype=str)
    if len(dates):
        return str(dates.iloc[0]), str(dates.iloc[-1])
    return str(run.manifest.get("start", "\u2013")), str(run.manifest.get("end", "\u2013"))


def _section(anchor: str, heading: str, body: str, page: bool = True) -> str:
    """A section of the page; ``page`` starts it on a new sheet when printed."""
    cls = ' class="page"' if page else ""
    return f'<section id="{anchor}"{cls}>\n<h2>{_e(heading)}</h2>\n{body}\n</section>'


def _header_html(run: RunFolder, title: str) -> str:
    """The title, the scenario's description and the facts that identify the run."""
    m = run.manifest
    scenario = _scenario(m)
    start, end = _span(run)
    facts = [
        ("Scenario", str(scenario.get("name") or run.path.name)),
        ("Seed", _seed(run)),
        ("Horizon", f"{start} to {end} ({len(run.model)} quarters)"),
        ("Scenario hash", str(scenario.get("sha256") or "\u2013")[:12]),
        ("latticesim", str(m.get("latticesim_version", "\u2013"))),
        ("Run written", str(m.get("created_utc", "\u2013"))),
    ]
    if scenario.get("file"):
        facts.insert(3, ("Scenario file", str(scenario["file"])))
    rows = "\n".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts)
    return (
        f"<header>\n<h1>{_e(title)}</h1>\n"
        f'<p class="description">{_e(scenario.get("description") or "")}</p>\n'
        f'<dl class="facts">\n{rows}\n</dl>\n</header>'
    )


def _headline_html(run: RunFolder) -> str:
    window = _parameters(run).get("linkage_window", 4)
    rows = headline(run.model, window if isinstance(window, int) else 4)
    if not rows:
        return '<p class="note">The model table has no quarters.</p>'
    return _table(["measure", *_span(run)], rows, "headline")


def _chronicle_section(text: str) -> str:
    """The chronicle under its own title (the chronicle's ``#`` title, demoted)."""
    own_title = text.lstrip().startswith("# ")
    return (
        '<section id="chronicle" class="page chronicle">\n'
        + ("" if own_title else "<h2>Chronicle</h2>\n")
        + chronicle_html(text)
        + "\n</section>"
    )


def _manifest_rows(manifest: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The manifest flattened, without the parameters (they have their own table)."""
    return [(k, v) for k, v in _flatten(manifest) if not k.startswith("parameters.")]


def _parameter_table(rows: Sequence[tuple[str, str, str, str, bool]]) -> str:
    if not rows:
        return '<p class="note">The manifest lists no parameters.</p>'
    return _table(
        ["parameter", "value", "default", "meaning"],
        [r[:4] for r in rows],
        "parameters",
        marked=[r[4] for r in rows],
    )


# ------------------------------------------------------------------------------ write
def write_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write the report of a run folder, atomically; returns the file written.

    The page is built in full before anything is written, and then written to a
    temporary file beside ``out`` and renamed over it: a failure leaves the previous
    report (or none), never a partial one.

    Args:
        folder: the run folder.
        out: the file to write (default: ``FOLDER/report.html``).

    Raises:
        ReportError: the folder cannot be reported on, or ``out`` cannot be written.
    """
    run = load_run(folder)
    target = Path(out) if out is not None else run.path / REPORT
    if target.is_dir():
        raise ReportError(f"{target}: is a folder; give a file name, e.g. {target / REPORT}")
    page = build_report(run)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text(target, page)
    except OSError as exc:
        raise ReportError(f"{target}: cannot be written ({_reason(exc)})") from None
    return target
