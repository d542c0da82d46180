"""The model's numbers: one row per actor, and what a forum's meetings keep between them.

``State`` holds the arrays every step reads and writes (ODD section 2); ``ForumInputs``
and ``Agenda`` hold what a forum's meetings need that changes only with its membership
or with events, so a meeting picks its numbers instead of recomputing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from latticesim.common.quarters import Quarter
from latticesim.mechanisms.attendance import preoccupation_now

if TYPE_CHECKING:
    from latticesim.model.forums import Forum, Item


@dataclass
class State:
    """The model's numbers, one row per actor (adversaries included, never invited).

    Declared vetoes are not here: they live in the model's
    :class:`~latticesim.model.radii.Vetoes`, next to the radii they cap.
    """

    position: np.ndarray
    anchor: np.ndarray
    base_anchor: np.ndarray
    salience: np.ndarray
    base_salience: np.ndarray
    capability: np.ndarray
    gdp: np.ndarray
    defence_pct: np.ndarray
    defence_pct0: np.ndarray
    pledge: np.ndarray
    stubbornness: np.ndarray
    tolerance: np.ndarray
    attention: np.ndarray
    commitment: np.ndarray
    exposure: np.ndarray
    dependence: np.ndarray
    threat: np.ndarray
    threat0: np.ndarray
    resources: np.ndarray
    behaviour: np.ndarray
    base_behaviour: np.ndarray
    pressure: np.ndarray
    standing: np.ndarray
    frustration: np.ndarray
    ties: np.ndarray
    last_together: np.ndarray
    drift: np.ndarray
    bloc: np.ndarray | None = None
    crises: list[tuple[int, float, Quarter]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Agenda:
    """A meeting's items as arrays: what deciding and scoring them reads.

    Attributes:
        dims: each item's dimension.
        decided: for each item, whether the forum votes on it (else its chair speaks).
        decided_at: the places of the decided items among the items (None: all of them).
        decided_dims: the decided items' dimensions.
        weight: 1 for items the forum decides, ``chair_weight`` for the others.
    """

    dims: np.ndarray
    decided: tuple[bool, ...]
    decided_at: np.ndarray | None
    decided_dims: np.ndarray
    weight: np.ndarray


def agenda_of(forum: Forum, items: list[Item], chair_weight: float, texts: bool = True) -> Agenda:
    """The :class:`Agenda` of ``items`` in ``forum`` (``texts`` False: its chair speaks on all)."""
    decided = tuple(texts and forum.decides(it) for it in items)
    dims = np.array([it.dimension for it in items], dtype=int)
    at = [j for j, d in enumerate(decided) if d]
    return Agenda(
        dims=dims,
        decided=decided,
        decided_at=None if len(at) == len(items) else np.array(at, dtype=int),
        decided_dims=dims[at],
        weight=np.array([1.0 if d else chair_weight for d in decided]),
    )


def cells(rows: np.ndarray, columns: np.ndarray, width: int) -> np.ndarray:
    """Flat positions of ``rows`` x ``columns`` in a C-ordered matrix ``width`` wide.

    ``a.ravel()[cells(rows, columns, a.shape[1])]`` is ``a[rows[:, None], columns]``, the
    same numbers, picked in a fifth of the time: on a meeting's 30 x 4 arrays numpy's
    two-array indexing costs more than the work.
    """
    return rows[:, None] * width + columns


@dataclass(slots=True)
class ForumInputs:
    """What a forum's meetings need that changes only with its membership or with events.

    Attendance weighs the same commitments, attention and travel costs at every meeting
    until an event or a membership change alters them, so the model keeps them per forum
    and drops them all when either happens (``LatticeModel.inputs_changed``). Cells are
    flat positions (:func:`cells`) in the actors x dimensions matrices (positions,
    salience, radii).

    Attributes:
        quorum: members present needed for the meeting to meet.
        member_at: actor row -> its place among the members.
        value_base: commitment x attention to the forum's theatre, per invitee
            (:func:`~latticesim.mechanisms.attendance.value_base`).
        cost: invitees x 4, the cost of coming at each level.
        member_capability: the members' capability, and its sum.
        agenda: the default agenda (:class:`Agenda`).
        invitee_discussed: cells of the invitees x the dimensions the forum discusses.
        invitee_items, member_items: cells of the invitees, and of the members, x the
            default agenda's dimensions.
        member_decided: cells of the members x the dimensions of the items decided.
        pairs, east, west: for meetings every invitee attends (most of them), the
            invitees' :func:`~latticesim.mechanisms.socialisation.pair_index` and which of
            them are Euro-Atlantic and Indo-Pacific.
    """

    quorum: int
    member_at: dict[int, int]
    value_base: np.ndarray
    cost: np.ndarray
    member_capability: np.ndarray
    member_capability_sum: float
    agenda: Agenda
    invitee_discussed: np.ndarray
    invitee_items: np.ndarray
    member_items: np.ndarray
    member_decided: np.ndarray
    pairs: np.ndarray
    east: np.ndarray
    west: np.ndarray


@dataclass(frozen=True, slots=True)
class Spell:
    """One preoccupation at home: who, where (a forum's index, None: everywhere), how much.

    It is in effect from ``start`` to ``end``, both included.
    """

    rows: np.ndarray
    forum: int | None
    amount: float
    fade: float
    start: Quarter
    end: Quarter


class Preoccupations:
    """Actors preoccupied at home: the added cost of attending, per actor and per forum.

    ``everywhere`` holds each actor's added cost in every forum, ``by_forum`` the added
    cost in one forum (by the forum's index); both are the sums of the spells in effect,
    each faded by its age. They change only when a spell starts, fades or ends, so the
    model drops its forums' inputs only then (:meth:`advance`).
    """

    __slots__ = ("by_forum", "everywhere", "n", "spells")

    def __init__(self, n: int) -> None:
        self.n = n
        self.spells: list[Spell] = []
        self.everywhere: np.ndarray | None = None
        self.by_forum: dict[int, np.ndarray] = {}

    def add(self, spell: Spell) -> None:
        """A preoccupation that starts now (the amounts are formed by :meth:`advance`)."""
        self.spells.append(spell)

    def advance(self, quarter: Quarter) -> tuple[bool, list[Spell]]:
        """This quarter's added costs: whether they changed, and the spells that ended.

        A spell ends the quarter after its last; a spell that fades changes every
        quarter; one that does not changes only when it starts.
        """
        ended = [sp for sp in self.spells if quarter > sp.end]
        self.spells = [sp for sp in self.spells if quarter <= sp.end]
        changed = bool(ended) or any(sp.fade > 0 or sp.start == quarter for sp in self.spells)
        if changed:
            self.everywhere, self.by_forum = None, {}
            for sp in self.spells:
                now = preoccupation_now(sp.amount, sp.fade, quarter - sp.start)
                if sp.forum is None:
                    if self.everywhere is None:
                        self.everywhere = np.zeros(self.n)
                    target = self.everywhere
                else:
                    target = self.by_forum.setdefault(sp.forum, np.zeros(self.n))
                target[sp.rows] += now
        return changed, ended

    def extra(self, forum: int, rows: np.ndarray) -> np.ndarray | None:
        """The added cost of attending ``forum`` for each of ``rows`` (None: nobody's)."""
        here = self.by_forum.get(forum)
        if self.everywhere is None and here is None:
            return None
        total = np.zeros(len(rows))
        for added in (self.everywhere, here):
            if added is not None:
                total += added[rows]
        return total


class ForumViews:
    """Positions and saliences that hold in one forum's meetings only.

    A forum-scoped shock (``forum:`` on a salience or position shock) is a view actors
    hold, or a priority the forum's agenda gives a dimension, in that forum and nowhere
    else: kept as offsets per forum (actors x dimensions) and added, within [0, 1], to the
    model's positions and saliences wherever that forum's meetings read them (attendance,
    the agenda, drafts, limits, votes, standing).
    """

    __slots__ = ("position", "salience", "shape")

    def __init__(self, shape: tuple[int, int]) -> None:
        self.shape = shape
        self.position: dict[int, np.ndarray] = {}
        self.salience: dict[int, np.ndarray] = {}

    def shift(self, kind: str, forum: int, rows: np.ndarray, dim: int, amount: float) -> None:
        """Add ``amount`` to ``rows``' ``kind`` (position or salience) of ``dim`` in ``forum``."""
        table = self.position if kind == "position" else self.salience
        offset = table.setdefault(forum, np.zeros(self.shape))
        offset[rows, dim] += amount

    def position_in(self, forum: int, position: np.ndarray) -> np.ndarray:
        """The positions as they stand in ``forum``'s meetings."""
        offset = self.position.get(forum)
        return position if offset is None else np.clip(position + offset, 0.0, 1.0)

    def salience_in(self, forum: int, salience: np.ndarray) -> np.ndarray:
        """The saliences as they stand in ``forum``'s meetings."""
        offset = self.salience.get(forum)
        return salience if offset is None else np.clip(salience + offset, 0.0, 1.0)
