"""Attendance: who comes to a meeting, and at what level.

Each invitee weighs the value of being in the room against the cost of going, at each
level (absent, official, minister, head of government), with a random taste term so that
the same scenario with other seeds shows plausible variety. Value grows with the
actor's commitment to multilateral forums, its attention to the forum's theatre, the
forum's standing with it, the salience of the agenda and the threat it feels; cost grows
with distance from the theatre and with seniority.

The taste term is a shock to the cost of going (a cabinet crisis, a clash of dates, a
long flight at a bad time), so its size is a share of the cost of attending
(``attendance_noise`` x ``attendance_cost``): how often an actor's choice departs from
its interest depends on how its interest compares with the cost, whatever units the
cost is counted in. An actor that gains nothing from a forum then stays away from most of
its meetings however cheap going is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from latticesim.mechanisms.socialisation import LEVEL_WEIGHT

if TYPE_CHECKING:
    from latticesim.scenario.parameters import Parameters

LEVEL_NAMES = ("absent", "official", "minister", "head")
LEVEL_GAIN = np.array([0.0, 0.35, 0.7, 1.0])
LEVEL_COST = np.array([0.0, 0.03, 0.08, 0.16])
MEETING_MAX_LEVEL = {"officials": 1, "ministerial": 2, "summit": 3}
MEETING_IMPORTANCE = {"officials": 0.4, "ministerial": 0.7, "summit": 1.0}


def taste_scale(params: Parameters) -> float:
    """Scale of the Gumbel taste shocks: a share of the cost of attending (module doc)."""
    return params.attendance_noise * params.attendance_cost


def value_base(commitment: np.ndarray, attention: np.ndarray) -> np.ndarray:
    """The first factors of :func:`meeting_value`: commitment x attention to the theatre.

    They change only on events, so the model keeps them per forum between events.
    """
    return commitment * attention


def threat_factor(threat: np.ndarray) -> np.ndarray:
    """The threat factor of :func:`meeting_value`: 1 + the largest threat an actor feels.

    It changes once a quarter, so the model computes it once for all the quarter's meetings.
    """
    return 1.0 + threat


def meeting_value(
    base: np.ndarray,
    standing: np.ndarray,
    agenda_salience: np.ndarray | float,
    threat: np.ndarray,
    importance: float,
) -> np.ndarray:
    """Expected value of a meeting to each invitee (arguments per invitee but importance).

    ``commitment x attention x (0.25 + standing) x agenda salience x (1 + threat) x
    importance``, multiplied in that order. The factors that change only on events or once
    a quarter come in already made, so the model can keep them between meetings.

    Args:
        base: :func:`value_base`, commitment x attention to the forum's theatre.
        standing: the forum's standing with each invitee.
        agenda_salience: each invitee's mean salience of the dimensions the forum
            discusses (0.5 for a forum that discusses none).
        threat: :func:`threat_factor`, 1 + the largest threat each invitee feels.
        importance: the meeting level's importance (``MEETING_IMPORTANCE``).
    """
    value = base * (0.25 + standing)
    value *= agenda_salience
    value *= threat
    value *= importance
    return value


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
    return best_levels(value, level_costs(distance, cost_scale), max_level, noise)


def level_costs(distance: np.ndarray, cost_scale: float) -> np.ndarray:
    """Cost of coming at each level (invitees x 4): seniority times distance.

    It depends only on who is invited and from how far, so the model keeps it per forum
    until its membership changes instead of recomputing it at every meeting.
    """
    return LEVEL_COST[None, :] * (cost_scale * distance)[:, None]


def preoccupation_now(amount: float, fade: float, elapsed: int) -> float:
    """What is left of a preoccupation ``elapsed`` quarters after it began.

    ``amount x (1 - fade) ^ elapsed``: the added cost of attending, as a share of the
    usual cost (the cost of coming at each level is multiplied by 1 + this).
    """
    return amount * (1.0 - fade) ** elapsed


def preoccupied(distance: np.ndarray, extra: np.ndarray) -> np.ndarray:
    """The travel factor of preoccupied invitees: the cost of every level times 1 + extra.

    Costs are seniority x ``attendance_cost`` x distance, so scaling the distance scales
    the cost of every level alike (:func:`level_costs`).
    """
    return distance * (1.0 + extra)


def convener_complement(
    value: np.ndarray, convener_level: int, max_level: int, complementarity: float
) -> np.ndarray:
    """The meeting's value to the invitees once they know the convener's delegation.

    Much of a summit's worth is meeting the convener's leader (the host, the United
    States at NATO): the value falls by ``complementarity`` times the gap between the
    weight of the convener's level and the top level's, ``1 - k (1 - g_c / g_top)``
    (weights of :data:`~latticesim.mechanisms.socialisation.LEVEL_WEIGHT`). The others
    then choose again, against the same shocks: a best response to the convener's level.
    """
    gap = 1.0 - LEVEL_WEIGHT[convener_level] / LEVEL_WEIGHT[max_level]
    return value * (1.0 - complementarity * gap)


def side_meeting_value(
    value: np.ndarray, invitees: np.ndarray, sides: list[tuple[np.ndarray, float]]
) -> np.ndarray:
    """The value of coming with the side meetings planned at the meeting: times 1 + value.

    A bilateral or a leaders' group planned on the side of a summit is a reason to come in
    person (ODD 7.4); an actor in two of them gains both.
    """
    value = value.copy()
    for rows, bonus in sides:
        value[np.isin(invitees, rows)] *= 1.0 + bonus
    return value


def best_levels(
    value: np.ndarray, cost: np.ndarray, max_level: int, noise: np.ndarray
) -> np.ndarray:
    """Level codes maximising gain * value - cost + noise, given :func:`level_costs`."""
    top = max_level + 1
    utility = np.multiply.outer(value, LEVEL_GAIN[:top])
    utility -= cost[:, :top]
    utility += noise[:, :top]
    return utility.argmax(axis=1)
