"""The chronicle: a run told as dated sentences a seminar can read.

The chronicle is written from the run's tables alone (see :mod:`latticesim.model.recorder`), so
a stored run can be retold without the model. :func:`chronicle_entries` turns the tables
into dated entries, one sentence each, in the order things happened within a quarter
(events first, then meetings, then what the quarter changed in the lattice);
:func:`chronicle` lays them out as Markdown, a section per year and a heading per
quarter, after a short summary of the whole run. The dashboard shows the same entries
growing as a run is stepped.

Routine business is kept short: meetings that adopted every text as proposed, with no
objection and (for summits) every leader present, share one line per quarter. What a
seminar discusses (a block, a watered-down text, a summit leaders skipped, a forum that
did not meet, a change of the leading platform) gets a sentence of its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from latticesim.common.text import and_join, cap
from latticesim.outputs import chronicle_sentences as sentences
from latticesim.outputs.chronicle_words import count, listed
from latticesim.world.names import display_name

__all__ = ["Chronicler", "chronicle", "chronicle_entries"]

_LEVEL_RANK = {"summit": 0, "ministerial": 1, "officials": 2}

# Where each kind of entry falls within its quarter (what happened first comes first).
_ORDER = {
    "event": 0,
    "meeting": 1,
    "ip4": 1,
    "routine": 2,
    "no_meeting": 3,
    "forum_founded": 4,
    "forum_lapsed": 4,
    "leading_platform": 5,
    "coordination": 6,
}

COORDINATION_STEP = 0.025
"""Change in the coordination index, since the last one reported, worth a sentence."""


# ---------------------------------------------------------------------------- entries
def chronicle_entries(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The run as dated entries, one sentence each, in the order they happened.

    Args:
        tables: the run's tables, keyed by name (``model``, ``meetings``, ``items``,
            ``attendance``, ``log``); missing or empty tables give no entries.

    Returns:
        A DataFrame with columns ``date`` (a quarter such as "2024Q3"), ``step``,
        ``kind`` (``meeting``, ``routine``, ``ip4``, ``no_meeting``,
        ``leading_platform``, ``coordination``, or the kind of a log line such as
        ``forum_founded`` or ``attention_shift``) and ``text``.
    """
    return Chronicler().tell(tables)


