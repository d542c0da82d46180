"""The seminar dashboard: a SolaraViz app to step, watch and role-play the lattice.

``latticesim dashboard`` serves :func:`Page`. A facilitator picks a scenario (or drops a
scenario file), sets the main parameters with sliders and steps, plays, pauses or resets
quarter by quarter, as in any Mesa SolaraViz app; the panels show the lattice, statement
strength and standing by forum, attendance at the last summits and the chronicle as it
grows. A room hands actors to people (see :mod:`latticesim.seminar.rooms`): players open the
same address, choose *Join a room*, give the code and answer for their actor at each
meeting; the facilitator's Step advances the quarter, the model answering for anyone
late. Every browser page gets its own model, so two seminars on one server do not share
a run.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import html
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import reacton.ipywidgets as rw
import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from latticesim.mechanisms.attendance import LEVEL_NAMES
from latticesim.model.delegations import VOTES, PlayedChoice
from latticesim.model.model import LatticeModel
from latticesim.outputs.chronicle import Chronicler
from latticesim.scenario.loading import load_scenario
from latticesim.scenario.messages import ScenarioError
from latticesim.scenario.schema import ActorSpec, AdversarySpec, LatticeScenario, ScenarioSpec
from latticesim.seminar import panels
from latticesim.seminar.rooms import ROOMS, Room, RoomError, debrief
from latticesim.world.actors import actor_table

DEFAULT_SCENARIO = "us_pivot"
SCENARIOS_ENV = "LATTICESIM_SCENARIOS"

# -------------------------------------------------------------------- scenarios


def scenario_dir() -> Path:
    """Where the dashboard finds scenarios.

    ``$LATTICESIM_SCENARIOS`` when set, else ./scenarios, else the project's own folder
    when latticesim runs from its checkout.
    """
    env = os.environ.get(SCENARIOS_ENV)
    if env:
        return Path(env)
    here = Path.cwd() / "scenarios"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[3] / "scenarios"


def scenario_names() -> list[str]:
    """The shipped scenarios by name (file stem), baseline first."""
    names = sorted(p.stem for p in scenario_dir().glob("*.yaml"))
    return sorted(names, key=lambda n: (n != "baseline_2024", n))


@functools.lru_cache(maxsize=64)
def _load_cached(path: str, mtime: float) -> ScenarioSpec:
    return load_scenario(path)


def library_scenario(name: str) -> ScenarioSpec:
    """A shipped scenario by name, loaded once per file version.

    Raises:
        ScenarioError: when the file is bad (one line per problem).
        FileNotFoundError: when there is no such scenario.
    """
    path = scenario_dir() / f"{name}.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"no scenario {name!r} in {scenario_dir()}")
    return _load_cached(str(path), path.stat().st_mtime)


UPLOADS: dict[str, ScenarioSpec] = {}
"""Scenarios dropped on the dashboard, by a key that names them (per server process)."""
_upload_lock = threading.Lock()


def load_uploaded(name: str, data: bytes) -> str:
    """Validate a dropped scenario file and keep it; returns its key for :class:`DashboardModel`.

    The file is checked exactly as ``latticesim validate`` checks it. It may ``extends``
    a shipped scenario by file name, as files in ``scenarios/`` do.

    Raises:
        ScenarioError: the problems, one line each, naming the file as dropped.
    """
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(name).name) or "scenario.yaml"
    with tempfile.TemporaryDirectory(prefix="latticesim-upload-") as tmp:
        folder = Path(tmp)
        for shipped in scenario_dir().glob("*.yaml"):
            if shipped.name != safe:
                (folder / shipped.name).symlink_to(shipped.resolve())
        path = folder / safe
        path.write_bytes(data)
        try:
            spec = load_scenario(path)
        except ScenarioError as exc:
            text = str(exc).replace(str(folder) + os.sep, "")
            raise _Reworded(text) from None
    with _upload_lock:
        key = f"{safe} (dropped {len(UPLOADS) + 1})"
        UPLOADS[key] = spec
    return key


class _Reworded(ScenarioError):
    """A scenario error whose text names the dropped file, not the temporary copy."""

    def __init__(self, text: str) -> None:
        Exception.__init__(self, text)
        self.problems = []


# -------------------------------------------------------------------- main parameters
@functools.cache
def _trait(actor: str, field: str) -> float:
    return float(next(getattr(r, field) for r in actor_table() if r.name == actor))


def main_defaults() -> dict[str, float]:
    """Slider defaults: the 2024 values the shipped data give."""
    base = (
        library_scenario("baseline_2024")
        if (scenario_dir() / "baseline_2024.yaml").is_file()
        else None
    )
    china = base.adversaries.get("China") if base else None
    return {
        "pivot_strength": 1.0,
        "us_commitment": round(_trait("United States", "commitment"), 2),
        "france_tolerance": round(_trait("France", "tolerance"), 2),
        "china_support": round(china.support, 2) if china and china.support is not None else 0.5,
    }


def configure(
    spec: ScenarioSpec,
    pivot_strength: float = 1.0,
    us_commitment: float | None = None,
    france_tolerance: float | None = None,
    china_support: float | None = None,
) -> ScenarioSpec:
    """The scenario with the dashboard's four main parameters applied.

    ``pivot_strength`` scales every US attention shift the scenario schedules (1: as
    written, 0: no pivot, 2: twice as far, capped at moving everything); the other three
    set the starting values of US commitment to forums, France's tolerance and China's
    support for Russia's war (events later in the scenario still change them on their
    dates). None leaves the scenario's value.
    """
    events = []
    for e in spec.events:
        if e.type == "attention_shift" and e.actor == "United States" and pivot_strength != 1.0:
            update = {"amount": min(1.0, e.amount * pivot_strength)}
            if e.resources is not None:
                update["resources"] = min(1.0, e.resources * pivot_strength)
            e = e.model_copy(update=update)
        events.append(e)
    actors = dict(spec.actors)
    if us_commitment is not None:
        us = actors.get("United States", ActorSpec())
        actors["United States"] = us.model_copy(update={"commitment": float(us_commitment)})
    if france_tolerance is not None:
        fr = actors.get("France", ActorSpec())
        actors["France"] = fr.model_copy(update={"tolerance": float(france_tolerance)})
    adversaries = dict(spec.adversaries)
    if china_support is not None:
        cn = adversaries.get("China", AdversarySpec())
        adversaries["China"] = cn.model_copy(update={"support": float(china_support)})
    return spec.model_copy(update={"events": events, "actors": actors, "adversaries": adversaries})


def pivot_events(spec: ScenarioSpec) -> int:
    """How many US attention shifts the pivot slider scales in this scenario."""
    return sum(1 for e in spec.events if e.type == "attention_shift" and e.actor == "United States")


class DashboardModel(LatticeModel):
    """A :class:`LatticeModel` built from the dashboard's controls.

    SolaraViz rebuilds a model from keyword arguments when Reset is pressed, so the
    scenario comes by name (a shipped file or a dropped one's key) with the four main
    parameters and the seed. A room, when one is open, hands its players' answers to
    each step.
    """

    def __init__(
        self,
        scenario_name: str = DEFAULT_SCENARIO,
        pivot_strength: float = 1.0,
        us_commitment: float | None = None,
        france_tolerance: float | None = None,
        china_support: float | None = None,
        seed: int = 1,
    ) -> None:
        base = UPLOADS.get(scenario_name) or library_scenario(scenario_name)
        self.settings = {
            "scenario_name": scenario_name,
            "pivot_strength": pivot_strength,
            "us_commitment": us_commitment,
            "france_tolerance": france_tolerance,
            "china_support": china_support,
            "seed": int(seed),
        }
        # A slider left where it starts (the 2024 value) leaves the scenario's own value:
        # a scenario set in another year (hindcast_2019) keeps its starting world.
        start = main_defaults()
        moved = {
            k: v
            for k, v in (
                ("us_commitment", us_commitment),
                ("france_tolerance", france_tolerance),
                ("china_support", china_support),
            )
            if v is not None and abs(float(v) - start[k]) > 1e-9
        }
        spec = configure(base, pivot_strength, **moved)
        super().__init__(LatticeScenario(spec=spec, rng=int(seed)), record_actors=False)
        self.base_spec = base
        self.room: Room | None = None

    def step(self) -> None:
        """One quarter, with the room's answers for its played actors.

        The room is locked for the quarter: a player's page that asks for its meetings or
        sends an answer meanwhile waits, and never sees a quarter half run.
        """
        room = self.room
        if room is None:
            super().step()
            return
        with room.lock:
            room.before_step(self)
            super().step()
            room.after_step(self)

    @property
    def next_quarter(self) -> str:
        """The quarter Step runs next, or "end" past the horizon."""
        q = self.start + self.steps
        return str(q) if q <= self.horizon else "end"


def model_alone(model: DashboardModel) -> DashboardModel:
    """The same scenario, parameters and seed run to the same quarter with no players."""
    alone = DashboardModel(**model.settings)
    if model.steps:
        alone.run_for(model.steps)
    return alone


def model_params() -> dict[str, Any]:
    """SolaraViz's user inputs: scenario, the four main parameters, the seed."""
    d = main_defaults()
    return {
        "scenario_name": {
            "type": "Select",
            "value": DEFAULT_SCENARIO,
            "values": scenario_names(),
            "label": "Scenario",
        },
        "pivot_strength": {
            "type": "SliderFloat",
            "value": d["pivot_strength"],
            "min": 0.0,
            "max": 2.0,
            "step": 0.1,
            "label": "US pivot (x scenario)",
        },
        "us_commitment": {
            "type": "SliderFloat",
            "value": d["us_commitment"],
            "min": 0.0,
            "max": 1.0,
            "step": 0.05,
            "label": "US commitment to forums",
        },
        "france_tolerance": {
            "type": "SliderFloat",
            "value": d["france_tolerance"],
            "min": 0.05,
            "max": 1.0,
            "step": 0.01,
            "label": "France's tolerance",
        },
        "china_support": {
            "type": "SliderFloat",
            "value": d["china_support"],
            "min": 0.0,
            "max": 1.0,
            "step": 0.05,
            "label": "China's support for Russia",
        },
        "seed": {"type": "SliderInt", "value": 1, "min": 0, "max": 99, "step": 1, "label": "Seed"},
    }


# -------------------------------------------------------------------- chronicle
def live_chronicle(model: LatticeModel) -> list[tuple[str, str, str]]:
    """The chronicle so far: (quarter, kind, sentence), newest quarter first.

    Each quarter is told once, as it is run (a :class:`~latticesim.outputs.chronicle.Chronicler`
    kept with the model remembers what came before), so the cost of a step does not grow
    with the length of the run; the sentences are those of the run's ``chronicle.md``.
    """
    with _chronicle_lock:  # players' pages read the facilitator's model from their threads
        state = model.__dict__.setdefault(
            "_live_chronicle", {"teller": Chronicler(), "told": (0, 0, 0), "rows": []}
        )
        told, upto = _completed_records(model.recorder, state["told"])
        if upto != state["told"]:
            new = state["teller"].tell(_tables_between(model.recorder, told, upto))
            state["rows"] = _newest_first(new, state["rows"])
            state["told"] = upto
        return state["rows"]


def _completed_records(recorder, told: tuple[int, int, int]) -> tuple[tuple, tuple]:
    """How far the records of completed quarters reach (meetings, log, quarters).

    A player's page may ask while the facilitator's step is half done: its quarter has
    some meetings recorded and no model row yet, so only quarters with a model row are
    told (the row is the last thing a step records).
    """
    rows = recorder.model_rows[:]
    if len(rows) <= told[2]:
        return told, told
    last = rows[-1]["step"]
    meetings, entries = recorder.raw_meetings[:], recorder.entries[:]
    m = told[0]
    while m < len(meetings) and meetings[m][1] <= last:
        m += 1
    e = told[1]
    while e < len(entries) and entries[e][1] <= last:
        e += 1
    return told, (m, e, len(rows))


def _tables_between(recorder, told: tuple[int, int, int], upto: tuple[int, int, int]) -> dict:
    """The run's tables for the records between ``told`` and ``upto``.

    A shallow copy of the recorder that holds only those records builds them, so a
    quarter costs the same in the tenth year as in the first.
    """
    view = copy.copy(recorder)
    view.raw_meetings = recorder.raw_meetings[told[0] : upto[0]]
    view.entries = recorder.entries[told[1] : upto[1]]
    view.model_rows = recorder.model_rows[told[2] : upto[2]]
    view.actor_steps = []
    return {name: df for name, df in view.frames().items() if name != "actors"}


_chronicle_lock = threading.Lock()


def _newest_first(new, told: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """New entries (in the order they happened within each quarter) above the earlier ones."""
    rows = list(zip(new["date"], new["step"], new["kind"], new["text"], strict=True))
    steps = sorted({r[1] for r in rows}, reverse=True)
    ordered = [(d, k, t) for step in steps for d, s, k, t in rows if s == step]
    return ordered + told


def chronicle_html(rows: list[tuple[str, str, str]], limit: int = 60) -> str:
    """Chronicle entries as HTML, a heading per quarter, played actors' choices marked."""
    if not rows:
        return "<p class='chronicle-empty'><i>Step the model: the chronicle grows here.</i></p>"
    out, last = [], None
    for date, kind, text in rows[:limit]:
        if date != last:
            if last is not None:
                out.append("</ul>")
            out.append(
                f"<h4 style='margin:6px 0 2px'>{html.escape(date)}</h4><ul style='margin:0'>"
            )
            last = date
        style = " style='background:#fff3cd'" if kind == "played" else ""
        out.append(f"<li class='chronicle-{html.escape(kind)}'{style}>{html.escape(text)}</li>")
    out.append("</ul>")
    return "<div class='chronicle'>" + "".join(out) + "</div>"


# -------------------------------------------------------------------- panels
def _use_image(model: LatticeModel, live: type[panels.LiveFigure], *extra):
    """A panel's picture: its figure kept per model, updated only when the model moves on.

    The frame and the data are two images, one over the other: a step sends only the
    data layer, and the browser redraws only that, unless the frame changed too.
    """
    figure = solara.use_memo(lambda: live(model), [model])
    frame, data = solara.use_memo(
        lambda: figure.update(*extra).layers(), [figure, model.steps, *extra]
    )
    with solara.Div(style={"position": "relative", "width": "100%"}) as panel:
        rw.Image(value=frame, format="svg+xml", layout=_IMAGE_LAYOUT)
        with solara.Div(style={"position": "absolute", "top": "0", "left": "0", "width": "100%"}):
            rw.Image(value=data, format="svg+xml", layout=_IMAGE_LAYOUT)
    return panel


_IMAGE_LAYOUT = {"width": "100%", "height": "auto"}


def LatticePanel(model: LatticeModel):
    """The lattice as a network; played actors ringed in red."""
    update_counter.get()
    played = frozenset(model.actor_names[i] for i in model.played)
    return _use_image(model, panels.LatticeFigure, played)


def StrengthPanel(model: LatticeModel):
    """Statement strength by forum over time."""
    update_counter.get()
    return _use_image(model, panels.StrengthFigure)


def StandingPanel(model: LatticeModel):
    """Forum standing shares over time."""
    update_counter.get()
    return _use_image(model, panels.StandingFigure)


def AttendancePanel(model: LatticeModel):
    """Attendance by level at each forum's last summit."""
    update_counter.get()
    return _use_image(model, panels.AttendanceFigure)


def ChroniclePanel(model: LatticeModel):
    """The chronicle, growing as the run goes (newest quarter on top)."""
    update_counter.get()
    rows = solara.use_memo(lambda: live_chronicle(model), [model, model.steps])
    with solara.Column(style={"height": "100%", "overflow-y": "auto"}) as col:
        quarter = str(model.start + (model.steps - 1)) if model.steps else "not started"
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<b>Chronicle</b> &middot; <span class='quarter'>{quarter}</span> &middot; "
                f"next: {getattr(model, 'next_quarter', '')}"
            ),
        )
        solara.HTML(tag="div", unsafe_innerHTML=chronicle_html(rows), classes=["chronicle-box"])
    return col


