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
    # Meeting 1: actors 0 and 1 adopt a decided text on dimension 0. Meeting 2: actors 1
    # and 2 adopt a chair's statement (0.5) on dimension 0 and a decided text on 1.
    present = np.array([[True, True, False], [False, True, True]])
    texts = np.array([[1.0, 0.0], [0.5, 1.0]])
    joint = joint_texts(present, texts)
    assert joint.shape == (2, 3, 3)
    assert joint[0].tolist() == [[1.0, 1.0, 0.0], [1.0, 1.0, 0.5], [0.0, 0.5, 0.5]]
    assert joint[1].tolist() == [[0.0, 0.0, 0.0], [0.0, 1.0, 1.0], [0.0, 1.0, 1.0]]


def test_joint_texts_of_no_meeting_is_nothing_said():
    assert not joint_texts(np.zeros((0, 4), dtype=bool), np.zeros((0, 3))).any()


def test_joint_coordination_hand_computed():
    # Actors 0 and 1 (Euro-Atlantic) care only about dimension 0, actor 2 (Indo-Pacific)
    # only about dimension 1; capability 1, 2, 1; only cross-theatre pairs count.
    salience = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    weights = np.array([1.0, 2.0, 1.0])
    region = np.array([0, 0, 1])
    pairs = region[:, None] != region[None, :]
    joint = np.zeros((2, 3, 3))
    joint[0, 1, 2] = joint[0, 2, 1] = 0.5  # a chair's statement on dimension 0 by 1 and 2
    joint[1, 1, 2] = joint[1, 2, 1] = 1.0  # an agreed text on dimension 1 by 1 and 2
    # pair (0, 2): weight 1, mean saliences 0.5 and 0.5, nothing said together;
    # pair (1, 2): weight 2, the same saliences, 0.5 x 0.5 + 0.5 x 1 said together.
    # (2 x 0.75) / (1 x 1 + 2 x 1) = 0.5
    assert joint_coordination(joint, salience, weights, pairs) == pytest.approx(0.5)
    # a pair within a theatre does not count, whatever it says
    joint[:, 0, 1] = joint[:, 1, 0] = 1.0
    assert joint_coordination(joint, salience, weights, pairs) == pytest.approx(0.5)


@given(
    arrays(float, (2, 4, 4), elements=st.sampled_from([0.0, 0.5, 1.0])),
    arrays(float, (4, 2), elements=st.floats(0.01, 1.0)),
    arrays(float, 4, elements=st.floats(0.01, 10.0)),
)
def test_joint_coordination_is_a_share_between_nothing_and_everything(joint, salience, weights):
    joint = np.maximum(joint, joint.transpose(0, 2, 1))  # pairs are unordered
    pairs = ~np.eye(4, dtype=bool)
    value = joint_coordination(joint, salience, weights, pairs)
    assert -1e-12 <= value <= 1 + 1e-12
    assert joint_coordination(np.ones_like(joint), salience, weights, pairs) == pytest.approx(1)
    assert joint_coordination(np.zeros_like(joint), salience, weights, pairs) == 0.0


def test_joint_coordination_without_pairs_is_undefined():
    value = joint_coordination(np.ones((1, 2, 2)), np.ones((2, 1)), np.ones(2), np.eye(2) < 0)
    assert math.isnan(value)


def test_the_incumbent_keeps_the_lead_until_passed_by_the_margin():
    shares = np.array([0.20, 0.19, 0.10])
    assert leading_forum(shares, None) == 0  # no incumbent: the largest share
    assert leading_forum(np.array([0.19, 0.20, 0.10]), 0) == 0  # ahead by 0.01: kept
    passed = np.array([0.17, 0.17 + LEADER_MARGIN + 0.001, 0.10])
    assert leading_forum(passed, 0) == 1
    level = np.array([0.17, 0.17 + LEADER_MARGIN, 0.10])
    assert leading_forum(level, 0) == 0  # by exactly the margin is not beyond it
    assert leading_forum(np.array([np.nan, 0.30, 0.40]), 0) == 2  # the incumbent is gone
    assert leading_forum(np.array([0.2, 0.25]), 0, margin=0.1) == 0
