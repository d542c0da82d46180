"""A comparison folder as one self-contained HTML page: a handout of at most four A4 pages.

``latticesim report DIR`` reports a run folder, or, when ``DIR`` holds a comparison's
manifest (``compare.json``), the comparison: the question (the arms, what each says it
changes and its events), the headline differences with their intervals (clear first,
within noise after), the figure, where the arms part, and what it takes to reproduce it.

It lives with the comparisons, not with the run's report in ``outputs/``, because it
reads what only the comparison modules know (the table's layout, the divergence's
sentences) and ``outputs/`` sits below ``sweeps/``; the page itself is written by the run
report's machinery (:mod:`latticesim.outputs.report_html`), so both pages look alike,
print alike and embed their figures alike.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from latticesim.outputs.report import REPORT, ReportError, write_page
from latticesim.outputs.report_html import chronicle_html, data_uri, escape, page, section, table
from latticesim.sweeps.compare import COMPARE_MANIFEST
from latticesim.sweeps.compare_table import table_rows
from latticesim.sweeps.divergence_words import DIVERGENCE_CSV, DIVERGENCE_MD, summary

__all__ = [
    "ComparisonParts",
    "build_compare_report",
    "comparison_parts",
    "is_comparison",
    "write_compare_report",
]

SENTENCES = 6
"""Sentences of differences per arm on the page (``divergence.md`` has every one)."""

EVENTS = 8
"""Events per arm on the page; a scenario with more is summed up (the file has them)."""

_EVENT_KEYS = ("date", "type", "note")

PRINT = """
table.headline { table-layout: fixed; }
table.headline th, table.headline td { font-size: .8rem; overflow-wrap: anywhere; }
@media print {
  #figure figure img { max-height: 150mm; }
  #divergence li { margin: .1rem 0; }
  table.manifest td { font-size: .85rem; padding: .1rem .4rem; }
  #question h3 { margin: .6rem 0 .1rem; }
  #question p, #question ul { margin: .2rem 0; }
  #question li { font-size: .9rem; }
}
"""
"""What the comparison's handout adds to the run report's print style: the figure, the
divergence and the reproducibility table small enough that the page prints on four A4
sheets, the figure on the same sheet as the sentences that follow it."""


def is_comparison(folder: str | Path) -> bool:
    """Whether ``folder`` is a comparison's (it holds ``compare.json``)."""
    return (Path(folder) / COMPARE_MANIFEST).is_file()


def _read(folder: Path) -> tuple[dict[str, Any], pd.DataFrame, list[dict[str, Any]]]:
    """The manifest, the table and the divergence rows; a missing part is one line."""
    try:
        manifest = json.loads((folder / COMPARE_MANIFEST).read_text(encoding="utf-8"))
        result = pd.read_csv(folder / "compare.csv")
    except (OSError, ValueError) as exc:
        raise ReportError(f"{folder}: not a finished comparison ({exc})") from None
    path = folder / DIVERGENCE_CSV
    rows: list[dict[str, Any]] = []
    if path.is_file():
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        df["replication"] = df["replication"].astype(int)
        rows = df.to_dict("records")
    return manifest, result, rows


def _event(event: Mapping[str, Any]) -> str:
    """A scenario event in one line: when, what, its settings and its note."""
    shown = [(k, v) for k, v in event.items() if k not in _EVENT_KEYS]
    rest = ", ".join(f"{k.replace('_', ' ')} {_value(v)}" for k, v in shown)
    note = f" ({event['note']})" if event.get("note") else ""
    what = str(event.get("type", "")).replace("_", " ")
    return f"{event.get('date', '')}: {what}{': ' + rest if rest else ''}{note}"


def _value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_value(v)}" for k, v in value.items())
    return str(value)


def _question(manifest: Mapping[str, Any]) -> str:
    arms = manifest.get("arms", [])
    parts = []
    for k, arm in enumerate(arms):
        role = " (the base)" if k == 0 else ""
        events = arm.get("events")
        if events is None:
            said = '<p class="note">Its events are not recorded in this comparison.</p>'
        elif not events:
            said = "<p>No events: it runs on as the year it starts in.</p>"
        else:
            said = "<ul>" + "".join(f"<li>{escape(_event(e))}</li>" for e in events[:EVENTS])
            if len(events) > EVENTS:
                said += f"<li>and {len(events) - EVENTS} more (the scenario file)</li>"
            said += "</ul>"
        parts.append(
            f"<h3>{escape(arm.get('name', ''))}{role}</h3>\n"
            f"<p>{escape(arm.get('description') or '')}</p>\n{said}"
        )
    return "\n".join(parts)


def _headline(result: pd.DataFrame, names: Sequence[str], level: float, window: object) -> str:
    _, rows, noisy = table_rows(result, names, level)
    head = ["metric", *names, *(f"{n} \u2212 {names[0]}" for n in names[1:])]
    clear = [r for r in rows if r[0] not in noisy]
    quiet = [r for r in rows if r[0] in noisy]
    out = []
    if quiet:
        blank = [""] * (len(head) - 1)
        quiet = [[f"within noise (the {level:.0%} interval holds 0):", *blank], *quiet]
    if not clear:
        out.append('<p class="note">No difference is clear of noise.</p>')
    out.append(table(head, [*clear, *quiet], "headline"))
    out.append(
        '<p class="note">Per arm, the median across runs [10th, 90th percentile]; per arm '
        "after the first, the mean paired difference from it [its interval] and, in "
        "parentheses, the share of replications in which the arm is higher. Differences are "
        "paired by replication (replication r of every arm runs on the same seed); intervals "
        f"are Student's t at {level:.0%}. A series' value is "
        f"its mean over a run's last {escape(window)} quarters.</p>"
    )
    return "\n".join(out)


