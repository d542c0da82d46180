"""The facilitator's side of role-play: open a room, follow its seats, debrief.

The room panel sits among the dashboard's panels. It opens a room on the page's model,
shows who plays which actor and who has answered, seats actors at the front (one screen
passed from player to player) and compares the room's run with the model alone. It
gives the facilitator link (any tab that opens it takes the room back) and the
presentation view, frees and moves seats, passes a seat to another device when asked,
and closes the room.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import solara
from mesa.visualization.utils import update_counter

from latticesim.model.model import LatticeModel
from latticesim.seminar.controls import DashboardModel, model_alone
from latticesim.seminar.debrief import debrief_html, debrief_with_figures
from latticesim.seminar.presentation import room_address
from latticesim.seminar.rooms import ROOMS, Room, RoomError, show_code
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
    path = solara.use_router().path
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
        RoomLinks(room, path)
        SeatTable(room, room.version)
        SeatRequests(room, room.version, set_error)
        ManageSeats(room, room.version, set_error)
        FrontSeats(room, room.version, quarter, front, turn, set_error)
        if error:
            solara.Error(error, classes=["room-error"])
        CloseRoom(room, on_closed=lambda: code.set(None))
        solara.Button(
            "Hide debrief" if show_debrief else "Debrief: compare with the model alone",
            on_click=lambda: set_show_debrief(not show_debrief),
            classes=["debrief"],
        )
        if show_debrief:
            DebriefView(model)


@solara.component
def RoomLinks(room: Room, path: str):
    """The code, the players' address, the facilitator link and the presentation view."""
    join = room_address(room, path)
    host = room_address(room, path, host=room.host_token)
    present = room_address(room, path, host=room.host_token, view="present")
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            "Room code <span class='room-code' style='font-size:28px;font-weight:bold;"
            f"letter-spacing:4px'>{show_code(room.code)}</span><br>Players: open "
            f"<b class='join-address'>{html.escape(join)}</b> (or this address, "
            "<i>Join a room</i> and the code).<br>"
            f"<a class='present-link' href='{html.escape(present)}' target='_blank'>"
            "Presentation view</a> (join address, QR code, who has answered) &middot; "
            f"<a class='host-link' href='{html.escape(host)}'>Facilitator link</a>: "
            "open it in any tab to take this room back (keep it to yourself)."
        ),
    )


@solara.component
def SeatRequests(room: Room, version: int, on_error: Callable[[str], None]):
    """Seats another device asks for: pass each on, or keep it where it is."""

    def act(do: Callable[[str], None], actor: str) -> None:
        try:
            do(actor)
            on_error("")
        except RoomError as exc:
            on_error(str(exc))

    for p in room.asking():
        with solara.Row(gap="4px", classes=[f"asks-{slug(p.actor)}"]):
            solara.Text(f"Another device asks for the seat of {p.actor} ({p.name}):")
            solara.Button(
                "Pass it on",
                on_click=lambda a=p.actor: act(room.pass_on, a),
                small=True,
                color="primary",
                classes=[f"pass-{slug(p.actor)}"],
            )
            solara.Button(
                "Keep it",
                on_click=lambda a=p.actor: act(room.refuse, a),
                small=True,
                classes=[f"keep-{slug(p.actor)}"],
            )


@solara.component
def ManageSeats(room: Room, version: int, on_error: Callable[[str], None]):
    """Free a seat (the model plays the actor again) or move its player to a free actor."""
    seat, set_seat = solara.use_state(None)
    to, set_to = solara.use_state(None)
    taken = sorted(room.taken())
    if not taken:
        return
    free = [a for a in room.playable() if a not in taken]

    def act(do: Callable[[], None]) -> None:
        try:
            do()
            on_error("")
        except RoomError as exc:
            on_error(str(exc))
        set_seat(None)
        set_to(None)

    with solara.Column(gap="0px", classes=["manage-seats"]):
        solara.Text("Free or move a seat:")
        with solara.Row(gap="4px", style={"flex-wrap": "wrap", "align-items": "center"}):
            solara.Select(
                "Seat", value=seat if seat in taken else None, values=taken, on_value=set_seat
            )
            solara.Button(
                "Free seat",
                on_click=lambda: act(lambda: room.free(seat)),
                disabled=seat not in taken,
                classes=["free-seat"],
            )
            solara.Select("Move to", value=to if to in free else None, values=free, on_value=set_to)
            solara.Button(
                "Move",
                on_click=lambda: act(lambda: room.move(seat, to)),
                disabled=seat not in taken or to not in free,
                classes=["move-seat"],
            )


@solara.component
def CloseRoom(room: Room, on_closed: Callable[[], None]):
    """Close the room, after a second click: seats freed, players told, model alone."""
    sure, set_sure = solara.use_state(False)

    def close() -> None:
        ROOMS.close(room.code)
        set_sure(False)
        on_closed()

    if not sure:
        solara.Button("Close the room", on_click=lambda: set_sure(True), classes=["close-room"])
        return
    with solara.Row(gap="4px"):
        solara.Text("Close the room? Every seat is freed.")
        solara.Button("Close it", on_click=close, color="error", classes=["close-room-yes"])
        solara.Button("Keep it open", on_click=lambda: set_sure(False))


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
            debrief_with_figures(model, model_alone(model))
            if isinstance(model, DashboardModel) and model.recorder.model_rows
            else None
        ),
        [model, model.quarters_run],
    )
    solara.HTML(tag="div", unsafe_innerHTML=debrief_html(result))
