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
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from latticesim.model.delegations import PlayedChoice, upcoming_meetings
from latticesim.model.interface import PlayedModel

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: read aloud, they pass for 1 and 0
CODE_LENGTH = 4


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
        self.lock = threading.RLock()
        self.players: dict[str, Player] = {}
        self.answers: dict[str, dict[str, PlayedChoice]] = {}  # actor -> forum -> choice
        self.version = 0
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
            self._bind(model)
            self._touch()

    def playable(self) -> list[str]:
        """Actors a person may take: the forums' actors, adversaries excluded."""
        model = self.model
        return [n for i, n in enumerate(model.actor_names) if model.region[i] < 2]

    def taken(self) -> dict[str, str]:
        """Actor -> the name of whoever plays it."""
        with self.lock:
            return {p.actor: p.name for p in self.players.values()}

    def join(self, actor: str, name: str = "", at_front: bool = False) -> Player:
        """Seat a player as ``actor``; refused when it is taken or not playable.

        Raises:
            RoomError: for an unknown or taken actor.
        """
        with self.lock:
            if actor not in self.playable():
                raise RoomError(f"{actor!r} is not an actor that can be played in this room")
            if actor in self.taken():
                raise RoomError(f"{actor} is already played by {self.taken()[actor]}")
            player = Player(secrets.token_urlsafe(12), actor, name.strip() or actor, at_front)
            self.players[player.token] = player
            self.model.played.add(self.model.actor_index[actor])
            self._touch()
            return player

    def leave(self, token: str) -> None:
        """Free a seat; the model plays the actor again."""
        with self.lock:
            player = self.players.pop(token, None)
            if player is not None:
                self.model.played.discard(self.model.actor_index[player.actor])
                self.answers.pop(player.actor, None)
                self._touch()

    def player(self, token: str) -> Player:
        """The seat behind a token of this room.

        Raises:
            RoomError: when the token is not one of this room's.
        """
        with self.lock:
            player = self.players.get(token)
        if player is None:
            raise RoomError("this seat is not in this room; join again with the room's code")
        return player

    # ---------------------------------------------------------------- answers
    def meetings_for(self, token: str) -> list:
        """The coming quarter's meetings of the token's actor (see ``upcoming_meetings``)."""
        player = self.player(token)
        with self.lock:
            return upcoming_meetings(self.model, player.actor)

    def answer(self, token: str, forum: str, choice: PlayedChoice) -> None:
        """Record a player's answer for one meeting of the coming quarter.

        Raises:
            RoomError: for a token of another room or a meeting the actor is not at.
        """
        player = self.player(token)
        with self.lock:
            if forum not in {m.forum for m in upcoming_meetings(self.model, player.actor)}:
                raise RoomError(f"{player.actor} is not invited to a {forum} meeting this quarter")
            self.answers.setdefault(player.actor, {})[forum] = choice
            self._touch()

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
            self._touch()

    def _touch(self) -> None:
        self.version += 1


class RoomRegistry:
    """The rooms of one dashboard server, by code."""

    def __init__(self, code_source: Callable[[], str] | None = None) -> None:
        self._rooms: dict[str, Room] = {}
        self._lock = threading.Lock()
        self._code = code_source or new_code

    def open(self, model: RoomModel) -> Room:
        """A new room for ``model`` with a code no open room uses."""
        with self._lock:
            for _ in range(1000):
                code = self._code()
                if code not in self._rooms:
                    break
            else:  # pragma: no cover - 331,776 codes
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
        if room is None:
            shown = clean or "(empty)"
            raise RoomError(
                f"no room with code {shown}; check the code on the facilitator's screen"
            )
        return room

    def close(self, code: str) -> None:
        """Forget a room; its players' pages say it has closed."""
        with self._lock:
            room = self._rooms.pop(normalise_code(code), None)
        if room is not None:
            room.model.room = None
            room.model.played = set()

    def __len__(self) -> int:
        return len(self._rooms)


def new_code() -> str:
    """A random room code of four unambiguous capital letters."""
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """Codes are read aloud and typed on phones: ignore case, spaces and dashes."""
    return "".join(ch for ch in str(code).upper() if ch.isalnum())


ROOMS = RoomRegistry()
"""The rooms of this server process."""
