"""Forums: who sits in them, what they can decide, when they meet.

A forum is a Mesa agent too (so ``model.agents_by_type[Forum]`` lists the lattice), but
its numbers live in the model's arrays: membership as index arrays, standing as a column
of the standing matrix. Forums appear (from the scenario, an event, or a blocked group
founding its own) and lapse (no longer meeting, or no longer valued).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from latticesim.common.quarters import Quarter
from latticesim.mechanisms.rules import RULES, DecisionRule
from latticesim.scenario.schema import ForumSpec
from latticesim.world.names import dimension_words

if TYPE_CHECKING:
    from latticesim.model.model import LatticeModel


@dataclass(frozen=True, slots=True)
class Item:
    """One agenda item: a name for the chronicle, a dimension, an optional fixed text."""

    name: str
    dimension: int
    proposal: float | None = None
    named: bool = False


class Forum(mesa.Agent):
    """A forum in the lattice.

    Attributes:
        name: as written in the scenario (``NATO``, ``NATO+IP4``...).
        index: its column in the model's standing matrix.
        members, partners: actor indices (partners are invited but do not vote).
        rule: how it decides (:class:`~latticesim.mechanisms.rules.DecisionRule`).
        origin: ``scenario``, ``event`` or ``founded`` (by a blocked group).
    """

    model: LatticeModel

    def __init__(
        self,
        model: LatticeModel,
        name: str,
        spec: ForumSpec,
        index: int,
        members: list[int],
        partners: list[int],
        created: Quarter,
        origin: str,
    ) -> None:
        super().__init__(model)
        self.name = name
        self.spec = spec
        self.index = index
        self.created = created
        self.origin = origin
        self.active = True
        self.missed = 0
        self.dissolved: Quarter | None = None
        self.rule = RULES[spec.rule]
        self.threshold = spec.threshold
        self.session_of = spec.session_of
        self.theatre = spec.theatre
        self._remit(spec)
        self._convener = model.actor_index[spec.convener]
        self.rotation = [model.actor_index[a] for a in spec.rotation]
        # (quarter, first year or None, every, last year or None, level) per calendar
        # entry: read each quarter
        self._calendar = tuple((*m.recurrence(), m.level) for m in spec.calendar)
        self._texts = tuple(m.texts == "agreed" for m in spec.calendar)
        self.pending: list[Item] = []
        self.untabled: set[int] = set()  # dimensions its convener last left off the agenda
        self.last_texts: dict[int, tuple[float, bool]] = {}  # dimension -> (text, adopted)
        self.set_membership(members, partners)

    def __repr__(self) -> str:
        return f"Forum({self.name!r})"

    def _remit(self, spec: ForumSpec) -> None:
        """What it decides (competence), what it discusses, and its regular agenda."""
        dims = self.model.dimension_index
        self.competence = np.array([dims[d] for d in spec.competence], dtype=int)
        self.competence_set = frozenset(self.competence.tolist())
        self.discusses = np.array(
            sorted({dims[d] for d in spec.competence} | {dims[d] for d in spec.discusses}),
            dtype=int,
        )
        self.items = self._default_items(spec, dims)
        # the rule of each dimension it decides where it differs from the forum's rule
        self.rules = {dims[d]: RULES[r] for d, r in spec.rules.items() if RULES[r] is not self.rule}
        self.naming = {dims[d]: cap for d, cap in spec.naming.items()}

    def set_remit(self, competence: list[str], discusses: list[str]) -> None:
        """Decide ``competence`` and discuss ``discusses`` from now on (dimension names).

        Named items and pending ones on a dimension it neither decides nor discusses any
        more leave its agenda; the forum's memory of its last texts stays, for a
        dimension that comes back. The caller drops the forum's kept meeting inputs.
        """
        remit = {*competence, *discusses}
        self.spec = self.spec.model_copy(
            update={
                "competence": list(competence),
                "discusses": [d for d in discusses if d not in competence],
                "items": [i for i in self.spec.items if i.dimension in remit],
                "rules": {d: r for d, r in self.spec.rules.items() if d in competence},
            }
        )
        self._remit(self.spec)
        kept = set(self.discusses.tolist())
        self.pending = [i for i in self.pending if i.dimension in kept]

    @staticmethod
    def _default_items(spec: ForumSpec, dims: dict[str, int]) -> list[Item]:
        named = [Item(i.name, dims[i.dimension], i.proposal, True) for i in spec.items]
        covered = {i.dimension for i in named}
        # One item per dimension it decides, then one per dimension it only discusses (the
        # latter end in a chair's statement: a forum may discuss what it cannot decide).
        agenda = list(dict.fromkeys([*spec.competence, *spec.discusses]))
        defaults = [Item(dimension_words(d), dims[d]) for d in agenda if dims[d] not in covered]
        return named + defaults

    def set_membership(self, members: list[int], partners: list[int]) -> None:
        """Replace members and partners (partners who become members stop being partners)."""
        self.members = np.array(list(dict.fromkeys(members)), dtype=int)
        self.member_set = member_set = frozenset(self.members.tolist())
        self.partners = np.array(
            [p for p in dict.fromkeys(partners) if p not in member_set], dtype=int
        )
        self.invitees = np.concatenate([self.members, self.partners])
        self.invitee_set = set(self.invitees.tolist())
        self.invitee_capability = self.model.state.capability[self.invitees]
        self.invitee_capability_sum = self.invitee_capability.sum()
        self.model.lattice_changed(self)

    def meeting_level(self, quarter: Quarter, start_year: int) -> str | None:
        """The level of the meeting held in ``quarter``, or None if it does not meet."""
        entry = self._entry(quarter, start_year)
        return None if entry is None else self._calendar[entry][4]

    def agrees_texts(self, quarter: Quarter, start_year: int) -> bool:
        """Whether the meeting held in ``quarter`` agrees texts (else its chair speaks).

        A calendar entry with ``texts: chair`` is a meeting of record without texts of its
        own, like NATO's December foreign ministers; an extraordinary meeting agrees texts.
        """
        entry = self._entry(quarter, start_year)
        return entry is None or self._texts[entry]

    def _entry(self, quarter: Quarter, start_year: int) -> int | None:
        year, number = divmod(quarter.index, 4)
        number += 1
        for k, (q, first, every, last, _level) in enumerate(self._calendar):
            if first is None:
                first = start_year
            if q != number or year < first or (last is not None and year > last):
                continue
            if (year - first) % every == 0:
                return k
        return None

    @property
    def has_summits(self) -> bool:
        """Whether its leaders meet (a summit in its calendar): called to crisis meetings."""
        return any(level == "summit" for *_rest, level in self._calendar)

    def rule_for(self, dimension: int) -> DecisionRule:
        """The rule the forum decides ``dimension`` by (``rules:``, else its ``rule:``)."""
        return self.rules.get(dimension, self.rule)

    def decides(self, item: Item) -> bool:
        """Whether the forum votes on the item (else its chair speaks for it)."""
        d = item.dimension
        return d in self.competence_set and self.rules.get(d, self.rule).votes

    def convener_in(self, quarter: Quarter, start_year: int) -> int:
        """The convener for a meeting: the fixed one, or whose turn it is in the rotation."""
        if not self.rotation:
            return self._convener
        return self.rotation[(quarter.year - start_year) % len(self.rotation)]

    def agenda(self) -> list[Item]:
        """This meeting's items: pending named items replace the default on their dimension."""
        if not self.pending:
            return self.items
        pending_dims = {i.dimension for i in self.pending}
        return self.pending + [i for i in self.items if i.dimension not in pending_dims]

    @property
    def member_names(self) -> list[str]:
        """Member names, for people."""
        return [self.model.actor_names[i] for i in self.members]

    @property
    def partner_names(self) -> list[str]:
        """Partner names, for people."""
        return [self.model.actor_names[i] for i in self.partners]
