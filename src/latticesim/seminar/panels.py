"""Live figures of a running model, for the dashboard's panels.

The figures of :mod:`latticesim.figures.render` are drawn once from a finished run's tables;
these are redrawn every quarter while a seminar steps a model, so they read the recorder's
raw records directly (no tables are built) and draw few, cheap artists: one
``LineCollection`` for the lattice's ties, one bar call per attendance level, small
figures at screen resolution. They keep the colours of the stored figures (a forum is
the same colour in the dashboard and in a run's report).

Each ``*_data`` function is pure (a model in, plain numbers out) and tested on its own;
each ``draw_*`` function turns those numbers into a :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from latticesim.figures.layout import SVG_STYLE
from latticesim.figures.palettes import LEVEL_COLOURS, REGION_COLOURS, forum_colours
from latticesim.figures.render import garbage_freed_young
from latticesim.mechanisms.attendance import LEVEL_NAMES
from latticesim.mechanisms.socialisation import LEVEL_WEIGHT
from latticesim.world.names import SHORT_NAMES, short_name

if TYPE_CHECKING:  # pragma: no cover
    from latticesim.model.model import LatticeModel

DPI = 80
TIE_WINDOW = 4  # quarters of attendance that make an actor-forum tie in the lattice panel
_REGIONS = ("euro_atlantic", "indo_pacific")


def render_svg(fig: Figure) -> bytes:
    """A figure as SVG with text kept as text: half the work of a PNG, and sharp on a projector."""
    buf = io.BytesIO()
    with (
        garbage_freed_young(),
        matplotlib.rc_context(SVG_STYLE),
    ):
        fig.savefig(buf, format="svg")
    return buf.getvalue()


def all_forums(model: LatticeModel) -> list[str]:
    """Every forum the model has known, in the order it was created."""
    return list(model.forums)


def live_colours(model: LatticeModel) -> dict[str, str]:
    """Every forum's colour, the one it has in the run's figures.

    The figures order forums by the quarter they first appear in; a forum appears in the
    quarter it is created.
    """
    return forum_colours({name: float(f.created.index) for name, f in model.forums.items()})


def _quarter_x(model: LatticeModel, step: int) -> float:
    return (model.start + (step - 1)).decimal_year


# ---------------------------------------------------------------- statement strength
def strength_data(model: LatticeModel) -> dict[str, list[tuple[float, float, bool]]]:
    """Per forum, per meeting held: (year, mean strength of decided texts, any failed).

    Strength is the position an adopted text takes (0 to 1): how far the forum went.
    A meeting whose decided items all failed has NaN strength and ``failed`` True.
    """
    out: dict[str, list[tuple[float, float, bool]]] = defaultdict(list)
    for raw in model.recorder.raw_meetings:
        if not raw.met or not raw.rule.votes:
            continue
        decided = [
            o
            for it, o in zip(raw.items, raw.outcomes, strict=True)
            if it.dimension in raw.competence
        ]
        if not decided:
            continue
        adopted = [o.strength for o in decided if o.adopted]
        mean = float(np.mean(adopted)) if adopted else float("nan")
        out[raw.forum].append((_quarter_x(model, raw.step), mean, len(adopted) < len(decided)))
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
    :mod:`latticesim.mechanisms.attendance`), over all invitees. Forums come in the
    model's forum order, whatever met last, so a bar keeps its row from quarter to quarter.
    """
    last: dict[str, tuple[str, np.ndarray]] = {}
    for raw in model.recorder.raw_meetings:
        if raw.level == "summit":
            last[raw.forum] = (raw.date, np.bincount(raw.levels, minlength=4))
    latest = max((d for d, _ in last.values()), default="")
    return latest, [(f, last[f][1]) for f in all_forums(model) if f in last]


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
    since = model.quarters_run - window
    names = model.actor_names
    for raw in reversed(model.recorder.raw_meetings):
        if raw.step <= since:
            break
        if not raw.met:
            continue
        for a, lv in zip(raw.invitees.tolist(), raw.levels.tolist(), strict=True):
            if lv:
                ties[(names[a], raw.forum)] += float(LEVEL_WEIGHT[lv])
    return dict(ties)


def _ring_label(actor: str) -> str:
    """An actor's name on the panel's small ring: its short form, or cut to nine letters.

    The ring leaves a name about nine characters before it runs into its neighbours'.
    """
    if actor in SHORT_NAMES:
        return short_name(actor)
    return actor if len(actor) <= 9 else actor[:8] + "."


