"""The room's debrief: its run beside the same scenario and seed played by the model alone.

A class asks what its choices changed. Averaging the adopted texts alone answers that
badly: a block removes a text from the average, so a room that blocks looks as if it
signed stronger texts. The debrief counts failed texts beside the adopted ones' mean,
names the meetings where a text or an actor's attendance came out otherwise than with
the model alone, and lists every choice the room made.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np

from latticesim.mechanisms.attendance import LEVEL_NAMES
from latticesim.model.interface import PlayedModel
from latticesim.world.names import dimension_words

STRENGTH_TOLERANCE = 0.005
"""Texts closer than this (half a hundredth, what the view shows) count as the same."""


def _texts(model: PlayedModel) -> dict[tuple[str, str, str], tuple[bool, float, tuple[str, ...]]]:
    """(quarter, forum, dimension) -> (adopted, strength, blockers) for every decided item."""
    names, dims = model.actor_names, model.dimensions
    out = {}
    for raw in model.recorder.raw_meetings:
        if not raw.met or not raw.rule.votes:
            continue
        for it, o in zip(raw.items, raw.outcomes, strict=True):
            if it.dimension in raw.competence:
                blockers = () if o.adopted else tuple(names[raw.voters[b]] for b in o.blockers)
                out[(raw.date, raw.forum, dims[it.dimension])] = (o.adopted, o.strength, blockers)
    return out


def _attendance(model: PlayedModel) -> dict[tuple[str, str], dict[str, str]]:
    """(quarter, forum) -> actor -> level, for every meeting called."""
    names = model.actor_names
    return {
        (raw.date, raw.forum): {
            names[a]: LEVEL_NAMES[int(level)]
            for a, level in zip(raw.invitees, raw.levels, strict=True)
        }
        for raw in model.recorder.raw_meetings
    }


def _summary(model: PlayedModel, texts: dict) -> dict[str, Any]:
    adopted: dict[str, list[float]] = {}
    failed: dict[str, int] = {}
    for (_date, forum, _dim), (ok, strength, _blockers) in texts.items():
        if ok:
            adopted.setdefault(forum, []).append(strength)
        else:
            failed[forum] = failed.get(forum, 0) + 1
    last = model.recorder.model_rows[-1] if model.recorder.model_rows else {}
    return {
        "adopted": {f: len(v) for f, v in adopted.items()},
        "failed": failed,
        "strength": {f: float(np.mean(v)) for f, v in adopted.items()},
        "leading_platform": last.get("leading_platform", ""),
        "coordination_index": last.get("coordination_index", float("nan")),
    }


def _said(outcome: tuple[bool, float, tuple[str, ...]] | None) -> str:
    if outcome is None:
        return "not put"
    ok, strength, blockers = outcome
    if ok:
        return f"adopted at {strength:.2f}"
    return f"failed (blocked by {', '.join(blockers)})" if blockers else "failed"


def _text_changes(room: dict, alone: dict) -> list[str]:
    out = []
    for key in sorted(set(room) | set(alone)):
        a, b = room.get(key), alone.get(key)
        if a is not None and b is not None and a[0] == b[0]:
            same = abs(a[1] - b[1]) < STRENGTH_TOLERANCE if a[0] else a[2] == b[2]
            if same:
                continue
        date, forum, dim = key
        out.append(
            f"{date} {forum}, the text on {dimension_words(dim)}: room {_said(a)}; "
            f"model alone {_said(b)}"
        )
    return out


def _attendance_changes(room: dict, alone: dict) -> list[str]:
    out = []
    for key in sorted(set(room) | set(alone)):
        a, b = room.get(key, {}), alone.get(key, {})
        moved = [
            f"{actor} {a.get(actor, 'not invited')} (alone: {b.get(actor, 'not invited')})"
            for actor in sorted(set(a) | set(b))
            if a.get(actor) != b.get(actor)
        ]
        if moved:
            out.append(f"{key[0]} {key[1]}: " + "; ".join(moved))
    return out


def debrief(room_model: PlayedModel, alone: PlayedModel) -> dict[str, Any]:
    """Compare the room's run with the same scenario and seed played by the model alone.

    Both models must have run the same number of quarters. Returns, for each run, per
    forum the texts adopted and failed and the adopted texts' mean strength, the leading
    platform and coordination index at the end; the texts and the attendance that came
    out otherwise in the room; and every choice the room's players made.
    """
    room_texts, alone_texts = _texts(room_model), _texts(alone)
    return {
        "room": _summary(room_model, room_texts),
        "alone": _summary(alone, alone_texts),
        "quarters": len(room_model.recorder.model_rows),
        "changed_texts": _text_changes(room_texts, alone_texts),
        "changed_attendance": _attendance_changes(_attendance(room_model), _attendance(alone)),
        "played": [e for e in room_model.recorder.entries if e[2] == "played"],
    }


def _number(x: float, digits: int) -> str:
    return "&ndash;" if x is None or math.isnan(x) else f"{x:.{digits}f}"


def _cell(run: dict, forum: str) -> str:
    n, failed = run["adopted"].get(forum, 0), run["failed"].get(forum, 0)
    mean = _number(run["strength"].get(forum, float("nan")), 2)
    return f"<td>{n}</td><td>{mean}</td><td class='failed'>{failed}</td>"


def _items(lines: list[str], css: str, empty: str) -> str:
    if not lines:
        return f"<p class='{css}'><i>{empty}</i></p>"
    rows = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return f"<ul class='{css}' style='max-height:14em;overflow-y:auto'>{rows}</ul>"


def debrief_html(result: dict[str, Any] | None) -> str:
    """The debrief as the room panel shows it (None or no quarter yet: nothing played)."""
    if result is None or result["quarters"] == 0:
        return (
            "<div class='debrief-view'><p class='debrief-empty'><i>Nothing played yet: step "
            "the model, then compare the room's run with the model alone.</i></p></div>"
        )
    room, alone = result["room"], result["alone"]
    forums = sorted(
        {f for run in (room, alone) for part in ("adopted", "failed") for f in run[part]}
    )
    rows = "".join(
        f"<tr><td>{html.escape(f)}</td>{_cell(room, f)}{_cell(alone, f)}</tr>" for f in forums
    )
    played = [f"{e[0]}: {e[4]}" for e in result["played"]]
    return (
        f"<div class='debrief-view'><b>Debrief after {result['quarters']} quarters</b>"
        "<table><tr><th></th><th colspan='3'>the room</th><th colspan='3'>model alone</th></tr>"
        "<tr><th>forum</th><th>adopted</th><th>mean strength</th><th>failed</th>"
        "<th>adopted</th><th>mean strength</th><th>failed</th></tr>"
        f"{rows}</table>"
        "<p><small>Mean strength is over the adopted texts; a failed text (blocked, or "
        "voted down) is counted apart, not averaged in.</small></p>"
        f"<p>Leading platform: room <b>{html.escape(room['leading_platform'] or '-')}</b>, "
        f"model alone <b>{html.escape(alone['leading_platform'] or '-')}</b>. Coordination "
        f"index: room {_number(room['coordination_index'], 3)}, model alone "
        f"{_number(alone['coordination_index'], 3)}.</p>"
        "<b>Texts that came out otherwise in the room</b>"
        + _items(result["changed_texts"], "changed-texts", "none: every text as alone")
        + "<b>Attendance that came out otherwise</b>"
        + _items(result["changed_attendance"], "changed-attendance", "none")
        + f"<b>The room's choices ({len(played)})</b>"
        + _items(played, "room-choices", "no played choice yet")
        + "</div>"
    )
