"""Events (ODD 7.11): dated changes a scenario makes to the world.

Each event class of the scenario schema (:data:`~latticesim.scenario.schema.Event`) has
one small handler here, registered under the class with :func:`handles`. A handler
changes the model's *inputs* (attention, resources, threat perceptions, own views,
saliences, memberships, vetoes, agendas) and returns a sentence for the chronicle. None
of them sets an outcome: what forums decide, who comes and what standing they earn must
come out of the mechanisms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel

from latticesim.common.quarters import Quarter
from latticesim.common.text import and_join, cap
from latticesim.model.forums import Item
from latticesim.model.setup import BEHAVIOURS, THEATRE_INDEX
from latticesim.model.state import Spell
from latticesim.scenario.schema import (
    ADVERSARIES,
    CRISIS_DIMENSIONS,
    CRISIS_THEATRES,
    AdversaryChange,
    AgendaItem,
    AttentionShift,
    Commitment,
    Crisis,
    ForumCreated,
    ForumDissolved,
    ForumRemit,
    GovernmentChange,
    Join,
    Leave,
    PositionShock,
    Preoccupation,
    SalienceShock,
    SideMeeting,
    ThreatShock,
    Veto,
)
from latticesim.world.actors import resolve_names
from latticesim.world.names import (
    dimension_words,
    display_name,
    flashpoint_words,
    join_names,
    names_as_written,
    the_forum,
)

if TYPE_CHECKING:
    from latticesim.model.interface import EventModel

Handler = Callable[["EventModel", Any], str]

HANDLERS: dict[type[BaseModel], Handler] = {}
"""The handler of each event class of the scenario schema."""

THEATRE_WORDS = {"euro_atlantic": "the Euro-Atlantic", "indo_pacific": "the Indo-Pacific"}


def handles(event: type[BaseModel]) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of ``event`` (an event class)."""

    def register(handler: Handler) -> Handler:
        HANDLERS[event] = handler
        return handler

    return register


def _rows(model: EventModel, names: list[str]) -> np.ndarray:
    found = resolve_names(names, model.quarter.year)
    return np.array([model.actor_index[n] for n in found], dtype=int)


def _who(names: list[str]) -> str:
    if len(names) <= 3:
        return join_names(names)
    return f"{len(names)} actors ({', '.join(display_name(n) for n in names[:3])}...)"


@handles(AttentionShift)
def attention_shift(model: EventModel, e: AttentionShift) -> str:
    """Move a share of attention (and resources) between theatres."""
    s = model.state
    i = model.actor_index[e.actor]
    src, dst = THEATRE_INDEX[e.from_theatre], THEATRE_INDEX[e.to_theatre]
    moved = min(e.amount, s.attention[i, src])
    s.attention[i, src] -= moved
    s.attention[i, dst] += moved
    res = e.amount if e.resources is None else e.resources
    taken = res * s.resources[i, src]
    s.resources[i, src] -= taken
    s.resources[i, dst] += taken
    return cap(
        f"{display_name(e.actor)} shifted {e.amount:.0%} of its attention and {res:.0%} of "
        f"its resources from {THEATRE_WORDS[e.from_theatre]} to {THEATRE_WORDS[e.to_theatre]}."
    )


@handles(Commitment)
def commitment(model: EventModel, e: Commitment) -> str:
    """Set an actor's commitment to acting through multilateral forums."""
    i = model.actor_index[e.actor]
    old = model.state.commitment[i]
    model.state.commitment[i] = e.value
    verb = "stepped back from" if e.value < old else "recommitted to"
    return cap(
        f"{display_name(e.actor)} {verb} multilateral forums "
        f"(commitment {old:.2f} -> {e.value:.2f})."
    )


@handles(Preoccupation)
def preoccupation(model: EventModel, e: Preoccupation) -> str:
    """Leaders taken up at home: coming to meetings costs more for ``duration`` quarters."""
    rows = _rows(model, e.actors)
    forum = None if e.forum is None else model.forums[e.forum].index
    end = model.quarter + (e.duration - 1)
    model.preoccupations.add(Spell(rows, forum, e.amount, e.fade, model.quarter, end))
    names = [model.actor_names[i] for i in rows]
    one = len(names) == 1
    where = "meetings" if e.forum is None else f"{e.forum} meetings"
    fading = f", fading by {e.fade:.0%} a quarter" if e.fade > 0 else ""
    return cap(
        f"{_who(names)} {'is' if one else 'are'} preoccupied at home: coming to {where} "
        f"costs {'it' if one else 'them'} {1 + e.amount:.3g} times as much as usual until "
        f"{end}{fading}."
    )


def preoccupation_ended(model: EventModel, spell: Spell) -> str:
    """The chronicle's sentence for a preoccupation at home that has run its course."""
    names = [model.actor_names[i] for i in spell.rows]
    verb = "is" if len(names) == 1 else "are"
    return cap(f"{_who(names)} {verb} no longer preoccupied at home.")


