"""The debrief's figures: each outcome the room changed, drawn beside the model alone.

A list of changed texts says *that* the room changed something; a line that leaves the
model's path in the quarter the room acted, and where it goes after, shows what it
did. One small figure per changed outcome: a text (one forum, one dimension: its
strength at each meeting, a cross where it failed), a forum's attendance (level-weighted,
meeting by meeting) and a forum's standing (its share, quarter by quarter). The room is
drawn solid, the model alone (the same scenario and seed, the same random numbers)
dashed.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from latticesim.mechanisms.socialisation import LEVEL_WEIGHT
from latticesim.model.interface import PlayedModel
from latticesim.seminar.panels import DPI, live_colours, render_svg, standing_data
from latticesim.world.names import dimension_words

STANDING_TOLERANCE = 0.005
"""Standing shares closer than this in every quarter count as unchanged."""


def quarter_x(date: str) -> float:
    """A quarter's label ("2024Q3") as a year with its fraction (2024.5)."""
    year, q = date.split("Q")
    return int(year) + (int(q) - 1) / 4


def standing_changes(room: PlayedModel, alone: PlayedModel) -> list[tuple[str, str]]:
    """Forums whose share of standing the room moved, each with a sentence saying how."""
    x, shares, _leader = standing_data(room)
    _x, alone_shares, _ = standing_data(alone)
    rows = room.recorder.model_rows
    out = []
    for forum in sorted(set(shares) | set(alone_shares)):
        a = shares.get(forum, np.full(len(x), np.nan))
        b = alone_shares.get(forum, np.full(len(x), np.nan))
        gap = np.abs(np.nan_to_num(a) - np.nan_to_num(b))
        if not len(gap) or gap.max() < STANDING_TOLERANCE:
            continue
        k = int(gap.argmax())
        out.append(
            (
                forum,
                f"{forum}: share of standing {_share(a[-1])} in the room, {_share(b[-1])} "
                f"alone at the end (largest gap {gap[k]:.2f}, {rows[k]['date']})",
            )
        )
    return out


def _share(x: float) -> str:
    return "none" if math.isnan(x) else f"{x:.2f}"


def outcome_figures(
    room: PlayedModel, alone: PlayedModel, texts: list[tuple[str, str]], attendance: list[str]
) -> list[tuple[str, bytes]]:
    """A (title, SVG) per changed outcome, the room beside the model alone.

    ``texts`` are (forum, dimension) pairs and ``attendance`` forums, as the debrief
    found them; the forums whose standing the room moved follow.
    """
    colours = live_colours(room)
    out = []
    for forum, dim in texts:
        title = f"{forum}: the text on {dimension_words(dim)}"
        series = [_text_series(m, forum, dim) for m in (room, alone)]
        out.append((title, _draw(title, "strength of the text", series, colours.get(forum))))
    for forum in attendance:
        title = f"{forum}: attendance"
        series = [(*_attendance_series(m, forum), ([], [])) for m in (room, alone)]
        label = "level-weighted attendance"
        out.append((title, _draw(title, label, series, colours.get(forum))))
    x, shares, _ = standing_data(room)
    _x, alone_shares, _ = standing_data(alone)
    for forum, _said in standing_changes(room, alone):
        title = f"{forum}: share of standing"
        series = [
            (x, s.get(forum, np.full(len(x), np.nan)), ([], [])) for s in (shares, alone_shares)
        ]
        out.append((title, _draw(title, "share of standing", series, colours.get(forum))))
    return out


def _text_series(model: PlayedModel, forum: str, dim: str):
    """Meeting by meeting: the adopted text's strength; failed texts apart, as crosses."""
    x, y, fx = [], [], []
    dims = model.dimensions
    for raw in model.recorder.raw_meetings:
        if raw.forum != forum or not raw.met or not raw.rule.votes:
            continue
        for it, o in zip(raw.items, raw.outcomes, strict=True):
            if dims[it.dimension] == dim and it.dimension in raw.competence:
                x.append(quarter_x(raw.date))
                y.append(o.strength if o.adopted else np.nan)
                if not o.adopted:
                    fx.append(quarter_x(raw.date))
    return np.array(x), np.array(y, dtype=float), (fx, [0.02] * len(fx))


def _attendance_series(model: PlayedModel, forum: str):
    x, y = [], []
    for raw in model.recorder.raw_meetings:
        if raw.forum == forum:
            x.append(quarter_x(raw.date))
            y.append(float(LEVEL_WEIGHT[np.asarray(raw.levels, dtype=int)].sum()))
    return np.array(x), np.array(y)


def _draw(title: str, ylabel: str, series: list, colour: str | None) -> bytes:
    """The room solid, the model alone dashed; failed texts as crosses at the bottom."""
    fig = Figure(figsize=(4.4, 2.1), dpi=DPI)
    ax = fig.add_axes((0.13, 0.2, 0.84, 0.62))
    c = colour or "#1f77b4"
    for (x, y, (fx, fy)), style, who in zip(
        series, ("-", "--"), ("the room", "model alone"), strict=True
    ):
        ax.plot(
            x,
            y,
            style,
            color=c if who == "the room" else "#555555",
            marker="o",
            ms=3,
            lw=1.6,
            label=who,
        )
        if len(fx):
            ax.plot(fx, fy, "x", color=c if who == "the room" else "#555555", ms=7)
    ax.set_ylabel(ylabel, fontsize=7)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3, lw=0.5)
    ax.legend(fontsize=7, frameon=False, loc="best")
    fig.suptitle(title, fontsize=9, x=0.02, ha="left")
    return render_svg(fig)


__all__ = ["outcome_figures", "quarter_x", "standing_changes"]
