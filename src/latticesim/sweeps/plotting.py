"""What the figures of sweeps and comparisons share: panels, axes, colours, levels, files.

A comparison's figure and a sweep's envelopes and heatmaps are read side by side, so
they are drawn on the same panel size, with the same quarter axis, palette and bands.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = [
    "BAND",
    "MAX_LEVELS",
    "MAX_PANELS",
    "PANEL_H",
    "PANEL_W",
    "colours",
    "grid",
    "levels",
    "save_figure",
    "style",
]

MAX_LEVELS = 8
"""Levels of a parameter drawn as separate envelopes (a sampled parameter is binned)."""

MAX_PANELS = 8
"""Panels of one figure: more series or outcomes than that are left out."""

BAND = (0.1, 0.9)
"""The quantiles of the band drawn around a median: the middle 80% of the runs."""

PANEL_W, PANEL_H = 3.1, 2.1


def save_figure(fig: Figure, stem: Path, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write ``fig`` as ``stem.png`` and ``stem.svg`` (folders created as needed)."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    FigureCanvasAgg(fig)
    paths = []
    for fmt in formats:
        path = stem.with_suffix(f".{fmt}")
        fig.savefig(path, format=fmt, dpi=120, metadata={"Date": None} if fmt == "svg" else None)
        paths.append(path)
    return paths


def grid(n: int, ncols: int, extra_w: float = 0.0) -> tuple[Figure, list[Axes]]:
    """A figure of ``n`` panels in rows of ``ncols`` (``extra_w`` inches for a legend)."""
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(ncols * PANEL_W + extra_w, nrows * PANEL_H + 0.8))
    axes = [fig.add_subplot(nrows, ncols, k + 1) for k in range(n)]
    return fig, axes


def style(ax: Axes) -> None:
    """A quarter axis: whole years as ticks, light grid, no box."""
    from matplotlib.ticker import FormatStrFormatter, MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.xaxis.set_major_formatter(FormatStrFormatter("%d"))
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.25, linewidth=0.5)


def _label(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def levels(values: pd.Series, max_levels: int = MAX_LEVELS) -> pd.Series:
    """A parameter's values as at most ``max_levels`` ordered levels, for grouping.

    A grid's few values are kept as they are; a sampled parameter (every run its own
    value) is cut into quantile bins, labelled by their range, so that groups hold
    similar numbers of runs.
    """
    uniques = pd.unique(values.dropna())
    if len(uniques) <= max_levels:
        order = sorted(uniques, key=lambda v: (isinstance(v, str), v))
        return pd.Series(
            pd.Categorical(values.map(_label), [_label(v) for v in order], ordered=True),
            index=values.index,
        )
    numbers = values.astype(float)
    bins = pd.qcut(numbers, q=min(4, max_levels), duplicates="drop")
    low = float(numbers.min())
    labels = [f"{max(iv.left, low):.3g} to {iv.right:.3g}" for iv in bins.cat.categories]
    return pd.Series(
        pd.Categorical.from_codes(bins.cat.codes, labels, ordered=True), index=values.index
    )


def colours(n: int) -> list[Any]:
    """``n`` colours along viridis, ends trimmed so that the lightest is still visible."""
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    return [cmap(0.1 + 0.8 * k / max(1, n - 1)) for k in range(n)]
