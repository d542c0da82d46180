"""The worked meetings of ODD 7.5 and 7.6, number by number.

Each test reproduces one worked example of docs/odd.md with the pure functions the
model calls, from the packaged 2024 values quoted there; if a function changes, the
document's arithmetic has to change with it.
"""

import numpy as np
import pytest

from latticesim.mechanisms.rules import (
    anticipated_drafts,
    consensus,
    convener_target,
    engagement,
    named_strength,
    reach,
    tables,
    tolerance_radius,
    weighted_majority,
)

US_CHINA, US_SALIENCE, US_TOLERANCE, US_RECORDED = 0.88, 0.90, 0.30, 0.85
HUNGARY_CHINA, HUNGARY_CHINA_SALIENCE, HUNGARY_TOLERANCE = 0.25, 0.50, 0.28
FRANCE_CHINA, FRANCE_CHINA_SALIENCE, FRANCE_TOLERANCE = 0.50, 0.60, 0.25
MEDIAN, MODERATION = 0.60, 0.3


def test_worked_draft_nato_china_text_at_full_and_at_retrenched_commitment():
    # ODD 7.5, worked meeting 1: the engaged US aims at 0.776, inside every window
    engaged = float(engagement(np.array([US_SALIENCE]), 0.85, US_RECORDED)[0])
    assert engaged == pytest.approx(0.90)
    target = convener_target(US_CHINA, MEDIAN, MODERATION, engaged)
    assert target == pytest.approx(0.7764, abs=1e-4)
    x = np.array([[US_CHINA], [HUNGARY_CHINA], [FRANCE_CHINA]])
    radius = tolerance_radius(
        np.array([US_TOLERANCE, HUNGARY_TOLERANCE, FRANCE_TOLERANCE])[:, None],
        np.array([[US_SALIENCE], [HUNGARY_CHINA_SALIENCE], [FRANCE_CHINA_SALIENCE]]),
    )
    assert float(HUNGARY_CHINA + radius[1, 0]) == pytest.approx(0.81)  # Hungary's limit
    own, own_reach = np.array([US_CHINA]), reach(radius[0])
    draft = anticipated_drafts(np.array([target]), x, reach(radius), own, own_reach)
    assert draft[0] == pytest.approx(0.7764, abs=1e-4)
    # a US that asked for all it wants (0.88) would be held to Hungary's limit
    held = anticipated_drafts(np.array([0.88]), x, reach(radius), own, own_reach)
    assert held[0] == pytest.approx(0.81, abs=1e-9)
    # retrenched, commitment 0.45: engagement 0.476 and a target of 0.693
    engaged = float(engagement(np.array([US_SALIENCE]), 0.45, US_RECORDED)[0])
    assert engaged == pytest.approx(0.4765, abs=1e-4)
    assert convener_target(US_CHINA, MEDIAN, MODERATION, engaged) == pytest.approx(0.6934, abs=1e-4)


def test_worked_agenda_of_a_retrenched_convener():
    # ODD 7.5, worked meeting 2: NATO's four default items, China, NATO's reach, Ukraine
    # and economic security, with the US's 2024 saliences at commitment 0.45
    salience = np.array([0.90, 0.75, 0.80, 0.85])
    engaged = engagement(salience, 0.45, US_RECORDED)
    assert engaged.round(3).tolist() == [0.476, 0.397, 0.424, 0.45]
    kept = tables(engaged, 0.45 / US_RECORDED, 0.2)
    assert kept.tolist() == [True, False, True, True]  # ceil(4 x 0.53) = 3: reach dropped
    assert tables(engagement(salience, 0.85, US_RECORDED), 1.0, 0.2).all()


def test_worked_eu_ukraine_text_under_unanimity_and_under_majority():
    # ODD 7.6, worked meeting 3: Hungary (0.20 on Ukraine, salience 0.45, tolerance
    # 0.28) accepts up to 0.20 + 0.28 / 0.45 = 0.822; a draft of 0.85 from a room at 0.85
    positions = np.array([0.85, 0.85, 0.20])
    radius = np.array([0.4, 0.4, 0.28 / 0.45])
    weights = np.array([0.5, 0.4, 0.1])
    unanimity = consensus(0.85, positions, radius, weights, max_rounds=2, watering=0.3)
    # blocked, redrafted 0.85 + 0.3 (0.20 - 0.85) = 0.655, adopted: Hungary watered it down
    assert unanimity.adopted and unanimity.strength == pytest.approx(0.655)
    assert unanimity.watered_by == (2,)
    majority = weighted_majority(positions, radius, weights, threshold=0.65)
    # the weighted median, 0.85, passes with 90% of the weight: Hungary outvoted
    assert majority.adopted and majority.strength == pytest.approx(0.85)
    assert majority.blockers == (2,)


def test_worked_naming_norm_of_the_quad():
    # ODD 7.6, worked meeting 4: the Quad's members agree 0.85 on China; its norm (0.3)
    assert named_strength(0.85, 0.3) == 0.3
    assert named_strength(0.25, 0.3) == 0.25
    assert named_strength(0.85, None) == 0.85
    assert np.isnan(named_strength(float("nan"), 0.3))  # a failed item stays failed
