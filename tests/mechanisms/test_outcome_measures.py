"""Joint coordination and the leading platform's margin (ODD 7.10), against hand-worked answers."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from latticesim.mechanisms.metrics import (
    LEADER_MARGIN,
    joint_coordination,
    joint_texts,
    leading_forum,
)


def test_joint_texts_keeps_each_pairs_weightiest_text_per_dimension():
    # Two Euro-Atlantic actors (a) and two Indo-Pacific ones (b). Meeting 1: a0 and b0
    # adopt a decided text on dimension 0. Meeting 2: a0, a1 and b1 adopt a chair's
    # statement (0.5) on dimension 0 and a decided text on dimension 1.
    present_a = np.array([[True, False], [True, True]])
    present_b = np.array([[True, False], [False, True]])
    texts = np.array([[1.0, 0.0], [0.5, 1.0]])
    joint = joint_texts(present_a, present_b, texts)
    assert joint.shape == (2, 2, 2)
    assert joint[0].tolist() == [[1.0, 0.5], [0.0, 0.5]]
    assert joint[1].tolist() == [[0.0, 1.0], [0.0, 1.0]]


def test_joint_texts_of_no_meeting_is_nothing_said():
    empty = np.zeros((0, 3), dtype=bool)
    assert joint_texts(empty, empty[:, :2], np.zeros((0, 4))).shape == (4, 3, 2)
    assert not joint_texts(empty, empty, np.zeros((0, 4))).any()


def test_joint_coordination_hand_computed():
    # Euro-Atlantic a0, a1 care only about dimension 0, Indo-Pacific b0 only about 1;
    # capability 1, 2 and 1. Pair (a0, b0): weight 1, mean saliences 0.5 and 0.5,
    # nothing said together. Pair (a1, b0): weight 2, the same saliences, a chair's
    # statement on dimension 0 (0.5) and an agreed text on 1: 0.5 x 0.5 + 0.5 x 1.
    # (2 x 0.75) / (1 x 1 + 2 x 1) = 0.5
    joint = np.zeros((2, 2, 1))
    joint[0, 1, 0] = 0.5
    joint[1, 1, 0] = 1.0
    salience = (np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([[0.0, 1.0]]))
    weights = (np.array([1.0, 2.0]), np.array([1.0]))
    pairs = np.ones((2, 1), dtype=bool)
    assert joint_coordination(joint, salience, weights, pairs) == pytest.approx(0.5)
    # a pair that does not count changes nothing, whatever it said
    assert joint_coordination(joint, salience, weights, np.array([[False], [True]])) == 0.75


def test_a_group_within_one_theatre_counts_each_pair_once_each_way():
    # sides a and b are the same three actors; the diagonal does not count
    s = np.array([[1.0], [1.0], [1.0]])
    w = np.ones(3)
    joint = np.zeros((1, 3, 3))
    joint[0, 0, 1] = joint[0, 1, 0] = 1.0  # actors 0 and 1 spoke together, 2 with nobody
    value = joint_coordination(joint, (s, s), (w, w), ~np.eye(3, dtype=bool))
    assert value == pytest.approx(1 / 3)  # one pair of three


@given(
    arrays(float, (2, 3, 4), elements=st.sampled_from([0.0, 0.5, 1.0])),
    arrays(float, (3, 2), elements=st.floats(0.01, 1.0)),
    arrays(float, (4, 2), elements=st.floats(0.01, 1.0)),
    arrays(float, 3, elements=st.floats(0.01, 10.0)),
    arrays(float, 4, elements=st.floats(0.01, 10.0)),
)
def test_joint_coordination_is_a_share_between_nothing_and_everything(joint, sa, sb, wa, wb):
    pairs = np.ones((3, 4), dtype=bool)
    value = joint_coordination(joint, (sa, sb), (wa, wb), pairs)
    assert -1e-12 <= value <= 1 + 1e-12
    full = joint_coordination(np.ones_like(joint), (sa, sb), (wa, wb), pairs)
    assert full == pytest.approx(1)
    assert joint_coordination(np.zeros_like(joint), (sa, sb), (wa, wb), pairs) == 0.0


def test_joint_coordination_without_pairs_is_undefined():
    one = np.ones((1, 1))
    value = joint_coordination(np.ones((1, 1, 1)), (one, one), (np.ones(1),) * 2, one < 0)
    assert math.isnan(value)


def test_the_incumbent_keeps_the_lead_until_passed_by_the_margin():
    shares = np.array([0.20, 0.19, 0.10])
    assert leading_forum(shares, None) == 0  # no incumbent: the largest share
    assert leading_forum(np.array([0.19, 0.20, 0.10]), 0) == 0  # ahead by 0.01: kept
    passed = np.array([0.17, 0.17 + LEADER_MARGIN + 0.001, 0.10])
    assert leading_forum(passed, 0) == 1
    level = np.array([0.17, 0.17 + LEADER_MARGIN, 0.10])
    assert leading_forum(level, 0) == 0  # by exactly the margin is not beyond it
    assert leading_forum(np.array([0.2, 0.25]), 0, margin=0.1) == 0
