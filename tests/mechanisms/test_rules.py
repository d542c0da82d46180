"""Decision rules against answers worked on paper."""

import typing

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from latticesim.mechanisms.rules import (
    RULES,
    carried_draft,
    chair_statement,
    commitment_factor,
    consensus,
    consensus_items,
    convener_target,
    reach,
    tolerance_radius,
    weighted_majority,
    weighted_majority_items,
    weighted_median,
)
from latticesim.scenario.schema import ForumSpec


def test_commitment_factor_is_the_ratio_to_the_recorded_commitment_to_a_power():
    c = np.array([0.45, 0.85, 0.85, 0.0, 0.3])
    ref = np.array([0.85, 0.85, 0.5, 0.0, 0.6])
    assert commitment_factor(c, ref, 1.0) == pytest.approx([0.45 / 0.85, 1.0, 1.7, 1.0, 0.5])
    assert commitment_factor(c, ref, 2.0) == pytest.approx([(0.45 / 0.85) ** 2, 1, 2.89, 1, 0.25])
    # strength 0: commitment leaves the tolerance alone; at the recorded value always 1
    assert np.all(commitment_factor(c, ref, 0.0) == 1.0)
    assert commitment_factor(ref, ref, 1.7)[:3].tolist() == [1.0, 1.0, 1.0]


@settings(max_examples=60, deadline=None)
@given(
    c=st.floats(0, 1),
    lower=st.floats(0, 1),
    ref=st.floats(0.01, 1),
    strength=st.floats(0, 3),
)
def test_less_commitment_never_widens_the_radius(c, lower, ref, strength):
    less = c * lower
    f = commitment_factor(np.array([less, c]), np.array([ref, ref]), strength)
    assert f[0] <= f[1] + 1e-12
    assert np.all(f >= 0)


def test_radius_is_tolerance_over_salience_and_veto_narrows_it():
    r = tolerance_radius(np.array([0.25, 0.25, 0.2]), np.array([1.0, 0.5, 0.01]))
    assert r == pytest.approx([0.25, 0.5, 2.0])  # salience floored at 0.1
    v = tolerance_radius(np.array([0.25, 0.25]), np.array([1.0, 1.0]), np.array([np.nan, 0.05]))
    assert v == pytest.approx([0.25, 0.05])


def test_consensus_passes_as_proposed_when_all_accept():
    out = consensus(0.6, np.array([0.5, 0.7, 0.65]), np.full(3, 0.2), np.ones(3), 2, 0.3)
    assert out.adopted and out.strength == 0.6 and out.rounds == 1 and out.blockers == ()


def test_worked_example_france_blocks_tokyo_office_and_item_fails():
    # BRIEF's worked meeting: proposal 0.70, France's ideal 0.20, tolerance 0.25 on a
    # salient dimension. Round 2 waters down 30% toward France: 0.70 - 0.3 * 0.5 = 0.55,
    # still beyond 0.45, so after the last allowed round (2) the item fails.
    positions = np.array([0.80, 0.20, 0.60])  # United States, France, Germany
    radius = np.array([0.3, 0.25, 0.3])
    out = consensus(0.70, positions, radius, np.array([10.0, 2.0, 3.0]), 2, 0.3)
    assert not out.adopted
    assert np.isnan(out.strength)
    assert out.blockers == (1,)
    assert out.rounds == 2
    assert out.proposal == 0.70


def test_consensus_waters_down_toward_blocker_and_passes_weaker():
    # A blocker at 0.2 with radius 0.4 accepts up to 0.6; 0.8 -> 0.8 - 0.5*0.6 = 0.5 passes.
    out = consensus(0.8, np.array([0.9, 0.2]), np.array([0.45, 0.4]), np.ones(2), 3, 0.5)
    assert out.adopted
    assert out.strength == pytest.approx(0.5)
    assert out.rounds == 2
    assert out.watered_by == (1,)


