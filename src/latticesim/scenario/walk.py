"""Walking a pydantic schema along a path of keys, to say what a place in a file may hold.

Messages about scenario and sweep files name the keys valid at a place, the range of a
number, the kind of event a key belongs to. All of that is read from the models
themselves (walked here, not hard-coded), so messages stay right when a schema grows.

A discriminated union (scenario events, sweep designs) is tagged by its members' ``type``
field; walking into one picks the member the written ``type`` names.
"""

from __future__ import annotations

import types
import typing
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

if TYPE_CHECKING:
    from latticesim.scenario.messages import FieldPath

__all__ = [
    "is_model",
    "keys_of",
    "model_field",
    "schema_at",
    "union_member",
    "union_tag",
    "union_tags",
    "unwrap",
    "without_tags",
]


def is_model(tp: Any) -> bool:
    """Whether ``tp`` is a pydantic model class (not an instance, not a generic alias)."""
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def unwrap(tp: Any, meta: list[Any]) -> Any:
    """Strip ``Annotated`` (collecting its constraints into ``meta``) and ``| None`` from a type."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp, *extra = typing.get_args(tp)
            for item in extra:
                meta.extend(item.metadata if isinstance(item, FieldInfo) else [item])
            continue
        if _is_union(tp):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
        return tp


def union_tags(tp: Any) -> list[str]:
    """The ``type`` tags of a discriminated union's members, in the union's order."""
    tags: list[str] = []
    for arg in typing.get_args(tp):
        field = arg.model_fields.get("type") if is_model(arg) else None
        if field is not None:
            tags.extend(str(t) for t in typing.get_args(field.annotation))
    return tags


def union_member(tp: Any, tag: Any) -> Any:
    """The member of a discriminated union whose ``type`` is ``tag``, or None."""
    for arg in typing.get_args(tp):
        if is_model(arg):
            field = arg.model_fields.get("type")
            if field is not None and tag in typing.get_args(field.annotation):
                return arg
    return None


def model_field(model: type[BaseModel], key: Any) -> FieldInfo | None:
    """The field written as ``key`` (its name or its alias), or None."""
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field
    return None


def keys_of(model: type[BaseModel]) -> list[str]:
    """The keys a model takes, as written in a file (aliases where they differ)."""
    return [field.alias or name for name, field in model.model_fields.items()]


def _step(tp: Any, step: Any) -> tuple[Any, list[Any]] | None:
    """The type one step below ``tp`` and the step's own constraints, or None."""
    if is_model(tp):
        field = model_field(tp, step)
        return None if field is None else (field.annotation, list(field.metadata))
    if typing.get_origin(tp) is dict:
        return typing.get_args(tp)[1], []
    if typing.get_origin(tp) is list:
        return typing.get_args(tp)[0], []
    return None


def _child(node: Any, step: Any) -> Any:
    if isinstance(node, dict):
        return node.get(step)
    if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
        return node[step]
    return None


def schema_at(model: type[BaseModel], path: FieldPath, data: Any) -> tuple[Any, list[Any]]:
    """The declared type at ``path`` below ``model`` (a model, list, dict...) and its constraints.

    ``(None, [])`` when the path leaves the schema. ``data`` is the tree being checked: it
    says which member of a union a path enters.
    """
    tp: Any = model
    node: Any = data
    meta: list[Any] = []
    for step in path:
        meta = []
        tp = unwrap(tp, meta)
        if _is_union(tp):
            tp = union_member(tp, node.get("type") if isinstance(node, dict) else None)
        found = _step(tp, step)
        if found is None:
            return None, []
        tp, meta = found
        node = _child(node, step)
    tp = unwrap(tp, meta)
    if _is_union(tp):
        tp = union_member(tp, node.get("type") if isinstance(node, dict) else None) or tp
    return tp, meta


def without_tags(model: type[BaseModel], loc: tuple[Any, ...]) -> FieldPath:
    """A pydantic error location as a path in the file.

    Pydantic puts the tag of a discriminated union's member in the location
    (``events.3.attention_shift.amount``); the file has no such key, so it is dropped.
    """
    path: list[str | int] = []
    tp: Any = model
    for step in loc:
        tp = unwrap(tp, [])
        if _is_union(tp) and isinstance(step, str) and step in union_tags(tp):
            tp = union_member(tp, step)
            continue
        path.append(step)
        found = _step(tp, step) if tp is not None else None
        tp = found[0] if found is not None else None
    return tuple(path)


def union_tag(model: type[BaseModel], data: Any, path: FieldPath) -> tuple[str, int] | None:
    """The tag of the union member a path goes through, and the path's length to the union.

    ``("attention_shift", 2)`` for ``events[4].amount``; None off tagged unions.
    """
    tp: Any = model
    node: Any = data
    for depth, step in enumerate((*path, None)):
        tp = unwrap(tp, [])
        if _is_union(tp):
            tag = node.get("type") if isinstance(node, dict) else None
            return (str(tag), depth) if union_member(tp, tag) is not None else None
        found = _step(tp, step) if step is not None else None
        if found is None:
            return None
        tp, node = found[0], _child(node, step)
    return None
