"""A forum's spec: who sits in it, how it decides, on what, and when it meets.

Under ``forums:`` and inside a ``forum_created`` event alike; a calendar's meetings recur
(``quarter``) or happen once (``date``). :mod:`latticesim.scenario.schema` builds the
scenario from these parts and names them too.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from latticesim.common.quarters import Quarter
from latticesim.scenario.fields import ActorNames, QuarterText, Strict, Unit
from latticesim.scenario.numbers import Number, Whole, as_said, whole

__all__ = ["AgendaItemSpec", "ForumSpec", "MeetingSpec", "RuleName"]


RuleName = Literal["consensus", "weighted_majority", "chair_statement"]
"""The decision rules a scenario may name (:data:`latticesim.mechanisms.rules.RULES`)."""


class MeetingSpec(Strict):
    """A meeting in a forum's calendar: recurring (``quarter``) or once (``date``)."""

    quarter: whole(ge=1, le=4) | None = Field(
        None, description="Quarter of the year it meets in, year after year."
    )
    date: QuarterText | None = Field(
        None, description="The one quarter it meets in, e.g. 2026Q3 (instead of quarter)."
    )
    every: Whole = Field(1, ge=1, le=10, description="Meets every N years.")
    level: Literal["summit", "ministerial", "officials"] = Field(
        "summit", description="The highest level invited."
    )
    first_year: whole(ge=1900, le=2200) | None = Field(
        None, description="First year it meets (for every > 1)."
    )
    texts: Literal["agreed", "chair"] = Field(
        "agreed",
        description="Whether the meeting agrees texts (agreed) or, like NATO's December "
        "foreign ministers, issues none of record: its chair speaks for it (chair).",
    )

    @model_validator(mode="after")
    def _when(self) -> MeetingSpec:
        if self.quarter is None and self.date is None:
            raise ValueError("say when it meets: quarter: 3 (every year) or date: 2026Q3 (once)")
        if self.quarter is not None and self.date is not None:
            raise ValueError(
                "give quarter (a meeting year after year) or date (a meeting once), not both"
            )
        # by value, not by what was written, so that a dumped spec validates again
        recurring = [
            k for k, v in (("every", self.every != 1), ("first_year", self.first_year)) if v
        ]
        if self.date is not None and recurring:
            raise ValueError(
                f"a meeting on a date meets once: {' and '.join(recurring)} "
                f"{'is' if len(recurring) == 1 else 'are'} for meetings by quarter"
            )
        return self

    def recurrence(self) -> tuple[int, int | None, int, int | None]:
        """(quarter of the year, first year, every N years, last year), None: open-ended.

        A meeting on a date is the recurrence that starts and ends in its year.
        """
        if self.quarter is not None:
            return self.quarter, self.first_year, self.every, None
        once = Quarter.parse(str(self.date))  # the validator asks for one of the two
        return once.quarter, once.year, 1, once.year


class AgendaItemSpec(Strict):
    """A named item on a forum's agenda, decided on one dimension."""

    name: str = Field(..., min_length=1, description="What the item is, in words.")
    dimension: str = Field(..., description="The dimension the item is decided on.")
    proposal: Unit | None = Field(
        None, description="The text's strength as proposed; the convener's if left out."
    )


class ForumSpec(Strict):
    """A forum: who sits in it, how it decides, on what, and when it meets."""

    members: ActorNames
    partners: list[str] = Field(default_factory=list, description="Invited, without a vote.")
    rule: RuleName = Field("consensus", description="How it decides.")
    rules: dict[str, RuleName] = Field(
        default_factory=dict,
        description="Dimension -> rule where it differs from rule (the EU decides trade by "
        "qualified majority, foreign policy by unanimity).",
    )
    naming: dict[str, Unit] = Field(
        default_factory=dict,
        description="Dimension -> the strongest text the forum's practice lets it issue "
        "there (a naming norm: formats that describe behaviour without naming China).",
    )
    session_of: str | None = Field(
        None,
        description="The forum whose meetings this one is a session of (the partners' "
        "session of a NATO summit): it meets right after them, its members come at the "
        "level they came to the main meeting.",
    )
    threshold: Number = Field(
        0.5, ge=0.5, le=1.0, description="Capability share needed under weighted_majority."
    )
    competence: list[str] = Field(
        default_factory=list, description="Dimensions on which it can decide."
    )
    discusses: list[str] = Field(
        default_factory=list, description="Dimensions it discusses without deciding."
    )
    items: list[AgendaItemSpec] = Field(
        default_factory=list, description="Named items (replace the default one per dimension)."
    )
    calendar: list[MeetingSpec] = Field(..., min_length=1, description="When it meets.")
    convener: str = Field(..., description="The actor who proposes texts.")
    rotation: list[str] = Field(
        default_factory=list,
        description="Conveners taking turns year by year, the first in the start year (a "
        "rotating presidency, as in the G7); when given, it overrides convener.",
    )
    theatre: Literal["euro_atlantic", "indo_pacific", "global"] = Field(
        "global", description="Where its agenda lies (weights attendance by attention)."
    )
    standing: Unit = Field(0.5, description="Initial standing with its members and partners.")

    @field_validator("members", "partners")
    @classmethod
    def _each_once(cls, names: list[str]) -> list[str]:
        for name in names:
            if names.count(name) > 1:
                raise as_said(f"lists '{name}' twice; list each actor or group once")
        return names
