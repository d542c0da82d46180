"""The lattice model: actors meeting in overlapping forums, quarter by quarter.

``LatticeModel`` follows Mesa's idioms (``Model(rng=...)``, a typed scenario, agents in
AgentSets, ``run_for``) while keeping the numbers in arrays, one row per actor, so a
10-year run costs milliseconds and a sweep of thousands stays cheap. Each quarter runs
small named steps in a fixed order (:meth:`LatticeModel.step`); see ``docs/odd.md`` for
the equations. The steps live where the ODD describes them: set-up in
:mod:`~latticesim.model.setup`, the radii in :mod:`~latticesim.model.radii`, the
meetings in :mod:`~latticesim.model.meetings` and :mod:`~latticesim.model.decisions`,
the lattice in :mod:`~latticesim.model.lattice` and :mod:`~latticesim.model.founding`,
events in :mod:`~latticesim.model.events`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import mesa
import numpy as np

from latticesim.blocs.alignment import first_split, follow_split, propensities
from latticesim.common.limits import LATEST_YEAR
from latticesim.common.quarters import Quarter
from latticesim.common.text import suggest
from latticesim.mechanisms.burden import pledge_support, pledge_target, shortfall_salience
from latticesim.mechanisms.metrics import burden_sharing, coordination_index, linkage_share, ranks
from latticesim.mechanisms.socialisation import fj_step, influence_matrix
from latticesim.mechanisms.threats import (
    AGGRESSION,
    COERCION,
    REACTION,
    attention_factor,
    moved_by_threat,
    security_gap,
    threat_channels,
    threat_targets_from,
)
from latticesim.model import events as ev
from latticesim.model.collector import CollectingRecorder
from latticesim.model.delegations import PlayedChoice
from latticesim.model.lattice import Lattice
from latticesim.model.meetings import Meetings
from latticesim.model.recorder import Recorder
from latticesim.model.setup import build_actors, build_state
from latticesim.model.state import ForumViews
from latticesim.scenario.loading import load_scenario
from latticesim.scenario.parameters import Parameters
from latticesim.scenario.schema import ADVERSARIES, LatticeScenario, ScenarioSpec
from latticesim.world.actors import resolve_names

DRIFT_PERSISTENCE = 0.8  # share of last quarter's domestic drift that persists
TIE_MEMORY = 0.7  # share of last quarter's ties still felt this quarter
PRESSURE_TARGETS = (("china_stance", 0), ("ukraine_support", 1), ("global_reach", 2))
"""The dimension on which adopted texts press each adversary (China, Russia, North Korea)."""


class LatticeModel(Lattice, Meetings, mesa.Model):
    """Actors with alignment preferences meeting under decision rules in a lattice of forums.

    Built from a typed scenario, ``LatticeModel(LatticeScenario(spec=spec, rng=seed))``
    (how :func:`~latticesim.outputs.runs.run`, sweeps and the dashboard build it), or
    from keywords, ``LatticeModel(scenario_file="scenarios/baseline_2024.yaml", rng=3,
    watering=0.4)``, which is how Mesa's own tools (``mesa.batch_run``) build a model.

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
        scenario_file: without ``scenario``, the scenario file to load.
        spec: without ``scenario``, a loaded scenario (instead of ``scenario_file``).
        rng: the seed (or numpy Generator), as Mesa takes it.
        until: without ``scenario``, the last quarter, if not the scenario's horizon.
        collect: keep a ``mesa.DataCollector`` of the model table (``datacollector``),
            collected every quarter. By default only a model built from keywords keeps
            one: ``mesa.batch_run`` reads it, while runs and sweeps, which keep their own
            tables, pay nothing for it.
        **parameters: without ``scenario``, values of the scenario's ``parameters`` by
            name (``watering=0.4``), checked as a scenario file's are.

    Attributes:
        quarters_run: the quarters run so far (the tables' ``step``; 0 before the first).
        quarter: the quarter the model is in (the start before the first step).
        datacollector: the model table as a ``mesa.DataCollector`` (one model reporter
            per column, collected at the end of each quarter), or None (see ``collect``).
        played: rows of the actors people play (role-play, :mod:`latticesim.model.delegations`).
        delegations: their players' answers for the coming quarter, by (actor row, forum
            name); each step uses them and clears them.

    What event handlers, the recorder and role-play read and write on the model is
    declared in :mod:`latticesim.model.interface`.

    Example:
        >>> spec = load_scenario("scenarios/baseline_2024.yaml")
        >>> model = LatticeModel(LatticeScenario(spec=spec, rng=1))
        >>> model.run_for(8)
        >>> model.agents_by_type[Actor].select(lambda a: a.region == "indo_pacific")
    """

    def __init__(
        self,
        scenario: LatticeScenario | None = None,
        record_actors: bool = True,
        track_blocs: bool = True,
        recorder: Callable[[LatticeModel], Recorder] | None = None,
        *,
        scenario_file: str | os.PathLike[str] | None = None,
        spec: ScenarioSpec | None = None,
        rng: int | np.random.Generator | None = None,
        until: str | None = None,
        collect: bool | None = None,
        **parameters: Any,
    ) -> None:
        keywords = scenario is None
        if keywords:
            scenario = scenario_from_keywords(scenario_file, spec, rng, until, parameters)
        elif scenario_file is not None or spec is not None or until is not None or parameters:
            raise TypeError(
                "LatticeModel takes a LatticeScenario or keywords (scenario_file= or spec=, "
                "rng=, until=, parameter values), not both"
            )
        spec = scenario.spec
        if spec is None:
            raise ValueError("the scenario carries no spec; load one with load_scenario()")
        # a scenario made from keywords carries rng already; Mesa 4 refuses both at once
        super().__init__(scenario=scenario, rng=None if keywords else rng)
        self.quarters_run = 0
        self.spec = spec
        self.params = spec.parameters
        self.start = spec.start_quarter
        self.horizon = Quarter.parse(scenario.until) if scenario.until else spec.horizon_quarter
        if self.horizon < self.start:
            raise ValueError(f"until {self.horizon} is before the start {self.start}")
        if self.horizon.year > LATEST_YEAR:
            raise ValueError(f"until {self.horizon} is after {LATEST_YEAR} (docs/limits.md)")
        self.dimensions = list(spec.dimensions)
        self.dimension_index = {d: k for k, d in enumerate(self.dimensions)}
        self.adversary_names = list(ADVERSARIES)
        build_actors(self)
        build_state(self)
        self._start_lattice()
        # Inputs of the threat step that change only on events (see inputs_changed).
        self._input_cache: tuple[np.ndarray, ...] | None = None
        self._start_recorder(record_actors, recorder, keywords if collect is None else collect)
        for name, fspec in spec.forums.items():
            self.add_forum(name, fspec, origin="scenario", when=self.start)
        self._events_by_date: dict[int, list[Any]] = {}
        for event in spec.events:
            self._events_by_date.setdefault(Quarter.parse(event.date).index, []).append(event)
        self.quarter = self.start
        self._met_this_quarter = []
        self.crises_now: list[tuple[str, str, float, int]] = []
        self._extraordinary: dict[int, list] = {}  # a quarter's crisis agendas, by forum
        self._came: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # levels met this quarter
        self.side_meetings: dict[int, list[tuple[np.ndarray, float]]] = {}
        self.forum_views = ForumViews(self.state.position.shape)
        self._adversary_row_list = np.flatnonzero(self.region == 2)
        self._autonomy = self.dimension_index.get("autonomy")
        self._burden_dim = self.dimension_index.get("burden_sharing")
        self._support0 = pledge_support(self.state.defence_pct0)
        self._shortfall0 = shortfall_salience(self._support0)
        self._threat0_max = self.state.threat0.max(axis=1)
        self._pressure_target = {
            self.dimension_index[d]: a for d, a in PRESSURE_TARGETS if d in self.dimension_index
        }
        self.track_blocs = track_blocs
        if not track_blocs:
            self.state.bloc = np.full(len(self.actor_names), -1, dtype=np.int8)  # no side
        self.bloc_energy = float("nan")
        self.bloc_switches = 0
        self._bloc_anchor = self.actor_index.get("United States", 0)
        self._start_measures()
        self.played: set[int] = set()
        self.delegations: dict[tuple[int, str], PlayedChoice] = {}

    def _start_recorder(
        self,
        record_actors: bool,
        recorder: Callable[[LatticeModel], Recorder] | None,
        collect: bool,
    ) -> None:
        """The run's recorder; with ``collect``, one that also fills ``datacollector``."""
        self.datacollector: mesa.DataCollector | None = None
        if not collect:
            self.recorder = Recorder(self, record_actors) if recorder is None else recorder(self)
            return
        if recorder is not None:
            raise ValueError("collect=True keeps the whole model table: it takes no recorder")
        self.recorder = CollectingRecorder(self, record_actors=record_actors)
        self.datacollector = self.recorder.datacollector

    def _start_measures(self) -> None:
        """What the outcome measures keep between quarters (linkage window, caches)."""
        self._coordination_year = -1
        self._burden_rows: np.ndarray | None = None
        self._ea_rows = np.flatnonzero(self.region == 0)
        self._ip_rows = np.flatnonzero(self.region == 1)
        self._cross_pairs = max(len(self._ea_rows) * len(self._ip_rows), 1)
        self._cross_block = np.ix_(self._ea_rows, self._ip_rows)
        self._cross_window: list[float] = []
        self._cross_ties = 0.0

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        """One quarter, in a fixed order of small named steps."""
        self.quarters_run += 1
        self.quarter = self.start + (self.quarters_run - 1)
        self.apply_events()
        self.update_adversaries()
        self.update_threats()
        self.form_radii()
        self.update_defence()
        self.hold_meetings()
        self.socialise()
        self.update_lattice()
        self.update_blocs()
        self._advance_linkage()
        self.recorder.record_step(self.quarter, self.quarters_run)
        self._masses = {}
        self.delegations = {}
        if self.quarter >= self.horizon:
            self.running = False

    def run(self) -> None:
        """Run from where the model stands to its horizon."""
        remaining = self.horizon - (self.start + (self.quarters_run - 1))
        if remaining > 0:
            self.run_for(remaining)

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
        self.radii.inputs_changed()

    def apply_events(self) -> None:
        """Apply the scenario's events dated this quarter, and lift expired vetoes.

        Preoccupations at home are looked at only while one is in effect.
        """
        for row, dim, _forum in self.vetoes.expire(self.quarter):
            self.recorder.log(self.quarter, "veto_lifted", "", ev.veto_lifted(self, row, dim))
        for event in self._events_by_date.get(self.quarter.index, ()):
            self.inputs_changed()
            text = ev.apply(self, event)
            if event.note:
                text = f"{text[:-1]} ({event.note})."
            self.recorder.log(self.quarter, event.type, ev.subject(event), text)
        if self.preoccupations.spells:
            self._preoccupations_advance()

    def _preoccupations_advance(self) -> None:
        """Preoccupations at home start, fade and end: the attendance costs follow."""
        changed, ended = self.preoccupations.advance(self.quarter)
        if changed:
            self._forum_inputs = {}
        for spell in ended:
            text = ev.preoccupation_ended(self, spell)
            self.recorder.log(self.quarter, "preoccupation_ended", "", text)

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
            self._input_cache = (focus, push, *channels)
        focus, push, *channels = self._input_cache
        target = threat_targets_from(channels, s.dependence, s.behaviour)
        s.threat += p.threat_rate * (target - s.threat)
        if p.domestic_noise > 0:
            # Domestic politics: a persistent (AR(1)) random drift of each actor's own view.
            s.drift = DRIFT_PERSISTENCE * s.drift + self.rng.normal(
                0.0, p.domestic_noise, s.drift.shape
            )
            s.drift[self._adversary_row_list] = 0.0
        s.anchor = moved_by_threat(
            s.base_anchor + s.drift, s.threat, s.threat0, self.response, p.threat_response
        )
        if self._autonomy is not None:
            # A partner withdrawing from one's theatre pushes toward acting alone.
            k = self._autonomy
            s.anchor[:, k] = (s.anchor[:, k] + push).clip(0, 1)
        s.salience = moved_by_threat(
            s.base_salience, s.threat, s.threat0, self.salience_weights, p.salience_response
        )
        s.salience *= focus
        if self._burden_dim is not None:
            self._burden_views()
        s.salience.clip(0.0, 1.0, out=s.salience)

    def _burden_views(self) -> None:
        """Views on burden sharing follow defence effort (:mod:`~latticesim.mechanisms.burden`).

        An ally supports the pledges it meets and weighs a pledge by how far it falls
        short of 2%: as its effort changes, both move from where they started, whatever
        the scenario set them to.
        """
        s, k = self.state, self._burden_dim
        support = pledge_support(s.defence_pct)
        s.anchor[:, k] = (s.anchor[:, k] + support - self._support0).clip(0.0, 1.0)
        s.salience[:, k] += shortfall_salience(support) - self._shortfall0

    def form_radii(self) -> None:
        """Each actor's objection radius per dimension, for every meeting this quarter.

        Formed in one place (:meth:`~latticesim.model.radii.Radii.form`): tolerance x
        commitment factor / salience, capped by the vetoes declared everywhere.
        """
        s = self.state
        self.radii.form(s.tolerance, s.commitment, s.salience, self.params.commitment_bargaining)

    def update_defence(self) -> None:
        """Defence effort (% of GDP) follows the largest threat an actor feels and its pledges.

        A spending pledge a forum adopted (``state.pledge``) pulls the target of those
        below it; next quarter the effort moves each actor's view on burden sharing
        (:meth:`_burden_views`).
        """
        s, p = self.state, self.params
        rise = s.threat.max(axis=1) - self._threat0_max
        target = s.defence_pct0 * (1.0 + rise).clip(0.5, 3.0)
        if p.pledge_compliance > 0:
            target = pledge_target(target, s.pledge, p.pledge_compliance)
        s.defence_pct += p.defence_response * (target - s.defence_pct)

    def socialise(self) -> None:
        """Friedkin-Johnsen update over the ties of who sat together recently."""
        s = self.state
        w = influence_matrix(s.ties, self.params.socialisation)  # everyone as open
        s.position = fj_step(s.position, s.anchor, w, 1.0 - s.stubbornness)
        s.ties *= TIE_MEMORY

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

    # ------------------------------------------------------------------ measures
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
            self.state.last_together[self._cross_block],
            self.quarters_run,
            self.params.linkage_window,
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


