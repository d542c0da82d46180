"""Attendance: who comes to a meeting, and at what level.

Each invitee weighs the value of being in the room against the cost of going, at each
level (absent, official, minister, head of government), with a random taste term so that
the same scenario with other seeds shows plausible variety. Value grows with the
actor's commitment to multilateral forums, its attention to the forum's theatre, the
forum's standing with it, the salience of the agenda and the threat it feels; cost grows
with distance from the theatre and with seniority.
"""

from __future__ import annotations

import numpy as np

LEVEL_NAMES = ("absent", "official", "minister", "head")
LEVEL_GAIN = np.array([0.0, 0.35, 0.7, 1.0])
LEVEL_COST = np.array([0.0, 0.03, 0.08, 0.16])
MEETING_MAX_LEVEL = {"officials": 1, "ministerial": 2, "summit": 3}
MEETING_IMPORTANCE = {"officials": 0.4, "ministerial": 0.7, "summit": 1.0}


def meeting_value(
    commitment: np.ndarray,
    attention: np.ndarray,
    standing: np.ndarray,
    agenda_salience: np.ndarray,
    threat: np.ndarray,
    importance: float,
) -> np.ndarray:
    """Expected value of a meeting to each invitee (all arguments are per invitee)."""
    return (
        commitment * attention * (0.25 + standing) * agenda_salience * (1.0 + threat) * importance
    )


def choose_levels(
    value: np.ndarray,
    distance: np.ndarray,
    cost_scale: float,
    max_level: int,
    noise: np.ndarray,
) -> np.ndarray:
    """Level codes (0 absent ... 3 head) maximising gain * value - cost * distance + noise.

    Args:
        value: per invitee, from :func:`meeting_value`.
        distance: per invitee travel factor (1 near, up to about 1.6 far).
        cost_scale: the scenario's attendance cost multiplier.
        max_level: highest level the meeting invites (3 for a summit).
        noise: invitees x 4 random taste terms (zeros for a deterministic choice).
    """
    levels = slice(0, max_level + 1)
    utility = (
        LEVEL_GAIN[None, levels] * value[:, None]
        - LEVEL_COST[None, levels] * (cost_scale * distance)[:, None]
        + noise[:, levels]
    )
    return np.argmax(utility, axis=1)
