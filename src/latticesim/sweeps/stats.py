"""Statistics of replications: intervals of means, paired differences, bands and shares.

Every number a comparison, a sweep figure, the hindcast fit or a contrast script reports
about many runs goes through these few functions, so that "the 95% interval" means the
same computation in a table, on a figure and in the teaching notes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "mean_ci",
    "paired_differences",
    "quantile_band",
    "share_standard_error",
    "t_half_width",
]


def t_half_width(
    std: float | np.ndarray, n: float | np.ndarray, level: float = 0.95
) -> float | np.ndarray:
    """Half the Student-t confidence interval of a mean, from the sample's std and size.

    Works on arrays, one interval per element (a figure's quarters), and on scalars.
    With fewer than two values the variance cannot be estimated: NaN, not a guess.
    """
    # the t quantile (what scipy.stats.t.ppf computes) without importing scipy.stats
    from scipy.special import stdtrit

    size = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stdtrit(np.maximum(size - 1, 1), 0.5 + level / 2)
        half = t * np.asarray(std, dtype=float) / np.sqrt(size)
    half = np.where(size >= 2, half, np.nan)
    return float(half) if half.ndim == 0 else half


def mean_ci(
    values: Sequence[float] | np.ndarray, level: float = 0.95
) -> tuple[float, float, float]:
    """Mean of ``values`` and its Student-t confidence interval at ``level`` (NaNs dropped).

    The t interval is right for paired differences over a few dozen replications
    (their distribution is close to normal, and the variance is estimated); with fewer
    than two values there is no interval, and NaNs say so.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if x.size < 2:
        return mean, math.nan, math.nan
    half = t_half_width(x.std(ddof=1), x.size, level)
    return mean, mean - half, mean + half


def paired_differences(base: pd.Series, other: pd.Series) -> pd.Series:
    """``other - base`` for each replication both have a value for (index: replication).

    Pairing on the replication is what common random numbers buy: both values of a pair
    saw the same random streams. A replication that failed (or is NaN) in either arm is
    left out rather than compared with an unrelated one.
    """
    joined = pd.concat({"base": base, "other": other}, axis=1).dropna()
    return joined["other"] - joined["base"]


def quantile_band(
    frame: pd.DataFrame, value: str, by: Sequence[str], lo: float = 0.1, hi: float = 0.9
) -> pd.DataFrame:
    """Median and the ``lo``-``hi`` quantile band of ``value`` within each group of ``by``.

    Groups that hold no rows (an unused level of a categorical) are left out.
    """
    grouped = frame.groupby(list(by), sort=True, observed=True)[value]
    out = pd.DataFrame(
        {
            "median": grouped.median(),
            "lo": grouped.quantile(lo),
            "hi": grouped.quantile(hi),
            "n": grouped.count(),
        }
    )
    return out.reset_index()


def share_standard_error(share: float, n: int) -> float:
    """Binomial standard error of a share of ``n`` replications.

    Floored above zero, so that a share of 0 or 1 (all or none held) still carries some
    uncertainty: a handful of replications that all agree do not prove a certainty.
    """
    return float(np.sqrt(max(share * (1 - share), 1e-12) / max(n, 1)))
