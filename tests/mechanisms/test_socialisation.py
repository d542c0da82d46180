"""Friedkin-Johnsen socialisation against its known fixed point."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from latticesim.mechanisms.socialisation import (
    add_ties,
    fj_fixed_point,
    fj_step,
    influence_matrix,
    pair_index,
)


def test_iteration_reaches_the_closed_form_fixed_point():
    rng = np.random.default_rng(3)
    n, d = 6, 3
    ties = rng.random((n, n))
    ties = ties + ties.T
    np.fill_diagonal(ties, 0)
    w = influence_matrix(ties, np.full(n, 0.6))
    lam = 1.0 - rng.uniform(0.2, 0.9, n)
    u = rng.random((n, d))
    x = u.copy()
    for _ in range(500):
        x = fj_step(x, u, w, lam)
    expected = np.linalg.inv(np.eye(n) - np.diag(lam) @ w) @ (np.eye(n) - np.diag(lam)) @ u
    assert np.allclose(x, expected, atol=1e-10)
    assert np.allclose(fj_fixed_point(u, w, lam), expected)


def test_two_actors_hand_computed():
    # W = [[0.5, 0.5], [0.5, 0.5]], lambda = 0.5 each, u = (0, 1):
    # x1 = 0.25 (x1 + x2) + 0.5 * 0, x2 = 0.25 (x1 + x2) + 0.5; so x1 = 1/4 * 1 ... solve:
    # x1 + x2 = 0.5 (x1 + x2) + 0.5 -> x1 + x2 = 1; x1 = 0.25, x2 = 0.75.
    w = np.array([[0.5, 0.5], [0.5, 0.5]])
    x = fj_fixed_point(np.array([[0.0], [1.0]]), w, np.array([0.5, 0.5]))
    assert np.allclose(x.ravel(), [0.25, 0.75])


def test_influence_matrix_is_row_stochastic_and_isolated_keep_their_view():
    ties = np.zeros((4, 4))
    ties[0, 1] = ties[1, 0] = 2.0
    ties[0, 2] = ties[2, 0] = 1.0
    w = influence_matrix(ties, np.full(4, 0.3))
    assert np.allclose(w.sum(axis=1), 1.0)
    assert w[3, 3] == 1.0  # no ties: listens only to itself
    assert np.isclose(w[0, 1], 0.2) and np.isclose(w[0, 2], 0.1) and np.isclose(w[0, 0], 0.7)


def test_ties_weight_levels_and_exclude_self():
    ties = np.zeros((3, 3))
    add_ties(ties, np.array([0, 2]), np.array([1.0, 0.3]))  # a head and an official
    assert ties[0, 2] == ties[2, 0] == 0.3
    assert np.all(np.diag(ties) == 0) and ties[1].sum() == 0
    add_ties(ties, np.array([0, 2]), np.array([1.0, 0.3]))
    assert ties[0, 2] == 0.6  # meetings add up


@settings(max_examples=60, deadline=None)
@given(
    arrays(float, (5, 2), elements=st.floats(0, 1)),
    arrays(float, (5, 5), elements=st.floats(0, 5)),
    arrays(float, 5, elements=st.floats(0.05, 1)),
)
def test_positions_stay_in_unit_interval(u, ties, stubbornness):
    ties = ties + ties.T
    w = influence_matrix(ties, np.full(5, 0.5))
    x = u.copy()
    for _ in range(20):
        x = fj_step(x, u, w, 1.0 - stubbornness)
        assert np.all(x >= -1e-12) and np.all(x <= 1 + 1e-12)


def test_add_ties_with_precomputed_pairs_and_on_a_strided_matrix():
    rng = np.random.default_rng(4)
    att = np.array([4, 1, 6, 3])
    g = rng.uniform(0.1, 1.0, 4)
    expected = np.zeros((8, 8))
    for a, ga in zip(att, g, strict=True):
        for b, gb in zip(att, g, strict=True):
            if a != b:
                expected[a, b] += ga * gb
    plain = np.zeros((8, 8))
    add_ties(plain, att, g)
    given_pairs = np.zeros((8, 8))
    add_ties(given_pairs, att, g, pair_index(att, 8))
    strided = np.zeros((8, 8), order="F")  # not C-contiguous: the fancy-index path
    add_ties(strided, att, g)
    for ties in (plain, given_pairs, strided):
        assert np.array_equal(ties, expected)


def _influence_reference(ties, openness):
    """influence_matrix as first written (boolean masks), to hold the faster one to it."""
    n = ties.shape[0]
    totals = ties.sum(axis=1)
    has = totals > 0
    w = np.zeros_like(ties)
    w[has] = ties[has] / totals[has, None] * openness[has, None]
    w[np.arange(n), np.arange(n)] += np.where(has, 1.0 - openness, 1.0)
    return w


def test_influence_matrix_is_bit_for_bit_the_masked_formula():
    rng = np.random.default_rng(8)
    ties = rng.random((9, 9)) * (rng.random((9, 9)) < 0.4)
    ties = ties + ties.T
    np.fill_diagonal(ties, 0.0)
    ties[3] = ties[:, 3] = 0.0  # an actor with no ties keeps its own view
    openness = rng.uniform(0.1, 0.9, 9)
    assert np.array_equal(influence_matrix(ties, openness), _influence_reference(ties, openness))
