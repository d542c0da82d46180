"""Decision rules: how a forum turns a proposal into an outcome on one item.

Each rule is a small pure function over arrays (positions, weights, tolerance radii) so
it can be tested against answers worked on paper, and so the model can call it for each
item of each meeting without building objects. Positions and texts share the [0, 1]
scale of a dimension: a text's *strength* is the position it adopts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

MIN_SALIENCE = 0.1
_EPS = 1e-12


class ItemOutcome(NamedTuple):
    """What happened to one item (a named tuple: a meeting makes several per quarter).

    Attributes:
        adopted: whether a text was agreed.
        strength: the adopted text's position (NaN when the item failed).
        proposal: the text as first proposed.
        rounds: drafts it took (1 = passed or failed as proposed).
        blockers: indices (into the arrays passed in) of those who blocked the final
            draft of a failed item, or the outvoted under weighted majority.
        watered_by: indices of those whose objections forced a weaker text that was then
            adopted (a failed item names its blockers instead).
        final: the last draft put to the room (the adopted text, or the one that failed).
    """

    adopted: bool
    strength: float
    proposal: float
    rounds: int
    blockers: tuple[int, ...] = ()
    watered_by: tuple[int, ...] = ()
    final: float = float("nan")


def commitment_factor(commitment: np.ndarray, reference: np.ndarray, strength: float) -> np.ndarray:
    """How far an actor's readiness to compromise follows its commitment to forums.

    An actor's stated tolerance describes it at the commitment it is recorded with (the
    packaged traits). A government that comes to value acting through forums less gives
    less ground to keep the group together, and one that values it more gives more: the
    tolerance is scaled by ``(commitment / reference) ** strength``. With ``strength`` 0
    commitment acts only on attendance; at the recorded commitment the factor is 1
    whatever the strength. An actor recorded with no commitment (an adversary, which
    sits in no forum) keeps its tolerance.
    """
    commitment = np.asarray(commitment, dtype=float)
    reference = np.asarray(reference, dtype=float)
    ratio = np.divide(commitment, reference, out=np.ones_like(commitment), where=reference > 0)
    return ratio**strength


def tolerance_radius(
    tolerance: np.ndarray, salience: np.ndarray, veto: np.ndarray | None = None
) -> np.ndarray:
    """Distance from its position at which each member starts to object.

    An actor accepts a text within ``tolerance / salience`` of its ideal point: on a
    dimension it holds fully salient that is its stated tolerance, on one it hardly
    cares about it accepts almost anything (salience is floored at 0.1 so the radius
    stays finite). A declared veto (non-NaN entries of ``veto``) narrows the radius to
    the declared value, whatever the salience.
    """
    radius = np.asarray(tolerance, dtype=float) / np.maximum(salience, MIN_SALIENCE)
    if veto is not None:
        radius = np.fmin(radius, veto)  # NaN (no veto) leaves the radius as it is
    return radius


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The capability-weighted median: the point no weighted majority can beat.

    In one dimension with single-peaked preferences the weighted median is the
    outcome majority voting converges on (Black's median voter theorem, weighted as in
    Bueno de Mesquita's and KTAB's bargaining models). Ties at exactly half the weight
    take the lower point.
    """
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return float("nan")
    return float(weighted_medians(values[:, None], np.asarray(weights, dtype=float))[0])


