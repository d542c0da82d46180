"""The look every figure of a run shares: its style, its frame and its year axis.

Every figure is built on the Agg canvas directly rather than through pyplot, so nothing
depends on a display, nothing is registered globally and a figure is garbage-collected
like any other object: a dashboard or a sweep can draw thousands without leaking.

Layouts are fixed in inches rather than computed by matplotlib's layout engines: the
figures are drawn at the end of every run written to a folder, and a fixed layout draws
each figure once instead of several times.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.ticker import FixedLocator

__all__ = [
    "MUTED",
    "STYLE",
    "SVG_STYLE",
    "box",
    "dimension_panels",
    "empty",
    "legend_in",
    "new_figure",
    "outer_labels",
    "small_multiples",
    "title",
    "year_axis",
]

SVG_STYLE: dict[str, object] = {"svg.fonttype": "none", "svg.hashsalt": "latticesim"}
"""SVG with its text kept as text (searchable, editable) and the same ids at every run."""

STYLE: dict[str, object] = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titlelocation": "left",
    # a fixed title height: nothing sits above a panel, and the automatic placement
    # measures every tick label of every panel (and its twins) once per title per draw
    "axes.titley": 1.0,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8.5,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#e6e6e6",
    "grid.linewidth": 0.7,
    "axes.axisbelow": True,
    "text.hinting": "no_hinting",
    **SVG_STYLE,
}
"""The figures' matplotlib settings, applied while a figure is built and while it is drawn."""

MUTED = "#666666"
"""Grey for subtitles, captions and notes on empty panels."""


def new_figure(width: float, height: float) -> Figure:
    """A figure on its own Agg canvas: no pyplot state, no display."""
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def box(fig: Figure, left: float, right: float, top: float, bottom: float) -> dict:
    """Margins in inches as the figure fractions a grid wants."""
    w, h = fig.get_size_inches()
    return {"left": left / w, "right": 1 - right / w, "top": 1 - top / h, "bottom": bottom / h}


def title(fig: Figure, text: str, subtitle: str | None) -> None:
    """A bold headline saying what the figure shows, and the run it comes from."""
    h = fig.get_figheight()
    fig.text(
        0.25 / fig.get_figwidth(), 1 - 0.14 / h, text, fontsize=13, fontweight="bold", va="top"
    )
    if subtitle:
        fig.text(
            0.25 / fig.get_figwidth(), 1 - 0.42 / h, subtitle, fontsize=9.5, color=MUTED, va="top"
        )


def empty(ax: Axes, message: str) -> None:
    """Say on the panel itself why it is empty, rather than leave a blank box."""
    ax.text(
        0.5,
        0.5,
        message,
        transform=ax.transAxes,
        ha="center",
        va="center",
        color=MUTED,
        fontsize=9,
        style="italic",
    )


def year_axis(ax: Axes, xs: np.ndarray) -> None:
    """Whole years on the x axis, spanning the run, with a little room either side.

    The ticks are placed here rather than by a locator: at most six of them, every
    year, two or five years, which is all a reader needs and saves drawing time.
    """
    if not len(xs):
        return
    lo, hi = float(np.nanmin(xs)), float(np.nanmax(xs))
    hi = max(hi, lo + 0.75)
    ax.set_xlim(lo - 0.25, hi + 0.25)
    first, last = math.ceil(lo - 0.25), math.floor(hi + 0.25)
    step = next((s for s in (1, 2, 5, 10, 20, 50) if (last - first) // s < 6), 100)
    start = first + (-first) % step
    ax.xaxis.set_major_locator(FixedLocator(list(range(start, last + 1, step))))


def small_multiples(
    fig: Figure, n: int, margins: dict, ncols: int = 3, **space: float
) -> tuple[list[Axes], tuple]:
    """Small multiples sharing both axes, and the free grid cell left for the legend.

    Only the outer panels carry tick labels: the inner ones would repeat them, and each
    label costs drawing time in every format.
    """
    cells = n + 1
    ncols = max(1, min(ncols, cells))
    nrows = math.ceil(cells / ncols)
    gs = GridSpec(nrows, ncols, figure=fig, **margins, **space)
    axes: list[Axes] = []
    for k in range(n):
        row, col = divmod(k, ncols)
        share = axes[0] if axes else None
        ax = fig.add_subplot(gs[row, col], sharex=share, sharey=share)
        ax.tick_params(labelleft=col == 0, labelbottom=k + ncols >= n)
        axes.append(ax)
    spare = gs[n // ncols, n % ncols].get_position(fig)
    return axes, (spare.x0, spare.y1, spare.y0)


def legend_in(
    fig: Figure,
    where: tuple,
    handles: list,
    heading: str | None,
    caption: str | None = None,
    ncol: int = 1,
) -> None:
    """The legend (and a caption under it) in the grid's free cell, never over data."""
    x0, y1, y0 = where
    if handles:
        fig.legend(
            handles=handles,
            title=heading,
            loc="upper left",
            bbox_to_anchor=(x0, y1),
            alignment="left",
            borderaxespad=0.0,
            handlelength=2.2,
            ncol=ncol,
        )
    if caption:
        fig.text(x0, y0, textwrap.fill(caption, 60), fontsize=7.5, color=MUTED, va="bottom")


def outer_labels(axes: list[Axes], ncols: int, ylabel: str, xlabel: str = "Year") -> None:
    """Axis labels on the outer panels of small multiples only, as their tick labels are."""
    for k, ax in enumerate(axes):
        if k % ncols == 0:
            ax.set_ylabel(ylabel)
        if k + ncols >= len(axes):
            ax.set_xlabel(xlabel)


def dimension_panels(
    n: int,
    heading: str,
    subtitle: str | None,
    years: np.ndarray,
    ylim: tuple[float, float],
    ylabel: str,
) -> tuple[Figure, list[Axes], tuple]:
    """A figure of ``n`` panels, one per dimension, on a 0-1 scale over the run's years.

    Positions and statement strength share the scale of a dimension, so their figures
    share this grid: three panels a row, the free cell after the last for the legend
    (returned with the figure and the panels).
    """
    fig = new_figure(12, 3.0 * math.ceil((n + 1) / 3) + 1.0)
    title(fig, heading, subtitle)
    axes, spare = small_multiples(fig, n, box(fig, 0.75, 0.2, 0.95, 0.55), wspace=0.08, hspace=0.32)
    axes[0].set_ylim(*ylim)
    axes[0].yaxis.set_major_locator(FixedLocator([0, 0.2, 0.4, 0.6, 0.8, 1.0]))
    year_axis(axes[0], years)
    outer_labels(axes, min(3, n + 1), ylabel)
    return fig, axes, spare
