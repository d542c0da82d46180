"""Figures of a run, drawn from its tables alone.

Every figure is a function ``fig_<name>(tables)`` that takes the run's tables (the
DataFrames of :mod:`latticesim.model.recorder`, keyed by name) and returns a matplotlib
:class:`~matplotlib.figure.Figure`. Figures are built on the Agg canvas directly rather
than through pyplot, so nothing depends on a display, nothing is registered globally and
a figure is garbage-collected like any other object: a dashboard or a sweep can draw
thousands without leaking.

A forum keeps one colour in every figure (:func:`forum_colours`), so a reader who learnt
that NATO is blue in one panel can read the next without a legend. Forums founded during
a run take the colours left over, in the order in which they appear.

Layouts are fixed in inches rather than computed by matplotlib's layout engines: the
figures are drawn at the end of every run of a sweep, and a fixed layout draws each
figure once instead of several times. :func:`make_figures`, which writes a run's files,
goes further where it costs the reader nothing: ticks fixed once instead of re-placed
at every draw, a figure's objects freed as soon as it is written, PNGs compressed in a
thread; see ``docs/performance.md``.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import struct
import textwrap
import threading
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import matplotlib as mpl
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.lines import Line2D
from matplotlib.markers import TICKLEFT
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, MaxNLocator, NullLocator, PercentFormatter
from matplotlib.transforms import Bbox, ScaledTranslation

__all__ = [
    "DIMENSION_LABELS",
    "FIGURES",
    "FORUM_COLOURS",
    "LEVEL_COLOURS",
    "REGION_COLOURS",
    "dimension_label",
    "dimensions",
    "fig_attendance",
    "fig_burden",
    "fig_coordination",
    "fig_lattice",
    "fig_leading_platform",
    "fig_positions",
    "fig_statement_strength",
    "forum_colours",
    "forum_order",
    "make_figures",
    "short_name",
]

Tables = dict[str, pd.DataFrame]

FORUM_COLOURS: dict[str, str] = {
    "NATO": "#1f4e99",
    "NATO+IP4": "#17a398",
    "G7": "#c0392b",
    "EU": "#e0a800",
    "EU-US TTC": "#8e5cc6",
    "Quad": "#e67e22",
    "AUKUS": "#5d8a2f",
    "US-Japan-ROK": "#8c564b",
    "IP4": "#d6559a",
}
"""Fixed colours of the forums a reader meets in every scenario."""

_SPARE_COLOURS = (
    "#17becf",
    "#6b6b6b",
    "#b5b000",
    "#393b79",
    "#ad494a",
    "#637939",
    "#e7969c",
    "#9c9ede",
    "#7b4173",
    "#3182bd",
)

REGION_COLOURS: dict[str, str] = {
    "euro_atlantic": "#5b84b1",
    "indo_pacific": "#e39a3b",
    "adversary": "#8a8a8a",
}
"""Colours of the actors' regions (lattice and positions)."""

_REGION_LABELS = {
    "euro_atlantic": "Euro-Atlantic",
    "indo_pacific": "Indo-Pacific",
    "adversary": "Adversaries",
}

LEVEL_COLOURS: dict[str, str] = {
    "head": "#3f1d73",
    "minister": "#7b68b5",
    "official": "#bfb7dc",
    "absent": "#e4e4e4",
}
"""Attendance levels, dark for the highest, so a summit of leaders reads as a dark bar."""

_LEVEL_LABELS = {
    "head": "head of government",
    "minister": "minister",
    "official": "official",
    "absent": "absent",
}
_LEVEL_WEIGHT = {"head": 3, "minister": 2, "official": 1, "absent": 0}

DIMENSION_LABELS: dict[str, str] = {
    "china_stance": "China stance",
    "global_reach": "NATO's global reach",
    "ukraine_support": "Support for Ukraine",
    "autonomy": "Strategic autonomy",
    "economic_security": "Economic security",
}
"""Dimension names for people; other dimensions are shown with their words capitalised."""

_CHINA_CODING = (
    "China stance coding: 0.2 \u201copportunities and challenges\u201d; "
    "0.4 \u201csystemic challenges\u201d; 0.6 \u201ccoercive policies challenge "
    "our interests\u201d; 0.8 \u201cdecisive enabler\u201d; 1.0 a threat, "
    "with measures."
)

_SHORT_NAMES = {
    "European Union (institution)": "EU",
    "United States": "US",
    "United Kingdom": "UK",
    "South Korea": "ROK",
    "North Korea": "DPRK",
    "New Zealand": "NZ",
    "North Macedonia": "N. Macedonia",
}

_STYLE = {
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
    "svg.fonttype": "none",
    "text.hinting": "no_hinting",
    "svg.hashsalt": "latticesim",
}

_MUTED = "#666666"
_PNG_DPI = 150


# ---------------------------------------------------------------------------- helpers
def short_name(actor: str) -> str:
    """A label short enough for a crowded network drawing.

    Long official names would overlap in the lattice, so the few long ones get the short
    forms readers know (US, UK, EU, ROK); other long names fall back to their initials.
    """
    if actor in _SHORT_NAMES:
        return _SHORT_NAMES[actor]
    if len(actor) <= 12:
        return actor
    words = actor.split("(")[0].split()
    return "".join(w[0].upper() for w in words if w[:1].isalpha()) or actor[:12]


def dimension_label(dim: str) -> str:
    """A dimension as people say it, so that axes never show code names."""
    return DIMENSION_LABELS.get(dim, dim.replace("_", " ").capitalize())


def dimensions(tables: Tables) -> list[str]:
    """The run's issue dimensions, in the scenario's order.

    The scenario's order survives in the column order of the meeting and actor tables;
    the items table is the fallback for tables without them.
    """
    for name, prefix in (("meetings", "strength_"), ("actors", "pos_")):
        df = tables.get(name)
        if df is not None:
            dims = [c[len(prefix) :] for c in df.columns if c.startswith(prefix)]
            if dims:
                return dims
    items = tables.get("items")
    if items is not None and "dimension" in items:
        return list(dict.fromkeys(items["dimension"].dropna()))
    return []


def forum_order(tables: Tables) -> list[str]:
    """Every forum of the run: the familiar ones first, then new ones as they appear.

    One order everywhere keeps legends and rows in the same place from figure to figure
    (and from run to run).
    """
    seen: dict[str, float] = {}
    model = tables.get("model")
    if model is not None and len(model) and "step" in model:
        steps = model["step"].to_numpy(dtype=float)
        for c in model.columns:
            if c.startswith("share_"):
                valid = model[c].notna().to_numpy()
                seen[c[len("share_") :]] = float(steps[valid][0]) if valid.any() else math.inf
    for name in ("meetings", "attendance", "items"):
        df = tables.get(name)
        if df is not None and len(df) and "forum" in df:
            for forum, step in df.groupby("forum", sort=False)["step"].min().items():
                seen[forum] = min(seen.get(forum, math.inf), float(step))
    known = [f for f in FORUM_COLOURS if f in seen]
    rest = sorted((f for f in seen if f not in FORUM_COLOURS), key=lambda f: (seen[f], f))
    return known + rest


def forum_colours(tables: Tables) -> dict[str, str]:
    """A colour for every forum of the run, the same in all its figures."""
    spare = iter(_SPARE_COLOURS)
    return {f: FORUM_COLOURS.get(f) or next(spare, "#999999") for f in forum_order(tables)}


def _decimal_year(dates: Iterable[str]) -> np.ndarray:
    """Quarters ("2024Q3") as years with fractions, the x axis of every time plot.

    A run has a few dozen distinct quarters but tables of thousands of rows, so each
    distinct quarter is parsed once and the rest is a lookup.
    """
    values = dates if isinstance(dates, pd.Series | pd.Index | np.ndarray) else list(dates)
    codes, quarters = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    parsed = [str(q) for q in quarters]
    years = np.array([int(q[:4]) + (int(q[-1]) - 1) / 4.0 for q in parsed], dtype=float)
    return years[codes]


def _run_years(tables: Tables) -> np.ndarray:
    model = tables.get("model")
    if model is None or model.empty or "date" not in model:
        return np.array([], dtype=float)
    return _decimal_year(model["date"])


