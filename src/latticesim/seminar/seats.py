"""A player's seat in a role-play room: join by code, then answer for the actor.

A player opens the dashboard's address, joins a room (see :mod:`latticesim.seminar.rooms`)
and, before each quarter, answers for the actor's meetings: the attendance level and a
vote on each text. The facilitator's page shows the same form for actors played at the
front. Every page follows its room from a small thread, so answers and steps made
elsewhere show without a reload.

A seat belongs to the browser that took it (Solara's session cookie names the browser):
the same address opened in another browser asks for the seat instead of taking it.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable
from pathlib import Path

import solara

from latticesim.mechanisms.attendance import LEVEL_NAMES
from latticesim.model.delegations import VOTES, PlayedChoice
from latticesim.seminar.live_chronicle import live_chronicle
from latticesim.seminar.meeting_notes import NUMBERS, meeting_note
from latticesim.seminar.rooms import ROOMS, Room, RoomError
from latticesim.world.names import dimension_label


def slug(text: str) -> str:
    """``text`` as a CSS class fragment ("Quad summit" -> "quad-summit"), as tests find it."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def client_id() -> str:
    """The browser a page runs in: Solara's session cookie ("local" outside a server)."""
    try:
        return solara.get_session_id()
    except RuntimeError:  # rendered without a server (tests): one browser
        return "local"


ROOM_POLL_SECONDS: float | None = 0.3
"""How often a page looks for changes others made to its room (None: never)."""
STEP_GRACE = 0.4
"""Seconds a player's page waits before drawing a new quarter: the facilitator's page,
which the class watches, draws it first instead of sharing the server with thirty
phones; a player's own taps are drawn at once."""


def use_room_version(room: Room | None) -> int:
    """Re-render when anyone changes the room (a player answers, the quarter advances).

    For the facilitator's views and the join form. Each page runs in its own thread on
    the server; a small thread per page watches the room's version and asks its page to
    redraw.
    """
    return _use_followed(room, None)[0]


def use_seat_version(room: Room | None, token: str) -> tuple[tuple[int, int], Callable[[], None]]:
    """Re-render a player's page only when its own seat changes, or every seat's does.

    Another player's answer does not redraw this page: in a class of thirty, each
    answer would otherwise redraw thirty pages. Returns the version and ``sync``, which
    a page calls after changing its own seat, so that its watcher does not redraw it a
    second time.
    """
    return _use_followed(room, token)


def _use_followed(room: Room | None, token: str | None):
    def read() -> object:
        if room is None:
            return 0
        return room.version if token is None else room.seat_version(token)

    # the state only asks for a redraw; what the page draws is read from the room, so
    # a page that found its room after its first render still reads the seat's version
    _, set_version = solara.use_state(read())
    version = read()
    seen = solara.use_ref(version)
    every = ROOM_POLL_SECONDS

    def sync() -> None:
        seen.current = read()
        set_version(seen.current)

    def poll(cancel: threading.Event) -> None:
        while room is not None and every and not cancel.wait(every):
            now = read()
            if now == seen.current:
                continue
            if token is not None and now[1] == seen.current[1] and cancel.wait(STEP_GRACE):
                return  # a new quarter: let the facilitator's page draw it first
            seen.current = read()
            set_version(seen.current)

    # not intrusive: an intrusive thread traces every line it runs to be cancellable,
    # and the redraw it asks for runs in it, traced, at several times its cost
    solara.use_thread(poll, dependencies=[room, token], intrusive_cancel=False)
    seen.current = version
    return version, sync


@solara.component_vue(str(Path(__file__).with_name("vue") / "seat_cards.vue"))
def SeatCards(
    cards: list,
    unsent: str,
    all_sent: bool,
    event_level=None,
    event_vote=None,
    event_send_all=None,
):
    """The meetings' cards as one widget: a new quarter sends their data, not new widgets.

    A card is some twenty buttons; built as widgets, every step would make and drop them
    on every player's page, the server's main cost in a class of thirty.
    """


_STATES = {
    "sent": ("sent", "#2e7d32"),
    "unsent": ("not sent yet", "#c62828"),
    "open": ("the model decides unless you send", "#555"),
}


