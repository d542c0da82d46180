"""The seminar dashboard: a Mesa visualisation app to step, watch and role-play the lattice.

``latticesim dashboard`` serves :func:`Page`. A facilitator picks a scenario (or drops a
scenario file), sets the main parameters with sliders and steps, plays, pauses or resets
quarter by quarter with Mesa's controls; a header names the run, and a notice any input
not yet applied (the page is laid out from SolaraViz's parts so that the model's
controls come first); the panels show the lattice, statement
strength and standing by forum, attendance at the last summits and the chronicle as it
grows. A room hands actors to people (see :mod:`latticesim.seminar.rooms`): players open the
same address, choose *Join a room*, give the code and answer for their actor at each
meeting; the facilitator's Step advances the quarter, the model answering for anyone
late. Every browser page gets its own model, so two seminars on one server do not share
a run. A room keeps its model: the facilitator link (``?host=TOKEN``, in the address
once a room is open) takes the room and its run back in any tab, after a reload too;
``?host=TOKEN&view=present`` is the room on the projector and ``?room=CODE`` a player's
way in with the code filled in.

This module holds the pages and the model's panels; the rest of the dashboard is in
:mod:`~latticesim.seminar.scenarios` (shipped and dropped scenarios),
:mod:`~latticesim.seminar.controls` (the sliders and the model they build),
:mod:`~latticesim.seminar.settings` (the inputs, the header and the pending-changes notice),
:mod:`~latticesim.seminar.live_chronicle`, :mod:`~latticesim.seminar.seats` (a player's
page), :mod:`~latticesim.seminar.room_controls` (the facilitator's room) and
:mod:`~latticesim.seminar.upload` (scenario files brought to the page).
"""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qs, urlencode

import reacton.ipywidgets as rw
import solara
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from latticesim.model.model import LatticeModel
from latticesim.seminar import panels
from latticesim.seminar.comparisons import ComparisonLinks
from latticesim.seminar.controls import DashboardModel
from latticesim.seminar.handout import HandoutDownloads
from latticesim.seminar.live_chronicle import chronicle_html, live_chronicle
from latticesim.seminar.presentation import PresentationView
from latticesim.seminar.room_controls import room_panel
from latticesim.seminar.rooms import ROOMS, Room, RoomError
from latticesim.seminar.scenarios import UPLOADS
from latticesim.seminar.seats import PlayerPage
from latticesim.seminar.settings import PendingNotice, RunHeader, SettingsInputs, start_settings
from latticesim.seminar.upload import ScenarioDrop


def _use_image(model: LatticeModel, live: type[panels.LiveFigure], *extra):
    """A panel's picture: its figure kept per model, updated only when the model moves on.

    The frame and the data are two images, one over the other: a step sends only the
    data layer, and the browser redraws only that, unless the frame changed too.
    """
    figure = solara.use_memo(lambda: live(model), [model])
    frame, data = solara.use_memo(
        lambda: figure.update(*extra).layers(), [figure, model.quarters_run, *extra]
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
    rows = solara.use_memo(lambda: live_chronicle(model), [model, model.quarters_run])
    with solara.Column() as col:
        quarter = str(model.quarter) if model.quarters_run else "not started"
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<b>Chronicle</b> &middot; <span class='quarter'>{quarter}</span> &middot; "
                f"next: {getattr(model, 'next_quarter', '')}"
            ),
        )
        solara.HTML(tag="div", unsafe_innerHTML=chronicle_html(rows), classes=["chronicle-box"])
    return col


PANELS = [LatticePanel, StrengthPanel, StandingPanel, AttendancePanel, ChroniclePanel]


def _as_component(panel):
    """A panel function as a Solara component (its hooks then belong to it), as Mesa wraps them."""

    @solara.component
    def Panel(model: LatticeModel):
        return panel(model)

    return Panel


_PANEL_COMPONENTS = [_as_component(p) for p in PANELS]


_GRID = (
    "display:grid;gap:12px;width:100%;align-items:start;"
    "grid-template-columns:repeat(auto-fill,"
    "minmax(max(min(100%,440px),calc((100% - 24px) / 3)),1fr))"
)
"""The panels' grid: as many columns of at least 440 px as the screen holds, at most three
(two on a 1366 px laptop, three at 1920 and 2560), each figure as tall as its width makes
it: on a projector the four figures fit on the screen, none a thumbnail."""
_CELL = "background:white;border-radius:4px;box-shadow:0 1px 3px rgba(0,0,0,.2);padding:4px"
_TEXT_CELL = f"{_CELL};max-height:max(360px,45vh);overflow-y:auto"
"""The chronicle and the room scroll inside a cell about as tall as a figure."""
_KINDS = ("lattice", "strength", "standing", "attendance", "chronicle", "room")


@solara.component
def PanelGrid(model: LatticeModel, room_code: solara.Reactive):
    """The panels in a grid sized to their figures, so that no figure is cut.

    A figure's cell is as tall as the figure at the cell's width; the chronicle and the
    room scroll inside cells about as tall. The number of columns follows the screen.
    """
    components = solara.use_memo(
        lambda: [*_PANEL_COMPONENTS, _as_component(room_panel(room_code))], []
    )
    with solara.Div(classes=["panel-grid"], style=_GRID):
        for kind, component in zip(_KINDS, components, strict=True):
            text = kind in ("chronicle", "room")
            with solara.Div(
                classes=["panel", f"panel-{kind}"], style=_TEXT_CELL if text else _CELL
            ):
                component(model)


