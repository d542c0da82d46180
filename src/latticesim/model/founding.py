"""Founding (ODD 7.9): a blocked, like-minded group of a forum's invitees meets on its own.

After a forum meets, invitees it keeps blocking on what they care about (their
frustration, counted by the meetings) may found a forum of their own, when they share a
region, agree closely enough on the forum's agenda and no forum already serves them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from latticesim.scenario.schema import ForumSpec, MeetingSpec
from latticesim.world.actors import group_members
from latticesim.world.practice import may_decide, reserved_dimensions

if TYPE_CHECKING:
    from latticesim.model.forums import Forum
    from latticesim.model.interface import EventModel


def founding_group(model: EventModel, forum: Forum) -> list[int]:
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


def _already_served(model: EventModel, group: list[int], source: Forum) -> bool:
    members = set(group)
    for f in model.active_forums:
        if f is source:
            continue
        if len(f.members) <= len(members) + 1 and members <= f.member_set:
            return True
    return False


def forum_name(model: EventModel, group: list[int]) -> str:
    """A group's name: a known group's (``IP4``) or its members' ISO codes."""
    names = {model.actor_names[i] for i in group}
    for g in ("ip4", "aukus", "quad", "g7"):
        if names == set(group_members(g, model.quarter.year)):
            return g.upper()
    return "-".join(sorted(model.records[i].iso3 for i in group))


def founded_remit(
    model: EventModel, forum: Forum, members: set[str]
) -> tuple[list[str], list[str]]:
    """What a founded forum decides and discusses: its source's remit, within its own.

    It takes up what its members could not agree on in ``forum``, but a dimension reserved
    to one institution's own formats (NATO's reach: ``world/data/remits.csv``) it may
    only discuss unless all that institution's members sit in it.
    """
    reserved = reserved_dimensions()
    year = model.quarter.year
    decides, discusses = [], []
    for d in forum.competence.tolist():
        name = model.dimensions[d]
        group = reserved.get(name)
        ok = group is None or may_decide(name, members, group_members(group, year))
        (decides if ok else discusses).append(name)
    discusses += [model.dimensions[d] for d in forum.discusses if d not in forum.competence]
    return decides, discusses


def try_found(model: EventModel, forum: Forum) -> Forum | None:
    """Maybe found a forum for a blocked, like-minded group of ``forum``'s invitees."""
    group = founding_group(model, forum)
    if not group or _already_served(model, group, forum):
        return None
    member_names = [model.actor_names[i] for i in group]
    competence, discusses = founded_remit(model, forum, set(member_names))
    blocked = {
        model.dimensions[d] for d, (_text, adopted) in forum.last_texts.items() if not adopted
    }
    if not blocked & set(competence):
        return None  # what blocked them is not theirs to decide on their own
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
    spec = ForumSpec(
        members=member_names,
        rule="consensus",
        competence=competence,
        discusses=discusses,
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
