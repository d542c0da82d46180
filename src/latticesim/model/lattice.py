"""The lattice of forums (ODD 7.9): forums added and dissolved, who sits where, lapsing.

:class:`Lattice` is the part of :class:`~latticesim.model.model.LatticeModel` that keeps
the forums: adding them (from the scenario, an event or a founding group), dissolving
them, the views of the lattice the other steps read (the invitation matrix, the actors'
shared forums, the IP4's forums), each forum's meeting inputs between changes, and the
quarter's ``update_lattice`` step: forums lapse, blocked like-minded groups found their
own (:mod:`latticesim.model.founding`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from latticesim.blocs.alignment import shared_forums
from latticesim.common.quarters import Quarter
from latticesim.mechanisms.metrics import standing_shares
from latticesim.model.forums import Forum
from latticesim.model.founding import try_found
from latticesim.world.actors import resolve_names
from latticesim.world.names import IP4

if TYPE_CHECKING:
    from latticesim.model.recorder import Recorder
    from latticesim.model.state import ForumInputs, State
    from latticesim.scenario.parameters import Parameters


class Lattice:
    """Forums in the lattice: a mixin of :class:`~latticesim.model.model.LatticeModel`.

    Attributes:
        forums: every forum by name, dissolved ones included (their history stays).
        active_forums: the forums that have not lapsed or been dissolved.
    """

    forums: dict[str, Forum]
    active_forums: list[Forum]
    # read from the rest of the model
    state: State
    params: Parameters
    quarter: Quarter
    recorder: Recorder
    actor_names: list[str]
    actor_index: dict[str, int]
    _met_this_quarter: list[Forum]

    def _start_lattice(self) -> None:
        """No forums yet; the scenario's are added once the recorder exists."""
        self.forums = {}
        self.active_forums = []
        self._forum_inputs: dict[int, ForumInputs] = {}
        # Forums whose frustration column may hold more than zeros (see Meetings._learn).
        self._frustrated: set[int] = set()
        self._lattice: dict[str, Any] = {}
        self._ip4_rows = [self.actor_index[n] for n in IP4]
        # Capability-weighted standing of each forum kept this quarter (update_lattice).
        self._masses: dict[int, float] = {}

    def add_forum(self, name: str, fspec: Any, origin: str, when: Quarter) -> Forum:
        """Create a forum (from the scenario, an event, or a founding group)."""
        year = when.year
        members = [self.actor_index[x] for x in resolve_names(fspec.members, year)]
        partners = [self.actor_index[x] for x in resolve_names(fspec.partners, year)]
        forum = Forum(self, name, fspec, len(self.forums), members, partners, when, origin)
        self.forums[name] = forum
        s = self.state
        col = np.zeros((len(self.actor_names), 1))
        col[forum.invitees, 0] = fspec.standing
        s.standing = np.hstack([s.standing, col])
        s.frustration = np.hstack([s.frustration, np.zeros_like(col)])
        self.lattice_changed()
        return forum

    def lattice_changed(self, forum: Forum | None = None) -> None:
        """Refresh what depends on who sits where (forums added, dissolved, joined, left).

        Only the list of active forums is rebuilt at once; the invitation matrix, the
        actors' shared forums and the IP4's forums are rebuilt when next read. A scenario
        sets up its forums one membership at a time, and a pass over all pairs of
        actors for each of them made set-up quadratic in the number of actors.
        ``forum`` names the forum whose membership changed, if one did.
        """
        self.active_forums = [f for f in self.forums.values() if f.active]
        self._lattice = {}
        if forum is not None:
            self._forum_inputs.pop(forum.index, None)
            self._frustrated.add(forum.index)  # a returning invitee may bring frustration

    @property
    def invited(self) -> np.ndarray:
        """Actors x forums, True where an active forum invites the actor.

        A new array after each change of the lattice, so records may keep a reference.
        """
        invited = self._lattice.get("invited")
        if invited is None:
            invited = np.zeros((len(self.actor_names), len(self.forums)), dtype=bool)
            for f in self.active_forums:
                invited[f.invitees, f.index] = True
            self._lattice["invited"] = invited
        return invited

    @property
    def shared_forums(self) -> np.ndarray:
        """Jaccard index of each pair of actors' forums (for the blocs' propensities)."""
        shared = self._lattice.get("shared")
        if shared is None:
            shared = self._lattice["shared"] = shared_forums(self.invited)
        return shared

    @property
    def ip4_forums(self) -> list[tuple[Forum, np.ndarray]]:
        """Active forums the IP4 sit in, each with the IP4 rows it invites (an array)."""
        found = self._lattice.get("ip4")
        if found is None:
            ip4 = self._ip4_rows
            rows = [(f, [i for i in ip4 if i in f.invitee_set]) for f in self.active_forums]
            found = self._lattice["ip4"] = [(f, np.array(r)) for f, r in rows if r]
        return found

    def dissolve_forum(self, forum: Forum, reason: str | None) -> None:
        """Take a forum out of the lattice; its history stays in the records.

        ``reason`` is given when the forum lapsed by the model's rules (logged for the
        chronicle); a scenario's dissolution is logged as its event.
        """
        forum.active = False
        forum.dissolved = self.quarter
        self.lattice_changed()
        if reason is not None:
            self.recorder.log(self.quarter, "forum_lapsed", forum.name, reason)

    def update_lattice(self) -> None:
        """Blocked, like-minded groups may found a forum; unvalued or idle forums lapse."""
        s, p = self.state, self.params
        for forum in list(self.active_forums):
            mass = forum.invitee_capability @ s.standing[:, forum.index][forum.invitees]
            self._masses[forum.index] = mass  # leading_platform reads it this quarter
            mean = float(mass / forum.invitee_capability_sum)
            if forum.missed >= p.lapse_after:
                self.dissolve_forum(forum, f"missed {forum.missed} meetings in a row")
            elif mean < p.lapse_standing:
                self.dissolve_forum(forum, f"its standing fell to {mean:.2f}")
        for forum in self._met_this_quarter:
            # nobody is frustrated in a forum whose frustration column is all zeros
            if forum.active and forum.index in self._frustrated:
                try_found(self, forum)

    def leading_platform(self) -> tuple[str, float, np.ndarray]:
        """The forum with the largest share of capability-weighted standing."""
        forums = self.active_forums
        if not forums:
            return "", float("nan"), np.zeros(0)
        standing = self.state.standing
        # update_lattice has just computed the masses of the forums it kept
        masses = self._masses
        mass = np.array(
            [
                masses[f.index]
                if f.index in masses
                else f.invitee_capability @ standing[:, f.index][f.invitees]
                for f in forums
            ]
        )
        shares = standing_shares(mass)
        k = int(np.argmax(shares))
        return forums[k].name, float(shares[k]), shares
