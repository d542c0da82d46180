"""The lattice model: actors meeting in overlapping forums, quarter by quarter.

``LatticeModel`` follows Mesa's idioms (``Model(rng=...)``, a typed scenario, agents in
AgentSets, ``run_for``) while keeping the numbers in arrays, one row per actor, so a
10-year run costs milliseconds and a sweep of thousands stays cheap. Each quarter runs
small named steps in a fixed order; see ``docs/odd.md`` for the equations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mesa
import numpy as np

from latticesim.blocs.alignment import first_split, follow_split, propensities, shared_forums
from latticesim.common.quarters import Quarter
from latticesim.mechanisms.attendance import (
    LEVEL_NAMES,
    MEETING_IMPORTANCE,
    MEETING_MAX_LEVEL,
    best_levels,
    level_costs,
    taste_scale,
)
from latticesim.mechanisms.metrics import (
    burden_sharing,
    coordination_index,
    linkage_share,
    ranks,
    standing_shares,
)
from latticesim.mechanisms.rules import (
    ItemOutcome,
    chair_statement,
    commitment_factor,
    consensus,
    consensus_items,
    convener_proposal,
    reach,
    tolerance_radius,
    weighted_majority,
    weighted_majority_items,
    weighted_medians,
)
from latticesim.mechanisms.socialisation import (
    LEVEL_WEIGHT,
    add_ties,
    fj_step,
    influence_matrix,
    pair_index,
)
from latticesim.mechanisms.standing import adopted_reward, learn, meeting_reward
from latticesim.mechanisms.threats import (
    AGGRESSION,
    COERCION,
    DIMENSION_THEATRE,
    REACTION,
    anchors,
    attention_factor,
    response_matrix,
    saliences,
    security_gap,
    threat_channels,
    threat_targets,
    threat_targets_from,
)
from latticesim.model import events as ev
from latticesim.model.agents import Actor, Adversary
from latticesim.model.delegations import (
    PlayedChoice,
    describe_choice,
    played_level,
    played_radius,
    weaker_proposal,
)
from latticesim.model.forums import Forum, Item
from latticesim.model.recorder import Recorder
from latticesim.scenario.schema import ADVERSARIES, LatticeScenario, ScenarioSpec
from latticesim.world.actors import actor_table, capability, packaged_positions, resolve_names

THEATRE_INDEX = {"euro_atlantic": 0, "indo_pacific": 1}
ADVERSARY_HOME = {"China": 1, "Russia": 0, "North Korea": 1}
DEFAULT_BEHAVIOUR = {  # aggression, support, coercion, reaction
    "China": (0.4, 0.5, 0.4, 0.3),
    "Russia": (0.8, 0.3, 0.3, 0.3),
    "North Korea": (0.5, 0.5, 0.0, 0.2),
}
DEFAULT_DEPENDENCE = {"euro_atlantic": 0.05, "indo_pacific": 0.2, "adversary": 0.0}
DRIFT_PERSISTENCE = 0.8  # share of last quarter's domestic drift that persists
TIE_MEMORY = 0.7  # share of last quarter's ties still felt this quarter
NEVER = -(10**6)
FOUND_MIN_SALIENCE = 0.5
QUORUM = 0.5


@dataclass
class State:
    """The model's numbers, one row per actor (adversaries included, never invited)."""

    position: np.ndarray
    anchor: np.ndarray
    base_anchor: np.ndarray
    salience: np.ndarray
    base_salience: np.ndarray
    capability: np.ndarray
    gdp: np.ndarray
    defence_pct: np.ndarray
    defence_pct0: np.ndarray
    stubbornness: np.ndarray
    tolerance: np.ndarray
    veto: np.ndarray
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
    forum_vetoes: dict[tuple[int, int, int], float] = field(default_factory=dict)
    timed_vetoes: list[tuple[Quarter, int, int, int | None]] = field(default_factory=list)
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


def agenda_of(forum: Forum, items: list[Item], chair_weight: float) -> Agenda:
    """The :class:`Agenda` of ``items`` in ``forum``."""
    decided = tuple(forum.decides(it) for it in items)
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
        value_base: commitment x attention to the forum's theatre, per invitee.
        cost: invitees x 4, the cost of coming at each level.
        member_capability: the members' capability, and its sum.
        agenda: the default agenda (:class:`Agenda`).
        invitee_discussed: cells of the invitees x the dimensions the forum discusses.
        invitee_items, member_items: cells of the invitees, and of the members, x the
            default agenda's dimensions.
        member_decided: cells of the members x the dimensions of the items decided.
        pairs, east, west: for meetings every invitee attends (most of them), the
            invitees' :func:`~latticesim.mechanisms.socialisation.pair_index` and which of them are
            Euro-Atlantic and Indo-Pacific.
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


