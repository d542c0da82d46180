"""The figure of a comparison: per outcome, the arms on one axis and their paired difference.

One row per outcome, two panels: on the left the arms overlaid on one axis (a series'
median and 10-90% band over time; a one-number outcome's runs, median and 10-90%
interval per arm), so the eye compares lines, not panels; on the right each arm's
paired difference from the first arm with its confidence interval and a zero line.
Outcomes whose difference is clear come first; those within noise (every interval holds
0) follow under their own heading, in grey. Each arm's scenario events are marked on
time axes (in the arm's colour where only that arm has them, in grey where all do).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from latticesim.common.quarters import Quarter, decimal_years
from latticesim.figures.palettes import ARM_COLOURS, SPARE_COLOURS
from latticesim.sweeps.compare_table import noisy_metrics, unpaired_metrics
from latticesim.sweeps.plotting import BAND, style
from latticesim.sweeps.stats import mean_ci, paired_differences, quantile_band, t_half_width

__all__ = ["fig_compare"]

GREY = "#9a9a9a"
GREYS = ("#4d4d4d", "#b3b3b3", "#808080", "#d0d0d0")
"""Arms within noise, still told apart: the base darkest."""
ROW_H = 1.9
LEVEL_W, DIFF_W = 5.2, 3.4


class _Row(NamedTuple):
    """What a row's difference panel draws: which outcome, at which level, in which colours."""

    metric: str
    level: float
    palette: Sequence[Any]
    grey: bool


def fig_compare(
    series: pd.DataFrame,
    values: pd.DataFrame,
    table: pd.DataFrame,
    arms: Sequence[str],
    series_cols: Sequence[str],
    level: float = 0.95,
    events: Mapping[str, Sequence[tuple[str, str]]] | None = None,
) -> Figure:
    """Per outcome, the arms overlaid and their paired differences from the first arm.

    Args:
        series: the kept series of every arm (``arm``, ``replication``, ``date``, columns).
        values: one row per run: ``arm``, ``replication`` and each outcome.
        table: the comparison's table (which outcomes are within noise).
        arms: the arms, the first the base.
        series_cols: the outcomes that are series over time (the rest are one number).
        level: confidence level of the differences' intervals.
        events: per arm, its scenario's events as (quarter, type).
    """
    metrics = list(table["metric"].unique())
    noisy = set(noisy_metrics(table)) if len(arms) > 1 else set()
    unpaired = set(unpaired_metrics(table))
    order = [m for m in metrics if m not in noisy] + [m for m in metrics if m in noisy]
    diff = len(arms) > 1
    heading = 0.35 if noisy and len(noisy) < len(order) else 0.0
    fig = Figure(figsize=(LEVEL_W + (DIFF_W if diff else 0), len(order) * ROW_H + 0.9 + heading))
    grid = fig.add_gridspec(
        len(order), 2 if diff else 1, width_ratios=[LEVEL_W, DIFF_W][: 1 + diff]
    )
    palette = [*ARM_COLOURS, *SPARE_COLOURS][: len(arms)]
    series = series.assign(_x=decimal_years(series["date"]) if len(series) else np.zeros(0))
    marks = _event_marks(arms, events or {})
    for row, metric in enumerate(order):
        grey = metric in noisy
        ax = fig.add_subplot(grid[row, 0])
        if metric in series_cols:
            for k, arm in enumerate(arms):
                _draw_band(ax, series[series["arm"] == arm], metric, _tone(palette, k, grey), arm)
            _draw_events(ax, marks, palette, grey)
        else:
            _draw_runs(ax, values, arms, metric, palette, grey)
        _title(ax, metric, grey, row == len(order) - len(noisy), metric in unpaired)
        if diff:
            dx = fig.add_subplot(grid[row, 1])
            if metric in series_cols:
                _draw_series_differences(dx, series, arms, _Row(metric, level, palette, grey))
                _draw_events(dx, marks, palette, grey)
            else:
                _draw_differences(dx, values, arms, _Row(metric, level, palette, grey))
            if row == 0:
                dx.set_title(
                    f"difference from {arms[0]} (paired, {level:.0%} CI)", fontsize=8, loc="left"
                )
    fig.suptitle(
        "Arms on common random numbers: median and 10-90% of replications", fontsize=10, y=0.995
    )
    handles = [Line2D([], [], color=c, linewidth=2) for c in palette]
    fig.legend(
        handles,
        arms,
        loc="upper center",
        ncols=min(len(arms), 4),
        fontsize=7,
        frameon=False,
        bbox_to_anchor=(0.5, 0.985),
    )
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / fig.get_figheight()))
    return fig


def _tone(palette: Sequence[Any], k: int, grey: bool) -> Any:
    """Arm ``k``'s colour, or its grey in a row within noise."""
    return GREYS[k % len(GREYS)] if grey else palette[k]


def _title(ax: Axes, metric: str, grey: bool, first_noisy: bool, unpaired: bool) -> None:
    """The outcome's name over its row; the first row within noise says so above it."""
    text = f"{metric} ({'no pairs' if unpaired else 'within noise'})" if grey else metric
    ax.set_title(text, fontsize=8, loc="left", color=GREY if grey else "black")
    if grey and first_noisy:
        ax.annotate(
            "Within noise: every difference's interval holds 0 (or no pairs)",
            xy=(0, 1.32),
            xycoords="axes fraction",
            fontsize=8,
            color=GREY,
            style="italic",
        )


def _draw_band(ax: Axes, sub: pd.DataFrame, metric: str, colour: Any, label: str) -> None:
    """One arm's median over time and its band across replications."""
    band = quantile_band(sub, metric, ["_x"], *BAND)
    ax.fill_between(band["_x"], band["lo"], band["hi"], color=colour, alpha=0.18, linewidth=0)
    ax.plot(band["_x"], band["median"].to_numpy(), color=colour, linewidth=1.4, label=label)
    style(ax)


