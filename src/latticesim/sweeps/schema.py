"""The sweep-file format: pydantic models of what a sweep file may say.

Like scenario files, sweep files are strict (unknown keys are errors, every number has
its range), and their errors are translated into one-line problems by
:func:`latticesim.scenario.messages.problems_from`, which ends a field's messages with its
``hint``. Numbers must be written as numbers and switches as true/false: pydantic would
otherwise take ``"10"`` for 10 and ``yes`` for true. What the models cannot know without
the scenario (that a path names a value of it, that a value fits that value, that a
column or forum exists) is checked afterwards by :mod:`latticesim.sweeps.sweepfile`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from latticesim.common.text import suggest
from latticesim.mechanisms.attendance import LEVEL_NAMES
from latticesim.scenario.fields import QuarterText, SimulatedQuarter, Strict
from latticesim.scenario.messages import listing
from latticesim.scenario.numbers import FolderName, Number, Switch, Whole, as_said
from latticesim.scenario.schema import EVENT_TYPES
from latticesim.sweeps.designs import DESIGNS, MAX_POINTS

__all__ = [
    "DEFAULT_STAT",
    "LOG_KINDS",
    "STATS",
    "Design",
    "CalibratedDesign",
    "GridDesign",
    "LhsDesign",
    "MetricsSpec",
    "MorrisDesign",
    "OutcomeSpec",
    "ParameterSpec",
    "SobolDesign",
    "SweepFile",
    "TABLES",
]

_ROW_STATS = ("mean", "median", "min", "max", "first", "last", "sum", "count")
STATS: dict[str, tuple[str, ...]] = {
    "model": ("last", "first", "mean", "median", "min", "max", "std", "change"),
    "meetings": _ROW_STATS,
    "items": _ROW_STATS,
    "attendance": _ROW_STATS,
    "log": ("count", "first_step", "first_year"),
}
"""The statistics an outcome may take of each table's values."""
DEFAULT_STAT = {"model": "last", "meetings": "mean", "items": "mean", "attendance": "mean"}
DEFAULT_STAT["log"] = "count"
TABLES = tuple(STATS)
"""The tables an outcome reads: a run's tables (``docs/outputs.md``) but the actors'."""
_KEYS_OF = {
    "forum": ("meetings", "items", "attendance"),
    "kind": ("log",),
    "subject": ("log",),
    "actor": ("attendance",),
    "level": ("attendance",),
    "column": ("model", "meetings", "items"),
    "equals": ("model", "meetings", "items"),
}
"""The tables each optional key of an outcome is for."""
LOG_KINDS = (*EVENT_TYPES, "forum_founded", "forum_lapsed", "veto_lifted")
"""The kinds of entry in a run's log: the scenario's events and what the model does."""


def _one_of(value: str | None, choices: tuple[str, ...], what: str, listed: str) -> str | None:
    """``value`` if it is None or one of ``choices``; else the problem, naming the closest."""
    if value is not None and value not in choices:
        hint = suggest(value, choices) or listing(choices, listed)
        raise as_said(f"unknown {what} '{value}'{hint}")
    return value


def _ends_after_start(field: str, what: str, spec: str = "") -> Any:
    """A validator of ``field``, the end of a range or a window: it may not come before ``start``.

    Quarters compare as text (``2024Q4`` < ``2025Q1``), numbers as numbers; ``spec``
    formats both in the message.
    """

    def forwards(cls: type, end: Any, info: ValidationInfo) -> Any:
        start = info.data.get("start")
        if end is not None and start is not None and end < start:
            raise as_said(f"the {what} ends at {end:{spec}}, before it starts at {start:{spec}}")
        return end

    return field_validator(field)(classmethod(forwards))


# --------------------------------------------------------------------------- designs


class GridDesign(Strict):
    """Every combination of the parameters' listed values."""

    type: Literal["grid"] = "grid"


class LhsDesign(Strict):
    """A Latin hypercube sample between each parameter's min and max."""

    type: Literal["lhs"]
    samples: Whole = Field(..., ge=2, le=MAX_POINTS, description="How many points.")


class SobolDesign(Strict):
    """A Sobol sample (Saltelli's scheme), for Sobol sensitivity indices."""

    type: Literal["sobol"]
    samples: Whole = Field(..., ge=2, le=MAX_POINTS, description="Base sample size.")
    second_order: Switch = Field(False, description="Also sample for second-order indices.")

    @field_validator("samples")
    @classmethod
    def _power_of_two(cls, n: int) -> int:
        if n & (n - 1):
            lower, higher = 1 << (n.bit_length() - 1), 1 << n.bit_length()
            raise as_said(
                "a Sobol design needs a power of 2 samples (its sequence is balanced only "
                f"then); use {lower} or {higher}, not {n}"
            )
        return n


