"""Where the arms part, said in sentences: ``divergence.md`` and ``divergence.csv``.

The rows of :func:`latticesim.sweeps.divergence.diverge` (one per difference, per
replication) are grouped by what differed and when, and each group is one sentence in
the chronicle's words, with how many runs it happened in, in the arm and in the first
arm: "In us_retrenchment, the United States blocked NATO's text on China in 2026Q3 in
14 of 20 runs (0 in baseline_2024)". Counts are of the runs whose first difference is
that quarter; groups are ranked meetings first, then attendance, then the log, and by
how many runs they hold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from latticesim.common.files import atomic_write, write_text
from latticesim.common.text import and_join, cap
from latticesim.outputs.chronicle_words import meeting_name
from latticesim.sweeps.divergence import COLUMNS
from latticesim.world.names import dimension_words, display_name, the_forum

__all__ = ["DIVERGENCE_CSV", "DIVERGENCE_MD", "divergence_lines", "summary", "write_divergence"]

DIVERGENCE_CSV = "divergence.csv"
DIVERGENCE_MD = "divergence.md"

_TABLES = {"meetings": 0, "attendance": 1, "log": 2}
_LEVELS = {"head": "head", "minister": "minister", "official": "official"}


def _frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=COLUMNS)


def _text(forum: str, dim: str) -> str:
    return f"{the_forum(forum)}'s text on {dimension_words(dim)}"


def _yes_no(kind: str, forum: str, subject: str, detail: str) -> tuple[str, str]:
    """What happened and what did not, for a difference one arm has and the other has not."""
    if kind == "met":
        name = meeting_name(forum, detail)
        return f"the {name} met", f"the {name} did not meet"
    if kind == "tabled":
        text = f"{the_forum(forum)} had %s on {dimension_words(subject)} on its agenda"
        return text % "a text", text % "no text"
    if kind == "adopted":
        words = dimension_words(subject)
        return (
            f"{the_forum(forum)} adopted a text on {words}",
            f"{the_forum(forum)} adopted no text on {words}",
        )
    if kind == "blocked":
        who = display_name(detail)
        return (
            f"{who} blocked {_text(forum, subject)}",
            f"{who} did not block {_text(forum, subject)}",
        )
    if kind == "forum_founded":
        return f"{the_forum(subject)} was founded", f"{the_forum(subject)} was not founded"
    if kind == "forum_lapsed":
        return f"{the_forum(subject)} lapsed", f"{the_forum(subject)} did not lapse"
    return detail.rstrip("."), f"not this: {detail.rstrip('.')}"


def _level_words(level: str, forum: str, meeting: str) -> str:
    name = meeting_name(forum, meeting)
    if level == "absent":
        return f"stayed away from the {name}"
    if level == "not invited":
        return f"was not invited to the {name}"
    return f"came to the {name} at {_LEVELS.get(level, level)} level"


def _sentences(arm: str, base: str, df: pd.DataFrame, runs: int) -> list[tuple[tuple, str]]:
    """One (rank, sentence) per group of differences of one arm."""
    out = []
    keys = ["quarter", "table", "kind", "forum", "subject"]
    for (quarter, table, kind, forum, subject), g in df.groupby(keys, sort=False):
        where = f"in {quarter}"
        if kind == "level":
            for (meeting, value), h in g.groupby(["detail", "value"], sort=False):
                was = h["base"].mode().iloc[0]
                what = f"{display_name(subject)} {_level_words(value, forum, meeting)}"
                text = f"In {arm}, {what} {where} in {len(h)} of {runs} runs ({was} in {base})"
                out.append(((_TABLES[table], -len(h), quarter), text))
        elif kind == "strength":
            delta = g["value"].astype(float) - g["base"].astype(float)
            for up, h in delta.groupby(delta > 0):
                how = "stronger" if up else "weaker"
                text = (
                    f"In {arm}, {_text(forum, subject)} came out {how} {where} in {len(h)} of "
                    f"{runs} runs (by {h.abs().mean():.2f} on average, against {base})"
                )
                out.append(((_TABLES[table], -len(h), quarter), text))
        else:
            for detail, h in g.groupby("detail", sort=False):
                n, m = int((h["value"] == "yes").sum()), int((h["base"] == "yes").sum())
                did, did_not = _yes_no(kind, forum, subject, detail)
                if n >= m:
                    text = f"In {arm}, {did} {where} in {n} of {runs} runs ({m} in {base})"
                else:
                    text = f"In {arm}, {did_not} {where} in {m} of {runs} runs (unlike {base})"
                out.append(((_TABLES[table], -len(h), quarter), text))
    return out


def _causes(arm: str, df: pd.DataFrame) -> str:
    """The arm's own events before it parts, once each, in the order they happened."""
    seen = df.drop_duplicates(["quarter", "detail"]).sort_values("quarter", kind="stable")
    if seen.empty:
        return ""
    said = "; ".join(
        f"{q}: {cap(str(t)).rstrip('.')}"
        for q, t in zip(seen["quarter"], seen["detail"], strict=True)
    )
    causes = "the cause" if len(seen) == 1 else "the causes"
    return f"Before that, {arm}'s own events ({causes}): {said}."


