"""Whole-system metrics against known answers."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from latticesim.mechanisms.attendance import (
    LEVEL_COST,
    LEVEL_GAIN,
    best_levels,
    choose_levels,
    level_costs,
    meeting_value,
    taste_scale,
    threat_factor,
    value_base,
)
from latticesim.mechanisms.metrics import (
    burden_sharing,
    coordination_index,
    linkage_share,
    ranks,
    spearman,
    standing_mass,
    standing_shares,
)
from latticesim.mechanisms.standing import BLOCKER_VALUE, learn, meeting_reward
from latticesim.mechanisms.threats import threat_channels, threat_targets, threat_targets_from
from latticesim.scenario.parameters import Parameters


def test_coordination_index_full_agreement_and_polar_split():
    x = np.array([[0.3, 0.7], [0.3, 0.7], [0.3, 0.7]])
    s = np.ones_like(x)
    assert coordination_index(x, s, np.ones(3)) == pytest.approx(1.0)
    polar = np.array([[0.0, 0.0], [1.0, 1.0]])
    assert coordination_index(polar, np.ones_like(polar), np.ones(2)) == pytest.approx(0.0)


def test_coordination_index_two_actors_hand_computed():
    # distances 0.4 (salience 1 and 1) and 0.2 (saliences 0.5 and 0.5): 1 - (0.4 + 0.1)/1.5
    x = np.array([[0.2, 0.5], [0.6, 0.7]])
    s = np.array([[1.0, 0.5], [1.0, 0.5]])
    assert coordination_index(x, s, np.array([2.0, 1.0])) == pytest.approx(1 - 0.5 / 1.5)


def test_standing_shares_sum_to_one_and_follow_capability():
    standing = np.array([[0.8, 0.2], [0.5, 0.5], [0.1, 0.9]])
    invited = np.array([[1, 1], [1, 0], [0, 1]], dtype=float)
    cap = np.array([0.5, 0.3, 0.2])
    mass = standing_mass(standing, cap, invited)
    assert mass == pytest.approx([0.5 * 0.8 + 0.3 * 0.5, 0.5 * 0.2 + 0.2 * 0.9])
    shares = standing_shares(mass)
    assert shares.sum() == pytest.approx(1.0)
    assert shares[0] > shares[1]


@given(arrays(float, 7, elements=st.floats(0, 5)))
def test_standing_shares_always_sum_to_one(mass):
    assert standing_shares(mass).sum() == pytest.approx(1.0)


def test_linkage_counts_pairs_within_window():
    last = np.full((4, 4), -1000)
    last[0, 2] = last[2, 0] = 9
    last[1, 3] = last[3, 1] = 2
    block = last[np.ix_([0, 1], [2, 3])]
    assert linkage_share(block, 10, 4) == 0.25
    assert linkage_share(block, 10, 9) == 0.5


def test_burden_sharing_olson_zeckhauser_pattern():
    gdp = np.array([100.0, 20.0, 10.0])
    pct = np.array([3.5, 1.5, 1.2])
    b = burden_sharing(gdp, pct)
    assert b["largest_member_spending_share"] == pytest.approx(350 / (350 + 30 + 12))
    assert b["largest_member_burden_ratio"] > 1.0
    assert b["size_effort_correlation"] == pytest.approx(1.0)


def test_attendance_falls_as_cost_rises():
    value = np.full(50, 0.4)
    noise = np.zeros((50, 4))
    levels = [choose_levels(value, np.ones(50), c, 3, noise)[0] for c in (0, 1, 3, 6, 12, 40)]
    assert levels == sorted(levels, reverse=True)
    assert levels[0] == 3 and levels[-1] == 0
    # With noise, the mean level falls monotonically with cost (same draws each time).
    rng = np.random.default_rng(0)
    noise = rng.gumbel(size=(2000, 4)) * 0.05
    means = [
        choose_levels(np.full(2000, 0.3), np.ones(2000), c, 3, noise).mean()
        for c in (0.5, 1, 2, 4, 8)
    ]
    assert all(a > b for a, b in zip(means, means[1:], strict=False))


def _value(commitment, attention, standing, salience, threat, importance):
    base = value_base(np.array([commitment]), np.array([attention]))
    factor = threat_factor(np.array([threat]))
    return meeting_value(base, np.array([standing]), np.array([salience]), factor, importance)


def test_meeting_value_grows_with_commitment_and_standing():
    base = _value(0.5, 1.0, 0.5, 0.6, 0.2, 1.0)
    assert _value(1.0, 1.0, 0.5, 0.6, 0.2, 1.0) > base
    assert _value(0.5, 1.0, 0.9, 0.6, 0.2, 1.0) > base


def test_meeting_value_known_answer_and_factor_order():
    # 0.8 x 0.5 x (0.25 + 0.35) x 0.6 x (1 + 0.4) x 0.7, worked on paper: 0.14112
    assert _value(0.8, 0.5, 0.35, 0.6, 0.4, 0.7)[0] == pytest.approx(0.14112, rel=1e-12)
    # The factors are multiplied left to right, as the one chained expression would:
    # the model's cached factors give the same doubles, bit for bit.
    rng = np.random.default_rng(3)
    c, a, st_, sal, thr = rng.random((5, 40))
    chained = c * a * (0.25 + st_) * sal * (1.0 + thr) * 0.4
    got = meeting_value(value_base(c, a), st_, sal, threat_factor(thr), 0.4)
    assert np.array_equal(got, chained)
    # a forum that discusses nothing counts the agenda's salience as one half
    assert meeting_value(value_base(c, a), st_, 0.5, threat_factor(thr), 0.4) == pytest.approx(
        c * a * (0.25 + st_) * 0.5 * (1.0 + thr) * 0.4
    )


def test_meeting_reward_and_learning():
    positions = np.array([[0.8, 0.5], [0.2, 0.5]])
    salience = np.array([[1.0, 1.0], [1.0, 0.0]])
    strengths = np.array([np.nan, 0.6])
    adopted = np.array([False, True])
    blocked_by = np.array([[False, False], [True, False]])
    r = meeting_reward(positions, salience, strengths, adopted, blocked_by, 1.0)
    # actor 0: blocked item worth 0, adopted 1 - 0.1 = 0.9 -> mean 0.45
    # actor 1: blocker of the failed item -> 0.5 on its only salient dimension
    assert r == pytest.approx([0.45, 0.5])
    assert learn(np.array([0.5]), np.array([1.0]), 0.25) == pytest.approx([0.625])


def test_meeting_reward_when_all_adopted_is_bit_for_bit_the_general_formula():
    rng = np.random.default_rng(6)
    positions, salience = rng.random((12, 3)), rng.random((12, 3))
    salience[2] = 0.0  # cares about nothing on the agenda: the blocker's value
    strengths, weights = rng.random(3), rng.uniform(0.2, 1.0, 3)
    adopted, blocked_by = np.ones(3, dtype=bool), np.zeros((12, 3), dtype=bool)
    closeness = 1.0 - np.abs(positions - np.where(adopted, strengths, 0.0)[None, :])
    value = np.where(adopted[None, :], weights * closeness, 0.0)
    total = salience.sum(axis=1)
    expected = np.where(
        total > 0, (salience * value).sum(axis=1) / np.maximum(total, 1e-9), BLOCKER_VALUE
    )
    got = meeting_reward(positions, salience, strengths, adopted, blocked_by, weights)
    assert np.array_equal(got, expected)


def test_taste_shocks_scale_with_the_cost_so_choices_do_not_depend_on_its_unit():
    # Scaling the cost of attending and the shocks together leaves every choice of an
    # actor that gains nothing from a forum the same: it stays away as often however cheap going
    # is (ODD 7.4); a committed actor's choices depend on value over cost only.
    rng = np.random.default_rng(3)
    gumbel = rng.gumbel(size=(4000, 4))
    distance = rng.uniform(1.0, 1.6, 4000)
    for value in (0.0, 0.2):
        runs = []
        for cost in (0.1, 0.48, 1.0, 5.0):
            params = Parameters(attendance_cost=cost)
            noise = gumbel * taste_scale(params)
            runs.append(choose_levels(np.full(4000, value * cost), distance, cost, 3, noise))
        for levels in runs[1:]:
            assert np.array_equal(levels, runs[0])
    nobody = choose_levels(np.zeros(4000), distance, 0.48, 3, gumbel * 0.03 * 0.48)
    assert 0.7 < (nobody == 0).mean() < 0.9  # as often as at any other cost


def test_choose_levels_is_the_utility_argmax():
    rng = np.random.default_rng(7)
    value, distance = rng.random(20), rng.uniform(1.0, 1.6, 20)
    noise = rng.gumbel(size=(20, 4)) * 0.05
    for top in (1, 2, 3):
        levels = slice(0, top + 1)
        utility = (
            LEVEL_GAIN[None, levels] * value[:, None]
            - LEVEL_COST[None, levels] * (0.7 * distance)[:, None]
            + noise[:, levels]
        )
        expected = np.argmax(utility, axis=1)
        assert np.array_equal(choose_levels(value, distance, 0.7, top, noise), expected)
        cost = level_costs(distance, 0.7)
        assert np.array_equal(best_levels(value, cost, top, noise), expected)


def test_spearman_matches_the_textbook_formula():
    rng = np.random.default_rng(9)
    a, b = rng.random(31), rng.random(31)
    ra, rb = ranks(a), ranks(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    expected = float((ra * rb).sum() / np.sqrt((ra * ra).sum() * (rb * rb).sum()))
    assert spearman(a, b) == expected
    assert spearman(a, b, ranks(a)) == expected


def test_threat_targets_through_cached_channels_are_the_same():
    rng = np.random.default_rng(10)
    exposure, dependence = rng.uniform(0.3, 1.0, (9, 2)), rng.random((9, 3)) * 0.3
    behaviour, gap = rng.random((3, 4)), rng.uniform(-0.5, 1.0, (9, 2))
    home = np.array([1, 0, 1])
    direct = threat_targets(exposure, dependence, behaviour, home, gap, 0.6)
    channels = threat_channels(exposure, home, gap, 0.6)
    assert np.array_equal(threat_targets_from(channels, dependence, behaviour), direct)
