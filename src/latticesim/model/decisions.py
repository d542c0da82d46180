"""Decisions (ODD 7.5-7.6): a meeting's drafts, its played votes, and the forum's rule.

One path for every meeting, played or not. The chair aims each item as far toward its
view as its engagement carries it (:func:`~latticesim.mechanisms.rules.convener_target`),
carrying the forum's last text on the dimension over
(:func:`~latticesim.mechanisms.rules.carried_draft`), and drafts it inside the window it
expects the voters to accept (:func:`~latticesim.mechanisms.rules.anticipated_drafts`);
items the forum does not decide become chair's statements, and texts are capped by the
forum's naming norms. Played voters' votes then change their
limits on the decided items (:func:`~latticesim.model.delegations.played_radius`), and
under a rule that waters drafts down (consensus) a request for a weaker text moves the
draft toward those asking (:func:`~latticesim.model.delegations.weaker_proposal`), who
then accept it. The forum's rule (its :class:`~latticesim.mechanisms.rules.DecisionRule`)
settles every decided item in one array operation
(:func:`~latticesim.mechanisms.rules.consensus_items`,
:func:`~latticesim.mechanisms.rules.weighted_majority_items`); only items someone blocks
go through further rounds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from latticesim.mechanisms.rules import (
    DecisionRule,
    ItemOutcome,
    Room,
    anticipated_drafts,
    carried_draft,
    chair_statement,
    convener_target,
    engagement,
    named_strength,
    weighted_medians,
)
from latticesim.model.delegations import played_radius, weaker_proposal
from latticesim.model.state import cells

if TYPE_CHECKING:
    from latticesim.model.forums import Forum, Item
    from latticesim.model.model import LatticeModel
    from latticesim.model.state import Agenda, ForumInputs
    from latticesim.scenario.parameters import Parameters

Votes = dict[int, dict[str, str]]
"""Played voters' answers: place among the voters -> dimension name -> vote."""


def decide(
    model: LatticeModel,
    forum: Forum,
    fi: ForumInputs,
    items: list[Item],
    agenda: Agenda,
    voters: np.ndarray,
    weights: np.ndarray,
    chair: int,
    votes: Votes,
) -> list[ItemOutcome]:
    """The outcome of each item of a meeting; ``weights`` are the voters' capabilities.

    The voters' positions and limits are picked only on the agenda's dimensions (the
    forum's own cells when every member came and the agenda is the forum's default).
    """
    s, p = model.state, model.params
    views, f = model.forum_views, forum.index
    position = views.position_in(f, s.position)  # as the forum's members hold them there
    everyone = voters is forum.members and items is forum.items
    on_agenda = fi.member_items if everyone else cells(voters, agenda.dims, len(model.dimensions))
    room = position.ravel()[on_agenda]  # voters x items
    medians = weighted_medians(room, weights)  # per item: each column's own median
    engaged = chair_engagement(model, forum, chair, agenda.dims)
    # Python floats: the same double arithmetic as numpy's scalars, at less cost.
    outcomes, targets = drafts(forum, items, agenda, position[chair].tolist(), medians, engaged, p)
    if not targets:
        return named(forum, items, outcomes)  # type: ignore[arg-type]
    at = agenda.decided_at
    x = room if at is None else room[:, at]
    decided = fi.member_decided if everyone else None
    scoped = views.salience.get(f)
    salience = None if scoped is None else views.salience_in(f, s.salience)
    limit = model.radii.limits(f, voters, agenda.decided_dims, decided, salience)
    proposals = anticipate(model, items, agenda, targets, x, limit, chair, position)
    rules = [forum.rule_for(d) for d in agenda.decided_dims.tolist()]
    askers: dict[int, list[int]] = {}
    if votes:
        dims = [model.dimensions[d] for d in agenda.decided_dims.tolist()]
        askers = apply_votes(votes, dims, limit, [r.waters_down for r in rules])
    drafted = ask_weaker(askers, proposals, x, limit, weights, p.watering) if askers else []
    results = settle(
        forum, rules, proposals, (x, limit, weights, medians if at is None else medians[at]), p
    )
    for (k, who), draft in zip(askers.items(), drafted, strict=True):
        # The outcome names the askers among those who watered the text down, and the
        # text as the convener first drafted it.
        out = results[k]
        if out.adopted:
            out = out._replace(watered_by=tuple(sorted(set(out.watered_by) | set(who))))
        results[k] = out._replace(proposal=draft)
    if at is None:
        return named(forum, items, results)
    for j, out in zip(at.tolist(), results, strict=True):
        outcomes[j] = out
    return named(forum, items, outcomes)  # type: ignore[arg-type]


def chair_engagement(
    model: LatticeModel, forum: Forum, chair: int, dims: np.ndarray
) -> list[float]:
    """The drafter's engagement on each item's dimension (:func:`.engagement`)."""
    s = model.state
    salience = model.forum_views.salience_in(forum.index, s.salience)
    reference = float(model.radii.commitment0[chair])
    return engagement(salience[chair, dims], float(s.commitment[chair]), reference).tolist()