class MorrisDesign(Strict):
    """Morris trajectories, for elementary effects."""

    type: Literal["morris"]
    trajectories: Whole = Field(..., ge=2, le=MAX_POINTS, description="How many trajectories.")
    levels: Whole = Field(4, ge=2, le=100, description="Levels of the grid (even).")

    @field_validator("levels")
    @classmethod
    def _even(cls, levels: int) -> int:
        if levels % 2:
            raise as_said(f"must be an even number of levels, got {levels}")
        return levels


class CalibratedDesign(Strict):
    """A grid whose replications take the model's parameters from the accepted set.

    The calibration's shipped accepted set, so the fans hold parameter uncertainty too.
    """

    type: Literal["calibrated"]


Design = Annotated[
    GridDesign | LhsDesign | SobolDesign | MorrisDesign | CalibratedDesign,
    Field(discriminator="type"),
]


# --------------------------------------------------------------------------- parameters


class ParameterSpec(Strict):
    """One varied parameter: the paths it sets and its values, range or bounds.

    Written as a mapping, or as the list of its values (the key is then the path).
    Which of values, from/to/step and min/max it needs depends on the design, and what
    the paths name on the scenario: both are checked once the scenario is read.
    """

    path: Any = Field(None, description="A path into the scenario, or a list of them.")
    values: list[Any] | None = Field(None, description="The values of a grid.")
    start: Number | None = Field(None, alias="from", description="First value of a range.")
    stop: Number | None = Field(None, alias="to", description="Last value of a range.")
    step: Number | None = Field(None, description="Step of a range.")
    low: Number | None = Field(None, alias="min", description="Lower bound of a sample.")
    high: Number | None = Field(None, alias="max", description="Upper bound of a sample.")

    @model_validator(mode="before")
    @classmethod
    def _list_of_values(cls, entry: Any) -> Any:
        if isinstance(entry, list):
            return {"values": entry}
        if not isinstance(entry, dict):
            raise as_said(
                "give a list of values, or a mapping with path: and values:, from:/to:/step: "
                "or min:/max:"
            )
        return entry

    _forwards = _ends_after_start("stop", "range", "g")

    @field_validator("step")
    @classmethod
    def _positive(cls, step: float | None) -> float | None:
        if step is not None and step <= 0:
            raise as_said(f"must be positive, got {step:g}")
        return step

    @field_validator("high")
    @classmethod
    def _above_low(cls, high: float | None, info: ValidationInfo) -> float | None:
        low = info.data.get("low")
        if high is not None and low is not None and low >= high:
            raise as_said(f"max {high:g} must be above min {low:g}")
        return high


# --------------------------------------------------------------------------- metrics