# -------------------------------------------------------------------- role-play
def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


ROOM_POLL_SECONDS: float | None = 0.3
"""How often a page looks for changes others made to its room (None: never)."""


def use_room_version(room: Room | None) -> int:
    """Re-render when anyone changes the room (a player answers, the quarter advances).

    Each page runs in its own thread on the server; a small thread per page watches
    the room's version and asks its page to redraw.
    """
    version, set_version = solara.use_state(room.version if room is not None else 0)
    seen = solara.use_ref(version)
    every = ROOM_POLL_SECONDS

    def poll(cancel: threading.Event) -> None:
        while room is not None and every and not cancel.wait(every):
            if room.version != seen.current:
                seen.current = room.version
                set_version(room.version)

    solara.use_thread(poll, dependencies=[room])
    return version


@solara.component
def SeatForm(room: Room, token: str, quarter: int = 0):
    """A player's answers for the coming quarter: attendance and votes, meeting by meeting.

    ``quarter`` (the model's step) is passed by the facilitator's page so that a seat at
    the front is redrawn with the step itself; a player's own page follows the room.
    """
    use_room_version(room)
    error, set_error = solara.use_state("")
    # Answers being edited, by (quarter, forum). A ref, not only state: clicks can arrive
    # faster than the page re-renders, and each must build on the one before.
    drafts = solara.use_ref({})
    _, redraw = solara.use_state(0)
    try:
        player = room.player(token)
        meetings = room.meetings_for(token)
        sent = room.answered(token)
    except RoomError as exc:
        solara.Error(str(exc))
        return
    model = room.model
    with solara.Column(classes=["seat"]):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<div class='seat-head'><b>{html.escape(player.actor)}</b> played by "
                f"{html.escape(player.name)} &middot; room <b>{room.code}</b> &middot; "
                "next quarter "
                f"<b class='seat-quarter'>{getattr(model, 'next_quarter', '')}</b></div>"
            ),
        )
        if not meetings:
            solara.Info(f"{player.actor} has no meeting next quarter: wait for the facilitator.")
        quarter = getattr(model, "next_quarter", "")
        for m in meetings:
            slot = (quarter, m.forum)
            choice = drafts.current.get(slot) or sent.get(m.forum) or PlayedChoice()
            key = _slug(m.forum)

            def latest(slot=slot, forum=m.forum) -> PlayedChoice:
                return drafts.current.get(slot) or room.answered(token).get(forum) or PlayedChoice()

            def edit(new: PlayedChoice, slot=slot) -> None:
                drafts.current = {**drafts.current, slot: new}
                redraw(lambda n: n + 1)

            def set_level(level, latest=latest, edit=edit):
                edit(PlayedChoice(level, dict(latest().votes)))

            def set_vote(dim, vote, latest=latest, edit=edit):
                votes = dict(latest().votes)
                if vote is None:
                    votes.pop(dim, None)
                else:
                    votes[dim] = vote
                edit(PlayedChoice(latest().level, votes))

            def send(forum=m.forum, slot=slot, latest=latest):
                try:
                    room.answer(token, forum, latest())
                except RoomError as exc:
                    set_error(str(exc))
                    return
                set_error("")
                drafts.current = {k: v for k, v in drafts.current.items() if k != slot}
                redraw(lambda n: n + 1)

            with solara.Card(f"{m.forum} {m.level} ({m.role})", classes=[f"meeting-{key}"]):
                solara.Text("Attendance:")
                with solara.Row(gap="4px"):
                    top = LEVEL_NAMES.index(m.max_level)
                    for lv in (None, *LEVEL_NAMES[: top + 1]):
                        solara.Button(
                            "model decides" if lv is None else lv,
                            on_click=lambda lv=lv, f=set_level: f(lv),
                            color="primary" if choice.level == lv else None,
                            outlined=choice.level != lv,
                            small=True,
                            classes=[f"level-{key}-{lv or 'model'}"],
                        )
                for (dim, decided, last, adopted), pos in zip(m.items, m.position, strict=True):
                    if not decided:
                        continue
                    last_txt = (
                        "no text yet"
                        if last is None
                        else f"last text {last:.2f} ({'adopted' if adopted else 'failed'})"
                    )
                    solara.Text(f"{dim.replace('_', ' ')}: your position {pos:.2f}, {last_txt}")
                    with solara.Row(gap="4px"):
                        for vote in (None, *VOTES):
                            mine = choice.votes.get(dim)
                            solara.Button(
                                "model decides" if vote is None else vote,
                                on_click=lambda d=dim, v=vote, f=set_vote: f(d, v),
                                color="primary" if mine == vote else None,
                                outlined=mine != vote,
                                small=True,
                                classes=[f"vote-{key}-{dim}-{vote or 'model'}"],
                            )
                is_sent = m.forum in sent and slot not in drafts.current
                solara.Button(
                    "Sent" if is_sent else "Send",
                    on_click=send,
                    color="success" if is_sent else "primary",
                    classes=[f"send-{key}"],
                )
        if error:
            solara.Error(error)