class Chronicler:
    """Tells a run quarter by quarter, remembering what it has told.

    A sentence depends on what came before (a forum's first meeting is told in full, a
    meeting like the last one is a repeat, a platform "takes the lead back"), so the
    teller keeps that memory between calls: :meth:`tell` can be given a whole run's
    tables at once (:func:`chronicle_entries`) or each new quarter's as it is run (the
    dashboard), and says the same either way.
    """

    def __init__(self) -> None:
        self.seen_forums: set[str] = set()
        self.seen_blocks: set[tuple] = set()
        self.last_chair: dict[str, str] = {}
        self.last_outcome: dict[tuple, tuple[dict, str]] = {}
        self.founded: set[str] = set()
        self.initial_forums: set[str] | None = None
        self.leader: str | None = None
        self.led: set[str] = set()
        self.reference: tuple[float, str] | None = None

    def tell(self, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
        """Entries for the quarters in ``tables`` (which follow those told before).

        Returns:
            A DataFrame with columns ``date``, ``step``, ``kind``, ``text`` (see
            :func:`chronicle_entries`).
        """
        self._note_founded(tables)
        rows: list[tuple[str, int, str, int, str]] = []
        rows += _log_entries(_get(tables, "log"))
        rows += self._meeting_entries(tables)
        rows += self._platform_entries(_get(tables, "model"))
        rows += self._coordination_entries(_get(tables, "model"))
        if not rows:
            return pd.DataFrame(
                {
                    "date": pd.Series(dtype=str),
                    "step": pd.Series(dtype=int),
                    "kind": pd.Series(dtype=str),
                    "text": pd.Series(dtype=str),
                }
            )
        df = pd.DataFrame(rows, columns=["date", "step", "kind", "order", "text"])
        df["seq"] = range(len(df))
        df = df.sort_values(["step", "order", "seq"], kind="stable")
        return df[["date", "step", "kind", "text"]].reset_index(drop=True)

    def _note_founded(self, tables: Mapping[str, pd.DataFrame]) -> None:
        """Forums that appeared during the run: their first meeting is worth a sentence."""
        log = _get(tables, "log")
        if len(log):
            self.founded |= set(log.loc[log["kind"] == "forum_founded", "subject"].astype(str))
        model = _get(tables, "model")
        if len(model):
            shares = [c for c in model.columns if c.startswith("share_")]
            if self.initial_forums is None:
                first = model.iloc[0]
                self.initial_forums = {c[len("share_") :] for c in shares if pd.notna(first[c])}
            self.founded |= {c[len("share_") :] for c in shares} - self.initial_forums

    def _meeting_entries(self, tables: Mapping[str, pd.DataFrame]) -> list[tuple]:
        meetings = _get(tables, "meetings")
        if meetings.empty:
            return []
        items_by = _records_by_meeting(_get(tables, "items"))
        att_by = _records_by_meeting(_get(tables, "attendance"))
        founded = self.founded
        seen_forums = self.seen_forums
        seen_blocks = self.seen_blocks
        last_chair = self.last_chair
        last_outcome = self.last_outcome
        rows = []
        # a session (the partners' session of a NATO summit) is told after its main meeting
        session = meetings.get("session_of")
        meetings = meetings.assign(
            _rank=meetings["level"].map(_LEVEL_RANK).fillna(3),
            _session=session.notna() if session is not None else False,
            _size=-meetings["n_invitees"].fillna(0),
        ).sort_values(["step", "_rank", "_session", "_size", "forum"], kind="stable")
        routine: list[str] = []
        current: tuple[str, int] | None = None

        def flush() -> None:
            if routine and current is not None:
                text = "Adopted as proposed, without objection: " + "; ".join(routine) + "."
                rows.append((*current, "routine", _ORDER["routine"], text))
            routine.clear()

        for m in meetings.to_dict("records"):
            here = (str(m["date"]), int(m["step"]))
            if here != current:
                flush()
                current = here
            forum = str(m["forum"])
            introduce = forum not in seen_forums  # a forum's first meeting is told in full
            first = introduce and forum in founded
            seen_forums.add(forum)
            its = items_by.get(m["meeting_id"], [])
            invitees = att_by.get(m["meeting_id"], [])
            if not bool(m["met"]):
                rows.append(
                    (*here, "no_meeting", _ORDER["no_meeting"], sentences.no_meeting(m, invitees))
                )
                continue
            chair = m.get("chair") if isinstance(m.get("chair"), str) else None
            new_chair = chair is not None and last_chair.get(forum) != chair
            if chair is not None:
                last_chair[forum] = chair
            outcome = sentences.outcome(its)
            before = last_outcome.get((forum, m["level"]))
            last_outcome[(forum, m["level"])] = (outcome, here[0])
            if not introduce and sentences.is_routine(m, its):
                routine.append(sentences.routine_part(m, its, chair if new_chair else None))
            elif before is not None and not new_chair and sentences.same(before[0], outcome):
                text = sentences.repeat_sentence(m, its, before[1])
                rows.append((*here, "meeting", _ORDER["meeting"], text))
            else:
                text = sentences.meeting_sentence(
                    m, its, first, chair if new_chair else None, seen_blocks
                )
                rows.append((*here, "meeting", _ORDER["meeting"], text))
            ip4 = sentences.ip4_sentence(m, invitees)
            if ip4:
                rows.append((*here, "ip4", _ORDER["ip4"], ip4))
        flush()
        return rows

    def _platform_entries(self, model: pd.DataFrame) -> list[tuple]:
        if model.empty or "leading_platform" not in model:
            return []
        rows = []
        previous = self.leader
        led = self.led
        for r in model.itertuples(index=False):
            leader = r.leading_platform if isinstance(r.leading_platform, str) else None
            share = float(r.leading_platform_share)
            date, step = str(r.date), int(r.step)
            if previous is None and leader is not None and not led:
                text = f"{leader} is the leading platform at the start (share {share:.2f})."
            elif leader != previous and leader is not None:
                if leader in led:
                    text = f"{leader} took the lead back from {previous} (share {share:.2f})."
                else:
                    text = (
                        f"{leader} overtook {previous} as the leading platform (share {share:.2f})."
                    )
            elif leader is None and previous is not None:
                text = "No forum leads any more."
            else:
                previous = leader
                continue
            rows.append((date, step, "leading_platform", _ORDER["leading_platform"], text))
            if leader:
                led.add(leader)
            previous = leader
        self.leader = previous
        return rows

    def _coordination_entries(self, model: pd.DataFrame) -> list[tuple]:
        """A sentence whenever the index has moved far enough since it was last reported."""
        if model.empty or "coordination_index" not in model:
            return []
        rows = []
        ref, ref_date = self.reference or (None, None)
        for r in model.itertuples(index=False):
            x = float(r.coordination_index)
            if math.isnan(x):
                continue
            if ref is None:
                ref, ref_date = x, str(r.date)
                continue
            if abs(x - ref) >= COORDINATION_STEP:
                verb = "rose" if x > ref else "fell"
                rows.append(
                    (
                        str(r.date),
                        int(r.step),
                        "coordination",
                        _ORDER["coordination"],
                        f"The coordination index {verb} to {x:.2f} ({ref:.2f} in {ref_date}).",
                    )
                )
                ref, ref_date = x, str(r.date)
        if ref is not None:
            self.reference = (ref, ref_date)
        return rows


def _get(tables: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame:
    df = tables.get(name)
    return df if df is not None else pd.DataFrame()


def _log_entries(log: pd.DataFrame) -> list[tuple]:
    rows = []
    for r in log.itertuples(index=False):
        kind = str(r.kind)
        text = str(r.text).strip()
        subject = str(r.subject or "").strip()
        if (
            kind not in ("forum_founded", "forum_lapsed")
            and subject
            and subject not in text
            and _reads(subject)
        ):
            text = f"{cap(subject)}: {text}"
        if text and text[-1] not in ".!?":
            text += "."
        order = _ORDER.get(kind, _ORDER["event"])
        rows.append((str(r.date), int(r.step), kind, order, text))
    return rows


def _records_by_meeting(df: pd.DataFrame) -> dict[object, list[dict]]:
    """Rows as plain dicts, grouped by meeting: sentences are built from a few at a time."""
    out: dict[object, list[dict]] = {}
    if df.empty or "meeting_id" not in df:
        return out
    if "level" in df:
        df = df.assign(level=df["level"].astype(str))
    for r in df.to_dict("records"):
        out.setdefault(r["meeting_id"], []).append(r)
    return out


# --------------------------------------------------------------------------- markdown
def chronicle(
    tables: Mapping[str, pd.DataFrame], title: str, header: Mapping[str, object] | None = None
) -> str:
    """The run as Markdown: a title, a short header, a summary, then year by year.

    Args:
        tables: the run's tables, keyed by name.
        title: the document's title (e.g. "Chronicle: baseline_2024, seed 1").
        header: a few facts to print under the title, in order (e.g. scenario, seed,
            version); keys are shown as given, capitalised.

    Returns:
        The Markdown text, ending with a newline.
    """
    lines = [f"# {title}", ""]
    if header:
        facts = " \u00b7 ".join(f"**{cap(str(k))}:** {v}" for k, v in header.items())
        lines += [facts, ""]
    summary = _summary(tables)
    if summary:
        lines += ["## In brief", ""] + [f"- {s}" for s in summary] + [""]
    entries = chronicle_entries(tables)
    if len(entries):
        lines += ["## Quarter by quarter", ""]
        entries = entries.assign(year=entries["date"].str.slice(0, 4))
        for year, in_year in entries.groupby("year", sort=False):
            lines += [f"### {year}", ""]
            for date, in_quarter in in_year.groupby("date", sort=False):
                lines += [f"#### {date}", ""]
                lines += [f"- {t}" for t in in_quarter["text"]] + [""]
    elif not summary:
        lines += ["Nothing happened in this run.", ""]
    return "\n".join(lines).rstrip() + "\n"


def _summary(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """Four or five lines on the whole run, for a reader who reads nothing else."""
    model = _get(tables, "model")
    meetings = _get(tables, "meetings")
    items = _get(tables, "items")
    log = _get(tables, "log")
    out = []
    if len(model):
        first, last = str(model["date"].iloc[0]), str(model["date"].iloc[-1])
        span = first if first == last else f"{first} to {last}"
        n = len(model)
        text = f"{count(n, 'quarter', 'quarters')}, {span}"
        if len(meetings):
            held = int(meetings["met"].astype(bool).sum())
            text += f": {count(len(meetings), 'meeting', 'meetings')} scheduled, {held} held"
        out.append(text + ".")
    if len(items):
        decided = items[items["decided"].astype(bool)]
        adopted = int(decided["adopted"].astype(bool).sum())
        blocked = decided[~decided["adopted"].astype(bool)]
        text = (
            f"{count(len(decided), 'item', 'items')} decided: {adopted} adopted, "
            f"{len(blocked)} failed"
        )
        counts = pd.Series(
            [a for v in blocked["blockers"] for a in listed(v)], dtype=object
        ).value_counts()
        if len(counts):
            top = [f"{display_name(a)} ({int(k)})" for a, k in counts.head(3).items()]
            text += f"; blocked most often by {and_join(top)}"
        out.append(text + ".")
    if len(model) and "leading_platform" in model:
        lead = model["leading_platform"].dropna()
        if len(lead):
            end = str(lead.iloc[-1])
            quarters = int((lead == end).sum())
            share = float(model["leading_platform_share"].iloc[-1])
            out.append(
                f"Leading platform at the end: {end} (share {share:.2f}), the leader "
                f"in {quarters} of {len(model)} quarters."
            )
    if len(model) and "coordination_index" in model:
        ci = model["coordination_index"]
        if ci.notna().any():
            first = f"Coordination index {ci.iloc[0]:.2f} in {model['date'].iloc[0]}"
            if len(model) > 1:
                first += f", {ci.iloc[-1]:.2f} in {model['date'].iloc[-1]}"
            out.append(first + ".")
    if len(log):
        born = log[log["kind"] == "forum_founded"]
        gone = log[log["kind"] == "forum_lapsed"]
        bits = [f"{s} founded in {d}" for s, d in zip(born["subject"], born["date"], strict=True)]
        bits += [f"{s} lapsed in {d}" for s, d in zip(gone["subject"], gone["date"], strict=True)]
        if bits:
            out.append(cap(and_join(bits)) + ".")
    return out


def _reads(subject: str) -> bool:
    """Whether a log subject reads as a name (an actor, a forum), not an identifier.

    Events whose subject is a flashpoint (``taiwan_strait``) or a list of actors and
    groups (``ip4, United States``) say who they are about in their own sentence.
    """
    return "_" not in subject and ", " not in subject and not subject.islower()
