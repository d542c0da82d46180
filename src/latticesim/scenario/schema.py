"""The scenario format: typed, validated specifications of a world to simulate.

A scenario file is written by people who are not programmers, so the schema is strict
(unknown keys are errors, every number has its range) and every field carries a
description that ends up in the exported JSON Schema, where editors show it as help.
Cross-references (actor, forum and dimension names, event dates inside the horizon) are
checked by :mod:`latticesim.scenario.references` on the tree that knows where each value
came from. The event types are listed once, in the union ``Event``; ``EVENT_TYPES`` and
``EVENT_MODEL`` are read from it.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any, Literal, get_args

from mesa.experimental.scenarios import Scenario as MesaScenario
from pydantic import Field, field_validator, model_validator

from latticesim.common.quarters import Quarter
from latticesim.scenario.fields import (
    ActorNames,
    QuarterText,
    Shift,
    SimulatedQuarter,
    Strict,
    Unit,
)

# A forum's parts live in forum_spec.py and are named here too, with the rest of the format.
from latticesim.scenario.forum_spec import AgendaItemSpec as AgendaItemSpec
from latticesim.scenario.forum_spec import ForumSpec as ForumSpec
from latticesim.scenario.forum_spec import MeetingSpec as MeetingSpec
from latticesim.scenario.forum_spec import RuleName as RuleName
from latticesim.scenario.numbers import FolderName, Number, Whole, number
from latticesim.scenario.parameters import Parameters

DEFAULT_DIMENSIONS: tuple[str, ...] = (
    "china_stance",
    "global_reach",
    "ukraine_support",
    "autonomy",
    "economic_security",
    "burden_sharing",
)
THEATRES: tuple[str, ...] = ("euro_atlantic", "indo_pacific")
FORUM_THEATRES: tuple[str, ...] = ("euro_atlantic", "indo_pacific", "global")
LEVELS: tuple[str, ...] = ("absent", "official", "minister", "head")
ADVERSARIES: tuple[str, ...] = ("China", "Russia", "North Korea")
CRISIS_THEATRES: dict[str, tuple[str, str]] = {
    # flashpoint -> (adversary whose aggression spikes, theatre it happens in)
    "taiwan_strait": ("China", "indo_pacific"),
    "south_china_sea": ("China", "indo_pacific"),
    "korean_peninsula": ("North Korea", "indo_pacific"),
    "eastern_europe": ("Russia", "euro_atlantic"),
}

CRISIS_DIMENSIONS: dict[str, str] = {
    # flashpoint -> the dimension an extraordinary meeting over it takes up
    "taiwan_strait": "china_stance",
    "south_china_sea": "china_stance",
    # (none for the Korean peninsula: no dimension of the model is about North Korea)
    "eastern_europe": "ukraine_support",
}


class ActorSpec(Strict):
    """Overrides of one actor's packaged data (positions, saliences and traits)."""

    position: dict[str, Unit] = Field(
        default_factory=dict, description="Ideal point per dimension."
    )
    salience: dict[str, Unit] = Field(default_factory=dict, description="Salience per dimension.")
    stubbornness: Unit | None = Field(None, description="Anchoring to its own initial view.")
    tolerance: number(ge=0.01, le=1.0) | None = Field(
        None, description="Distance it accepts on a fully salient dimension."
    )
    attention: dict[Literal["euro_atlantic", "indo_pacific"], Unit] | None = Field(
        None, description="Attention budget across theatres (normalised to sum to 1)."
    )
    commitment: Unit | None = Field(
        None, description="Commitment to acting through multilateral forums at all."
    )


class AdversarySpec(Strict):
    """An adversary's behaviour, which moves the others' threat perceptions."""

    aggression: Unit | None = Field(None, description="Military pressure in its home theatre.")
    support: Unit | None = Field(
        None, description="Support for the war in the other theatre (China's support for Russia)."
    )
    coercion: Unit | None = Field(None, description="Economic coercion of dependent economies.")
    reaction: Unit | None = Field(
        None, description="How strongly it answers forum statements aimed at it (0 = not at all)."
    )


class _EventBase(Strict):
    date: QuarterText = Field(..., description="Quarter it happens in, e.g. 2025Q1.")
    note: str | None = Field(None, description="Words for the chronicle.")


class AttentionShift(_EventBase):
    """An actor moves attention (and resources) from one theatre to another."""

    type: Literal["attention_shift"]
    actor: str = Field(..., description="Who shifts (an actor name).")
    from_theatre: Literal["euro_atlantic", "indo_pacific"] = Field(
        ..., alias="from", description="The theatre it turns away from."
    )
    to_theatre: Literal["euro_atlantic", "indo_pacific"] = Field(
        ..., alias="to", description="The theatre it turns to."
    )
    amount: Unit = Field(..., description="Share of attention moved.")
    resources: Unit | None = Field(
        None, description="Share of resources moved out of the theatre (default: amount)."
    )