def weighted_medians(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted median of each column of ``values`` (members x dimensions) at once.

    A meeting needs the median of the room on every dimension it decides; sorting all
    columns together costs one call instead of one per item.
    """
    values, weights = np.asarray(values), np.asarray(weights)
    order = values.argsort(axis=0, kind="stable")
    cum = weights[order].cumsum(axis=0)
    total = cum[-1]
    half = 0.5 * total - _EPS * np.maximum(total, 1.0)
    k = np.minimum((cum < half).sum(axis=0), values.shape[0] - 1)
    cols = np.arange(values.shape[1])
    return values[order[k, cols], cols]


def engagement(salience: np.ndarray, commitment: float, reference: float) -> np.ndarray:
    """How much a convener puts into a dimension of a forum: salience x relative commitment.

    ``salience x commitment / reference``, at most 1 (``reference`` is the commitment its
    traits are recorded at, as in :func:`commitment_factor`). A government that cares
    about a dimension and values acting through forums as much as it did when its traits
    were recorded is fully engaged on it; one that steps back from forums, or that hardly
    cares, is not. It sets the agenda (:func:`tables`) and the draft's ambition
    (:func:`convener_target`).
    """
    ratio = commitment / reference if reference > 0 else 1.0
    return np.minimum(np.asarray(salience, dtype=float) * ratio, 1.0)


def tables(engaged: np.ndarray, capacity: float, threshold: float) -> np.ndarray:
    """Whether the convener tables each item: its priorities, as many as it can carry.

    A meeting's time is scarce and an item on the agenda commits the convener to carry
    it. A convener at the commitment its traits are recorded at (``capacity`` 1, the
    ratio of its commitment to that one) tables every item it is engaged on at least
    ``threshold``; one that steps back from forums carries fewer, ``ceil(n x capacity)``
    of the ``n`` items, those it cares most about first (ties in agenda order). So a
    disengaged convener narrows the agenda to its priorities instead of tabling texts it
    no longer cares to carry, and a Trump-era United States still puts China on NATO's
    agenda (its priority) while leaving the rest.
    """
    engaged = np.asarray(engaged, dtype=float)
    keep = np.zeros(engaged.shape, dtype=bool)
    carried = int(np.ceil(len(engaged) * min(capacity, 1.0) - 1e-9))
    keep[np.argsort(-engaged, kind="stable")[:carried]] = True
    return keep & (engaged >= threshold)


def convener_target(
    convener_position: float, median: float, moderation: float, engaged: float
) -> float:
    """The text a convener would like: the room's median moved toward its own view.

    It reaches ``(1 - moderation) x engaged`` of the way from the room's weighted median to
    its own position. Fully engaged, it stands ``moderation`` of the way from its own view
    to the median (0: its own view, 1: the median); a convener that cares less asks for
    less.
    """
    return float(median + (1.0 - moderation) * engaged * (convener_position - median))


def anticipated_drafts(
    targets: np.ndarray,
    positions: np.ndarray,
    reach_seen: np.ndarray,
    own: np.ndarray,
    own_reach: np.ndarray,
) -> np.ndarray:
    """The drafts a convener expects to pass: its targets, kept inside the room's window.

    Each voter accepts texts within its reach of its position; the convener sees the
    voters' positions but only estimates their reach (``reach_seen``: red lines are not
    announced). Where the estimated windows overlap, the draft is the target moved into
    the overlap: the strongest (or weakest) text it expects everyone to accept. Where they
    do not, no text can pass by its reckoning and it drafts inside its own window, near
    its target, to make its case. Arrays are voters x items (``targets``, ``own`` and
    ``own_reach`` per item).
    """
    lo = (positions - reach_seen).max(axis=0)
    hi = (positions + reach_seen).min(axis=0)
    # np.minimum(np.maximum(...)) is np.clip without its Python wrapper, at half the cost
    inside = np.minimum(np.maximum(targets, lo), hi)
    alone = np.minimum(np.maximum(targets, own - own_reach), own + own_reach)
    return np.where(lo <= hi, inside, alone)


def named_strength(strength: float, cap: float | None) -> float:
    """A text's strength under its forum's naming norm: at most ``cap`` (None: no norm).

    Formats whose practice is to describe an adversary's behaviour without naming it
    issue texts that press it less than the room's agreement would; the members still
    bargain over their positions, and the norm caps what the text says.
    """
    return strength if cap is None or strength != strength else min(strength, cap)


def carried_draft(draft: float, last_text: float | None, adopted: bool, watering: float) -> float:
    """The draft a forum puts to the room, given its last text on the same dimension.

    Negotiation carries over from meeting to meeting. After a failure the convener starts
    from the text that failed, so a blocked text is watered down meeting by meeting;
    after an adoption it asks for ``watering`` of the way from the agreed text toward its
    new ``draft``: a step more than was agreed. A forum with no text on the dimension yet
    (``last_text`` None) puts the convener's draft as it is.
    """
    if last_text is None:
        return draft
    return last_text + watering * (draft - last_text) if adopted else last_text


def consensus(
    proposal: float,
    positions: np.ndarray,
    radius: np.ndarray,
    weights: np.ndarray,
    max_rounds: int,
    watering: float,
) -> ItemOutcome:
    """Consensus: every member can block; a blocked text is watered down, within limits.

    Each round the members whose radius the text exceeds block it. The next draft moves
    ``watering`` of the way toward the blockers' capability-weighted mean position.
    After ``max_rounds`` drafts the item fails and its last blockers are named.
    """
    return _consensus_rounds(proposal, positions, reach(radius), weights, max_rounds, watering)


def reach(radius: np.ndarray) -> np.ndarray:
    """The farthest a text may lie from a voter and still pass: its radius plus a rounding margin.

    The rules compare distances with ``radius + _EPS``; a model that checks many items
    against the same radii adds the margin once (:func:`consensus_items` and
    :func:`weighted_majority_items` take it so).
    """
    return radius + _EPS


def _consensus_rounds(
    proposal: float,
    positions: np.ndarray,
    limit: np.ndarray,
    weights: np.ndarray,
    max_rounds: int,
    watering: float,
) -> ItemOutcome:
    """:func:`consensus`, with the radii already widened by :func:`reach`."""
    positions = np.asarray(positions, dtype=float)
    p = float(proposal)
    first: tuple[int, ...] = ()
    for rounds in range(1, max_rounds + 1):
        blocking = np.abs(positions - p) > limit
        if not blocking.any():
            return ItemOutcome(True, p, float(proposal), rounds, (), first, p)
        idx = tuple(np.flatnonzero(blocking).tolist())
        if rounds == 1:
            first = idx
        if rounds == max_rounds:
            return ItemOutcome(False, float("nan"), float(proposal), rounds, idx, (), p)
        w = weights[blocking]
        total = w.sum()
        xb = positions[blocking]
        target = float(xb @ w / total) if total > 0 else float(xb.mean())
        p = p + watering * (target - p)
    raise AssertionError("unreachable")  # pragma: no cover


def consensus_items(
    proposals: np.ndarray,
    positions: np.ndarray,
    limit: np.ndarray,
    weights: np.ndarray,
    max_rounds: int,
    watering: float,
) -> list[ItemOutcome]:
    """:func:`consensus` on several items of one meeting at once (one column per item).

    Most texts pass as proposed, so the first round is checked for all items in one array
    operation (the same comparisons :func:`consensus` makes, hence the same answers);
    only items someone blocks go through the rounds one by one.

    Args:
        proposals: items, the first draft of each.
        positions: voters x items, each voter's position on each item's dimension.
        limit: voters x items, each voter's objection radius there, widened by
            :func:`reach`.
        weights: voters, capability.
        max_rounds: drafts allowed per item.
        watering: how far each redraft moves toward the blockers.
    """
    blocked = np.logical_or.reduce(np.abs(positions - proposals) > limit, axis=0).tolist()
    out = []
    for j, p in enumerate(proposals.tolist()):
        if blocked[j]:
            out.append(
                _consensus_rounds(p, positions[:, j], limit[:, j], weights, max_rounds, watering)
            )
        else:
            out.append(ItemOutcome(True, p, p, 1, (), (), p))
    return out


def weighted_majority_items(
    positions: np.ndarray,
    limit: np.ndarray,
    weights: np.ndarray,
    threshold: float,
    medians: np.ndarray,
) -> list[ItemOutcome]:
    """:func:`weighted_majority` on several items of one meeting (one column per item).

    The acceptance test runs on all items in one array operation; each item's accepting
    weight is then summed as :func:`weighted_majority` sums it, so answers are the same.
    ``limit`` holds the voters' radii widened by :func:`reach`.
    """
    accept = np.abs(positions - medians) <= limit
    unanimous = np.logical_and.reduce(accept, axis=0).tolist()
    total = float(weights.sum())
    out = []
    for j, median in enumerate(medians.tolist()):
        if unanimous[j]:  # weights[ok] is then weights itself: the same sum, in the same order
            share = total / total if total > 0 else 0.0
            against: tuple[int, ...] = ()
        else:
            ok = accept[:, j]
            share = float(weights[ok].sum()) / total if total > 0 else 0.0
            against = tuple(np.flatnonzero(~ok).tolist())
        if share + _EPS >= threshold:
            out.append(ItemOutcome(True, median, median, 1, against, (), median))
        else:
            out.append(ItemOutcome(False, float("nan"), median, 1, against, (), median))
    return out


def weighted_majority(
    positions: np.ndarray,
    radius: np.ndarray,
    weights: np.ndarray,
    threshold: float,
    median: float | None = None,
) -> ItemOutcome:
    """Capability-weighted majority with a threshold (as for EU qualified majority).

    The outcome is the weighted median, which beats any other text in a pairwise
    weighted vote; it is adopted if the members within whose radius it lies hold at
    least ``threshold`` of the weight present. Members outside it are outvoted (when
    adopted) or, with a threshold above one half, can sink it (when not). ``median`` may
    be passed in when already computed for the room.
    """
    positions = np.asarray(positions, dtype=float)
    if median is None:
        median = weighted_median(positions, weights)
    accept = np.abs(positions - median) <= radius + _EPS
    total = float(weights.sum())
    share = float(weights[accept].sum()) / total if total > 0 else 0.0
    against = tuple(np.flatnonzero(~accept).tolist())
    if share + _EPS >= threshold:
        return ItemOutcome(True, median, median, 1, against, (), median)
    return ItemOutcome(False, float("nan"), median, 1, against, (), median)


def chair_statement(proposal: float) -> ItemOutcome:
    """Chair's statement: the convener speaks for the meeting without a vote.

    It always issues; the model gives it less weight than an agreed text.
    """
    return ItemOutcome(True, float(proposal), float(proposal), 1, (), (), float(proposal))


# ------------------------------------------------------------------------ the rules by name
Room = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""A meeting's voters on its decided items: their positions and their limits (voters x
items, the limits widened by :func:`reach`), their weights, and the room's weighted
median on each item."""

