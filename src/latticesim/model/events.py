"""Events: dated changes a scenario makes to the world, and the founding of forums.

Each event type is one small function that changes the model's *inputs* (attention,
resources, threat perceptions, own views, saliences, memberships, vetoes, agendas) and
returns a sentence for the chronicle. None of them sets an outcome: what forums decide,
who comes and what standing they earn must come out of the mechanisms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from latticesim.common.quarters import Quarter
from latticesim.model.forums import Item
from latticesim.scenario.schema import ADVERSARIES, CRISIS_THEATRES, ForumSpec, MeetingSpec
from latticesim.world.actors import group_members, resolve_names
from latticesim.world.names import display_name, join_names

if TYPE_CHECKING:
    from latticesim.model.forums import Forum
    from latticesim.model.model import LatticeModel

THEATRE = {"euro_atlantic": 0, "indo_pacific": 1}
THEATRE_WORDS = {"euro_atlantic": "the Euro-Atlantic", "indo_pacific": "the Indo-Pacific"}


def _rows(model: LatticeModel, names: list[str]) -> np.ndarray:
    found = resolve_names(names, model.quarter.year)
    return np.array([model.actor_index[n] for n in found], dtype=int)


def _who(names: list[str]) -> str:
    if len(names) <= 3:
        return join_names(names)
    return f"{len(names)} actors ({', '.join(display_name(n) for n in names[:3])}...)"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def attention_shift(model: LatticeModel, e: Any) -> str:
    """Move a share of attention (and resources) between theatres."""
    s = model.state
    i = model.actor_index[e.actor]
    src, dst = THEATRE[e.from_theatre], THEATRE[e.to_theatre]
    moved = min(e.amount, s.attention[i, src])
    s.attention[i, src] -= moved
    s.attention[i, dst] += moved
    res = e.amount if e.resources is None else e.resources
    taken = res * s.resources[i, src]
    s.resources[i, src] -= taken
    s.resources[i, dst] += taken
    return _cap(
        f"{display_name(e.actor)} shifted {e.amount:.0%} of its attention and {res:.0%} of "
        f"its resources from {THEATRE_WORDS[e.from_theatre]} to {THEATRE_WORDS[e.to_theatre]}."
    )


def commitment(model: LatticeModel, e: Any) -> str:
    """Set an actor's commitment to acting through multilateral forums."""
    i = model.actor_index[e.actor]
    old = model.state.commitment[i]
    model.state.commitment[i] = e.value
    verb = "stepped back from" if e.value < old else "recommitted to"
    return _cap(
        f"{display_name(e.actor)} {verb} multilateral forums "
        f"(commitment {old:.2f} -> {e.value:.2f})."
    )


def threat_shock(model: LatticeModel, e: Any) -> str:
    """Jump in perceived threat; it fades back toward what the adversary's behaviour implies."""
    rows = _rows(model, e.actors)
    a = ADVERSARIES.index(e.source)
    s = model.state
    s.threat[rows, a] = np.clip(s.threat[rows, a] + e.amount, 0.0, 1.0)
    names = [model.actor_names[i] for i in rows]
    word = "rose" if e.amount >= 0 else "fell"
    return f"The threat {_who(names)} perceive from {e.source} {word} ({e.amount:+.2f})."


def salience_shock(model: LatticeModel, e: Any) -> str:
    """Jump in how much actors care about a dimension (a lasting change of priorities)."""
    rows = _rows(model, e.actors)
    d = model.dimension_index[e.dimension]
    s = model.state
    s.base_salience[rows, d] = np.clip(s.base_salience[rows, d] + e.amount, 0.0, 1.0)
    names = [model.actor_names[i] for i in rows]
    verb = "cares" if len(names) == 1 else "care"
    more = "more" if e.amount >= 0 else "less"
    return _cap(f"{_who(names)} now {verb} {more} about {e.dimension.replace('_', ' ')}.")


def position_shock(model: LatticeModel, e: Any) -> str:
    """Move actors' own views on a dimension (their anchors and current positions)."""
    rows = _rows(model, e.actors)
    d = model.dimension_index[e.dimension]
    s = model.state
    s.base_anchor[rows, d] = np.clip(s.base_anchor[rows, d] + e.amount, 0.0, 1.0)
    s.position[rows, d] = np.clip(s.position[rows, d] + e.amount, 0.0, 1.0)
    names = [model.actor_names[i] for i in rows]
    return _cap(f"{_who(names)} moved on {e.dimension.replace('_', ' ')} ({e.amount:+.2f}).")