class OutcomeSpec(Strict):
    """One number per run: a statistic of a table's column, a count of invitees or of log lines.

    It reads the run's quarters, or a window of them (``from``/``to``, or ``last``).
    """

    table: Literal["model", "meetings", "items", "attendance", "log"] = Field(
        "model", description="Table read."
    )
    column: str | None = Field(None, description="Column read (model, meetings, items tables).")
    equals: Any = Field(
        None, description="Read whether the column equals this (holds it, for a list)."
    )
    stat: str | None = Field(None, description="Statistic (default: by table).")
    start: QuarterText | None = Field(None, alias="from", description="First quarter read.")
    end: QuarterText | None = Field(None, alias="to", description="Last quarter read.")
    last: Whole | None = Field(None, ge=1, le=100_000, description="Read the last N quarters.")
    forum: str | None = Field(None, min_length=1, description="Only this forum's meetings.")
    kind: str | None = Field(None, description="Kind of log entry counted.")
    subject: str | None = Field(None, min_length=1, description="Only log entries about this.")
    actor: str | None = Field(
        None, min_length=1, description="Attendance: only this actor or group (ip4, nato...)."
    )
    level: str | None = Field(
        None, description="Attendance: only invitees at this level (default: all who came)."
    )

    @field_validator("level", "kind")
    @classmethod
    def _known_name(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.field_name == "level":
            return _one_of(value, LEVEL_NAMES, "level", "levels")
        return _one_of(value, LOG_KINDS, "kind", "kinds")

    @field_validator("stat")
    @classmethod
    def _stat_of_table(cls, stat: str | None, info: ValidationInfo) -> str | None:
        table = info.data.get("table")
        if table not in STATS:
            return stat
        return _one_of(stat, STATS[table], "statistic", f"statistics of the {table} table")

    _window_forwards = _ends_after_start("end", "window")

    @field_validator("last")
    @classmethod
    def _last_or_window(cls, last: int | None, info: ValidationInfo) -> int | None:
        if last is not None and (info.data.get("start") or info.data.get("end")):
            raise as_said("give either last: or from:/to:, not both")
        return last

    @field_validator(*_KEYS_OF)
    @classmethod
    def _of_its_table(cls, value: Any, info: ValidationInfo) -> Any:
        tables = _KEYS_OF[str(info.field_name)]
        table = info.data.get("table")
        if value is not None and table is not None and table not in tables:
            where = " or ".join(f"the {t} table" for t in tables)
            raise as_said(f"'{info.field_name}' is for {where}, not the {table} table")
        return value

    @model_validator(mode="after")
    def _what_is_read(self) -> OutcomeSpec:
        counted = self.stat == "count"
        if self.table == "model" and self.column is None:
            raise as_said("required key 'column' is missing; name a model-table column")
        if self.table in ("meetings", "items") and self.column is None and not counted:
            example = "strength_china_stance" if self.table == "meetings" else "strength"
            raise as_said(
                f"required key 'column' is missing; e.g. {example} (or stat: count, to count rows)"
            )
        if self.equals is not None and self.column is None:
            raise as_said("equals: needs the column it compares; add column:")
        if self.table == "log" and self.kind is None:
            raise as_said(f"required key 'kind' is missing; one of {', '.join(LOG_KINDS)}")
        return self

    @model_validator(mode="before")
    @classmethod
    def _default_stat(cls, data: Any) -> Any:
        """Each table's statistic by default, set before validation.

        Set afterwards, the assignment would validate the model again, and so on.
        """
        if isinstance(data, dict) and data.get("stat") is None:
            table = data.get("table", "model")
            if table in DEFAULT_STAT:
                data = {**data, "stat": DEFAULT_STAT[table]}
        return data


class MetricsSpec(Strict):
    """What a sweep keeps of each run: series over time and one-number outcomes."""

    series: list[str] = Field(default_factory=list, description="Model-table columns kept.")
    every: Whole = Field(4, ge=1, le=100_000, description="Keep every N quarters of them.")
    outcomes: dict[str, OutcomeSpec] | None = Field(
        None, description="Outcomes by name (default: each series' mean of the last year)."
    )


# --------------------------------------------------------------------------- the file


_NO_VALUE = {"name": "string_type", "until": "string_type", "chunk_size": "int_type"}
"""The optional settings that may not be written empty, with the error an empty one gets."""


class SweepFile(Strict):
    """A whole sweep file."""

    name: FolderName | None = Field(
        None, validate_default=False, description="Name (default: the file's)."
    )
    description: str | None = Field("", description="What the sweep is for.")
    scenario: str = Field(
        ...,
        min_length=1,
        description="The scenario file swept.",
        json_schema_extra={"hint": "name the scenario file to sweep"},
    )
    seed: Whole = Field(1, ge=0, description="The root seed of every run's seed.")
    replications: Whole = Field(1, ge=1, le=1_000_000, description="Runs of each point.")
    until: SimulatedQuarter | None = Field(
        None, validate_default=False, description="Last quarter simulated."
    )
    design: Design = Field("grid", description="How points are chosen.")
    parameters: dict[str, ParameterSpec] = Field(
        ...,
        min_length=1,
        description="What varies.",
        json_schema_extra={"hint": "say what to vary"},
    )
    metrics: MetricsSpec = Field(default_factory=MetricsSpec, description="What is kept.")
    chunk_size: Whole | None = Field(
        None, ge=1, le=100_000, validate_default=False, description="Runs per task."
    )

    @field_validator(*_NO_VALUE, mode="before")
    @classmethod
    def _has_a_value(cls, value: Any, info: ValidationInfo) -> Any:
        """Refuse a key written with nothing after it (``name:``), which is not left out.

        Left out, these keys take their defaults; written empty, the value was most likely
        forgotten, and the default would hide that (scenario files refuse it too).
        """
        if value is None:
            raise PydanticCustomError(_NO_VALUE[str(info.field_name)], "no value")
        return value

    @field_validator("name", "scenario")
    @classmethod
    def _not_blank(cls, text: str | None) -> str | None:
        if text is not None and not text.strip():
            raise PydanticCustomError("string_too_short", "blank")
        return text

    @field_validator("design", mode="before")
    @classmethod
    def _design_by_name(cls, design: Any) -> Any:
        if isinstance(design, str):
            if design not in DESIGNS:
                hint = suggest(design, DESIGNS) or listing(DESIGNS, "designs")
                raise as_said(f"unknown design '{design}'{hint}")
            return {"type": design}
        if not isinstance(design, dict):
            raise as_said(f"must be a design name ({', '.join(DESIGNS)}) or a mapping with type:")
        return design
