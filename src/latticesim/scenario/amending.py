"""Overlaying one tree on another, and ``amend_forums:``, which reaches any forum.

A file that ``extends`` another changes a forum under ``forums:`` key by key; but a forum
its parent creates by a ``forum_created`` event lives inside that event, where
``forums:`` cannot reach (the same name under ``forums:`` would be a second forum).
``amend_forums:`` names a forum of either kind and the fields to change. They are
written into the forum's spec as ``forums:`` would write them (mappings key by key,
lists replaced), each value keeping where it was written, so that a mistake in an
amended value is reported at its line, under ``amend_forums.NAME.field``.

Each file's amendments apply to the scenario as merged up to that file, so a later
file's ``forums:`` or ``amend_forums:`` overrides an earlier file's amendment.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from latticesim.common.text import suggest
from latticesim.scenario.messages import (
    FieldPath,
    Origin,
    Problem,
    ScenarioError,
    Tree,
    kind,
    listing,
)
from latticesim.scenario.schema import ForumSpec

__all__ = ["AMEND", "apply_amendments", "copy_origins", "drop_origins", "overlay"]

AMEND = "amend_forums"
"""The key of the amendments in a scenario file."""


def drop_origins(origins: dict[FieldPath, Origin], prefix: FieldPath) -> None:
    """Forget where ``prefix`` and everything under it was written."""
    n = len(prefix)
    for path in [p for p in origins if p[:n] == prefix]:
        del origins[path]


def copy_origins(
    src: dict[FieldPath, Origin],
    prefix: FieldPath,
    dst: dict[FieldPath, Origin],
    new_prefix: FieldPath | None = None,
    *,
    moved: bool = False,
) -> None:
    """Copy the origins under ``prefix`` into ``dst``, under ``new_prefix`` if given.

    ``moved``: the values now stand at ``new_prefix``, and each origin remembers the
    path it was written at, for messages.
    """
    n = len(prefix)
    target = prefix if new_prefix is None else new_prefix
    for path, origin in src.items():
        if path[:n] == prefix:
            dst[target + path[n:]] = replace(origin, written_at=path) if moved else origin


def overlay(
    old: dict[str, Any],
    new: dict[str, Any],
    at: FieldPath,
    src: dict[FieldPath, Origin],
    origins: dict[FieldPath, Origin],
    src_at: FieldPath | None = None,
    appended: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """``new`` written over ``old`` (both at ``at``): mappings key by key, the rest replaced.

    ``src`` holds where ``new``'s values were written (under ``src_at`` when they were
    written elsewhere, which marks them as moved); ``origins`` is updated to match the
    result. Lists named in ``appended`` are joined instead of replaced.
    """
    moved = src_at is not None
    from_at = at if src_at is None else src_at
    out = dict(old)
    for key, value in new.items():
        sub, from_sub = (*at, key), (*from_at, key)
        was = old.get(key)
        if key in appended and isinstance(was, list) and isinstance(value, list):
            out[key] = was + value
            origins[sub] = src[from_sub]
            for i in range(len(value)):
                copy_origins(src, (*from_sub, i), origins, (*sub, len(was) + i), moved=moved)
        elif isinstance(was, dict) and isinstance(value, dict):
            origin = src[from_sub]
            origins[sub] = replace(origin, written_at=from_sub) if moved else origin
            out[key] = overlay(was, value, sub, src, origins, from_sub if moved else None)
        else:
            drop_origins(origins, sub)
            copy_origins(src, from_sub, origins, sub, moved=moved)
            out[key] = value
    return out


FORUM_FIELDS: tuple[str, ...] = tuple(ForumSpec.model_fields)


def _forums_in(data: dict[str, Any]) -> dict[str, FieldPath]:
    """Each forum the scenario names, and the path of its spec (under forums: or an event)."""
    found: dict[str, FieldPath] = {}
    forums = data.get("forums")
    if isinstance(forums, dict):
        found.update({name: ("forums", name) for name in forums})
    events = data.get("events")
    for i, ev in enumerate(events if isinstance(events, list) else []):
        if not isinstance(ev, dict) or ev.get("type") != "forum_created":
            continue
        name = ev.get("name")
        if isinstance(name, str) and isinstance(ev.get("forum"), dict):
            found.setdefault(name, ("events", i, "forum"))
    return found


def _check(tree: Tree, amendments: Any, forums: dict[str, FieldPath]) -> list[Problem]:
    """What makes amendments unusable: not mappings, unknown forums, unknown fields."""
    if not isinstance(amendments, dict):
        message = (
            "must be a mapping of forum names to the fields to change (amend_forums: "
            f"{{Quad: {{calendar: ...}}}}), not {kind(amendments)}"
        )
        return [tree.problem((AMEND,), message)]
    problems = []
    for name, fields in amendments.items():
        at = (AMEND, name)
        if name not in forums:
            hint = suggest(name, list(forums)) or (
                f"{listing(sorted(forums), 'forums')}; amend_forums changes a forum under "
                "forums: or one a forum_created event creates"
            )
            message = f"unknown forum '{name}'{hint}"
            problems.append(tree.problem(at, message, key=True))
        elif not isinstance(fields, dict) or not fields:
            message = (
                "says nothing to change; give the fields to change under it, e.g. "
                f"{name}: {{calendar: [{{date: 2026Q3}}]}}"
            )
            if fields is not None and not isinstance(fields, dict):
                message = f"must be a mapping of the fields to change, not {kind(fields)}"
            problems.append(tree.problem(at, message, key=True))
        else:
            for field in fields:
                if field not in FORUM_FIELDS:
                    hint = suggest(str(field), FORUM_FIELDS)
                    message = f"unknown key '{field}' for a forum{hint}"
                    problems.append(tree.problem((*at, field), message, key=True))
    return problems


def apply_amendments(tree: Tree) -> Tree:
    """``tree`` with its ``amend_forums:`` written into the forums they name, and removed.

    Raises:
        ScenarioError: for every amendment that names an unknown forum or field, or is
            not a mapping (reading stops here, as for a missing ``extends`` target).
    """
    if AMEND not in tree.data:
        return tree
    amendments = tree.data[AMEND]
    forums = _forums_in(tree.data)
    problems = _check(tree, amendments, forums)
    if problems:
        raise ScenarioError(problems)
    data = {key: value for key, value in tree.data.items() if key != AMEND}
    origins = {path: o for path, o in tree.origins.items() if path[:1] != (AMEND,)}
    for name, fields in amendments.items():
        *above, last = forums[name]
        holder = _owned(data, tuple(above))
        holder[last] = overlay(
            holder[last], fields, forums[name], tree.origins, origins, (AMEND, name)
        )
    return Tree(data, origins)


def _owned(data: dict[str, Any], path: FieldPath) -> Any:
    """The container at ``path``, copied along the way so that the tree read is not changed."""
    node: Any = data
    for step in path:
        node[step] = copy.copy(node[step])
        node = node[step]
    return node
