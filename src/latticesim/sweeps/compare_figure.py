"""The figure of a comparison: arms side by side over time, and their paired differences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from latticesim.common.quarters import decimal_years
from latticesim.sweeps.plotting import BAND, PANEL_H, PANEL_W, colours, style
from latticesim.sweeps.stats import quantile_band, t_half_width

__all__ = ["fig_compare"]


def fig_compare(
    series: pd.DataFrame, arms: Sequence[str], metrics: Sequence[str], level: float = 0.95
) -> Figure:
    """Arms side by side (median and 10-90% band over time) and their paired differences.

    One row per metric; one column per arm with a shared y axis, so the eye compares
    levels across a row; and a last column with each arm's mean paired difference from
    the first arm and its confidence interval (zero marked): the comparison proper.
    """
    ncols = len(arms) + (1 if len(arms) > 1 else 0)
    nrows = len(metrics)
    fig = Figure(figsize=(ncols * PANEL_W, nrows * PANEL_H + 0.9))
    palette = colours(len(arms))
    x_all = decimal_years(series["date"]) if len(series) else np.zeros(0)
    series = series.assign(_x=x_all)
    for row, metric in enumerate(metrics):
        first = None
        for col, arm in enumerate(arms):
            ax = fig.add_subplot(nrows, ncols, row * ncols + col + 1, sharey=first)
            first = first or ax
            _draw_arm(ax, series[series["arm"] == arm], metric, palette[col])
            if row == 0:
                ax.set_title(arm, fontsize=9)
            if col == 0:
                ax.set_ylabel(metric, fontsize=8)
        if len(arms) > 1:
            ax = fig.add_subplot(nrows, ncols, row * ncols + ncols)
            _draw_differences(ax, series, arms, metric, level, palette)
            if row == 0:
                ax.set_title(f"difference from {arms[0]}\n(paired, {level:.0%} CI)", fontsize=8)
                if len(arms) > 2:
                    ax.legend(fontsize=6, frameon=False)
    fig.suptitle("Median and 10-90% band across replications (common random numbers)", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    return fig


def _draw_arm(ax: Axes, sub: pd.DataFrame, metric: str, colour: Any) -> None:
    """One arm's median over time and its band across replications."""
    band = quantile_band(sub, metric, ["_x"], *BAND)
    ax.fill_between(band["_x"], band["lo"], band["hi"], color=colour, alpha=0.25, linewidth=0)
    ax.plot(band["_x"], band["median"].to_numpy(), color=colour, linewidth=1.4)
    style(ax)


def _draw_differences(
    ax: Axes,
    series: pd.DataFrame,
    arms: Sequence[str],
    metric: str,
    level: float,
    palette: Sequence[Any],
) -> None:
    """Each arm's mean paired difference from the first arm over time, with its interval."""
    base = series[series["arm"] == arms[0]].set_index(["replication", "step"])[metric]
    for k, arm in enumerate(arms[1:], start=1):
        other = series[series["arm"] == arm].set_index(["replication", "step"])
        d = (other[metric] - base).dropna().rename("d").reset_index()
        x = other["_x"].groupby(level="step").first()
        g = d.groupby("step")["d"]
        mean, std, n = g.mean(), g.std(ddof=1), g.count()
        half = t_half_width(std.to_numpy(), n.to_numpy(), level)
        xs = x.reindex(mean.index).to_numpy()
        ax.fill_between(xs, mean - half, mean + half, color=palette[k], alpha=0.25, linewidth=0)
        ax.plot(xs, mean.to_numpy(), color=palette[k], linewidth=1.4, label=arm)
    ax.axhline(0, color="black", linewidth=0.6)
    style(ax)
