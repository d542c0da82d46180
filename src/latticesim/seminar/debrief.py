"""The room's debrief: its run beside the same scenario and seed played by the model alone.

A class asks what its choices changed. Averaging the adopted texts alone answers that
badly: a block removes a text from the average, so a room that blocks looks as if it
signed stronger texts. The debrief counts failed texts beside the adopted ones' mean,
names the meetings where a text or an actor's attendance came out otherwise than with
the model alone and the forums whose standing the room moved, draws each changed
outcome beside the model alone (:mod:`~latticesim.seminar.debrief_figures`), and lists
every choice the room made. Both runs draw the same random numbers (the same scenario
and seed), so a difference is the room's doing, not chance.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np

from latticesim.mechanisms.attendance import LEVEL_NAMES
from latticesim.model.delegations import VOTE_WORDS
from latticesim.model.interface import PlayedModel
from latticesim.seminar.debrief_figures import outcome_figures, standing_changes
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


def _changed_text_keys(room: dict, alone: dict) -> list[tuple[str, str, str]]:
    out = []
    for key in sorted(set(room) | set(alone)):
        a, b = room.get(key), alone.get(key)
        if a is not None and b is not None and a[0] == b[0]:
            same = abs(a[1] - b[1]) < STRENGTH_TOLERANCE if a[0] else a[2] == b[2]
            if same:
                continue
        out.append(key)
    return out


def _text_changes(room: dict, alone: dict, keys: list[tuple[str, str, str]]) -> list[str]:
    return [
        f"{date} {forum}, the text on {dimension_words(dim)}: room {_said(room.get(key))}; "
        f"model alone {_said(alone.get(key))}"
        for key in keys
        for date, forum, dim in [key]
    ]


def _attendance_changes(room: dict, alone: dict) -> list[tuple[str, str]]:
    """(forum, sentence) for each meeting where someone came at another level."""
    out = []
    for key in sorted(set(room) | set(alone)):
        a, b = room.get(key, {}), alone.get(key, {})
        moved = [
            f"{actor} {a.get(actor, 'not invited')} (alone: {b.get(actor, 'not invited')})"
            for actor in sorted(set(a) | set(b))
            if a.get(actor) != b.get(actor)
        ]
        if moved:
            out.append((key[1], f"{key[0]} {key[1]}: " + "; ".join(moved)))
    return out


def debrief(room_model: PlayedModel, alone: PlayedModel) -> dict[str, Any]:
    """Compare the room's run with the same scenario and seed played by the model alone.

    Both models must have run the same number of quarters. Returns, for each run, per
    forum the texts adopted and failed and the adopted texts' mean strength, the leading
    platform and coordination index at the end; the texts and the attendance that came
    out otherwise in the room; and every choice the room's players made.
    """
    room_texts, alone_texts = _texts(room_model), _texts(alone)
    keys = _changed_text_keys(room_texts, alone_texts)
    attendance = _attendance_changes(_attendance(room_model), _attendance(alone))
    standing = standing_changes(room_model, alone)
    return {
        "room": _summary(room_model, room_texts),
        "alone": _summary(alone, alone_texts),
        "quarters": len(room_model.recorder.model_rows),
        "changed_texts": _text_changes(room_texts, alone_texts, keys),
        "changed_attendance": [line for _forum, line in attendance],
        "changed_standing": [line for _forum, line in standing],
        "played": [e for e in room_model.recorder.entries if e[2] == "played"],
        "blocks": sum(
            e[4].count(VOTE_WORDS["block"]) for e in room_model.recorder.entries if e[2] == "played"
        ),
        "changed_outcomes": (
            list(dict.fromkeys((forum, dim) for _date, forum, dim in keys)),
            list(dict.fromkeys(forum for forum, _line in attendance)),
        ),
    }


def debrief_with_figures(room_model: PlayedModel, alone: PlayedModel) -> dict[str, Any]:
    """:func:`debrief`, with a figure per changed outcome (title, SVG) under ``figures``."""
    result = debrief(room_model, alone)
    texts, attendance = result["changed_outcomes"]
    result["figures"] = outcome_figures(room_model, alone, texts, attendance)
    return result


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
        f"<p class='debrief-blocks'>The room's players blocked {result['blocks']} "
        f"text{'s' if result['blocks'] != 1 else ''}; texts that failed: "
        f"{sum(room['failed'].values())} in the room, {sum(alone['failed'].values())} with "
        "the model alone.</p>"
        "<b>Texts that came out otherwise in the room</b>"
        + _items(result["changed_texts"], "changed-texts", "none: every text as alone")
        + "<b>Attendance that came out otherwise</b>"
        + _items(result["changed_attendance"], "changed-attendance", "none")
        + "<b>Standing that came out otherwise</b>"
        + _items(result["changed_standing"], "changed-standing", "none")
        + _figures(result.get("figures", []))
        + f"<b>The room's choices ({len(played)})</b>"
        + _items(played, "room-choices", "no played choice yet")
        + "</div>"
    )


def _figures(figures: list[tuple[str, bytes]]) -> str:
    """Each changed outcome's figure, the room solid and the model alone dashed."""
    if not figures:
        return ""
    cells = "".join(
        f"<figure class='debrief-figure' title='{html.escape(title)}' "
        "style='margin:0;flex:1 1 340px;max-width:480px'>"
        f"{svg[svg.index(b'<svg') :].decode('utf-8')}</figure>"
        for title, svg in figures
    )
    return (
        f"<b>What changed, beside the model alone ({len(figures)} "
        f"figure{'s' if len(figures) != 1 else ''}; the room solid, alone dashed)</b>"
        f"<div class='debrief-figures' style='display:flex;flex-wrap:wrap;gap:8px'>{cells}</div>"
    )