def _year_axis(ax: Axes, xs: np.ndarray) -> None:
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


def _figure(width: float, height: float) -> Figure:
    """A figure on its own Agg canvas: no pyplot state, no display."""
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def _box(fig: Figure, left: float, right: float, top: float, bottom: float) -> dict:
    """Margins in inches as the figure fractions a grid wants."""
    w, h = fig.get_size_inches()
    return {"left": left / w, "right": 1 - right / w, "top": 1 - top / h, "bottom": bottom / h}


def _title(fig: Figure, text: str, subtitle: str | None) -> None:
    """A bold headline saying what the figure shows, and the run it comes from."""
    h = fig.get_figheight()
    fig.text(
        0.25 / fig.get_figwidth(), 1 - 0.14 / h, text, fontsize=13, fontweight="bold", va="top"
    )
    if subtitle:
        fig.text(
            0.25 / fig.get_figwidth(), 1 - 0.42 / h, subtitle, fontsize=9.5, color=_MUTED, va="top"
        )


def _empty(ax: Axes, message: str) -> None:
    """Say on the panel itself why it is empty, rather than leave a blank box."""
    ax.text(
        0.5,
        0.5,
        message,
        transform=ax.transAxes,
        ha="center",
        va="center",
        color=_MUTED,
        fontsize=9,
        style="italic",
    )


def _table(tables: Tables, name: str) -> pd.DataFrame:
    df = tables.get(name)
    return df if df is not None else pd.DataFrame()


