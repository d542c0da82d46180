"""The leading platform: each forum's share of standing, and who leads when."""

from __future__ import annotations

import math

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.lines import Line2D

from latticesim.figures.layout import STYLE, box, empty, new_figure, title, year_axis
from latticesim.figures.palettes import forum_colours
from latticesim.figures.reading import Tables, first_seen, run_years, table
from latticesim.mechanisms.metrics import LEADER_MARGIN

__all__ = ["fig_leading_platform"]

Runs = list[tuple[int, int, object]]


def fig_leading_platform(tables: Tables, subtitle: str | None = None) -> Figure:
    """Each forum's share of capability-weighted standing, and who leads when.

    The leader keeps the lead until another forum's share passes its own by the margin
    of ODD 7.10, so it is not always the highest line: a strip under the lines names the
    leader quarter by quarter, and a change of leader is labelled where it happens.
    """
    with mpl.rc_context(STYLE):
        model = table(tables, "model")
        colours = forum_colours(first_seen(tables))
        fig = new_figure(11, 5.6)
        title(fig, "Leading platform: each forum's share of capability-weighted standing", subtitle)
        gs = GridSpec(
            2, 1, figure=fig, height_ratios=[12, 1], hspace=0.12, **box(fig, 0.75, 2.1, 0.95, 0.55)
        )
        ax = fig.add_subplot(gs[0])
        strip = fig.add_subplot(gs[1], sharex=ax)
        ax.tick_params(labelbottom=False)
        ax.set_ylabel("Share of standing (0\u20131)")
        x = run_years(tables)
        year_axis(strip, x)
        strip.set_xlabel("Year")
        _strip_style(strip)
        if model.empty or "leading_platform" not in model:
            empty(ax, "no quarter recorded")
            return fig
        forums = [f for f in colours if f"share_{f}" in model and model[f"share_{f}"].notna().any()]
        marker = "o" if len(x) < 6 else None
        top = 0.05
        for f in forums:
            y = model[f"share_{f}"].to_numpy(dtype=float)
            top = max(top, float(np.nanmax(y)))
            ax.plot(x, y, color=colours[f], lw=1.6, marker=marker, ms=4, zorder=3)
        leader = [v if isinstance(v, str) else None for v in model["leading_platform"]]
        share = model["leading_platform_share"].to_numpy(dtype=float)
        runs = _runs(leader)
        _leader_halo(ax, x, share, runs, colours, marker)
        ax.set_ylim(0, top * 1.3)
        _annotate_changes(ax, x, share, runs)
        _legend(ax, model, forums, colours)
        _leader_strip(strip, x, runs, colours)
        return fig


def _leader_halo(
    ax: Axes,
    x: np.ndarray,
    share: np.ndarray,
    runs: Runs,
    colours: dict[str, str],
    marker: str | None,
) -> None:
    """A broad pale band under the leader's line, in the leader's colour."""
    for start, stop, name in runs:
        if name is not None:
            seg = slice(start, min(stop + 2, len(x)))  # reach the next point: no gaps
            ax.plot(
                x[seg],
                share[seg],
                color=colours.get(name, "#999999"),
                lw=9,
                alpha=0.2,
                solid_capstyle="round",
                marker=marker,
                ms=10,
                zorder=2,
            )


def _legend(ax: Axes, model: pd.DataFrame, forums: list[str], colours: dict[str, str]) -> None:
    """The forums by their last share, largest first, beside the panel."""
    last = {f: float(model[f"share_{f}"].dropna().iloc[-1]) for f in forums}
    order = sorted(forums, key=lambda f: -last[f])
    handles = [Line2D([], [], color=colours[f], lw=2, label=f"{f}  {last[f]:.2f}") for f in order]
    lead = f"leading platform\n(passed only by > {LEADER_MARGIN:.2f})"
    handles.append(Line2D([], [], color="#888888", lw=8, alpha=0.3, label=lead))
    ax.legend(
        handles=handles,
        title="Forum, last share",
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
    )


def _runs(values: list) -> Runs:
    """Consecutive runs of equal values as (first index, last index, value)."""
    runs: Runs = []
    for i, v in enumerate(values):
        if runs and runs[-1][2] == v:
            runs[-1] = (runs[-1][0], i, v)
        else:
            runs.append((i, i, v))
    return runs


def _annotate_changes(ax: Axes, x: np.ndarray, share: np.ndarray, runs: Runs) -> None:
    """Name the new leader where the lead changes, packed into rows above the lines.

    Each label takes the first of three rows where it does not run into the previous
    one; a change with no room left is named by the strip below only. A thin line joins
    label and point (a plain line: matplotlib's annotation arrows cost more to draw than
    the rest of the panel).
    """
    changes = [(s, name) for s, _e, name in runs[1:] if name is not None]
    if not changes:
        return
    top = ax.get_ylim()[1]
    x0, x1 = ax.get_xlim()
    width_in = ax.get_position().width * ax.figure.get_figwidth()
    per_char = 8 * 0.6 / 72 * (x1 - x0) / width_in  # data units per character at 8 pt
    free = [-math.inf] * 3  # where each row is free again
    xs, ys = [], []
    for s, name in changes:
        label = f"{name} leads from {_quarter_label(x[s])}"
        row = next((r for r in range(3) if x[s] > free[r]), None)
        if row is None:
            continue
        free[row] = x[s] + 0.04 + per_char * len(label) + 0.1
        y = top * (0.96 - 0.075 * row)
        # a change near the end is labelled to the left of its line, inside the panel
        left = x[s] + 0.04 + per_char * len(label) > x1
        at, ha = (x[s] - 0.04, "right") if left else (x[s] + 0.04, "left")
        ax.text(at, y, label, fontsize=8, color="#222222", va="center", ha=ha)
        xs += [x[s], x[s], np.nan]
        ys += [share[s], y, np.nan]
    ax.plot(xs, ys, color="#999999", lw=0.7, zorder=1)


def _quarter_label(x: float) -> str:
    year = math.floor(x + 1e-9)
    return f"{year}Q{round((x - year) * 4) + 1}"


def _strip_style(ax: Axes) -> None:
    ax.set_yticks([])
    ax.set_ylim(0, 1)
    ax.grid(False)
    for side in ("left", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_ylabel("Leader", rotation=0, ha="right", va="center")


def _leader_strip(ax: Axes, x: np.ndarray, runs: Runs, colours: dict[str, str]) -> None:
    """The leader quarter by quarter, as coloured cells named where they are wide enough."""
    polys, fcs = [], []
    inch = ax.get_window_extent().width / ax.figure.dpi
    span = max(np.ptp(ax.get_xlim()), 1e-9)
    for start, stop, name in runs:
        x0, x1 = x[start], x[stop] + 0.25
        polys.append([(x0, 0), (x1, 0), (x1, 1), (x0, 1)])
        fcs.append(colours.get(name, "#cccccc") if name else "#eeeeee")
        width_in = (x1 - x0) / span * inch
        if name and width_in > 0.075 * len(str(name)) + 0.05:
            ax.text(
                (x0 + x1) / 2,
                0.5,
                str(name),
                ha="center",
                va="center",
                fontsize=7.5,
                color="white",
                fontweight="bold",
            )
    ax.add_collection(PolyCollection(polys, facecolors=fcs, linewidths=0))