# ---------------------------------------------------------------- live figures
class LiveFigure:
    """A panel's figure, built once per model and updated quarter by quarter.

    Building axes, ticks and titles costs more than drawing them, and laying out text
    costs most of drawing, so a panel is two layers of the same size: ``fig``, the
    frame (axes, ticks, labels, legend), rendered again only when it changes, and
    ``top``, the data and the title, transparent, rendered every quarter; :meth:`svg`
    lays the one over the other. Each panel keeps its artists and only moves data on
    :meth:`update`. A new model (after Reset) gets a new figure.
    """

    def __init__(self, model: LatticeModel) -> None:
        self.model = model
        self.fig = Figure(figsize=(5.2, 3.0), dpi=DPI)
        self.top = Figure(figsize=(5.2, 3.0), dpi=DPI)
        self.top.patch.set_visible(False)
        self.title = self.top.text(0.01, 0.97, "", fontsize=10, va="top")
        self._drawn: object = None  # what the figure shows (see _changed)
        self._svg: bytes | None = None
        self._frame: bytes | None = None

    def frame_changed(self) -> None:
        """Render the frame again at the next :meth:`svg` (ticks, legend or labels moved)."""
        self._frame = None

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

    def layers(self) -> tuple[bytes, bytes]:
        """The frame and the data layer, as two SVGs of the same size.

        The page lays the one over the other and sends the frame again only when it has
        changed.
        """
        if self._frame is None:
            self._frame = render_svg(self.fig)
        if self._svg is None:
            self._svg = render_svg(self.top)
        return self._frame, self._svg

    def svg(self) -> bytes:
        """The figure as it stands, as one SVG (rendered again only after a change)."""
        return overlay(*self.layers())

    def _axes(self, rect: tuple[float, float, float, float]):
        """An axes in the frame and its twin in the data layer, at the same place."""
        frame = self.fig.add_axes(rect)
        data = self.top.add_axes(rect)
        data.set_axis_off()
        return frame, data

    def _time_axes(self, left: float = 0.11):
        model = self.model
        ax, data = self._axes((left, 0.13, 0.97 - left, 0.72))
        x0, x1 = model.start.decimal_year, model.horizon.decimal_year
        for a in (ax, data):
            a.set_xlim(x0 - 0.1, x1 + 0.1)
        span = model.horizon.year - model.start.year
        years = list(range(model.start.year, model.horizon.year + 1, 1 if span <= 6 else 2))
        ax.set_xticks(years, [str(y) for y in years], fontsize=8)
        ax.grid(axis="y", alpha=0.3, lw=0.5)
        return ax, data


def overlay(frame: bytes, data: bytes) -> bytes:
    """One SVG: the data layer's drawing nested inside the frame's, over it.

    Both are matplotlib SVGs of the same size, so the inner ``<svg>`` element lands
    exactly on the outer one; SVG allows nesting, and browsers draw it as one image.
    """
    inner = data[data.index(b"<svg") :]
    end = inner.index(b">")
    # the inner element fills the outer one: its size in points would be read in the
    # outer's user units and scale it by 4/3
    opening = re.sub(rb'(width|height)="[^"]*"', rb'\1="100%"', inner[:end])
    cut = frame.rindex(b"</svg>")
    return frame[:cut] + opening + inner[end:] + frame[cut:]


class StrengthFigure(LiveFigure):
    """Statement strength by forum over time; a cross marks a meeting where a text failed."""

    def __init__(self, model: LatticeModel) -> None:
        super().__init__(model)
        self.ax, self.data = self._time_axes()
        for a in (self.ax, self.data):
            a.set_ylim(0, 1)
        self.ax.set_yticks([0, 0.5, 1.0], ["0", ".5", "1"], fontsize=8)
        self.ax.set_ylabel("strength of adopted texts", fontsize=8)
        self.title.set_text("Statement strength by forum (x: a text failed)")
        self.lines: dict[str, tuple] = {}

    def update(self) -> StrengthFigure:
        """Move each forum's line to the meetings held so far (a new forum gets a line)."""
        if not self._changed(len(self.model.recorder.raw_meetings)):
            return self
        data = strength_data(self.model)
        colours = live_colours(self.model)
        new = False
        for forum, rows in data.items():
            x, y, failed = (np.array(v) for v in zip(*rows, strict=True))
            if forum not in self.lines:
                c = colours.get(forum, "#999999")
                style = {"color": c, "lw": 1.6, "marker": "o", "ms": 3.5}
                (line,) = self.data.plot([], [], label=forum, **style)
                (cross,) = self.data.plot([], [], "x", color=c, ms=7)
                self.lines[forum] = (line, cross)
                new = True
            line, cross = self.lines[forum]
            line.set_data(x, y)
            cross.set_data(x[failed], np.where(np.isnan(y[failed]), 0.02, y[failed]))
        if new:
            handles = [line for line, _ in self.lines.values()]
            self.ax.legend(handles=handles, fontsize=7, ncol=3, loc="lower left", frameon=False)
            self.frame_changed()
        return self


