"""Forum standing: actors value forums by what they deliver on what they care about.

After each meeting every invitee scores it: an adopted text is worth its closeness to the
invitee's own view, weighted by salience; a blocked item is worth nothing to those who
would have accepted it and is neutral to its blockers; a meeting that failed to meet is
worth nothing. Standing moves a step toward the score (a learning rate), so forums that
keep delivering gain standing and forums that keep blocking lose it.
"""

from __future__ import annotations

import numpy as np

BLOCKER_VALUE = 0.5


def meeting_reward(
    positions: np.ndarray,
    salience: np.ndarray,
    strengths: np.ndarray,
    adopted: np.ndarray,
    blocked_by: np.ndarray,
    text_weight: float | np.ndarray,
) -> np.ndarray:
    """Score of one meeting for each invitee, in [0, 1].

    Args:
        positions: invitees x items, each invitee's position on each item's dimension.
        salience: invitees x items, salience of each item's dimension.
        strengths: items, adopted strengths (ignored where not adopted).
        adopted: items, bool.
        blocked_by: invitees x items, bool, True where the invitee blocked the failed item.
        text_weight: per item (or one for all): 1 for an agreed text, less for a chair's
            statement, times the weight of the room that agreed it.
    """
    if strengths.size == 0:
        return np.full(positions.shape[0], BLOCKER_VALUE)
    if adopted.all():
        return adopted_reward(positions, salience, strengths, text_weight)
    closeness = 1.0 - np.abs(positions - np.where(adopted, strengths, 0.0)[None, :])
    value = np.where(
        adopted[None, :], text_weight * closeness, np.where(blocked_by, BLOCKER_VALUE, 0.0)
    )
    return _salience_weighted(salience, value)


def adopted_reward(
    positions: np.ndarray,
    salience: np.ndarray,
    strengths: np.ndarray,
    text_weight: float | np.ndarray,
) -> np.ndarray:
    """:func:`meeting_reward` of a meeting that adopted every item (most meetings).

    Every value is then a weighted closeness; the numbers are those of the general
    formula, computed with fewer temporary arrays.
    """
    value = positions - strengths
    np.abs(value, out=value)
    np.subtract(1.0, value, out=value)
    value = np.multiply(text_weight, value, out=value)
    return _salience_weighted(salience, value)


def _salience_weighted(salience: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Salience-weighted mean of each invitee's values.

    An invitee that cares about none of the items gets the blocker's (neutral) value.
    """
    total = salience.sum(axis=1)
    score = (salience * value).sum(axis=1) / np.maximum(total, 1e-9)
    return np.where(total > 0, score, BLOCKER_VALUE)


def learn(standing: np.ndarray, reward: np.ndarray, rate: np.ndarray | float) -> np.ndarray:
    """Move standing a share ``rate`` of the way toward the reward."""
    return standing + rate * (reward - standing)
