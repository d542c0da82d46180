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
from latticesim.plots import FORUM_COLOURS, LEVEL_COLOURS, REGION_COLOURS, garbage_freed_young
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
    with (
        garbage_freed_young(),
        matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "latticesim"}),
    ):
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


# ---------------------------------------------------------------- live figures
class LiveFigure:
    """A panel's figure, built once per model and updated quarter by quarter.

    Building axes, ticks and titles costs more than drawing them, so each panel keeps
    its figure and artists and only moves data on :meth:`update`; :meth:`svg` renders it.
    A new model (after Reset) gets a new figure.
    """

    def __init__(self, model: LatticeModel) -> None:
        self.model = model
        self.fig = Figure(figsize=(5.2, 3.0), dpi=DPI)
        self.title = self.fig.text(0.01, 0.97, "", fontsize=10, va="top")
        self._drawn: object = None  # what the figure shows (see _changed)
        self._svg: bytes | None = None

    def update(self) -> LiveFigure:
        """Bring the figure up to the model's current quarter."""
        raise NotImplementedError  # pragma: no cover - every panel defines it

    def _changed(self, signature: object) -> bool:
        """Whether the data behind the figure differ from what it shows (then redraw)."""
        if signature == self._drawn:
            return False
        self._drawn = signature
        self._svg = None
        return True

    def svg(self) -> bytes:
        """The figure as it stands, as SVG (rendered again only after a change)."""
        if self._svg is None:
            self._svg = render_svg(self.fig)
        return self._svg

    def _time_axes(self, left: float = 0.11):
        model = self.model
        ax = self.fig.add_axes((left, 0.13, 0.97 - left, 0.72))
        x0 = model.start.year + (model.start.quarter - 1) / 4.0
        x1 = model.horizon.year + (model.horizon.quarter - 1) / 4.0
        ax.set_xlim(x0 - 0.1, x1 + 0.1)
        span = model.horizon.year - model.start.year
        years = list(range(model.start.year, model.horizon.year + 1, 1 if span <= 6 else 2))
        ax.set_xticks(years, [str(y) for y in years], fontsize=8)
        ax.grid(axis="y", alpha=0.3, lw=0.5)
        return ax


class StrengthFigure(LiveFigure):
    """Statement strength by forum over time; a cross marks a meeting where a text failed."""

    def __init__(self, model: LatticeModel) -> None:
        super().__init__(model)
        self.ax = self._time_axes()
        self.ax.set_ylim(0, 1)
        self.ax.set_yticks([0, 0.5, 1.0], ["0", ".5", "1"], fontsize=8)
        self.ax.set_ylabel("strength of adopted texts", fontsize=8)
        self.title.set_text("Statement strength by forum (x: a text failed)")
        self.lines: dict[str, tuple] = {}

    def update(self) -> StrengthFigure:
        """Move each forum's line to the meetings held so far (a new forum gets a line)."""
        if not self._changed(len(self.model.recorder.raw_meetings)):
            return self
        data = strength_data(self.model)
        colours = forum_colour_map(all_forums(self.model))
        new = False
        for forum, rows in data.items():
            x, y, failed = (np.array(v) for v in zip(*rows, strict=True))
            if forum not in self.lines:
                c = colours.get(forum, "#999999")
                (line,) = self.ax.plot([], [], color=c, lw=1.6, marker="o", ms=3.5, label=forum)
                (cross,) = self.ax.plot([], [], "x", color=c, ms=7)
                self.lines[forum] = (line, cross)
                new = True
            line, cross = self.lines[forum]
            line.set_data(x, y)
            cross.set_data(x[failed], np.where(np.isnan(y[failed]), 0.02, y[failed]))
        if new:
            self.ax.legend(fontsize=7, ncol=3, loc="lower left", frameon=False)
        return self