def _shock(
    model: EventModel, actors: list[str], column: int, amount: float, *tables: np.ndarray
) -> list[str]:
    """Add ``amount`` to one column of state tables for the actors named, within [0, 1].

    Returns the names of the actors struck (groups resolved), for the chronicle.
    """
    rows = _rows(model, actors)
    for values in tables:
        values[rows, column] = np.clip(values[rows, column] + amount, 0.0, 1.0)
    return [model.actor_names[i] for i in rows]


@handles(ThreatShock)
def threat_shock(model: EventModel, e: ThreatShock) -> str:
    """Jump in perceived threat; it fades back toward what the adversary's behaviour implies."""
    a = ADVERSARIES.index(e.source)
    _shock(model, e.actors, a, e.amount, model.state.threat)
    word = "rose" if e.amount >= 0 else "fell"
    who = names_as_written(e.actors)
    return f"The threat {who} perceive from {e.source} {word} ({e.amount:+.2f})."


def _shocks(model: EventModel, e: SalienceShock | PositionShock, *tables: np.ndarray) -> list[str]:
    """Apply a shock's amount on each of its dimensions, in the order written.

    A shock scoped to a forum changes the views held in that forum only
    (:class:`~latticesim.model.state.ForumViews`), not the tables.
    """
    if e.forum is not None:
        rows = _rows(model, e.actors)
        kind = "salience" if isinstance(e, SalienceShock) else "position"
        forum = model.forums[e.forum].index
        for dim, amount in e.moves().items():
            model.forum_views.shift(kind, forum, rows, model.dimension_index[dim], amount)
        return [model.actor_names[i] for i in rows]
    names: list[str] = []
    for dim, amount in e.moves().items():
        names = _shock(model, e.actors, model.dimension_index[dim], amount, *tables)
    return names


def _in_forum(e: SalienceShock | PositionShock) -> str:
    return f" in {the_forum(e.forum)}" if e.forum else ""


@handles(SalienceShock)
def salience_shock(model: EventModel, e: SalienceShock) -> str:
    """Jump in how much actors care about dimensions (a lasting change of priorities)."""
    names = _shocks(model, e, model.state.base_salience)
    verb = "cares" if len(names) == 1 else "care"
    moves = e.moves()
    more = [dimension_words(d) for d, a in moves.items() if a >= 0]
    less = [dimension_words(d) for d, a in moves.items() if a < 0]
    parts = [f"{w} about {and_join(dims)}" for w, dims in (("more", more), ("less", less)) if dims]
    return cap(f"{names_as_written(e.actors)} now {verb} {' and '.join(parts)}{_in_forum(e)}.")


@handles(PositionShock)
def position_shock(model: EventModel, e: PositionShock) -> str:
    """Move actors' own views on dimensions (their anchors and current positions)."""
    s = model.state
    _shocks(model, e, s.base_anchor, s.position)
    moved = and_join([f"{dimension_words(d)} ({a:+.2f})" for d, a in e.moves().items()])
    return cap(f"{names_as_written(e.actors)} moved on {moved}{_in_forum(e)}.")


@handles(Crisis)
def crisis(model: EventModel, e: Crisis) -> str:
    """A crisis: the adversary of that flashpoint presses harder for ``duration`` quarters."""
    adversary, theatre = CRISIS_THEATRES[e.theatre]
    end = model.quarter + (e.duration - 1)
    model.state.crises.append((ADVERSARIES.index(adversary), e.intensity, end))
    dim = model.dimension_index.get(CRISIS_DIMENSIONS.get(e.theatre, ""))
    if dim is not None:
        model.crises_now.append((e.theatre, theatre, e.intensity, dim))
    return f"Crisis in {flashpoint_words(e.theatre)} (intensity {e.intensity:.2f}, until {end})."


@handles(AdversaryChange)
def adversary(model: EventModel, e: AdversaryChange) -> str:
    """Change an adversary's behaviour (aggression, support, coercion, reaction)."""
    a = ADVERSARIES.index(e.actor)
    row = model.state.base_behaviour[a]
    parts = []
    for k, key in enumerate(BEHAVIOURS):
        value = getattr(e, key)
        if value is not None:
            parts.append(f"{key} {row[k]:.2f} -> {value:.2f}")
            row[k] = value
    return f"{e.actor} changed course: {', '.join(parts)}."


@handles(Join)
def join(model: EventModel, e: Join) -> str:
    """Actors join a forum as members or partners."""
    forum = model.forums[e.forum]
    new = [int(i) for i in _rows(model, e.actors)]
    if e.role == "member":
        forum.set_membership(list(forum.members) + new, list(forum.partners))
    else:
        forum.set_membership(list(forum.members), list(forum.partners) + new)
    s = model.state
    fresh = [i for i in new if s.standing[i, forum.index] == 0.0]
    s.standing[fresh, forum.index] = forum.spec.standing
    names = [model.actor_names[i] for i in new]
    return cap(f"{_who(names)} joined {e.forum} as {e.role}{'s' if len(names) > 1 else ''}.")


