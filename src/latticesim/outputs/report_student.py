"""The student handout of a run: the question, what happened, three figures, questions, words.

``latticesim report --student RUN_DIR`` (and the dashboard's *Download handout*) writes
it. A student needs the question the round asks, what the run did (the chronicle's
summary and every choice the room played), the figures that answer the question, printed
large enough to read, questions to discuss, and the words the model uses; not the
parameter and manifest pages of the full report. It prints on at most six A4 pages: an
opening page, one landscape page per figure (so a figure drawn 11-12 inches wide prints
at nearly its own size) and a page of questions and glossary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from latticesim.outputs.report_html import data_uri, escape, page, section

STUDENT_FIGURES = {
    "leading_platform": "Which forum leads? Each forum's share of standing; the strip "
    "names the leading platform quarter by quarter.",
    "statement_strength": "What did the forums sign? The strength of each adopted text "
    "by issue (0: weak, 1: strong); a cross is a text that failed.",
    "coordination": "Do the allies agree? The coordination index (1: the same views) and "
    "how often the two theatres sat together.",
}
"""The figures a handout prints, in order, with the question each answers."""

PNG_DPI = 150
"""The resolution ``latticesim run`` draws its PNG figures at (figures/render.py)."""
PRINT_WIDTH_MM = 265.0
"""A figure's printed width at most: a landscape A4 page inside its margins."""

GUIDING_QUESTIONS = {
    "baseline_2024": "Which forum links the Euro-Atlantic and the Indo-Pacific, and why that one?",
    "us_pivot": "Does a US pivot to the Indo-Pacific strengthen the platform that links "
    "the two theatres, or weaken it?",
    "france_autonomy": "Can one ally keep NATO out of the Indo-Pacific, and who pays for it?",
    "taiwan_crisis": "Does a crisis in Asia change what Europe will sign on China?",
}
"""The guiding question of each seminar round (docs/teaching.md), by scenario."""

GENERAL_QUESTION = (
    "Which forum became the platform that aligns the Euro-Atlantic and the Indo-Pacific, "
    "and what in this scenario made it so?"
)

GLOSSARY = [
    ("Forum", "a format where states meet: NATO, the EU, the G7, the Quad, the IP4..."),
    (
        "Member, partner",
        "members decide; partners (the IP4 in the NATO+IP4 session) attend without a vote",
    ),
    (
        "Consensus",
        "every member can block; a blocked text is watered down toward the "
        "blocker and put again, and after two rounds it fails",
    ),
    (
        "Weighted majority",
        "a text passes when members holding enough of the capability "
        "present accept it (the EU: 65%)",
    ),
    ("Chair's statement", "the convener issues a text without consensus; it weighs less"),
    ("Block", "refuse a text: under consensus it fails unless watered down"),
    ("Weaker text", "ask for the draft to move toward your position, then accept it"),
    ("Statement strength", "how far an adopted text goes, from 0 (weak) to 1 (strong)"),
    (
        "Attendance",
        "the level an actor sends: head of government, minister, official, "
        "or none; heads give a meeting weight",
    ),
    (
        "Standing",
        "how much the actors value a forum, learned from its meetings; a "
        "forum's share of all standing",
    ),
    ("Leading platform", "the forum with the largest share of standing"),
    ("Coordination index", "how close the views of NATO and the IP4 are, from 0 to 1"),
    (
        "Linkage",
        "how often a Euro-Atlantic and an Indo-Pacific actor sat together in "
        "the last year, weighted by level",
    ),
    ("Played", "an actor whose choices a student made; the model decides for the others"),
]
"""The words a handout explains, each as the model means it (docs/odd.md)."""

CSS = """
@page landscape { size: A4 landscape; margin: 12mm 14mm; }
.student figure { page: landscape; break-before: page; margin: 0; }
.student figure img { width: var(--print-width); max-width: 100%; height: auto; }
.student .question { font-size: 1.25rem; font-weight: bold; margin: .4rem 0 1rem; }
.student #happened li { font-size: .9rem; }
.student dl.glossary { columns: 2; column-gap: 8mm; font-size: .85rem; }
.student dl.glossary dt { font-weight: bold; break-after: avoid; }
.student dl.glossary dd { margin: 0 0 .35rem; break-inside: avoid; }
@media print {
  .student figure img { width: var(--print-width); max-height: 165mm; }
  .student #questions { break-before: page; }
}
"""

MAX_HAPPENED = 14
"""Lines of "what happened" on the opening page; the rest are counted, not printed."""


def guiding_question(scenario: str) -> str:
    """The round's question for a shipped scenario, the project's question for any other."""
    return GUIDING_QUESTIONS.get(scenario, GENERAL_QUESTION)


def print_width_mm(png: Path) -> float:
    """A figure's printed width: its own drawn size, or the page's width if narrower.

    Returns the width in millimetres; the printed scale is this over the drawn width.
    """
    width_px = int.from_bytes(png.read_bytes()[16:20], "big")  # the PNG header's width
    return min(PRINT_WIDTH_MM, width_px / PNG_DPI * 25.4)