def _panels(fig: Figure, n: int, box: dict, ncols: int = 3, **space: float) -> tuple[list, tuple]:
    """Small multiples sharing both axes, and the free grid cell left for the legend.

    Only the outer panels carry tick labels: the inner ones would repeat them, and each
    label costs drawing time in every format.
    """
    cells = n + 1
    ncols = max(1, min(ncols, cells))
    nrows = math.ceil(cells / ncols)
    gs = GridSpec(nrows, ncols, figure=fig, **box, **space)
    axes: list[Axes] = []
    for k in range(n):
        row, col = divmod(k, ncols)
        share = axes[0] if axes else None
        ax = fig.add_subplot(gs[row, col], sharex=share, sharey=share)
        ax.tick_params(labelleft=col == 0, labelbottom=k + ncols >= n)
        axes.append(ax)
    spare = gs[n // ncols, n % ncols].get_position(fig)
    return axes, (spare.x0, spare.y1, spare.y0)


def _legend_in(
    fig: Figure,
    where: tuple,
    handles: list,
    title: str | None,
    caption: str | None = None,
    ncol: int = 1,
) -> None:
    """The legend (and a caption under it) in the grid's free cell, never over data."""
    x0, y1, y0 = where
    if handles:
        fig.legend(
            handles=handles,
            title=title,
            loc="upper left",
            bbox_to_anchor=(x0, y1),
            alignment="left",
            borderaxespad=0.0,
            handlelength=2.2,
            ncol=ncol,
        )
    if caption:
        fig.text(x0, y0, textwrap.fill(caption, 60), fontsize=7.5, color=_MUTED, va="bottom")


def _outer_labels(axes: list[Axes], ncols: int, ylabel: str, xlabel: str = "Year") -> None:
    for k, ax in enumerate(axes):
        if k % ncols == 0:
            ax.set_ylabel(ylabel)
        if k + ncols >= len(axes):
            ax.set_xlabel(xlabel)


# ---------------------------------------------------------------- statement strength
def fig_statement_strength(tables: Tables, subtitle: str | None = None) -> Figure:
    """Statement strength on each dimension, forum by forum, and where texts failed.

    Lines join the adopted texts of a forum and break where an item failed, so that a
    run of blocked summits reads as a gap; the failed proposal is drawn as a cross at the
    height it was proposed, in the forum's colour, so the reader sees what was refused.
    Forums that adopt the same text in one quarter are nudged apart along the quarter so
    that neither hides the other.
    """
    with mpl.rc_context(_STYLE):
        items = _table(tables, "items")
        dims = dimensions(tables) or [""]
        colours = forum_colours(tables)
        years = _run_years(tables)
        fig = _figure(12, 3.0 * math.ceil((len(dims) + 1) / 3) + 1.0)
        _title(fig, "Statement strength by forum and dimension", subtitle)
        axes, spare = _panels(
            fig, len(dims), _box(fig, 0.75, 0.2, 0.95, 0.55), wspace=0.08, hspace=0.32
        )
        axes[0].set_ylim(-0.03, 1.05)
        axes[0].yaxis.set_major_locator(FixedLocator([0, 0.2, 0.4, 0.6, 0.8, 1.0]))
        _year_axis(axes[0], years)
        used: set[str] = set()
        chair_used = False
        cols = _item_columns(items)
        for ax, dim in zip(axes, dims, strict=True):
            ax.set_title(dimension_label(dim) if dim else "No dimensions")
            in_dim = cols["dimension"] == dim if len(items) else np.zeros(0, dtype=bool)
            if not in_dim.any():
                _empty(ax, "never on an agenda" if len(items) else "no meeting yet")
                continue
            if not (cols["decided"] | cols["adopted"])[in_dim].any():
                _empty(ax, "never decided")
            present = set(cols["forum"][in_dim])
            forums = [f for f in colours if f in present]
            for k, forum in enumerate(forums):
                c = colours[forum]
                rows = np.flatnonzero(in_dim & (cols["forum"] == forum))
                rows = rows[np.argsort(cols["step"][rows], kind="stable")]
                x = cols["x"][rows] + (k - (len(forums) - 1) / 2) * 0.035
                decided, adopted = cols["decided"][rows], cols["adopted"][rows]
                strength, proposal = cols["strength"][rows], cols["proposal"][rows]
                if decided.any():
                    y = np.where(adopted, strength, np.nan)[decided]
                    ax.plot(x[decided], y, color=c, lw=1.4, marker="o", ms=3.5, zorder=3)
                    fail = decided & ~adopted & ~np.isnan(proposal)
                    if fail.any():
                        ax.plot(
                            x[fail],
                            proposal[fail],
                            ls="none",
                            marker="x",
                            ms=6,
                            mew=1.6,
                            color=c,
                            zorder=4,
                        )
                chair = ~decided & adopted
                if chair.any():
                    chair_used = True
                    ax.plot(
                        x[chair],
                        strength[chair],
                        ls="none",
                        marker="D",
                        ms=4,
                        mfc="white",
                        mec=c,
                        mew=1.2,
                        zorder=3,
                    )
                used.add(forum)
        ncols = min(3, len(dims) + 1)
        _outer_labels(axes, ncols, "Statement strength (0\u20131)")
        handles = [
            Line2D([], [], color=colours[f], lw=1.6, marker="o", ms=4, label=f)
            for f in colours
            if f in used
        ]
        keys = [
            Line2D([], [], color="#333333", lw=1.2, marker="o", ms=4, label="adopted text"),
            Line2D(
                [],
                [],
                color="#333333",
                ls="none",
                marker="x",
                ms=6,
                mew=1.6,
                label="blocked proposal (at its proposed strength)",
            ),
        ]
        if chair_used:
            keys.append(
                Line2D(
                    [],
                    [],
                    color="#333333",
                    ls="none",
                    marker="D",
                    ms=4,
                    mfc="white",
                    label="chair's statement (not decided)",
                )
            )
        w, h = fig.get_size_inches()
        fig.legend(
            handles=keys,
            loc="upper right",
            ncol=len(keys),
            borderaxespad=0.0,
            bbox_to_anchor=(1 - 0.2 / w, 1 - 0.45 / h),
        )
        _legend_in(
            fig,
            spare,
            handles,
            "Forum",
            ncol=2 if len(handles) > 6 else 1,
            caption=_CHINA_CODING if "china_stance" in dims else None,
        )
        return fig


def _item_columns(items: pd.DataFrame) -> dict[str, np.ndarray]:
    """The agenda items as plain arrays, converted once for every panel and forum.

    Each panel draws a handful of forums; selecting their rows from arrays costs
    microseconds, where selecting them from the DataFrame cost a millisecond each.
    """
    if not len(items):
        return {}
    return {
        "dimension": items["dimension"].to_numpy(dtype=object),
        "forum": items["forum"].to_numpy(dtype=object),
        "step": items["step"].to_numpy(),
        "x": _decimal_year(items["date"]),
        "decided": items["decided"].astype(bool).to_numpy(),
        "adopted": items["adopted"].astype(bool).to_numpy(),
        "strength": items["strength"].to_numpy(dtype=float),
        "proposal": items["proposal"].to_numpy(dtype=float),
    }


# ------------------------------------------------------------------ leading platform
def fig_leading_platform(tables: Tables, subtitle: str | None = None) -> Figure:
    """Each forum's share of capability-weighted standing, and who leads when.

    The leading platform is the largest of close shares, so a strip under the lines
    names the leader quarter by quarter: a change of leader is visible even where the
    lines nearly touch, and is labelled where it happens.
    """
    with mpl.rc_context(_STYLE):
        model = _table(tables, "model")
        colours = forum_colours(tables)
        fig = _figure(11, 5.6)
        _title(
            fig, "Leading platform: each forum's share of capability-weighted standing", subtitle
        )
        gs = GridSpec(
            2, 1, figure=fig, height_ratios=[12, 1], hspace=0.12, **_box(fig, 0.75, 2.1, 0.95, 0.55)
        )
        ax = fig.add_subplot(gs[0])
        strip = fig.add_subplot(gs[1], sharex=ax)
        ax.tick_params(labelbottom=False)
        ax.set_ylabel("Share of standing (0\u20131)")
        x = _run_years(tables)
        _year_axis(strip, x)
        strip.set_xlabel("Year")
        _strip_style(strip)
        if model.empty or "leading_platform" not in model:
            _empty(ax, "no quarter recorded")
            return fig
        forums = [f for f in colours if f"share_{f}" in model and model[f"share_{f}"].notna().any()]
        last = {f: float(model[f"share_{f}"].dropna().iloc[-1]) for f in forums}
        top = 0.05
        marker = "o" if len(x) < 6 else None
        for f in forums:
            y = model[f"share_{f}"].to_numpy(dtype=float)
            top = max(top, float(np.nanmax(y)))
            ax.plot(x, y, color=colours[f], lw=1.6, marker=marker, ms=4, zorder=3)
        leader = [v if isinstance(v, str) else None for v in model["leading_platform"]]
        share = model["leading_platform_share"].to_numpy(dtype=float)
        runs = _runs(leader)
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
        ax.set_ylim(0, top * 1.3)
        _annotate_changes(ax, x, share, runs)
        order = sorted(forums, key=lambda f: -last[f])
        handles = [
            Line2D([], [], color=colours[f], lw=2, label=f"{f}  {last[f]:.2f}") for f in order
        ]
        handles.append(Line2D([], [], color="#888888", lw=8, alpha=0.3, label="leading platform"))
        ax.legend(
            handles=handles,
            title="Forum, last share",
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            borderaxespad=0.0,
        )
        _leader_strip(strip, x, runs, colours)
        return fig


def _runs(values: list) -> list[tuple[int, int, object]]:
    """Consecutive runs of equal values as (first index, last index, value)."""
    runs: list[tuple[int, int, object]] = []
    for i, v in enumerate(values):
        if runs and runs[-1][2] == v:
            runs[-1] = (runs[-1][0], i, v)
        else:
            runs.append((i, i, v))
    return runs


def _annotate_changes(ax: Axes, x: np.ndarray, share: np.ndarray, runs: list) -> None:
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
        ax.text(x[s] + 0.04, y, label, fontsize=8, color="#222222", va="center", ha="left")
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


def _leader_strip(ax: Axes, x: np.ndarray, runs: list, colours: dict[str, str]) -> None:
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


# ------------------------------------------------------------------------ attendance
def fig_attendance(tables: Tables, subtitle: str | None = None) -> Figure:
    """Who came, and at what level, to every meeting of every forum.

    One row per forum on a shared time axis lets ten forums over ten years be compared
    at a glance; each bar is one meeting, split into shares of the invitees rather than
    counts so that a 32-member NATO summit and a two-party TTC read on one scale. Wide
    bars are summits and narrow ones ministerials, so a summit leaders skipped stands out.
    """
    with mpl.rc_context({**_STYLE, "axes.grid": False}):
        meetings = _table(tables, "meetings")
        att = _table(tables, "attendance")
        colours = forum_colours(tables)
        forums = [f for f in colours if len(meetings) and f in set(meetings["forum"])]
        n = max(len(forums), 1)
        fig = _figure(11, 1.75 + 0.52 * n)
        _title(fig, "Attendance by level at each forum's meetings", subtitle)
        ax = fig.add_subplot(GridSpec(1, 1, figure=fig, **_box(fig, 1.45, 0.3, 1.15, 0.55))[0])
        x_all = _run_years(tables)
        _year_axis(ax, x_all)
        ax.set_xlabel("Year")
        ax.set_ylim(n - 0.1, -0.25)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0, pad=12)
        order = ["head", "minister", "official", "absent"]
        handles = [Patch(color=LEVEL_COLOURS[lv], label=_LEVEL_LABELS[lv]) for lv in order]
        handles.append(
            Line2D([], [], ls="none", marker="x", color="#b22222", mew=1.5, label="did not meet")
        )
        fig.legend(
            handles=handles,
            loc="upper left",
            ncol=5,
            borderaxespad=0.0,
            bbox_to_anchor=(1.45 / fig.get_figwidth(), 1 - 0.72 / fig.get_figheight()),
            title="Share of invitees at each meeting (wide bar: summit; narrow: ministerial)",
            alignment="left",
        )
        if not forums:
            ax.set_yticks([])
            _empty(ax, "no meeting yet")
            return fig
        if len(att):
            counts = pd.crosstab(att["meeting_id"], att["level"].astype(str)).reindex(
                columns=order, fill_value=0
            )
        else:
            counts = meetings.set_index("meeting_id")[
                ["n_head", "n_minister", "n_official", "n_absent"]
            ].set_axis(order, axis=1)
        m = meetings[meetings["forum"].isin(forums)]
        row = m["forum"].map({f: k for k, f in enumerate(forums)}).to_numpy()
        x = _decimal_year(m["date"])
        c = counts.reindex(m["meeting_id"]).fillna(0).to_numpy(dtype=float)
        share = c / np.maximum(c.sum(axis=1, keepdims=True), 1)
        span = float(np.ptp(x_all)) if len(x_all) else 1.0
        wide = min(0.1, 0.02 + 0.008 * span)  # narrower bars when a short run is zoomed in
        half = np.where(m["level"].to_numpy() == "summit", wide, 0.55 * wide)
        # bars grow upward from each row's baseline, head of government at the bottom
        top = np.cumsum(share, axis=1)
        y0 = (row + 0.8)[:, None] - 0.8 * (top - share)
        y1 = (row + 0.8)[:, None] - 0.8 * top
        keep = share > 0
        xl, xr = (x - half)[:, None], (x + half)[:, None]
        verts = np.stack(
            [
                np.broadcast_to(xl, y0.shape),
                y0,
                np.broadcast_to(xr, y0.shape),
                y0,
                np.broadcast_to(xr, y0.shape),
                y1,
                np.broadcast_to(xl, y0.shape),
                y1,
            ],
            axis=-1,
        )[keep].reshape(-1, 4, 2)
        fcs = np.array([LEVEL_COLOURS[lv] for lv in order])[np.nonzero(keep)[1]]
        failed = ~m["met"].astype(bool).to_numpy()
        fails_x, fails_y = x[failed], row[failed] + 0.4
        invited = m.groupby("forum")["n_invitees"].max()
        labels = [f"{f} ({int(invited[f])})" for f in forums]
        ax.add_collection(PolyCollection(list(verts), facecolors=fcs, linewidths=0))
        ax.hlines(
            np.arange(n) + 0.8,
            0,
            1,
            transform=ax.get_yaxis_transform(),
            color="#bbbbbb",
            lw=0.6,
            zorder=0,
        )
        if len(fails_x):
            ax.plot(fails_x, fails_y, ls="none", marker="x", color="#b22222", ms=7, mew=1.8)
        ax.set_yticks(np.arange(n) + 0.4, labels)
        ax.scatter(
            np.full(n, -0.012),
            np.arange(n) + 0.4,
            marker="s",
            s=40,
            c=[colours[f] for f in forums],
            transform=ax.get_yaxis_transform(),
            clip_on=False,
        )
        ax.set_ylabel("Forum (number invited)")
        return fig


