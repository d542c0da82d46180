"""Live figures of a running model, for the dashboard's panels.

The figures of :mod:`latticesim.plots` are drawn once from a finished run's tables; these
are redrawn every quarter while a seminar steps a model, so they read the recorder's
raw records directly (no tables are built) and draw few, cheap artists: one
``LineCollection`` for the lattice's ties, one bar call per attendance level, small
figures at screen resolution. They keep the colours of the stored figures (a forum is
the same colour in the dashboard and in a run's report).

Each ``*_data`` function is pure (a model in, plain numbers out) and tested on its own;
each ``draw_*`` function turns those numbers into a :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import io
from collections import defaultdict
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from latticesim.attendance import LEVEL_NAMES
from latticesim.plots import FORUM_COLOURS, LEVEL_COLOURS, REGION_COLOURS
from latticesim.socialisation import LEVEL_WEIGHT

if TYPE_CHECKING:  # pragma: no cover
    from latticesim.model import LatticeModel

DPI = 80
TIE_WINDOW = 4  # quarters of attendance that make an actor-forum tie in the lattice panel
_SPARE = ("#17becf", "#6b6b6b", "#b5b000", "#393b79", "#ad494a", "#637939", "#7b4173")
_REGIONS = ("euro_atlantic", "indo_pacific")


def render_svg(fig: Figure) -> bytes:
    """A figure as SVG with text kept as text: half the work of a PNG, and sharp on a projector."""
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "latticesim"}):
        fig.savefig(buf, format="svg")
    return buf.getvalue()


def forum_colour_map(names: list[str]) -> dict[str, str]:
    """Fixed colours for the usual forums, spare ones in order for founded forums."""
    spare = iter(_SPARE)
    return {n: FORUM_COLOURS.get(n) or next(spare, "#999999") for n in names}


def all_forums(model: LatticeModel) -> list[str]:
    """Every forum the model has known, in the order it was created (for stable colours)."""
    return list(model.forums)


def _quarter_x(model: LatticeModel, step: int) -> float:
    q = model.start + (step - 1)
    return q.year + (q.quarter - 1) / 4.0


# ---------------------------------------------------------------- statement strength
def strength_data(model: LatticeModel) -> dict[str, list[tuple[float, float, bool]]]:
    """Per forum, per meeting held: (year, mean strength of decided texts, any failed).

    Strength is the position an adopted text takes (0 to 1): how far the forum went.
    A meeting whose decided items all failed has NaN strength and ``failed`` True.
    """
    out: dict[str, list[tuple[float, float, bool]]] = defaultdict(list)
    for raw in model.recorder.raw_meetings:
        _date, step, forum, rule, competence, _lvl, _inv, _nm, _lv, met, _ch, items, outs, _v = raw
        if not met or rule == "chair_statement":
            continue
        decided = [o for it, o in zip(items, outs, strict=True) if it.dimension in competence]
        if not decided:
            continue
        adopted = [o.strength for o in decided if o.adopted]
        mean = float(np.mean(adopted)) if adopted else float("nan")
        out[forum].append((_quarter_x(model, step), mean, len(adopted) < len(decided)))
    return dict(out)


def draw_strength(model: LatticeModel) -> Figure:
    """Statement strength by forum over time; a cross marks a meeting where a text failed."""
    data = strength_data(model)
    colours = forum_colour_map(all_forums(model))
    fig, ax = _figure()
    for forum, rows in data.items():
        x, y, failed = (np.array(v) for v in zip(*rows, strict=True))
        c = colours.get(forum, "#999999")
        ax.plot(x, y, color=c, lw=1.6, marker="o", ms=3.5, label=forum)
        if failed.any():
            ax.plot(x[failed], np.where(np.isnan(y[failed]), 0.02, y[failed]), "x", color=c, ms=7)
    _time_axis(ax, model)
    ax.set_ylim(0, 1)
    ax.set_ylabel("strength of adopted texts", fontsize=8)
    ax.set_title("Statement strength by forum (x: a text failed)", fontsize=10, loc="left")
    if data:
        ax.legend(fontsize=7, ncol=3, loc="lower left", frameon=False)
    return fig


# ---------------------------------------------------------------- standing shares
def standing_data(model: LatticeModel) -> tuple[np.ndarray, dict[str, np.ndarray], str]:
    """Years, each forum's share of capability-weighted standing, and today's leader."""
    rows = model.recorder.model_rows
    x = np.array([_quarter_x(model, r["step"]) for r in rows])
    shares = {}
    for forum in all_forums(model):
        key = f"share_{forum}"
        y = np.array([r.get(key, np.nan) for r in rows], dtype=float)
        if np.isfinite(y).any():
            shares[forum] = y
    leader = rows[-1]["leading_platform"] if rows else ""
    return x, shares, leader


def draw_standing(model: LatticeModel) -> Figure:
    """Forum standing shares over time; the leading platform drawn thick."""
    x, shares, leader = standing_data(model)
    colours = forum_colour_map(all_forums(model))
    fig, ax = _figure()
    for forum, y in shares.items():
        lead = forum == leader
        ax.plot(
            x,
            y,
            color=colours[forum],
            lw=3.0 if lead else 1.3,
            label=forum,
            zorder=3 if lead else 2,
        )
    _time_axis(ax, model)
    top = 0.5 if all(np.nanmax(y) <= 0.5 for y in shares.values()) else 1.0
    ticks = np.linspace(0, top, 6)
    ax.set_yticks(ticks, [f"{t:.1f}" for t in ticks], fontsize=8)
    ax.set_ylim(0, top)
    ax.set_ylabel("share of standing", fontsize=8)
    title = f"Forum standing (leading: {leader})" if leader else "Forum standing"
    ax.set_title(title, fontsize=10, loc="left")
    if shares:
        ax.legend(fontsize=7, ncol=3, loc="upper left", frameon=False)
    return fig


# ---------------------------------------------------------------- attendance
def attendance_data(model: LatticeModel) -> tuple[str, list[tuple[str, np.ndarray]]]:
    """Each forum's most recent summit: (date of the latest, [(forum, counts by level)]).

    Counts run absent, official, minister, head (the level codes of
    :mod:`latticesim.attendance`), over all invitees.
    """
    last: dict[str, tuple[str, np.ndarray]] = {}
    for raw in model.recorder.raw_meetings:
        date, _s, forum, _r, _c, level, _inv, _nm, levels = raw[:9]
        if level == "summit":
            last[forum] = (date, np.bincount(levels, minlength=4))
    latest = max((d for d, _ in last.values()), default="")
    return latest, [(f, c) for f, (_d, c) in last.items()]


def draw_attendance(model: LatticeModel) -> Figure:
    """Attendance by level at each forum's last summit, as stacked bars of invitees."""
    latest, rows = attendance_data(model)
    fig, ax = _figure(left=0.2)
    if rows:
        names = [f for f, _ in rows]
        counts = np.array([c for _, c in rows], dtype=float)
        y = np.arange(len(names))
        left = np.zeros(len(names))
        for code in (3, 2, 1, 0):
            level = LEVEL_NAMES[code]
            ax.barh(
                y,
                counts[:, code],
                left=left,
                color=LEVEL_COLOURS.get(level, "#dddddd"),
                label=level,
            )
            left += counts[:, code]
        ax.set_yticks(y, names, fontsize=8)
        ax.invert_yaxis()
        ax.legend(fontsize=7, ncol=4, loc="lower right", frameon=False, bbox_to_anchor=(1, 1.0))
        ax.set_xlabel("invitees", fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
    else:
        ax.text(0.5, 0.5, "no summit yet", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    ax.set_title(
        f"Attendance at each forum's last summit {latest}".strip(), fontsize=10, loc="left", pad=16
    )
    return fig


# ---------------------------------------------------------------- the lattice
def lattice_layout(model: LatticeModel) -> dict[str, tuple[float, float]]:
    """Fixed places: actors on an outer ring by region, forums on an inner ring.

    The places do not move from quarter to quarter, so a seminar watches the ties
    change rather than the picture rearranging itself.
    """
    names = model.actor_names
    rows = [i for i in range(len(names)) if model.region[i] < 2]  # adversaries sit outside
    order = sorted(rows, key=lambda i: (int(model.region[i]), names[i]))
    pos: dict[str, tuple[float, float]] = {}
    for k, i in enumerate(order):
        a = np.pi / 2 - 2 * np.pi * k / len(order)
        pos[names[i]] = (float(np.cos(a)), float(np.sin(a)))
    forums = all_forums(model)
    for k, f in enumerate(forums):
        a = np.pi / 2 - 2 * np.pi * (k + 0.5) / max(len(forums), 1)
        pos[f] = (0.45 * float(np.cos(a)), 0.45 * float(np.sin(a)))
    return pos


def lattice_data(model: LatticeModel, window: int = TIE_WINDOW) -> dict[tuple[str, str], float]:
    """Actor-forum ties: attendance over the last ``window`` quarters, level-weighted.

    A head of government at a summit adds 1, a minister 0.6, an official 0.3 (the
    weights socialisation uses), so a tie is as thick as the actor's presence.
    """
    ties: dict[tuple[str, str], float] = defaultdict(float)
    since = model.steps - window
    names = model.actor_names
    for raw in reversed(model.recorder.raw_meetings):
        step = raw[1]
        if step <= since:
            break
        forum, inv, levels, met = raw[2], raw[6], raw[8], raw[9]
        if not met:
            continue
        for a, lv in zip(inv.tolist(), levels.tolist(), strict=True):
            if lv:
                ties[(names[a], forum)] += float(LEVEL_WEIGHT[lv])
    return dict(ties)


def draw_lattice(model: LatticeModel, played: frozenset[str] = frozenset()) -> Figure:
    """The lattice: actors and forums, ties weighted by attendance, the leader in gold."""
    pos = model.__dict__.setdefault("_panel_layout", {})
    if set(model.forums) - set(pos):
        pos.clear()
        pos.update(lattice_layout(model))
    ties = lattice_data(model)
    leader = model.recorder.model_rows[-1]["leading_platform"] if model.recorder.model_rows else ""
    colours = forum_colour_map(all_forums(model))
    fig = Figure(figsize=(5.2, 3.0), dpi=DPI)  # the panels' shape: the ring becomes an ellipse
    ax = fig.add_axes((0, 0, 1, 0.9))
    segments, widths, edge_colours = [], [], []
    for (actor, forum), w in ties.items():
        if actor in pos and forum in pos:
            segments.append((pos[actor], pos[forum]))
            widths.append(0.3 + 1.2 * w)
            edge_colours.append(colours.get(forum, "#999999"))
    if segments:
        ax.add_collection(
            LineCollection(segments, linewidths=widths, colors=edge_colours, alpha=0.35)
        )
    actors = [n for n in pos if n not in model.forums]
    xy = np.array([pos[n] for n in actors])
    region = [REGION_COLOURS[_REGIONS[model.region[model.actor_index[n]]]] for n in actors]
    ax.scatter(
        xy[:, 0],
        xy[:, 1],
        s=28,
        c=region,
        edgecolors=["#d62728" if n in played else "white" for n in actors],
        linewidths=[2 if n in played else 0.5 for n in actors],
        zorder=3,
    )
    for n, (x, y) in zip(actors, xy, strict=True):
        label = _short(n)
        ax.text(
            1.1 * x,
            1.1 * y,
            label,
            fontsize=6.5,
            ha="center",
            va="center",
            fontweight="bold" if n in played else "normal",
        )
    active = {f.name for f in model.active_forums}
    for f in all_forums(model):
        x, y = pos[f]
        lead = f == leader
        ax.scatter(
            [x],
            [y],
            s=300 if lead else 140,
            c=colours[f] if f in active else "#dddddd",
            edgecolors="#f1c40f" if lead else "white",
            linewidths=3 if lead else 1,
            zorder=4,
            marker="s",
        )
        ax.text(
            x,
            y - 0.11,
            f,
            fontsize=7.5,
            ha="center",
            va="top",
            fontweight="bold" if lead else "normal",
            color="#222" if f in active else "#999",
            zorder=5,
        )
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(-1.2, 1.2)
    ax.set_axis_off()
    fig.suptitle(
        f"The lattice, {model.start + max(model.steps - 1, 0)} (leading platform in gold)"
        if model.steps
        else "The lattice",
        fontsize=10,
        x=0.02,
        ha="left",
    )
    return fig


_SHORT = {
    "United States": "US",
    "United Kingdom": "UK",
    "European Union (institution)": "EU",
    "South Korea": "ROK",
    "New Zealand": "NZ",
    "North Macedonia": "N. Maced.",
    "Czech Republic": "Czechia",
}


def _short(name: str) -> str:
    return _SHORT.get(name, name if len(name) <= 9 else name[:8] + ".")


def _figure(left: float = 0.11) -> tuple[Figure, object]:
    """A panel-sized figure with a fixed frame (no layout engine: it costs more than drawing)."""
    fig = Figure(figsize=(5.2, 3.0), dpi=DPI)
    ax = fig.add_axes((left, 0.13, 0.97 - left, 0.74))
    return fig, ax


def _time_axis(ax, model: LatticeModel) -> None:
    """Years as ticks, fixed from start to horizon, so the frame does not jump as a run grows."""
    x0 = model.start.year + (model.start.quarter - 1) / 4.0
    x1 = model.horizon.year + (model.horizon.quarter - 1) / 4.0
    ax.set_xlim(x0 - 0.1, x1 + 0.1)
    span = model.horizon.year - model.start.year
    years = list(range(model.start.year, model.horizon.year + 1, 1 if span <= 6 else 2))
    ax.set_xticks(years, [str(y) for y in years], fontsize=8)
    ax.set_yticks([0, 0.5, 1.0], ["0", ".5", "1"], fontsize=8)
    ax.grid(axis="y", alpha=0.3, lw=0.5)


__all__ = [
    "render_svg",
    "attendance_data",
    "draw_attendance",
    "draw_lattice",
    "draw_standing",
    "draw_strength",
    "lattice_data",
    "lattice_layout",
    "standing_data",
    "strength_data",
]