class Commitment(_EventBase):
    """An actor's commitment to acting through multilateral forums changes."""

    type: Literal["commitment"]
    actor: str = Field(..., description="Whose commitment changes (an actor name).")
    value: Unit = Field(..., description="The new commitment to acting through forums.")


class Preoccupation(_EventBase):
    """Actors' leaders are taken up at home (an election, a crisis, coalition trouble).

    For ``duration`` quarters, coming to meetings costs them more: the cost of coming
    at each level is multiplied by 1 + ``amount`` (ODD 7.4), in every forum or in one.
    """

    type: Literal["preoccupation"]
    actors: ActorNames
    amount: Number = Field(
        ...,
        ge=0.0,
        le=20.0,
        description="Added cost of attending, as a share of the usual cost of coming at "
        "each level (1 doubles it).",
    )
    forum: str | None = Field(None, description="Only at this forum (default: every forum).")
    duration: Whole = Field(4, ge=1, le=40, description="Quarters it lasts.")
    fade: Unit = Field(
        0.0, description="Share of the added cost that fades each quarter (0: none)."
    )


class _Shock(_EventBase):
    """What every shock has: the actors it strikes; each kind says what moves, and how far.

    ``type`` stands here, before ``actors``, so that a shock's fields keep the order
    messages list them in ("needs date, type, actors, ..."); each kind narrows it to its
    own name.
    """

    type: str
    actors: ActorNames


class ThreatShock(_Shock):
    """Actors' perception of the threat from an adversary jumps."""

    type: Literal["threat_shock"]
    source: str = Field(..., description="An adversary: China, Russia or North Korea.")
    amount: Shift = Field(..., description="Jump in perceived threat (-1 to 1); it fades.")


class _DimensionShock(_Shock):
    """A lasting change on dimensions: ``dimension`` and ``amount``, or ``amounts``.

    Salience and position shocks read alike: each kind says in its ``type`` what moves.
    """

    dimension: str | None = Field(None, description="The dimension it moves (with amount).")
    amount: Shift | None = Field(
        None, description="Lasting change on that dimension (-1 to 1), kept within 0-1."
    )
    amounts: dict[str, Shift] | None = Field(
        None,
        description="Lasting change by dimension, to move several at once (instead of "
        "dimension and amount).",
    )
    forum: str | None = Field(
        None,
        description="Only in this forum's meetings (a view its members hold there, a "
        "priority its agenda raises); everywhere if left out.",
    )

    @model_validator(mode="after")
    def _one_form(self) -> _DimensionShock:
        single = {"dimension": self.dimension, "amount": self.amount}
        given = [k for k, v in single.items() if v is not None]
        if self.amounts is not None and given:
            raise ValueError(
                f"give either dimension and amount, or amounts, not both ({' and '.join(given)} "
                "and amounts are given)"
            )
        if self.amounts is None and len(given) < 2:
            missing = [k for k in single if k not in given]
            raise ValueError(
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing; give "
                "dimension and amount, or amounts: {dimension: amount, ...} for several"
            )
        if self.amounts == {}:
            raise ValueError("amounts names no dimension: give amounts: {dimension: amount, ...}")
        return self

    def moves(self) -> dict[str, float]:
        """The amount by dimension, in the order written."""
        if self.amounts is not None:
            return dict(self.amounts)
        return {self.dimension: self.amount}


class SalienceShock(_DimensionShock):
    """Actors' salience of a dimension (or of several) jumps, for good."""

    type: Literal["salience_shock"]


class PositionShock(_DimensionShock):
    """Actors' own views (anchors) and positions on a dimension (or on several) move."""

    type: Literal["position_shock"]


class Crisis(_EventBase):
    """A crisis in a theatre: the adversary there presses harder for a while."""

    type: Literal["crisis"]
    theatre: Literal["taiwan_strait", "south_china_sea", "korean_peninsula", "eastern_europe"] = (
        Field(..., description="Where it happens (sets which adversary presses harder).")
    )
    intensity: Unit = Field(..., description="Added to that adversary's aggression.")
    duration: Whole = Field(4, ge=1, le=40, description="Quarters it lasts.")


