"""Reading scenario files: YAML in, a validated :class:`ScenarioSpec` (or plain-English errors) out.

Scenario files are written by analysts and teachers, not programmers, so this module
cares less about parsing than about what happens when a file is wrong. Every mistake is
reported as one line, ``FILE:LINE:COL: field.path: message``, pointing at the file and
line where the offending value was written (even when it sits in a parent scenario that
the file ``extends``), with a suggestion when a name looks misspelt. A user's mistake
never produces a traceback.

Loading happens in four steps:

1. Each file is read with ruamel.yaml's round-trip loader, which remembers the line and
   column of every key and item; the tree is turned into plain Python values plus a
   *provenance* map from each path (``("forums", "NATO", "members", 3)``) to its origin.
2. ``extends`` is followed (relative to the extending file; chains allowed, cycles not)
   and the files are merged: mappings key by key, lists replaced, except ``events``,
   which are appended; ``name``, ``description`` and ``extends`` are never inherited.
3. The merged tree is validated by the pydantic schema in :mod:`latticesim.scenario.schema`.
4. Cross-references the schema cannot see are checked: actor, group, adversary, forum
   and dimension names, and event dates against the scenario's calendar.

Steps 3 and 4 report every problem they find at once; steps 1 and 2 stop at the first
(a file that does not parse, or cannot be found, has nothing more to say).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import hashlib
import json
import os
import re
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from latticesim.common.quarters import Quarter
from latticesim.scenario.schema import (
    ADVERSARIES,
    DEFAULT_DIMENSIONS,
    EVENT_TYPES,
    Parameters,
    ScenarioSpec,
    json_schema,
)
from latticesim.world.actors import GROUPS, actor_names

__all__ = [
    "FieldPath",
    "Origin",
    "Problem",
    "ScenarioError",
    "dump_schema",
    "format_path",
    "load_merged",
    "load_scenario",
    "load_with_provenance",
    "scenario_hash",
    "validate_files",
]

FieldPath = tuple[str | int, ...]
"""A place in a scenario tree: mapping keys and list indices, e.g. ``("events", 2, "date")``."""

QUARTER_FIELDS = frozenset({"date", "until", "start", "horizon"})
NOT_INHERITED = ("extends", "name", "description")
APPENDED_LISTS = frozenset({"events"})
_EXAMPLE_QUARTER = "write it like 2024Q3"
_MAX_LISTED = 12

# Names people commonly use for an actor, mapped to the packaged name.
_ALIASES: dict[str, str] = {
    "us": "United States",
    "usa": "United States",
    "u.s.": "United States",
    "america": "United States",
    "united states of america": "United States",
    "uk": "United Kingdom",
    "britain": "United Kingdom",
    "great britain": "United Kingdom",
    "turkey": "Turkiye",
    "türkiye": "Turkiye",
    "korea": "South Korea",
    "republic of korea": "South Korea",
    "rok": "South Korea",
    "the netherlands": "Netherlands",
    "holland": "Netherlands",
    "czech republic": "Czechia",
    "european union": "European Union (institution)",
    "eu institution": "European Union (institution)",
    "european commission": "European Union (institution)",
    "dprk": "North Korea",
    "prc": "China",
    "russian federation": "Russia",
    "macedonia": "North Macedonia",
}


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a value was written: the file and the 1-based line and column.

    For a scalar, ``line``/``col`` point at the value itself; for a mapping or list
    written under a key, at the key (the value starts on a later line, and the key is
    what a reader looks for). ``key_line``/``key_col`` always point at the key, if the
    value was written under one.
    """

    file: str
    line: int
    col: int
    key_line: int | None = None
    key_col: int | None = None


@dataclass(frozen=True, order=True, slots=True)
class Problem:
    """One mistake in a scenario, printed as one line an editor can jump to."""

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


# --------------------------------------------------------------------------- reading


@dataclass
class _Tree:
    """A plain-Python scenario tree and where each part of it was written."""

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

    def problem(self, path: FieldPath, message: str, *, key: bool = False) -> Problem:
        """A problem located where ``path`` was written (at its key if ``key``)."""
        o = self.locate(path, key=key)
        return Problem(o.file, o.line, o.col, format_path(path), message)


def _file_problem(file: str, message: str, line: int = 1, col: int = 1) -> ScenarioError:
    return ScenarioError([Problem(file, line, col, "", message)])


