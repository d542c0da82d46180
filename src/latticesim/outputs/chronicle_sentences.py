"""The chronicle's sentences about meetings: what was adopted, what failed, who came.

Each function turns one meeting's rows of the run's tables (the meeting, its agenda
items, its invitees, as plain dicts) into the sentence the chronicle prints for it.
"""

from __future__ import annotations

from latticesim.common.text import and_join, cap
from latticesim.outputs.chronicle_words import (
    attendance,
    listed,
    meeting_name,
    topic,
)
from latticesim.world.names import IP4, dimension_words, display_name, join_names, the_forum

__all__ = [
    "REPEAT_TOLERANCE",
    "ip4_sentence",
    "is_routine",
    "meeting_sentence",
    "no_meeting",
    "outcome",
    "repeat_sentence",
    "routine_part",
    "same",
]

REPEAT_TOLERANCE = 0.03

"""Texts within this strength of the last meeting's (and otherwise alike) are a repeat."""


def is_routine(m: dict, its: list[dict]) -> bool:
    """Every text adopted as proposed, nobody objecting, and every leader at a summit."""
    if not its:
        return False
    through = all(bool(r["adopted"]) and bool(r["decided"]) for r in its)
    objections = any(
        listed(r.get(col)) for r in its for col in ("watered_by", "outvoted", "blockers")
    )
    full_house = m["level"] != "summit" or int(m["n_head"]) == int(m["n_invitees"])
    return through and not objections and full_house


def routine_part(m: dict, its: list[dict], chair: str | None) -> str:
    """A routine meeting's part of the quarter's one line: its name, chair and texts."""
    texts = [f"{dimension_words(r['dimension'])} {r['strength']:.2f}" for r in its]
    by = f", chaired by {display_name(chair)}" if chair else ""
    return f"{meeting_name(str(m['forum']), str(m['level']))}{by} ({', '.join(texts)})"


def meeting_sentence(
    m: dict, its: list[dict], first: bool, chair: str | None, seen_blocks: set[tuple]
) -> str:
    """One meeting: who came, what was adopted and how, what failed and who blocked it.

    The chair is named when it changes (the first meeting, a rotation, a stand-in),
    not every time the same convener takes the chair.
    """
    forum, level = str(m["forum"]), str(m["level"])
    head = meeting_name(forum, level, _session_of(m))
    if first:
        head += f", the first meeting of {the_forum(forum)}"
    who = [f"chaired by {display_name(chair)}"] if chair else []
    if attendance(m):
        who.append(attendance(m))
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
        parts.append(f" adopted {noun} on {and_join([_adopted_text(r) for r in adopted])}.")
    elif decided:
        parts.append(" no text was adopted.")
    rule = str(m.get("rule", ""))
    by_blockers: dict[tuple[str, ...], list[dict]] = {}
    for r in failed:
        by_blockers.setdefault(tuple(listed(r.get("blockers"))), []).append(r)
    for blockers, group in by_blockers.items():
        topics = and_join([topic(r, f"{blocked_at(r):.2f}") for r in group])
        noun = "proposal" if len(group) == 1 else "proposals"
        if not blockers:
            parts.append(f" No agreement on {topics}.")
        elif rule == "weighted_majority":
            parts.append(
                f" The {noun} on {topics} fell short of the majority, opposed by "
                f"{join_names(blockers)}."
            )
        else:
            key = (forum, tuple(sorted(r["dimension"] for r in group)), blockers)
            again = " again" if key in seen_blocks else ""
            seen_blocks.add(key)
            parts.append(f" {cap(join_names(blockers))}{again} blocked the {noun} on {topics}.")
    if stated:
        topics = and_join([topic(r, f"{r['strength']:.2f}") for r in stated])
        if not decided:
            parts.append(f" the chair's statement covered {topics}.")
        elif rule == "chair_statement":
            parts.append(f" The chair's statement covered {topics}.")
        else:
            parts.append(f" A chair's statement covered {topics}, outside its remit.")
    return sentence + "".join(parts)


def outcome(its: list[dict]) -> dict[str, tuple]:
    """What a meeting did on each item, to tell a repeat from news."""
    return {
        str(r["dimension"]): (
            bool(r["adopted"]),
            r.get("item"),
            tuple(listed(r.get("blockers"))),
            tuple(listed(r.get("watered_by"))),
            tuple(listed(r.get("outvoted"))),
            float(r["strength"] if r["adopted"] else blocked_at(r)),
        )
        for r in its
    }


