"""The facilitator's side of role-play: open a room, follow its seats, debrief.

The room panel sits among the dashboard's panels. It opens a room on the page's model,
shows who plays which actor and who has answered, seats actors at the front (one screen
passed from player to player) and compares the room's run with the model alone.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import solara
from mesa.visualization.utils import update_counter

from latticesim.model.model import LatticeModel
from latticesim.seminar.controls import DashboardModel, model_alone
from latticesim.seminar.debrief import debrief, debrief_html
from latticesim.seminar.rooms import ROOMS, Room, RoomError
from latticesim.seminar.seats import SeatForm, slug, use_room_version


def room_panel(code: solara.Reactive) -> Callable[[LatticeModel], object]:
    """The facilitator's room panel, keeping the room's code in ``code``.

    SolaraViz mounts its panels afresh when Reset makes a new model, so the code lives
    with the page, not the panel: the room then follows the new model.
    """

    def RoomPanel(model: LatticeModel):
        """The facilitator's room: code, seats and answers, players at the front, debrief."""
        update_counter.get()
        return RoomControls(model, model.quarters_run, code)

    return RoomPanel


def _followed_room(room_code: str | None, model: LatticeModel) -> Room | None:
    """The open room with this code, made to follow ``model`` (None: no such room)."""
    if not room_code:
        return None
    try:
        room = ROOMS.get(room_code)
    except RoomError:
        return None
    if room.model is not model:
        room.attach(model)
    return room


@solara.component
def RoomControls(model: LatticeModel, quarter: int = 0, code: solara.Reactive | None = None):
    """Open a room for this model and follow it (see :func:`room_panel`).

    ``quarter`` (the model's step) makes the panel redraw with each step. The front seats'
    choices live here, not in :func:`FrontSeats`, so that seating someone redraws the
    seat table at once.
    """
    own_code = solara.use_reactive(None)
    code = code if code is not None else own_code
    room = _followed_room(code.value, model)
    use_room_version(room)
    front = solara.use_state(None)
    turn = solara.use_state(None)
    show_debrief, set_show_debrief = solara.use_state(False)
    error, set_error = solara.use_state("")
    with solara.Column(style={"height": "100%", "overflow-y": "auto"}):
        if room is None:
            solara.Text("Role-play: hand actors to people in the room.")
            solara.Button(
                "Open a room",
                on_click=lambda: code.set(ROOMS.open(model).code),
                color="primary",
                classes=["open-room"],
            )
            return
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                "Room code <span class='room-code' style='font-size:28px;font-weight:bold;"
                f"letter-spacing:4px'>{room.code}</span><br>Players: open this address, "
                "choose <i>Join a room</i> and give the code."
            ),
        )
        SeatTable(room, room.version)
        FrontSeats(room, room.version, quarter, front, turn, set_error)
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
def SeatTable(room: Room, version: int):
    """Who plays which actor, and how many of its coming meetings each has answered.

    ``version`` (the room's) makes the table redraw whenever the room changes.
    """
    rows = []
    for p, due, done in room.status():
        state = (
            "no meeting" if due == 0 else ("answered" if done >= due else f"{done}/{due} answered")
        )
        where = " (here)" if p.at_front else ""
        rows.append(
            f"<tr class='seat-row'><td>{html.escape(p.actor)}</td>"
            f"<td>{html.escape(p.name)}{where}</td>"
            f"<td class='seat-state'>{state}</td></tr>"
        )
    if not rows:
        return
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


@solara.component
def FrontSeats(
    room: Room,
    version: int,
    quarter: int,
    front: tuple[str | None, Callable],
    turn: tuple[str | None, Callable],
    on_error: Callable[[str], None],
):
    """Actors played at the facilitator's screen: seat one, pass the turn, answer for it.

    ``front`` (the actor chosen to seat) and ``turn`` (the seat at the screen) are
    ``(value, setter)`` pairs kept by :func:`RoomControls`.
    """
    (chosen, set_chosen), (current, set_turn) = front, turn

    def play_here():
        try:
            player = room.join(chosen or "", chosen or "", at_front=True)
        except RoomError as exc:
            on_error(str(exc))
            return
        on_error("")
        set_turn(player.token)

    free = [a for a in room.playable() if a not in room.taken()]
    at_front = [p for p in room.players.values() if p.at_front]
    with solara.Column():
        with solara.Row():
            solara.Select("Play an actor here", value=chosen, values=free, on_value=set_chosen)
            solara.Button(
                "Play here", on_click=play_here, disabled=not chosen, classes=["play-here"]
            )
        if not at_front:
            return
        tokens = [p.token for p in at_front]
        current = current if current in tokens else tokens[0]
        with solara.Row(gap="4px"):
            solara.Text("Turn:")
            for p in at_front:
                solara.Button(
                    p.actor,
                    on_click=lambda t=p.token: set_turn(t),
                    outlined=p.token != current,
                    small=True,
                    classes=[f"turn-{slug(p.actor)}"],
                )
        SeatForm(room, current, quarter)


@solara.component
def DebriefView(model: LatticeModel):
    """The room's run beside the same scenario and seed played by the model alone."""
    result = solara.use_memo(
        lambda: (
            debrief(model, model_alone(model))
            if isinstance(model, DashboardModel) and model.recorder.model_rows
            else None
        ),
        [model, model.quarters_run],
    )
    solara.HTML(tag="div", unsafe_innerHTML=debrief_html(result))