@solara.component
def JoinForm(on_joined):
    """Join a room by its code, then take a free actor."""
    code, set_code = solara.use_state("")
    room, set_room = solara.use_state(None)
    use_room_version(room)  # actors others take disappear from the choice
    name, set_name = solara.use_state("")
    error, set_error = solara.use_state("")

    def find():
        try:
            set_room(ROOMS.get(code))
            set_error("")
        except RoomError as exc:
            set_room(None)
            set_error(str(exc))

    def join(actor: str) -> None:
        try:
            player = room.join(actor, name)
        except RoomError as exc:
            set_error(str(exc))
            return
        on_joined(room.code, player.token)

    with solara.Card("Join a room", classes=["join-card"]):
        solara.InputText("Room code", value=code, on_value=set_code, continuous_update=True)
        solara.Button("Find room", on_click=find, color="primary", classes=["find-room"])
        if room is not None:
            solara.InputText("Your name", value=name, on_value=set_name, continuous_update=True)
            solara.Text("Choose your actor:")
            taken = room.taken()
            with solara.Row(gap="4px", style={"flex-wrap": "wrap"}):
                for a in room.playable():
                    solara.Button(
                        a,
                        on_click=lambda a=a: join(a),
                        disabled=a in taken,
                        small=True,
                        outlined=True,
                        classes=[f"pick-{_slug(a)}"],
                    )
        if error:
            solara.Error(error, classes=["join-error"])