# ---------------------------------------------------------------------- coordination
def fig_coordination(tables: Tables, subtitle: str | None = None) -> Figure:
    """The coordination index and the linkage between theatres, with the run's events.

    The two panels answer the two questions of the brief (do the allies agree? do the
    two theatres sit together?). Linkage is drawn as the share of Euro-Atlantic and
    Indo-Pacific pairs that sat together in the last year, on the same 0-1 scale as the
    index, with how often they did (level-weighted meetings per pair) on a scale of its
    own at the right. The events of the log are marked on both panels so a reader can
    tie a change to its cause.
    """
    with mpl.rc_context(_STYLE):
        model = _table(tables, "model")
        log = _table(tables, "log")
        # room under the panels for the numbered list of events
        lines = math.ceil(len(log) / 4) if len(log) else 0
        fig = _figure(11, 5.8 + 0.14 * lines)
        _title(fig, "Coordination and linkage between the Euro-Atlantic and Indo-Pacific", subtitle)
        gs = GridSpec(
            2, 1, figure=fig, hspace=0.28, **_box(fig, 0.75, 0.75, 0.95, 0.55 + 0.14 * lines)
        )
        top = fig.add_subplot(gs[0])
        bottom = fig.add_subplot(gs[1], sharex=top, sharey=top)
        top.tick_params(labelbottom=False)
        top.set_ylim(0, 1.02)
        x = _run_years(tables)
        _year_axis(bottom, x)
        bottom.set_xlabel("Year")
        marker = "o" if len(x) < 6 else None
        top.set_title(
            "Coordination index: capability-weighted agreement on salient dimensions",
            fontsize=9.5,
        )
        top.set_ylabel("Index (0–1)")
        share_col = "linkage_pairs" if "linkage_pairs" in model else "linkage"
        bottom.set_title(
            "Linkage: share of Euro-Atlantic × Indo-Pacific pairs that sat together in "
            "the last year",
            fontsize=9.5,
        )
        bottom.set_ylabel("Share of pairs (0–1)")
        for ax, col, colour in (
            (top, "coordination_index", "#1f3b63"),
            (bottom, share_col, "#9c4f1d"),
        ):
            if col not in model or model[col].isna().all():
                _empty(ax, "not recorded")
                continue
            y = model[col].to_numpy(dtype=float)
            ax.plot(x, y, color=colour, lw=1.8, marker=marker, ms=4)
            ax.fill_between(x, 0, y, color=colour, alpha=0.07, lw=0)
        if share_col != "linkage" and "linkage" in model and model["linkage"].notna().any():
            twin = bottom.twinx()
            twin.grid(False)
            twin.spines["right"].set_visible(True)
            y = model["linkage"].to_numpy(dtype=float)
            twin.plot(x, y, color="#9c4f1d", lw=1.2, ls="--", marker=marker, ms=3)
            twin.set_ylim(0, max(1.0, float(np.nanmax(y)) * 1.15))
            twin.set_ylabel("Meetings per pair (dashed)", color="#6b3713")
        _mark_events(top, bottom, log)
        return fig


def _event_label(kind: str, subject: str) -> str:
    if kind == "forum_founded":
        return f"{subject} founded"
    if kind == "forum_lapsed":
        return f"{subject} lapsed"
    words = kind.replace("_", " ")
    text = f"{words}: {subject}" if subject and subject not in words else words
    return text if len(text) <= 34 else text[:33] + "…"


def _mark_events(top: Axes, bottom: Axes, log: pd.DataFrame) -> None:
    """Dotted lines at dated events, numbered, with the list written under the figure.

    Labels written along the lines would run into the data; numbers in small circles
    and a caption keep every event legible however many fall close together.
    """
    if log.empty:
        return
    labels: dict[float, list[str]] = {}
    dates: dict[float, str] = {}
    for xi, date, kind, subject in zip(
        _decimal_year(log["date"]),
        log["date"],
        log["kind"],
        log["subject"].fillna(""),
        strict=True,
    ):
        names = labels.setdefault(float(xi), [])
        dates[float(xi)] = str(date)
        label = _event_label(str(kind), str(subject))
        if label not in names:
            names.append(label)
    notes = []
    for k, (xi, names) in enumerate(sorted(labels.items()), start=1):
        for ax in (top, bottom):
            ax.axvline(xi, color="#999999", lw=0.8, ls=":", zorder=1)
        top.text(
            xi,
            0.06,
            str(k),
            transform=top.get_xaxis_transform(),
            ha="center",
            va="center",
            fontsize=7,
            color="#333333",
            bbox={"boxstyle": "circle,pad=0.25", "fc": "white", "ec": "#999999", "lw": 0.7},
        )
        notes.append(f"({k}) {dates[xi]} {'; '.join(names)}")
    fig = top.figure
    fig.text(
        0.75 / fig.get_figwidth(),
        0.08 / fig.get_figheight(),
        textwrap.fill("Events: " + " · ".join(notes), 150),
        fontsize=7.5,
        color="#444444",
        va="bottom",
    )


# --------------------------------------------------------------------------- lattice
def fig_lattice(tables: Tables, subtitle: str | None = None) -> Figure:
    """The lattice at the end of the run: who sat in which forum, and how high.

    Actors sit on a circle, the Euro-Atlantic on one side and the Indo-Pacific on the
    other, ordered by how Indo-Pacific their forums are; forums float among the actors
    who attend them (a seeded spring layout with the actors held fixed), so a forum
    drawn between the two arcs is one that brings the theatres together.
    """
    with mpl.rc_context({**_STYLE, "axes.grid": False}):
        att = _table(tables, "attendance")
        model = _table(tables, "model")
        actors = _table(tables, "actors")
        colours = forum_colours(tables)
        fig = _figure(10, 9.6)
        last_date = str(model["date"].iloc[-1]) if len(model) else "no quarter"
        _title(
            fig,
            f"The lattice at the end of the run ({last_date})",
            subtitle or "Ties: attendance in the last four quarters",
        )
        ax = fig.add_subplot(GridSpec(1, 1, figure=fig, **_box(fig, 0.2, 0.2, 0.75, 0.75))[0])
        ax.set_axis_off()
        ax.set_xlim(-1.42, 1.42)
        ax.set_ylim(-1.38, 1.38)
        ties = _recent_ties(att, model)
        if ties.empty:
            _empty(ax, "no meeting in the last four quarters")
            return fig
        region: dict[str, str] = {}
        if len(actors) and "region" in actors:
            region = dict(zip(actors["actor"], actors["region"], strict=True))
        last_row = model.iloc[-1] if len(model) else pd.Series(dtype=object)
        leading = last_row.get("leading_platform")
        forums = [f for f in colours if f in set(ties["forum"])]
        share = {f: float(last_row.get(f"share_{f}", np.nan)) for f in forums}
        pos, actor_order = _lattice_layout(ties, forums, region)
        segs = [
            (pos[a], pos[("forum", f)]) for a, f in zip(ties["actor"], ties["forum"], strict=True)
        ]
        widths = 0.4 + 2.4 * ties["weight"].to_numpy(dtype=float) / float(ties["weight"].max())
        ecol = [mpl.colors.to_rgba(colours[f], 0.35) for f in ties["forum"]]
        ax.add_collection(LineCollection(segs, colors=ecol, linewidths=widths, zorder=1))
        axy = np.array([pos[a] for a in actor_order])
        acol = [REGION_COLOURS.get(region.get(a, ""), "#b0b0b0") for a in actor_order]
        ax.scatter(
            axy[:, 0],
            axy[:, 1],
            s=_actor_sizes(actors, actor_order),
            c=acol,
            edgecolors="white",
            linewidths=0.8,
            zorder=3,
        )
        for a, (px, py) in zip(actor_order, axy, strict=True):
            ang = math.degrees(math.atan2(py, px))
            flip = 90 < ang % 360 < 270
            ax.text(
                px * 1.04,
                py * 1.04,
                short_name(a),
                rotation=ang + (180 if flip else 0),
                rotation_mode="anchor",
                ha="right" if flip else "left",
                va="center",
                fontsize=8,
                color="#222222",
            )
        fxy = np.array([pos[("forum", f)] for f in forums])
        sizes = np.array(
            [300 + 4500 * (share[f] if np.isfinite(share[f]) else 0.02) for f in forums]
        )
        lead = np.array([f == leading for f in forums])
        ax.scatter(
            fxy[:, 0],
            fxy[:, 1],
            s=sizes,
            c=[colours[f] for f in forums],
            zorder=4,
            edgecolors=np.where(lead, "#111111", "white"),
            linewidths=np.where(lead, 3.0, 1.2),
        )
        for f, (fx, fy), size, is_lead in zip(forums, fxy, sizes, lead, strict=True):
            s = share[f]
            label = f if not np.isfinite(s) else f"{f}\n{s:.2f}"
            if is_lead:
                label += " \u00b7 leading"
            ax.text(
                fx,
                fy - math.sqrt(size) / 330 - 0.03,
                label,
                ha="center",
                va="top",
                fontsize=8.5,
                fontweight="bold" if is_lead else "normal",
                zorder=5,
                linespacing=1.1,
                bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.85},
            )
        present = {region.get(a) for a in actor_order}
        handles = [
            Line2D(
                [],
                [],
                ls="none",
                marker="o",
                ms=7,
                color=REGION_COLOURS[r],
                label=f"actor: {_REGION_LABELS.get(r, r)}"
                + (" (size: capability)" if "capability" in actors else ""),
            )
            for r in REGION_COLOURS
            if r in present
        ]
        handles += [
            Line2D(
                [],
                [],
                ls="none",
                marker="o",
                ms=12,
                color="#bbbbbb",
                mec="white",
                label="forum: size and number = share of standing",
            ),
            Line2D(
                [],
                [],
                ls="none",
                marker="o",
                ms=12,
                color="#bbbbbb",
                mec="#111111",
                mew=2.5,
                label="leading platform",
            ),
            Line2D(
                [],
                [],
                color="#888888",
                lw=2.2,
                label="tie: head 3, minister 2, official 1, summed over meetings",
            ),
        ]
        fig.legend(handles=handles, loc="lower center", ncol=3, borderaxespad=0.3)
        return fig


