"""The dashboard's controls (scenario, four main parameters, seed) and the model they build.

The page shows :func:`model_params` as the sidebar's inputs (see
:mod:`latticesim.seminar.settings`) and builds a :class:`DashboardModel` from their values
whenever Reset or Apply is pressed.
"""

from __future__ import annotations

import functools
from typing import Any

from latticesim.model.model import LatticeModel
from latticesim.scenario.schema import ActorSpec, AdversarySpec, LatticeScenario, ScenarioSpec
from latticesim.seminar.rooms import Room
from latticesim.seminar.scenarios import (
    DEFAULT_SCENARIO,
    UPLOADS,
    library_scenario,
    scenario_dir,
    scenario_names,
)
from latticesim.world.actors import actor_table


@functools.cache
def _trait(actor: str, field: str) -> float:
    return float(next(getattr(r, field) for r in actor_table() if r.name == actor))


def main_defaults() -> dict[str, float]:
    """Slider defaults: the 2024 values the shipped data give."""
    base = (
        library_scenario("baseline_2024")
        if (scenario_dir() / "baseline_2024.yaml").is_file()
        else None
    )
    china = base.adversaries.get("China") if base else None
    return {
        "pivot_strength": 1.0,
        "us_commitment": round(_trait("United States", "commitment"), 2),
        "france_tolerance": round(_trait("France", "tolerance"), 2),
        "china_support": round(china.support, 2) if china and china.support is not None else 0.5,
    }


def configure(
    spec: ScenarioSpec,
    pivot_strength: float = 1.0,
    us_commitment: float | None = None,
    france_tolerance: float | None = None,
    china_support: float | None = None,
) -> ScenarioSpec:
    """The scenario with the dashboard's four main parameters applied.

    ``pivot_strength`` scales every US attention shift the scenario schedules (1: as
    written, 0: no pivot, 2: twice as far, capped at moving everything); the other three
    set the starting values of US commitment to forums, France's tolerance and China's
    support for Russia's war (events later in the scenario still change them on their
    dates). None leaves the scenario's value.
    """
    events = []
    for e in spec.events:
        if e.type == "attention_shift" and e.actor == "United States" and pivot_strength != 1.0:
            update = {"amount": min(1.0, e.amount * pivot_strength)}
            if e.resources is not None:
                update["resources"] = min(1.0, e.resources * pivot_strength)
            e = e.model_copy(update=update)
        events.append(e)
    actors = dict(spec.actors)
    if us_commitment is not None:
        us = actors.get("United States", ActorSpec())
        actors["United States"] = us.model_copy(update={"commitment": float(us_commitment)})
    if france_tolerance is not None:
        fr = actors.get("France", ActorSpec())
        actors["France"] = fr.model_copy(update={"tolerance": float(france_tolerance)})
    adversaries = dict(spec.adversaries)
    if china_support is not None:
        cn = adversaries.get("China", AdversarySpec())
        adversaries["China"] = cn.model_copy(update={"support": float(china_support)})
    return spec.model_copy(update={"events": events, "actors": actors, "adversaries": adversaries})


class DashboardModel(LatticeModel):
    """A :class:`LatticeModel` built from the dashboard's controls.

    SolaraViz rebuilds a model from keyword arguments when Reset is pressed, so the
    scenario comes by name (a shipped file or a dropped one's key) with the four main
    parameters and the seed. A room, when one is open, hands its players' answers to
    each step.
    """

    def __init__(
        self,
        scenario_name: str = DEFAULT_SCENARIO,
        pivot_strength: float = 1.0,
        us_commitment: float | None = None,
        france_tolerance: float | None = None,
        china_support: float | None = None,
        seed: int = 1,
    ) -> None:
        base = UPLOADS.get(scenario_name) or library_scenario(scenario_name)
        self.settings = {
            "scenario_name": scenario_name,
            "pivot_strength": pivot_strength,
            "us_commitment": us_commitment,
            "france_tolerance": france_tolerance,
            "china_support": china_support,
            "seed": int(seed),
        }
        # A slider left where it starts (the 2024 value) leaves the scenario's own value:
        # a scenario set in another year (hindcast_2019) keeps its starting world.
        start = main_defaults()
        moved = {
            k: v
            for k, v in (
                ("us_commitment", us_commitment),
                ("france_tolerance", france_tolerance),
                ("china_support", china_support),
            )
            if v is not None and abs(float(v) - start[k]) > 1e-9
        }
        spec = configure(base, pivot_strength, **moved)
        super().__init__(LatticeScenario(spec=spec, rng=int(seed)), record_actors=False)
        self.base_spec = base
        self.room: Room | None = None

    def step(self) -> None:
        """One quarter, with the room's answers for its played actors.

        The room is locked for the quarter: a player's page that asks for its meetings or
        sends an answer meanwhile waits, and never sees a quarter half run.
        """
        room = self.room
        if room is None:
            super().step()
            return
        with room.lock:
            room.before_step(self)
            super().step()
            room.after_step(self)

    @property
    def next_quarter(self) -> str:
        """The quarter Step runs next, or "end" past the horizon."""
        q = self.start + self.quarters_run
        return str(q) if q <= self.horizon else "end"


def model_alone(model: DashboardModel) -> DashboardModel:
    """The same scenario, parameters and seed run to the same quarter with no players."""
    alone = DashboardModel(**model.settings)
    if model.quarters_run:
        alone.run_for(model.quarters_run)
    return alone


def model_params() -> dict[str, Any]:
    """The page's inputs, in Mesa's ``model_params`` form: scenario, four parameters, seed."""
    d = main_defaults()
    return {
        "scenario_name": {
            "type": "Select",
            "value": DEFAULT_SCENARIO,
            "values": scenario_names(),
            "label": "Scenario",
        },
        "pivot_strength": {
            "type": "SliderFloat",
            "value": d["pivot_strength"],
            "min": 0.0,
            "max": 2.0,
            "step": 0.1,
            "label": "US pivot (x scenario)",
        },
        "us_commitment": {
            "type": "SliderFloat",
            "value": d["us_commitment"],
            "min": 0.0,
            "max": 1.0,
            "step": 0.05,
            "label": "US commitment to forums",
        },
        "france_tolerance": {
            "type": "SliderFloat",
            "value": d["france_tolerance"],
            "min": 0.05,
            "max": 1.0,
            "step": 0.01,
            "label": "France's tolerance",
        },
        "china_support": {
            "type": "SliderFloat",
            "value": d["china_support"],
            "min": 0.0,
            "max": 1.0,
            "step": 0.05,
            "label": "China's support for Russia",
        },
        # typed, not slid: a slider over a hundred seeds gives each under three pixels
        "seed": {"type": "InputInt", "value": 1, "label": "Seed"},
    }
