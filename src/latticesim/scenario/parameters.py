"""The model's free parameters, as a scenario's ``parameters:`` block sets them."""

from __future__ import annotations

from pydantic import Field

from latticesim.scenario.fields import Strict, Unit
from latticesim.scenario.numbers import Number, Whole

__all__ = ["Parameters"]


class Parameters(Strict):
    """The model's free parameters; the hindcast calibrates them, scenarios may override."""

    socialisation: Unit = Field(
        0.387, description="Weight an attendee gives to the others at a meeting (vs itself)."
    )
    domestic_noise: Number = Field(
        0.02,
        ge=0.0,
        le=0.3,
        description="Size of the quarterly random drift of actors' own views (domestic "
        "politics); 0 makes runs differ only in attendance and founding draws.",
    )
    max_rounds: Whole = Field(
        2, ge=1, le=10, description="Rounds of a consensus item before it fails (1 = no redraft)."
    )
    watering: Unit = Field(
        0.357,
        description="Share of the distance a blocked text moves toward its blockers per round.",
    )
    convener_moderation: Unit = Field(
        0.3,
        description="How far the convener's proposal moves from its own position toward the "
        "capability-weighted median of the members present.",
    )
    agenda_threshold: Unit = Field(
        0.2,
        description="Engagement (salience x commitment relative to its recorded level) a "
        "convener needs on a dimension to table an item on it; a convener below its "
        "recorded commitment also tables fewer items (ODD 7.5).",
    )
    drafting_error: Number = Field(
        0.281,
        ge=0.0,
        le=2.0,
        description="How far a convener misjudges others' limits when drafting: the "
        "log-normal spread of its estimate of each voter's objection radius (ODD 7.5).",
    )
    crisis_meeting: Unit = Field(
        0.4,
        description="Crisis intensity from which forums of its theatre (and global ones) "
        "hold an extraordinary meeting the quarter it breaks out (ODD 7.9).",
    )
    chair_weight: Unit = Field(
        0.5, description="Weight of a chair's statement relative to an agreed text."
    )
    attendance_cost: Number = Field(
        0.36,
        ge=0.0,
        le=20.0,
        description="Scale of the cost of attending (travel, time); set with attendance_noise "
        "from the record's base rate of leaders' absences (docs/calibration.md, 8.7).",
    )
    attendance_noise: Number = Field(
        0.11,
        ge=0.0,
        le=2.0,
        description="Scale of the random part of attendance choices, as a share of the "
        "cost of attending; set from the record's base rate of leaders' absences "
        "(docs/calibration.md, 8.4).",
    )
    complementarity: Unit = Field(
        0.63,
        description="How much of a meeting's value to the others hangs on the convener "
        "coming at the top level invited: the value falls by this share of the gap "
        "(ODD 7.4).",
    )
    standing_rate: Unit = Field(
        0.309, description="Learning rate of an actor's standing of a forum after a meeting."
    )
    threat_rate: Unit = Field(
        0.35,
        description="Share of the gap to the threat implied by adversaries closed per quarter.",
    )
    threat_response: Number = Field(
        0.35, ge=0.0, le=2.0, description="How much threat perceptions move positions."
    )
    salience_response: Number = Field(
        0.3, ge=0.0, le=2.0, description="How much threat perceptions move salience."
    )
    attention_response: Number = Field(
        1.0,
        ge=0.0,
        le=3.0,
        description="How much moving attention toward a theatre raises the salience of its "
        "dimensions (and away, lowers it).",
    )
    gap_sensitivity: Number = Field(
        0.6,
        ge=0.0,
        le=3.0,
        description="How much a partner's withdrawal of resources from a theatre raises "
        "the threat felt there.",
    )
    defence_response: Unit = Field(
        0.15,
        description="Share of the gap to the threat-implied defence effort closed per quarter.",
    )
    pledge_compliance: Unit = Field(
        0.5,
        description="Share of the gap to an adopted spending pledge that a member below it "
        "adds to its defence-effort target.",
    )
    adversary_reaction: Unit = Field(
        0.1, description="How strongly adversaries answer forums' statements aimed at them."
    )
    commitment_bargaining: Number = Field(
        0.0,
        ge=0.0,
        le=3.0,
        description="How far an actor's tolerance follows its commitment to forums: "
        "scaled by (commitment / recorded commitment) to this power; 0 (the default) "
        "leaves commitment acting on attendance, the agenda and the drafts' ambition only.",
    )
    found_after: Whole = Field(
        2, ge=1, le=20, description="Meetings with blocked items before a group may found a forum."
    )
    found_cohesion: Unit = Field(
        0.2,
        description="Largest salience-weighted disagreement within a group that founds a forum.",
    )
    found_probability: Unit = Field(
        0.5, description="Chance per quarter that an eligible group founds its forum."
    )
    found_min_size: Whole = Field(3, ge=2, le=20, description="Smallest group that founds a forum.")
    lapse_after: Whole = Field(
        3, ge=1, le=20, description="Scheduled meetings missed in a row before a forum lapses."
    )
    lapse_standing: Unit = Field(
        0.1, description="Mean standing among members below which a forum lapses."
    )
    linkage_window: Whole = Field(
        4, ge=1, le=40, description="Quarters over which co-attendance counts toward linkage."
    )
    coordination_group: list[str] = Field(
        default_factory=lambda: ["nato", "ip4"],
        min_length=1,
        description="Actors or groups whose agreement the coordination index measures.",
    )
