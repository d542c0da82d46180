"""Attendance: who came, and at what level, to every meeting of every forum."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from latticesim.common.quarters import decimal_years
from latticesim.figures.layout import STYLE, box, empty, new_figure, title, year_axis
from latticesim.figures.palettes import LEVEL_COLOURS, LEVEL_LABELS, forum_colours
from latticesim.figures.reading import Tables, first_seen, run_years, table

__all__ = ["fig_attendance"]

_LEVELS = ["head", "minister", "official", "absent"]  # stacked from each row's baseline up
_FAILED = "#b22222"


def fig_attendance(tables: Tables, subtitle: str | None = None) -> Figure:
    """Who came, and at what level, to every meeting of every forum.

    One row per forum on a shared time axis lets ten forums over ten years be compared
    at a glance; each bar is one meeting, split into shares of the invitees rather than
    counts so that a 32-member NATO summit and a two-party TTC read on one scale. Wide
    bars are summits and narrow ones ministerials, so a summit leaders skipped stands out.
    """
    with mpl.rc_context({**STYLE, "axes.grid": False}):
        meetings = table(tables, "meetings")
        colours = forum_colours(first_seen(tables))
        forums = [f for f in colours if len(meetings) and f in set(meetings["forum"])]
        n = max(len(forums), 1)
        fig = new_figure(11, 1.75 + 0.52 * n)
        title(fig, "Attendance by level at each forum's meetings", subtitle)
        ax = fig.add_subplot(GridSpec(1, 1, figure=fig, **box(fig, 1.45, 0.3, 1.15, 0.55))[0])
        x_all = run_years(tables)
        year_axis(ax, x_all)
        ax.set_xlabel("Year")
        ax.set_ylim(n - 0.1, -0.25)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0, pad=12)
        _legend(fig)
        if not forums:
            ax.set_yticks([])
            empty(ax, "no meeting yet")
            return fig
        counts = _level_counts(meetings, table(tables, "attendance"))
        m = meetings[meetings["forum"].isin(forums)]
        row = m["forum"].map({f: k for k, f in enumerate(forums)}).to_numpy()
        x = decimal_years(m["date"])
        span = float(np.ptp(x_all)) if len(x_all) else 1.0
        wide = min(0.1, 0.02 + 0.008 * span)  # narrower bars when a short run is zoomed in
        half = np.where(m["level"].to_numpy() == "summit", wide, 0.55 * wide)
        c = counts.reindex(m["meeting_id"]).fillna(0).to_numpy(dtype=float)
        verts, fcs = _bar_cells(c / np.maximum(c.sum(axis=1, keepdims=True), 1), x, half, row)
        failed = ~m["met"].astype(bool).to_numpy()
        invited = m.groupby("forum")["n_invitees"].max()
        labels = [f"{f} ({int(invited[f])})" for f in forums]
        ax.add_collection(PolyCollection(list(verts), facecolors=fcs, linewidths=0))
        _rows(ax, forums, labels, colours, x[failed], row[failed] + 0.4)
        return fig


def _legend(fig: Figure) -> None:
    """The levels, and the mark of a meeting that did not happen, across the top."""
    handles = [Patch(color=LEVEL_COLOURS[lv], label=LEVEL_LABELS[lv]) for lv in _LEVELS]
    handles.append(
        Line2D([], [], ls="none", marker="x", color=_FAILED, mew=1.5, label="did not meet")
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


def _level_counts(meetings: pd.DataFrame, att: pd.DataFrame) -> pd.DataFrame:
    """Invitees at each level, meeting by meeting.

    The attendance table has them invitee by invitee; a run stored without it still has
    each meeting's own counts.
    """
    if len(att):
        return pd.crosstab(att["meeting_id"], att["level"].astype(str)).reindex(
            columns=_LEVELS, fill_value=0
        )
    return meetings.set_index("meeting_id")[
        ["n_head", "n_minister", "n_official", "n_absent"]
    ].set_axis(_LEVELS, axis=1)


def _bar_cells(
    share: np.ndarray, x: np.ndarray, half: np.ndarray, row: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each meeting's bar as one rectangle per level present, and their colours.

    Bars grow upward from each row's baseline, head of government at the bottom.
    """
    top = np.cumsum(share, axis=1)
    y0 = (row + 0.8)[:, None] - 0.8 * (top - share)
    y1 = (row + 0.8)[:, None] - 0.8 * top
    keep = share > 0
    xl = np.broadcast_to((x - half)[:, None], y0.shape)
    xr = np.broadcast_to((x + half)[:, None], y0.shape)
    verts = np.stack([xl, y0, xr, y0, xr, y1, xl, y1], axis=-1)[keep].reshape(-1, 4, 2)
    fcs = np.array([LEVEL_COLOURS[lv] for lv in _LEVELS])[np.nonzero(keep)[1]]
    return verts, fcs


def _rows(
    ax: Axes,
    forums: list[str],
    labels: list[str],
    colours: dict[str, str],
    fails_x: np.ndarray,
    fails_y: np.ndarray,
) -> None:
    """Each forum's baseline and name (with its colour), and crosses where none met."""
    n = len(forums)
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
        ax.plot(fails_x, fails_y, ls="none", marker="x", color=_FAILED, ms=7, mew=1.8)
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
