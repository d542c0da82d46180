"""Meetings (ODD 7.4-7.8): who comes, what is decided, who sits with whom, what is learned.

:class:`Meetings` is the part of :class:`~latticesim.model.model.LatticeModel` that holds
the quarter's meetings: attendance (:mod:`latticesim.mechanisms.attendance`), the chair,
the decisions (:mod:`latticesim.model.decisions`), the ties of those who sat together,
the texts' pressure on adversaries and the forums' memory of their last texts, and what
each invitee learns about the forum (standing, frustration). Played actors' answers
(:mod:`latticesim.model.delegations`) replace the model's choices where they are given.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from latticesim.common.text import and_join, cap
from latticesim.mechanisms.attendance import (
    LEVEL_NAMES,
    MEETING_IMPORTANCE,
    MEETING_MAX_LEVEL,
    best_levels,
    convener_complement,
    meeting_value,
    side_meeting_value,
    taste_scale,
    threat_factor,
)
from latticesim.mechanisms.burden import pledged_effort
from latticesim.mechanisms.rules import engagement, tables
from latticesim.mechanisms.socialisation import LEVEL_WEIGHT, add_ties, pair_index
from latticesim.mechanisms.standing import adopted_reward, learn, meeting_reward
from latticesim.model.decisions import Votes, decide
from latticesim.model.delegations import PlayedChoice, describe_choice, played_level
from latticesim.model.forums import Item
from latticesim.model.setup import forum_inputs
from latticesim.model.state import agenda_of, cells
from latticesim.scenario.schema import ADVERSARIES
from latticesim.world.names import (
    dimension_words,
    display_name,
    flashpoint_words,
    join_names,
    the_forum,
)

if TYPE_CHECKING:
    from latticesim.common.quarters import Quarter
    from latticesim.mechanisms.rules import ItemOutcome
    from latticesim.model.forums import Forum
    from latticesim.model.radii import Radii
    from latticesim.model.recorder import Recorder
    from latticesim.model.state import Agenda, ForumInputs, ForumViews, State
    from latticesim.scenario.parameters import Parameters

FOUND_MIN_SALIENCE = 0.5  # salience from which a blocked wish counts as frustration

Played = dict[int, PlayedChoice | None]
"""Invitee place -> its player's answers (None: the player did not answer)."""


def sessions_after(due: list[tuple[Forum, str]], order: Iterable[int]) -> list[int]:
    """The meetings' order with each session moved to right after the meeting it is part of.

    A session whose main meeting is not held this quarter keeps its place (and does not
    meet: :meth:`Meetings.hold_meetings` holds a session only after its main meeting).
    """
    order = list(order)
    at = {due[k][0].name: k for k in order}
    sessions = [k for k in order if due[k][0].session_of in at]
    if not sessions:
        return order
    out = [k for k in order if k not in sessions]
    for k in sessions:
        out.insert(out.index(at[due[k][0].session_of]) + 1, k)
    return out


