"""Outcomes by name for comparisons: a compact syntax, the shipped sets, and their checks.

An outcome is the sweep files' (:class:`~latticesim.sweeps.schema.OutcomeSpec`), computed
by :func:`latticesim.sweeps.worker.measure` exactly as a sweep computes it. On the
command line and in comparison files it may be written in one piece::

    TABLE:SELECT:READ[:STAT[:WINDOW]]

    meetings:NATO:strength_china_stance:mean     NATO's China text (mean strength)
    attendance:NATO+IP4:ip4@head                 IP4 leaders per NATO+IP4 session
    items:NATO:blockers=France:sum               NATO items France blocked
    log:IP4:forum_founded:first_year             when the IP4 founded a forum
    model::share_NATO:mean:last4                 NATO's share, the last year

SELECT is the forum (meetings, items, attendance) or the subject (log), empty for the
model table; READ is the column (``column=value`` for ``equals:``), the log's kind, or
for attendance ``ACTOR@LEVEL`` (either part may be left out); WINDOW is ``lastN``,
``2025Q1..2027Q4``, ``2025Q1..`` or ``..2027Q4``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from latticesim.common.quarters import Quarter
from latticesim.common.text import suggest
from latticesim.scenario.messages import FieldPath, Origin, Tree, format_path, problems_from
from latticesim.scenario.schema import ScenarioSpec
from latticesim.sweeps.columns import check_outcome
from latticesim.sweeps.experiment import RESERVED_COLUMNS, Outcome
from latticesim.sweeps.schema import OutcomeSpec

__all__ = [
    "OUTCOME_SETS",
    "OutcomeSet",
    "OutcomeSyntaxError",
    "arm_problems",
    "check_outcomes",
    "describe_outcomes",
    "outcome_from_text",
    "parse_option",
    "set_names_hint",
    "validate",
]


class OutcomeSyntaxError(ValueError):
    """An outcome written in the compact syntax that cannot be read; the message says why."""


@dataclass(frozen=True)
class OutcomeSet:
    """A named set of outcomes (compact text by name, with words) and model-table series."""

    description: str
    outcomes: dict[str, str]
    series: tuple[str, ...] = ()
    notes: dict[str, str] = field(default_factory=dict)


OUTCOME_SETS: dict[str, OutcomeSet] = {
    "headline": OutcomeSet(
        "what analysts speak of: texts, attendance, blocks, founding and standing",
        {
            "nato_china_text": "meetings:NATO:strength_china_stance:mean",
            "ip4_leaders_at_nato": "attendance:NATO+IP4:ip4@head:mean",
            "france_blocks_in_nato": "items:NATO:blockers=France:sum",
            "ip4_forum_founded": "log:IP4:forum_founded:count",
            "ip4_forum_year": "log:IP4:forum_founded:first_year",
        },
        ("share_NATO", "joint_coordination"),
        {
            "nato_china_text": "mean strength of NATO's adopted texts on China",
            "ip4_leaders_at_nato": "IP4 heads of government per NATO+IP4 session that met",
            "france_blocks_in_nato": "NATO agenda items France blocked over the run",
            "ip4_forum_founded": "whether the IP4 founded a forum of their own (0 or 1)",
            "ip4_forum_year": "when they did, as a decimal year (empty if they did not)",
        },
    )
}
"""The shipped sets, by name: ``latticesim compare --outcomes headline``."""

_WINDOW = re.compile(r"^(?:last(?P<last>\d+)|(?P<start>[^.]*)\.\.(?P<end>[^.]*))$")


def outcome_from_text(text: str) -> dict[str, Any]:
    """An outcome's mapping (the sweep-file form) from its compact text.

    Only the shape is read here; the mapping is then validated like a sweep file's.

    Raises:
        OutcomeSyntaxError: the text does not have the syntax's shape.
    """
    parts = [p.strip() for p in text.strip().split(":")]
    if len(parts) < 3 or len(parts) > 5:
        raise OutcomeSyntaxError(
            f"write TABLE:SELECT:READ[:STAT[:WINDOW]] (e.g. "
            f"meetings:NATO:strength_china_stance:mean), not '{text}'"
        )
    table, select, read = parts[:3]
    out: dict[str, Any] = {"table": table}
    if len(parts) > 3 and parts[3]:
        out["stat"] = parts[3]
    if len(parts) > 4 and parts[4]:
        out.update(_window(parts[4]))
    if select:
        if table == "model":
            raise OutcomeSyntaxError("the model table has no forum; leave SELECT empty (model::)")
        out["subject" if table == "log" else "forum"] = select
    if table == "attendance":
        actor, _, level = read.partition("@")
        out.update({k: v for k, v in (("actor", actor), ("level", level)) if v})
    elif table == "log":
        if read:
            out["kind"] = read
    elif read:
        column, eq, value = read.partition("=")
        out["column"] = column
        if eq:
            out["equals"] = _value(value)
    return out


def _window(text: str) -> dict[str, Any]:
    match = _WINDOW.match(text)
    if not match:
        raise OutcomeSyntaxError(
            f"the window is lastN, FROM..TO, FROM.. or ..TO (e.g. last4, 2025Q1..2027Q4), "
            f"not '{text}'"
        )
    if match["last"] is not None:
        return {"last": int(match["last"])}
    return {k: v for k, v in (("from", match["start"]), ("to", match["end"])) if v}


def _value(text: str) -> Any:
    """A value after ``=``: a number if it reads as one, else the text."""
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


def parse_option(text: str, label: str = "--outcome") -> tuple[str, dict[str, Any]]:
    """``NAME=TABLE:SELECT:READ[:STAT[:WINDOW]]`` (an ``--outcome``) as its name and mapping.

    Raises:
        OutcomeSyntaxError: no ``NAME=``, or the rest does not have the syntax's shape; the
            message starts with ``label`` and the name, when there is one.
    """
    name, eq, rest = text.partition("=")
    name = name.strip()
    if not eq or not name or ":" in name:
        raise OutcomeSyntaxError(
            f"{label}: write NAME=TABLE:SELECT:READ[:STAT[:WINDOW]] (e.g. "
            f"nato_china=meetings:NATO:strength_china_stance:mean), not '{text}'"
        )
    try:
        return name, outcome_from_text(rest)
    except OutcomeSyntaxError as exc:
        raise OutcomeSyntaxError(f"{label} {name}: {exc}") from None


def validate(label: str, name: str, entry: Any) -> tuple[OutcomeSpec | None, list[str]]:
    """An outcome (mapping, compact text or spec) validated, or the lines of its problems.

    ``label`` starts each line (``--outcome nato_china``): the option or file it came from.
    """
    if isinstance(entry, OutcomeSpec):
        return entry, []
    try:
        data = outcome_from_text(entry) if isinstance(entry, str) else dict(entry)
        return OutcomeSpec.model_validate(data), []
    except OutcomeSyntaxError as exc:
        return None, [f"{label}: {exc}"]
    except ValidationError as exc:
        tree = Tree(data, {(): Origin(label, 1, 1)})
        return None, [
            f"{label}: {p.path}: {p.message}" for p in problems_from(exc, tree, OutcomeSpec)
        ]


def check_outcomes(
    outcomes: Mapping[str, OutcomeSpec],
    specs: Sequence[ScenarioSpec],
    end: Quarter,
    columns: Sequence[dict[str, dict[str, str]]],
    label: str,
    taken: Sequence[str] = (),
) -> tuple[list[Outcome], list[str]]:
    """The outcomes as the worker computes them, checked against every arm's tables.

    ``columns`` are each arm's :func:`~latticesim.sweeps.sweepfile.table_columns`. An
    outcome passes when it reads tables of at least one arm (a forum only one arm
    creates is fine); otherwise the problems it has with the first arm are returned,
    one line each, each starting with ``label`` and the outcome's name.
    """
    out: list[Outcome] = []
    problems: list[str] = []
    for name, o in outcomes.items():
        if name in RESERVED_COLUMNS or name in taken:
            problems.append(f"{label} {name}: the name is taken (a column or a series); rename it")
            continue

        def line(path: FieldPath, message: str, name: str = name) -> str:
            return f"{label} {name}: {format_path(path)}: {message}"

        found = arm_problems(o, (), specs, end, columns, line)
        problems += found
        if not found:
            out.append(Outcome(name=name, **o.model_dump()))
    return out, problems


def arm_problems[T](
    o: OutcomeSpec,
    at: FieldPath,
    specs: Sequence[ScenarioSpec],
    end: Quarter,
    columns: Sequence[dict[str, dict[str, str]]],
    report: Callable[[FieldPath, str], T],
) -> list[T]:
    """Nothing if the outcome reads the tables of some arm, else its problems with the first.

    A forum or column only one arm has (a forum its scenario creates) is fine.
    """
    first: list[T] | None = None
    for spec, cols in zip(specs, columns, strict=True):
        found: list[T] = []

        def add(path: FieldPath, message: str, found: list[T] = found) -> None:
            found.append(report(path, message))

        if check_outcome(add, at, o, spec, end, cols):
            return []
        first = found if first is None else first
    return first or []


def describe_outcomes(outcomes: Sequence[Outcome], sets: Sequence[str] = ()) -> dict[str, str]:
    """Each outcome's definition (``table: meetings, ...``), for the table's notes.

    An outcome of one of ``sets``, as the set defines it, is said in words first.
    """
    words: dict[str, tuple[Outcome, str]] = {}
    for name in sets:
        shipped = OUTCOME_SETS[name]
        for key, text in shipped.outcomes.items():
            spec = OutcomeSpec.model_validate(outcome_from_text(text))
            words[key] = (Outcome(name=key, **spec.model_dump()), shipped.notes[key])
    out = {}
    for o in outcomes:
        parts = ", ".join(f"{k}: {v}" for k, v in o.definition().items() if k != "name")
        same, note = words.get(o.name, (None, ""))
        out[o.name] = f"{note} ({parts})" if same == o else parts
    return out


def set_names_hint(name: str) -> str:
    """Why ``name`` is not a set, with the closest set's name."""
    return suggest(name, list(OUTCOME_SETS)) or f" (the sets: {', '.join(OUTCOME_SETS)})"
