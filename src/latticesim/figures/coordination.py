"""Coordination and linkage: do the allies agree, and do the two theatres sit together?"""

from __future__ import annotations

import math
import textwrap

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec

from latticesim.common.quarters import decimal_years
from latticesim.figures.layout import STYLE, box, empty, new_figure, title, year_axis
from latticesim.figures.reading import Tables, run_years, table

__all__ = ["fig_coordination"]


def fig_coordination(tables: Tables, subtitle: str | None = None) -> Figure:
    """Coordination and the linkage between theatres, with the run's events.

    The two panels answer the two questions of the brief (do the allies coordinate? do
    the two theatres sit together?). Coordination is drawn twice on one 0-1 scale: what
    the two theatres said together (joint coordination), which moves when forums agree,
    fail or form, and how close their views are (the coordination index), which moves
    only as views do. Linkage is drawn as the share of Euro-Atlantic and
    Indo-Pacific pairs that sat together in the last year, on the same 0-1 scale as the
    index, with how often they did (level-weighted meetings per pair) on a scale of its
    own at the right. The events of the log are marked on both panels so a reader can
    tie a change to its cause.
    """
    with mpl.rc_context(STYLE):
        model = table(tables, "model")
        log = table(tables, "log")
        # room under the panels for the numbered list of events
        lines = math.ceil(len(log) / 4) if len(log) else 0
        fig = new_figure(11, 5.8 + 0.14 * lines)
        title(fig, "Coordination and linkage between the Euro-Atlantic and Indo-Pacific", subtitle)
        gs = GridSpec(
            2, 1, figure=fig, hspace=0.28, **box(fig, 0.75, 0.75, 0.95, 0.55 + 0.14 * lines)
        )
        top = fig.add_subplot(gs[0])
        bottom = fig.add_subplot(gs[1], sharex=top, sharey=top)
        top.tick_params(labelbottom=False)
        top.set_ylim(0, 1.02)
        x = run_years(tables)
        year_axis(bottom, x)
        bottom.set_xlabel("Year")
        marker = "o" if len(x) < 6 else None
        top.set_title(
            "Coordination: texts the two theatres adopted together in the last year, "
            "and agreement of views",
            fontsize=9.5,
        )
        top.set_ylabel("Share (0–1)")
        share_col = "linkage_pairs" if "linkage_pairs" in model else "linkage"
        bottom.set_title(
            "Linkage: share of Euro-Atlantic × Indo-Pacific pairs that sat together in "
            "the last year",
            fontsize=9.5,
        )
        bottom.set_ylabel("Share of pairs (0–1)")
        _draw_coordination(top, model, x, marker)
        if share_col not in model or model[share_col].isna().all():
            empty(bottom, "not recorded")
        else:
            y = model[share_col].to_numpy(dtype=float)
            bottom.plot(x, y, color="#9c4f1d", lw=1.8, marker=marker, ms=4)
            bottom.fill_between(x, 0, y, color="#9c4f1d", alpha=0.07, lw=0)
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


_COORDINATION = (
    ("joint_coordination", "joint coordination: salient texts adopted together", "#1f3b63", "-"),
    ("coordination_index", "coordination index: agreement of views", "#5b7fb0", "--"),
)
"""The top panel's lines: column, legend label, colour and line style."""


def _draw_coordination(ax: Axes, model: pd.DataFrame, x: np.ndarray, marker: str | None) -> None:
    """Joint coordination (filled) and the coordination index, those the table has."""
    drawn = 0
    for col, label, colour, style in _COORDINATION:
        if col not in model or model[col].isna().all():
            continue
        y = model[col].to_numpy(dtype=float)
        ax.plot(x, y, color=colour, lw=1.8, ls=style, marker=marker, ms=4, label=label)
        if not drawn:
            ax.fill_between(x, 0, y, color=colour, alpha=0.07, lw=0)
        drawn += 1
    if not drawn:
        empty(ax, "not recorded")
    else:
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 0.12), fontsize=8, frameon=False)


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
        decimal_years(log["date"]),
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