def seat_cards(room: Room, token: str) -> tuple[list[dict], str, bool]:
    """What a seat's cards show: each meeting with its rule, level and vote buttons.

    Returns the cards (plain data for :func:`SeatCards`), the notice of choices not yet
    sent ("" when none) and whether every meeting has been sent.
    """
    player = room.player(token)
    meetings = room.meetings_for(token)
    sent, drafts = room.answered(token), room.drafts_of(token)
    cards = []
    for m in meetings:
        key = slug(m.forum)
        choice = drafts.get(m.forum) or sent.get(m.forum) or PlayedChoice()
        state = "unsent" if m.forum in drafts else ("sent" if m.forum in sent else "open")
        top = LEVEL_NAMES.index(m.max_level)
        rows = [
            {
                "dim": dim,
                "text": f"{dimension_label(dim)}: your position {pos:.2f}, {_last_text(last, ok)}",
                "buttons": _buttons(f"vote-{key}-{dim}", VOTES, choice.votes.get(dim)),
            }
            for (dim, decided, last, ok), pos in zip(m.items, m.position, strict=True)
            if decided
        ]
        cards.append(
            {
                "forum": m.forum,
                "key": key,
                "title": f"{m.forum} {m.level} ({m.role})",
                "state": _STATES[state][0],
                "colour": _STATES[state][1],
                "note": meeting_note(room.model, m, player.actor),
                "levels": _buttons(f"level-{key}", LEVEL_NAMES[: top + 1], choice.level),
                "rows": rows,
            }
        )
    unsent = [m.forum for m in meetings if m.forum in drafts]
    notice = (
        f"Not sent yet: {', '.join(unsent)}. Press Send all: Step does not wait." if unsent else ""
    )
    return cards, notice, bool(meetings) and not unsent and len(sent) >= len(meetings)


def _last_text(last: float | None, adopted: bool) -> str:
    if last is None:
        return "no text yet"
    return f"last text {last:.2f} ({'adopted' if adopted else 'failed'})"


def _buttons(prefix: str, values: tuple[str, ...] | list[str], chosen: str | None) -> list[dict]:
    """A row of choices, "model decides" first; the chosen one marked."""
    return [
        {
            "value": value,
            "label": "model decides" if value is None else value,
            "cls": f"{prefix}-{value or 'model'}",
            "on": value == chosen,
        }
        for value in (None, *values)
    ]


@solara.component
def SeatForm(
    room: Room, token: str, version: object = 0, client: str | None = None, on_change=None
):
    """A player's answers for the coming quarter: attendance and votes, meeting by meeting.

    Choices are kept with the seat as they are made (a reload finds them) and go to the
    room together with *Send all*. ``version`` (the seat's, or the model's step at the
    facilitator's screen) redraws the form; ``client`` is the player's browser (None at
    the facilitator's screen); ``on_change`` is told of every change made here.
    """
    error, set_error = solara.use_state("")
    _, redraw = solara.use_state(0)
    try:
        player = room.player(token)
        cards, unsent, all_sent = seat_cards(room, token)
    except RoomError as exc:
        solara.Error(str(exc))
        return
    next_quarter = getattr(room.model, "next_quarter", "")

    def act(do: Callable[[], object]) -> None:
        try:
            do()
            set_error("")
        except RoomError as exc:
            set_error(str(exc))
        redraw(lambda n: n + 1)
        if on_change is not None:
            on_change()

    def level(data: dict) -> None:
        new = data.get("level")
        act(lambda: room.set_draft(token, data["forum"], lambda c: PlayedChoice(new, c.votes)))

    def vote(data: dict) -> None:
        dim, new = data["dim"], data.get("vote")

        def edit(latest: PlayedChoice) -> PlayedChoice:
            votes = {d: v for d, v in latest.votes.items() if d != dim}
            return PlayedChoice(latest.level, votes if new is None else {**votes, dim: new})

        act(lambda: room.set_draft(token, data["forum"], edit))

    with solara.Column(classes=["seat"], gap="8px"):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<div class='seat-head'><b>{html.escape(player.actor)}</b> played by "
                f"{html.escape(player.name)} &middot; room <b>{room.code}</b> &middot; "
                f"next quarter <b class='seat-quarter'>{next_quarter}</b></div>"
                f"<div class='numbers-note' style='font-size:13px;color:#555'>{NUMBERS}</div>"
            ),
        )
        if not cards:
            solara.Info(f"{player.actor} has no meeting next quarter: wait for the facilitator.")
        SeatCards(
            cards=cards,
            unsent=unsent,
            all_sent=all_sent,
            event_level=level,
            event_vote=vote,
            event_send_all=lambda _data: act(lambda: room.send_all(token, client)),
        )
        if error:
            solara.Error(error)


