"""Seminar rooms: who plays which actor, their answers, and the debrief.

A facilitator opens a room on the dashboard and gets a short code. Players open the
same dashboard address on their own devices, give the code and pick an actor (or the
facilitator hands actors to people at the front, on one screen). Before each quarter a
player answers for the meetings its actor is invited to; the facilitator sees who has
answered and advances the quarter, the model answering for anyone who has not.

Rooms live in the dashboard's server process (:data:`ROOMS`), guarded by a lock because
every browser page runs in its own thread. A player holds a random token; the page keeps
it in its address, so a reload finds the same seat. A token belongs to one room: a
player of one room can neither see nor answer in another.

A room outlives the page that opened it. The facilitator holds a second token (the
facilitator link): any tab that opens it takes the room back, with its model and seats.
A seat is held by the browser that took it; a second browser opening the seat's address
asks for it, and the facilitator passes it on or refuses (the holder is told either
way). The facilitator frees, moves and closes seats. Room codes are six letters (about
191 million codes) and a browser that gives a few wrong codes is refused for a while,
so codes cannot be found by trying them.

A player's page follows only its own seat (:meth:`Room.seat_version`): another player
answering redraws the facilitator's page, not every phone in the room. Choices a player
has made but not sent are kept with the seat (:meth:`Room.set_draft`), so a reload, a
locked phone or a dropped connection loses nothing; the quarter's step clears them.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from latticesim.model.delegations import PlayedChoice, upcoming_meetings
from latticesim.model.interface import PlayedModel

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: read aloud, they pass for 1 and 0
CODE_LENGTH = 6  # 24**6: about 191 million codes, 27 bits

MAX_WRONG_CODES = 5
"""Wrong room codes a browser may give within :data:`WRONG_CODE_WINDOW` seconds."""
WRONG_CODE_WINDOW = 60.0
LOCKOUT_SECONDS = 120.0
"""How long a browser that gave too many wrong codes is refused."""
SERVER_WRONG_CODES = 200
"""Wrong codes the whole server takes per window: a script changing cookies meets this."""


class RoomError(Exception):
    """A request a room refuses (wrong code, actor taken...); the message is for people."""


@dataclass
class Player:
    """A seat in a room: one actor, played by a person on a device or at the front."""

    token: str
    actor: str
    name: str
    at_front: bool = False
    joined: float = field(default_factory=time.time)
    holder: str = ""
    """The browser that holds the seat ("": any; the front's seats are the facilitator's)."""
    asked_by: str = ""
    """A browser asking for the seat, until the facilitator passes it on or refuses."""
    notice: str = ""
    """What the holder's page should tell: someone asked for the seat, or it was passed on."""


class RoomModel(PlayedModel, Protocol):
    """A model a room can follow: role-play's face of the model, and a slot for its room.

    The dashboard's model declares ``room`` and steps through it (the room hands it the
    answers before each quarter, under the room's lock); the room fills the slot when it
    follows the model and empties it when it leaves or closes.
    """

    room: Room | None