class StandingFigure(LiveFigure):
    """Forum standing shares over time; the leading platform drawn thick."""

    def __init__(self, model: LatticeModel) -> None:
        super().__init__(model)
        self.ax = self._time_axes()
        self.ax.set_ylabel("share of standing", fontsize=8)
        self.top = 0.0
        self.lines: dict[str, object] = {}

    def update(self) -> StandingFigure:
        """Extend the share lines to this quarter and thicken the leader's."""
        if not self._changed(len(self.model.recorder.model_rows)):
            return self
        x, shares, leader = standing_data(self.model)
        colours = forum_colour_map(all_forums(self.model))
        new = False
        for forum, y in shares.items():
            if forum not in self.lines:
                (self.lines[forum],) = self.ax.plot([], [], color=colours[forum], label=forum)
                new = True
            line = self.lines[forum]
            line.set_data(x, y)
            lead = forum == leader
            line.set_linewidth(3.0 if lead else 1.3)
            line.set_zorder(3 if lead else 2)
        top = 0.5 if all(np.nanmax(y) <= 0.5 for y in shares.values()) else 1.0
        if top != self.top:
            ticks = np.linspace(0, top, 6)
            self.ax.set_yticks(ticks, [f"{t:.1f}" for t in ticks], fontsize=8)
            self.ax.set_ylim(0, top)
            self.top = top
        if new:
            self.ax.legend(fontsize=7, ncol=3, loc="upper left", frameon=False)
        self.title.set_text(f"Forum standing (leading: {leader})" if leader else "Forum standing")
        return self


class AttendanceFigure(LiveFigure):
    """Attendance by level at each forum's last summit, as stacked bars of invitees."""

    def __init__(self, model: LatticeModel) -> None:
        super().__init__(model)
        self.ax = self.fig.add_axes((0.2, 0.13, 0.77, 0.7))
        self.ax.set_xlabel("invitees", fontsize=8)
        self.ax.tick_params(axis="x", labelsize=8)
        self.bars: list = []
        self.names: list[str] = []
        self.empty = self.ax.text(
            0.5, 0.5, "no summit yet", ha="center", va="center", transform=self.ax.transAxes
        )
        handles = [
            self.ax.bar(
                [0], [0], color=LEVEL_COLOURS.get(LEVEL_NAMES[c], "#dddddd"), label=LEVEL_NAMES[c]
            )
            for c in (3, 2, 1, 0)
        ]
        self.ax.legend(
            handles=handles,
            fontsize=7,
            ncol=4,
            loc="lower right",
            frameon=False,
            bbox_to_anchor=(1, 1.0),
        )

    def update(self) -> AttendanceFigure:
        """Redraw the bars when a summit has met since the last drawing."""
        summits = sum(1 for raw in self.model.recorder.raw_meetings if raw[5] == "summit")
        if not self._changed(summits):
            return self  # no summit since the last drawing
        latest, rows = attendance_data(self.model)
        for bar in self.bars:
            bar.remove()
        self.bars = []
        self.empty.set_visible(not rows)
        self.ax.set_axis_on() if rows else self.ax.set_axis_off()
        if rows:
            names = [f for f, _ in rows]
            counts = np.array([c for _, c in rows], dtype=float)
            y = np.arange(len(names))
            left = np.zeros(len(names))
            for code in (3, 2, 1, 0):
                colour = LEVEL_COLOURS.get(LEVEL_NAMES[code], "#dddddd")
                self.bars.append(self.ax.barh(y, counts[:, code], left=left, color=colour))
                left += counts[:, code]
            if names != self.names:
                self.ax.set_yticks(y, names, fontsize=8)
                self.ax.set_ylim(len(names) - 0.5, -0.5)
                self.names = names
            self.ax.set_xlim(0, max(float(left.max()), 1.0) * 1.02)
        self.title.set_text(f"Attendance at each forum's last summit {latest}".strip())
        return self