def _draw_runs(
    ax: Axes,
    values: pd.DataFrame,
    arms: Sequence[str],
    metric: str,
    palette: Sequence[Any],
    grey: bool,
) -> None:
    """A one-number outcome per arm: each run a dot, the median and the 10-90% interval."""
    rng = np.random.default_rng(0)  # jitter only spreads the dots; it is the same each time
    for k, arm in enumerate(arms):
        v = values.loc[values["arm"] == arm, metric].dropna().to_numpy(dtype=float)
        y = len(arms) - 1 - k
        colour = _tone(palette, k, grey)
        if v.size:
            ax.scatter(v, y + rng.uniform(-0.15, 0.15, v.size), s=6, color=colour, alpha=0.4)
            lo, med, hi = np.quantile(v, [BAND[0], 0.5, BAND[1]])
            ax.plot([lo, hi], [y, y], color=colour, linewidth=2.2)
            ax.plot([med], [y], marker="D", color=colour, markersize=5)
        else:
            ax.text(
                0.02,
                y,
                "empty in every run",
                transform=ax.get_yaxis_transform(),
                fontsize=6,
                color=GREY,
                va="center",
            )
    _arm_ticks(ax, arms, grey)


def _arm_ticks(ax: Axes, arms: Sequence[str], grey: bool) -> None:
    """Arms down the y axis, the first on top; a number axis (not years) along x."""
    ax.set_yticks(range(len(arms)), list(reversed(arms)), fontsize=7)
    ax.set_ylim(-0.6, len(arms) - 0.4)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=7, colors=GREY if grey else "black")
    ax.grid(axis="x", alpha=0.25, linewidth=0.5)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))


def _draw_differences(ax: Axes, values: pd.DataFrame, arms: Sequence[str], row: _Row) -> None:
    """Each arm's mean paired difference from the first arm, with its interval."""
    metric, level, palette, grey = row
    base = values[values["arm"] == arms[0]].set_index("replication")[metric]
    for k, arm in enumerate(arms[1:], start=1):
        other = values[values["arm"] == arm].set_index("replication")[metric]
        mean, lo, hi = mean_ci(paired_differences(base, other).to_numpy(), level)
        y = len(arms) - 1 - k
        colour = _tone(palette, k, grey)
        if not np.isnan(lo):
            ax.plot([lo, hi], [y, y], color=colour, linewidth=2.2)
        if not np.isnan(mean):
            ax.plot([mean], [y], marker="o", color=colour, markersize=5)
        else:
            ax.text(
                0.02,
                y,
                f"no pairs: {metric} is empty in every run of an arm",
                transform=ax.get_yaxis_transform(),
                fontsize=6,
                color=GREY,
                va="center",
            )
    ax.axvline(0, color="black", linewidth=0.7)
    _arm_ticks(ax, arms[1:] if len(arms) > 2 else [], grey)
    ax.set_ylim(-0.6, len(arms) - 1.4)
    if len(arms) == 2:
        ax.set_yticks([])


def _draw_series_differences(
    ax: Axes, series: pd.DataFrame, arms: Sequence[str], row: _Row
) -> None:
    """Each arm's mean paired difference from the first arm over time, with its interval."""
    metric, level, palette, grey = row
    base = series[series["arm"] == arms[0]].set_index(["replication", "step"])[metric]
    for k, arm in enumerate(arms[1:], start=1):
        other = series[series["arm"] == arm].set_index(["replication", "step"])
        d = (other[metric] - base).dropna().rename("d").reset_index()
        x = other["_x"].groupby(level="step").first()
        g = d.groupby("step")["d"]
        mean, std, n = g.mean(), g.std(ddof=1), g.count()
        half = t_half_width(std.to_numpy(), n.to_numpy(), level)
        xs = x.reindex(mean.index).to_numpy()
        colour = _tone(palette, k, grey)
        ax.fill_between(xs, mean - half, mean + half, color=colour, alpha=0.25, linewidth=0)
        ax.plot(xs, mean.to_numpy(), color=colour, linewidth=1.4, label=arm)
    ax.axhline(0, color="black", linewidth=0.7)
    style(ax)


def _event_marks(
    arms: Sequence[str], events: Mapping[str, Sequence[tuple[str, str]]]
) -> list[tuple[float, str, int | None]]:
    """Each event once: its time, its type, and the arm that alone has it (None: all do)."""
    held = {arm: set(events.get(arm, ())) for arm in arms}
    common = set.intersection(*held.values()) if held else set()
    marks: dict[tuple[str, str], int | None] = {e: None for e in common}
    for k, arm in enumerate(arms):
        for e in held[arm] - common:
            marks.setdefault(e, k)
    return [(Quarter.parse(q).decimal_year, kind, k) for (q, kind), k in sorted(marks.items())]


def _draw_events(
    ax: Axes, marks: Sequence[tuple[float, str, int | None]], palette: Sequence[Any], grey: bool
) -> None:
    """Dotted lines at the arms' events, labelled with their type, inside the run's time."""
    lo, hi = ax.get_xlim()
    for x, kind, k in marks:
        if not lo <= x <= hi:
            continue
        colour = GREY if k is None or grey else palette[k]
        ax.axvline(x, color=colour, linewidth=0.8, linestyle=":", zorder=0)
        ax.annotate(
            kind.replace("_", " "),
            xy=(x, 1.0),
            xycoords=("data", "axes fraction"),
            rotation=90,
            fontsize=6,
            color=colour,
            va="top",
            ha="right",
        )
    ax.set_xlim(lo, hi)