class Room:
    """One seminar's room: its model, its players and their answers for the next quarter.

    Args:
        code: the short code players type.
        model: the facilitator's model; replaced by :meth:`attach` when the run is reset.
    """

    def __init__(self, code: str, model: RoomModel) -> None:
        self.code = code
        self.host_token = secrets.token_urlsafe(16)
        self.lock = threading.RLock()
        self.closed = False
        self.players: dict[str, Player] = {}
        self.gone: dict[str, str] = {}  # token of a freed seat -> what its page says
        self.refused: set[str] = set()  # browsers whose request for a seat was refused
        self.passed: set[str] = set()  # browsers whose seat was passed to another
        self.answers: dict[str, dict[str, PlayedChoice]] = {}  # actor -> forum -> choice
        self.drafts: dict[str, dict[str, PlayedChoice]] = {}  # token -> forum -> unsent choice
        self.version = 0  # any change: the facilitator's views follow it
        self.shared_version = 0  # a change every seat sees: the quarter, the model, closing
        self.seat_versions: dict[str, int] = {}  # token -> changes to that seat alone
        self.model: RoomModel = model
        self._bind(model)

    # ---------------------------------------------------------------- seats
    def _bind(self, model: RoomModel) -> None:
        model.room = self
        model.played = {model.actor_index[p.actor] for p in self.players.values()}

    def attach(self, model: RoomModel) -> None:
        """Follow the facilitator's model after a reset: seats stay, answers go."""
        with self.lock:
            if model is self.model:
                return
            self.model.room = None
            self.model = model
            self.answers.clear()
            self.drafts.clear()
            self._bind(model)
            self._touch(shared=True)

    def playable(self) -> list[str]:
        """Actors a person may take: the forums' actors, adversaries excluded."""
        model = self.model
        return [n for i, n in enumerate(model.actor_names) if model.region[i] < 2]

    def taken(self) -> dict[str, str]:
        """Actor -> the name of whoever plays it."""
        with self.lock:
            return {p.actor: p.name for p in self.players.values()}

    def join(self, actor: str, name: str = "", at_front: bool = False, client: str = "") -> Player:
        """Seat a player as ``actor``, held by the browser ``client``.

        Raises:
            RoomError: for an unknown or taken actor, or a closed room.
        """
        with self.lock:
            self._check_open()
            if actor not in self.playable():
                raise RoomError(f"{actor!r} is not an actor that can be played in this room")
            if actor in self.taken():
                raise RoomError(f"{actor} is already played by {self.taken()[actor]}")
            player = Player(secrets.token_urlsafe(12), actor, name.strip() or actor, at_front)
            player.holder = client
            self.players[player.token] = player
            self.model.played.add(self.model.actor_index[actor])
            self._touch(player.token)
            return player

    def leave(self, token: str) -> None:
        """Free a seat; the model plays the actor again."""
        with self.lock:
            player = self.players.pop(token, None)
            if player is not None:
                self.model.played.discard(self.model.actor_index[player.actor])
                self.answers.pop(player.actor, None)
                self.drafts.pop(token, None)
                self._touch(token)

    def player(self, token: str) -> Player:
        """The seat behind a token of this room.

        Raises:
            RoomError: when the token is not one of this room's.
        """
        with self.lock:
            player = self.players.get(token)
            gone = self.gone.get(token)
        if player is None:
            raise RoomError(
                gone or "this seat is not in this room; join again with the room's code"
            )
        return player

    def _check_open(self) -> None:
        if self.closed:
            raise RoomError(f"room {self.code} has closed; ask the facilitator for a new code")

    def _seat_of(self, actor: str) -> Player:
        for p in self.players.values():
            if p.actor == actor:
                return p
        raise RoomError(f"nobody plays {actor} in this room")

    # ---------------------------------------------------------------- the facilitator's
    def free(self, actor: str) -> None:
        """Free ``actor``'s seat: the model plays it again, the player's page says so."""
        with self.lock:
            player = self._seat_of(actor)
            self.leave(player.token)
            self.gone[player.token] = (
                f"the facilitator freed the seat of {actor}; join again with the room's code"
            )

    def move(self, actor: str, to: str) -> None:
        """Move ``actor``'s player to the free actor ``to``; the player's address stays.

        Raises:
            RoomError: when nobody plays ``actor`` or ``to`` is taken or not playable.
        """
        with self.lock:
            player = self._seat_of(actor)
            if to not in self.playable():
                raise RoomError(f"{to!r} is not an actor that can be played in this room")
            if to in self.taken():
                raise RoomError(f"{to} is already played by {self.taken()[to]}")
            self.answers.pop(actor, None)
            self.drafts.pop(player.token, None)
            self.model.played.discard(self.model.actor_index[actor])
            self.model.played.add(self.model.actor_index[to])
            player.actor = to
            if player.name == actor:
                player.name = to
            self._touch(player.token)

    def close(self) -> None:
        """Close the room: every seat is freed and the model plays alone again."""
        with self.lock:
            self.closed = True
            for token in self.players:
                self.gone[token] = (
                    f"room {self.code} has closed; ask the facilitator for a new code"
                )
            self.players.clear()
            self.answers.clear()
            self.drafts.clear()
            self.model.room = None
            self.model.played = set()
            self._touch(shared=True)

    # ---------------------------------------------------------------- who holds a seat
    def holds(self, token: str, client: str) -> bool:
        """Whether the browser ``client`` holds the seat (a reload in it keeps the seat)."""
        player = self.player(token)
        with self.lock:
            if not player.holder:
                player.holder = client
            return player.holder == client

    def ask_for(self, token: str, client: str) -> None:
        """A second browser asks for a held seat: the facilitator decides, the holder is told."""
        player = self.player(token)
        with self.lock:
            if player.holder == client:
                return
            self.refused.discard(client)
            player.asked_by = client
            player.notice = (
                "Another device has asked for this seat; the facilitator decides. "
                "If it is yours, tell the facilitator."
            )
            self._touch(token)

    def asking(self) -> list[Player]:
        """Seats another browser has asked for, waiting for the facilitator."""
        with self.lock:
            return [p for p in self.players.values() if p.asked_by]

    def pass_on(self, actor: str) -> None:
        """The facilitator hands ``actor``'s seat to the browser that asked for it."""
        with self.lock:
            player = self._seat_of(actor)
            if not player.asked_by:
                raise RoomError(f"nobody has asked for the seat of {actor}")
            self.passed.add(player.holder)
            player.holder, player.asked_by = player.asked_by, ""
            player.notice = ""
            self._touch(player.token)

    def refuse(self, actor: str) -> None:
        """The facilitator keeps ``actor``'s seat with its holder; the asker is told."""
        with self.lock:
            player = self._seat_of(actor)
            if player.asked_by:
                self.refused.add(player.asked_by)
            player.asked_by = ""
            player.notice = "Another device asked for this seat; the facilitator kept it here."
            self._touch(player.token)

    # ---------------------------------------------------------------- answers
    def meetings_for(self, token: str) -> list:
        """The coming quarter's meetings of the token's actor (see ``upcoming_meetings``)."""
        player = self.player(token)
        with self.lock:
            return upcoming_meetings(self.model, player.actor)

    def answer(
        self, token: str, forum: str, choice: PlayedChoice, client: str | None = None
    ) -> None:
        """Record a player's answer for one meeting of the coming quarter.

        ``client`` (the sending browser; None at the facilitator's screen) must hold the seat.

        Raises:
            RoomError: for a token of another room, a seat held by another browser or a
                meeting the actor is not at.
        """
        player = self.player(token)
        with self.lock:
            self._check_holder(player, client)
            if forum not in {m.forum for m in upcoming_meetings(self.model, player.actor)}:
                raise RoomError(f"{player.actor} is not invited to a {forum} meeting this quarter")
            self.answers.setdefault(player.actor, {})[forum] = choice
            self._touch(token)

    @staticmethod
    def _check_holder(player: Player, client: str | None) -> None:
        if client is not None and player.holder not in ("", client):
            raise RoomError(f"the seat of {player.actor} is held on another device")

    def set_draft(
        self, token: str, forum: str, edit: Callable[[PlayedChoice], PlayedChoice]
    ) -> PlayedChoice:
        """Change a seat's unsent choice for one meeting; kept with the seat until sent.

        ``edit`` turns the latest choice (the unsent one, else the one sent, else the
        model's) into the new one, under the room's lock: taps that come faster than the
        page redraws each build on the one before.
        """
        player = self.player(token)
        with self.lock:
            drafts = self.drafts.setdefault(token, {})
            latest = drafts.get(forum) or self.answers.get(player.actor, {}).get(forum)
            drafts[forum] = new = edit(latest or PlayedChoice())
            self._touch(token, everyone=False)
            return new

    def drafts_of(self, token: str) -> dict[str, PlayedChoice]:
        """A seat's choices not yet sent, by forum."""
        self.player(token)
        with self.lock:
            return dict(self.drafts.get(token, {}))

    def send_all(self, token: str, client: str | None = None) -> None:
        """Send a seat's answers for every meeting of the coming quarter at once.

        A meeting's unsent choice goes, else what was sent stays, else the seat answers
        "the model decides" (the facilitator then sees the seat has answered).

        Raises:
            RoomError: for a seat held by another browser.
        """
        player = self.player(token)
        with self.lock:
            self._check_holder(player, client)
            drafts = self.drafts.pop(token, {})
            sent = self.answers.setdefault(player.actor, {})
            for m in upcoming_meetings(self.model, player.actor):
                sent[m.forum] = drafts.get(m.forum) or sent.get(m.forum) or PlayedChoice()
            self._touch(token)

    def answered(self, token: str) -> dict[str, PlayedChoice]:
        """What this seat has sent for the coming quarter, by forum."""
        player = self.player(token)
        with self.lock:
            return dict(self.answers.get(player.actor, {}))

    def status(self) -> list[tuple[Player, int, int]]:
        """Each seat with its meetings this coming quarter and how many it has answered."""
        with self.lock:
            out = []
            for p in self.players.values():
                due = {m.forum for m in upcoming_meetings(self.model, p.actor)}
                done = len(due & set(self.answers.get(p.actor, {})))
                out.append((p, len(due), done))
            return out

    def waiting_for(self) -> list[str]:
        """Actors whose players still owe an answer for the coming quarter."""
        return [p.actor for p, due, done in self.status() if done < due]

    # ---------------------------------------------------------------- the quarter
    def before_step(self, model: RoomModel) -> None:
        """Hand the answers to the model for the quarter it is about to run."""
        with self.lock:
            model.played = {model.actor_index[p.actor] for p in self.players.values()}
            model.delegations = {
                (model.actor_index[actor], forum): choice
                for actor, by_forum in self.answers.items()
                for forum, choice in by_forum.items()
            }

    def after_step(self, model: RoomModel) -> None:
        """Clear the answers once the quarter has used them, and tell the pages."""
        with self.lock:
            self.answers.clear()
            self.drafts.clear()
            self._touch(shared=True)

    def seat_version(self, token: str) -> tuple[int, int]:
        """What a seat's page follows: changes to every seat, and to this seat alone."""
        return self.shared_version, self.seat_versions.get(token, 0)

    def _touch(self, token: str | None = None, shared: bool = False, everyone: bool = True) -> None:
        """Count a change: for the facilitator (``everyone``), one seat, or every seat."""
        if everyone:
            self.version += 1
        if shared:
            self.shared_version += 1
        if token is not None:
            self.seat_versions[token] = self.seat_versions.get(token, 0) + 1