def same(a: dict[str, tuple], b: dict[str, tuple], tol: float = REPEAT_TOLERANCE) -> bool:
    """Whether two meetings' outcomes (see :func:`outcome`) tell the same story."""
    if a.keys() != b.keys():
        return False
    for k, x in a.items():
        y = b[k]
        if x[:5] != y[:5] or not abs(x[5] - y[5]) <= tol:
            return False
    return True


def repeat_sentence(m: dict, its: list[dict], before: str) -> str:
    """A meeting that went as the last one did, in a line: news is what changed."""
    head = meeting_name(str(m["forum"]), str(m["level"]), _session_of(m))
    att = attendance(m)
    sentence = f"{head} ({att}): as in {before}" if att else f"{head}: as in {before}"
    adopted = [r for r in its if bool(r["adopted"])]
    failed = [r for r in its if not bool(r["adopted"])]
    bits = []
    if adopted:
        noun = "a text" if len(adopted) == 1 else "texts"
        text = f"{noun} on {and_join([dimension_words(r['dimension']) for r in adopted])} adopted"
        notes = []
        for r in adopted:
            watered, outvoted = listed(r.get("watered_by")), listed(r.get("outvoted"))
            if watered:
                notes.append(
                    f"{dimension_words(r['dimension'])} watered down for {join_names(watered)}"
                )
            if outvoted:
                notes.append(
                    f"{join_names(outvoted)} outvoted on {dimension_words(r['dimension'])}"
                )
        bits.append(text + (f" ({'; '.join(notes)})" if notes else ""))
    for r in failed:
        blockers = listed(r.get("blockers"))
        what = f"{dimension_words(r['dimension'])} ({blocked_at(r):.2f})"
        if blockers:
            bits.append(f"{join_names(blockers)} again blocked {what}")
        else:
            bits.append(f"again no agreement on {what}")
    return sentence + (", " + "; ".join(bits) if bits else "") + "."


def _session_of(m: dict) -> str | None:
    """The forum whose meeting this one is a session of (None for most meetings)."""
    value = m.get("session_of")
    return value if isinstance(value, str) and value else None


def blocked_at(r: dict) -> float:
    """The draft a failed item last put to the room (its first draft in older tables)."""
    final = r.get("final")
    return float(r["proposal"] if final is None or final != final else final)


def _adopted_text(r: dict) -> str:
    notes = [f"{r['strength']:.2f}"]
    final = r.get("final")
    if final is not None and final == final and float(final) > float(r["strength"]) + 1e-9:
        notes.append(f"named no further than the forum's practice, though {final:.2f} was agreed")
    watered = listed(r.get("watered_by"))
    if watered:
        notes.append(f"watered down after {join_names(watered)} objected")
    outvoted = listed(r.get("outvoted"))
    if len(outvoted) == 1:
        notes.append(f"over {display_name(outvoted[0])}'s objection")
    elif outvoted:
        notes.append(f"over the objections of {join_names(outvoted)}")
    return topic(r, *notes)


def no_meeting(m: dict, invitees: list[dict]) -> str:
    """A meeting that did not take place, and why: too few members came."""
    what = f"The {meeting_name(str(m['forum']), str(m['level']))} did not take place"
    members = [r for r in invitees if r.get("role") == "member"]
    if members:
        came = sum(r["level"] != "absent" for r in members)
        return f"{what}: only {came} of {len(members)} members came, too few for a quorum."
    return f"{what}: too few members attended."


def ip4_sentence(m: dict, invitees: list[dict]) -> str | None:
    """The IP4's attendance where they are invited together alongside others."""
    levels = {r["actor"]: r["level"] for r in invitees if r["actor"] in IP4}
    if len(levels) < 3 or len(levels) == len(invitees):
        return None
    by_level: dict[str, list[str]] = {}
    for actor in IP4:
        if actor in levels:
            by_level.setdefault(levels[actor], []).append(actor)
    where = f"IP4 at the {meeting_name(str(m['forum']), str(m['level']))}: "
    if set(by_level) == {"head"}:
        return where + f"all {len(levels)} leaders came ({join_names(by_level['head'])})."
    parts = []
    if "head" in by_level:
        parts.append(f"{join_names(by_level['head'])} at head-of-government level")
    for level, one, many in (
        ("minister", "a minister", "ministers"),
        ("official", "an official", "officials"),
    ):
        if level in by_level:
            who = by_level[level]
            parts.append(f"{join_names(who)} sent {one if len(who) == 1 else many}")
    if "absent" in by_level:
        parts.append(f"{join_names(by_level['absent'])} stayed away")
    return where + "; ".join(parts) + "."