def settle(
    forum: Forum, rules: list[DecisionRule], proposals: list[float], room: Room, p: Parameters
) -> list[ItemOutcome]:
    """Each decided item settled by its rule: the forum's, or the one for its dimension.

    Most forums decide every item by one rule, settled in one call; a forum with rules per
    dimension (the EU: unanimity on foreign policy, qualified majority on trade) settles
    each rule's items together.
    """
    first = rules[0]
    if all(r is first for r in rules):
        return first.settle(proposals, room, forum.threshold, p.max_rounds, p.watering)
    x, limit, weights, medians = room
    out: list[ItemOutcome | None] = [None] * len(rules)
    for rule in dict.fromkeys(rules):
        at = [k for k, r in enumerate(rules) if r is rule]
        part = (x[:, at], limit[:, at], weights, medians[at])
        done = rule.settle(
            [proposals[k] for k in at], part, forum.threshold, p.max_rounds, p.watering
        )
        for k, o in zip(at, done, strict=True):
            out[k] = o
    return out  # type: ignore[return-value]


def anticipate(
    model: LatticeModel,
    items: list[Item],
    agenda: Agenda,
    targets: list[float],
    x: np.ndarray,
    limit: np.ndarray,
    chair: int,
    position: np.ndarray,
) -> list[float]:
    """The drafts of the decided items: the chair's targets, kept to what it expects to pass.

    The chair estimates each voter's limit with a log-normal error of spread
    ``drafting_error`` (one draw per voter and item), then drafts inside the window the
    estimates leave (:func:`.anticipated_drafts`). An item with a fixed text (a scenario's
    agenda item) is put as it is.
    """
    sigma = model.params.drafting_error
    seen = limit
    if sigma > 0:
        seen = limit * np.exp(sigma * model.rng.standard_normal(limit.shape))
    dims = agenda.decided_dims
    own = position[chair, dims]
    own_reach = model.radii.reach[chair, dims]
    out = anticipated_drafts(np.array(targets), x, seen, own, own_reach).tolist()
    decided = [it for it, d in zip(items, agenda.decided, strict=True) if d]
    return [
        t if it.proposal is not None else o for it, t, o in zip(decided, targets, out, strict=True)
    ]


def named(forum: Forum, items: list[Item], outcomes: list[ItemOutcome]) -> list[ItemOutcome]:
    """The outcomes with the forum's naming norms applied to the texts' strength."""
    if not forum.naming:
        return outcomes
    caps = forum.naming
    return [
        o._replace(strength=named_strength(o.strength, caps.get(it.dimension)))
        for it, o in zip(items, outcomes, strict=True)
    ]


def drafts(
    forum: Forum,
    items: list[Item],
    agenda: Agenda,
    convener_at: list[float],
    medians: np.ndarray,
    engaged: list[float],
    p: Parameters,
) -> tuple[list[ItemOutcome | None], list[float]]:
    """What the chair wants on each item; chair's statements for the items not decided.

    Returns the outcomes so far (the chair's statements, None for decided items) and the
    targets of the decided items, in agenda order. An item with a fixed text (a
    scenario's agenda item) is put as it is; otherwise the chair (at ``convener_at``, its
    positions) aims from the room's median toward its own view as far as its engagement
    carries it (:func:`.convener_target`), and the forum's last text on the dimension
    carries over (:func:`.carried_draft`).
    """
    outcomes: list[ItemOutcome | None] = [None] * len(items)
    targets: list[float] = []
    median_at = medians.tolist()
    moderation, watering = p.convener_moderation, p.watering
    last_texts = forum.last_texts
    for j, item in enumerate(items):
        draft = item.proposal
        if draft is None:
            d = item.dimension
            draft = convener_target(convener_at[d], median_at[j], moderation, engaged[j])
            last = last_texts.get(d)
            if last is not None:
                draft = carried_draft(draft, last[0], last[1], watering)
        if agenda.decided[j]:
            targets.append(draft)
        else:
            outcomes[j] = chair_statement(draft)
    return outcomes, targets


def apply_votes(
    votes: Votes, dims: list[str], limit: np.ndarray, waters_down: list[bool]
) -> dict[int, list[int]]:
    """Make played voters' votes happen through their limits (voters x decided items).

    ``accept`` is an infinite radius, ``block`` and ``weaker`` a blocking one
    (:func:`~latticesim.model.delegations.played_radius`); ``dims`` names each decided
    item's dimension. Returns, for items whose rule ``waters_down`` drafts (consensus), who asked
    for a weaker text on each decided item (item place -> voter places, in the order of
    ``votes``): their request moves the draft before the rule is applied.
    """
    askers: dict[int, list[int]] = {}
    for k, dim in enumerate(dims):
        for j, answers in votes.items():
            vote = answers.get(dim)
            if vote is None:
                continue
            limit[j, k] = played_radius(vote, float(limit[j, k]))
            if waters_down[k] and vote == "weaker":
                askers.setdefault(k, []).append(j)
    return askers


def ask_weaker(
    askers: dict[int, list[int]],
    proposals: list[float],
    x: np.ndarray,
    limit: np.ndarray,
    weights: np.ndarray,
    watering: float,
) -> list[float]:
    """Requests for a weaker text: each draft moves toward those asking, who then accept it.

    One round of consensus watering-down (:func:`~latticesim.model.delegations.weaker_proposal`),
    asked for rather than forced by a block. Changes ``proposals`` and ``limit`` (voters x
    decided items) in place; returns the drafts as they were, in the order of ``askers``.
    """
    drafted = [proposals[k] for k in askers]
    for k, who in askers.items():
        proposals[k] = weaker_proposal(proposals[k], x[who, k], weights[who], watering)
        limit[who, k] = np.inf
    return drafted