@solara.component
def JoinForm(on_joined, initial_code: str = ""):
    """Join a room by its code, then take a free actor.

    ``initial_code`` comes from a ``?room=CODE`` link (or the QR code): the room is
    looked up at once, so a player only gives a name and picks an actor.
    """
    client = solara.use_memo(client_id, [])
    code, set_code = solara.use_state(initial_code or "")
    room, set_room = solara.use_state(None)
    use_room_version(room)  # actors others take disappear from the choice
    name, set_name = solara.use_state("")
    error, set_error = solara.use_state("")

    def find(typed: str | None = None):
        try:
            set_room(ROOMS.find(code if typed is None else typed, client))
            set_error("")
        except RoomError as exc:
            set_room(None)
            set_error(str(exc))

    solara.use_effect(lambda: find(initial_code) if initial_code else None, [initial_code])

    def join(actor: str) -> None:
        try:
            player = room.join(actor, name, client=client)
        except RoomError as exc:
            set_error(str(exc))
            return
        on_joined(room.code, player.token)

    with solara.Card("Join a room", classes=["join-card"]):
        solara.InputText(
            "Room code",
            value=code,
            on_value=set_code,
            continuous_update=True,
            classes=["room-input"],
        )
        solara.Button("Find room", on_click=lambda: find(), color="primary", classes=["find-room"])
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
                        classes=[f"pick-{slug(a)}"],
                    )
        if error:
            solara.Error(error, classes=["join-error"])


@solara.component
def PlayerPage(code: str | None, token: str | None, on_seat):
    """A player's view: join a room, then answer for the actor each quarter.

    The seat is found by its token (the code in the address is for people); a seat held
    by another browser is asked for, not taken.
    """
    client = solara.use_memo(client_id, [])
    room = None
    problem = ""
    if token:
        try:
            room = ROOMS.by_seat(token)
        except RoomError as exc:
            problem = str(exc)
    version, sync = use_seat_version(room, token or "")
    if room is not None:
        try:
            room.player(token)
        except RoomError as exc:
            room, problem = None, str(exc)
    # room below the last button: Solara's badge sits over the bottom of a phone's screen
    with solara.Column(style={"max-width": "760px", "padding": "12px 12px 72px 12px"}):
        solara.HTML(tag="h2", unsafe_innerHTML="latticesim &middot; player")
        if problem:
            solara.Warning(problem, classes=["seat-problem"])
        if room is None:
            JoinForm(on_joined=on_seat, initial_code="" if token else (code or ""))
            return
        if not room.holds(token, client):
            AskForSeat(room, token, client, version)
            return
        notice = room.player(token).notice
        if notice:
            solara.Warning(notice, classes=["seat-notice"])
        SeatForm(room, token, version, client=client, on_change=sync)
        PlayedLog(room, room.player(token).actor, version[0])


@solara.component
def AskForSeat(room: Room, token: str, client: str, version: int):
    """A seat's address opened in a second browser: ask the facilitator for the seat.

    ``version`` (the room's) redraws the page when the facilitator decides.
    """
    player = room.player(token)
    with solara.Card("This seat is open on another device", classes=["seat-held"]):
        solara.Text(
            f"{player.actor}, played by {player.name}, is held by another browser. "
            "If it is yours (a new phone, another browser), ask the facilitator to pass it here."
        )
        if client in room.passed:
            solara.Warning("The facilitator passed your seat to another device.")
        if player.asked_by == client:
            solara.Info("Asked: waiting for the facilitator.", classes=["seat-asked"])
        elif client in room.refused:
            solara.Error("The facilitator kept the seat on the other device.")
        else:
            solara.Button(
                "Ask for this seat",
                on_click=lambda: room.ask_for(token, client),
                color="primary",
                classes=["ask-seat"],
            )


@solara.component
def PlayedLog(room: Room, actor: str, quarter: int = 0):
    """What happened last quarter at the player's meetings, and the player's own record.

    ``quarter`` (the room's shared version) redraws it when the quarter advances.
    """
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