def test_consensus_waters_toward_capability_weighted_mean_of_blockers():
    # Two blockers at 0.0 (weight 3) and 0.4 (weight 1): target 0.1; 0.9 -> 0.9 - 0.5*0.8 = 0.5
    out = consensus(
        0.9,
        np.array([0.0, 0.4, 0.9]),
        np.array([0.5, 0.45, 0.5]),
        np.array([3.0, 1.0, 1.0]),
        2,
        0.5,
    )
    assert out.adopted and out.strength == pytest.approx(0.5)


def test_consensus_single_round_fails_at_once():
    out = consensus(0.9, np.array([0.1, 0.9]), np.array([0.2, 0.2]), np.ones(2), 1, 0.5)
    assert not out.adopted and out.rounds == 1 and out.blockers == (0,)


def test_weighted_median_known_answers():
    assert weighted_median(np.array([0.1, 0.5, 0.9]), np.ones(3)) == 0.5
    assert weighted_median(np.array([0.1, 0.5, 0.9]), np.array([3.0, 1.0, 1.0])) == 0.1
    assert weighted_median(np.array([0.9, 0.5, 0.1]), np.array([1.0, 1.0, 5.0])) == 0.1
    # Exactly half the weight at or below 0.2: the lower point.
    assert weighted_median(np.array([0.2, 0.8]), np.array([1.0, 1.0])) == 0.2


@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0.01, 10)), min_size=1, max_size=30))
def test_weighted_median_splits_the_weight(pairs):
    x = np.array([p[0] for p in pairs])
    w = np.array([p[1] for p in pairs])
    m = weighted_median(x, w)
    total = w.sum()
    assert w[x < m].sum() <= total / 2 + 1e-9
    assert w[x > m].sum() <= total / 2 + 1e-9


def test_weighted_majority_equals_capability_weighted_median():
    capability = np.array([0.50, 0.20, 0.15, 0.10, 0.05])
    positions = np.array([0.9, 0.3, 0.6, 0.2, 0.8])
    out = weighted_majority(positions, np.full(5, 1.0), capability, 0.5)
    assert out.adopted
    # Sorted: 0.2 (.10) 0.3 (.20) 0.6 (.15) 0.8 (.05) 0.9 (.50): half the weight is at or
    # below 0.8, so 0.8 is the (lower) weighted median.
    assert out.strength == weighted_median(positions, capability) == 0.8
    # And with another distribution of capability, the median moves with it.
    out2 = weighted_majority(positions, np.full(5, 1.0), capability[::-1], 0.5)
    assert out2.strength == weighted_median(positions, capability[::-1])


def test_weighted_majority_threshold_can_sink_the_median():
    positions = np.array([0.1, 0.5, 0.9])
    radius = np.array([0.1, 0.1, 0.1])  # only the median's holder accepts the median
    weights = np.array([1.0, 1.0, 1.0])
    assert weighted_majority(positions, radius, weights, 0.5).adopted is False
    wide = weighted_majority(positions, np.full(3, 0.4), weights, 0.65)
    assert wide.adopted and wide.strength == 0.5


def test_chair_statement_always_issues_the_proposal():
    out = chair_statement(0.72)
    assert out.adopted and out.strength == 0.72


def test_a_fully_engaged_convener_aims_moderation_of_the_way_to_the_median():
    assert convener_target(0.9, 0.5, 0.0, 1.0) == 0.9
    assert convener_target(0.9, 0.5, 1.0, 1.0) == 0.5
    assert convener_target(0.9, 0.5, 0.25, 1.0) == pytest.approx(0.8)
    # half engaged, it asks for half as much beyond the median: 0.5 + 0.75 x 0.5 x 0.4
    assert convener_target(0.9, 0.5, 0.25, 0.5) == pytest.approx(0.65)