class AdversaryChange(_EventBase):
    """An adversary's behaviour changes (set by the scenario)."""

    type: Literal["adversary"]
    actor: str = Field(..., description="China, Russia or North Korea.")
    aggression: Unit | None = Field(None, description="New military pressure at home.")
    support: Unit | None = Field(None, description="New support for the other theatre's war.")
    coercion: Unit | None = Field(None, description="New economic coercion.")
    reaction: Unit | None = Field(None, description="New strength of its reactions.")


class Join(_EventBase):
    """Actors join a forum as members or partners."""

    type: Literal["join"]
    forum: str = Field(..., description="The forum joined.")
    actors: ActorNames
    role: Literal["member", "partner"] = Field("member", description="Voting member or partner.")


class Leave(_EventBase):
    """Actors leave a forum."""

    type: Literal["leave"]
    forum: str = Field(..., description="The forum left.")
    actors: ActorNames


class ForumCreated(_EventBase):
    """A forum is created by the scenario."""

    type: Literal["forum_created"]
    name: str = Field(..., description="The new forum's name.")
    forum: ForumSpec = Field(..., description="The new forum, as under forums:.")


class ForumDissolved(_EventBase):
    """A forum is dissolved by the scenario."""

    type: Literal["forum_dissolved"]
    forum: str = Field(..., description="The forum dissolved.")


class Veto(_EventBase):
    """An actor declares it will block texts on a dimension beyond a narrow tolerance."""

    type: Literal["veto"]
    actor: str = Field(..., description="Who declares it (an actor name).")
    dimension: str = Field(..., description="The dimension it will block texts on.")
    tolerance: Unit = Field(0.05, description="Distance from its position it still accepts.")
    forum: str | None = Field(None, description="Only in this forum (default: everywhere).")
    until: QuarterText | None = Field(None, description="Lifted in this quarter.")


class GovernmentChange(_EventBase):
    """A change of government resets an actor's views and traits."""

    type: Literal["government_change"]
    actor: str = Field(..., description="Where the government changes (an actor name).")
    position: dict[str, Unit] = Field(default_factory=dict, description="New views.")
    salience: dict[str, Unit] = Field(default_factory=dict, description="New priorities.")
    stubbornness: Unit | None = Field(None, description="New stubbornness.")
    tolerance: number(ge=0.01, le=1.0) | None = Field(None, description="New tolerance.")
    commitment: Unit | None = Field(None, description="New commitment to forums.")
    attention: dict[Literal["euro_atlantic", "indo_pacific"], Unit] | None = Field(
        None, description="New attention across theatres."
    )


class AgendaItem(_EventBase):
    """An item put on a forum's agenda at its next meeting."""

    type: Literal["agenda_item"]
    forum: str = Field(..., description="The forum whose next meeting takes it up.")
    name: str = Field(..., min_length=1, description="What the item is, in words.")
    dimension: str = Field(..., description="The dimension it is decided on.")
    proposal: Unit | None = Field(
        None, description="Its strength as proposed (default: the convener's)."
    )


class ForumRemit(_EventBase):
    """What a forum decides and discusses changes, from this quarter on."""

    type: Literal["forum_remit"]
    forum: str = Field(..., description="The forum whose remit changes.")
    competence: list[str] | None = Field(
        None, description="The dimensions it decides from now on (replaces its competence)."
    )
    discusses: list[str] | None = Field(
        None,
        description="The dimensions it discusses without deciding from now on (replaces the list).",
    )
    drop: list[str] = Field(
        default_factory=list, description="Dimensions it no longer decides or discusses."
    )
    only: list[str] | None = Field(
        None,
        description="The only dimensions it keeps, each decided or discussed as before.",
    )

    @model_validator(mode="after")
    def _changes_something(self) -> ForumRemit:
        if (self.competence, self.discusses, self.only) == (None, None, None) and not self.drop:
            raise ValueError(
                "a forum_remit event says what changes: give competence, discusses, drop or only"
            )
        return self


class SideMeeting(_EventBase):
    """Actors plan to meet on the side of a forum's next meeting.

    A bilateral or a group of leaders: coming is worth more to them, and whether the side
    meeting happens is recorded in the log (``side_meeting``).
    """

    type: Literal["side_meeting"]
    forum: str = Field(..., description="The forum at whose next meeting they plan to meet.")
    actors: ActorNames
    value: number(ge=0.0, le=2.0) = Field(  # type: ignore[valid-type]
        0.25,
        description="How much more coming is worth to each of them: the meeting's value "
        "times 1 + value (ODD 7.4).",
    )