def summary(
    rows: Sequence[Mapping[str, Any]], names: Sequence[str], runs: int, most: int | None = None
) -> list[str]:
    """Per arm after the first, a paragraph: when it parts, why, and what differs first.

    Args:
        rows: the divergence rows (:data:`~latticesim.sweeps.divergence.COLUMNS`).
        names: the arms, the first being the base.
        runs: replications per arm.
        most: at most this many sentences of differences per arm (None: all).
    """
    df = _frame(rows)
    base = names[0]
    out = []
    for arm in names[1:]:
        mine = df[df["arm"] == arm]
        differ = mine[mine["table"] != "cause"]
        firsts = differ.groupby("replication")["quarter"].min().sort_values()
        if firsts.empty:
            out.append(f"{arm} does not part from {base} in any of the {runs} runs.")
            continue
        median = firsts.iloc[(len(firsts) - 1) // 2]
        head = (
            f"{arm} parts from {base} in {len(firsts)} of {runs} runs, first in "
            f"{firsts.iloc[0]} (half of them by {median})."
        )
        cause = _causes(arm, mine[mine["table"] == "cause"])
        ranked = sorted(_sentences(arm, base, differ, runs), key=lambda s: s[0])
        lines = [text + "." for _, text in ranked]
        shown = lines if most is None else lines[:most]
        more = len(lines) - len(shown)
        tail = ["", f"({more} more in {DIVERGENCE_MD} and {DIVERGENCE_CSV}.)"] if more else []
        out.append(
            "\n".join([" ".join(p for p in (head, cause) if p), "", *_bullets(shown), *tail])
        )
    return out


def _bullets(lines: Sequence[str]) -> list[str]:
    return [f"- {line}" for line in lines]


def divergence_lines(rows: Sequence[Mapping[str, Any]], names: Sequence[str], runs: int) -> str:
    """``divergence.md`` without its title: every arm's paragraph, every sentence."""
    parts = summary(rows, names, runs)
    note = (
        "Replication r runs on the same seed in every arm, so its runs are one run until "
        "the scenarios' own events change something. Each sentence counts the runs whose "
        "first difference from the first arm is in that quarter: the meetings (met, texts "
        "adopted or blocked, and by whom, strengths beyond 0.005), then attendance, then "
        "forums founded or lapsed."
    )
    return "\n\n".join([note, *parts]) + "\n"


def write_divergence(
    out: Path, rows: Sequence[Mapping[str, Any]], names: Sequence[str], runs: int
) -> list[Path]:
    """``divergence.csv`` (one row per difference) and ``divergence.md`` (the sentences)."""
    csv_path, md_path = out / DIVERGENCE_CSV, out / DIVERGENCE_MD
    df = _frame(rows)
    atomic_write(csv_path, lambda p: df.to_csv(p, index=False))
    title = f"# Where {and_join(names)} part\n\n"
    write_text(md_path, title + divergence_lines(rows, names, runs))
    return [csv_path, md_path]