def _actor_sizes(actors: pd.DataFrame, order: list[str]) -> np.ndarray | float:
    """Marker areas by capability in the last quarter (when recorded): who carries weight."""
    if "capability" not in actors or actors.empty:
        return 60.0
    last = actors[actors["step"] == actors["step"].max()].set_index("actor")["capability"]
    cap = last.reindex(order).fillna(0.0).to_numpy(dtype=float)
    top = cap.max()
    if not top > 0:
        return 60.0
    return 22.0 + 240.0 * np.sqrt(cap / top)


def _recent_ties(att: pd.DataFrame, model: pd.DataFrame) -> pd.DataFrame:
    """Actor-forum ties from the last four quarters, weighted by level of attendance."""
    if att.empty:
        return pd.DataFrame(columns=["actor", "forum", "weight"])
    last = int(model["step"].max()) if len(model) else int(att["step"].max())
    window = att[att["step"] > last - 4]
    weight = window["level"].astype(str).map(_LEVEL_WEIGHT).fillna(0)
    ties = (
        window.assign(weight=weight)
        .groupby(["actor", "forum"], sort=False)["weight"]
        .sum()
        .reset_index()
    )
    return ties[ties["weight"] > 0].reset_index(drop=True)


def _lattice_layout(
    ties: pd.DataFrame, forums: list[str], region: dict[str, str]
) -> tuple[dict, list[str]]:
    """Actors on a circle ordered by how Indo-Pacific their ties are; forums among them."""
    ip = ties["actor"].map(lambda a: float(region.get(a) == "indo_pacific"))
    w = ties["weight"].to_numpy(dtype=float)
    forum_ip = (ip * w).groupby(ties["forum"]).sum() / pd.Series(w).groupby(ties["forum"]).sum()
    fip = ties["forum"].map(forum_ip).to_numpy(dtype=float)
    actor_ip = (
        pd.Series(fip * w).groupby(ties["actor"]).sum() / pd.Series(w).groupby(ties["actor"]).sum()
    )
    # most Indo-Pacific first; they take the right of the circle, and the others fan out
    # above and below them in turn, so the most Euro-Atlantic actors end up on the left
    rank = {"indo_pacific": 0, "euro_atlantic": 2}
    actor_order = sorted(
        actor_ip.index, key=lambda a: (rank.get(region.get(a, ""), 1), -actor_ip[a], a)
    )
    n = len(actor_order)
    slots = np.array([(k + 1) // 2 * (1 if k % 2 else -1) for k in range(n)], dtype=float)
    angles = 2 * math.pi * slots / n
    pos = {
        a: np.array([math.cos(t), math.sin(t)]) for a, t in zip(actor_order, angles, strict=True)
    }
    g = nx.Graph()
    g.add_nodes_from(actor_order)
    init = dict(pos)
    for f in forums:
        sub = ties[ties["forum"] == f]
        for a, wt in zip(sub["actor"], sub["weight"], strict=True):
            g.add_edge(a, ("forum", f), weight=float(wt))
        xy = np.average(
            np.array([pos[a] for a in sub["actor"]]),
            axis=0,
            weights=sub["weight"].to_numpy(dtype=float),
        )
        init[("forum", f)] = 0.6 * xy
    layout = nx.spring_layout(
        g, pos=init, fixed=actor_order, seed=11, k=0.45, iterations=60, weight="weight"
    )
    spread = _spread([layout[("forum", f)] for f in forums])
    for f, p in zip(forums, spread, strict=True):
        layout[("forum", f)] = p
    return layout, actor_order


def _spread(points: list, gap: float = 0.36, radius: float = 0.7) -> np.ndarray:
    """Push forum nodes apart until their labels cannot overlap, inside the actor ring.

    Forums with nearly the same members (NATO and NATO+IP4) land on the same spot in a
    spring layout; a few rounds of pairwise pushes separate them without moving forums
    that are already clear of each other.
    """
    p = np.array(points, dtype=float).reshape(-1, 2)
    n = len(p)
    for _ in range(200):
        d = p[:, None, :] - p[None, :, :]
        dist = np.hypot(d[..., 0], d[..., 1]) + np.eye(n) * 1e9
        close = dist < gap
        if not close.any():
            break
        same = dist < 1e-9
        if same.any():  # identical spots: separate along a fixed direction
            _, j = np.nonzero(np.triu(same))
            p[j] += np.array([0.0, -1e-3])
            continue
        push = np.where(close, (gap - dist) / 2 / dist, 0.0)[..., None] * d
        p += push.sum(axis=1)
        r = np.hypot(p[:, 0], p[:, 1])
        p *= np.minimum(1.0, radius / np.maximum(r, 1e-9))[:, None]
    return p


# ---------------------------------------------------------------------------- burden
def _reference_line(ax: Axes, y: float, label: str) -> None:
    """A dotted line at a benchmark value, named at its left end."""
    ax.axhline(y, color="#444444", lw=0.8, ls=":")
    ax.text(
        0.02,
        y,
        label,
        transform=ax.get_yaxis_transform(),
        fontsize=7.5,
        color="#444444",
        va="bottom",
    )


def fig_burden(tables: Tables, subtitle: str | None = None) -> Figure:
    """Olson and Zeckhauser's pattern: does NATO's largest member carry more than its size?

    The largest member's share of the alliance's defence spending is set against its
    share of the alliance's GDP (spending share divided by the burden ratio); a ratio
    above 1 is the disproportionate burden the theory predicts.
    """
    with mpl.rc_context(_STYLE):
        model = _table(tables, "model")
        fig = _figure(12, 4.2)
        _title(
            fig,
            "Burden sharing in NATO: does the largest member carry more than its share?",
            subtitle,
        )
        gs = GridSpec(1, 3, figure=fig, wspace=0.32, **_box(fig, 0.7, 0.25, 1.05, 0.55))
        a = fig.add_subplot(gs[0])
        b = fig.add_subplot(gs[1], sharex=a)
        c = fig.add_subplot(gs[2], sharex=a)
        x = _run_years(tables)
        _year_axis(a, x)
        marker = "o" if len(x) < 6 else None

        def col(name: str) -> np.ndarray | None:
            if name in model and model[name].notna().any():
                return model[name].to_numpy(dtype=float)
            return None

        spend, ratio = col("largest_member_spending_share"), col("largest_member_burden_ratio")
        mean = col("defence_pct_gdp_mean")
        a.set_title("Largest member's share of NATO", fontsize=9.5)
        a.set_ylabel("% of NATO total")
        a.set_ylim(0, 1)
        a.yaxis.set_major_locator(FixedLocator([0, 0.25, 0.5, 0.75, 1.0]))
        a.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        if spend is not None and ratio is not None:
            gdp = spend / ratio
            a.plot(x, spend, color="#1f4e99", lw=1.8, marker=marker, label="defence spending")
            a.plot(x, gdp, color="#1f4e99", lw=1.5, ls="--", marker=marker, label="GDP")
            a.fill_between(x, gdp, spend, color="#1f4e99", alpha=0.1, lw=0)
            a.legend(loc="lower left")
        else:
            _empty(a, "not recorded")
        b.set_title("Burden ratio: spending share / GDP share", fontsize=9.5)
        b.set_ylabel("Ratio")
        if ratio is not None:
            b.plot(x, ratio, color="#9c4f1d", lw=1.8, marker=marker)
            _reference_line(b, 1.0, "proportional burden")
            b.set_ylim(0, max(1.6, float(np.nanmax(ratio)) * 1.15))
            b.yaxis.set_major_locator(MaxNLocator(5))
        else:
            _empty(b, "not recorded")
        c.set_title("Members' mean defence spending", fontsize=9.5)
        c.set_ylabel("% of GDP")
        if mean is not None:
            c.plot(x, mean, color="#3a6b35", lw=1.8, marker=marker)
            _reference_line(c, 2.0, "2% guideline")
            c.set_ylim(0, max(3.0, float(np.nanmax(mean)) * 1.2))
            c.yaxis.set_major_locator(MaxNLocator(5, integer=True))
        else:
            _empty(c, "not recorded")
        for ax in (a, b, c):
            ax.set_xlabel("Year")
        return fig


# ------------------------------------------------------------------------- positions
def fig_positions(tables: Tables, subtitle: str | None = None) -> Figure:
    """Where each theatre stands on every dimension, and how far its members agree.

    The mean is drawn with the band between the 25th and 75th percentiles, because
    socialisation shows as a narrowing band as much as a moving mean. Adversaries sit
    outside the forums and are left out.
    """
    with mpl.rc_context(_STYLE):
        actors = _table(tables, "actors")
        dims = [d for d in dimensions(tables) if f"pos_{d}" in actors] or [""]
        fig = _figure(12, 3.0 * math.ceil((len(dims) + 1) / 3) + 1.0)
        _title(fig, "Positions by region: mean and middle half of actors", subtitle)
        axes, spare = _panels(
            fig, len(dims), _box(fig, 0.75, 0.2, 0.95, 0.55), wspace=0.08, hspace=0.32
        )
        axes[0].set_ylim(-0.02, 1.02)
        axes[0].yaxis.set_major_locator(FixedLocator([0, 0.2, 0.4, 0.6, 0.8, 1.0]))
        _year_axis(axes[0], _run_years(tables))
        _outer_labels(axes, min(3, len(dims) + 1), "Position (0\u20131)")
        if actors.empty or not dims[0] or "region" not in actors:
            _empty(axes[0], "no positions recorded")
            return fig
        actors = actors[actors["region"] != "adversary"]
        regions = [r for r in REGION_COLOURS if r in set(actors["region"])]
        regions += sorted(set(actors["region"]) - set(regions))
        for ax, d in zip(axes, dims, strict=True):
            ax.set_title(dimension_label(d))
        for r in regions:
            x, (lo, mid, hi) = _region_bands(actors[actors["region"] == r], dims)
            c = REGION_COLOURS.get(r, "#999999")
            for k, ax in enumerate(axes):
                ax.fill_between(x, lo[:, k], hi[:, k], color=c, alpha=0.2, lw=0)
                ax.plot(x, mid[:, k], color=c, lw=1.8, marker="o" if len(x) < 6 else None, ms=4)
        handles = []
        for r in regions:
            c = REGION_COLOURS.get(r, "#999999")
            handles.append(Line2D([], [], color=c, lw=2, label=f"{_REGION_LABELS.get(r, r)}"))
        handles.append(
            Patch(color="#999999", alpha=0.3, label="middle half (25th\u201375th percentile)")
        )
        _legend_in(fig, spare, handles, "Region")
        return fig


def _region_bands(sub: pd.DataFrame, dims: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Quarter by quarter: 25th percentile, mean and 75th percentile on each dimension."""
    sub = sub.sort_values("step", kind="stable")
    steps, start, counts = np.unique(sub["step"].to_numpy(), return_index=True, return_counts=True)
    values = sub[[f"pos_{d}" for d in dims]].to_numpy(dtype=float)
    x = _decimal_year(sub["date"].iloc[start])
    if len(counts) and (counts == counts[0]).all():
        # the same actors every quarter: one call over a (quarter, actor, dimension) block
        block = values.reshape(len(steps), counts[0], len(dims))
        # numpy's nanpercentile works one actor column at a time in Python; without
        # missing values the plain percentile is the same numbers in one call
        quartiles = np.nanpercentile if np.isnan(block).any() else np.percentile
        lo, hi = quartiles(block, [25, 75], axis=1)
        return x, np.stack([lo, np.nanmean(block, axis=1), hi])
    out = np.empty((3, len(steps), len(dims)))
    for k, part in enumerate(np.split(values, start[1:])):
        out[0, k], out[2, k] = np.nanpercentile(part, [25, 75], axis=0)
        out[1, k] = np.nanmean(part, axis=0)
    return x, out


def fig_blocs(tables: Tables, subtitle: str | None = None) -> Figure:
    """The two blocs the actors' views imply (landscape theory), quarter by quarter.

    One row per actor, one column per quarter, coloured by side, so a reader sees who
    stands with whom and exactly when someone switches; rows are grouped by the side
    they end on. The energy of the split sits above: it falls as the split fits the
    views better, and jumps when views move under it.
    """
    with mpl.rc_context(_STYLE):
        actors = _table(tables, "actors")
        model = _table(tables, "model")
        n_rows = actors["actor"].nunique() if "actor" in actors else 0
        fig = _figure(12, 1.9 + 0.16 * max(n_rows, 8))
        _title(fig, "Blocs implied by views and shared forums (landscape theory)", subtitle)
        gs = GridSpec(
            2,
            1,
            figure=fig,
            height_ratios=[1, 5.5],
            hspace=0.12,
            **_box(fig, 1.25, 1.9, 0.85, 0.5),
        )
        top = fig.add_subplot(gs[0])
        ax = fig.add_subplot(gs[1], sharex=top)
        if actors.empty or "bloc" not in actors:
            _empty(ax, "no blocs recorded in this run")
            top.set_axis_off()
            return fig
        grid = actors.pivot(index="actor", columns="step", values="bloc")
        cap = actors.drop_duplicates("actor").set_index("actor")["capability"]
        final = grid.iloc[:, -1]
        switched = (grid.diff(axis=1).abs() > 0).sum(axis=1)
        order = sorted(grid.index, key=lambda a: (final[a], -switched[a], -cap.get(a, 0.0)))
        grid = grid.loc[order]
        steps = grid.columns.to_numpy()
        dates = actors.drop_duplicates("step").set_index("step")["date"].reindex(steps)
        x = _decimal_year(dates)
        step = x[1] - x[0] if len(x) > 1 else 0.25
        _side_cells(ax, grid.to_numpy(dtype=float), x, step, ("#4a78b5", "#c8553d"))
        ax.set_ylim(len(order) - 0.5, -0.5)
        _row_labels(ax, [short_name(a) for a in order], fontsize=7)
        ax.grid(False)
        ax.set_xlabel("Year")
        _year_axis(ax, x)
        if "bloc_energy" in model and model["bloc_energy"].notna().any():
            top.plot(
                _run_years(tables),
                model["bloc_energy"].to_numpy(float),
                color="#333333",
                lw=1.5,
                marker="o" if len(x) < 6 else None,
            )
        else:
            _empty(top, "energy not recorded")
        top.set_ylabel("Energy")
        top.tick_params(labelbottom=False)
        top.yaxis.set_major_locator(MaxNLocator(3))
        handles = [
            Patch(color="#4a78b5", label="side A (with the United States)"),
            Patch(color="#c8553d", label="side B"),
        ]
        fig.legend(handles=handles, loc="upper right", bbox_to_anchor=(0.995, 0.9), title="Side")
        return fig


def _side_cells(
    ax: Axes, sides: np.ndarray, x: np.ndarray, step: float, colours: tuple[str, str]
) -> None:
    """Actors (rows) by quarters (columns) coloured by side, one shape per side.

    Each row's quarters on one side are merged into a run, and all runs of a side form
    one compound shape: a few dozen rectangles rather than an image resampled for every
    format, sharp at any zoom in the SVG, and free of seams where rows meet. Missing
    cells (an actor not yet in the run) stay blank.
    """
    runs: tuple[list, list] = ([], [])
    for row, values in enumerate(sides):
        side = np.where(np.isnan(values), -1, (values >= 0.5).astype(int))
        cuts = np.flatnonzero(np.diff(side)) + 1
        for first, last in zip(np.r_[0, cuts], np.r_[cuts, len(side)] - 1, strict=True):
            if side[first] >= 0:
                x0, x1 = x[first] - step / 2, x[last] + step / 2
                runs[side[first]].append(
                    [(x0, row - 0.5), (x1, row - 0.5), (x1, row + 0.5), (x0, row + 0.5)]
                )
    for cells, colour in zip(runs, colours, strict=True):
        if cells:
            path = MplPath.make_compound_path_from_polys(np.array(cells, dtype=float))
            ax.add_patch(PathPatch(path, facecolor=colour, lw=0, antialiased=False))


def _row_labels(ax: Axes, labels: Sequence[str], fontsize: float) -> None:
    """Name a panel's rows as its y tick labels would, with a fifth of the artists.

    A tick is five artists (two marks, a grid line, two labels) built by copying the
    first one; forty of them cost more to make and draw than the rest of the figure.
    One line of markers and one text per row look the same.
    """
    rc = mpl.rcParams
    size, pad = rc["ytick.major.size"], rc["ytick.major.pad"]
    colour = rc["ytick.color"] if rc["ytick.labelcolor"] == "inherit" else rc["ytick.labelcolor"]
    rows = np.arange(len(labels))
    ax.set_yticks([])
    ax.add_line(
        Line2D(
            np.zeros(len(rows)),
            rows,
            transform=ax.get_yaxis_transform(which="tick1"),
            ls="none",
            marker=TICKLEFT,
            ms=size,
            mew=rc["ytick.major.width"],
            color=rc["ytick.color"],
            clip_on=False,
        )
    )
    at = ax.get_yaxis_transform(which="tick1") + ScaledTranslation(
        -(size + pad) / 72, 0, ax.figure.dpi_scale_trans
    )
    for row, label in zip(rows, labels, strict=True):
        ax.text(
            0,
            row,
            label,
            transform=at,
            ha="right",
            va="center_baseline",
            fontsize=fontsize,
            color=colour,
        )


# ------------------------------------------------------------------------------ all
FIGURES: dict[str, Callable[..., Figure]] = {
    "statement_strength": fig_statement_strength,
    "leading_platform": fig_leading_platform,
    "attendance": fig_attendance,
    "coordination": fig_coordination,
    "lattice": fig_lattice,
    "burden": fig_burden,
    "positions": fig_positions,
    "blocs": fig_blocs,
}
"""Every figure of a run, by the file name it is written under."""


# Drawing cost of each figure (ms to build, draw and write in both formats, measured on
# the US pivot run), to split the work between two cores.
_COST = {
    "statement_strength": 240,
    "lattice": 220,
    "positions": 195,
    "blocs": 155,
    "coordination": 145,
    "leading_platform": 145,
    "attendance": 135,
    "burden": 135,
}


def make_figures(
    tables: Tables,
    out_dir: str | Path,
    formats: Sequence[str] = ("png", "svg"),
    title: str | None = None,
    *,
    workers: int | None = None,
) -> list[Path]:
    """Write every figure of a run, in every format, and return the files written.

    PNG at 150 dpi is sharp on a handout and small enough for a dashboard; it is
    compressed lightly, in a thread of its own while the next figure is drawn, because
    the figures are written at the end of every run, where time matters more than a few
    kilobytes (see :func:`_write_png`). SVG keeps its text as text (searchable,
    editable) and carries no timestamp, so the same run writes the same files.

    Args:
        tables: the run's tables, keyed by name.
        out_dir: folder to write into (created if missing).
        formats: file formats, as matplotlib names them.
        title: a line naming the run (e.g. the scenario and seed), shown under each
            figure's title.
        workers: processes drawing at once. ``None`` uses a second core when it is safe
            to fork (a single-threaded, non-daemonic process on a machine with two
            cores or more) and a core is idle (see :func:`_core_free`); 1 draws
            everything here.

    Returns:
        The paths written, figure by figure in the order of :data:`FIGURES`.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = list(FIGURES)
    if workers is None:
        workers = 2 if _can_fork() and _core_free() else 1
    if workers <= 1 or len(names) < 2:
        written = _write_figures(names, tables, out, formats, title)
    else:
        # the costliest figures go to a forked child, the rest are drawn here meanwhile
        groups: tuple[list[str], list[str]] = ([], [])
        loads = [0.0, 0.0]
        for n in sorted(names, key=lambda n: -_COST.get(n, 150)):
            k = int(loads[1] < loads[0])
            groups[k].append(n)
            loads[k] += _COST.get(n, 150)
        share, mine = groups
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            with warnings.catch_warnings():
                # Python counts native threads too (the BLAS and Arrow pools that numpy and
                # pandas start), which install their own at-fork handlers; no Python
                # thread is running here (see _can_fork), so the generic warning is moot.
                warnings.filterwarnings(
                    "ignore", "This process .* is multi-threaded", DeprecationWarning
                )
                theirs = pool.submit(_write_figures, share, tables, out, formats, title)
            written = _write_figures(mine, tables, out, formats, title)
            written += theirs.result()
    order = {n: k for k, n in enumerate(names)}
    return sorted(written, key=lambda p: (order[p.stem], list(formats).index(p.suffix[1:])))


def _core_free() -> bool:
    """Whether a core is idle now, so that a second drawing process would run alongside.

    A forked process and its parent both pay copy-on-write page faults for the memory
    they touch after the fork (about 0.15 s of CPU each for the eight figures), which a
    core of its own repays and a shared one does not: with both cores busy with other
    work, the figures took 1.67 s in two processes and 1.40 s in one (medians of eight).
    Linux counts the tasks running at this moment (this one included) in /proc/loadavg;
    elsewhere the one-minute load average stands in for it.
    """
    cores = os.cpu_count() or 1
    try:
        running = int(Path("/proc/loadavg").read_text().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        try:
            return os.getloadavg()[0] <= cores - 1
        except OSError:
            return True
    return running - 1 <= cores - 2


def _can_fork() -> bool:
    """Whether a child process may be forked here without risk (no threads to deadlock)."""
    return (
        (os.cpu_count() or 1) >= 2
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and not multiprocessing.current_process().daemon
    )


def _write_figures(
    names: Sequence[str], tables: Tables, out: Path, formats: Sequence[str], title: str | None
) -> list[Path]:
    written: list[Path] = []
    pending: list[Future] = []
    # PNG compression releases the GIL: it runs in a thread while the next figure is drawn
    with mpl.rc_context(_STYLE), ThreadPoolExecutor(max_workers=1) as encoder:
        for name in names:
            with garbage_freed_young():
                written += _write_figure(name, tables, out, formats, title, encoder, pending)
        for job in pending:
            job.result()
    return written


def _write_figure(
    name: str,
    tables: Tables,
    out: Path,
    formats: Sequence[str],
    title: str | None,
    encoder: ThreadPoolExecutor,
    pending: list[Future],
) -> list[Path]:
    """Draw one figure and write it in every format (PNGs are encoded by ``encoder``)."""
    fig = FIGURES[name](tables, subtitle=title)
    _freeze_ticks(fig)
    written = []
    for fmt in formats:
        path = out / f"{name}.{fmt}"
        if fmt == "png":
            fig.set_dpi(_PNG_DPI)
            fig.canvas.draw()
            rgba = np.asarray(fig.canvas.buffer_rgba())  # outlives the figure, for the thread
            pending.append(encoder.submit(_write_png, rgba, path))
        else:
            meta = {"Date": None} if fmt in ("svg", "pdf") else None
            fig.savefig(path, format=fmt, dpi=_PNG_DPI, metadata=meta)
        written.append(path)
    return written


@contextmanager
def garbage_freed_young() -> Iterator[None]:
    """Free a figure's objects as soon as it is written, without walking the whole heap.

    A figure is several thousand objects held in reference cycles, so only Python's
    cyclic collector frees them. Left to itself, the collector runs many times while a
    figure is drawn, promotes the figure to its oldest generation, and frees it only in
    a full collection, which walks every object of the process (the tables, pandas,
    numpy, matplotlib: about 160,000) and costs 0.2 s. With collection paused while
    a figure is built and drawn, everything it made is still in the youngest
    generation when it is done, and collecting that generation alone frees it.
    """
    if not gc.isenabled():  # the caller manages collection
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


def _freeze_ticks(fig: Figure) -> None:
    """Replace each axis's ticks by three artists fixed where matplotlib would draw them.

    A matplotlib tick is five artists (two marks, a grid line, two labels), created by
    copying the first tick and re-placed at every draw; with each axis also measuring
    its tick labels again to place its own label, the ticks cost half of drawing a
    figure. A file is drawn from limits that no longer change, so the tick positions
    and labels are taken once from the axis's own locator and formatter, and drawn as
    one line of grid lines, one line of tick marks and a text per label, copied from
    the axis's own template tick: the files look the same, down to the pixel.

    Axes drawn on screen keep their live ticks: only :func:`make_figures` calls this.
    Axes with minor ticks, an offset text ("1e6", "+2024") or a non-linear scale are left
    as they are.
    """
    frozen = [
        _FrozenTicks(axis)
        for ax in fig.axes
        if ax.axison
        for axis in (ax.xaxis, ax.yaxis)
        if _freezable(axis)
    ]
    for ticks in frozen:  # all read before any is switched off: axes share their tickers
        ticks.install()


def _freezable(axis: Axis) -> bool:
    return (
        axis.get_visible()
        and axis.get_scale() == "linear"
        and isinstance(axis.get_minor_locator(), NullLocator)
    )


class _FrozenTicks(Artist):
    """One axis's grid lines, tick marks and tick labels, and the placing of its label."""

    def __init__(self, axis: Axis) -> None:
        super().__init__()
        self.axis = axis
        self.parts: list[Artist] = []
        self.boxes: tuple[list[Text], list[Text]] = ([], [])
        self.marks = (False, False)
        locs = np.asarray(axis.get_majorticklocs(), dtype=float)
        labels = axis.major.formatter.format_ticks(locs)
        self.offset = axis.major.formatter.get_offset()
        lo, hi = sorted(axis.get_view_interval())
        tol = (hi - lo) * 1e-10  # as matplotlib decides which ticks are in view
        keep = (locs >= lo - tol) & (locs <= hi + tol)
        locs, labels = locs[keep], [t for t, k in zip(labels, keep, strict=True) if k]
        tick = axis.majorTicks[0]  # the template every tick is copied from
        is_x = axis.axis_name == "x"

        def line(template: Line2D, across: np.ndarray, along: np.ndarray) -> Line2D:
            copy = Line2D([], [])
            copy.update_from(template)
            copy.set_data((along, across) if is_x else (across, along))
            copy.set_figure(axis.get_figure(root=False))
            return copy

        if len(locs) and tick.gridline.get_visible():
            span = np.tile([0.0, 1.0, np.nan], len(locs))
            self.parts.append(line(tick.gridline, span, np.repeat(locs, 3)))
        marks = []
        for mark in (tick.tick1line, tick.tick2line):
            marks.append(bool(len(locs)) and mark.get_visible())
            if marks[-1]:
                fixed = (mark.get_ydata() if is_x else mark.get_xdata())[0]
                self.parts.append(line(mark, np.full(len(locs), fixed), locs))
        self.marks = (marks[0], marks[1])
        for side, template in enumerate((tick.label1, tick.label2)):
            if not template.get_visible():
                continue
            x0, y0 = template.get_position()
            for loc, label in zip(locs, labels, strict=True):
                text = Text((loc if is_x else x0), (y0 if is_x else loc), label)
                text.update_from(template)
                text.set_rotation_mode(template.get_rotation_mode())
                text.set_figure(axis.get_figure(root=False))
                self.parts.append(text)
                self.boxes[side].append(text)
        self.set_zorder(axis.get_zorder() - 0.01)  # before the axis: its label is placed

    def install(self) -> None:
        """Switch the axis's own ticks off and put these in their place."""
        axis = self.axis
        if self.offset:
            return
        axis.set_tick_params(
            which="major",
            tick1On=False,
            tick2On=False,
            label1On=False,
            label2On=False,
            gridOn=False,
        )
        label = axis.label
        axis.set_label_coords(*label.get_position(), transform=label.get_transform())
        axis.axes.add_artist(self)

    def get_children(self) -> list[Artist]:
        return list(self.parts)

    def draw(self, renderer: RendererBase) -> None:
        if not self.get_visible():
            return
        for part in self.parts:
            part.draw(renderer)
        if self.axis.label.get_text():
            self._place_label(renderer)
        self.stale = False

    def _place_label(self, renderer: RendererBase) -> None:
        """Where matplotlib would put the axis label: clear of the tick labels and marks."""
        axis, ax = self.axis, self.axis.axes
        dpi = axis.get_figure(root=True).dpi
        side = axis.label_position  # bottom or top for x, left or right for y
        first = side in ("bottom", "left")
        spine = ax.spines.get(side)
        box = (spine if spine is not None else ax).get_window_extent(renderer).frozen()
        if self.marks[0 if first else 1]:
            size = axis.majorTicks[0].get_tick_padding() * dpi / 72
            if side == "bottom":
                box.y0 -= size
            elif side == "top":
                box.y1 += size
            elif side == "left":
                box.x0 -= size
            else:
                box.x1 += size
        box = Bbox.union(
            [box, *(t.get_window_extent(renderer) for t in self.boxes[0 if first else 1])]
        )
        pad = axis.labelpad * dpi / 72
        x, y = axis.label.get_position()
        axis.label.set_position(
            {
                "bottom": (x, box.y0 - pad),
                "top": (x, box.y1 + pad),
                "left": (box.x0 - pad, y),
                "right": (box.x1 + pad, y),
            }[side]
        )


def _write_png(rgba: np.ndarray, path: Path) -> None:
    """Write a drawn canvas (its RGBA buffer) as a PNG file that records its resolution.

    Written here rather than by Pillow, whose encoder tries every PNG filter on every
    row: flat-coloured charts compress as well unfiltered (the files come out smaller)
    in a third of the time. The alpha channel of an opaque figure (every figure here)
    is dropped, which loses nothing and leaves a quarter less to compress. numpy's copy
    and zlib release the GIL, so this runs in a thread while the next figure is drawn.
    """
    height, width, _ = rgba.shape
    channels = 3 if (rgba[..., 3] == 255).all() else 4
    rows = np.empty((height, 1 + width * channels), dtype=np.uint8)
    rows[:, 0] = 0  # each row's filter: none
    rows[:, 1:].reshape(height, width, channels)[...] = rgba[..., :channels]
    colour_type = 2 if channels == 3 else 6  # RGB or RGBA, 8 bits a channel
    per_metre = round(_PNG_DPI / 0.0254)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))
        )

    png = b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)),
            chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            chunk(b"IDAT", zlib.compress(memoryview(rows), 1)),
            chunk(b"IEND", b""),
        )
    )
    path.write_bytes(png)