def _figure(path: Path | None) -> str:
    if path is None:
        return '<p class="note">This comparison was written without its figure.</p>'
    return (
        '<figure id="figure-compare" data-figure="compare.png">\n'
        f'<img src="{data_uri(path)}" alt="The arms side by side">\n'
        "<figcaption><strong>The arms side by side.</strong> Left: each arm's median over "
        "time and its 10-90% band (one-number outcomes: each run, the median and the "
        "10-90% interval); scenario events dotted. Right: the paired difference from the "
        "first arm with its interval. "
        '<span class="file">(figures/compare.png)</span></figcaption>\n</figure>'
    )


def _divergence(
    rows: Sequence[Mapping[str, Any]], names: Sequence[str], runs: int, most: int | None
) -> str:
    text = "\n\n".join(summary(rows, names, runs, most=most))
    return chronicle_html(text) + (
        f'\n<p class="note">Every sentence: {DIVERGENCE_MD}; every difference: '
        f"{DIVERGENCE_CSV}.</p>"
    )


def _reproduce(manifest: Mapping[str, Any], folder: Path) -> str:
    arms = manifest.get("arms", [])
    facts = [
        ("latticesim", manifest.get("latticesim_version", "\u2013")),
        ("written", manifest.get("created_utc", "\u2013")),
        ("root seed", manifest.get("seed", "\u2013")),
        ("seeds", manifest.get("seeds", "\u2013")),
        ("replications", manifest.get("replications", "\u2013")),
        ("quarters", f"{manifest.get('start', '')} to {manifest.get('end', '')}"),
    ]
    facts += [
        (f"{a.get('name')}", f"{a.get('file', '')}, sha256 {a.get('scenario_sha256')}")
        for a in arms
    ]
    command = (
        f"latticesim compare {' '.join(str(a.get('file', '')) for a in arms)} "
        f"--replications {manifest.get('replications')} --seed {manifest.get('seed')} "
        f"--until {manifest.get('end')} --out {folder}"
        + (" --calibrated" if "calibrated" in manifest else "")
    )
    return (
        table(["what", "value"], [(k, str(v)) for k, v in facts], "manifest")
        + f"\n<p>To run it again (the default outcomes; see {COMPARE_MANIFEST} for the "
        f"outcomes and series): <code>{escape(command)}</code></p>"
    )


@dataclass(frozen=True)
class ComparisonParts:
    """A comparison folder's parts as HTML fragments, for the report and the dashboard.

    The printable page and the dashboard's read-only page show the same comparison; both
    are built from these, so that a seminar's screen and its handout say the same.
    """

    folder: Path
    names: list[str]
    title: str
    facts: str
    question: str
    headline: str
    divergence: str
    reproduce: str
    figure: Path | None
    """``figures/compare.png``, or None when the comparison was written without it."""


def _drawn(manifest: Mapping[str, Any]) -> str:
    """What the facts add when replications drew their parameters: the bands hold both."""
    if "calibrated" not in manifest:
        return ""
    return f" Replications over {manifest['calibrated']['draws']} accepted parameter draws."


def comparison_parts(folder: str | Path, sentences: int | None = SENTENCES) -> ComparisonParts:
    """The parts of a comparison folder's page (``sentences``: per arm, None for all).

    Raises:
        ReportError: the folder is not a finished comparison.
    """
    folder = Path(folder)
    manifest, result, rows = _read(folder)
    names = [a["name"] for a in manifest.get("arms", [])]
    level = float(manifest.get("level", 0.95))
    runs = int(manifest.get("replications", 0))
    figure = folder / "figures" / "compare.png"
    return ComparisonParts(
        folder=folder,
        names=names,
        title=" vs ".join(names),
        facts=(
            f"{runs} replications per arm on common random numbers (seed "
            f"{manifest.get('seed')}), {manifest.get('start')} to {manifest.get('end')}."
            + _drawn(manifest)
        ),
        question=_question(manifest),
        headline=_headline(result, names, level, manifest.get("window", 4)),
        divergence=_divergence(rows, names, runs, sentences),
        reproduce=_reproduce(manifest, folder),
        figure=figure if figure.is_file() else None,
    )


def build_compare_report(folder: str | Path) -> str:
    """The report of a comparison folder, as one HTML document linking to nothing outside.

    Raises:
        ReportError: the folder is not a finished comparison.
    """
    parts = comparison_parts(folder)
    sections = [
        f'<header>\n<h1>{escape(parts.title)}</h1>\n<p class="description">'
        f"{escape(parts.facts)}</p>\n</header>",
        section("question", "The question", parts.question, page=False),
        section("headline", "Headline differences", parts.headline, page=False),
        section("figure", "Figure", _figure(parts.figure), page=False),
        section("divergence", "Where the arms part", parts.divergence, page=False),
        section("reproduce", "Reproducibility", parts.reproduce, page=False),
        f"<footer>Written by <code>latticesim report</code> from the comparison folder "
        f"<code>{escape(parts.folder)}</code>.</footer>",
    ]
    return page(parts.title, sections, kind="comparison report", css=PRINT)


def write_compare_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write the report of a comparison folder (default ``DIR/report.html``), atomically.

    Raises:
        ReportError: the folder is not a finished comparison, or ``out`` cannot be written.
    """
    target = Path(out) if out is not None else Path(folder) / REPORT
    return write_page(target, lambda: build_compare_report(folder))