def test_carried_draft_starts_from_a_failed_text_and_asks_more_after_an_adoption():
    assert carried_draft(0.7, None, False, 0.3) == 0.7  # nothing to carry over
    assert carried_draft(0.7, 0.55, False, 0.3) == 0.55  # the failed text, as it failed
    assert carried_draft(0.7, 0.4, True, 0.3) == pytest.approx(0.49)  # 0.4 + 0.3 (0.7 - 0.4)
    assert carried_draft(0.2, 0.4, True, 0.5) == pytest.approx(0.3)  # toward a weaker draft too
    assert carried_draft(0.7, 0.4, True, 0.0) == 0.4  # no watering: the agreed text again
    assert carried_draft(0.7, 0.4, True, 1.0) == 0.7  # full watering: the new draft


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1))
def test_carried_draft_after_an_adoption_lies_between_the_agreed_text_and_the_new_draft(
    draft, text, watering
):
    out = carried_draft(draft, text, True, watering)
    lo, hi = sorted((draft, text))
    assert lo - 1e-12 <= out <= hi + 1e-12


# --------------------------------------------------------------------- several items at once

_unit = st.floats(0, 1, allow_nan=False)


def _same(a: list, b: list) -> bool:
    """Outcomes equal field by field, a failed item's NaN strength equal to NaN."""

    def key(o):
        return o._replace(strength="nan" if np.isnan(o.strength) else o.strength)

    return [key(o) for o in a] == [key(o) for o in b]


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 9),
    st.integers(1, 4),
    st.integers(1, 3),
    st.integers(0, 2**32 - 1),
)
def test_consensus_items_is_consensus_item_by_item(n, k, rounds, seed):
    # A meeting checks its items' first round in one array operation; the answers must
    # be those of consensus() on each item, exactly (the model's results depend on it).
    rng = np.random.default_rng(seed)
    x = rng.random((n, k))
    r = rng.uniform(0.0, 0.6, (n, k))
    w = rng.uniform(0.0, 1.0, n)
    proposals = rng.random(k)
    together = consensus_items(proposals, x, reach(r), w, rounds, 0.3)
    one_by_one = [consensus(p, x[:, j], r[:, j], w, rounds, 0.3) for j, p in enumerate(proposals)]
    assert _same(together, one_by_one)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 9), st.integers(1, 4), _unit, st.integers(0, 2**32 - 1))
def test_weighted_majority_items_is_weighted_majority_item_by_item(n, k, threshold, seed):
    rng = np.random.default_rng(seed)
    x = rng.random((n, k))
    r = rng.uniform(0.0, 0.6, (n, k))
    w = rng.uniform(0.0, 1.0, n)
    medians = np.array([weighted_median(x[:, j], w) for j in range(k)])
    together = weighted_majority_items(x, reach(r), w, threshold, medians)
    one_by_one = [
        weighted_majority(x[:, j], r[:, j], w, threshold, float(medians[j])) for j in range(k)
    ]
    assert _same(together, one_by_one)


# ---------------------------------------------------------------- the rules by name
def test_every_rule_a_scenario_may_name_has_an_entry_and_no_other():
    accepted = typing.get_args(ForumSpec.model_fields["rule"].annotation)
    assert set(accepted) == set(RULES)
    assert ForumSpec.model_fields["rule"].default in RULES
    assert all(name == rule.name for name, rule in RULES.items())


def test_only_consensus_waters_drafts_down_and_only_the_chair_speaks_without_a_vote():
    assert [r.name for r in RULES.values() if r.waters_down] == ["consensus"]
    assert [r.name for r in RULES.values() if not r.votes] == ["chair_statement"]


def test_each_rule_settles_items_as_its_function_does():
    rng = np.random.default_rng(7)
    x, limit, w = rng.random((6, 3)), reach(rng.uniform(0.0, 0.4, (6, 3))), rng.random(6)
    drafts = [0.2, 0.5, 0.9]
    medians = np.array([weighted_median(x[:, j], w) for j in range(3)])
    room = (x, limit, w, medians)
    assert _same(
        RULES["consensus"].settle(drafts, room, 0.5, 3, 0.4),
        consensus_items(np.array(drafts), x, limit, w, 3, 0.4),
    )
    assert _same(
        RULES["weighted_majority"].settle(drafts, room, 0.7, 3, 0.4),
        weighted_majority_items(x, limit, w, 0.7, medians),
    )
    assert RULES["chair_statement"].settle(drafts, room, 0.5, 3, 0.4) == [
        chair_statement(d) for d in drafts
    ]
