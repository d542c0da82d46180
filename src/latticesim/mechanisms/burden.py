"""Burden sharing as a dimension: spending pledges and the defence effort behind them.

A text on ``burden_sharing`` says how much its signatories pledge to spend on defence.
The coding follows NATO's own steps (docs/odd.md, section 7.3):

====  ==============================================================  ============
code  the text                                                        pledge
====  ==============================================================  ============
0     burden sharing not mentioned                                    none
0.2   a general call for fairer burden sharing                        1.0% of GDP
0.4   the Wales pledge reaffirmed: move towards 2% within a decade    1.5%
0.6   2% as a floor, "at least 2%" (Vilnius 2023, Washington 2024)    2.0%
0.8   a higher target with a date (3.5% core defence, The Hague 2025) 3.5%
1.0   5% of GDP (The Hague 2025's total, defence and resilience)      5.0%
====  ==============================================================  ============

Two small maps tie the dimension to the defence-effort submodel both ways. An ally
supports the strongest pledge it already meets or nearly meets (it costs it nothing and
moves the burden to others), so its ideal point follows its own effort
(:func:`pledge_support`); and an adopted pledge pulls the effort of those below it toward
it (:func:`pledge_target`), so a stronger text raises spending, which raises support for
the next one.
"""

from __future__ import annotations

import numpy as np

PLEDGE_EFFORT: tuple[float, ...] = (0.0, 1.0, 1.5, 2.0, 3.5, 5.0)
"""Defence effort (% of GDP) at each code of :data:`PLEDGE_CODES`."""

PLEDGE_CODES: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
"""The coding scale of burden-sharing texts (module docstring)."""


def pledge_support(defence_pct: np.ndarray | float) -> np.ndarray:
    """The pledge an actor would sign up to, on the coding scale, from its own effort.

    Piecewise linear through the coding table: an ally at 2% of GDP supports "at least
    2%" (0.6), one at 1.28% (Spain, 2024) about 0.31, one at 3.38% (the US) about 0.78.
    Efforts above 5% support the strongest text (1.0).
    """
    return np.interp(np.asarray(defence_pct, dtype=float), PLEDGE_EFFORT, PLEDGE_CODES)


def pledged_effort(strength: float) -> float:
    """The defence effort (% of GDP) an adopted text of this strength pledges.

    The inverse of :func:`pledge_support`: 0.6 pledges 2%, 0.4 the 1.5% on the way
    to it that the Wales pledge asks for.
    """
    return float(np.interp(strength, PLEDGE_CODES, PLEDGE_EFFORT))


def pledge_target(target: np.ndarray, pledge: np.ndarray, compliance: float) -> np.ndarray:
    """The effort an actor aims at once it has signed a pledge.

    ``target + compliance x max(0, pledge - target)``: an actor whose threat already asks
    for more than its pledge is unmoved; one below it closes ``compliance`` of the gap.
    ``pledge`` is 0 for actors that signed none, which leaves them where the threat puts
    them.
    """
    return target + compliance * np.maximum(pledge - target, 0.0)


SALIENCE_AT_TARGET = 0.3
"""Salience of burden sharing to an ally that meets 2% of GDP (code 0.6) or more."""


def shortfall_salience(support: np.ndarray | float) -> np.ndarray:
    """How much an ally cares about the spending pledge, from how far it falls short of 2%.

    ``0.3 + 0.7 x min(1, max(0, 0.6 - support) / 0.3)``: 0.3 for an ally at 2% or more,
    rising to 1 for one at 1% or less. A pledge above one's own effort is a budget fight
    at home (Spain's exemption from the 5% of The Hague, 2025; Canada's years below 1.4%),
    so the laggards weigh the text most; the packaged saliences of NATO's members follow
    this rule (the United States, the standing asker, is set apart in ``positions.csv``).
    """
    short = np.clip((0.6 - np.asarray(support, dtype=float)) / 0.3, 0.0, 1.0)
    return SALIENCE_AT_TARGET + 0.7 * short