class StandingFigure(LiveFigure):
    """Forum standing shares over time; the leading platform drawn thick."""

    def __init__(self, model: LatticeModel) -> None:
        super().__init__(model)
        self.ax, self.data = self._time_axes()
        self.ax.set_ylabel("share of standing", fontsize=8)
        self.ceiling = 0.0
        self.lines: dict[str, object] = {}

    def update(self) -> StandingFigure:
        """Extend the share lines to this quarter and thicken the leader's."""
        if not self._changed(len(self.model.recorder.model_rows)):
            return self
        x, shares, leader = standing_data(self.model)
        colours = live_colours(self.model)
        new = False
        for forum, y in shares.items():
            if forum not in self.lines:
                (self.lines[forum],) = self.data.plot([], [], color=colours[forum], label=forum)
                new = True
            line = self.lines[forum]
            line.set_data(x, y)
            lead = forum == leader
            line.set_linewidth(3.0 if lead else 1.3)
            line.set_zorder(3 if lead else 2)
        ceiling = 0.5 if all(np.nanmax(y) <= 0.5 for y in shares.values()) else 1.0
        if ceiling != self.ceiling:
            ticks = np.linspace(0, ceiling, 6)
            self.ax.set_yticks(ticks, [f"{t:.1f}" for t in ticks], fontsize=8)
            for a in (self.ax, self.data):
                a.set_ylim(0, ceiling)
            self.ceiling = ceiling
            self.frame_changed()
        if new:
            handles = list(self.lines.values())
            self.ax.legend(handles=handles, fontsize=7, ncol=3, loc="upper left", frameon=False)
            self.frame_changed()
        self.title.set_text(f"Forum standing (leading: {leader})" if leader else "Forum standing")
        return self


class AttendanceFigure(LiveFigure):
    """Attendance by level at each forum's last summit, as stacked bars of invitees.

    The scale runs to the number of actors who can be invited, fixed for the run, so
    the frame (forum names, scale, legend) changes only when the set of forums does.
    """

    def __init__(self, model: LatticeModel) -> None:
        super().__init__(model)
        self.ax, self.data = self._axes((0.2, 0.13, 0.77, 0.7))
        self.ax.set_xlabel("invitees", fontsize=8)
        self.ax.tick_params(axis="x", labelsize=8)
        most = int((model.region < 2).sum())  # everyone who sits in forums
        for a in (self.ax, self.data):
            a.set_xlim(0, most * 1.02)
        self.bars: list = []
        self.names: list[str] | None = None
        self.empty = self.ax.text(
            0.5, 0.5, "no summit yet", ha="center", va="center", transform=self.ax.transAxes
        )
        handles = [
            Rectangle((0, 0), 1, 1, color=LEVEL_COLOURS.get(LEVEL_NAMES[c], "#dddddd"))
            for c in (3, 2, 1, 0)
        ]
        self.ax.legend(
            handles=handles,
            labels=[LEVEL_NAMES[c] for c in (3, 2, 1, 0)],
            fontsize=7,
            ncol=4,
            loc="lower right",
            frameon=False,
            bbox_to_anchor=(1, 1.0),
        )
        self.ax.set_yticks([])

    def update(self) -> AttendanceFigure:
        """Redraw the bars when a summit has met since the last drawing."""
        summits = sum(1 for raw in self.model.recorder.raw_meetings if raw.level == "summit")
        if not self._changed(summits):
            return self  # no summit since the last drawing
        latest, rows = attendance_data(self.model)
        for bar in self.bars:
            bar.remove()
        self.bars = []
        names = [f for f, _ in rows]
        if names != self.names:  # forum names and the empty note sit in the frame
            self.empty.set_visible(not rows)
            y = np.arange(len(names))
            self.ax.set_yticks(y, names, fontsize=8)
            for a in (self.ax, self.data):
                a.set_ylim(max(len(names), 1) - 0.5, -0.5)
            self.names = names
            self.frame_changed()
        if rows:
            counts = np.array([c for _, c in rows], dtype=float)
            y = np.arange(len(names))
            left = np.zeros(len(names))
            for code in (3, 2, 1, 0):
                colour = LEVEL_COLOURS.get(LEVEL_NAMES[code], "#dddddd")
                self.bars.append(self.data.barh(y, counts[:, code], left=left, color=colour))
                left += counts[:, code]
        self.title.set_text(f"Attendance at each forum's last summit {latest}".strip())
        return self