@solara.component
def PlayerPage(code: str | None, token: str | None, on_seat):
    """A player's view: join a room, then answer for the actor each quarter."""
    room = None
    problem = ""
    if code and token:
        try:
            room = ROOMS.get(code)
            room.player(token)
        except RoomError as exc:
            room, problem = None, str(exc)
    with solara.Column(style={"max-width": "760px", "padding": "12px"}):
        solara.HTML(tag="h2", unsafe_innerHTML="latticesim &middot; player")
        if problem:
            solara.Warning(problem)
        if room is None:
            JoinForm(on_joined=on_seat)
            return
        SeatForm(room, token)
        PlayedLog(room, room.player(token).actor)


@solara.component
def PlayedLog(room: Room, actor: str):
    """What happened last quarter at the player's meetings, and the player's own record."""
    use_room_version(room)
    model = room.model
    rows = live_chronicle(model)
    if rows:
        last = rows[0][0]
        mine = {f.name for f in model.active_forums if model.actor_index[actor] in f.invitee_set}
        said = [
            text
            for date, kind, text in rows
            if date == last
            and kind != "played"
            and (actor in text or any(text.startswith(f) for f in mine))
        ]
        if said:
            items = "".join(f"<li>{html.escape(t)}</li>" for t in said)
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"<b>{html.escape(last)} at your meetings</b><ul>{items}</ul>",
                classes=["last-quarter"],
            )
    entries = [e for e in model.recorder.entries if e[3] == actor][-8:]
    if entries:
        items = "".join(
            f"<li>{html.escape(e[0])}: {html.escape(e[4])}</li>" for e in reversed(entries)
        )
        solara.HTML(tag="div", unsafe_innerHTML=f"<b>Your record</b><ul>{items}</ul>")


