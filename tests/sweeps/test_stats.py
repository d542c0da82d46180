"""Statistics of replications: t intervals, paired differences, bands, shares' errors."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from latticesim.sweeps.stats import (
    mean_ci,
    paired_differences,
    quantile_band,
    share_standard_error,
    t_half_width,
)


def test_mean_ci_is_students_t_interval():
    x = np.array([0.1, 0.3, -0.2, 0.5, 0.05, 0.2])
    mean, lo, hi = mean_ci(x, 0.95)
    half = stats.t.ppf(0.975, 5) * x.std(ddof=1) / math.sqrt(6)
    assert mean == pytest.approx(x.mean())
    assert (lo, hi) == pytest.approx((x.mean() - half, x.mean() + half))
    assert mean_ci([1.0, np.nan, 3.0])[0] == 2.0
    assert math.isnan(mean_ci([2.0])[1]) and math.isnan(mean_ci([])[0])
    assert mean_ci(x, 0.99)[2] > hi


def test_paired_differences_pair_by_replication_and_drop_missing():
    base = pd.Series([1.0, 2.0, 3.0, np.nan], index=[0, 1, 2, 3])
    other = pd.Series([4.0, 1.5, 3.5], index=[2, 1, 0])
    d = paired_differences(base, other)
    assert d.sort_index().to_dict() == {0: 2.5, 1: -0.5, 2: 1.0}


def test_quantile_band_per_group():
    frame = pd.DataFrame({"g": [1] * 11 + [2] * 3, "v": list(range(11)) + [5, 5, 5]})
    band = quantile_band(frame, "v", ["g"]).set_index("g")
    assert band.loc[1, "median"] == 5 and band.loc[1, "lo"] == 1 and band.loc[1, "hi"] == 9
    assert band.loc[2].to_dict() == {"median": 5, "lo": 5, "hi": 5, "n": 3}


def test_quantile_band_leaves_out_unused_levels_of_a_category():
    level = pd.Categorical(["a", "a", "c"], categories=["a", "b", "c"])
    frame = pd.DataFrame({"level": level, "v": [1.0, 3.0, 7.0]})
    band = quantile_band(frame, "v", ["level"])
    assert list(band["level"]) == ["a", "c"] and list(band["median"]) == [2.0, 7.0]


def test_t_half_width_per_element_and_none_below_two_values():
    std = np.array([0.5, 0.5, 2.0, 1.0])
    n = np.array([1, 2, 10, 0])
    half = t_half_width(std, n, 0.9)
    assert math.isnan(half[0]) and math.isnan(half[3])
    assert half[1] == pytest.approx(stats.t.ppf(0.95, 1) * 0.5 / math.sqrt(2))
    assert half[2] == pytest.approx(stats.t.ppf(0.95, 9) * 2.0 / math.sqrt(10))
    scalar = t_half_width(2.0, 10, 0.9)
    assert isinstance(scalar, float) and scalar == half[2]


def test_mean_ci_is_the_mean_plus_and_minus_the_half_width_exactly():
    x = np.array([0.3, -0.1, 0.25, 0.4, 0.05])
    mean, lo, hi = mean_ci(x, 0.95)
    half = t_half_width(x.std(ddof=1), x.size, 0.95)
    assert (lo, hi) == (mean - half, mean + half)


def test_share_standard_error_is_binomial_and_never_zero():
    assert share_standard_error(0.5, 100) == pytest.approx(0.05)
    assert share_standard_error(0.2, 25) == pytest.approx(math.sqrt(0.16 / 25))
    assert 0 < share_standard_error(1.0, 30) < 1e-6
    assert share_standard_error(0.0, 0) == pytest.approx(1e-6)