def scenario_from_keywords(
    scenario_file: str | os.PathLike[str] | None,
    spec: ScenarioSpec | None,
    rng: int | np.random.Generator | None,
    until: str | None,
    parameters: dict[str, Any],
) -> LatticeScenario:
    """The typed scenario a model built from keywords runs, parameter values applied.

    Values are checked against the schema as a sweep's are, so ``watering=1.5`` fails
    as it would in a scenario file.

    Raises:
        TypeError: without a scenario, with two, or with a parameter the scenario has not.
        ScenarioError: when the scenario file does not load.
        pydantic.ValidationError: when a value does not fit its parameter.
    """
    if (scenario_file is None) == (spec is None):
        raise TypeError(
            "LatticeModel needs one scenario: LatticeScenario(spec=..., rng=...), "
            "scenario_file= or spec="
        )
    if spec is None:
        spec = load_scenario(scenario_file)
    if parameters:
        known = list(Parameters.model_fields)
        for name in parameters:
            if name not in known:
                raise TypeError(
                    f"LatticeModel got an unknown keyword '{name}': it takes scenario_file, "
                    f"spec, rng, until, collect and the scenario's parameters"
                    f"{suggest(name, known)}"
                )
        data = spec.model_dump(mode="json", by_alias=True)
        data["parameters"] = {**data["parameters"], **parameters}
        spec = ScenarioSpec.model_validate(data)
    source = os.fspath(scenario_file) if scenario_file is not None else None
    return LatticeScenario(spec=spec, rng=rng, until=until, source=source)