def room_panel(code: solara.Reactive):
    """The facilitator's room panel, keeping the room's code in ``code``.

    SolaraViz mounts its panels afresh when Reset makes a new model, so the code lives
    with the page, not the panel: the room then follows the new model.
    """

    def RoomPanel(model: LatticeModel):
        """The facilitator's room: code, seats and answers, players at the front, debrief."""
        update_counter.get()
        return RoomControls(model, model.steps, code)

    return RoomPanel


@solara.component
def RoomControls(model: LatticeModel, quarter: int = 0, code: solara.Reactive | None = None):
    """Open a room for this model and follow it (see :func:`room_panel`).

    ``quarter`` (the model's step) makes the panel redraw with each step.
    """
    own_code = solara.use_reactive(None)
    code = code if code is not None else own_code
    room_code, set_room_code = code.value, code.set
    room = None
    if room_code:
        try:
            room = ROOMS.get(room_code)
        except RoomError:
            room = None
    if room is not None and room.model is not model:
        room.attach(model)
    use_room_version(room)
    front, set_front = solara.use_state(None)
    turn, set_turn = solara.use_state(None)
    show_debrief, set_show_debrief = solara.use_state(False)
    error, set_error = solara.use_state("")

    def open_room():
        set_room_code(ROOMS.open(model).code)

    def play_here():
        try:
            player = room.join(front or "", front or "", at_front=True)
        except RoomError as exc:
            set_error(str(exc))
            return
        set_error("")
        set_turn(player.token)

    with solara.Column(style={"height": "100%", "overflow-y": "auto"}):
        if room is None:
            solara.Text("Role-play: hand actors to people in the room.")
            solara.Button("Open a room", on_click=open_room, color="primary", classes=["open-room"])
            return
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                "Room code <span class='room-code' style='font-size:28px;font-weight:bold;"
                f"letter-spacing:4px'>{room.code}</span><br>Players: open this address, "
                "choose <i>Join a room</i> and give the code."
            ),
        )
        rows = []
        for p, due, done in room.status():
            state = (
                "no meeting"
                if due == 0
                else ("answered" if done >= due else f"{done}/{due} answered")
            )
            where = " (here)" if p.at_front else ""
            rows.append(
                f"<tr class='seat-row'><td>{html.escape(p.actor)}</td>"
                f"<td>{html.escape(p.name)}{where}</td>"
                f"<td class='seat-state'>{state}</td></tr>"
            )
        if rows:
            waiting = room.waiting_for()
            note = (
                f"Waiting for {', '.join(waiting)}; Step lets the model answer for them."
                if waiting
                else "Everyone has answered: Step advances the quarter."
            )
            solara.HTML(
                tag="div",
                unsafe_innerHTML=(
                    "<table class='seats'><tr><th>actor</th><th>player</th>"
                    "<th>next quarter</th></tr>"
                    + "".join(rows)
                    + f"</table><p class='room-note'>{note}</p>"
                ),
            )
        free = [a for a in room.playable() if a not in room.taken()]
        with solara.Row():
            solara.Select("Play an actor here", value=front, values=free, on_value=set_front)
            solara.Button(
                "Play here", on_click=play_here, disabled=not front, classes=["play-here"]
            )
        at_front = [p for p in room.players.values() if p.at_front]
        if at_front:
            tokens = [p.token for p in at_front]
            current = turn if turn in tokens else tokens[0]
            with solara.Row(gap="4px"):
                solara.Text("Turn:")
                for p in at_front:
                    solara.Button(
                        p.actor,
                        on_click=lambda t=p.token: set_turn(t),
                        outlined=p.token != current,
                        small=True,
                        classes=[f"turn-{_slug(p.actor)}"],
                    )
            SeatForm(room, current, quarter)
        if error:
            solara.Error(error)
        solara.Button(
            "Hide debrief" if show_debrief else "Debrief: compare with the model alone",
            on_click=lambda: set_show_debrief(not show_debrief),
            classes=["debrief"],
        )
        if show_debrief:
            DebriefView(model)