class LatticeFigure(LiveFigure):
    """The lattice: actors and forums, ties weighted by attendance, the leader in gold."""

    def __init__(self, model: LatticeModel) -> None:
        super().__init__(model)
        self.ax = self.fig.add_axes((0, 0, 1, 0.9))  # the ring becomes an ellipse
        self.ax.set_xlim(-1.3, 1.3)
        self.ax.set_ylim(-1.2, 1.2)
        self.ax.set_axis_off()
        self.ties = LineCollection([], alpha=0.35)
        self.ax.add_collection(self.ties)
        self.forums: list[str] = []
        self.forum_artists: list = []
        self.played: frozenset[str] | None = None
        self.pos = lattice_layout(model)
        self.actors = [n for n in self.pos if n not in model.forums]
        xy = np.array([self.pos[n] for n in self.actors])
        rows = [model.actor_index[n] for n in self.actors]
        self.dots = self.ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=28,
            c=[REGION_COLOURS[_REGIONS[model.region[i]]] for i in rows],
            edgecolors="white",
            linewidths=0.5,
            zorder=3,
        )
        self.labels = [
            self.ax.text(1.1 * x, 1.1 * y, _short(n), fontsize=6.5, ha="center", va="center")
            for n, (x, y) in zip(self.actors, xy, strict=True)
        ]

    def update(self, played: frozenset[str] = frozenset()) -> LatticeFigure:
        """Ties of the last quarters, the leader in gold, played actors ringed in red."""
        model = self.model
        if not self._changed((model.steps, played)):
            return self
        if list(model.forums) != self.forums:
            self._place_forums()
        colours = forum_colour_map(self.forums)
        ties = lattice_data(model)
        segments, widths, edge_colours = [], [], []
        for (actor, forum), w in ties.items():
            if actor in self.pos and forum in self.pos:
                segments.append((self.pos[actor], self.pos[forum]))
                widths.append(0.3 + 1.2 * w)
                edge_colours.append(colours.get(forum, "#999999"))
        self.ties.set_segments(segments)
        self.ties.set_linewidths(widths or [1.0])
        self.ties.set_colors(edge_colours or ["#999999"])
        if played != self.played:
            self.dots.set_edgecolors(["#d62728" if n in played else "white" for n in self.actors])
            self.dots.set_linewidths([2 if n in played else 0.5 for n in self.actors])
            for n, label in zip(self.actors, self.labels, strict=True):
                label.set_fontweight("bold" if n in played else "normal")
            self.played = played
        rows = model.recorder.model_rows
        leader = rows[-1]["leading_platform"] if rows else ""
        active = {f.name for f in model.active_forums}
        for f, (node, label) in zip(self.forums, self.forum_artists, strict=True):
            lead = f == leader
            node.set_sizes([300 if lead else 140])
            node.set_facecolor(colours[f] if f in active else "#dddddd")
            node.set_edgecolor("#f1c40f" if lead else "white")
            node.set_linewidth(3 if lead else 1)
            label.set_fontweight("bold" if lead else "normal")
            label.set_color("#222222" if f in active else "#999999")
        when = model.start + max(model.steps - 1, 0)
        self.title.set_text(
            f"The lattice, {when} (leading platform in gold)" if model.steps else "The lattice"
        )
        return self

    def _place_forums(self) -> None:
        for node, label in self.forum_artists:
            node.remove()
            label.remove()
        self.pos = lattice_layout(self.model)
        self.forums = list(self.model.forums)
        self.forum_artists = []
        for f in self.forums:
            x, y = self.pos[f]
            node = self.ax.scatter([x], [y], s=140, marker="s", zorder=4)
            label = self.ax.text(x, y - 0.13, f, fontsize=7, ha="center", va="top", zorder=5)
            self.forum_artists.append((node, label))


def draw_strength(model: LatticeModel) -> Figure:
    """Statement strength by forum over time, as a fresh figure."""
    return StrengthFigure(model).update().fig


def draw_standing(model: LatticeModel) -> Figure:
    """Forum standing shares over time, as a fresh figure."""
    return StandingFigure(model).update().fig


def draw_attendance(model: LatticeModel) -> Figure:
    """Attendance by level at each forum's last summit, as a fresh figure."""
    return AttendanceFigure(model).update().fig


def draw_lattice(model: LatticeModel, played: frozenset[str] = frozenset()) -> Figure:
    """The lattice at the model's current quarter, as a fresh figure."""
    return LatticeFigure(model).update(played).fig


__all__ = [
    "AttendanceFigure",
    "LatticeFigure",
    "LiveFigure",
    "StandingFigure",
    "StrengthFigure",
    "attendance_data",
    "draw_attendance",
    "draw_lattice",
    "draw_standing",
    "draw_strength",
    "lattice_data",
    "lattice_layout",
    "render_svg",
    "standing_data",
    "strength_data",
]
