"""Parameter paths: which value of a scenario a sweep varies, and setting it.

A sweep file names what it varies by a path into the scenario
(``actors.France.tolerance``, ``events[0].amount``). A path is checked against the
scenario itself (its actors, forums, events and the schema's fields), so a misspelt name
gets the suggestion a scenario file would; :func:`apply_overrides` sets values on a
scenario without copying more of it than the paths touch.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterable, Sequence
from typing import Any

from latticesim.common.text import a_or_an, suggest
from latticesim.scenario.messages import FieldPath, format_path, listing
from latticesim.scenario.references import ALIASES, forum_actors
from latticesim.scenario.schema import ADVERSARIES, ScenarioSpec
from latticesim.scenario.walk import is_model, keys_of, model_field, schema_at

__all__ = [
    "SWEEPABLE",
    "PathError",
    "apply_overrides",
    "kind_of",
    "override",
    "parse_path",
    "resolve_path",
]

SWEEPABLE = ("parameters", "actors", "adversaries", "forums", "events")
"""The sections of a scenario whose values a sweep may vary."""

_SEGMENT = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([^.\[\]"]+))\s*')
_INDEX = re.compile(r"\[\s*(-?\d+)\s*\]\s*")
_PATH_HELP = "write it like parameters.watering, actors.France.tolerance or events[0].amount"


def parse_path(text: str) -> FieldPath:
    """Read a parameter path as users write it in a sweep file.

    ``actors.United States.commitment`` -> ``("actors", "United States", "commitment")``,
    ``events[0].amount`` -> ``("events", 0, "amount")``; a name holding a dot goes in
    double quotes (``forums."A.B".standing``).

    Raises:
        ValueError: with a message saying how to write a path.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"a parameter path must be text; {_PATH_HELP}")
    out: list[str | int] = []
    pos = 0
    while True:
        m = _SEGMENT.match(text, pos)
        if not m:
            raise ValueError(f"cannot read '{text}' as a parameter path; {_PATH_HELP}")
        if m.group(1) is not None:
            out.append(m.group(1))
        else:
            name = m.group(2).strip()
            # events.0.amount is events[0].amount: brackets need quotes in YAML lists.
            out.append(int(name) if name.isdigit() and out else name)
        pos = m.end()
        while (im := _INDEX.match(text, pos)) is not None:
            out.append(int(im.group(1)))
            pos = im.end()
        if pos == len(text):
            return tuple(out)
        if text[pos] != ".":
            raise ValueError(f"cannot read '{text}' as a parameter path; {_PATH_HELP}")
        pos += 1


class PathError(ValueError):
    """A path that names nothing in the scenario (the message says what is there)."""


def resolve_path(dump: dict[str, Any], path: FieldPath) -> tuple[Any, list[Any]]:
    """The declared type and constraints of the value a path names in the scenario.

    Names are checked against the scenario (actors, adversaries, forums, dimensions,
    events), so a misspelt name gets the same suggestion a scenario file would.

    Raises:
        PathError: naming the first part of the path that is wrong.
    """
    root = path[0]
    if root not in SWEEPABLE:
        raise PathError(
            f"'{root}' cannot be varied{suggest(root, SWEEPABLE)}; a path starts with "
            f"{', '.join(SWEEPABLE[:-1])} or {SWEEPABLE[-1]}"
        )
    if len(path) < 2:
        raise PathError(f"'{root}' is a section; {_PATH_HELP}")
    _check_name(dump, root, path[1])
    for k in range(2 if root != "parameters" else 1, len(path)):
        _check_step(dump, path, k)
    tp, meta = schema_at(ScenarioSpec, path, dump)
    if tp is None:
        raise PathError(f"{format_path(path)} names nothing in the scenario; {_PATH_HELP}")
    if is_model(tp) or typing.get_origin(tp) is dict:
        keys = _choices(dump, tp, path[-1])
        more = f"; go on to one of {', '.join(keys)}" if keys and len(keys) <= 12 else ""
        raise PathError(f"{format_path(path)} is a section, not a value{more}")
    return tp, meta