@solara.component
def DebriefView(model: LatticeModel):
    """The room's run beside the same scenario and seed played by the model alone."""
    result = solara.use_memo(
        lambda: debrief(model, model_alone(model)) if isinstance(model, DashboardModel) else None,
        [model, model.steps],
    )
    if result is None:
        return
    room, alone = result["room"], result["alone"]
    forums = sorted(
        set(room["adopted"]) | set(alone["adopted"]) | set(room["failed"]) | set(alone["failed"])
    )
    rows = "".join(
        f"<tr><td>{html.escape(f)}</td>"
        f"<td>{room['adopted'].get(f, 0)} / {room['failed'].get(f, 0)}</td>"
        f"<td>{alone['adopted'].get(f, 0)} / {alone['failed'].get(f, 0)}</td>"
        f"<td>{room['strength'].get(f, float('nan')):.2f}</td>"
        f"<td>{alone['strength'].get(f, float('nan')):.2f}</td></tr>"
        for f in forums
    )
    played = "".join(
        f"<li>{html.escape(e[0])}: {html.escape(e[4])}</li>" for e in result["played"][-12:]
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            f"<div class='debrief-view'><b>Debrief after {result['quarters']} quarters</b>"
            "<table><tr><th>forum</th><th>room: adopted / failed</th><th>model alone</th>"
            "<th>room strength</th><th>alone strength</th></tr>"
            f"{rows}</table>"
            "<p>Leading platform: room "
            f"<b>{html.escape(room['leading_platform'])}</b>, model alone "
            f"<b>{html.escape(alone['leading_platform'])}</b>. Coordination index: room "
            f"{room['coordination_index']:.3f}, model alone {alone['coordination_index']:.3f}.</p>"
            f"<b>The room's choices</b><ul>{played}</ul></div>"
        ),
    )