def crisis(model: LatticeModel, e: Any) -> str:
    """A crisis: the adversary of that flashpoint presses harder for ``duration`` quarters."""
    adversary, _ = CRISIS_THEATRES[e.theatre]
    end = model.quarter + (e.duration - 1)
    model.state.crises.append((ADVERSARIES.index(adversary), e.intensity, end))
    words = e.theatre.replace("_", " ")
    return f"Crisis in the {words} (intensity {e.intensity:.2f}, until {end})."


def adversary(model: LatticeModel, e: Any) -> str:
    """Change an adversary's behaviour (aggression, support, coercion, reaction)."""
    a = ADVERSARIES.index(e.actor)
    row = model.state.base_behaviour[a]
    parts = []
    for k, key in enumerate(("aggression", "support", "coercion", "reaction")):
        value = getattr(e, key)
        if value is not None:
            parts.append(f"{key} {row[k]:.2f} -> {value:.2f}")
            row[k] = value
    return f"{e.actor} changed course: {', '.join(parts)}."


def join(model: LatticeModel, e: Any) -> str:
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
    return _cap(f"{_who(names)} joined {e.forum} as {e.role}{'s' if len(names) > 1 else ''}.")


def leave(model: LatticeModel, e: Any) -> str:
    """Actors leave a forum."""
    forum = model.forums[e.forum]
    out = {int(i) for i in _rows(model, e.actors)}
    forum.set_membership(
        [m for m in forum.members if m not in out], [p for p in forum.partners if p not in out]
    )
    names = [model.actor_names[i] for i in sorted(out)]
    return _cap(f"{_who(names)} left {e.forum}.")


def forum_created(model: LatticeModel, e: Any) -> str:
    """A forum the scenario creates."""
    forum = model.add_forum(e.name, e.forum, origin="event", when=model.quarter)
    return f"{e.name} was created ({len(forum.members)} members)."


def forum_dissolved(model: LatticeModel, e: Any) -> str:
    """A forum the scenario dissolves."""
    model.dissolve_forum(model.forums[e.forum], reason=None)
    return f"{e.forum} was dissolved."


def veto(model: LatticeModel, e: Any) -> str:
    """An actor declares it will block texts on a dimension beyond a narrow tolerance."""
    i = model.actor_index[e.actor]
    d = model.dimension_index[e.dimension]
    s = model.state
    where = "everywhere"
    if e.forum is None:
        s.veto[i, d] = e.tolerance
        f = None
    else:
        f = model.forums[e.forum].index
        s.forum_vetoes[(i, d, f)] = e.tolerance
        where = f"in {e.forum}"
    if e.until is not None:
        s.timed_vetoes.append((Quarter.parse(e.until), i, d, f))
    return _cap(
        f"{display_name(e.actor)} declared a veto on {e.dimension.replace('_', ' ')} {where}."
    )


def lift_veto(model: LatticeModel, i: int, d: int, forum: int | None) -> None:
    """Lift a declared veto when its ``until`` quarter comes."""
    s = model.state
    if forum is None:
        s.veto[i, d] = np.nan
    else:
        s.forum_vetoes.pop((i, d, forum), None)
    model.recorder.log(
        model.quarter,
        "veto_lifted",
        "",
        f"{model.actor_names[i]} lifted its veto on {model.dimensions[d]}.",
    )


def government_change(model: LatticeModel, e: Any) -> str:
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
            s.attention[i, THEATRE[key]] = v
        s.attention[i] /= max(s.attention[i].sum(), 1e-9)
    return f"A new government in {display_name(e.actor)} reset its positions."


def agenda_item(model: LatticeModel, e: Any) -> str:
    """Put a named item on a forum's next meeting."""
    forum = model.forums[e.forum]
    forum.pending.append(Item(e.name, model.dimension_index[e.dimension], e.proposal, True))
    return f"{e.forum} put '{e.name}' on its agenda."


HANDLERS: dict[str, Callable[[LatticeModel, Any], str]] = {
    "attention_shift": attention_shift,
    "commitment": commitment,
    "threat_shock": threat_shock,
    "salience_shock": salience_shock,
    "position_shock": position_shock,
    "crisis": crisis,
    "adversary": adversary,
    "join": join,
    "leave": leave,
    "forum_created": forum_created,
    "forum_dissolved": forum_dissolved,
    "veto": veto,
    "government_change": government_change,
    "agenda_item": agenda_item,
}


def subject(event: Any) -> str:
    """Who or what an event is about, for the log's ``subject`` column."""
    for key in ("actor", "forum", "name", "theatre"):
        value = getattr(event, key, None)
        if isinstance(value, str):
            return value
    return ", ".join(getattr(event, "actors", []))


def apply(model: LatticeModel, event: Any) -> str:
    """Apply one event; returns its sentence for the chronicle."""
    return HANDLERS[event.type](model, event)


