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

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from latticesim.common.files import write_text
from latticesim.outputs.report_html import (
    MIME,
    chronicle_html,
    data_uri,
    escape,
    page,
    section,
    table,
)
from latticesim.outputs.report_student import student_page, student_sections
from latticesim.outputs.store import MANIFEST

__all__ = [
    "HANDOUT",
    "REPORT",
    "ReportError",
    "RunFolder",
    "build_report",
    "build_student_report",
    "headline",
    "load_run",
    "write_page",
    "write_report",
]

REPORT = "report.html"
"""The report's file name inside a run folder (the default output)."""
HANDOUT = "handout.html"
"""The student handout's file name inside a run folder (``--student``)."""

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
        if p.suffix.lower() in MIME and p.is_file():
            by_stem.setdefault(p.stem, []).append(p)
    best = {
        s: min(ps, key=lambda p: list(MIME).index(p.suffix.lower())) for s, ps in by_stem.items()
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
    from latticesim.scenario.parameters import Parameters

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
            src = data_uri(path)
        except OSError as exc:
            raise _incomplete(
                run.path, f"figures/{path.name} cannot be read: {_reason(exc)}"
            ) from None
        parts.append(
            f'<figure id="figure-{escape(stem)}" data-figure="{escape(path.name)}">\n'
            f'<img src="{src}" alt="{escape(title)}">\n'
            f"<figcaption><strong>{escape(title)}.</strong> {escape(caption)}"
            f' <span class="file">(figures/{escape(path.name)})</span></figcaption>\n'
            "</figure>"
        )
    return "\n".join(parts)


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
        section("summary", "Headline figures", _headline_html(run), page=False),
        section("figures", "Figures", _figures_html(run)),
        _chronicle_section(run.chronicle),
        section(
            "parameters",
            "Parameters",
            "<p>The model parameters this run used; values in bold differ from the "
            "model's defaults.</p>\n" + _parameter_table(_parameter_rows(_parameters(run))),
        ),
        section(
            "manifest",
            "Manifest",
            f"<p>What <code>{MANIFEST}</code> records about the run (the parameters are "
            "above).</p>\n" + table(["key", "value"], _manifest_rows(run.manifest), "manifest"),
        ),
        f"<footer>Written by <code>latticesim report</code> from the run folder "
        f"<code>{escape(run.path)}</code>.</footer>",
    ]
    return page(title, sections)


def build_student_report(run: RunFolder) -> str:
    """The student handout of a run folder (see :mod:`latticesim.outputs.report_student`)."""
    title = f"{_scenario(run.manifest).get('name') or run.path.name}, seed {_seed(run)}"
    return student_page(
        title,
        student_sections(
            run.manifest,
            run.chronicle,
            run.figures,
            _header_html(run, title, brief=True),
            _headline_html(run),
        ),
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


def _header_html(run: RunFolder, title: str, brief: bool = False) -> str:
    """The title, the scenario's description and the facts that identify the run.

    ``brief`` keeps what a student needs (scenario, seed, quarters), not the provenance.
    """
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
    if brief:
        facts = facts[:3]
    elif scenario.get("file"):
        facts.insert(3, ("Scenario file", str(scenario["file"])))
    rows = "\n".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    return (
        f"<header>\n<h1>{escape(title)}</h1>\n"
        f'<p class="description">{escape(scenario.get("description") or "")}</p>\n'
        f'<dl class="facts">\n{rows}\n</dl>\n</header>'
    )


def _headline_html(run: RunFolder) -> str:
    window = _parameters(run).get("linkage_window", 4)
    rows = headline(run.model, window if isinstance(window, int) else 4)
    if not rows:
        return '<p class="note">The model table has no quarters.</p>'
    return table(["measure", *_span(run)], rows, "headline")


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
    return table(
        ["parameter", "value", "default", "meaning"],
        [r[:4] for r in rows],
        "parameters",
        marked=[r[4] for r in rows],
    )


# ------------------------------------------------------------------------------ write
def write_report(folder: str | Path, out: str | Path | None = None, student: bool = False) -> Path:
    """Write the report of a run folder, atomically; returns the file written.

    ``student`` writes the student handout instead (default file ``FOLDER/handout.html``).

    The page is built in full before anything is written, and then written to a
    temporary file beside ``out`` and renamed over it: a failure leaves the previous
    report (or none), never a partial one.

    Args:
        folder: the run folder.
        out: the file to write (default: ``FOLDER/report.html``).
        student: the student handout rather than the full report.

    Raises:
        ReportError: the folder cannot be reported on, or ``out`` cannot be written.
    """
    run = load_run(folder)
    build = build_student_report if student else build_report
    default = run.path / (HANDOUT if student else REPORT)
    return write_page(Path(out) if out is not None else default, lambda: build(run))


def write_page(target: Path, build: Callable[[], str]) -> Path:
    """Build a page in full, then write it to ``target`` atomically (any report's page).

    Raises:
        ReportError: ``target`` is a folder or cannot be written.
    """
    if target.is_dir():
        raise ReportError(f"{target}: is a folder; give a file name, e.g. {target / REPORT}")
    page = build()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text(target, page)
    except OSError as exc:
        raise ReportError(f"{target}: cannot be written ({_reason(exc)})") from None
    return target
