"""The lattice at the end of a run: who sat in which forum, and how high."""

from __future__ import annotations

import math

import matplotlib as mpl
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.lines import Line2D

from latticesim.figures.layout import STYLE, box, empty, new_figure, title
from latticesim.figures.palettes import REGION_COLOURS, REGION_LABELS, forum_colours
from latticesim.figures.reading import Tables, first_seen, table
from latticesim.mechanisms.attendance import LEVEL_NAMES
from latticesim.world.names import short_name

__all__ = ["fig_lattice"]

_LEVEL_WEIGHT = {name: rank for rank, name in enumerate(LEVEL_NAMES)}
"""A tie's weight per meeting: head of government 3, minister 2, official 1, absent 0."""


def fig_lattice(tables: Tables, subtitle: str | None = None) -> Figure:
    """The lattice at the end of the run: who sat in which forum, and how high.

    Actors sit on a circle, the Euro-Atlantic on one side and the Indo-Pacific on the
    other, ordered by how Indo-Pacific their forums are; forums float among the actors
    who attend them (a seeded spring layout with the actors held fixed), so a forum
    drawn between the two arcs is one that brings the theatres together.
    """
    with mpl.rc_context({**STYLE, "axes.grid": False}):
        model = table(tables, "model")
        actors = table(tables, "actors")
        colours = forum_colours(first_seen(tables))
        fig = new_figure(10, 9.6)
        last_date = str(model["date"].iloc[-1]) if len(model) else "no quarter"
        title(
            fig,
            f"The lattice at the end of the run ({last_date})",
            subtitle or "Ties: attendance in the last four quarters",
        )
        ax = fig.add_subplot(GridSpec(1, 1, figure=fig, **box(fig, 0.2, 0.2, 0.75, 0.75))[0])
        ax.set_axis_off()
        ax.set_xlim(-1.42, 1.42)
        ax.set_ylim(-1.38, 1.38)
        ties = _recent_ties(table(tables, "attendance"), model)
        if ties.empty:
            empty(ax, "no meeting in the last four quarters")
            return fig
        region: dict[str, str] = {}
        if len(actors) and "region" in actors:
            region = dict(zip(actors["actor"], actors["region"], strict=True))
        last_row = model.iloc[-1] if len(model) else pd.Series(dtype=object)
        forums = [f for f in colours if f in set(ties["forum"])]
        share = {f: float(last_row.get(f"share_{f}", np.nan)) for f in forums}
        pos, actor_order = _lattice_layout(ties, forums, region)
        segs = [
            (pos[a], pos[("forum", f)]) for a, f in zip(ties["actor"], ties["forum"], strict=True)
        ]
        widths = 0.4 + 2.4 * ties["weight"].to_numpy(dtype=float) / float(ties["weight"].max())
        ecol = [mpl.colors.to_rgba(colours[f], 0.35) for f in ties["forum"]]
        ax.add_collection(LineCollection(segs, colors=ecol, linewidths=widths, zorder=1))
        _draw_actors(ax, np.array([pos[a] for a in actor_order]), actor_order, actors, region)
        fxy = np.array([pos[("forum", f)] for f in forums])
        _draw_forums(ax, fxy, forums, share, colours, last_row.get("leading_platform"))
        _legend(fig, {region.get(a) for a in actor_order}, "capability" in actors)
        return fig


def _draw_actors(
    ax: Axes, axy: np.ndarray, order: list[str], actors: pd.DataFrame, region: dict[str, str]
) -> None:
    """The actors on their circle, coloured by region, named outward along the radius."""
    acol = [REGION_COLOURS.get(region.get(a, ""), "#b0b0b0") for a in order]
    ax.scatter(
        axy[:, 0],
        axy[:, 1],
        s=_actor_sizes(actors, order),
        c=acol,
        edgecolors="white",
        linewidths=0.8,
        zorder=3,
    )
    for a, (px, py) in zip(order, axy, strict=True):
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


def _draw_forums(
    ax: Axes,
    fxy: np.ndarray,
    forums: list[str],
    share: dict[str, float],
    colours: dict[str, str],
    leading: object,
) -> None:
    """The forums as discs sized by their share of standing, the leader ringed in black."""
    sizes = np.array([300 + 4500 * (share[f] if np.isfinite(share[f]) else 0.02) for f in forums])
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


def _legend(fig: Figure, present: set, sized: bool) -> None:
    """The regions present, and how to read a forum, the leader and a tie."""
    size = " (size: capability)" if sized else ""
    handles = [
        Line2D(
            [],
            [],
            ls="none",
            marker="o",
            ms=7,
            color=REGION_COLOURS[r],
            label=f"actor: {REGION_LABELS.get(r, r)}" + size,
        )
        for r in REGION_COLOURS
        if r in present
    ]
    disc = {"ls": "none", "marker": "o", "ms": 12, "color": "#bbbbbb"}
    handles += [
        Line2D([], [], **disc, mec="white", label="forum: size and number = share of standing"),
        Line2D([], [], **disc, mec="#111111", mew=2.5, label="leading platform"),
        Line2D(
            [],
            [],
            color="#888888",
            lw=2.2,
            label="tie: head 3, minister 2, official 1, summed over meetings",
        ),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=3, borderaxespad=0.3)


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