# ---------------------------------------------------------------------- founding
def founding_group(model: LatticeModel, forum: Forum) -> list[int]:
    """The like-minded, blocked group in ``forum`` that could meet on its own, if any.

    Candidates are invitees blocked (on items they would have accepted and care about) in
    at least ``found_after`` meetings net of meetings that delivered. They must share a
    region (a new forum is cheapest to convene among neighbours) and agree: the largest
    salience-weighted distance between any two of them on the forum's agenda stays within
    ``found_cohesion``. Grown greedily from the most capable candidate.
    """
    s, p = model.state, model.params
    inv = forum.invitees
    cand = inv[s.frustration[inv, forum.index] >= p.found_after]
    if len(cand) < p.found_min_size:
        return []
    best: list[int] = []
    dims = forum.discusses if forum.discusses.size else np.arange(len(model.dimensions))
    for region in (0, 1):
        pool = [int(i) for i in cand if model.region[i] == region]
        pool.sort(key=lambda i: -s.capability[i])
        if not pool:
            continue
        x, w = s.position[np.ix_(pool, dims)], s.salience[np.ix_(pool, dims)]
        group: list[int] = []  # places in the pool
        spread = 0.0  # the group's disagreement so far
        for k in range(len(pool)):
            # The group's largest pairwise distance with k added: the pairs already in
            # it keep theirs, so only k's distances to the group are new.
            trial = max(_disagreement_with(x, w, k, group), spread)  # NaN stays NaN
            if trial <= p.found_cohesion:
                group.append(k)
                spread = trial
        if len(group) > len(best):
            best = [pool[k] for k in group]
    return best if len(best) >= p.found_min_size else []


def _disagreement_with(x: np.ndarray, w: np.ndarray, k: int, group: list[int]) -> float:
    """Largest salience-weighted mean distance of row k to the group's rows.

    A pair's distance is sum_d |x_d - x'_d| (w_d + w'_d) / 2 over sum_d (w_d + w'_d) / 2,
    on the forum's agenda. Growing a group one candidate at a time, only the new
    member's pairs need computing (a group of one has disagreement 0).
    """
    if not group:
        return 0.0
    xg, wg = x[group], w[group]
    pair_w = 0.5 * (w[k][None, :] + wg)
    dist = (np.abs(x[k][None, :] - xg) * pair_w).sum(axis=1)
    return float(np.max(dist / np.maximum(pair_w.sum(axis=1), 1e-9), initial=0.0))


def _already_served(model: LatticeModel, group: list[int], source: Forum) -> bool:
    members = set(group)
    for f in model.active_forums:
        if f is source:
            continue
        if len(f.members) <= len(members) + 1 and members <= f.member_set:
            return True
    return False


def forum_name(model: LatticeModel, group: list[int]) -> str:
    """A group's name: a known group's (``IP4``) or its members' ISO codes."""
    names = {model.actor_names[i] for i in group}
    for g in ("ip4", "aukus", "quad", "g7"):
        if names == set(group_members(g, model.quarter.year)):
            return g.upper()
    return "-".join(sorted(model.records[i].iso3 for i in group))


def try_found(model: LatticeModel, forum: Forum) -> Forum | None:
    """Maybe found a forum for a blocked, like-minded group of ``forum``'s invitees."""
    group = founding_group(model, forum)
    if not group or _already_served(model, group, forum):
        return None
    if model.rng.random() >= model.params.found_probability:
        return None
    name = forum_name(model, group)
    if name in model.forums and model.forums[name].active:
        return None
    if name in model.forums:
        name = f"{name} ({model.quarter})"
    s = model.state
    convener = max(group, key=lambda i: s.capability[i])
    region = "indo_pacific" if model.region[group[0]] == 1 else "euro_atlantic"
    competence = [model.dimensions[d] for d in forum.competence]
    spec = ForumSpec(
        members=[model.actor_names[i] for i in group],
        rule="consensus",
        competence=competence,
        discusses=[model.dimensions[d] for d in forum.discusses if d not in forum.competence],
        calendar=[MeetingSpec(quarter=(model.quarter + 1).quarter, level="ministerial")],
        convener=model.actor_names[convener],
        theatre=region,
        standing=float(np.mean(s.standing[group, forum.index])),
    )
    new = model.add_forum(name, spec, origin="founded", when=model.quarter)
    s.frustration[group, forum.index] = 0.0
    members = ", ".join(model.actor_names[i] for i in group)
    model.recorder.log(
        model.quarter,
        "forum_founded",
        name,
        f"Blocked in {forum.name}, {members} began meeting on their own as {name}.",
    )
    return new