Settle = Callable[[list[float], Room, float, int, float], list[ItemOutcome]]
"""A rule's way of settling decided items: (drafts, room, threshold, rounds, watering)."""


def _by_consensus(
    drafts: list[float], room: Room, threshold: float, max_rounds: int, watering: float
) -> list[ItemOutcome]:
    """Every voter may block; a blocked draft is watered down toward those blocking."""
    positions, limit, weights, _ = room
    return consensus_items(
        np.array(drafts, dtype=float), positions, limit, weights, max_rounds, watering
    )


def _by_majority(
    drafts: list[float], room: Room, threshold: float, max_rounds: int, watering: float
) -> list[ItemOutcome]:
    """The room's median text on each item, adopted if ``threshold`` of the weight accepts it."""
    positions, limit, weights, medians = room
    return weighted_majority_items(positions, limit, weights, threshold, medians)


def _by_the_chair(
    drafts: list[float], room: Room, threshold: float, max_rounds: int, watering: float
) -> list[ItemOutcome]:
    """No vote: each draft issues as the chair's statement."""
    return [chair_statement(d) for d in drafts]


@dataclass(frozen=True, slots=True)
class DecisionRule:
    """What a forum's rule (``rule:`` in a scenario) means for its meetings.

    Attributes:
        name: the rule as scenarios write it and the meetings table records it.
        votes: whether members vote on the items in the forum's competence. Under a
            rule that does not, the chair speaks for the meeting on every item; a
            chair's statement weighs ``chair_weight`` of an agreed text, and so do the
            ties of those who met to hear it.
        waters_down: whether a blocked draft is redrafted toward those blocking it, round
            by round, and a played member may ask for a weaker text instead of blocking.
        settle: the outcomes of the items the forum decides (:data:`Settle`).
    """

    name: str
    votes: bool
    waters_down: bool
    settle: Settle


RULES: dict[str, DecisionRule] = {
    rule.name: rule
    for rule in (
        DecisionRule("consensus", votes=True, waters_down=True, settle=_by_consensus),
        DecisionRule("weighted_majority", votes=True, waters_down=False, settle=_by_majority),
        DecisionRule("chair_statement", votes=False, waters_down=False, settle=_by_the_chair),
    )
}
"""The decision rules by name: every name a scenario's ``rule:`` accepts has one."""
