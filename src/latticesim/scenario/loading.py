"""Loading scenario files: YAML in, a validated :class:`ScenarioSpec` (or plain-English errors) out.

A user's mistake never produces a traceback: every one is reported as one line,
``FILE:LINE:COL: field.path: message``, pointing at the file and line where the
offending value was written (even when it sits in a parent scenario that the file
``extends``), with a suggestion when a name looks misspelt.

Loading happens in four steps:

1. Each file is read with line and column of every value (:mod:`.reading`).
2. ``extends`` is followed and the files are merged (:mod:`.reading`).
3. The merged tree is validated by the pydantic schema in :mod:`latticesim.scenario.schema`;
   its errors are translated into problems by :mod:`.messages`.
4. Cross-references the schema cannot see are checked (:mod:`.references`): actor,
   group, adversary, forum and dimension names, and event dates against the calendar.

Steps 3 and 4 report every problem they find at once; steps 1 and 2 stop at the first
(a file that does not parse, or cannot be found, has nothing more to say).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from latticesim.scenario.messages import (
    FieldPath,
    Origin,
    Problem,
    ScenarioError,
    Tree,
    problems_from,
)
from latticesim.scenario.reading import load_chain
from latticesim.scenario.references import check_references, forum_actors
from latticesim.scenario.schema import ScenarioSpec, json_schema
from latticesim.world.actors import DEFAULT_POSITION, DEFAULT_SALIENCE, packaged_positions

__all__ = [
    "dump_schema",
    "load_checked",
    "load_merged",
    "load_scenario",
    "load_with_provenance",
    "scenario_hash",
    "validate_files",
]


def _validate(tree: Tree) -> ScenarioSpec:
    problems: list[Problem] = []
    spec: ScenarioSpec | None = None
    try:
        spec = ScenarioSpec.model_validate(tree.data)
    except ValidationError as exc:
        problems.extend(problems_from(exc, tree, ScenarioSpec))
    problems.extend(check_references(tree))
    if problems or spec is None:
        raise ScenarioError(problems)
    return spec


def load_merged(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[FieldPath, Origin]]:
    """Read a scenario and its ``extends`` chain, merged but not yet validated.

    Useful to tools that want the raw tree (say, to show what a child changes) with the
    origin of each value.

    Raises:
        ScenarioError: for malformed YAML, a missing file or ``extends`` target, or a
            cycle of ``extends``; these stop loading at the first problem.
    """
    tree = load_chain(os.fspath(path))
    return tree.data, tree.origins


def load_with_provenance(
    path: str | os.PathLike[str],
) -> tuple[ScenarioSpec, dict[FieldPath, Origin]]:
    """Load and check a scenario, also returning where each value was written.

    The origins let later stages (the model's chronicle, a run report) cite the file
    and line an event or override came from, across an ``extends`` chain.

    Raises:
        ScenarioError: listing every problem found, one line each.
    """
    tree = load_chain(os.fspath(path))
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


def load_checked(path: str | os.PathLike[str]) -> tuple[ScenarioSpec, list[str]]:
    """Load a scenario as :func:`load_scenario` does, with its warnings, one line each.

    A warning is something the model accepts but a reader may not have meant: a
    dimension the scenario adds on which actors have no position (they all get the same
    default, so it weighs little and divides nobody).

    Raises:
        ScenarioError: listing every problem found, one line each.
    """
    tree = load_chain(os.fspath(path))
    spec = _validate(tree)
    return spec, [str(w) for w in _dimension_warnings(tree, spec)]


def _dimension_warnings(tree: Tree, spec: ScenarioSpec) -> list[Problem]:
    """A warning for each dimension on which some actors have no position, data or set."""
    packaged = packaged_positions()
    warnings = []
    for i, dim in enumerate(spec.dimensions):
        set_here = {a for a, o in spec.actors.items() if dim in o.position}
        bare = [a for a in forum_actors() if (a, dim) not in packaged and a not in set_here]
        if bare:
            at = tree.locate(("dimensions", i))
            message = (
                f"warning: the package has no positions on '{dim}': {_count(len(bare), 'actor')} "
                f"not set under actors: all get position {DEFAULT_POSITION} and salience "
                f"{DEFAULT_SALIENCE} on it; set theirs under actors:, e.g. {bare[0]}: "
                f"{{position: {{{dim}: 0.7}}, salience: {{{dim}: 0.5}}}}"
            )
            warnings.append(Problem(at.file, at.line, at.col, f"dimensions[{i}]", message))
    return warnings


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
        checking many files sees that each was actually read, followed by its warnings.
    """
    failed = 0
    lines: list[str] = []
    for path in paths:
        shown = os.fspath(path)
        try:
            spec, warnings = load_checked(shown)
        except ScenarioError as exc:
            failed += 1
            lines.extend(exc.lines)
        else:
            lines.append(f"{shown}: ok ({_summary(spec)})")
            lines.extend(warnings)
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