# -------------------------------------------------------------------- scenario files
@solara.component_vue(str(Path(__file__).with_name("vue") / "file_picker.vue"))
def FilePicker(event_picked=None):
    """A file chooser that reads the file in the browser and sends its text to Python."""


@solara.component
def ScenarioDrop(model: solara.Reactive):
    """Drop a scenario file: checked like ``latticesim validate``; errors shown here."""
    message, set_message = solara.use_state("")
    problem, set_problem = solara.use_state("")

    def on_file(info: dict) -> None:
        data = info.get("data")
        if data is None:
            data = info["file_obj"].read()
        handle_upload(info.get("name", "scenario.yaml"), data, model, set_message, set_problem)

    with solara.Card("Your own scenario file"):
        FilePicker(
            event_picked=lambda f: handle_upload(
                f.get("name", "scenario.yaml"),
                str(f.get("text", "")).encode(),
                model,
                set_message,
                set_problem,
            )
        )
        solara.FileDrop(label="... or drop one here", on_file=on_file, lazy=False)
        text, set_text = solara.use_state("")
        solara.InputTextArea(
            "... or paste one", value=text, on_value=set_text, rows=3, continuous_update=True
        )
        solara.Button(
            "Load pasted scenario",
            on_click=lambda: handle_upload(
                "pasted.yaml", text.encode(), model, set_message, set_problem
            ),
            classes=["load-pasted"],
        )
        if problem:
            solara.HTML(
                tag="pre",
                unsafe_innerHTML=html.escape(problem, quote=False),
                classes=["upload-error"],
                style={"white-space": "pre-wrap", "color": "#b00020"},
            )
        if message:
            solara.Success(message, classes=["upload-ok"])


