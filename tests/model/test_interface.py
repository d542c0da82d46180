"""The model's declared faces: the model has what they declare; their users touch no more.

Event handlers and founding, the recorder, role-play and the seminar's rooms read and
write the model only through ``latticesim.model.interface`` (and the rooms' own
``RoomModel``). These tests read those modules' source and list every attribute they
take from the model.
"""

import ast
import inspect
from pathlib import Path
from typing import Protocol

import pytest

from latticesim import LatticeModel, LatticeScenario
from latticesim.model import delegations, events, founding, joint, recorder
from latticesim.model.interface import EventModel, PlayedModel, RecordedModel
from latticesim.seminar import rooms
from latticesim.seminar.rooms import RoomModel


def declared(protocol: type) -> set[str]:
    """Names a Protocol declares: its attributes, properties and methods, with its bases'."""
    names: set[str] = set()
    for klass in protocol.__mro__:
        if klass in (Protocol, object) or not getattr(klass, "_is_protocol", False):
            continue
        names |= set(klass.__dict__.get("__annotations__", {}))
        names |= {n for n, v in vars(klass).items() if not n.startswith("_") and callable(v)}
        names |= {n for n, v in vars(klass).items() if isinstance(v, property)}
    return names


def used(module, names: set[str]) -> set[str]:
    """Attributes the module takes from the model: ``model.x`` for a name in ``names``
    (the module's names for the model), and ``<anything>.model.x``."""
    tree = ast.parse(Path(inspect.getfile(module)).read_text())
    out = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        owner = node.value
        if (isinstance(owner, ast.Name) and owner.id in names) or (
            isinstance(owner, ast.Attribute) and owner.attr == "model"
        ):
            out.add(node.attr)
    return out


USERS = [
    (events, {"model"}, EventModel),
    (founding, {"model"}, EventModel),
    (recorder, {"m"}, RecordedModel),
    (joint, {"m"}, RecordedModel),
    (delegations, {"model"}, PlayedModel),
    (rooms, {"model", "room_model", "alone"}, RoomModel),
]


@pytest.mark.parametrize(
    ("module", "names", "face"), USERS, ids=lambda x: getattr(x, "__name__", "")
)
def test_modules_use_only_what_the_model_declares_for_them(module, names, face):
    taken = used(module, names)
    assert taken, "the scan found nothing: has the module renamed its model?"
    assert taken <= declared(face), f"undeclared: {sorted(taken - declared(face))}"


@pytest.mark.parametrize("face", [EventModel, RecordedModel, PlayedModel])
def test_the_model_has_all_it_declares(baseline, face):
    model = LatticeModel(LatticeScenario(spec=baseline, rng=1))
    model.step()
    missing = {n for n in declared(face) if not hasattr(model, n)}
    assert not missing


def test_a_room_follows_only_models_with_a_slot_for_it():
    assert declared(RoomModel) - declared(PlayedModel) == {"room"}
    assert not hasattr(LatticeModel, "room")  # the dashboard's model declares one