class JoinLimiter:
    """Counts wrong room codes per browser, and refuses a browser that gives too many.

    A six-letter code is hard to guess once, but a script could try codes all day: after
    :data:`MAX_WRONG_CODES` wrong codes within :data:`WRONG_CODE_WINDOW` seconds a browser
    is refused for :data:`LOCKOUT_SECONDS`, right code or not; the server as a whole takes
    :data:`SERVER_WRONG_CODES` wrong codes per window.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._wrong: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()
        self._until: dict[str, float] = {}

    def check(self, client: str) -> None:
        """Refuse a browser that is locked out, or any when the server has seen too many.

        Raises:
            RoomError: saying how long to wait.
        """
        now = self._clock()
        until = self._until.get(client, 0.0)
        if until > now:
            raise RoomError(
                f"too many wrong room codes from this device; try again in {until - now:.0f} s"
            )
        _forget(self._all, now - WRONG_CODE_WINDOW)
        if len(self._all) >= SERVER_WRONG_CODES:
            raise RoomError("too many wrong room codes on this server; try again in a minute")

    def wrong(self, client: str) -> None:
        """Count a wrong code from ``client``; the last one allowed starts its lockout."""
        now = self._clock()
        tries = self._wrong.setdefault(client, deque())
        _forget(tries, now - WRONG_CODE_WINDOW)
        tries.append(now)
        self._all.append(now)
        if len(tries) >= MAX_WRONG_CODES:
            self._until[client] = now + LOCKOUT_SECONDS
            tries.clear()


def _forget(times: deque[float], before: float) -> None:
    while times and times[0] < before:
        times.popleft()


class RoomRegistry:
    """The rooms of one dashboard server, by code, by facilitator token and by seat."""

    def __init__(
        self,
        code_source: Callable[[], str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rooms: dict[str, Room] = {}
        self._closed: set[str] = set()  # codes of closed rooms, never given again
        self._gone: dict[str, str] = {}  # seat token of a closed room -> what its page says
        self._lock = threading.Lock()
        self._code = code_source or new_code
        self.limiter = JoinLimiter(clock)

    def open(self, model: RoomModel) -> Room:
        """A new room for ``model`` with a code no room of this server has used."""
        with self._lock:
            for _ in range(1000):
                code = self._code()
                if code not in self._rooms and code not in self._closed:
                    break
            else:  # pragma: no cover - 191 million codes
                raise RoomError("no free room code; close a room first")
            room = Room(code, model)
            self._rooms[code] = room
            return room

    def get(self, code: str) -> Room:
        """The room behind a code as a person typed it (case and spaces forgiven).

        Raises:
            RoomError: when no open room has that code.
        """
        clean = normalise_code(code)
        with self._lock:
            room = self._rooms.get(clean)
            closed = clean in self._closed
        if room is None:
            if closed:
                raise RoomError(f"room {clean} has closed; ask the facilitator for a new code")
            shown = clean or "(empty)"
            raise RoomError(
                f"no room with code {shown}; check the code on the facilitator's screen"
            )
        return room

    def find(self, code: str, client: str) -> Room:
        """:meth:`get` for a code typed by a player, refused after too many wrong ones.

        Raises:
            RoomError: for a wrong code, or a browser (or server) that gave too many.
        """
        with self._lock:
            self.limiter.check(client)
        try:
            return self.get(code)
        except RoomError:
            with self._lock:
                self.limiter.wrong(client)
            raise

    def by_host(self, token: str) -> Room:
        """The open room whose facilitator link carries ``token``.

        Raises:
            RoomError: when the room has closed or the server was restarted.
        """
        with self._lock:
            room = next((r for r in self._rooms.values() if r.host_token == token), None)
        if room is None:
            raise RoomError(
                "this facilitator link is for a room that has closed (or a server that "
                "was restarted); open a new room"
            )
        return room

    def by_seat(self, token: str) -> Room:
        """The open room holding (or having freed) the seat ``token``.

        Raises:
            RoomError: when the seat's room has closed or no room knows it.
        """
        with self._lock:
            rooms = list(self._rooms.values())
            gone = self._gone.get(token)
        for room in rooms:
            if token in room.players or token in room.gone:
                return room
        raise RoomError(gone or "this seat is not in an open room; join again with the room's code")

    def close(self, code: str) -> None:
        """Close a room: its seats are freed and its players' pages say it has closed."""
        with self._lock:
            room = self._rooms.pop(normalise_code(code), None)
        if room is None:
            return
        room.close()
        with self._lock:
            self._closed.add(room.code)
            self._gone.update(room.gone)

    def __len__(self) -> int:
        return len(self._rooms)


def new_code() -> str:
    """A random room code of six unambiguous capital letters."""
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """Codes are read aloud and typed on phones: ignore case, spaces and dashes."""
    return "".join(ch for ch in str(code).upper() if ch.isalnum())


def show_code(code: str) -> str:
    """A code as shown to be read aloud: in two halves ("KXM PRT")."""
    half = len(code) // 2
    return f"{code[:half]} {code[half:]}"


ROOMS = RoomRegistry()
"""The rooms of this server process."""