@solara.component
def FacilitatorPage(on_join, resume: Room | None = None, on_room=None, problem: str = ""):
    """The facilitator's (or a solo user's) dashboard, laid out from Mesa's SolaraViz parts.

    The model's own controls come first: Reset, Play and Step, then the scenario and its
    settings with their values, and a header over the panels saying what runs. Mesa's
    playback controls (play and render interval) are folded away at the bottom.
    ``resume`` is a room taken back through its facilitator link: the page runs its
    model. ``on_room`` is told the room's code whenever one opens or closes; ``problem``
    says why a facilitator link took nothing back.
    """
    initial = solara.use_memo(
        lambda: resume.model if resume is not None else DashboardModel(**start_settings()), []
    )
    model = solara.use_reactive(initial)
    chosen = solara.use_reactive(dict(initial.settings))
    scenario = initial.settings["scenario_name"]
    uploaded = solara.use_reactive([scenario] if scenario in UPLOADS else [])
    room_code = solara.use_reactive(resume.code if resume is not None else None)
    solara.use_effect(lambda: on_room(room_code.value) if on_room else None, [room_code.value])
    play_interval = solara.use_reactive(300)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)

    def loaded(key: str) -> None:
        uploaded.value = [*uploaded.value, key]
        chosen.value = dict(model.value.settings)

    with solara.AppBar():
        solara.AppBarTitle("latticesim")
    with solara.Sidebar(), solara.Column():
        with solara.Card("Run"):
            ModelController(
                model,
                model_parameters=chosen,
                play_interval=play_interval,
                render_interval=render_interval,
                use_threads=use_threads,
            )
        with solara.Card("Scenario and settings"):
            SettingsInputs(chosen, uploaded.value)
            solara.Text("Reset or Apply builds the model from these.")
        ScenarioDrop(model, on_loaded=loaded)
        with solara.Card("Players"):
            solara.Button("Join a room as a player", on_click=on_join, classes=["go-join"])
        with solara.Card("Handouts"):
            HandoutDownloads(model.value, model.value.quarters_run)
        ComparisonLinks()
        with solara.Details("Playback speed"):
            solara.SliderInt(
                f"Play interval: {play_interval.value} ms per quarter",
                value=play_interval,
                min=50,
                max=2000,
                step=50,
            )
            solara.SliderInt(
                f"Quarters per Step or redraw: {render_interval.value}",
                value=render_interval,
                min=1,
                max=8,
            )
    with solara.Column(style={"width": "100%"}):
        if problem and not room_code.value:
            solara.Warning(problem, classes=["resume-problem"])
        RunHeader(model.value)
        PendingNotice(model, chosen)
        PanelGrid(model.value, room_code)


@solara.component
def Page():
    """One address for everyone: the dashboard, a player's seat, the room on the projector.

    ``?room=CODE&seat=TOKEN`` is a player's seat (``?room=CODE`` alone fills in the code),
    ``?host=TOKEN`` the facilitator's room taken back, ``&view=present`` its projector view.
    """
    router = solara.use_router()
    query = parse_qs(router.search or "")
    code = (query.get("room") or [None])[0]
    token = (query.get("seat") or [None])[0]
    host = (query.get("host") or [None])[0]
    view = (query.get("view") or [None])[0]
    mode, set_mode = solara.use_state("player" if code else "facilitator")
    resumed = solara.use_memo(lambda: _resume(host), [host])

    def go(search: dict[str, str]) -> None:
        # rendered outside a server (tests) there is no address bar to keep the seat in
        with contextlib.suppress(AssertionError):
            router.push(f"{router.path or '/'}?{urlencode(search)}" if search else router.path)

    def on_seat(room_code: str, seat: str) -> None:
        set_seat((room_code, seat))
        go({"room": room_code, "seat": seat})

    def on_room(room_code: str | None) -> None:
        """Keep the facilitator link in the address, so that a reload takes the room back."""
        if room_code:
            with contextlib.suppress(RoomError):
                wanted = ROOMS.get(room_code).host_token
                if wanted != host:
                    go({"host": wanted})
        elif host and not isinstance(resumed, str):
            go({})

    seat, set_seat = solara.use_state((code, token))
    if mode == "player":
        PlayerPage(seat[0], seat[1], on_seat)
    elif view == "present" and isinstance(resumed, Room):
        PresentationView(resumed, router.path or "/")
    else:
        FacilitatorPage(
            on_join=lambda: set_mode("player"),
            resume=resumed if isinstance(resumed, Room) else None,
            on_room=on_room,
            problem=resumed if isinstance(resumed, str) else "",
        )


def _resume(host: str | None) -> Room | str | None:
    """The room a facilitator link takes back, what went wrong, or None (no link)."""
    if not host:
        return None
    try:
        return ROOMS.by_host(host)
    except RoomError as exc:
        return str(exc)