class LatticeFigure(LiveFigure):
    """The lattice: actors and forums, ties weighted by attendance, the leader in gold."""

    def __init__(self, model: LatticeModel) -> None:
        super().__init__(model)
        self.ax, self.data = self._axes((0, 0, 1, 0.9))  # the ring becomes an ellipse
        for a in (self.ax, self.data):
            a.set_xlim(-1.3, 1.3)
            a.set_ylim(-1.2, 1.2)
            a.set_axis_off()
        self.ties = LineCollection([], alpha=0.35)
        self.data.add_collection(self.ties)
        self.forums: list[str] = []
        self.forum_artists: list = []
        self.styled: tuple = ()  # (leader, active forums) the forum labels show
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
            self.ax.text(1.1 * x, 1.1 * y, _ring_label(n), fontsize=6.5, ha="center", va="center")
            for n, (x, y) in zip(self.actors, xy, strict=True)
        ]

    def update(self, played: frozenset[str] = frozenset()) -> LatticeFigure:
        """Ties of the last quarters, the leader in gold, played actors ringed in red."""
        model = self.model
        if not self._changed((model.quarters_run, played)):
            return self
        if list(model.forums) != self.forums:
            self._place_forums()
        colours = live_colours(model)
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
            self.frame_changed()  # the actors (ringed when played) are drawn in the frame
            self.dots.set_edgecolors(["#d62728" if n in played else "white" for n in self.actors])
            self.dots.set_linewidths([2 if n in played else 0.5 for n in self.actors])
            for n, label in zip(self.actors, self.labels, strict=True):
                label.set_fontweight("bold" if n in played else "normal")
            self.played = played
        rows = model.recorder.model_rows
        leader = rows[-1]["leading_platform"] if rows else ""
        active = {f.name for f in model.active_forums}
        styled = (leader, frozenset(active))
        if styled != self.styled:  # forum labels sit in the frame: redraw it
            self.frame_changed()
            self.styled = styled
        for f, (node, label) in zip(self.forums, self.forum_artists, strict=True):
            lead = f == leader
            node.set_sizes([300 if lead else 140])
            node.set_facecolor(colours[f] if f in active else "#dddddd")
            node.set_edgecolor("#f1c40f" if lead else "white")
            node.set_linewidth(3 if lead else 1)
            label.set_fontweight("bold" if lead else "normal")
            label.set_color("#222222" if f in active else "#999999")
        self.title.set_text(
            f"The lattice, {model.quarter} (leading platform in gold)"
            if model.quarters_run
            else "The lattice"
        )
        return self

    def _place_forums(self) -> None:
        for node, label in self.forum_artists:
            node.remove()
            label.remove()
        self.frame_changed()
        self.pos = lattice_layout(self.model)
        self.forums = list(self.model.forums)
        self.forum_artists = []
        for f in self.forums:
            x, y = self.pos[f]
            node = self.data.scatter([x], [y], s=140, marker="s", zorder=4)
            label = self.ax.text(x, y - 0.13, f, fontsize=7, ha="center", va="top", zorder=5)
            self.forum_artists.append((node, label))
        self.styled: tuple = ()


def draw_strength(model: LatticeModel) -> bytes:
    """Statement strength by forum over time, drawn afresh, as SVG."""
    return StrengthFigure(model).update().svg()


def draw_standing(model: LatticeModel) -> bytes:
    """Forum standing shares over time, drawn afresh, as SVG."""
    return StandingFigure(model).update().svg()


def draw_attendance(model: LatticeModel) -> bytes:
    """Attendance by level at each forum's last summit, drawn afresh, as SVG."""
    return AttendanceFigure(model).update().svg()


def draw_lattice(model: LatticeModel, played: frozenset[str] = frozenset()) -> bytes:
    """The lattice at the model's current quarter, drawn afresh, as SVG."""
    return LatticeFigure(model).update(played).svg()


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
    "overlay",
    "render_svg",
    "standing_data",
    "strength_data",
]