class Meetings:
    """The quarter's meetings: a mixin of :class:`~latticesim.model.model.LatticeModel`."""

    # read from the rest of the model
    state: State
    params: Parameters
    quarter: Quarter
    start: Quarter
    quarters_run: int
    rng: np.random.Generator
    recorder: Recorder
    radii: Radii
    region: np.ndarray
    actor_names: list[str]
    dimensions: list[str]
    active_forums: list[Forum]
    played: set[int]
    delegations: dict[tuple[int, str], PlayedChoice]
    _forum_inputs: dict[int, ForumInputs]
    _frustrated: set[int]
    _pressure_target: dict[int, int]
    _burden_dim: int | None
    crises_now: list[tuple[str, str, float, int]]
    _extraordinary: dict[int, list[Item]]
    side_meetings: dict[int, list[tuple[np.ndarray, float]]]
    forum_views: ForumViews

    def hold_meetings(self) -> None:
        """Every active forum whose calendar says so meets, in random order.

        A forum that is a session of another's meetings (the partners' session of a NATO
        summit) meets right after it, and only if it met; a crisis that breaks out adds
        extraordinary meetings (:meth:`crisis_meetings`).
        """
        s, p = self.state, self.params
        self._met_this_quarter: list[Forum] = []
        self._extraordinary = {}
        self._came: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._cross_ties = 0.0
        self._adopted_pressure = [0.0] * len(ADVERSARIES)
        due = [
            (f, lvl)
            for f in self.active_forums
            if (lvl := f.meeting_level(self.quarter, self.start.year)) is not None
        ]
        due += self.crisis_meetings({f.name for f, _ in due})
        order = self.rng.permutation(len(due)) if len(due) > 1 else range(len(due))
        order = sessions_after(due, order)
        if due:
            # One draw for the quarter's attendance shocks, split meeting by meeting in
            # the order they meet: the same numbers, in the same order, as one draw per
            # meeting (the generator fills arrays element by element).
            sizes = [len(due[k][0].invitees) for k in order]
            noise = self.rng.gumbel(size=(sum(sizes), 4)) * taste_scale(p)
            self._threat_factor = threat_factor(s.threat.max(axis=1))
            at = 0
            for k, size in zip(order, sizes, strict=True):
                forum, level = due[k]
                if forum.session_of is None or forum.session_of in self._came:
                    self.hold_meeting(forum, level, noise[at : at + size])
                at += size
        self.crises_now = []
        s.pressure = 0.75 * s.pressure + 0.25 * np.array(self._adopted_pressure)

    def crisis_meetings(self, due: set[str]) -> list[tuple[Forum, str]]:
        """Extraordinary meetings called by crises that break out this quarter.

        A crisis of intensity ``crisis_meeting`` or more brings the forums of its theatre
        that vote, and the global ones whose leaders meet (the G7), to an extraordinary
        ministerial meeting, unless they meet this quarter anyway; its agenda is the
        dimension the crisis touches.
        """
        out: list[tuple[Forum, str]] = []
        self._extraordinary: dict[int, list[Item]] = {}
        for flashpoint, theatre, intensity, dim in self.crises_now:
            if intensity < self.params.crisis_meeting:
                continue
            where = flashpoint_words(flashpoint)
            for f in self.active_forums:
                if f.name in due or f.session_of is not None or not f.rule.votes:
                    continue
                leaders = f.has_summits
                if (f.theatre == theatre or (f.theatre == "global" and leaders)) and (
                    dim in f.competence_set
                ):
                    self._extraordinary[f.index] = [Item(f"the crisis in {where}", dim, None, True)]
                    out.append((f, "ministerial"))
                    due.add(f.name)
                    self.recorder.log(
                        self.quarter,
                        "extraordinary_meeting",
                        f.name,
                        f"{cap(the_forum(f.name))} ministers met in extraordinary session over "
                        f"the crisis in {where}.",
                    )
        return out

    def hold_meeting(self, forum: Forum, level: str, noise: np.ndarray | None = None) -> None:
        """Attendance, proposals, decisions, records and learning for one meeting.

        ``noise`` holds the invitees' attendance shocks (invitees x 4, already scaled by
        ``attendance_noise``); ``hold_meetings`` draws a quarter's at once.
        """
        s, p = self.state, self.params
        fi = self._forum_inputs.get(forum.index) or self.inputs_for(forum)
        if noise is None:
            noise = self.rng.gumbel(size=(len(forum.invitees), 4)) * taste_scale(p)
            self._threat_factor = threat_factor(s.threat.max(axis=1))
        played = self._played_at(forum) if self.played else {}
        levels = self._attendance(forum, fi, level, noise, played)
        # Most meetings everyone attends: their arrays are the forum's, kept in fi.
        attending = None if levels.all() else levels > 0
        voters = forum.members
        if attending is not None:
            voters = voters[attending[: len(voters)]]
        met = len(voters) >= fi.quorum
        crisis = self._extraordinary.pop(forum.index, None) if self._extraordinary else None
        items: list[Item] = (crisis or self._tabled(forum, level, forum.agenda())) if met else []
        if met:
            forum.pending = []
            self._came[forum.name] = (forum.invitees, levels)
        chair = self._chair(forum, fi, attending, voters)
        texts = forum.agrees_texts(self.quarter, self.start.year)
        if items is forum.items and texts:
            agenda = fi.agenda
        else:
            agenda = agenda_of(forum, items, p.chair_weight, texts)
        outcomes: list[ItemOutcome] = []
        if items:
            votes = self._votes(forum, attending, levels, played) if played else {}
            cap_v = fi.member_capability if attending is None else s.capability[voters]
            outcomes = decide(self, forum, fi, items, agenda, voters, cap_v, chair, votes)
        # A text is worth what the room that agreed it is worth: the capability-weighted
        # level at which members came, relative to the level the meeting invites.
        top = LEVEL_WEIGHT[MEETING_MAX_LEVEL[level]]
        room = float(fi.member_capability @ LEVEL_WEIGHT[levels[: len(forum.members)]]) / max(
            fi.member_capability_sum * top, 1e-12
        )
        # Chair's statements (the forum's rule, or items outside its competence) weigh less.
        weights = agenda.weight * room
        self._learn(forum, fi, agenda, attending, voters, items, outcomes, weights, met)
        if met:
            forum.missed = 0
            self._met_this_quarter.append(forum)
            self._sit_together(forum, fi, attending, levels)
            scale = (weights / max(room, 1e-12)).tolist()
            self._after_texts(forum, items, agenda.decided, outcomes, scale)
        else:
            forum.missed += 1
        inv, step = forum.invitees, self.quarters_run
        self.recorder.record_meeting(
            self.quarter,
            step,
            forum,
            level,
            inv,
            levels,
            met,
            chair,
            items,
            outcomes,
            voters,
            agenda.decided,
        )
        if played:
            for k, choice in played.items():
                self._log_played(forum, level, int(inv[k]), int(levels[k]), choice, items)
        if self.side_meetings and forum.index in self.side_meetings:
            self._side_meetings_held(forum, level, levels)

    def _side_meetings_held(self, forum: Forum, level: str, levels: np.ndarray) -> None:
        """Record whether each side meeting planned at this meeting happened.

        It happens when every one of its actors came, and counts as a leaders' meeting
        when they all came at the top level the meeting invites.
        """
        at = {int(a): k for k, a in enumerate(forum.invitees)}
        top = MEETING_MAX_LEVEL[level]
        for rows, _value in self.side_meetings.pop(forum.index):
            came = [int(levels[at[r]]) if r in at else 0 for r in rows.tolist()]
            who = join_names([self.actor_names[r] for r in rows.tolist()])
            where = f"the {forum.name} {level}"
            if min(came) == top:
                text = f"{who} met on the side of {where}, at the top level."
            elif min(came) > 0:
                text = f"{who} met on the side of {where}, not all at the top level."
            else:
                away = join_names(
                    [self.actor_names[r] for r, c in zip(rows.tolist(), came, strict=True) if not c]
                )
                text = f"The side meeting of {who} at {where} fell through: {away} stayed away."
            self.recorder.log(self.quarter, "side_meeting_outcome", forum.name, cap(text))

    def _tabled(self, forum: Forum, level: str, items: list[Item]) -> list[Item]:
        """The items the convener tables: named ones, and those it is engaged on enough.

        The forum's default items (one per dimension) are the convener's to table
        (:func:`~latticesim.mechanisms.rules.tables`); named items (a scenario's, a
        crisis's) are on the agenda as given. The chronicle says when the convener stops
        tabling a dimension, and when it takes it up again.
        """
        s = self.state
        convener = forum.convener_in(self.quarter, self.start.year)
        reference = float(self.radii.commitment0[convener])
        commitment = float(s.commitment[convener])
        salience = self.forum_views.salience_in(forum.index, s.salience)
        threshold = self.params.agenda_threshold
        if commitment >= reference and not forum.untabled:
            # Most meetings: a convener at its recorded commitment, engaged on every item
            # (the same test as tables(), without building arrays for it).
            row = salience[convener]
            if all(it.named or row[it.dimension] >= threshold for it in items):
                return items
        dims = np.array([it.dimension for it in items], dtype=int)
        engaged = engagement(salience[convener, dims], commitment, reference)
        default = np.array([not it.named for it in items])
        keep = np.ones(len(items), dtype=bool)
        capacity = commitment / reference if reference > 0 else 1.0
        keep[default] = tables(engaged[default], capacity, self.params.agenda_threshold)
        dropped = {it.dimension for it, k in zip(items, keep.tolist(), strict=True) if not k}
        if dropped != forum.untabled:
            self._log_tabling(forum, level, convener, dropped)
            forum.untabled = dropped
        if not dropped:
            return items
        return [it for it in items if it.dimension not in dropped or it.named]

    def _log_tabling(self, forum: Forum, level: str, convener: int, dropped: set[int]) -> None:
        """Say what the convener stopped tabling, or took up again, in ``forum``."""
        who = display_name(self.actor_names[convener])
        gone = sorted(dropped - forum.untabled)
        back = sorted(forum.untabled - dropped)
        words = self.dimensions
        if gone:
            what = and_join([dimension_words(words[d]) for d in gone])
            text = f"{who} tabled no text on {what} at the {forum.name} {level}."
            self.recorder.log(self.quarter, "agenda", forum.name, text[0].upper() + text[1:])
        if back:
            what = and_join([dimension_words(words[d]) for d in back])
            text = f"{who} put {what} back on the agenda of the {forum.name} {level}."
            self.recorder.log(self.quarter, "agenda", forum.name, text[0].upper() + text[1:])

    def inputs_for(self, forum: Forum) -> ForumInputs:
        """A forum's meeting inputs, computed now and kept until inputs or members change."""
        out = self._forum_inputs[forum.index] = forum_inputs(self, forum)
        return out

    def _attendance(
        self, forum: Forum, fi: ForumInputs, level: str, noise: np.ndarray, played: Played
    ) -> np.ndarray:
        """Each invitee's level (0 absent ... 3 head): its best, or its player's."""
        s = self.state
        discussed = forum.discusses.size
        if discussed:
            scoped = self.forum_views.salience_in(forum.index, s.salience)
            salience = scoped.ravel()[fi.invitee_discussed].sum(axis=1) / discussed
        else:
            salience = 0.5
        value = meeting_value(
            fi.value_base,
            s.standing[:, forum.index][forum.invitees],
            salience,
            self._threat_factor[forum.invitees],
            MEETING_IMPORTANCE[level],
        )
        sides = self.side_meetings.get(forum.index) if self.side_meetings else None
        if sides:
            value = side_meeting_value(value, forum.invitees, sides)
        max_level = MEETING_MAX_LEVEL[level]
        levels = best_levels(value, fi.cost, max_level, noise)
        k = self.params.complementarity
        convener = fi.member_at.get(forum.convener_in(self.quarter, self.start.year))
        if k > 0 and convener is not None and levels[convener] < max_level:
            # The convener's delegation is known before the others decide: coming is worth
            # less to them when its leader does not come (a best response to its level).
            others = convener_complement(value, levels[convener], max_level, k)
            own = levels[convener]
            levels = best_levels(others, fi.cost, max_level, noise)
            levels[convener] = own
        if forum.session_of in self._came:
            # the members are at the summit already: they sit in at the level they came
            inv, came = self._came[forum.session_of]
            at = np.zeros(len(self.actor_names), dtype=levels.dtype)
            at[inv] = came
            levels[: len(forum.members)] = at[forum.members]
        if played:
            for k, choice in played.items():
                if choice is not None:
                    levels[k] = played_level(choice.level, levels[k], max_level)
        return levels

    def _chair(
        self, forum: Forum, fi: ForumInputs, attending: np.ndarray | None, voters: np.ndarray
    ) -> int:
        """The convener if it votes at this meeting, else the most capable voter present."""
        convener = forum.convener_in(self.quarter, self.start.year)
        at = fi.member_at.get(convener)
        if len(voters) and (at is None or (attending is not None and not attending[at])):
            return int(voters[np.argmax(self.state.capability[voters])])
        return convener

    @staticmethod
    def _votes(
        forum: Forum, attending: np.ndarray | None, levels: np.ndarray, played: Played
    ) -> Votes:
        """Played members' votes, by their place among the voters (those who came)."""
        votes = {}
        n_members = len(forum.members)
        for k, choice in played.items():
            if choice is not None and choice.votes and k < n_members and levels[k] > 0:
                votes[k if attending is None else int(attending[:k].sum())] = choice.votes
        return votes

    def _sit_together(
        self, forum: Forum, fi: ForumInputs, attending: np.ndarray | None, levels: np.ndarray
    ) -> None:
        """Ties between those who came, and the meeting's cross-theatre ties (linkage)."""
        s = self.state
        if attending is None:
            att, g, pairs = forum.invitees, LEVEL_WEIGHT[levels], fi.pairs
            east, west = fi.east, fi.west
        else:
            att = forum.invitees[attending]
            g = LEVEL_WEIGHT[levels[attending]]
            pairs = pair_index(att, len(self.actor_names))
            reg = self.region[att]
            east, west = reg == 0, reg == 1
        if not forum.rule.votes:  # those who met to hear the chair weigh as its statement
            g = g * self.params.chair_weight
        add_ties(s.ties, att, g, pairs)
        s.last_together.reshape(-1)[pairs] = self.quarters_run
        # the Euro-Atlantic x Indo-Pacific block of outer(g, g) sums to (sum g_EA)(sum g_IP)
        self._cross_ties += float(g[east].sum() * g[west].sum())

    def _after_texts(
        self,
        forum: Forum,
        items: list[Item],
        decided: tuple[bool, ...],
        outcomes: list[ItemOutcome],
        scale: list[float],
    ) -> None:
        """Adopted texts press their adversaries; the forum's drafts carry over.

        Each adversary keeps the strongest pressure of the quarter's adopted texts aimed
        at it, times the text's weight (``scale``: chair's statements count less). An
        agreed text on burden sharing becomes its members' spending pledge (a chair's
        statement pledges nobody).
        """
        pressure, target_of = self._adopted_pressure, self._pressure_target
        for item, voted, out, weight in zip(items, decided, outcomes, scale, strict=True):
            d = item.dimension
            if out.adopted:
                target = target_of.get(d)
                if target is not None:
                    pressure[target] = max(pressure[target], out.strength * weight)
                elif d == self._burden_dim and voted:
                    self.state.pledge[forum.members] = pledged_effort(out.strength)
            if item.proposal is None and voted:
                forum.last_texts[d] = (out.final, out.adopted)

    def _played_at(self, forum: Forum) -> Played:
        """Played invitees' places, with their players' answers for this meeting."""
        return {
            k: self.delegations.get((int(a), forum.name))
            for k, a in enumerate(forum.invitees)
            if int(a) in self.played
        }

    def _log_played(
        self,
        forum: Forum,
        meeting: str,
        row: int,
        level: int,
        choice: PlayedChoice | None,
        items: list[Item],
    ) -> None:
        """Mark a played actor's choices in the chronicle (or that the model answered)."""
        name = self.actor_names[row]
        if choice is None:
            text = (
                f"{name} (played) gave no answer for the {forum.name} {meeting}; the model decided."
            )
        else:
            on_agenda = {self.dimensions[it.dimension] for it in items if forum.decides(it)}
            votes = {
                d: v for d, v in choice.votes.items() if d in on_agenda and row in forum.members
            }
            text = describe_choice(name, forum.name, meeting, LEVEL_NAMES[level], votes)
        self.recorder.log(self.quarter, "played", name, text)

    def _learn(
        self,
        forum: Forum,
        fi: ForumInputs,
        agenda: Agenda,
        attending: np.ndarray | None,
        voters: np.ndarray,
        items: list[Item],
        outcomes: list[ItemOutcome],
        weights: np.ndarray,
        met: bool,
    ) -> None:
        """Standing of the forum with each invitee, and frustration of those blocked.

        ``attending`` is None when every invitee came.
        """
        s, p = self.state, self.params
        f = forum.index
        inv = forum.invitees
        standing = s.standing[:, f]  # a view: the forum's column
        if not met:
            standing[inv] = learn(standing[inv], 0.0, p.standing_rate * 0.5)
            return
        on_agenda = (
            fi.invitee_items
            if items is forum.items
            else cells(inv, agenda.dims, len(self.dimensions))
        )
        adopted_list = [o.adopted for o in outcomes]
        strengths = np.array([o.strength for o in outcomes], dtype=float)
        views = self.forum_views
        pos = views.position_in(f, s.position).ravel()[on_agenda]
        sal = views.salience_in(f, s.salience).ravel()[on_agenda]
        frustrated = None
        if items and all(adopted_list):
            reward = adopted_reward(pos, sal, strengths, weights)
        else:
            adopted = np.array(adopted_list, dtype=bool)
            blocked_by = np.zeros((len(inv), len(items)), dtype=bool)
            frustrated = np.zeros(len(inv), dtype=bool)
            row_of = {int(a): k for k, a in enumerate(inv)}
            radius = self.radii.radius.ravel()[on_agenda]
            for j, o in enumerate(outcomes):
                if o.adopted:
                    continue
                for b in o.blockers:
                    blocked_by[row_of[int(voters[b])], j] = True
                would_accept = np.abs(pos[:, j] - o.proposal) <= radius[:, j]
                frustrated |= would_accept & ~blocked_by[:, j] & (sal[:, j] >= FOUND_MIN_SALIENCE)
            reward = meeting_reward(pos, sal, strengths, adopted, blocked_by, weights)
        # standing_rate where it attended, half that where it did not
        if attending is None:
            rate = p.standing_rate
        else:
            rate = np.where(attending, p.standing_rate, p.standing_rate * 0.5)
        standing[inv] = learn(standing[inv], reward, rate)
        if frustrated is not None:
            self._frustrate(f, inv, frustrated)
        elif f in self._frustrated:
            fr = s.frustration[inv, f]
            if fr.any():  # nobody frustrated: frustration falls by one, not below zero
                s.frustration[inv, f] = np.maximum(fr - 1.0, 0.0)
            else:
                self._frustrated.discard(f)

    def _frustrate(self, f: int, inv: np.ndarray, frustrated: np.ndarray) -> None:
        """Frustration rises by one where blocked wishes were held, else falls by one."""
        s = self.state
        fr = s.frustration[inv, f]
        s.frustration[inv, f] = np.where(frustrated, fr + 1.0, np.maximum(fr - 1.0, 0.0))
        self._frustrated.add(f)