@handles(Leave)
def leave(model: EventModel, e: Leave) -> str:
    """Actors leave a forum."""
    forum = model.forums[e.forum]
    out = {int(i) for i in _rows(model, e.actors)}
    forum.set_membership(
        [m for m in forum.members if m not in out], [p for p in forum.partners if p not in out]
    )
    names = [model.actor_names[i] for i in sorted(out)]
    return cap(f"{_who(names)} left {e.forum}.")


@handles(ForumCreated)
def forum_created(model: EventModel, e: ForumCreated) -> str:
    """A forum the scenario creates."""
    forum = model.add_forum(e.name, e.forum, origin="event", when=model.quarter)
    return f"{e.name} was created ({len(forum.members)} members)."


@handles(ForumDissolved)
def forum_dissolved(model: EventModel, e: ForumDissolved) -> str:
    """A forum the scenario dissolves."""
    model.dissolve_forum(model.forums[e.forum], reason=None)
    return f"{e.forum} was dissolved."


@handles(Veto)
def veto(model: EventModel, e: Veto) -> str:
    """An actor declares it will block texts on a dimension beyond a narrow tolerance."""
    forum = None if e.forum is None else model.forums[e.forum].index
    until = None if e.until is None else Quarter.parse(e.until)
    model.vetoes.declare(
        model.actor_index[e.actor], model.dimension_index[e.dimension], e.tolerance, forum, until
    )
    where = "everywhere" if e.forum is None else f"in {e.forum}"
    return cap(
        f"{display_name(e.actor)} declared a veto on {e.dimension.replace('_', ' ')} {where}."
    )


def veto_lifted(model: EventModel, row: int, dim: int) -> str:
    """The chronicle's sentence for a veto lifted when its ``until`` quarter came."""
    return f"{model.actor_names[row]} lifted its veto on {model.dimensions[dim]}."


@handles(GovernmentChange)
def government_change(model: EventModel, e: GovernmentChange) -> str:
    """A new government resets an actor's views and traits."""
    i = model.actor_index[e.actor]
    s = model.state
    for dim, v in e.position.items():
        d = model.dimension_index[dim]
        s.base_anchor[i, d] = v
        s.position[i, d] = v
    for dim, v in e.salience.items():
        s.base_salience[i, model.dimension_index[dim]] = v
    for key, arr in (
        ("stubbornness", s.stubbornness),
        ("tolerance", s.tolerance),
        ("commitment", s.commitment),
    ):
        value = getattr(e, key)
        if value is not None:
            arr[i] = value
    if e.attention is not None:
        for key, v in e.attention.items():
            s.attention[i, THEATRE_INDEX[key]] = v
        s.attention[i] /= max(s.attention[i].sum(), 1e-9)
    return f"A new government in {display_name(e.actor)} reset its positions."


@handles(AgendaItem)
def agenda_item(model: EventModel, e: AgendaItem) -> str:
    """Put a named item on a forum's next meeting."""
    forum = model.forums[e.forum]
    forum.pending.append(Item(e.name, model.dimension_index[e.dimension], e.proposal, True))
    return f"{e.forum} put '{e.name}' on its agenda."


@handles(SideMeeting)
def side_meeting(model: EventModel, e: SideMeeting) -> str:
    """Actors plan to meet on the side of a forum's next meeting: coming is worth more."""
    forum = model.forums[e.forum]
    rows = _rows(model, e.actors)
    model.side_meetings.setdefault(forum.index, []).append((rows, e.value))
    who = names_as_written(e.actors)
    return cap(f"{who} plan to meet on the side of the next {e.forum} meeting.")


@handles(ForumRemit)
def forum_remit(model: EventModel, e: ForumRemit) -> str:
    """What a forum decides and discusses, from now on: lists replaced, dimensions dropped."""
    forum = model.forums[e.forum]
    before = [*forum.spec.competence, *forum.spec.discusses]
    competence = list(forum.spec.competence if e.competence is None else e.competence)
    discusses = list(forum.spec.discusses if e.discusses is None else e.discusses)
    gone = set(e.drop)
    if e.only is not None:
        gone |= {d for d in (*competence, *discusses) if d not in e.only}
    competence = [d for d in competence if d not in gone]
    discusses = [d for d in discusses if d not in gone]
    forum.set_remit(competence, discusses)
    decides = and_join([dimension_words(d) for d in competence]) or "nothing"
    text = f"{e.forum} now decides {decides}"
    talks = [dimension_words(d) for d in discusses if d not in competence]
    if talks:
        text += f" and discusses {and_join(talks)}"
    left = [dimension_words(d) for d in dict.fromkeys(before) if d not in {*competence, *discusses}]
    if left:
        text += f"; it no longer takes up {and_join(left)}"
    return f"{text}."


def subject(event: Any) -> str:
    """Who or what an event is about, for the log's ``subject`` column."""
    for key in ("actor", "forum", "name", "theatre"):
        value = getattr(event, key, None)
        if isinstance(value, str):
            return value
    return ", ".join(getattr(event, "actors", []))


def apply(model: EventModel, event: Any) -> str:
    """Apply one event; returns its sentence for the chronicle."""
    return HANDLERS[type(event)](model, event)