def handle_upload(name: str, data: bytes, model: solara.Reactive, on_message, on_problem) -> None:
    """Validate a dropped or pasted file; start it, or show its problems (the server goes on)."""
    try:
        key = load_uploaded(name, data)
        settings = dict(model.value.settings) if hasattr(model.value, "settings") else {}
        settings["scenario_name"] = key
        model.value = DashboardModel(**settings)
    except ScenarioError as exc:
        on_problem(str(exc))
        on_message("")
        return
    except (UnicodeDecodeError, ValueError) as exc:
        on_problem(f"{name}: {exc}")
        on_message("")
        return
    on_problem("")
    on_message(f"Running {key}; Reset returns to the scenario chosen above.")


# -------------------------------------------------------------------- the page
PANELS = [LatticePanel, StrengthPanel, StandingPanel, AttendancePanel, ChroniclePanel]


@solara.component
def FacilitatorPage(on_join):
    """The facilitator's (or a solo user's) dashboard: SolaraViz with the lattice's panels."""
    initial = solara.use_memo(lambda: DashboardModel(), [])
    model = solara.use_reactive(initial)
    room_code = solara.use_reactive(None)
    components = solara.use_memo(lambda: [*PANELS, room_panel(room_code)], [])
    with solara.Sidebar():
        ScenarioDrop(model)
        with solara.Card("Players"):
            solara.Button("Join a room as a player", on_click=on_join, classes=["go-join"])
    SolaraViz(
        model,
        components=list(components),
        model_params=model_params(),
        name="latticesim",
        play_interval=300,
    )


@solara.component
def Page():
    """One address for everyone: the dashboard, or a player's seat (``?room=...&seat=...``)."""
    router = solara.use_router()
    query = parse_qs(router.search or "")
    code = (query.get("room") or [None])[0]
    token = (query.get("seat") or [None])[0]
    mode, set_mode = solara.use_state("player" if code else "facilitator")

    def go(search: dict[str, str]) -> None:
        # rendered outside a server (tests) there is no address bar to keep the seat in
        with contextlib.suppress(AssertionError):
            router.push(f"{router.path or '/'}?{urlencode(search)}")

    def on_seat(room_code: str, seat: str) -> None:
        set_seat((room_code, seat))
        go({"room": room_code, "seat": seat})

    seat, set_seat = solara.use_state((code, token))
    if mode == "player":
        PlayerPage(seat[0], seat[1], on_seat)
    else:
        FacilitatorPage(on_join=lambda: set_mode("player"))
