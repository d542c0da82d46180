"""Field types every part of a scenario (and of a sweep file) is built from.

Shares, shifts, quarters, actor lists and the strict base model live here, below the
schema's parts, so the parameters, the forums and the events all take them from one
place.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from latticesim.common.limits import EARLIEST_YEAR, LATEST_YEAR
from latticesim.scenario.numbers import as_said, number

__all__ = [
    "QUARTER_PATTERN",
    "ActorNames",
    "QuarterText",
    "Shift",
    "SimulatedQuarter",
    "Strict",
    "Unit",
]

Unit = number(ge=0.0, le=1.0)
Shift = number(ge=-1.0, le=1.0)
QUARTER_PATTERN = r"^\d{4}Q[1-4]$"
QuarterText = Annotated[str, Field(pattern=QUARTER_PATTERN, examples=["2024Q3"])]


def _in_years(value: str) -> str:
    year = int(value[:4])
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise as_said(f"must be a quarter of {EARLIEST_YEAR} to {LATEST_YEAR}, got {value}")
    return value


SimulatedQuarter = Annotated[QuarterText, AfterValidator(_in_years)]
"""A quarter a run may start or end in (``docs/limits.md``: before 1950, NATO has no
members; beyond 2100, a run is only long)."""
ActorNames = Annotated[list[str], Field(min_length=1, description="Actor or group names.")]


class Strict(BaseModel):
    """Base for every part of a scenario: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(
        extra="forbid", frozen=False, validate_default=True, validate_assignment=True
    )
