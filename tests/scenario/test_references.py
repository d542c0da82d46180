"""The event types have one home (the schema's union); every other list follows from it."""

from __future__ import annotations

import typing

import pytest

from latticesim.scenario import schema
from latticesim.scenario.messages import Origin, Tree
from latticesim.scenario.references import EVENT_CHECKS, check_references


def _leaves(base: type) -> set[type]:
    """The classes below ``base`` that nothing derives from (shared bases left out)."""
    subs = base.__subclasses__()
    return set().union(*(_leaves(s) if s.__subclasses__() else {s} for s in subs))


def test_event_types_are_read_from_the_union_of_every_event_class() -> None:
    # A new event class left out of the union would be neither read nor checked.
    assert set(schema.EVENT_MODELS) == _leaves(schema._EventBase)
    assert {schema.ThreatShock, schema.SalienceShock, schema.PositionShock} <= set(
        schema.EVENT_MODELS
    )
    for etype, model in schema.EVENT_MODEL.items():
        assert model.model_fields["type"].annotation == typing.Literal[etype]
    assert len(set(schema.EVENT_TYPES)) == len(schema.EVENT_TYPES) == len(schema.EVENT_MODELS)


def test_every_event_class_has_a_cross_reference_check() -> None:
    assert set(EVENT_CHECKS) == set(schema.EVENT_MODELS)


@pytest.mark.parametrize("etype", schema.EVENT_TYPES)
def test_every_event_type_is_checked_for_its_date(etype: str) -> None:
    data = {
        "start": "2024Q1",
        "horizon": "2025Q4",
        "events": [{"type": etype, "date": "2030Q1"}],
    }
    problems = check_references(Tree(data, {(): Origin("f.yaml", 1, 1)}))
    assert [p.message for p in problems] == ["event dated 2030Q1 is after the horizon 2025Q4"]


def test_an_event_check_is_found_by_the_events_class() -> None:
    data = {
        "start": "2024Q1",
        "horizon": "2025Q4",
        "events": [
            {"type": "threat_shock", "date": "2025Q1", "actors": ["Frnace"], "source": "Iran"},
            {"type": "crisis", "date": "2025Q1", "theatre": "nowhere"},
        ],
    }
    problems = check_references(Tree(data, {(): Origin("f.yaml", 1, 1)}))
    assert sorted(p.path for p in problems) == ["events[0].actors[0]", "events[0].source"]
