"""What a run's tables hold, and whether an outcome of a sweep or a comparison can read it.

An outcome names a table, a column and a statistic; these checks answer, before any run
is made, whether the scenario's runs have that column and whether the statistic fits
what the column holds.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pandas as pd

from latticesim.common.quarters import Quarter
from latticesim.common.text import suggest
from latticesim.outputs.runs import simulate
from latticesim.scenario.messages import (
    FieldPath,
)
from latticesim.scenario.schema import ForumCreated, ScenarioSpec
from latticesim.sweeps.schema import OutcomeSpec
from latticesim.world.actors import GROUPS, actor_names

__all__ = ["LIST_COLUMNS", "Add", "check_model_column", "check_outcome", "table_columns"]

Add = Callable[[FieldPath, str], None]
"""How a check reports a problem: the path in the file, and the message."""

_DYNAMIC_PREFIXES = ("share_", "ip4_standing_")
"""Model-table columns of forums that may be founded during a run."""

LIST_COLUMNS = frozenset(("blockers", "outvoted", "watered_by"))
"""Columns of the meetings and items tables that hold lists of actors."""


def table_columns(spec: ScenarioSpec, end: Quarter) -> dict[str, dict[str, str]]:
    """Columns of the model, meetings and items tables, each ``number``, ``text`` or ``list``.

    A short run of the scenario itself is the only reliable list: the model table has a
    column per forum and adversary, and the model grows new columns as it evolves.
    """
    until = min(spec.start_quarter + 3, end)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = simulate(spec, 0, until=str(until), record_actors=False).recorder.frames()

    def kinds(frame: pd.DataFrame) -> dict[str, str]:
        out = {}
        for col in frame.columns:
            dtype = frame[col].dtype
            numeric = pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
            if frame.empty:
                numeric = col.startswith(("strength_", "n_")) or col in _NUMBER_COLUMNS
            out[col] = "list" if col in LIST_COLUMNS else "number" if numeric else "text"
        return out

    return {name: kinds(tables[name]) for name in ("model", "meetings", "items")}


_NUMBER_COLUMNS = frozenset(("met", "adopted", "named", "decided", "proposal", "rounds"))
"""Columns of the meetings and items tables that hold numbers (read when a table is empty)."""


def check_model_column(
    add: Add, columns: dict[str, str], col: str, at: FieldPath, *, number: bool = False
) -> bool:
    """Whether ``col`` is a model-table column (one that holds numbers, if ``number``).

    ``add(path, message)`` is told each problem. A ``share_``/``ip4_standing_`` column
    nothing resembles is taken to be of a forum the runs may found.
    """
    if col in columns:
        if number and columns[col] != "number":
            add(at, f"'{col}' holds text; use equals: to count a value")
            return False
        return True
    close = suggest(col, list(columns))
    if col.startswith(_DYNAMIC_PREFIXES) and not close:
        return True  # a forum that may be founded during a run
    listing = "" if close else " (see docs/outputs.md for the model table's columns)"
    add(at, f"unknown column '{col}' of the model table{close}{listing}")
    return False


def check_outcome(
    add: Add,
    at: FieldPath,
    o: OutcomeSpec,
    spec: ScenarioSpec,
    end: Quarter,
    columns: dict[str, dict[str, str]],
) -> bool:
    """Whether an outcome's window, column, forum and actor exist in runs of ``spec``.

    ``columns`` are :func:`table_columns`; ``add(path, message)`` is told each problem.
    """
    start = spec.start_quarter
    ok = True
    for key, q in (("from", o.start), ("to", o.end)):
        if q is not None and not start <= Quarter.parse(q) <= end:
            add((*at, key), f"{q} is outside the runs' quarters {start}-{end}")
            ok = False
    if o.table == "model" and o.column is not None:
        number = o.equals is None
        ok &= check_model_column(add, columns["model"], o.column, (*at, "column"), number=number)
    if o.table in ("meetings", "items") and o.column is not None:
        ok &= _row_column(add, at, o, columns[o.table])
    if o.forum is not None:
        created = {e.name for e in spec.events if isinstance(e, ForumCreated)}
        forums = sorted(set(spec.forums) | created)
        if o.forum not in forums and (hint := suggest(o.forum, forums)):
            add((*at, "forum"), f"unknown forum '{o.forum}'{hint}")
            ok = False
    if o.actor is not None and o.actor.lower() not in GROUPS and o.actor not in actor_names():
        known = [*actor_names(), *GROUPS]
        hint = suggest(o.actor, known) or f" (an actor, or a group: {', '.join(GROUPS)})"
        add((*at, "actor"), f"unknown actor '{o.actor}'{hint}")
        ok = False
    return ok


def _row_column(add: Add, at: FieldPath, o: OutcomeSpec, columns: dict[str, str]) -> bool:
    """Whether a meetings or items column exists and can be read as the outcome reads it."""
    assert o.column is not None
    if o.column not in columns:
        hint = suggest(o.column, list(columns))
        add((*at, "column"), f"unknown column '{o.column}' of the {o.table} table{hint}")
        return False
    if columns[o.column] == "list" and o.equals is None:
        add((*at, "column"), f"'{o.column}' holds lists of actors; add equals: an actor")
        return False
    if columns[o.column] == "text" and o.equals is None:
        add((*at, "column"), f"'{o.column}' does not hold numbers; add equals: a value")
        return False
    return True


# --------------------------------------------------------------------------- cross-references
