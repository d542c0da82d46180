"""Role-play: people in a seminar room decide for some actors, the model for the rest.

A played actor's player chooses, for each meeting its actor is invited to, the level it
attends at and, on each item the forum votes on, one of three votes (as delegations do
in Model NATO):

- ``accept``: the actor accepts whatever text is put to the room;
- ``block``: it objects to every draft (under consensus the item fails unless it is
  absent; under weighted majority it votes against);
- ``weaker``: it asks for a weaker text. Under consensus the draft first moves toward
  the actor's position by the scenario's ``watering`` share, and the actor then accepts
  it; the outcome names it among those who watered the text down. A weighted majority
  has no drafts to amend, so there a call for a weaker text is a vote against.

Whatever a player leaves open (the level, an item, a whole meeting) the model decides as
it would for any actor. The functions here are small and pure so the rules of play can
be tested on their own; :mod:`latticesim.seminar.rooms` keeps the room, the model's
meetings apply the choices (levels in :mod:`latticesim.model.meetings`, votes in
:mod:`latticesim.model.decisions`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from latticesim.mechanisms.attendance import LEVEL_NAMES, MEETING_MAX_LEVEL
from latticesim.world.names import dimension_words

if TYPE_CHECKING:  # pragma: no cover
    from latticesim.model.interface import PlayedModel

Vote = Literal["accept", "block", "weaker"]
VOTES: tuple[str, ...] = ("accept", "block", "weaker")
VOTE_WORDS = {
    "accept": "accepted the text on",
    "block": "blocked the text on",
    "weaker": "asked for a weaker text on",
}
BLOCKING_RADIUS = -1.0  # no distance is within it: every draft is objected to


@dataclass
class PlayedChoice:
    """A player's answers for one meeting: attendance level and votes by dimension.

    Attributes:
        level: ``absent``, ``official``, ``minister`` or ``head``; None lets the model
            choose. A level above what the meeting invites is capped at that level.
        votes: dimension name -> vote; dimensions not named are left to the model.
    """

    level: str | None = None
    votes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.level is not None and self.level not in LEVEL_NAMES:
            raise ValueError(f"level {self.level!r} is not one of {', '.join(LEVEL_NAMES)}")
        for dim, vote in self.votes.items():
            if vote not in VOTES:
                raise ValueError(f"vote {vote!r} on {dim} is not one of {', '.join(VOTES)}")


@dataclass(frozen=True)
class MeetingPreview:
    """A meeting a played actor is invited to in the coming quarter, as a player sees it.

    Attributes:
        forum: the forum's name.
        level: ``summit``, ``ministerial`` or ``officials``.
        role: ``member`` (votes) or ``partner`` (attends without a vote).
        max_level: the highest attendance level the meeting invites.
        items: (dimension, decided, last text or None, last text adopted) per item;
            ``decided`` is False for what only the chair speaks to.
        position: the actor's own position on each item's dimension.
    """

    forum: str
    level: str
    role: str
    max_level: str
    items: tuple[tuple[str, bool, float | None, bool], ...]
    position: tuple[float, ...]


def played_level(choice: str | None, model_level: int, max_level: int) -> int:
    """The level code a played actor attends at: its player's, capped, or the model's."""
    if choice is None:
        return int(model_level)
    return min(LEVEL_NAMES.index(choice), max_level)


def played_radius(vote: str | None, radius: float) -> float:
    """The tolerance radius that makes a vote happen inside a decision rule.

    ``accept`` accepts any text (an infinite radius), ``block`` and ``weaker`` object to
    every draft (``weaker`` under consensus is handled by :func:`weaker_proposal` first,
    after which the actor accepts); no vote keeps the model's own radius.
    """
    if vote is None:
        return radius
    if vote == "accept":
        return np.inf
    return BLOCKING_RADIUS


def weaker_proposal(
    proposal: float, positions: np.ndarray, weights: np.ndarray, share: float
) -> float:
    """Move a draft ``share`` of the way toward the asking actors' weighted mean position.

    This is one round of consensus watering-down (:func:`latticesim.mechanisms.rules.consensus`),
    triggered by the players' request instead of by a block.
    """
    positions = np.asarray(positions, dtype=float)
    weights = np.asarray(weights, dtype=float)
    total = float(weights.sum())
    target = float(positions @ weights / total) if total > 0 else float(positions.mean())
    return float(proposal + share * (target - proposal))


def upcoming_meetings(model: PlayedModel, actor: str) -> list[MeetingPreview]:
    """The meetings ``actor`` is invited to in the quarter the model steps into next.

    Scheduled events of that quarter (a new forum, a change of membership) apply when
    the quarter starts, so a meeting they add is answered by the model this once.
    """
    row = model.actor_index[actor]
    quarter = model.start + model.quarters_run
    if quarter > model.horizon:
        return []
    s = model.state
    out = []
    for forum in model.active_forums:
        level = forum.meeting_level(quarter, model.start.year)
        if level is None or row not in forum.invitees:
            continue
        role = "member" if row in forum.members else "partner"
        items = []
        for item in forum.agenda():
            dim = model.dimensions[item.dimension]
            last = forum.last_texts.get(item.dimension)
            items.append(
                (
                    dim,
                    forum.decides(item) and role == "member",
                    None if last is None else float(last[0]),
                    False if last is None else bool(last[1]),
                )
            )
        out.append(
            MeetingPreview(
                forum=forum.name,
                level=level,
                role=role,
                max_level=LEVEL_NAMES[MEETING_MAX_LEVEL[level]],
                items=tuple(items),
                position=tuple(
                    float(s.position[row, d]) for d in (model.dimension_index[i[0]] for i in items)
                ),
            )
        )
    return out


def describe_choice(actor: str, forum: str, meeting: str, level: str, votes: dict[str, str]) -> str:
    """One chronicle sentence for what a player decided at a meeting."""
    where = f"the {forum} {meeting}"
    if level == "absent":
        return f"{actor} (played) stayed away from {where}."
    said = "; ".join(f"{VOTE_WORDS[v]} {dimension_words(d)}" for d, v in sorted(votes.items()))
    head = f"{actor} (played) came to {where} at {level} level"
    return f"{head} and {said}." if said else f"{head}."