class LatticeModel(mesa.Model):
    """Actors with alignment preferences meeting under decision rules in a lattice of forums.

    Args:
        scenario: a :class:`~latticesim.scenario.schema.LatticeScenario` carrying the validated
            spec and the random seed (``rng``), Mesa's typed-scenario idiom.
        record_actors: keep the per-actor, per-quarter table (sweeps may switch it off).
        track_blocs: follow the two blocs of landscape theory every quarter (the model
            table's ``bloc_*`` columns). It costs a pass over all pairs of actors each
            quarter and feeds nothing else in the model, so a sweep that keeps no bloc
            column switches it off; the columns are then empty (``bloc_energy`` NaN, no
            side B).
        recorder: builds the run's recorder from the model (default: a
            :class:`~latticesim.model.recorder.Recorder` keeping every table); a sweep passes one
            that builds only the model-table rows it reads.

    Example:
        >>> spec = load_scenario("scenarios/baseline_2024.yaml")
        >>> model = LatticeModel(LatticeScenario(spec=spec, rng=1))
        >>> model.run_for(8)
        >>> model.agents_by_type[Actor].select(lambda a: a.region == "indo_pacific")
    """

    def __init__(
        self,
        scenario: LatticeScenario,
        record_actors: bool = True,
        track_blocs: bool = True,
        recorder: Callable[[LatticeModel], Recorder] | None = None,
    ) -> None:
        spec: ScenarioSpec = scenario.spec
        if spec is None:
            raise ValueError("the scenario carries no spec; load one with load_scenario()")
        super().__init__(scenario=scenario)
        self.spec = spec
        self.params = spec.parameters
        self.start = spec.start_quarter
        self.horizon = Quarter.parse(scenario.until) if scenario.until else spec.horizon_quarter
        if self.horizon < self.start:
            raise ValueError(f"until {self.horizon} is before the start {self.start}")
        self.dimensions = list(spec.dimensions)
        self.dimension_index = {d: k for k, d in enumerate(self.dimensions)}
        self.adversary_names = list(ADVERSARIES)
        self._build_actors()
        self._build_state()
        self.forums: dict[str, Forum] = {}
        self.active_forums: list[Forum] = []
        self._forum_inputs: dict[int, ForumInputs] = {}
        # Forums whose frustration column may hold more than zeros (see _learn).
        self._frustrated: set[int] = set()
        self._input_cache: tuple[np.ndarray, ...] | None = None
        self._lattice: dict[str, Any] = {}
        self._ip4_rows = [
            self.actor_index[n] for n in ("Australia", "Japan", "New Zealand", "South Korea")
        ]
        if recorder is None:
            self.recorder = Recorder(self, record_actors=record_actors)
        else:
            self.recorder = recorder(self)
        for name, fspec in spec.forums.items():
            self.add_forum(name, fspec, origin="scenario", when=self.start)
        self._events_by_date: dict[int, list[Any]] = {}
        for event in spec.events:
            self._events_by_date.setdefault(Quarter.parse(event.date).index, []).append(event)
        self.quarter = self.start
        self._met_this_quarter: list[Forum] = []
        self._coordination_year = -1
        self._burden_rows: np.ndarray | None = None
        self._bloc_anchor = self.actor_index.get("United States", 0)
        self._adversary_row_list = np.flatnonzero(self.region == 2)
        self._autonomy = self.dimension_index.get("autonomy")
        self._threat0_max = self.state.threat0.max(axis=1)
        self._masses: dict[int, float] = {}
        self.track_blocs = track_blocs
        if not track_blocs:
            self.state.bloc = np.full(len(self.actor_names), -1, dtype=np.int8)  # no side
        self.bloc_energy = float("nan")
        self.bloc_switches = 0
        self._ea_rows = np.flatnonzero(self.region == 0)
        self._ip_rows = np.flatnonzero(self.region == 1)
        self._cross_pairs = max(len(self._ea_rows) * len(self._ip_rows), 1)
        self._cross_block = np.ix_(self._ea_rows, self._ip_rows)
        self._cross_window: list[float] = []
        self._cross_ties = 0.0
        # Role-play: actors handed to people, and their answers for the coming quarter,
        # keyed by (actor row, forum name); consumed and cleared by each step.
        self.played: set[int] = set()
        self.delegations: dict[tuple[int, str], PlayedChoice] = {}
        self._pressure_target = {
            self.dimension_index[d]: a
            for d, a in (("china_stance", 0), ("ukraine_support", 1), ("global_reach", 2))
            if d in self.dimension_index
        }

    # ------------------------------------------------------------------ set-up
    def _build_actors(self) -> None:
        table = actor_table()
        self.actor_names = [r.name for r in table]
        self.actor_index = {n: k for k, n in enumerate(self.actor_names)}
        self.records = table
        self.region = np.array(
            [{"euro_atlantic": 0, "indo_pacific": 1}.get(r.region, 2) for r in table]
        )
        self.actors_by_name: dict[str, Actor | Adversary] = {}
        for k, r in enumerate(table):
            if r.region == "adversary":
                agent = Adversary(self, k, r, ADVERSARIES.index(r.name))
            else:
                agent = Actor(self, k, r)
            self.actors_by_name[r.name] = agent
        self.adversary_rows = np.array([self.actor_index[a] for a in ADVERSARIES])
        self.players = np.flatnonzero(self.region < 2)

    def _build_state(self) -> None:
        spec, table = self.spec, self.records
        n, d, a = len(table), len(self.dimensions), len(ADVERSARIES)
        packaged = packaged_positions()
        # packaged (position, salience) per actor and dimension; 0.5 and 0.1 where none
        cell = [[packaged.get((r.name, dim), (0.5, 0.1)) for dim in self.dimensions] for r in table]
        pos = np.array([[c[0] for c in row] for row in cell], dtype=float).reshape(n, d)
        sal = np.array([[c[1] for c in row] for row in cell], dtype=float).reshape(n, d)
        stub = np.array([r.stubbornness for r in table])
        tol = np.array([r.tolerance for r in table])
        att = np.array([r.attention for r in table])
        com = np.array([r.commitment for r in table])
        for name, o in spec.actors.items():
            i = self.actor_index[name]
            for dim, v in o.position.items():
                pos[i, self.dimension_index[dim]] = v
            for dim, v in o.salience.items():
                sal[i, self.dimension_index[dim]] = v
            if o.stubbornness is not None:
                stub[i] = o.stubbornness
            if o.tolerance is not None:
                tol[i] = o.tolerance
            if o.attention is not None:
                att[i] = _attention(o.attention, att[i])
            if o.commitment is not None:
                com[i] = o.commitment
        gdp = np.array([r.gdp_usd_bn for r in table])
        defence = np.array([r.defence_usd_bn for r in table])
        dpct = np.array([r.defence_pct_gdp for r in table])
        adversary = self.region == 2
        exposure = np.where(adversary[:, None], 0.0, 0.3 + 0.7 * att)
        dep = np.zeros((n, a))
        for i, r in enumerate(table):
            share = r.exports_to_china_pct
            dep[i, 0] = share / 100.0 if share is not None else DEFAULT_DEPENDENCE[r.region]
        dep[adversary] = 0.0
        behaviour = np.array([DEFAULT_BEHAVIOUR[x] for x in ADVERSARIES], dtype=float)
        for name, b in spec.adversaries.items():
            row = behaviour[ADVERSARIES.index(name)]
            for k, key in enumerate(("aggression", "support", "coercion", "reaction")):
                value = getattr(b, key)
                if value is not None:
                    row[k] = value
        resources = np.ones((n, 2))
        self.home = np.array([ADVERSARY_HOME[x] for x in ADVERSARIES])
        self.response = response_matrix(self.dimensions, list(ADVERSARIES))
        gap = np.zeros((n, 2))
        players = ~adversary
        self.presence = (capability(gdp, defence)[players, None] * att[players]).sum(axis=0)
        self.attention0 = att.copy()
        # The commitment the traits were recorded at: tolerance is scaled from it.
        self.commitment0 = np.array([r.commitment for r in table])
        self.theatre_of = np.array(
            [
                -1 if DIMENSION_THEATRE.get(d) is None else DIMENSION_THEATRE[d]
                for d in self.dimensions
            ]
        )
        threat0 = threat_targets(exposure, dep, behaviour, self.home, gap, 0.0)
        self.state = State(
            position=pos.copy(),
            anchor=pos.copy(),
            base_anchor=pos.copy(),
            salience=sal.copy(),
            base_salience=sal,
            capability=capability(gdp, defence),
            gdp=gdp,
            defence_pct=dpct.copy(),
            defence_pct0=dpct,
            stubbornness=stub,
            tolerance=tol,
            veto=np.full((n, d), np.nan),
            attention=att,
            commitment=np.where(adversary, 0.0, com),
            exposure=exposure,
            dependence=dep,
            threat=threat0.copy(),
            threat0=threat0,
            resources=resources,
            behaviour=behaviour.copy(),
            base_behaviour=behaviour,
            pressure=np.zeros(a),
            standing=np.zeros((n, 0)),
            frustration=np.zeros((n, 0)),
            ties=np.zeros((n, n)),
            last_together=np.full((n, n), NEVER, dtype=np.int64),
            drift=np.zeros((n, d)),
        )

    # ------------------------------------------------------------------ lattice
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
    def ip4_forums(self) -> list[tuple[Forum, list[int]]]:
        """Active forums the IP4 sit in, each with the IP4 rows it invites (an array)."""
        found = self._lattice.get("ip4")
        if found is None:
            ip4 = self._ip4_rows
            found = [(f, [i for i in ip4 if i in f.invitee_set]) for f in self.active_forums]
            found = self._lattice["ip4"] = [(f, np.array(rows)) for f, rows in found if rows]
        return found

    def inputs_changed(self) -> None:
        """Drop what the model keeps between events: call after changing its inputs.

        Security gaps, threat channels, attention factors, the tolerances (scaled by
        commitment) and each forum's attendance inputs change only when an event moves
        resources, attention, commitment or traits, so they are computed once and kept;
        events call this. A script that writes ``model.state.attention``,
        ``model.state.commitment``, ``model.state.tolerance`` or ``model.params`` between
        steps should call it too.
        """
        self._input_cache = None
        self._forum_inputs = {}

    def _inputs_for(self, forum: Forum) -> ForumInputs:
        """A forum's :class:`ForumInputs`, computed now and kept until inputs change."""
        s, p = self.state, self.params
        inv = forum.invitees
        exposure = s.exposure[inv]
        th = THEATRE_INDEX.get(forum.theatre)
        if th is None:
            attention = np.full(len(inv), 0.75)
            distance = 1.0 + 0.6 * (1.0 - exposure.max(axis=1))
        else:
            attention = s.attention[inv, th]
            distance = 1.0 + 0.6 * (1.0 - exposure[:, th])
        members = forum.members
        cap_m = s.capability[members]
        agenda = agenda_of(forum, forum.items, p.chair_weight)
        width = len(self.dimensions)
        out = ForumInputs(
            quorum=max(2, int(np.ceil(QUORUM * len(members)))),
            member_at={int(a): k for k, a in enumerate(members)},
            value_base=s.commitment[inv] * attention,
            cost=level_costs(distance, p.attendance_cost),
            member_capability=cap_m,
            member_capability_sum=float(cap_m.sum()),
            agenda=agenda,
            invitee_discussed=cells(inv, forum.discusses, width),
            invitee_items=cells(inv, agenda.dims, width),
            member_items=cells(members, agenda.dims, width),
            member_decided=cells(members, agenda.decided_dims, width),
            pairs=pair_index(inv, len(self.actor_names)),
            east=self.region[inv] == 0,
            west=self.region[inv] == 1,
        )
        self._forum_inputs[forum.index] = out
        return out

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

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        """One quarter, in a fixed order of small named steps."""
        self.quarter = self.start + (self.steps - 1)
        self.apply_events()
        self.update_adversaries()
        self.update_threats()
        self.update_defence()
        self.hold_meetings()
        self.socialise()
        self.update_lattice()
        self.update_blocs()
        self._advance_linkage()
        self.recorder.record_step(self.quarter, self.steps)
        self._masses = {}
        self.delegations = {}
        if self.quarter >= self.horizon:
            self.running = False

    def run(self) -> None:
        """Run from where the model stands to its horizon."""
        remaining = self.horizon - (self.start + (self.steps - 1))
        if remaining > 0:
            self.run_for(remaining)

    def apply_events(self) -> None:
        """Apply the scenario's events dated this quarter, and lift expired vetoes."""
        s = self.state
        for until, i, d, forum in list(s.timed_vetoes):
            if until <= self.quarter:
                ev.lift_veto(self, i, d, forum)
                s.timed_vetoes.remove((until, i, d, forum))
        for event in self._events_by_date.get(self.quarter.index, ()):
            self.inputs_changed()
            text = ev.apply(self, event)
            if event.note:
                text = f"{text[:-1]} ({event.note})."
            self.recorder.log(self.quarter, event.type, ev.subject(event), text)

    def update_adversaries(self) -> None:
        """Adversaries answer pressure from forums' statements, and crises run their course."""
        s = self.state
        s.behaviour = s.base_behaviour.copy()
        react = s.base_behaviour[:, REACTION] * self.params.adversary_reaction * s.pressure
        s.behaviour[:, AGGRESSION] += react
        s.behaviour[:, COERCION] += react
        live = []
        for slot, intensity, end in s.crises:
            if self.quarter <= end:
                s.behaviour[slot, AGGRESSION] += intensity
                live.append((slot, intensity, end))
        s.crises = live
        s.behaviour.clip(0.0, 1.0, out=s.behaviour)  # np.clip's ufunc, with fewer layers

    def update_threats(self) -> None:
        """Threat perceptions move toward what adversaries do; views and salience follow."""
        s, p = self.state, self.params
        if self._input_cache is None:
            # Gaps and attention change only when an event moves resources or attention.
            gap = security_gap(s.resources, s.capability, self.presence)
            own_gap = gap[np.arange(len(gap)), np.minimum(self.region, 1)]
            focus = attention_factor(
                s.attention, self.attention0, self.theatre_of, p.attention_response
            )
            channels = threat_channels(s.exposure, self.home, gap, p.gap_sensitivity)
            push = p.gap_sensitivity * 0.5 * own_gap  # toward autonomy, see below
            # The tolerance follows commitment to forums (rules.commitment_factor).
            tolerance = s.tolerance * commitment_factor(
                s.commitment, self.commitment0, p.commitment_bargaining
            )
            self._input_cache = (focus, push, tolerance, *channels)
        focus, push, tolerance, *channels = self._input_cache
        target = threat_targets_from(channels, s.dependence, s.behaviour)
        s.threat += p.threat_rate * (target - s.threat)
        if p.domestic_noise > 0:
            # Domestic politics: a persistent (AR(1)) random drift of each actor's own view.
            s.drift = DRIFT_PERSISTENCE * s.drift + self.rng.normal(
                0.0, p.domestic_noise, s.drift.shape
            )
            s.drift[self._adversary_row_list] = 0.0
        s.anchor = anchors(
            s.base_anchor + s.drift, s.threat, s.threat0, self.response, p.threat_response
        )
        if self._autonomy is not None:
            # A partner withdrawing from one's theatre pushes toward acting alone.
            k = self._autonomy
            s.anchor[:, k] = (s.anchor[:, k] + push).clip(0, 1)
        s.salience = saliences(
            s.base_salience, s.threat, s.threat0, self.response, p.salience_response
        )
        s.salience *= focus
        s.salience.clip(0.0, 1.0, out=s.salience)
        # Each actor's objection radius per dimension, for every meeting this quarter.
        self._radius = tolerance_radius(tolerance[:, None], s.salience, s.veto)
        self._reach = reach(self._radius)

    def update_defence(self) -> None:
        """Defence effort (% of GDP) follows the largest threat an actor feels."""
        s = self.state
        rise = s.threat.max(axis=1) - self._threat0_max
        target = s.defence_pct0 * (1.0 + rise).clip(0.5, 3.0)
        s.defence_pct += self.params.defence_response * (target - s.defence_pct)

    def hold_meetings(self) -> None:
        """Every active forum whose calendar says so meets, in random order."""
        s, p = self.state, self.params
        self._met_this_quarter = []
        self._cross_ties = 0.0
        self._adopted_pressure = [0.0] * len(ADVERSARIES)
        due = [
            (f, lvl)
            for f in self.active_forums
            if (lvl := f.meeting_level(self.quarter, self.start.year)) is not None
        ]
        order = self.rng.permutation(len(due)) if len(due) > 1 else range(len(due))
        if due:
            # One draw for the quarter's attendance shocks, split meeting by meeting in
            # the order they meet: the same numbers, in the same order, as one draw per
            # meeting (the generator fills arrays element by element).
            sizes = [len(due[k][0].invitees) for k in order]
            noise = self.rng.gumbel(size=(sum(sizes), 4)) * taste_scale(p)
            self._threat_factor = 1.0 + s.threat.max(axis=1)
            at = 0
            for k, size in zip(order, sizes, strict=True):
                forum, level = due[k]
                self.hold_meeting(forum, level, noise[at : at + size])
                at += size
        s.pressure = 0.75 * s.pressure + 0.25 * np.array(self._adopted_pressure)

    def hold_meeting(self, forum: Forum, level: str, noise: np.ndarray | None = None) -> None:
        """Attendance, proposals, decisions, records and learning for one meeting.

        ``noise`` holds the invitees' attendance shocks (invitees x 4, already scaled by
        ``attendance_noise``); ``hold_meetings`` draws a quarter's at once.
        """
        s, p = self.state, self.params
        fi = self._forum_inputs.get(forum.index) or self._inputs_for(forum)
        inv = forum.invitees
        n_members = len(forum.members)
        if noise is None:
            noise = self.rng.gumbel(size=(len(inv), 4)) * taste_scale(p)
            self._threat_factor = 1.0 + s.threat.max(axis=1)
        max_level = MEETING_MAX_LEVEL[level]
        levels = best_levels(self._meeting_value(forum, fi, level), fi.cost, max_level, noise)
        played = self._played_at(forum, inv) if self.played else {}
        for k, choice in played.items():
            if choice is not None:
                levels[k] = played_level(choice.level, levels[k], MEETING_MAX_LEVEL[level])
        # Most meetings everyone attends: their arrays are the forum's, kept in fi.
        everyone = bool(levels.all())
        if everyone:
            attending, vmask, voters = None, None, forum.members
        else:
            attending = levels > 0
            vmask = attending[:n_members]
            voters = forum.members[vmask]
        met = len(voters) >= fi.quorum
        items: list[Item] = forum.agenda() if met else []
        if met:
            forum.pending = []
        convener = forum.convener_in(self.quarter, self.start.year)
        at = fi.member_at.get(convener)
        if len(voters) and (at is None or (vmask is not None and not vmask[at])):
            chair = int(voters[np.argmax(s.capability[voters])])  # the convener is not voting
        else:
            chair = convener
        votes = {}
        for k, choice in played.items():
            if choice is not None and choice.votes and k < n_members and levels[k] > 0:
                # its place among voters
                votes[k if vmask is None else int(vmask[:k].sum())] = choice.votes
        agenda = fi.agenda if items is forum.items else agenda_of(forum, items, p.chair_weight)
        if items:
            cap_v = fi.member_capability if everyone else s.capability[voters]
            outcomes = self._decide_meeting(forum, fi, items, agenda, voters, cap_v, chair, votes)
        else:
            outcomes = []
        text_weight = p.chair_weight if forum.rule == "chair_statement" else 1.0
        # A text is worth what the room that agreed it is worth: the capability-weighted
        # level at which members came, relative to the level the meeting invites.
        top = LEVEL_WEIGHT[max_level]
        room = float(fi.member_capability @ LEVEL_WEIGHT[levels[:n_members]]) / max(
            fi.member_capability_sum * top, 1e-12
        )
        # Chair's statements (the forum's rule, or items outside its competence) weigh less.
        weights = agenda.weight * room
        self._learn(forum, fi, agenda, attending, voters, items, outcomes, weights, met)
        if met:
            forum.missed = 0
            self._met_this_quarter.append(forum)
            if attending is None:
                att, g, pairs, east, west = inv, LEVEL_WEIGHT[levels], fi.pairs, fi.east, fi.west
            else:
                att = inv[attending]
                g = LEVEL_WEIGHT[levels[attending]]
                pairs = pair_index(att, len(self.actor_names))
                reg = self.region[att]
                east, west = reg == 0, reg == 1
            if text_weight != 1.0:
                g = g * text_weight
            add_ties(s.ties, att, g, pairs)
            s.last_together.reshape(-1)[pairs] = self.steps
            # the Euro-Atlantic x Indo-Pacific block of outer(g, g) sums to (sum g_EA)(sum g_IP)
            self._cross_ties += float(g[east].sum() * g[west].sum())
            self._after_texts(forum, items, outcomes, (weights / max(room, 1e-12)).tolist())
        else:
            forum.missed += 1
        self.recorder.record_meeting(
            self.quarter, self.steps, forum, level, inv, levels, met, chair, items, outcomes, voters
        )
        for k, choice in played.items():
            self._log_played(forum, level, int(inv[k]), int(levels[k]), choice, items)

    def _meeting_value(self, forum: Forum, fi: ForumInputs, level: str) -> np.ndarray:
        """Expected value of the meeting to each invitee.

        :func:`~latticesim.mechanisms.attendance.meeting_value`, factor by factor in the same order,
        with the factors that change only on events kept per forum.
        """
        s = self.state
        value = fi.value_base * (0.25 + s.standing[:, forum.index][forum.invitees])
        discussed = forum.discusses.size
        if discussed:
            value *= s.salience.ravel()[fi.invitee_discussed].sum(axis=1) / discussed
        else:
            value *= 0.5
        value *= self._threat_factor[forum.invitees]
        value *= MEETING_IMPORTANCE[level]
        return value

    def _after_texts(
        self, forum: Forum, items: list[Item], outcomes: list[ItemOutcome], scale: list[float]
    ) -> None:
        """Adopted texts press their adversaries; the forum's drafts carry over.

        Each adversary keeps the strongest pressure of the quarter's adopted texts aimed
        at it, times the text's weight (``scale``: chair's statements count less).
        """
        pressure, target_of = self._adopted_pressure, self._pressure_target
        for item, out, weight in zip(items, outcomes, scale, strict=True):
            d = item.dimension
            if out.adopted:
                target = target_of.get(d)
                if target is not None:
                    pressure[target] = max(pressure[target], out.strength * weight)
            if item.proposal is None and d in forum.competence_set:
                forum.last_texts[d] = (out.final, out.adopted)

    def _played_at(self, forum: Forum, inv: np.ndarray) -> dict[int, PlayedChoice | None]:
        """Invitee position -> its player's answers (None: the player did not answer)."""
        return {
            k: self.delegations.get((int(a), forum.name))
            for k, a in enumerate(inv)
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

    def _forum_vetoes(self, forum: Forum, voters: np.ndarray, radius: np.ndarray) -> np.ndarray:
        """Narrow the radii of voters who declared a veto in this forum only."""
        radius = radius.copy()
        for (i, d, f), v in self.state.forum_vetoes.items():
            if f == forum.index:
                radius[voters == i, d] = np.minimum(radius[voters == i, d], v)
        return radius

    def _decide(
        self,
        forum: Forum,
        item: Item,
        voters: np.ndarray,
        room: np.ndarray,
        radius: np.ndarray,
        medians: np.ndarray,
        chair: int,
        votes: dict[int, dict[str, str]] | None = None,
    ):
        """One item under the forum's rule (a chair's statement outside its competence).

        ``votes`` holds played voters' answers (voter position -> dimension -> vote);
        see :mod:`latticesim.model.delegations` for what each vote does to the rule.
        """
        s, p = self.state, self.params
        d = item.dimension
        if item.proposal is not None:
            proposal = item.proposal
        else:
            proposal = convener_proposal(s.position[chair, d], medians[d], p.convener_moderation)
            last = forum.last_texts.get(d)
            if last is not None:
                text, adopted = last
                # Negotiation carries over. After a failure the next draft starts from the
                # text that failed, so a blocked text is watered down meeting by meeting;
                # after an adoption the convener asks for a step more than was agreed.
                proposal = text + p.watering * (proposal - text) if adopted else text
        if not forum.decides(item):
            return chair_statement(proposal)
        x = room[:, d]
        w = s.capability[voters]
        r = radius[:, d]
        weaker: list[int] = []
        if votes:
            dim = self.dimensions[d]
            r = r.copy()
            for j, answers in votes.items():
                vote = answers.get(dim)
                r[j] = played_radius(vote, r[j])
                if vote == "weaker":
                    weaker.append(j)
        if forum.rule == "consensus":
            if not weaker:
                return consensus(proposal, x, r, w, p.max_rounds, p.watering)
            asked = weaker_proposal(proposal, x[weaker], w[weaker], p.watering)
            r[weaker] = np.inf
            out = consensus(asked, x, r, w, p.max_rounds, p.watering)
            if out.adopted:
                out = out._replace(watered_by=tuple(sorted(set(out.watered_by) | set(weaker))))
            return out._replace(proposal=float(proposal))
        return weighted_majority(x, r, w, forum.threshold, float(medians[d]))

    def _decide_meeting(
        self,
        forum: Forum,
        fi: ForumInputs,
        items: list[Item],
        agenda: Agenda,
        voters: np.ndarray,
        weights: np.ndarray,
        chair: int,
        votes: dict[int, dict[str, str]],
    ) -> list[ItemOutcome]:
        """The outcome of each item of a meeting; ``weights`` are the voters' capabilities.

        Played voters' answers (``votes``) are taken item by item (:meth:`_decide`); the
        rest go through :meth:`_decide_items`, with the voters' positions and radii picked
        only on the agenda's dimensions (the forum's own cells when every member came).
        """
        s = self.state
        if votes:
            room = s.position[voters]
            radius = self._radius[voters]
            if s.forum_vetoes:
                radius = self._forum_vetoes(forum, voters, radius)
            medians = weighted_medians(room, weights)
            return [
                self._decide(forum, item, voters, room, radius, medians, chair, votes)
                for item in items
            ]
        width = len(self.dimensions)
        everyone = voters is forum.members and items is forum.items
        on_agenda = fi.member_items if everyone else cells(voters, agenda.dims, width)
        room = s.position.ravel()[on_agenda]  # voters x items
        if s.forum_vetoes:
            radius = self._forum_vetoes(forum, voters, self._radius[voters])
            limit = reach(radius[:, agenda.decided_dims])
        else:
            decided = fi.member_decided if everyone else cells(voters, agenda.decided_dims, width)
            limit = self._reach.ravel()[decided]
        medians = weighted_medians(room, weights)  # per item: each column's own median
        return self._decide_items(forum, items, agenda, room, limit, medians, chair, weights)

    def _decide_items(
        self,
        forum: Forum,
        items: list[Item],
        agenda: Agenda,
        room: np.ndarray,
        limit: np.ndarray,
        medians: np.ndarray,
        chair: int,
        weights: np.ndarray,
    ) -> list[ItemOutcome]:
        """All items of a meeting nobody plays, as :meth:`_decide` takes them one by one.

        Drafts are made item by item (each from the forum's last text on its dimension);
        the forum's rule then checks every decided item in one array operation, and only
        items someone blocks go through further rounds. ``room`` and ``medians`` are the
        voters' positions on each item's dimension and their weighted medians, ``limit``
        the voters' radii on the decided items' dimensions
        (:func:`~latticesim.mechanisms.rules.reach`), ``weights`` the voters' capabilities.
        """
        s, p = self.state, self.params
        outcomes: list[ItemOutcome | None] = [None] * len(items)
        proposals: list[float] = []
        # Python floats: the same double arithmetic as numpy's scalars, at less cost.
        convener_at, median_at = s.position[chair].tolist(), medians.tolist()
        moderation, watering = p.convener_moderation, p.watering
        last_texts = forum.last_texts
        for j, item in enumerate(items):
            d = item.dimension
            if item.proposal is not None:
                proposal = item.proposal
            else:
                own = convener_at[d]
                proposal = own + moderation * (median_at[j] - own)  # convener_proposal
                last = last_texts.get(d)
                if last is not None:
                    text, adopted = last
                    # Negotiation carries over (see _decide).
                    proposal = text + watering * (proposal - text) if adopted else text
            if agenda.decided[j]:
                proposals.append(proposal)
            else:
                outcomes[j] = chair_statement(proposal)
        if proposals:
            at = agenda.decided_at
            x = room if at is None else room[:, at]
            if forum.rule == "consensus":
                results = consensus_items(
                    np.array(proposals, dtype=float), x, limit, weights, p.max_rounds, watering
                )
            else:
                m = medians if at is None else medians[at]
                results = weighted_majority_items(x, limit, weights, forum.threshold, m)
            if at is None:
                return results
            for j, out in zip(at.tolist(), results, strict=True):
                outcomes[j] = out
        return outcomes  # type: ignore[return-value]

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
        pos = s.position.ravel()[on_agenda]
        sal = s.salience.ravel()[on_agenda]
        frustrated = None
        if items and all(adopted_list):
            reward = adopted_reward(pos, sal, strengths, weights)
        else:
            adopted = np.array(adopted_list, dtype=bool)
            blocked_by = np.zeros((len(inv), len(items)), dtype=bool)
            frustrated = np.zeros(len(inv), dtype=bool)
            row_of = {int(a): k for k, a in enumerate(inv)}
            radius = self._radius.ravel()[on_agenda]
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
            fr = s.frustration[inv, f]
            s.frustration[inv, f] = np.where(frustrated, fr + 1.0, np.maximum(fr - 1.0, 0.0))
            self._frustrated.add(f)
        elif f in self._frustrated:
            fr = s.frustration[inv, f]
            if fr.any():  # nobody frustrated: frustration falls by one, not below zero
                s.frustration[inv, f] = np.maximum(fr - 1.0, 0.0)
            else:
                self._frustrated.discard(f)

    def socialise(self) -> None:
        """Friedkin-Johnsen update over the ties of who sat together recently."""
        s = self.state
        w = influence_matrix(s.ties, self.params.socialisation)  # everyone as open
        s.position = fj_step(s.position, s.anchor, w, 1.0 - s.stubbornness)
        s.ties *= TIE_MEMORY

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
                ev.try_found(self, forum)

    def update_blocs(self) -> None:
        """The two blocs today's views imply (landscape theory), followed by myopic switching.

        The first quarter starts from the lowest-energy split a short search finds; after
        that, actors switch sides only when that lowers their own frustration, so the
        split moves the way the theory says alignments move.
        """
        if not self.track_blocs:
            return
        s = self.state
        p = propensities(s.position, s.salience, self.invited, shared=self.shared_forums)
        previous = first_split(self.adversary_rows, len(p)) if s.bloc is None else s.bloc
        config, self.bloc_energy = follow_split(s.capability, p, previous, self._bloc_anchor)
        self.bloc_switches = 0 if s.bloc is None else int((config != s.bloc).sum())
        s.bloc = config

    # ------------------------------------------------------------------ metrics
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

    def coordination(self) -> float:
        """Coordination index of the scenario's coordination group."""
        year = self.quarter.year
        if self._coordination_year != year:
            names = resolve_names(self.params.coordination_group, year)
            self._coordination_rows = np.array([self.actor_index[n] for n in names], dtype=int)
            self._coordination_year = year
            self._coordination_capability = self.state.capability[self._coordination_rows]
        idx = self._coordination_rows
        s = self.state
        return coordination_index(s.position[idx], s.salience[idx], self._coordination_capability)

    def linkage(self) -> tuple[float, float]:
        """How much the Euro-Atlantic and Indo-Pacific actors sit together.

        Returns the level-weighted meetings per cross-theatre pair over the window (two
        heads of government at one meeting count 1, two officials 0.09) and the share
        of cross-theatre pairs that sat together at all in the window.
        """
        intensity = sum(self._cross_window) / self._cross_pairs
        share = linkage_share(
            self.state.last_together[self._cross_block], self.steps, self.params.linkage_window
        )
        return intensity, share

    def _advance_linkage(self) -> None:
        """Add this quarter's cross-theatre ties to the linkage window, once per quarter."""
        window = self._cross_window
        window.append(self._cross_ties)
        if len(window) > self.params.linkage_window:
            window.pop(0)

    def burden(self) -> dict[str, float]:
        """Burden sharing among NATO's current members (forum ``NATO`` if present)."""
        nato = self.forums.get("NATO")
        rows = nato.members if nato is not None else self.players
        if rows is not self._burden_rows:
            self._burden_rows = rows
            self._burden_gdp = self.state.gdp[rows]
            self._burden_rank = ranks(self._burden_gdp)
        return burden_sharing(self._burden_gdp, self.state.defence_pct[rows], self._burden_rank)


def _attention(values: dict[str, float], current: np.ndarray) -> np.ndarray:
    out = current.copy()
    for key, v in values.items():
        out[THEATRE_INDEX[key]] = v
    total = out.sum()
    return out / total if total > 0 else np.array([0.5, 0.5])
