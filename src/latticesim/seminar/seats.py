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

import solara

from latticesim.mechanisms.attendance import LEVEL_NAMES
from latticesim.model.delegations import VOTES, MeetingPreview, PlayedChoice
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
            if now != seen.current:
                seen.current = now
                set_version(now)

    solara.use_thread(poll, dependencies=[room, token])
    seen.current = version
    return version, sync


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
        meetings = room.meetings_for(token)
        sent = room.answered(token)
        drafts = room.drafts_of(token)
    except RoomError as exc:
        solara.Error(str(exc))
        return
    next_quarter = getattr(room.model, "next_quarter", "")

    def changed() -> None:
        redraw(lambda n: n + 1)
        if on_change is not None:
            on_change()

    def send_all() -> None:
        try:
            room.send_all(token, client)
            set_error("")
        except RoomError as exc:
            set_error(str(exc))
        changed()

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
        if not meetings:
            solara.Info(f"{player.actor} has no meeting next quarter: wait for the facilitator.")
            return
        unsent = [m.forum for m in meetings if m.forum in drafts]
        # always in the tree, empty when all is sent: a notice coming and going would
        # shift the cards' widgets, and a tap in that moment would land on a dead button
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"Not sent yet: {html.escape(', '.join(unsent))}. Press Send all: Step does "
                "not wait."
                if unsent
                else ""
            ),
            classes=["unsent-notice"] if unsent else [],
            style=_NOTICE if unsent else {},
        )
        for m in meetings:
            MeetingForm(
                m,
                meeting_note(room.model, m, player.actor),
                choice=drafts.get(m.forum) or sent.get(m.forum) or PlayedChoice(),
                state="unsent" if m.forum in drafts else ("sent" if m.forum in sent else "open"),
                edit=_Editor(room, token, m.forum, changed, set_error),
            )
        solara.Button(
            "Send all" if unsent or len(sent) < len(meetings) else "Sent",
            on_click=send_all,
            color="primary" if unsent or len(sent) < len(meetings) else "success",
            block=True,
            classes=["send-all"],
        )
        if error:
            solara.Error(error)


class _Editor:
    """One meeting's choices as they are edited at a seat, kept with the seat.

    Each change builds on the latest choice the room holds (under its lock), not on what
    the page last drew: taps can come faster than the page redraws.
    """

    def __init__(self, room: Room, token: str, forum: str, changed, on_error) -> None:
        self.room, self.token, self.forum = room, token, forum
        self.changed, self.on_error = changed, on_error

    def _edit(self, edit: Callable[[PlayedChoice], PlayedChoice]) -> None:
        try:
            self.room.set_draft(self.token, self.forum, edit)
        except RoomError as exc:
            self.on_error(str(exc))
        self.changed()

    def set_level(self, level: str | None) -> None:
        self._edit(lambda latest: PlayedChoice(level, dict(latest.votes)))

    def set_vote(self, dim: str, vote: str | None) -> None:
        def edit(latest: PlayedChoice) -> PlayedChoice:
            votes = {d: v for d, v in latest.votes.items() if d != dim}
            if vote is not None:
                votes[dim] = vote
            return PlayedChoice(latest.level, votes)

        self._edit(edit)


_WRAP = {"flex-wrap": "wrap"}
_NOTICE = {"background": "#fff3cd", "padding": "8px", "border-radius": "4px"}
_STATES = {
    "sent": ("sent", "#2e7d32"),
    "unsent": ("not sent yet", "#c62828"),
    "open": ("the model decides unless you send", "#555"),
}


@solara.component
def MeetingForm(meeting: MeetingPreview, note: str, choice: PlayedChoice, state: str, edit):
    """One meeting's card at a seat: its rule, the attendance level, a vote on each text."""
    key = slug(meeting.forum)
    said, colour = _STATES[state]
    with solara.Card(classes=[f"meeting-{key}"], style={"max-width": "100%"}):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<div style='font-size:17px;font-weight:bold'>{html.escape(meeting.forum)} "
                f"{html.escape(meeting.level)} ({html.escape(meeting.role)})</div>"
                f"<div class='meeting-state' style='color:{colour}'>{said}</div>"
                f"<div class='rule-note' style='font-size:13px;margin:4px 0'>"
                f"{html.escape(note)}</div>"
            ),
        )
        solara.Text("Attendance:")
        with solara.Row(gap="4px", style=_WRAP):
            top = LEVEL_NAMES.index(meeting.max_level)
            for lv in (None, *LEVEL_NAMES[: top + 1]):
                solara.Button(
                    "model decides" if lv is None else lv,
                    on_click=lambda lv=lv: edit.set_level(lv),
                    color="primary" if choice.level == lv else None,
                    outlined=choice.level != lv,
                    small=True,
                    classes=[f"level-{key}-{lv or 'model'}"],
                )
        for (dim, decided, last, adopted), pos in zip(meeting.items, meeting.position, strict=True):
            if decided:
                VoteRow(key, dim, pos, last, adopted, choice.votes.get(dim), edit.set_vote)


@solara.component
def VoteRow(
    key: str,
    dim: str,
    pos: float,
    last: float | None,
    adopted: bool,
    mine: str | None,
    set_vote: Callable[[str, str | None], None],
):
    """A text the forum votes on: the player's position, the last text, the vote buttons."""
    last_txt = (
        "no text yet"
        if last is None
        else f"last text {last:.2f} ({'adopted' if adopted else 'failed'})"
    )
    with solara.Column(gap="0px"):
        solara.Text(f"{dimension_label(dim)}: your position {pos:.2f}, {last_txt}")
        with solara.Row(gap="4px", style=_WRAP):
            for vote in (None, *VOTES):
                solara.Button(
                    "model decides" if vote is None else vote,
                    on_click=lambda v=vote: set_vote(dim, v),
                    color="primary" if mine == vote else None,
                    outlined=mine != vote,
                    small=True,
                    classes=[f"vote-{key}-{dim}-{vote or 'model'}"],
                )


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
    with solara.Column(style={"max-width": "760px", "padding": "12px"}):
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