def in_brief(chronicle: str) -> list[str]:
    """The chronicle's "In brief" bullets, as text."""
    match = re.search(r"^## In brief\n(.*?)(?=^## |\Z)", chronicle, re.S | re.M)
    if not match:
        return []
    return [line[2:].strip() for line in match.group(1).splitlines() if line.startswith("- ")]


def played_lines(chronicle: str) -> list[str]:
    """Every choice a student made, dated, each followed by what its meeting decided.

    ("2024Q3: France (played) came to the NATO summit ... blocked the text on ...", then
    "2024Q3: NATO summit (chaired by ...): adopted ...; France blocked ...".) A seat that
    gave no answer is left out: the model decided for it.
    """
    out, quarter, lines = [], "", {}
    for line in chronicle.splitlines():
        if line.startswith("#### "):
            quarter = line[5:].strip()
        elif line.startswith("- "):
            lines.setdefault(quarter, []).append(_plain(line[2:]))
    for q, entries in lines.items():
        for entry in entries:
            if "(played)" not in entry or "gave no answer" in entry:
                continue
            out.append(f"{q}: {entry}")
            meeting = re.search(r"came to the (.+?) at \w+ level", entry)
            if meeting:
                out += [f"{q}: {e}" for e in entries if e.startswith(f"{meeting.group(1)} (")]
    return out


def _plain(markdown: str) -> str:
    return re.sub(r"[*_`]", "", markdown).strip()


def discussion_questions(chronicle: str, scenario: str) -> list[str]:
    """Questions drawn from what this run did, then two the model always raises."""
    questions = []
    blocks = [p for p in played_lines(chronicle) if "(played)" in p and "blocked" in p]
    if blocks:
        who = blocks[0].split(": ", 1)[1].split(" (played)")[0]
        questions.append(
            f"{who} blocked a text ({blocks[0].split(':', 1)[0]}). What was it defending, "
            "what did the block cost it, and what would the model alone have done?"
        )
    elif played_lines(chronicle):
        questions.append(
            "Which of the room's choices changed an outcome, and which did the lattice absorb?"
        )
    for line in in_brief(chronicle):
        if "blocked most often by" in line:
            blockers = line.split("blocked most often by", 1)[1].strip(" .")
            questions.append(
                f"Texts were blocked most often by {blockers}. What did "
                "they defend, and how did the others work around them?"
            )
        elif line.startswith("Leading platform at the end"):
            questions.append(
                f"{line.rstrip('.')}. Was it the forum you expected? What "
                "gives a forum standing in this model, and what would in reality?"
            )
        elif "founded in" in line:
            questions.append(
                f"{line.rstrip('.')}. Who was frustrated where, and would "
                "such a group form in reality?"
            )
    questions.append(
        f"Back to the question: {guiding_question(scenario)} Answer it from "
        "the figures, naming one quarter as evidence."
    )
    questions.append("What does the model leave out that could change this answer?")
    return questions


def student_sections(
    manifest: Mapping[str, Any], chronicle: str, figures: list[Path], head: str, table: str
) -> list[str]:
    """The handout's sections: opening page, figures, questions and glossary."""
    scenario = str((manifest.get("scenario") or {}).get("name") or "")
    happened = [*in_brief(chronicle), *played_lines(chronicle)]
    shown = happened[:MAX_HAPPENED]
    more = len(happened) - len(shown)
    items = "".join(f"<li>{escape(line)}</li>" for line in shown)
    if more:
        items += f"<li>... and {more} more in the run's chronicle.</li>"
    opening = (
        head
        + f'<p class="question" id="guiding-question">{escape(guiding_question(scenario))}</p>'
        + section("summary", "Headline figures", table, page=False)
        + section("happened", "What happened", f"<ul>{items}</ul>", page=False)
    )
    return [
        f'<div class="student">{opening}',
        f'<section id="figures">\n{_figures(figures)}\n</section>',  # each on its own page
        section(
            "questions",
            "Questions for discussion",
            "<ol>"
            + "".join(f"<li>{escape(q)}</li>" for q in discussion_questions(chronicle, scenario))
            + "</ol>"
            + "<h2 id='glossary'>Glossary</h2><dl class='glossary'>"
            + "".join(f"<dt>{escape(t)}</dt><dd>{escape(d)}</dd>" for t, d in GLOSSARY)
            + "</dl>",
            page=False,
        )
        + "</div>",
    ]


def _figures(figures: list[Path]) -> str:
    by_stem = {p.stem: p for p in figures if p.suffix == ".png"}
    parts = []
    for stem, caption in STUDENT_FIGURES.items():
        path = by_stem.get(stem)
        if path is None:
            continue
        title = stem.replace("_", " ").capitalize()
        parts.append(
            f'<figure id="figure-{escape(stem)}" style="--print-width: '
            f'{print_width_mm(path):.0f}mm">\n<img src="{data_uri(path)}" alt="{escape(title)}">'
            f"\n<figcaption><strong>{escape(title)}.</strong> {escape(caption)}</figcaption>"
            "\n</figure>"
        )
    return "\n".join(parts) or '<p class="note">This run was written without figures.</p>'


def student_page(title: str, sections: list[str]) -> str:
    """The handout as one HTML document, with the report's stylesheet and its own."""
    return page(title, sections, kind="student handout", css=CSS)