def _check_name(dump: dict[str, Any], root: str, name: str | int) -> None:
    """The event, actor, adversary or forum a path names (its second step) exists."""
    if root == "events":
        events = dump.get("events") or []
        if not isinstance(name, int):
            raise PathError("events are numbered from 0; write events[0].amount")
        if not 0 <= name < len(events):
            have = f"events[0] to events[{len(events) - 1}]" if events else "none"
            raise PathError(f"the scenario has {len(events)} events ({have}); no events[{name}]")
        return
    if root == "parameters":
        return
    names: Sequence[str]
    if root == "actors":
        names, what, aliases = forum_actors(), "actor", ALIASES
        if name in ADVERSARIES:
            raise PathError(f"'{name}' is an adversary; vary it under adversaries.{name}")
    elif root == "adversaries":
        names, what, aliases = ADVERSARIES, "adversary", ALIASES
    else:
        names, what, aliases = list(dump.get("forums") or {}), "forum", None
    if name not in names:
        hint = suggest(name, names, aliases) or listing(names, f"{what}s")
        raise PathError(f"unknown {what} '{name}'{hint}")


def _choices(dump: dict[str, Any], tp: Any, key: Any) -> list[str]:
    """The keys that may follow a place of type ``tp`` written under ``key`` ([] if any)."""
    if is_model(tp):
        return [k for k in keys_of(tp) if k != "type"]
    key_type = typing.get_args(tp)[0]
    if typing.get_origin(key_type) is typing.Literal:
        return [str(c) for c in typing.get_args(key_type)]
    if key in ("position", "salience"):
        return list(dump.get("dimensions") or [])
    return []


def _check_step(dump: dict[str, Any], path: FieldPath, k: int) -> None:
    """Step ``k`` of a path leads somewhere from the place the steps before it name."""
    parent, _ = schema_at(ScenarioSpec, path[:k], dump)
    step = path[k]
    shown = format_path(path[:k])
    if is_model(parent):
        if model_field(parent, step) is None or step == "type":
            keys = _choices(dump, parent, path[k - 1])
            kind = ""
            if path[0] == "events":
                kind = f" for {a_or_an(dump['events'][path[1]].get('type', '?'))} event"
            hint = suggest(step, keys) or listing(keys)
            raise PathError(f"unknown key '{step}' in {shown}{kind}{hint}")
    elif typing.get_origin(parent) is dict:
        choices = _choices(dump, parent, path[k - 1])
        if choices and step not in choices:
            hint = suggest(step, choices) or listing(choices, "choices")
            raise PathError(f"unknown key '{step}' in {shown}{hint}")
    elif typing.get_origin(parent) is list:
        node = _node(dump, path[:k])
        if not isinstance(step, int):
            raise PathError(f"{shown} is a list; pick an entry like {shown}[0]")
        if not isinstance(node, list) or not 0 <= step < len(node):
            size = len(node) if isinstance(node, list) else 0
            raise PathError(f"{shown} has {size} entries; no {shown}[{step}]")
    else:
        raise PathError(f"{shown} is a single value; the path ends there")


def _node(data: Any, path: FieldPath) -> Any:
    for step in path:
        if isinstance(data, dict):
            data = data.get(step)
        elif isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
            data = data[step]
        else:
            return None
    return data


def kind_of(tp: Any) -> str:
    """How a value of this declared type is swept and stored: int, float, bool or other."""
    if tp is bool:
        return "bool"
    if tp is int:
        return "int"
    if tp is float:
        return "float"
    if typing.get_origin(tp) is typing.Literal or tp is str:
        return "text"
    return "other"


def _with(node: Any, path: FieldPath, value: Any) -> Any:
    """A copy of ``node`` with ``path`` set to ``value``, copying only along the path.

    The untouched branches are shared with the base scenario (validation does not
    modify its input), so applying a point costs a few dictionary copies, not a deep
    copy of the whole scenario.
    """
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, list):
        out_list = list(node)
        out_list[head] = _with(node[head], rest, value)  # type: ignore[index]
        return out_list
    out = dict(node) if isinstance(node, dict) else {}
    out[head] = _with(out.get(head), rest, value)
    return out


def override(base: dict[str, Any], overrides: Iterable[tuple[FieldPath, Any]]) -> dict[str, Any]:
    """The scenario tree ``base`` with values set, sharing what they leave untouched."""
    data: Any = base
    for path, value in overrides:
        data = _with(data, path, value)
    return data


def apply_overrides(
    base: dict[str, Any], overrides: Iterable[tuple[FieldPath, Any]]
) -> ScenarioSpec:
    """The scenario ``base`` (a ``model_dump(mode="json", by_alias=True)``) with values set.

    Raises:
        pydantic.ValidationError: when a value does not fit the scenario's schema.
    """
    return ScenarioSpec.model_validate(override(base, overrides))
