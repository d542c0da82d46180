"""Comparison files: what ``latticesim compare --file FILE`` compares, and how, in YAML.

A comparison file names its arms and says what to measure, with the sweep files'
outcome language (a mapping, or its compact text: :mod:`latticesim.sweeps.compare_outcomes`)::

    arms: [../../scenarios/baseline_2024.yaml, ../../scenarios/us_retrenchment.yaml]
    replications: 20
    sets: [headline]
    outcomes:
      nato_ukraine: meetings:NATO:strength_ukraine_support:mean
      g7_china: {table: meetings, forum: G7, column: strength_china_stance}

It is read like a sweep file (YAML with the line and column of every value, the models
of :mod:`latticesim.sweeps.schema`, the scenario messages' translation), so a mistake is
one line ``FILE:LINE:COL: field: message``; the arms' scenario files are checked where
they are.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError
from pydantic_core import PydanticCustomError

from latticesim.common.quarters import Quarter
from latticesim.common.text import suggest
from latticesim.scenario.fields import QuarterText, Strict
from latticesim.scenario.loading import load_scenario
from latticesim.scenario.messages import FieldPath, Problem, ScenarioError, listing, problems_from
from latticesim.scenario.numbers import Whole
from latticesim.scenario.reading import similar_file
from latticesim.scenario.schema import ScenarioSpec
from latticesim.sweeps.columns import check_model_column, table_columns
from latticesim.sweeps.compare_outcomes import (
    OUTCOME_SETS,
    OutcomeSyntaxError,
    arm_problems,
    outcome_from_text,
)
from latticesim.sweeps.schema import OutcomeSpec
from latticesim.sweeps.sweepfile import SweepError, read_tree

__all__ = ["ComparisonFile", "ComparisonPlan", "load_comparison"]


def _from_text(entry: Any) -> Any:
    """An outcome written as compact text, as the mapping the schema validates."""
    if isinstance(entry, str):
        try:
            return outcome_from_text(entry)
        except OutcomeSyntaxError as exc:
            raise PydanticCustomError("comparison_file", str(exc)) from None
    return entry


def _known_set(name: str) -> str:
    if name not in OUTCOME_SETS:
        hint = suggest(name, list(OUTCOME_SETS)) or listing(OUTCOME_SETS, "sets")
        raise PydanticCustomError("comparison_file", f"unknown set '{name}'{hint}")
    return name


OutcomeEntry = Annotated[OutcomeSpec, BeforeValidator(_from_text)]
SetName = Annotated[str, AfterValidator(_known_set)]


class ComparisonFile(Strict):
    """A whole comparison file."""

    name: str | None = Field(None, min_length=1, description="Name (default: the file's).")
    description: str | None = Field("", description="What the comparison is for.")
    arms: list[str] = Field(
        ...,
        min_length=2,
        description="Scenario files, relative to this file; the first is the base.",
        json_schema_extra={"hint": "list two or more scenario files"},
    )
    replications: Whole = Field(20, ge=1, le=100_000, description="Runs of each arm.")
    seed: Whole = Field(1, ge=0, description="The root seed of every run's seed.")
    until: QuarterText | None = Field(None, description="Last quarter simulated.")
    window: Whole = Field(4, ge=1, le=1000, description="End quarters a series' value averages.")
    sets: list[SetName] = Field(default_factory=list, description="Shipped sets of outcomes.")
    outcomes: dict[str, OutcomeEntry] = Field(
        default_factory=dict, description="Outcomes by name (a mapping or compact text)."
    )
    series: list[str] | None = Field(
        None, description="Model-table columns over time (default: the sets', or the usual)."
    )


@dataclass
class ComparisonPlan:
    """A checked comparison file: what :func:`latticesim.sweeps.compare.compare` takes."""

    name: str
    file: str
    arms: list[str]
    replications: int
    seed: int
    until: str | None
    window: int
    sets: list[str]
    outcomes: dict[str, OutcomeSpec] = field(default_factory=dict)
    series: list[str] | None = None

    def options(self) -> dict[str, Any]:
        """The plan as keyword arguments of ``compare`` (with the arms and replications)."""
        return {
            "scenarios": self.arms,
            "replications": self.replications,
            "seed": self.seed,
            "until": self.until,
            "window": self.window,
            "sets": self.sets,
            "outcomes": self.outcomes,
            "metrics": self.series,
            "label": self.file,
        }


def load_comparison(path: str | os.PathLike[str]) -> ComparisonPlan:
    """Read and check a comparison file; its arms' scenario files are loaded and checked too.

    Raises:
        SweepError: every problem, one line each (``FILE:LINE:COL: field: message``).
    """
    display = os.fspath(path)
    tree = read_tree(display, "comparison", "arms:, replications:, outcomes:")
    try:
        plan = ComparisonFile.model_validate(tree.data)
    except ValidationError as exc:
        raise SweepError(problems_from(exc, tree, ComparisonFile)) from None
    problems: list[Problem] = []

    def add(at: FieldPath, message: str) -> None:
        problems.append(tree.problem(at, message))

    arms, specs = _arms(display, plan, add, problems)
    if problems:
        raise SweepError(problems)
    start = specs[0].start_quarter
    end = Quarter.parse(plan.until) if plan.until else min(s.horizon_quarter for s in specs)
    if end < start:
        add(("until",), f"{end} is before the arms' start {start}")
        raise SweepError(problems)
    columns = [table_columns(spec, end) for spec in specs]
    for i, col in enumerate(plan.series or ()):
        check_model_column(add, columns[0]["model"], col, ("series", i))
    for name, o in plan.outcomes.items():
        problems += arm_problems(o, ("outcomes", name), specs, end, columns, tree.problem)
    if problems:
        raise SweepError(problems)
    return ComparisonPlan(
        name=plan.name or Path(display).stem,
        file=display,
        arms=arms,
        replications=plan.replications,
        seed=plan.seed,
        until=plan.until,
        window=plan.window,
        sets=plan.sets,
        outcomes=dict(plan.outcomes),
        series=plan.series,
    )


def _arms(
    display: str, plan: ComparisonFile, add: Any, problems: list[Problem]
) -> tuple[list[str], list[ScenarioSpec]]:
    """The arms' files (relative to the comparison file) and their scenarios."""
    arms: list[str] = []
    specs: list[ScenarioSpec] = []
    for i, value in enumerate(plan.arms):
        target = os.path.normpath(os.path.join(os.path.dirname(display), value.strip()))
        if not Path(target).is_file():
            add(
                ("arms", i),
                f"cannot find '{value}' (looked for {target}; the path is relative to the "
                f"comparison file){similar_file(target)}",
            )
            continue
        try:
            specs.append(load_scenario(target))
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        arms.append(target)
    return arms, specs
