"""Problems in a file, one line each, and the translation of pydantic's errors into them.

Scenario and sweep files are written by analysts and teachers, not programmers, so a
mistake is reported as one line, ``FILE:LINE:COL: field.path: message``, pointing at the
file and line where the offending value was written, with a suggestion when a name looks
misspelt. :func:`problems_from` turns a pydantic ``ValidationError`` on a file's tree into
such lines; it reads the valid keys, ranges and event kinds from the model validated, so
any model of a file format (the scenario's, the sweep file's) gets the same messages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError

from latticesim.common.quarters import Quarter
from latticesim.common.text import a_or_an, and_join, closest, quoted, suggest
from latticesim.scenario.fields import QUARTER_PATTERN
from latticesim.scenario.schema import DEFAULT_DIMENSIONS
from latticesim.scenario.walk import (
    is_model,
    keys_of,
    model_field,
    schema_at,
    union_tag,
    union_tags,
    without_tags,
)

__all__ = [
    "FieldPath",
    "Origin",
    "Problem",
    "ScenarioError",
    "Tree",
    "file_problem",
    "format_path",
    "kind",
    "listing",
    "problems_from",
    "quarter_message",
    "show",
]

FieldPath = tuple[str | int, ...]
"""A place in a file's tree: mapping keys and list indices, e.g. ``("events", 2, "date")``."""

_EXAMPLE_QUARTER = "write it like 2024Q3"
_MAX_LISTED = 12


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a value was written: the file and the 1-based line and column.

    For a scalar, ``line``/``col`` point at the value itself; for a mapping or list
    written under a key, at the key (the value starts on a later line, and the key is
    what a reader looks for). ``key_line``/``key_col`` always point at the key, if the
    value was written under one. ``written_at`` is the path it was written at when it
    now stands elsewhere (a value under ``amend_forums:`` moved into its forum), so that
    a problem with it is said under the name the reader wrote.
    """

    file: str
    line: int
    col: int
    key_line: int | None = None
    key_col: int | None = None
    written_at: FieldPath | None = None


@dataclass(frozen=True, order=True, slots=True)
class Problem:
    """One mistake in a file, printed as one line an editor can jump to."""

    file: str
    line: int
    col: int
    path: str
    message: str

    def __str__(self) -> str:
        """``FILE:LINE:COL: field.path: message`` (the path is left out when there is none).

        Newlines are folded so that a problem is always exactly one line, whatever a
        message quoted from the user's file contained.
        """
        message = " ".join(self.message.split())
        head = f"{self.file}:{self.line}:{self.col}:"
        return f"{head} {self.path}: {message}" if self.path else f"{head} {message}"


class ScenarioError(Exception):
    """A scenario could not be loaded; ``problems`` says every reason, in file order.

    Raised for users' mistakes only, so callers (the CLI) can print ``str(error)`` and
    exit instead of showing a traceback.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(set(problems))
        super().__init__("\n".join(self.lines))

    @property
    def lines(self) -> list[str]:
        """The problems as printable lines."""
        return [str(p) for p in self.problems]


def file_problem(file: str, message: str, line: int = 1, col: int = 1) -> ScenarioError:
    """The error for a file that has nothing more to say (unreadable, not YAML, empty)."""
    return ScenarioError([Problem(file, line, col, "", message)])


def _key_text(key: str) -> str:
    """A key as written, quoted only when it would be unreadable or ambiguous in a path."""
    plain = key and key.isprintable() and key == key.strip() and not any(c in key for c in ".[]")
    return key if plain else json.dumps(key)


def format_path(path: FieldPath) -> str:
    """Render a path as users read it in their file: ``forums.NATO.members[3]``."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += f".{_key_text(step)}" if out else _key_text(step)
    return out


@dataclass
class Tree:
    """A file's content as plain Python values, and where each part of it was written.

    ``origins`` maps each path to its origin; the root path ``()`` is always there.
    """

    data: dict[str, Any]
    origins: dict[FieldPath, Origin]

    def locate(self, path: FieldPath, *, key: bool = False) -> Origin:
        """The origin of ``path``, or of its closest written ancestor."""
        probe = path
        while probe and probe not in self.origins:
            probe = probe[:-1]
        origin = self.origins[probe]
        if key and probe == path and origin.key_line is not None:
            return Origin(origin.file, origin.key_line, origin.key_col or 1)
        return origin

    def shown(self, path: FieldPath) -> FieldPath:
        """``path`` as the reader wrote it (see :attr:`Origin.written_at`)."""
        probe = path
        while probe and probe not in self.origins:
            probe = probe[:-1]
        written = self.origins[probe].written_at
        return path if written is None else (*written, *path[len(probe) :])

    def problem(self, path: FieldPath, message: str, *, key: bool = False) -> Problem:
        """A problem located where ``path`` was written (at its key if ``key``)."""
        o = self.locate(path, key=key)
        return Problem(o.file, o.line, o.col, format_path(self.shown(path)), message)


# --------------------------------------------------------------------------- wording


def kind(value: Any) -> str:
    """What a value is, in words: "a list", "a number", "text", "nothing"..."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return "a number"
    return "text"