Event = Annotated[
    AttentionShift
    | Commitment
    | Preoccupation
    | ThreatShock
    | SalienceShock
    | PositionShock
    | Crisis
    | AdversaryChange
    | Join
    | Leave
    | ForumCreated
    | ForumDissolved
    | Veto
    | GovernmentChange
    | AgendaItem
    | ForumRemit
    | SideMeeting,
    Field(discriminator="type"),
]
EVENT_MODELS: tuple[type[_EventBase], ...] = get_args(get_args(Event)[0])
"""The event classes, in the order of the union (the order messages list them in)."""
EVENT_TYPES: tuple[str, ...] = tuple(
    get_args(model.model_fields["type"].annotation)[0] for model in EVENT_MODELS
)
"""The event types as written after ``type:``, read from the classes' ``type`` literals."""
EVENT_MODEL: dict[str, type[_EventBase]] = dict(zip(EVENT_TYPES, EVENT_MODELS, strict=True))
"""The event class of each event type."""


class ScenarioSpec(Strict):
    """A whole scenario, after ``extends`` has been resolved."""

    name: FolderName = Field(..., description="Short name, used for run folders.")
    description: str = Field("", description="What the scenario is about, in a sentence or two.")
    extends: str | None = Field(
        None,
        description="A scenario file this one overrides, as a path relative to this file "
        "(e.g. baseline_2024.yaml).",
    )
    start: SimulatedQuarter = Field(..., description="First quarter simulated.")
    horizon: SimulatedQuarter = Field(..., description="Last quarter simulated (included).")
    seed: Whole = Field(0, ge=0, description="Default seed when none is given on the command line.")
    dimensions: list[str] = Field(
        default_factory=lambda: list(DEFAULT_DIMENSIONS), description="The issue dimensions."
    )
    parameters: Parameters = Field(default_factory=Parameters)
    actors: dict[str, ActorSpec] = Field(default_factory=dict)
    adversaries: dict[str, AdversarySpec] = Field(default_factory=dict)
    forums: dict[str, ForumSpec] = Field(default_factory=dict)
    amend_forums: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        exclude=True,
        description="Forum name -> fields to change, for a forum under forums: or one a "
        "forum_created event creates (in a file that extends another); written into the "
        "forum when the file is read.",
    )
    events: list[Event] = Field(default_factory=list)

    @field_validator("dimensions")
    @classmethod
    def _unique_dimensions(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("dimensions must be unique")
        return value

    @field_validator("amend_forums")
    @classmethod
    def _amended_when_read(cls, value: dict[str, Any]) -> dict[str, Any]:
        if value:
            raise ValueError(
                "amend_forums is written into the forums when a file is read; in a spec "
                "built in Python, change the forum itself"
            )
        return value

    @model_validator(mode="after")
    def _horizon_after_start(self) -> ScenarioSpec:
        if Quarter.parse(self.horizon) < Quarter.parse(self.start):
            raise ValueError(f"horizon {self.horizon} is before start {self.start}")
        return self

    @property
    def start_quarter(self) -> Quarter:
        """The first quarter as a :class:`Quarter`."""
        return Quarter.parse(self.start)

    @property
    def horizon_quarter(self) -> Quarter:
        """The last quarter as a :class:`Quarter`."""
        return Quarter.parse(self.horizon)


class LatticeScenario(MesaScenario):
    """Mesa's typed scenario carrying a validated spec, so runs follow Mesa's idiom.

    ``LatticeModel(scenario=LatticeScenario(spec=spec, rng=seed))``; ``until`` cuts the
    run short of (or beyond) the spec's horizon without editing the file.
    """

    spec: ScenarioSpec | None = None
    until: str | None = None
    source: str | None = None


def json_schema(partial: bool = False) -> dict[str, Any]:
    """The JSON Schema of scenario files, for editors that complete and check YAML.

    ``partial=True`` drops every ``required`` list: a file that ``extends`` another
    names only what differs, so an editor should not ask it for ``start`` or a forum's
    ``calendar`` (the loader still checks the merged scenario in full).
    """
    schema = ScenarioSpec.model_json_schema(by_alias=True)
    amendment = copy.deepcopy(schema["$defs"]["ForumSpec"])
    _drop_required(amendment)
    amendment["title"] = "ForumAmendment"
    schema["$defs"]["ForumAmendment"] = amendment
    schema["properties"]["amend_forums"]["additionalProperties"] = {
        "$ref": "#/$defs/ForumAmendment"
    }
    if partial:
        _drop_required(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "latticesim scenario" + (" (extending file)" if partial else "")
    return schema


def _drop_required(node: Any) -> None:
    if isinstance(node, dict):
        node.pop("required", None)
        for value in node.values():
            _drop_required(value)
    elif isinstance(node, list):
        for value in node:
            _drop_required(value)