def _read_text(display: str) -> str:
    path = Path(display)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise _file_problem(display, "no such file") from None
    except IsADirectoryError:
        raise _file_problem(display, "is a folder, not a scenario file") from None
    except UnicodeDecodeError as exc:
        raise _file_problem(
            display, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise _file_problem(display, f"cannot be read: {exc.strerror or exc}") from None


def _yaml_message(exc: MarkedYAMLError) -> str:
    """Rewrite ruamel's parser language into advice a non-programmer can act on."""
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    ctx_line = exc.context_mark.line + 1 if exc.context_mark is not None else None
    since = f" on line {ctx_line}" if ctx_line else ""
    if isinstance(exc, DuplicateKeyError):
        m = re.search(r'duplicate key "(.*?)"', problem)
        key = m.group(1) if m else "?"
        return (
            f"duplicate key '{key}': it is already written in this mapping"
            f"{f' (which starts on line {ctx_line})' if ctx_line else ''}; keep only one"
        )
    if "'\\t'" in problem or "\t" in problem:
        return "a tab character here; indent with spaces, never tabs"
    if "mapping values are not allowed" in problem:
        return (
            "unexpected ':' here; check this line's indentation, or put quotes around a "
            "value that contains ': '"
        )
    if "flow sequence" in context:
        return f"a list opened with '['{since} is not closed with ']' (or lacks a comma)"
    if "flow mapping" in context:
        return f"a mapping opened with '{{'{since} is not closed with '}}' (or lacks a comma)"
    if "quoted scalar" in context and "end of stream" in problem:
        return f"a quote opened{since} is never closed"
    if "escape character" in problem:
        return f"{problem} in double quotes; use single quotes for text with a '\\' in it"
    if "expected <block end>" in problem:
        return (
            "this line does not line up with the lines above it; check its indentation "
            "(and that list items start with '- ')"
        )
    if "could not find expected ':'" in problem:
        return "expected 'key: value' here; check for a missing ':' or a stray line"
    if "sequence entries are not allowed" in problem:
        return (
            "a '- ' list item is not allowed here; check the indentation, or put quotes "
            "around a value that starts with '-'"
        )
    if "undefined alias" in problem:
        return (
            "'*' starts a reference to an anchor (&name) defined earlier, and none is "
            "defined here; remove the '*' or put the value in quotes"
        )
    if "block scalar" in context:
        return (
            "'|' and '>' start a block of text on the following lines; put the value in "
            "quotes if it starts with one of them"
        )
    m = re.search(r"found character '(.)' that cannot start any token", problem)
    if m:
        return f"a value cannot start with '{m.group(1)}'; put the value in quotes"
    text = problem or context or "not valid YAML"
    if context and problem:
        text = f"{problem} ({context}{f' on line {ctx_line}' if ctx_line else ''})"
    return f"not valid YAML: {text}"


def _parse_yaml(display: str, text: str) -> Any:
    yaml = YAML(typ="rt")
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "end of stream" in (exc.problem or "") and exc.context_mark is not None:
            # The end of the file is never where the fix goes; the opening quote is.
            mark = exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise _file_problem(display, _yaml_message(exc), line, col) from None
    except YAMLError as exc:
        raise _file_problem(display, f"not valid YAML: {exc}") from None
    except (TypeError, ValueError, RecursionError) as exc:
        # ruamel trips over some odd constructs (a mapping used as a key, very deep
        # nesting) with a plain Python error; it is still a mistake in the file.
        raise _file_problem(
            display,
            f"cannot be read as YAML ({exc}); look for a '?', '{{' or '[' where a key "
            "should be, or nesting that never ends",
        ) from None


def _plain_key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def _plain_scalar(value: Any) -> Any:
    """Turn ruamel's scalar subclasses into the plain types pydantic and JSON expect."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, _dt.date):
        # An unquoted 2025-01-01 is a date to YAML; keep the text so the error can say
        # "'2025-01-01' is not a quarter" instead of complaining about a type.
        return value.isoformat()
    if isinstance(value, TaggedScalar):
        return str(value.value)
    return str(value)


def _lc(getter: Any, item: Any) -> tuple[int, int] | None:
    try:
        line, col = getter(item)
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    return line + 1, col + 1


def _to_plain(node: Any, path: FieldPath, file: str, origins: dict[FieldPath, Origin]) -> Any:
    """Copy a ruamel tree into plain values, recording each value's origin on the way."""
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        fallback = (node.lc.line + 1, node.lc.col + 1) if node.lc.line is not None else (1, 1)
        for raw_key, raw_value in node.items():
            key = _plain_key(raw_key)
            sub = (*path, key)
            kpos = _lc(node.lc.key, raw_key) or fallback
            vpos = _lc(node.lc.value, raw_key) or kpos
            where = kpos if isinstance(raw_value, CommentedMap | CommentedSeq) else vpos
            origins[sub] = Origin(file, where[0], where[1], kpos[0], kpos[1])
            out[key] = _to_plain(raw_value, sub, file, origins)
        return out
    if isinstance(node, CommentedSeq):
        items: list[Any] = []
        fallback = (node.lc.line + 1, node.lc.col + 1) if node.lc.line is not None else (1, 1)
        for index, raw_item in enumerate(node):
            sub = (*path, index)
            pos = _lc(node.lc.item, index) or fallback
            origins[sub] = Origin(file, pos[0], pos[1])
            items.append(_to_plain(raw_item, sub, file, origins))
        return items
    if isinstance(node, Mapping):  # e.g. !!omap; no positions, so use the parent's
        return {
            _plain_key(k): _to_plain(v, (*path, _plain_key(k)), file, origins)
            for k, v in node.items()
        }
    return _plain_scalar(node)


def _read_tree(display: str) -> _Tree:
    raw = _parse_yaml(display, _read_text(display))
    if raw is None:
        raise _file_problem(
            display,
            "the file is empty; a scenario needs at least name:, start: and horizon: "
            "(or extends: and name:)",
        )
    if not isinstance(raw, CommentedMap):
        kind = _kind(raw)
        line = (raw.lc.line + 1) if isinstance(raw, CommentedSeq) else 1
        raise _file_problem(
            display,
            f"the top level must be a mapping of keys (name:, start:, ...), not {kind}",
            line,
        )
    origins: dict[FieldPath, Origin] = {(): Origin(display, 1, 1)}
    data = _to_plain(raw, (), display, origins)
    return _Tree(data, origins)


# --------------------------------------------------------------------------- extends


def _drop(origins: dict[FieldPath, Origin], prefix: FieldPath) -> None:
    n = len(prefix)
    for path in [p for p in origins if p[:n] == prefix]:
        del origins[path]


def _copy(
    src: dict[FieldPath, Origin],
    prefix: FieldPath,
    dst: dict[FieldPath, Origin],
    new_prefix: FieldPath | None = None,
) -> None:
    n = len(prefix)
    target = prefix if new_prefix is None else new_prefix
    for path, origin in src.items():
        if path[:n] == prefix:
            dst[target + path[n:]] = origin


def _merge(parent: _Tree, child: _Tree) -> _Tree:
    """Overlay ``child`` on ``parent`` (see the module docstring for the rules)."""
    origins = dict(parent.origins)
    for key in NOT_INHERITED:
        _drop(origins, (key,))
    origins[()] = child.origins[()]
    base = {k: v for k, v in parent.data.items() if k not in NOT_INHERITED}

    def merge(p: Any, c: Any, path: FieldPath) -> Any:
        out = dict(p)
        for key, value in c.items():
            sub = (*path, key)
            old = p.get(key)
            if (
                path == ()
                and key in APPENDED_LISTS
                and isinstance(old, list)
                and isinstance(value, list)
            ):
                out[key] = old + value
                origins[sub] = child.origins[sub]
                for i in range(len(value)):
                    _copy(child.origins, (*sub, i), origins, (*sub, len(old) + i))
            elif isinstance(old, dict) and isinstance(value, dict):
                origins[sub] = child.origins[sub]
                out[key] = merge(old, value, sub)
            else:
                _drop(origins, sub)
                _copy(child.origins, sub, origins)
                out[key] = value
        return out

    return _Tree(merge(base, child.data, ()), origins)


def _extends_target(tree: _Tree, display: str) -> str | None:
    value = tree.data.get("extends")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(
            [
                tree.problem(
                    ("extends",),
                    "must be the name of another scenario file, relative to this one "
                    "(e.g. extends: baseline_2024.yaml)",
                )
            ]
        )
    return os.path.normpath(os.path.join(os.path.dirname(display), value.strip()))


def _missing_parent(tree: _Tree, target: str) -> ScenarioError:
    folder = Path(target).parent
    wanted = Path(target).name
    hint = ""
    try:
        candidates = sorted(
            p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()
        )
    except OSError:
        candidates = []
    close = difflib.get_close_matches(wanted, candidates, n=1)
    if close:
        hint = f"; did you mean '{close[0]}'?"
    origin = tree.locate(("extends",), key=True)
    value = tree.data["extends"]
    return ScenarioError(
        [
            Problem(
                origin.file,
                origin.line,
                origin.col,
                "extends",
                f"cannot find '{value}' (looked for {target}){hint}",
            )
        ]
    )


def _load_chain(display: str, chain: list[tuple[Path, str, Origin]]) -> _Tree:
    """Load ``display`` and its parents; ``chain`` holds the files that led here."""
    tree = _read_tree(display)
    target = _extends_target(tree, display)
    if target is None:
        return tree
    chain = [*chain, (Path(display).resolve(), display, tree.locate(("extends",), key=True))]
    target_real = Path(target).resolve()
    for index, (real, _, at) in enumerate(chain):
        if real == target_real:
            loop = [shown for _, shown, _ in chain[index:]] + [chain[index][1]]
            raise ScenarioError(
                [
                    Problem(
                        at.file,
                        at.line,
                        at.col,
                        "extends",
                        "goes round in a circle: "
                        + " -> ".join(loop)
                        + "; a scenario cannot extend itself, directly or through others",
                    )
                ]
            )
    if not target_real.is_file():
        raise _missing_parent(tree, target)
    parent = _load_chain(target, chain)
    return _merge(parent, tree)


def load_merged(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[FieldPath, Origin]]:
    """Read a scenario and its ``extends`` chain, merged but not yet validated.

    Useful to tools that want the raw tree (say, to show what a child changes) with the
    origin of each value.

    Raises:
        ScenarioError: for malformed YAML, a missing file or ``extends`` target, or a
            cycle of ``extends``; these stop loading at the first problem.
    """
    tree = _load_chain(os.fspath(path), [])
    return tree.data, tree.origins


# --------------------------------------------------------------------------- schema walk


def _unwrap(tp: Any, meta: list[Any]) -> Any:
    """Strip ``Annotated`` (collecting its constraints) and ``| None`` from a type."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp, *extra = typing.get_args(tp)
            for item in extra:
                meta.extend(item.metadata if isinstance(item, FieldInfo) else [item])
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
        return tp


def _pick_event(tp: Any, node: Any) -> Any:
    """For the events union, the event model named by the node's ``type``."""
    tag = node.get("type") if isinstance(node, dict) else None
    for arg in typing.get_args(tp):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            field = arg.model_fields.get("type")
            if field is not None and tag in typing.get_args(field.annotation):
                return arg
    return None


def _model_field(model: type[BaseModel], key: Any) -> FieldInfo | None:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field
    return None


def _schema_at(path: FieldPath, data: Any) -> tuple[Any, list[Any]]:
    """The declared type at ``path`` (a model class, list, dict...) and its constraints.

    Walking the pydantic models rather than hard-coding paths keeps suggestions and
    ranges right when the schema grows.
    """
    tp: Any = ScenarioSpec
    node: Any = data
    meta: list[Any] = []
    for step in path:
        meta = []
        tp = _unwrap(tp, meta)
        if typing.get_origin(tp) in (typing.Union, types.UnionType):
            tp = _pick_event(tp, node)
            if tp is None:
                return None, []
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = _model_field(tp, step)
            if field is None:
                return None, []
            meta = list(field.metadata)
            tp = field.annotation
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        elif typing.get_origin(tp) is list:
            tp = typing.get_args(tp)[0]
        else:
            return None, []
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            node = None
    tp = _unwrap(tp, meta)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        tp = _pick_event(tp, node) or tp
    return tp, meta


def _keys_of(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


# --------------------------------------------------------------------------- messages


def _kind(value: Any) -> str:
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


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}...'"
    if isinstance(value, int | float):
        return repr(value)
    return _kind(value)


def _num(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _suggest(word: Any, choices: Iterable[str], aliases: Mapping[str, str] | None = None) -> str:
    """``; did you mean 'X'?`` for the closest choice, ignoring case, or ``""``."""
    if not isinstance(word, str):
        return ""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    w = word.strip().lower()
    if aliases and w in aliases and aliases[w] in choices:
        return f"; did you mean '{aliases[w]}'?"
    if w in lowered and lowered[w] != word:
        return f"; did you mean '{lowered[w]}'?"
    close = difflib.get_close_matches(w, list(lowered), n=1, cutoff=0.6)
    return f"; did you mean '{lowered[close[0]]}'?" if close else ""


def _listing(choices: Iterable[str], intro: str = "valid keys here") -> str:
    choices = list(choices)
    if not choices or len(choices) > _MAX_LISTED:
        return ""
    return f" ({intro}: {', '.join(choices)})"


def _quarter_message(value: Any) -> str:
    if isinstance(value, str):
        try:
            q = Quarter.parse(value)
        except ValueError:
            return f"{_show(value)} is not a quarter; {_EXAMPLE_QUARTER}"
        return f"{_show(value)} is not written as a quarter; write it as {q}"
    if value is None:
        return f"has no value; {_EXAMPLE_QUARTER}"
    return f"{_show(value)} is not a quarter; {_EXAMPLE_QUARTER}"


def _bounds(meta: list[Any]) -> tuple[Any, Any]:
    lo = hi = None
    for m in meta:
        if isinstance(m, annotated_types.Ge | annotated_types.Gt):
            lo = getattr(m, "ge", getattr(m, "gt", None))
        elif isinstance(m, annotated_types.Le | annotated_types.Lt):
            hi = getattr(m, "le", getattr(m, "lt", None))
    return lo, hi


def _literal_choices(expected: str) -> list[str]:
    return re.findall(r"'([^']*)'", expected or "")


def _event_type(data: Any, path: FieldPath) -> str | None:
    if len(path) >= 2 and path[0] == "events" and isinstance(path[1], int):
        events = data.get("events")
        if isinstance(events, list) and 0 <= path[1] < len(events):
            ev = events[path[1]]
            if isinstance(ev, dict) and ev.get("type") in EVENT_TYPES:
                return str(ev["type"])
    return None


def _clean_loc(loc: tuple[Any, ...]) -> tuple[FieldPath, bool]:
    """Drop pydantic's union tags from a location; say whether it names a mapping key."""
    path: list[str | int] = []
    for i, step in enumerate(loc):
        if (
            isinstance(step, str)
            and step in EVENT_TYPES
            and i >= 2
            and isinstance(loc[i - 1], int)
            and loc[i - 2] in ("events",)
        ):
            continue
        path.append(step)
    is_key = bool(path) and path[-1] == "[key]"
    if is_key:
        path.pop()
    return tuple(path), is_key


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _missing(tree: _Tree, parent: FieldPath, names: list[str]) -> Problem:
    """One problem for all the required keys a mapping lacks, at the mapping's key.

    Several missing keys usually mean one mistake (a misspelt forum name in an extending
    file starts a new forum with nothing in it), so they are said in one line.
    """
    data = tree.data
    etype = _event_type(data, (*parent, "type"))
    detail = ""
    if etype is not None and len(parent) == 2:
        model, _ = _schema_at(parent, data)
        if isinstance(model, type) and issubclass(model, BaseModel):
            needed = [f.alias or n for n, f in model.model_fields.items() if f.is_required()]
            detail = f"; {_a(etype)} event needs {', '.join(needed)}"
    elif names == ["calendar"]:
        detail = "; say when the forum meets, e.g. calendar: [{quarter: 3}]"
    forums = data.get("forums")
    if len(parent) == 2 and parent[0] == "forums" and isinstance(forums, dict):
        others = [f for f in forums if f != parent[1]]
        hint = _suggest(parent[1], others)
        if hint:
            detail += f"{hint} (a name not already in forums: starts a new forum)"
    where = tree.locate(parent)
    if len(names) == 1:
        path, message = (*parent, names[0]), f"required but missing{detail}"
    else:
        path, message = parent, f"required {_and(names)} are missing{detail}"
    return Problem(where.file, where.line, where.col, format_path(path), message)


def _from_pydantic(err: Mapping[str, Any], tree: _Tree) -> Problem | None:
    """Translate one pydantic error into a short, located, plain-English problem."""
    kind = err["type"]
    path, is_key = _clean_loc(tuple(err["loc"]))
    value = err.get("input")
    ctx = err.get("ctx") or {}
    data = tree.data
    last = path[-1] if path else None

    if kind == "missing":
        return _missing(tree, path[:-1], [str(last)])

    if kind == "extra_forbidden":
        model, _ = _schema_at(path[:-1], data)
        valid = _keys_of(model) if isinstance(model, type) and issubclass(model, BaseModel) else []
        dims = data.get("dimensions", DEFAULT_DIMENSIONS)
        if path[:-1] == () and last in Parameters.model_fields:
            msg = f"unknown key '{last}' at the top level; it belongs under parameters:"
        elif "position" in valid and isinstance(dims, list | tuple) and last in dims:
            msg = f"'{last}' is a dimension; put it under position: or salience:"
        else:
            etype = _event_type(data, path)
            where = f" for {_a(etype)} event" if etype and len(path) == 3 else ""
            hint = _suggest(last, valid)
            msg = f"unknown key '{last}'{where}{hint or _listing(valid)}"
        return tree.problem(path, msg, key=True)

    if kind == "union_tag_invalid":
        tag = ctx.get("tag", value)
        hint = _suggest(tag, EVENT_TYPES) or _listing(EVENT_TYPES, "event types")
        return tree.problem((*path, "type"), f"unknown event type '{tag}'{hint}")
    if kind == "union_tag_not_found":
        return tree.problem(
            (*path, "type"),
            f"the event has no type; give one of {', '.join(EVENT_TYPES)}",
        )

    if kind == "literal_error":
        choices = _literal_choices(ctx.get("expected", ""))
        hint = _suggest(value, choices)
        if is_key:
            return tree.problem(
                path, f"unknown key {_show(value)}; must be {ctx.get('expected')}{hint}", key=True
            )
        return tree.problem(path, f"must be {ctx.get('expected')}, not {_show(value)}{hint}")

    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        _, meta = _schema_at(path, data)
        lo, hi = _bounds(meta)
        if lo is not None and hi is not None:
            msg = f"must be between {_num(lo)} and {_num(hi)}, got {_show(value)}"
        elif kind in ("less_than_equal", "less_than"):
            msg = f"must be at most {_num(ctx.get('le', ctx.get('lt')))}, got {_show(value)}"
        else:
            msg = f"must be at least {_num(ctx.get('ge', ctx.get('gt')))}, got {_show(value)}"
        return tree.problem(path, msg)

    if kind == "string_pattern_mismatch" or (kind == "string_type" and last in QUARTER_FIELDS):
        return tree.problem(path, _quarter_message(value))

    if kind in ("float_parsing", "float_type"):
        msg = f"must be a number, got {_show(value)}"
        if isinstance(value, str) and value.strip().endswith("%"):
            try:
                share = float(value.strip()[:-1]) / 100
            except ValueError:
                pass
            else:
                msg += f"; write shares as decimals, e.g. {share:g} for {value.strip()}"
        return tree.problem(path, msg)
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return tree.problem(path, f"must be a whole number, got {_show(value)}")
    if kind.startswith("bool_"):
        return tree.problem(path, f"must be true or false, got {_show(value)}")
    if kind == "string_type":
        if value is None:
            return tree.problem(path, "has no value; write one after the ':'")
        return tree.problem(path, f"must be text, got {_kind(value)} ({_show(value)})")
    if kind == "string_too_short":
        return tree.problem(path, "must not be empty")
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return tree.problem(path, f"must list at least {n} {'entry' if n == 1 else 'entries'}")
    if kind == "list_type":
        msg = f"must be a list, got {_kind(value)}"
        if isinstance(value, str):
            msg += f"; write [{value}] for a list of one"
        return tree.problem(path, msg)
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        if value is None:
            return tree.problem(path, "is empty; it needs 'key: value' lines under it")
        what = (
            "each event must be a mapping (type:, date:, ...)"
            if (len(path) == 2 and path[0] == "events")
            else "must be a mapping of 'key: value' lines"
        )
        return tree.problem(path, f"{what}, not {_kind(value)}")

    if kind == "value_error":
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        if path == () and "horizon" in msg:
            return None  # reported, with its location, by the calendar checks
        if path == ("dimensions",) and isinstance(value, list):
            seen: set[Any] = set()
            for i, dim in enumerate(value):
                if dim in seen:
                    return tree.problem((*path, i), f"'{dim}' is listed twice")
                seen.add(dim)
        return tree.problem(path, msg)

    return tree.problem(path, str(err.get("msg", kind)))


# --------------------------------------------------------------------------- cross-references


def _forum_actors() -> list[str]:
    return [n for n in actor_names() if n not in ADVERSARIES]


class _Checker:
    """Cross-reference checks on the merged tree, tolerant of parts the schema rejects.

    They run on the raw tree, not the validated spec, so a file with a schema error and
    a misspelt actor gets both reported in one go. Values of the wrong type are skipped
    here: the schema already reports them.
    """

    def __init__(self, tree: _Tree) -> None:
        self.tree = tree
        self.data = tree.data
        self.problems: list[Problem] = []
        self.actors = _forum_actors()
        self.groups = list(GROUPS)
        dims = self.data.get("dimensions", None)
        if dims is None:
            self.dims: list[str] | None = list(DEFAULT_DIMENSIONS)
        elif isinstance(dims, list) and all(isinstance(d, str) for d in dims):
            self.dims = dims
        else:
            self.dims = None
        self.start = self._quarter(self.data.get("start"))
        self.horizon = self._quarter(self.data.get("horizon"))
        # Forums named under forums:, and those events create or dissolve (name ->
        # (quarter, event index)); filled in by events().
        self.standing: set[str] = set()
        self.created: dict[str, tuple[Quarter, int]] = {}
        self.dissolved: dict[str, tuple[Quarter, int]] = {}
        self.known: list[str] = []

    @staticmethod
    def _quarter(value: Any) -> Quarter | None:
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}Q[1-4]", value):
            return None
        return Quarter.parse(value)

    def add(self, path: FieldPath, message: str, *, key: bool = False) -> None:
        self.problems.append(self.tree.problem(path, message, key=key))

    # names ------------------------------------------------------------------

    def actor(
        self,
        value: Any,
        path: FieldPath,
        *,
        groups: bool,
        adversary_msg: str,
        key: bool = False,
        role: str = "",
    ) -> None:
        if not isinstance(value, str):
            return
        if value in self.actors or (groups and value in GROUPS):
            return
        if value in ADVERSARIES:
            self.add(path, f"'{value}' is an adversary; {adversary_msg}", key=key)
        elif value in GROUPS:
            self.add(
                path,
                f"'{value}' is a group, but {role or 'this'} must be a single actor"
                f"{_suggest(value, self.actors, _ALIASES)}",
                key=key,
            )
        else:
            what = "actor or group" if groups else "actor"
            pool = self.actors + (self.groups if groups else [])
            self.add(path, f"unknown {what} '{value}'{_suggest(value, pool, _ALIASES)}", key=key)

    def actors_list(self, values: Any, path: FieldPath, adversary_msg: str) -> None:
        if isinstance(values, list):
            for i, v in enumerate(values):
                self.actor(v, (*path, i), groups=True, adversary_msg=adversary_msg)

    def adversary(self, value: Any, path: FieldPath, *, key: bool = False) -> None:
        if not isinstance(value, str) or value in ADVERSARIES:
            return
        names = ", ".join(ADVERSARIES)
        if value in self.actors or value in GROUPS:
            self.add(path, f"'{value}' is not an adversary; the adversaries are {names}", key=key)
            return
        hint = _suggest(value, ADVERSARIES, _ALIASES) or f" (the adversaries are {names})"
        self.add(path, f"unknown adversary '{value}'{hint}", key=key)

    def dimension(self, value: Any, path: FieldPath, *, key: bool = False) -> None:
        if self.dims is None or not isinstance(value, str) or value in self.dims:
            return
        hint = _suggest(value, self.dims) or _listing(self.dims, "this scenario's dimensions")
        self.add(path, f"unknown dimension '{value}'{hint}", key=key)

    def dimension_keys(self, mapping: Any, path: FieldPath) -> None:
        if isinstance(mapping, dict):
            for k in mapping:
                self.dimension(k, (*path, k), key=True)

    def dimension_list(self, values: Any, path: FieldPath) -> None:
        if isinstance(values, list):
            for i, v in enumerate(values):
                self.dimension(v, (*path, i))

    # sections ---------------------------------------------------------------

    def run(self) -> list[Problem]:
        self.calendar()
        params = self.data.get("parameters")
        if isinstance(params, dict):
            self.actors_list(
                params.get("coordination_group"),
                ("parameters", "coordination_group"),
                "the coordination group is made of forum actors",
            )
        actors = self.data.get("actors")
        if isinstance(actors, dict):
            for name, spec in actors.items():
                self.actor(
                    name,
                    ("actors", name),
                    groups=False,
                    adversary_msg="describe its behaviour under adversaries:",
                    key=True,
                    role="each key under actors:",
                )
                if isinstance(spec, dict):
                    for part in ("position", "salience"):
                        self.dimension_keys(spec.get(part), ("actors", name, part))
        adversaries = self.data.get("adversaries")
        if isinstance(adversaries, dict):
            for name in adversaries:
                self.adversary(name, ("adversaries", name), key=True)
        forums = self.data.get("forums")
        if isinstance(forums, dict):
            for name, spec in forums.items():
                self.forum(spec, ("forums", name))
        self.events()
        return self.problems

    def calendar(self) -> None:
        if self.start and self.horizon and self.horizon < self.start:
            self.add(
                ("horizon",),
                f"the horizon {self.horizon} is before the start {self.start}; "
                "the horizon is the last quarter simulated",
            )
            self.horizon = None  # don't also flag every event as out of range

    def forum(self, spec: Any, path: FieldPath) -> None:
        if not isinstance(spec, dict):
            return
        for part in ("members", "partners"):
            self.actors_list(spec.get(part), (*path, part), "adversaries cannot sit in a forum")
        self.actor(
            spec.get("convener"),
            (*path, "convener"),
            groups=False,
            adversary_msg="adversaries cannot convene a forum",
            role="the convener",
        )
        rotation = spec.get("rotation")
        if isinstance(rotation, list):
            for i, name in enumerate(rotation):
                self.actor(
                    name,
                    (*path, "rotation", i),
                    groups=False,
                    adversary_msg="adversaries cannot convene a forum",
                    role="each convener in a rotation",
                )
        self.dimension_list(spec.get("competence"), (*path, "competence"))
        self.dimension_list(spec.get("discusses"), (*path, "discusses"))
        items = spec.get("items")
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    self.dimension(item.get("dimension"), (*path, "items", i, "dimension"))

    def events(self) -> None:
        events = self.data.get("events")
        if not isinstance(events, list):
            return
        forums = self.data.get("forums")
        standing = self.standing = set(forums) if isinstance(forums, dict) else set()
        created = self.created
        dissolved = self.dissolved
        dated: list[tuple[int, dict[str, Any], Quarter | None]] = []
        for i, ev in enumerate(events):
            if isinstance(ev, dict) and ev.get("type") in EVENT_TYPES:
                dated.append((i, ev, self._quarter(ev.get("date"))))
        order = sorted(dated, key=lambda t: (t[2].index if t[2] else -1, t[0]))
        for i, ev, when in order:
            name = ev.get("name")
            if ev["type"] == "forum_created" and isinstance(name, str):
                if name in standing:
                    self.add(
                        ("events", i, "name"),
                        f"forum '{name}' already exists (under forums:); pick another "
                        "name, or change the existing forum there",
                    )
                elif name in created:
                    self.add(
                        ("events", i, "name"),
                        f"forum '{name}' is already created by events[{created[name][1]}]",
                    )
                elif when is not None:
                    created[name] = (when, i)
            forum = ev.get("forum")
            if ev["type"] == "forum_dissolved" and isinstance(forum, str) and when is not None:
                dissolved.setdefault(forum, (when, i))
        self.known = sorted(standing | set(created))
        for i, ev, when in dated:
            self.event(i, ev, when)

    def forum_ref(self, value: Any, path: FieldPath, when: Quarter | None) -> None:
        if not isinstance(value, str):
            return
        standing, created, dissolved = self.standing, self.created, self.dissolved
        if value in created and value not in standing:
            made, j = created[value]
            if when is not None and when < made:
                self.add(
                    path,
                    f"forum '{value}' does not exist yet in {when}; events[{j}] creates it "
                    f"in {made}",
                )
                return
            if when == made and path[1] < j:
                # Events of one quarter happen in the order they are listed.
                self.add(
                    path,
                    f"forum '{value}' is created by events[{j}], listed after this event in "
                    f"the same quarter {when}; list the forum_created event first",
                )
                return
        elif value not in standing:
            hint = _suggest(value, self.known) or _listing(self.known, "forums")
            self.add(path, f"unknown forum '{value}'{hint}")
            return
        if value in dissolved and when is not None:
            gone, j = dissolved[value]
            if gone < when:
                self.add(path, f"forum '{value}' is dissolved in {gone} (events[{j}])")

    def event(self, i: int, ev: dict[str, Any], when: Quarter | None) -> None:
        p: FieldPath = ("events", i)
        etype = ev["type"]
        if when is not None:
            if self.start is not None and when < self.start:
                self.add((*p, "date"), f"event dated {when} is before the start {self.start}")
            elif self.horizon is not None and when > self.horizon:
                self.add((*p, "date"), f"event dated {when} is after the horizon {self.horizon}")
        not_adv = "events about adversaries use type: adversary"
        if etype in ("attention_shift", "commitment", "veto", "government_change"):
            self.actor(
                ev.get("actor"),
                (*p, "actor"),
                groups=False,
                adversary_msg=not_adv,
                role=f"the actor of a {etype} event",
            )
        if etype in ("threat_shock", "salience_shock", "position_shock", "join", "leave"):
            msg = "adversaries cannot sit in a forum" if etype == "join" else not_adv
            self.actors_list(ev.get("actors"), (*p, "actors"), msg)
        if etype == "threat_shock":
            self.adversary(ev.get("source"), (*p, "source"))
        if etype == "adversary":
            self.adversary(ev.get("actor"), (*p, "actor"))
        if etype in ("salience_shock", "position_shock", "veto", "agenda_item"):
            self.dimension(ev.get("dimension"), (*p, "dimension"))
        if etype == "government_change":
            self.dimension_keys(ev.get("position"), (*p, "position"))
            self.dimension_keys(ev.get("salience"), (*p, "salience"))
        if etype in ("join", "leave", "forum_dissolved", "agenda_item") or (
            etype == "veto" and ev.get("forum") is not None
        ):
            self.forum_ref(ev.get("forum"), (*p, "forum"), when)
        if etype == "forum_created":
            self.forum(ev.get("forum"), (*p, "forum"))
        if etype == "attention_shift":
            src, dst = ev.get("from"), ev.get("to")
            if isinstance(src, str) and src == dst:
                self.add((*p, "to"), f"moves attention from {src} to itself; 'to' must differ")
        if etype == "veto" and when is not None:
            until = self._quarter(ev.get("until"))
            if until is not None and until < when:
                self.add(
                    (*p, "until"), f"the veto is lifted in {until}, before it starts in {when}"
                )
            elif until is not None and until == when:
                self.add(
                    (*p, "until"),
                    f"the veto is lifted in {until}, the quarter it starts, so it never applies",
                )


# --------------------------------------------------------------------------- public API


def _without_echoes(errors: list[Any], data: dict[str, Any]) -> list[Any]:
    """Drop "X is missing" when the same mapping has a misspelt key that means X.

    A misspelt required key (``ammount``) is one mistake, but the schema sees two: an
    unknown key and a missing one. The unknown-key problem already suggests the right
    name, so the echo would only make the user look for a second mistake.
    """
    meant: set[FieldPath] = set()
    for err in errors:
        if err["type"] != "extra_forbidden":
            continue
        path, _ = _clean_loc(tuple(err["loc"]))
        model, _ = _schema_at(path[:-1], data)
        if isinstance(model, type) and issubclass(model, BaseModel):
            close = difflib.get_close_matches(str(path[-1]).lower(), _keys_of(model), n=1)
            if close:
                meant.add((*path[:-1], close[0]))
    return [
        err
        for err in errors
        if not (err["type"] == "missing" and _clean_loc(tuple(err["loc"]))[0] in meant)
    ]


def _validate(tree: _Tree) -> ScenarioSpec:
    problems: list[Problem] = []
    spec: ScenarioSpec | None = None
    try:
        spec = ScenarioSpec.model_validate(tree.data)
    except ValidationError as exc:
        errors = _without_echoes(exc.errors(include_url=False), tree.data)
        missing: dict[FieldPath, list[str]] = {}
        for err in errors:
            if err["type"] == "missing":
                path, _ = _clean_loc(tuple(err["loc"]))
                missing.setdefault(path[:-1], []).append(str(path[-1]))
            else:
                problem = _from_pydantic(err, tree)
                if problem is not None:
                    problems.append(problem)
        problems.extend(_missing(tree, parent, names) for parent, names in missing.items())
    problems.extend(_Checker(tree).run())
    if problems or spec is None:
        raise ScenarioError(problems)
    return spec


def load_with_provenance(
    path: str | os.PathLike[str],
) -> tuple[ScenarioSpec, dict[FieldPath, Origin]]:
    """Load and check a scenario, also returning where each value was written.

    The origins let later stages (the model's chronicle, a run report) cite the file
    and line an event or override came from, across an ``extends`` chain.

    Raises:
        ScenarioError: listing every problem found, one line each.
    """
    tree = _load_chain(os.fspath(path), [])
    return _validate(tree), tree.origins


def load_scenario(path: str | os.PathLike[str]) -> ScenarioSpec:
    """Load a scenario file, follow its ``extends`` chain, merge, validate and cross-check.

    Args:
        path: the scenario file; problems are reported with this path as given (parents
            with their path relative to it), so the lines match what the user typed.

    Raises:
        ScenarioError: listing every problem found, one line each.
    """
    return load_with_provenance(path)[0]


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _summary(spec: ScenarioSpec) -> str:
    return (
        f"{_count(len(spec.forums), 'forum')}, {_count(len(spec.events), 'event')}, "
        f"{spec.start}-{spec.horizon}, {_count(len(spec.actors), 'actor override')}, "
        f"sha256 {scenario_hash(spec)[:12]}"
    )


def validate_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[int, list[str]]:
    """Check scenario files for ``latticesim validate``; never raises for a bad file.

    Returns:
        The number of files with problems, and the lines to print: the problems of a
        bad file, or ``FILE: ok (...)`` with a short summary for a good one, so a user
        checking many files sees that each was actually read.
    """
    failed = 0
    lines: list[str] = []
    for path in paths:
        shown = os.fspath(path)
        try:
            spec = load_scenario(shown)
        except ScenarioError as exc:
            failed += 1
            lines.extend(exc.lines)
        else:
            lines.append(f"{shown}: ok ({_summary(spec)})")
    return failed, lines


def scenario_hash(spec: ScenarioSpec) -> str:
    """A fingerprint of the world a spec describes, for run records.

    It hashes the canonical JSON (sorted keys, defaults filled in) of the merged,
    validated spec, so it does not change with formatting, comments, key order, or
    with how the scenario is split across files: ``extends`` itself is left out.
    """
    dumped = spec.model_dump(mode="json", by_alias=True)
    dumped.pop("extends", None)
    text = json.dumps(dumped, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def dump_schema(path: str | os.PathLike[str] | None = None, partial: bool = False) -> str:
    """The JSON Schema of scenario files as indented JSON, so editors can complete and check them.

    Args:
        path: a file to write it to; with ``None`` nothing is written and the caller
            prints the text (``latticesim schema > scenario.schema.json``).
        partial: the variant for files that ``extends`` another (nothing required).

    Returns:
        The JSON text, without a final newline (the file written ends with one).
    """
    text = json.dumps(json_schema(partial=partial), indent=2, ensure_ascii=False)
    if path is not None:
        Path(path).write_text(text + "\n", encoding="utf-8")
    return text