def show(value: Any) -> str:
    """A value as quoted in a message: text in quotes (shortened), numbers as written."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quoted(value)
    if isinstance(value, int | float):
        return repr(value)
    return kind(value)


def _num(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def listing(choices: Iterable[str], intro: str = "valid keys here") -> str:
    """`` (valid keys here: a, b, c)`` when there are few enough choices to list, else ``""``."""
    choices = list(choices)
    if not choices or len(choices) > _MAX_LISTED:
        return ""
    return f" ({intro}: {', '.join(choices)})"


def quarter_message(value: Any) -> str:
    """Why ``value`` is not a quarter, and how to write one."""
    if isinstance(value, str):
        try:
            q = Quarter.parse(value)
        except ValueError:
            return f"{show(value)} is not a quarter; {_EXAMPLE_QUARTER}"
        return f"{show(value)} is not written as a quarter; write it as {q}"
    if value is None:
        return f"has no value; {_EXAMPLE_QUARTER}"
    return f"{show(value)} is not a quarter; {_EXAMPLE_QUARTER}"


def _bounds(meta: list[Any]) -> tuple[Any, Any]:
    lo = hi = None
    for m in meta:
        if isinstance(m, annotated_types.Ge | annotated_types.Gt):
            lo = getattr(m, "ge", getattr(m, "gt", None))
        elif isinstance(m, annotated_types.Le | annotated_types.Lt):
            hi = getattr(m, "le", getattr(m, "lt", None))
    return lo, hi


# --------------------------------------------------------------------------- translation


def problems_from(error: ValidationError, tree: Tree, model: type[BaseModel]) -> list[Problem]:
    """Translate pydantic's errors on ``tree.data`` (validated by ``model``) into problems.

    Each becomes one located, plain-English line; the required keys a mapping lacks are
    said in one line at the mapping, and "missing" is not said of a key the user wrote
    misspelt (the unknown-key line already suggests it). A field may carry advice for
    whoever gets its value wrong or leaves it out, as ``json_schema_extra={"hint": ...}``
    (e.g. "say what to vary"); it ends every message about that field, so the schema
    keeps the advice next to the field it is about.
    """
    return _Translation(tree, model).problems(error.errors(include_url=False))


_RANGE_ERRORS = ("less_than_equal", "greater_than_equal", "less_than", "greater_than")


class _Translation:
    """The errors of one validation of one tree, turned into problems."""

    def __init__(self, tree: Tree, model: type[BaseModel]) -> None:
        self.tree = tree
        self.data = tree.data
        self.model = model

    def path_of(self, loc: tuple[Any, ...]) -> tuple[FieldPath, bool]:
        """A location as a path in the file, and whether it names a mapping key."""
        path = list(without_tags(self.model, loc))
        is_key = bool(path) and path[-1] == "[key]"
        if is_key:
            path.pop()
        return tuple(path), is_key

    def problems(self, errors: list[Any]) -> list[Problem]:
        errors = self.without_echoes(errors)
        out: list[Problem] = []
        missing: dict[FieldPath, list[str]] = {}
        for err in errors:
            path, is_key = self.path_of(tuple(err["loc"]))
            if err["type"] == "missing":
                missing.setdefault(path[:-1], []).append(str(path[-1]))
                continue
            problem = self.one(err, path, is_key)
            if problem is not None and err["type"] != "extra_forbidden":
                problem = self.with_hint(problem, self.hint(path))
            if problem is not None:
                out.append(problem)
        out.extend(self.missing(parent, names) for parent, names in missing.items())
        return out

    def without_echoes(self, errors: list[Any]) -> list[Any]:
        """Drop "X is missing" when the same mapping has a misspelt key that means X.

        A misspelt required key (``ammount``) is one mistake, but the schema sees two: an
        unknown key and a missing one. The unknown-key problem already suggests the right
        name, so the echo would only make the user look for a second mistake.
        """
        meant: set[FieldPath] = set()
        for err in errors:
            if err["type"] != "extra_forbidden":
                continue
            path, _ = self.path_of(tuple(err["loc"]))
            parent, _ = schema_at(self.model, path[:-1], self.data)
            if is_model(parent):
                close = closest(str(path[-1]), keys_of(parent))
                if close:
                    meant.add((*path[:-1], close))
        return [
            err
            for err in errors
            if not (err["type"] == "missing" and self.path_of(tuple(err["loc"]))[0] in meant)
        ]

    def hint(self, path: FieldPath) -> str:
        """The advice the schema gives for the field at ``path`` ("" when it gives none)."""
        if not path:
            return ""
        parent, _ = schema_at(self.model, path[:-1], self.data)
        field = model_field(parent, path[-1]) if is_model(parent) else None
        extra = field.json_schema_extra if field is not None else None
        return str(extra.get("hint", "")) if isinstance(extra, dict) else ""

    @staticmethod
    def with_hint(problem: Problem, hint: str) -> Problem:
        return replace(problem, message=f"{problem.message}; {hint}") if hint else problem

    def tagged(self, path: FieldPath) -> tuple[str, str, int] | None:
        """The tag, noun ("event", "design") and path length of the union a path enters.

        None when the path does not go through a member of a tagged union.
        """
        found = union_tag(self.model, self.data, path)
        if found is None:
            return None
        tag, depth = found
        named = [step for step in path[:depth] if isinstance(step, str)]
        noun = named[-1].removesuffix("s") if named else "item"
        return tag, noun, depth

    def missing(self, parent: FieldPath, names: list[str]) -> Problem:
        """One problem for all the required keys a mapping lacks, at the mapping's key.

        Several missing keys usually mean one mistake (a misspelt forum name in an
        extending file starts a new forum with nothing in it), so they are said in one line.
        """
        tagged = self.tagged(parent)
        detail = ""
        if tagged is not None and len(parent) == tagged[2]:
            tag, noun, _ = tagged
            model, _ = schema_at(self.model, parent, self.data)
            if is_model(model):
                needed = [f.alias or n for n, f in model.model_fields.items() if f.is_required()]
                detail = f"; {a_or_an(tag)} {noun} needs {', '.join(needed)}"
        elif names == ["calendar"]:
            detail = "; say when the forum meets, e.g. calendar: [{quarter: 3}]"
        forums = self.data.get("forums")
        if len(parent) == 2 and parent[0] == "forums" and isinstance(forums, dict):
            hint = suggest(parent[1], [f for f in forums if f != parent[1]])
            if hint:
                detail += f"{hint} (a name not already in forums: starts a new forum)"
        hints = [h for h in (self.hint((*parent, name)) for name in names) if h]
        if hints:
            detail += f"; {and_join(hints)}"
        where = self.tree.locate(parent)
        if len(names) == 1:
            path, message = (*parent, names[0]), f"required but missing{detail}"
        else:
            path, message = parent, f"required {and_join(names)} are missing{detail}"
        return Problem(
            where.file, where.line, where.col, format_path(self.tree.shown(path)), message
        )

    def one(self, err: Mapping[str, Any], path: FieldPath, is_key: bool) -> Problem | None:
        """Translate one pydantic error into a short, located, plain-English problem."""
        kind_ = err["type"]
        value = err.get("input")
        if kind_ == "extra_forbidden":
            return self.tree.problem(path, self.unknown_key(path), key=True)
        if kind_ in ("union_tag_invalid", "union_tag_not_found"):
            return self.union_tag(kind_, path, err.get("ctx") or {}, value)
        if kind_ == "literal_error":
            return self.literal(path, is_key, err.get("ctx") or {}, value)
        if kind_ == "value_error":
            return self.value_error(path, value, str(err.get("msg", "")))
        message = self.message(kind_, path, err.get("ctx") or {}, value)
        return self.tree.problem(path, message or str(err.get("msg", kind_)))

    def unknown_key(self, path: FieldPath) -> str:
        last = path[-1]
        model, _ = schema_at(self.model, path[:-1], self.data)
        valid = keys_of(model) if is_model(model) else []
        dims = self.data.get("dimensions", DEFAULT_DIMENSIONS)
        home = self.section_of(last) if path[:-1] == () else None
        if home is not None:
            return f"unknown key '{last}' at the top level; it belongs under {home}:"
        if "position" in valid and isinstance(dims, list | tuple) and last in dims:
            return f"'{last}' is a dimension; put it under position: or salience:"
        tagged = self.tagged(path)
        where = ""
        if tagged is not None and len(path) == tagged[2] + 1:
            where = f" for {a_or_an(tagged[0])} {tagged[1]}"
        return f"unknown key '{last}'{where}{suggest(last, valid) or listing(valid)}"

    def section_of(self, key: Any) -> str | None:
        """The top-level section whose model takes ``key`` (``watering`` -> parameters)."""
        for name, field in self.model.model_fields.items():
            tp, _ = schema_at(self.model, (field.alias or name,), {})
            if is_model(tp) and key in tp.model_fields:
                return field.alias or name
        return None

    def union_tag(self, kind_: str, path: FieldPath, ctx: Mapping[str, Any], value: Any) -> Problem:
        union, _ = schema_at(self.model, path, {})
        tags = union_tags(union)
        named = [step for step in path if isinstance(step, str)]
        noun = named[-1].removesuffix("s") if named else "item"
        if kind_ == "union_tag_not_found":
            message = f"the {noun} has no type; give one of {', '.join(tags)}"
            return self.tree.problem((*path, "type"), message)
        tag = ctx.get("tag", value)
        hint = suggest(tag, tags) or listing(tags, f"{noun} types")
        return self.tree.problem((*path, "type"), f"unknown {noun} type '{tag}'{hint}")

    def literal(self, path: FieldPath, is_key: bool, ctx: Mapping[str, Any], value: Any) -> Problem:
        expected = ctx.get("expected", "")
        hint = suggest(value, re.findall(r"'([^']*)'", expected or ""))
        if is_key:
            message = f"unknown key {show(value)}; must be {expected}{hint}"
            return self.tree.problem(path, message, key=True)
        return self.tree.problem(path, f"must be {expected}, not {show(value)}{hint}")

    def value_error(self, path: FieldPath, value: Any, msg: str) -> Problem | None:
        msg = msg.removeprefix("Value error, ")
        if path == () and "horizon" in msg:
            return None  # reported, with its location, by the calendar checks
        if path == ("dimensions",) and isinstance(value, list):
            seen: set[Any] = set()
            for i, dim in enumerate(value):
                if dim in seen:
                    return self.tree.problem((*path, i), f"'{dim}' is listed twice")
                seen.add(dim)
        return self.tree.problem(path, msg)

    def is_quarter(self, path: FieldPath) -> bool:
        _, meta = schema_at(self.model, path, self.data)
        return any(getattr(m, "pattern", None) == QUARTER_PATTERN for m in meta)

    def message(self, kind_: str, path: FieldPath, ctx: Mapping[str, Any], value: Any) -> str:
        """The message of an error about a single value ("" when it has no translation)."""
        if kind_ in _RANGE_ERRORS:
            return self.out_of_range(kind_, path, ctx, value)
        if kind_ == "string_pattern_mismatch" or (kind_ == "string_type" and self.is_quarter(path)):
            return quarter_message(value)
        if kind_ in ("float_parsing", "float_type"):
            return _not_a_number(value)
        if kind_ == "finite_number":
            return f"must be a finite number, got {show(value)}"
        if kind_ in ("int_parsing", "int_type", "int_from_float"):
            return f"must be a whole number, got {show(value)}"
        if kind_.startswith("bool_"):
            return f"must be true or false, got {show(value)}"
        if kind_ == "string_type":
            if value is None:
                return "has no value; write one after the ':'"
            return f"must be text, got {kind(value)} ({show(value)})"
        if kind_ == "string_too_short":
            return "must not be empty"
        if kind_ == "too_short":
            n = ctx.get("min_length", 1)
            return f"must list at least {n} {'entry' if n == 1 else 'entries'}"
        if kind_ == "list_type":
            extra = f"; write [{value}] for a list of one" if isinstance(value, str) else ""
            return f"must be a list, got {kind(value)}{extra}"
        if kind_ in ("dict_type", "model_type", "model_attributes_type"):
            return self.not_a_mapping(path, value)
        return ""

    def out_of_range(self, kind_: str, path: FieldPath, ctx: Mapping[str, Any], value: Any) -> str:
        _, meta = schema_at(self.model, path, self.data)
        lo, hi = _bounds(meta)
        if lo is not None and hi is not None:
            return f"must be between {_num(lo)} and {_num(hi)}, got {show(value)}"
        if kind_ in ("less_than_equal", "less_than"):
            return f"must be at most {_num(ctx.get('le', ctx.get('lt')))}, got {show(value)}"
        return f"must be at least {_num(ctx.get('ge', ctx.get('gt')))}, got {show(value)}"

    def not_a_mapping(self, path: FieldPath, value: Any) -> str:
        if value is None:
            return "is empty; it needs 'key: value' lines under it"
        if len(path) == 2 and path[0] == "events":
            what = "each event must be a mapping (type:, date:, ...)"
        else:
            what = "must be a mapping of 'key: value' lines"
        return f"{what}, not {kind(value)}"


def _not_a_number(value: Any) -> str:
    msg = f"must be a number, got {show(value)}"
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            share = float(value.strip()[:-1]) / 100
        except ValueError:
            return msg
        msg += f"; write shares as decimals, e.g. {share:g} for {value.strip()}"
    return msg
