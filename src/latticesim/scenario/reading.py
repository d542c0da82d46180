"""Reading scenario files: YAML with the line and column of every value, and ``extends``.

Each file is read with ruamel.yaml's round-trip loader, which remembers the line and
column of every key and item; the tree is turned into plain Python values plus a
*provenance* map from each path (``("forums", "NATO", "members", 3)``) to its origin.
``extends`` is followed (relative to the extending file; chains allowed, cycles not) and
the files are merged: mappings key by key, lists replaced, except ``events``, which are
appended; ``name``, ``description`` and ``extends`` are never inherited. Each file's
``amend_forums:`` is then written into the forums it names (:mod:`.amending`).

Reading stops at the first problem: a file that does not parse, or cannot be found, has
nothing more to say. Sweep files are read with the same functions.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.composer import Composer, ComposerError
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, ScalarEvent

from latticesim.common.limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_TEXT
from latticesim.common.text import suggest
from latticesim.scenario.amending import apply_amendments, drop_origins, overlay
from latticesim.scenario.messages import (
    FieldPath,
    Origin,
    Problem,
    ScenarioError,
    Tree,
    file_problem,
    kind,
)

__all__ = ["load_chain", "parse_yaml", "plain_tree", "read_text", "similar_file"]

NOT_INHERITED = ("extends", "name", "description")
APPENDED_LISTS = frozenset({"events"})


def read_text(display: str) -> str:
    """A file's text; a file that cannot be read is one problem, said in plain words."""
    path = Path(display)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise file_problem(
                display, f"is larger than {MAX_FILE_BYTES:,} bytes; is it the right file?"
            )
        return data.decode("utf-8-sig")
    except FileNotFoundError:
        raise file_problem(display, "no such file") from None
    except IsADirectoryError:
        raise file_problem(display, "is a folder, not a scenario file") from None
    except UnicodeDecodeError as exc:
        raise file_problem(
            display, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise file_problem(display, f"cannot be read: {exc.strerror or exc}") from None


class _Refused(ComposerError):
    """A construct refused while composing: its message is said as it is."""


class _LimitedComposer(Composer):
    """ruamel's composer, refusing aliases and over-long text before they cost anything.

    An alias (``*name``) repeats the value of an anchor (``&name``); nested, a kilobyte of
    them expands to billions of values when the tree is copied, so they are refused (no
    scenario or sweep needs them). Nesting depth is bounded by ruamel's ``max_depth``.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            raise _Refused(
                None,
                None,
                f"'*{event.anchor}' repeats a value marked '&{event.anchor}'; aliases are not "
                "allowed here: write the value out, or put it in quotes if it is text",
                event.start_mark,
            )
        if isinstance(event, ScalarEvent) and len(event.value) > MAX_TEXT:
            raise _Refused(
                None,
                None,
                f"a value of {len(event.value):,} characters; at most {MAX_TEXT:,}",
                event.start_mark,
            )
        return super().compose_node(parent, index)


def _yaml_message(exc: MarkedYAMLError) -> str:
    """Rewrite ruamel's parser language into advice a non-programmer can act on."""
    problem = (exc.problem or "").strip()
    if isinstance(exc, _Refused):
        return problem
    if "maximum depth" in problem:
        return f"nested more than {MAX_DEPTH} levels deep; a scenario needs far fewer"
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


def parse_yaml(display: str, text: str) -> Any:
    """The YAML in ``text`` as ruamel's round-trip tree (which keeps lines and columns).

    Raises:
        ScenarioError: one problem, at the place the parser stopped, in plain words.
    """
    yaml = YAML(typ="rt")
    yaml.Composer = _LimitedComposer
    yaml.max_depth = MAX_DEPTH
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "end of stream" in (exc.problem or "") and exc.context_mark is not None:
            # The end of the file is never where the fix goes; the opening quote is.
            mark = exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise file_problem(display, _yaml_message(exc), line, col) from None
    except YAMLError as exc:
        raise file_problem(display, f"not valid YAML: {exc}") from None
    except (TypeError, ValueError, RecursionError) as exc:
        # ruamel trips over some odd constructs (a mapping used as a key, very deep
        # nesting) with a plain Python error; it is still a mistake in the file.
        raise file_problem(
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
            # A mapping or list is found by its key; so is a missing value (``name:``), which
            # ruamel places at the next token, often on the next line.
            at_key = raw_value is None or isinstance(raw_value, CommentedMap | CommentedSeq)
            where = kpos if at_key else vpos
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


def _read_tree(display: str) -> Tree:
    raw = parse_yaml(display, read_text(display))
    if raw is None:
        raise file_problem(
            display,
            "the file is empty; a scenario needs at least name:, start: and horizon: "
            "(or extends: and name:)",
        )
    if not isinstance(raw, CommentedMap):
        what = kind(raw)
        line = (raw.lc.line + 1) if isinstance(raw, CommentedSeq) else 1
        raise file_problem(
            display,
            f"the top level must be a mapping of keys (name:, start:, ...), not {what}",
            line,
        )
    return plain_tree(raw, display)


def plain_tree(raw: CommentedMap, display: str) -> Tree:
    """A parsed mapping as plain values, with the origin of each (``display`` is the file)."""
    origins: dict[FieldPath, Origin] = {(): Origin(display, 1, 1)}
    data = _to_plain(raw, (), display, origins)
    return Tree(data, origins)


# --------------------------------------------------------------------------- extends


def _merge(parent: Tree, child: Tree) -> Tree:
    """Overlay ``child`` on ``parent`` (see the module docstring for the rules)."""
    origins = dict(parent.origins)
    for key in NOT_INHERITED:
        drop_origins(origins, (key,))
    origins[()] = child.origins[()]
    base = {k: v for k, v in parent.data.items() if k not in NOT_INHERITED}
    data = overlay(base, child.data, (), child.origins, origins, appended=APPENDED_LISTS)
    return Tree(data, origins)


def _extends_target(tree: Tree, display: str) -> str | None:
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


def similar_file(target: str | os.PathLike[str]) -> str:
    """``; did you mean 'X'?`` for a YAML file beside ``target`` named like it, or ``""``."""
    path = Path(target)
    try:
        names = sorted(
            p.name for p in path.parent.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()
        )
    except OSError:
        return ""
    return suggest(path.name, names)


def _missing_parent(tree: Tree, target: str) -> ScenarioError:
    hint = similar_file(target)
    origin = tree.locate(("extends",), key=True)
    value = tree.data["extends"]
    message = f"cannot find '{value}' (looked for {target}){hint}"
    return ScenarioError([Problem(origin.file, origin.line, origin.col, "extends", message)])


def load_chain(display: str, chain: tuple[tuple[Path, str, Origin], ...] = ()) -> Tree:
    """Read ``display`` and its ``extends`` chain, merged.

    ``chain`` holds the files that led here, to catch a cycle.

    Raises:
        ScenarioError: for malformed YAML, a missing file or ``extends`` target, or a
            cycle of ``extends``; these stop reading at the first problem.
    """
    tree = _read_tree(display)
    target = _extends_target(tree, display)
    if target is None:
        return apply_amendments(tree)
    chain = (*chain, (Path(display).resolve(), display, tree.locate(("extends",), key=True)))
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
    parent = load_chain(target, chain)
    return apply_amendments(_merge(parent, tree))
