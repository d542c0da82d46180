"""Events: one handler per event class of the scenario schema, found by the event's class."""

import inspect
from typing import get_args

import pytest

from latticesim import LatticeModel, LatticeScenario
from latticesim.model import events
from latticesim.scenario.schema import Event


def _event_classes():
    union, *_field = get_args(Event)  # Annotated[A | B | ..., Field(discriminator=...)]
    return set(get_args(union))


def test_every_event_class_of_the_schema_has_its_handler():
    classes = _event_classes()
    assert len(classes) >= 14
    assert set(events.HANDLERS) == classes


@pytest.mark.parametrize("cls", sorted(_event_classes(), key=lambda c: c.__name__))
def test_each_handler_is_written_for_the_class_it_is_registered_under(cls):
    handler = events.HANDLERS[cls]
    assert inspect.signature(handler).parameters["e"].annotation == cls.__name__


def test_an_event_is_applied_by_its_classs_handler(baseline):
    model = LatticeModel(LatticeScenario(spec=baseline, rng=1))
    event = baseline.model_validate(
        baseline.model_dump(mode="json", by_alias=True)
        | {"events": [{"type": "commitment", "date": "2024Q1", "actor": "Japan", "value": 0.2}]}
    ).events[0]
    text = events.apply(model, event)
    assert model.state.commitment[model.actor_index["Japan"]] == 0.2
    assert text.startswith("Japan stepped back from multilateral forums")
