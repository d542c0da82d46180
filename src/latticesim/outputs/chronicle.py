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
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from latticesim.world.names import display_name

__all__ = ["IP4", "Chronicler", "chronicle", "chronicle_entries"]

IP4 = ("Australia", "Japan", "New Zealand", "South Korea")
"""NATO's Indo-Pacific partners, whose attendance the chronicle follows."""

# Words for a dimension in a sentence ("adopted texts on ...").
_DIMENSION_WORDS = {
    "china_stance": "China",
    "global_reach": "NATO's global reach",
    "ukraine_support": "support for Ukraine",
    "autonomy": "European strategic autonomy",
    "economic_security": "economic security",
}

_NO_ARTICLE_FORUMS = {"NATO", "NATO+IP4", "AUKUS"}
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

REPEAT_TOLERANCE = 0.03
"""Texts within this strength of the last meeting's (and otherwise alike) are a repeat."""


# ------------------------------------------------------------------------------ words
def _name(actor: str) -> str:
    return display_name(actor)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _join(words: Sequence[str]) -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _names(value: object) -> list[str]:
    """A list column's cell as a list (Parquet returns arrays, fresh tables lists)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, float) and math.isnan(value):
        return []
    return [str(v) for v in value]


def _people(actors: Iterable[str]) -> str:
    return _join([_name(a) for a in actors])


def _the_forum(forum: str) -> str:
    return forum if forum in _NO_ARTICLE_FORUMS else f"the {forum}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _words(dim: object) -> str:
    return _DIMENSION_WORDS.get(str(dim), str(dim).replace("_", " "))


def _topic(item: Mapping, *notes: str) -> str:
    """An item in words, then its numbers and notes in parentheses.

    A named item ("institutionalising the IP4 partnership") reads best after the words
    of its dimension: "NATO's global reach (institutionalising the IP4 partnership, 0.77)".
    """
    words = _words(item["dimension"])
    inside = list(notes)
    name = item.get("item")
    if bool(item.get("named", False)) and isinstance(name, str) and name:
        inside.insert(0, name)
    elif isinstance(name, str) and name:
        words = name
    return f"{words} ({', '.join(inside)})" if inside else words


def _meeting_name(forum: str, level: str) -> str:
    return f"{forum} {'officials\u2019 meeting' if level == 'officials' else level}"


def _attendance(m: Mapping) -> str:
    parts = []
    for col, one, many in (
        ("n_head", "head of government", "heads of government"),
        ("n_minister", "minister", "ministers"),
        ("n_official", "official", "officials"),
    ):
        n = int(m.get(col, 0) or 0)
        if n:
            parts.append(_count(n, one, many))
    absent = int(m.get("n_absent", 0) or 0)
    if absent:
        parts.append(f"{absent} absent")
    return ", ".join(parts)


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
        meetings = meetings.assign(
            _rank=meetings["level"].map(_LEVEL_RANK).fillna(3),
            _size=-meetings["n_invitees"].fillna(0),
        ).sort_values(["step", "_rank", "_size", "forum"], kind="stable")
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
                rows.append((*here, "no_meeting", _ORDER["no_meeting"], _no_meeting(m, invitees)))
                continue
            chair = m.get("chair") if isinstance(m.get("chair"), str) else None
            new_chair = chair is not None and last_chair.get(forum) != chair
            if chair is not None:
                last_chair[forum] = chair
            outcome = _outcome(its)
            before = last_outcome.get((forum, m["level"]))
            last_outcome[(forum, m["level"])] = (outcome, here[0])
            if not introduce and _is_routine(m, its):
                routine.append(_routine_part(m, its, chair if new_chair else None))
            elif before is not None and not new_chair and _same(before[0], outcome):
                text = _repeat_sentence(m, its, before[1])
                rows.append((*here, "meeting", _ORDER["meeting"], text))
            else:
                text = _meeting_sentence(m, its, first, chair if new_chair else None, seen_blocks)
                rows.append((*here, "meeting", _ORDER["meeting"], text))
            ip4 = _ip4_sentence(m, invitees)
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
        if kind not in ("forum_founded", "forum_lapsed") and subject and subject not in text:
            text = f"{_cap(subject)}: {text}"
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


def _is_routine(m: dict, its: list[dict]) -> bool:
    """Every text adopted as proposed, nobody objecting, and every leader at a summit."""
    if not its:
        return False
    through = all(bool(r["adopted"]) and bool(r["decided"]) for r in its)
    objections = any(
        _names(r.get(col)) for r in its for col in ("watered_by", "outvoted", "blockers")
    )
    full_house = m["level"] != "summit" or int(m["n_head"]) == int(m["n_invitees"])
    return through and not objections and full_house


def _routine_part(m: dict, its: list[dict], chair: str | None) -> str:
    texts = [f"{_words(r['dimension'])} {r['strength']:.2f}" for r in its]
    by = f", chaired by {_name(chair)}" if chair else ""
    return f"{_meeting_name(str(m['forum']), str(m['level']))}{by} ({', '.join(texts)})"


def _meeting_sentence(
    m: dict, its: list[dict], first: bool, chair: str | None, seen_blocks: set[tuple]
) -> str:
    """One meeting: who came, what was adopted and how, what failed and who blocked it.

    The chair is named when it changes (the first meeting, a rotation, a stand-in),
    not every time the same convener takes the chair.
    """
    forum, level = str(m["forum"]), str(m["level"])
    head = _meeting_name(forum, level)
    if first:
        head += f", the first meeting of {_the_forum(forum)}"
    who = [f"chaired by {_name(chair)}"] if chair else []
    if _attendance(m):
        who.append(_attendance(m))
    sentence = f"{head} ({'; '.join(who)}):" if who else f"{head}:"
    if not its:
        return f"{sentence} nothing was on the agenda."
    decided = [r for r in its if bool(r["decided"])]
    stated = [r for r in its if not bool(r["decided"]) and bool(r["adopted"])]
    adopted = [r for r in decided if bool(r["adopted"])]
    failed = [r for r in decided if not bool(r["adopted"])]
    parts = []
    if adopted:
        noun = "a text" if len(adopted) == 1 else "texts"
        parts.append(f" adopted {noun} on {_join([_adopted_text(r) for r in adopted])}.")
    elif decided:
        parts.append(" no text was adopted.")
    rule = str(m.get("rule", ""))
    by_blockers: dict[tuple[str, ...], list[dict]] = {}
    for r in failed:
        by_blockers.setdefault(tuple(_names(r.get("blockers"))), []).append(r)
    for blockers, group in by_blockers.items():
        topics = _join([_topic(r, f"{r['proposal']:.2f}") for r in group])
        noun = "proposal" if len(group) == 1 else "proposals"
        if not blockers:
            parts.append(f" No agreement on {topics}.")
        elif rule == "weighted_majority":
            parts.append(
                f" The {noun} on {topics} fell short of the majority, opposed by "
                f"{_people(blockers)}."
            )
        else:
            key = (forum, tuple(sorted(r["dimension"] for r in group)), blockers)
            again = " again" if key in seen_blocks else ""
            seen_blocks.add(key)
            parts.append(f" {_cap(_people(blockers))}{again} blocked the {noun} on {topics}.")
    if stated:
        topics = _join([_topic(r, f"{r['strength']:.2f}") for r in stated])
        if rule == "chair_statement":
            parts.append(f" The chair's statement covered {topics}.")
        else:
            parts.append(f" A chair's statement covered {topics}, outside its competence.")
    return sentence + "".join(parts)


def _outcome(its: list[dict]) -> dict[str, tuple]:
    """What a meeting did on each item, to tell a repeat from news."""
    return {
        str(r["dimension"]): (
            bool(r["adopted"]),
            r.get("item"),
            tuple(_names(r.get("blockers"))),
            tuple(_names(r.get("watered_by"))),
            tuple(_names(r.get("outvoted"))),
            float(r["strength"] if r["adopted"] else r["proposal"]),
        )
        for r in its
    }


def _same(a: dict[str, tuple], b: dict[str, tuple], tol: float = REPEAT_TOLERANCE) -> bool:
    if a.keys() != b.keys():
        return False
    for k, x in a.items():
        y = b[k]
        if x[:5] != y[:5] or not abs(x[5] - y[5]) <= tol:
            return False
    return True


def _repeat_sentence(m: dict, its: list[dict], before: str) -> str:
    """A meeting that went as the last one did, in a line: news is what changed."""
    head = _meeting_name(str(m["forum"]), str(m["level"]))
    att = _attendance(m)
    sentence = f"{head} ({att}): as in {before}" if att else f"{head}: as in {before}"
    adopted = [r for r in its if bool(r["adopted"])]
    failed = [r for r in its if not bool(r["adopted"])]
    bits = []
    if adopted:
        noun = "a text" if len(adopted) == 1 else "texts"
        text = f"{noun} on {_join([_words(r['dimension']) for r in adopted])} adopted"
        notes = []
        for r in adopted:
            watered, outvoted = _names(r.get("watered_by")), _names(r.get("outvoted"))
            if watered:
                notes.append(f"{_words(r['dimension'])} watered down for {_people(watered)}")
            if outvoted:
                notes.append(f"{_people(outvoted)} outvoted on {_words(r['dimension'])}")
        bits.append(text + (f" ({'; '.join(notes)})" if notes else ""))
    for r in failed:
        blockers = _names(r.get("blockers"))
        what = f"{_words(r['dimension'])} ({r['proposal']:.2f})"
        if blockers:
            bits.append(f"{_people(blockers)} again blocked {what}")
        else:
            bits.append(f"again no agreement on {what}")
    return sentence + (", " + "; ".join(bits) if bits else "") + "."


def _adopted_text(r: dict) -> str:
    notes = [f"{r['strength']:.2f}"]
    watered = _names(r.get("watered_by"))
    if watered:
        notes.append(f"watered down after {_people(watered)} objected")
    outvoted = _names(r.get("outvoted"))
    if len(outvoted) == 1:
        notes.append(f"over {_name(outvoted[0])}'s objection")
    elif outvoted:
        notes.append(f"over the objections of {_people(outvoted)}")
    return _topic(r, *notes)


def _no_meeting(m: dict, invitees: list[dict]) -> str:
    what = f"The {_meeting_name(str(m['forum']), str(m['level']))} did not take place"
    members = [r for r in invitees if r.get("role") == "member"]
    if members:
        came = sum(r["level"] != "absent" for r in members)
        return f"{what}: only {came} of {len(members)} members came, too few for a quorum."
    return f"{what}: too few members attended."


def _ip4_sentence(m: dict, invitees: list[dict]) -> str | None:
    """The IP4's attendance where they are invited together alongside others."""
    levels = {r["actor"]: r["level"] for r in invitees if r["actor"] in IP4}
    if len(levels) < 3 or len(levels) == len(invitees):
        return None
    by_level: dict[str, list[str]] = {}
    for actor in IP4:
        if actor in levels:
            by_level.setdefault(levels[actor], []).append(actor)
    where = f"IP4 at the {_meeting_name(str(m['forum']), str(m['level']))}: "
    if set(by_level) == {"head"}:
        return where + f"all {len(levels)} leaders came ({_people(by_level['head'])})."
    parts = []
    if "head" in by_level:
        parts.append(f"{_people(by_level['head'])} at head-of-government level")
    for level, one, many in (
        ("minister", "a minister", "ministers"),
        ("official", "an official", "officials"),
    ):
        if level in by_level:
            who = by_level[level]
            parts.append(f"{_people(who)} sent {one if len(who) == 1 else many}")
    if "absent" in by_level:
        parts.append(f"{_people(by_level['absent'])} stayed away")
    return where + "; ".join(parts) + "."


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
        facts = " \u00b7 ".join(f"**{_cap(str(k))}:** {v}" for k, v in header.items())
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
        text = f"{_count(n, 'quarter', 'quarters')}, {span}"
        if len(meetings):
            held = int(meetings["met"].astype(bool).sum())
            text += f": {_count(len(meetings), 'meeting', 'meetings')} scheduled, {held} held"
        out.append(text + ".")
    if len(items):
        decided = items[items["decided"].astype(bool)]
        adopted = int(decided["adopted"].astype(bool).sum())
        blocked = decided[~decided["adopted"].astype(bool)]
        text = (
            f"{_count(len(decided), 'item', 'items')} decided: {adopted} adopted, "
            f"{len(blocked)} failed"
        )
        counts = pd.Series(
            [a for v in blocked["blockers"] for a in _names(v)], dtype=object
        ).value_counts()
        if len(counts):
            top = [f"{_name(a)} ({int(k)})" for a, k in counts.head(3).items()]
            text += f"; blocked most often by {_join(top)}"
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
            out.append(_cap(_join(bits)) + ".")
    return out
