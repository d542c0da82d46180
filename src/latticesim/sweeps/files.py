"""Sweeps: one scenario run many times over a design of parameter values, on any executor.

A sweep file (``experiments/*.yaml``) names a scenario, the parameters to vary and how
(a grid of values or ranges; a Latin hypercube, Sobol or Morris sample through SALib),
the number of replications, the horizon and the metrics to keep. ``run_sweep`` turns it
into runs, sends them in chunks to a ``concurrent.futures`` executor (in process, a
local process pool, or a Dask cluster) and streams what comes back into chunked Parquet.

Three promises shape the code:

* **Same run, same numbers, anywhere.** Run k of the design (point p, replication r) is
  seeded from the sweep's root seed and r alone (``numpy.random.SeedSequence``), so
  every point and every arm of a comparison reuses the same random streams (common
  random numbers), and a run's result does not depend on the executor, the number of
  workers or the chunking.
* **Nothing lost, nothing twice.** Each finished chunk is written as one part per table
  (``series/`` first, then ``runs/``), each to a hidden temporary file renamed into
  place, so a part either exists whole or not at all. The ``runs/`` part is the commit:
  a run is done exactly when a ``runs/`` part holds it. Running the same command again
  reads which runs are done, removes what an interrupted chunk left behind and runs the
  rest, even after ``kill -9``.
* **A failed run is data.** An exception inside a run is caught in the worker and
  recorded (status ``failed``, the exception's type and first line); the sweep goes on.

Sweep files are read with the scenario machinery of :mod:`latticesim.scenario.loading` (YAML
with line numbers, one-line problems ``FILE:LINE:COL: field: message``, close-name
suggestions), so a mistake in a sweep file reads like a mistake in a scenario file.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import itertools
import json
import math
import os
import re
import typing
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import BaseModel, ValidationError

from latticesim.common.quarters import Quarter
from latticesim.outputs.runs import package_version, simulate
from latticesim.scenario import loading
from latticesim.scenario.loading import (
    FieldPath,
    Problem,
    ScenarioError,
    format_path,
    scenario_hash,
)
from latticesim.scenario.schema import ADVERSARIES, EVENT_TYPES, ScenarioSpec

__all__ = [
    "DESIGNS",
    "Experiment",
    "Metrics",
    "Outcome",
    "Parameter",
    "SweepError",
    "SweepRunError",
    "apply_overrides",
    "auto_chunk_size",
    "frange",
    "grid_points",
    "load_experiment",
    "parse_path",
    "replication_seed",
    "sampled_points",
]

FORMAT = "latticesim-sweep/1"
MANIFEST = "sweep.json"
DESIGN_FILE = "design.parquet"
RUNS_DIR = "runs"
SERIES_DIR = "series"
LOCK_FILE = ".lock"
_PART_RE = re.compile(r"^part-(\d+)\.parquet$")

DESIGNS: dict[str, tuple[str, ...]] = {
    "grid": (),
    "lhs": ("samples",),
    "sobol": ("samples", "second_order"),
    "morris": ("trajectories", "levels"),
}
"""Design types and the options each takes."""

_DESIGN_NAMES = {"grid": "grid", "lhs": "Latin hypercube", "sobol": "Sobol", "morris": "Morris"}
SWEEPABLE = ("parameters", "actors", "adversaries", "forums", "events")
_TOP_KEYS = (
    "name",
    "description",
    "scenario",
    "seed",
    "replications",
    "until",
    "design",
    "parameters",
    "metrics",
    "chunk_size",
)
_PARAM_KEYS = ("path", "values", "from", "to", "step", "min", "max")
_METRIC_KEYS = ("series", "every", "outcomes")
_OUTCOME_KEYS = (
    "table",
    "column",
    "equals",
    "stat",
    "from",
    "to",
    "last",
    "forum",
    "kind",
    "subject",
)
STATS: dict[str, tuple[str, ...]] = {
    "model": ("last", "first", "mean", "median", "min", "max", "std", "change"),
    "meetings": ("mean", "median", "min", "max", "first", "last", "sum", "count"),
    "log": ("count", "first_step"),
}
_DEFAULT_STAT = {"model": "last", "meetings": "mean", "log": "count"}
_ENDS_ONLY = {"last": (-1,), "first": (0,), "change": (0, -1)}
"""Statistics that read only the ends of their window (positions in it)."""
_LOG_KINDS = (*EVENT_TYPES, "forum_founded", "forum_lapsed", "veto_lifted")
RESERVED_COLUMNS = (
    "run_id",
    "point",
    "replication",
    "seed",
    "status",
    "error",
    "elapsed_s",
    "step",
    "date",
)
DEFAULT_SERIES = (
    "coordination_index",
    "leading_platform_share",
    "share_NATO",
    "share_NATO+IP4",
    "linkage",
    "ip4_standing",
    "n_forums",
)
_DYNAMIC_PREFIXES = ("share_", "ip4_standing_")
MAX_POINTS = 1_000_000
_ERROR_CHARS = 400


class SweepError(ScenarioError):
    """A sweep file with mistakes; ``str()`` is one line per problem, like a scenario's."""


class SweepRunError(Exception):
    """A sweep that cannot start or go on (its folder, its executor); one line for people."""


# --------------------------------------------------------------------------- seeds


def replication_seed(root: int, replication: int) -> int:
    """The seed of every run of replication ``replication``, whatever its parameter point.

    It is the ``replication``-th child of ``SeedSequence(root)`` (the same as
    ``SeedSequence(root).spawn(n)[replication]`` for any n), so seeds depend on the root
    and the replication alone: all points and all arms of a comparison share their
    random streams, and adding replications later leaves earlier seeds unchanged.
    """
    child = np.random.SeedSequence(int(root), spawn_key=(int(replication),))
    return int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


# --------------------------------------------------------------------------- designs


def frange(start: float, stop: float, step: float) -> list[float]:
    """Values from ``start`` to ``stop`` inclusive in steps of ``step``, without float drift.

    ``0.1, 0.4, 0.1`` gives four values ending at exactly 0.4, not three ending at
    0.30000000000000004, which is what people mean when they write a range.
    """
    if step <= 0:
        raise ValueError("step must be positive")
    n = math.floor((stop - start) / step + 1e-9) + 1
    return [round(start + k * step, 12) for k in range(max(n, 0))]


def grid_points(values: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Every combination of the parameters' values, the first parameter varying slowest."""
    return [tuple(p) for p in itertools.product(*values)]


def salib_problem(names: Sequence[str], bounds: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """The problem dictionary SALib's samplers and analysers take."""
    return {
        "num_vars": len(names),
        "names": list(names),
        "bounds": [[float(lo), float(hi)] for lo, hi in bounds],
    }


def sampled_points(
    design: str, problem: dict[str, Any], options: dict[str, Any], seed: int
) -> np.ndarray:
    """A SALib sample (one row per point), reproducible from the sweep's root seed.

    Raises:
        ValueError: for an unknown design.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if design == "lhs":
            from SALib.sample import latin

            return latin.sample(problem, int(options["samples"]), seed=seed)
        if design == "sobol":
            from SALib.sample import sobol

            return sobol.sample(
                problem,
                int(options["samples"]),
                calc_second_order=bool(options.get("second_order", False)),
                seed=seed,
            )
        if design == "morris":
            from SALib.sample import morris

            return morris.sample(
                problem,
                int(options["trajectories"]),
                num_levels=int(options.get("levels", 4)),
                seed=seed,
            )
    raise ValueError(f"not a sampled design: {design}")


MAX_CHUNK = 100


def auto_chunk_size(remaining: int, slots: int) -> int:
    """Runs in the next task: a quarter of each worker's share of what remains (guided).

    Large tasks early amortise what each task costs (pickling, a round trip to the
    scheduler, a Parquet part); tasks shrink as the sweep nears its end, down to single
    runs, so no worker sits idle while another finishes a long last chunk (the tail
    that fixed-size chunks leave). Capped at ``MAX_CHUNK`` runs to keep parts and the
    memory in flight small.
    """
    return max(1, min(MAX_CHUNK, math.ceil(remaining / max(1, slots * 4))))


# --------------------------------------------------------------------------- parameter paths

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


class _PathError(ValueError):
    """A path that names nothing in the scenario (the message says what is there)."""


def _resolve_path(dump: dict[str, Any], path: FieldPath) -> tuple[Any, list[Any]]:
    """The declared type and constraints of the value a path names in the scenario.

    Names are checked against the scenario (actors, adversaries, forums, dimensions,
    events), so a misspelt name gets the same suggestion a scenario file would.

    Raises:
        _PathError: naming the first part of the path that is wrong.
    """
    root = path[0]
    if root not in SWEEPABLE:
        hint = loading._suggest(root, SWEEPABLE)
        raise _PathError(
            f"'{root}' cannot be varied{hint}; a path starts with "
            f"{', '.join(SWEEPABLE[:-1])} or {SWEEPABLE[-1]}"
        )
    if len(path) < 2:
        raise _PathError(f"'{root}' is a section; {_PATH_HELP}")
    name = path[1]
    if root == "events":
        events = dump.get("events") or []
        if not isinstance(name, int):
            raise _PathError("events are numbered from 0; write events[0].amount")
        if not 0 <= name < len(events):
            have = f"events[0] to events[{len(events) - 1}]" if events else "none"
            raise _PathError(f"the scenario has {len(events)} events ({have}); no events[{name}]")
    elif root != "parameters":
        names: Sequence[str]
        if root == "actors":
            names, what, aliases = loading._forum_actors(), "actor", loading._ALIASES
            if name in ADVERSARIES:
                raise _PathError(f"'{name}' is an adversary; vary it under adversaries.{name}")
        elif root == "adversaries":
            names, what, aliases = ADVERSARIES, "adversary", loading._ALIASES
        else:
            names, what, aliases = list(dump.get("forums") or {}), "forum", None
        if name not in names:
            hint = loading._suggest(name, names, aliases) or loading._listing(names, f"{what}s")
            raise _PathError(f"unknown {what} '{name}'{hint}")
    for k in range(2 if root != "parameters" else 1, len(path)):
        parent, _ = loading._schema_at(path[:k], dump)
        step = path[k]
        shown = format_path(path[:k])
        if isinstance(parent, type) and issubclass(parent, BaseModel):
            if loading._model_field(parent, step) is None or step == "type":
                keys = [key for key in loading._keys_of(parent) if key != "type"]
                kind = ""
                if root == "events":
                    kind = f" for {loading._a(dump['events'][name].get('type', '?'))} event"
                hint = loading._suggest(step, keys) or loading._listing(keys)
                raise _PathError(f"unknown key '{step}' in {shown}{kind}{hint}")
        elif typing.get_origin(parent) is dict:
            key_type = typing.get_args(parent)[0]
            if typing.get_origin(key_type) is typing.Literal:
                choices = [str(c) for c in typing.get_args(key_type)]
            elif path[k - 1] in ("position", "salience"):
                choices = list(dump.get("dimensions") or [])
            else:
                choices = []
            if choices and step not in choices:
                hint = loading._suggest(step, choices) or loading._listing(choices, "choices")
                raise _PathError(f"unknown key '{step}' in {shown}{hint}")
        elif typing.get_origin(parent) is list:
            node = _node(dump, path[:k])
            if not isinstance(step, int):
                raise _PathError(f"{shown} is a list; pick an entry like {shown}[0]")
            if not isinstance(node, list) or not 0 <= step < len(node):
                size = len(node) if isinstance(node, list) else 0
                raise _PathError(f"{shown} has {size} entries; no {shown}[{step}]")
        else:
            raise _PathError(f"{shown} is a single value; the path ends there")
    tp, meta = loading._schema_at(path, dump)
    if tp is None:
        raise _PathError(f"{format_path(path)} names nothing in the scenario; {_PATH_HELP}")
    if (isinstance(tp, type) and issubclass(tp, BaseModel)) or typing.get_origin(tp) is dict:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            keys = [key for key in loading._keys_of(tp) if key != "type"]
        else:
            key_type = typing.get_args(tp)[0]
            literal = typing.get_origin(key_type) is typing.Literal
            keys = [str(c) for c in typing.get_args(key_type)] if literal else []
            if not keys and path[-1] in ("position", "salience"):
                keys = list(dump.get("dimensions") or [])
        more = f"; go on to one of {', '.join(keys)}" if keys and len(keys) <= 12 else ""
        raise _PathError(f"{format_path(path)} is a section, not a value{more}")
    return tp, meta


def _node(data: Any, path: FieldPath) -> Any:
    for step in path:
        if isinstance(data, dict):
            data = data.get(step)
        elif isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
            data = data[step]
        else:
            return None
    return data


def _kind_of(tp: Any) -> str:
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


def apply_overrides(
    base: dict[str, Any], overrides: Iterable[tuple[FieldPath, Any]]
) -> ScenarioSpec:
    """The scenario ``base`` (a ``model_dump(mode="json", by_alias=True)``) with values set.

    Raises:
        pydantic.ValidationError: when a value does not fit the scenario's schema.
    """
    data: Any = base
    for path, value in overrides:
        data = _with(data, path, value)
    return ScenarioSpec.model_validate(data)


# --------------------------------------------------------------------------- the experiment


@dataclass(frozen=True)
class Parameter:
    """One varied parameter: its column name, the paths it sets and what it takes.

    Attributes:
        name: the column in the results (the key in the sweep file).
        paths: the scenario values it sets, all to the same value.
        kind: ``int``, ``float``, ``bool``, ``text`` or ``other``.
        values: the values of a grid parameter.
        low, high: the bounds of a sampled parameter.
    """

    name: str
    paths: tuple[FieldPath, ...]
    kind: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None

    def definition(self) -> dict[str, Any]:
        """The parameter as plain JSON, for the manifest and the experiment's hash."""
        out: dict[str, Any] = {
            "name": self.name,
            "paths": [format_path(p) for p in self.paths],
            "kind": self.kind,
        }
        if self.values is not None:
            out["values"] = list(self.values)
        else:
            out["min"], out["max"] = self.low, self.high
        return out

    def coerce(self, value: Any) -> Any:
        """A design value as the scenario field wants it (integers rounded)."""
        if self.kind == "int":
            whole = math.floor(float(value) + 0.5)  # half up: round() would send 0.5 to 0
            if self.low is not None and self.high is not None:
                whole = min(max(whole, int(self.low)), int(self.high))
            return int(whole)
        if self.kind == "float":
            return float(value)
        return value


@dataclass(frozen=True)
class Outcome:
    """One number per run, computed in the worker from the run's tables."""

    name: str
    table: str = "model"
    column: str | None = None
    stat: str = "last"
    equals: Any = None
    start: str | None = None
    end: str | None = None
    last: int | None = None
    forum: str | None = None
    kind: str | None = None
    subject: str | None = None

    def definition(self) -> dict[str, Any]:
        """The outcome as plain JSON (unset options left out)."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Metrics:
    """What a sweep keeps of each run.

    Attributes:
        series: model-table columns kept over time, every ``every`` quarters counted back
            from the last (so the last quarter is always kept).
        text_series: those of ``series`` that hold text (the leading platform's name).
        outcomes: one number per run each, stored in the run table.
    """

    series: tuple[str, ...] = ()
    every: int = 4
    outcomes: tuple[Outcome, ...] = ()
    text_series: frozenset[str] = frozenset()

    @property
    def needs_tables(self) -> bool:
        """Whether an outcome reads the meetings or the log (which costs a table build)."""
        return any(o.table != "model" for o in self.outcomes)

    @property
    def model_columns(self) -> frozenset[str]:
        """The model-table columns the series and the outcomes read."""
        outcomes = (o.column for o in self.outcomes if o.table == "model" and o.column)
        return frozenset((*self.series, *outcomes))

    @property
    def needs_blocs(self) -> bool:
        """Whether a kept column comes from bloc tracking (``bloc_energy``, ``bloc_b``...).

        Following the blocs is a pass over all pairs of actors every quarter that feeds
        nothing else in the model; a sweep that keeps none of its columns skips it.
        """
        return any(c.startswith("bloc_") for c in self.model_columns)

    def steps_read(self, quarters: int, start: Quarter) -> frozenset[int]:
        """The quarters (steps, counted from 1) whose model-table rows the metrics read.

        The kept series' quarters, and for each model outcome the quarters of its window
        its statistic reads (``last``: the window's last quarter; ``mean``: all of them),
        found with the same rules :func:`measure` applies to a run's rows.
        """
        steps = np.arange(1, quarters + 1, dtype=np.int64)
        read = set(range(quarters, 0, -self.every))  # counted back from the last
        for o in self.outcomes:
            if o.table != "model":
                continue
            mask = _window(steps, o, start)
            if o.last is not None:
                mask &= steps > (steps[-1] if quarters else 0) - o.last
            window = steps[mask].tolist()
            if window and o.stat in _ENDS_ONLY:
                window = [window[k] for k in _ENDS_ONLY[o.stat]]
            read.update(window)
        return frozenset(read)

    def definition(self) -> dict[str, Any]:
        """The metrics as plain JSON."""
        return {
            "series": list(self.series),
            "text_series": sorted(self.text_series),
            "every": self.every,
            "outcomes": [o.definition() for o in self.outcomes],
        }


@dataclass
class Experiment:
    """A validated sweep: a scenario, a design of points, replications and metrics.

    Build one with :func:`load_experiment` (from a sweep file) or :meth:`single` (one
    scenario, replications only, as ``latticesim compare`` does for each arm).
    """

    name: str
    spec: ScenarioSpec
    seed: int
    replications: int
    parameters: tuple[Parameter, ...]
    metrics: Metrics
    design: str = "grid"
    design_options: dict[str, Any] = field(default_factory=dict)
    until: str | None = None
    description: str = ""
    file: str | None = None
    scenario_file: str | None = None
    chunk_size: int | None = None
    points: list[tuple[Any, ...]] = field(default_factory=list)
    raw: np.ndarray | None = None
    problem: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self.scenario_sha256 = scenario_hash(self.spec)
        self.base = self.spec.model_dump(mode="json", by_alias=True)
        if not self.points:
            self.points = self._make_points()
        self._seeds = [replication_seed(self.seed, r) for r in range(self.replications)]

    @classmethod
    def single(
        cls,
        spec: ScenarioSpec,
        replications: int,
        seed: int,
        metrics: Metrics,
        until: str | None = None,
        name: str | None = None,
        scenario_file: str | None = None,
    ) -> Experiment:
        """A scenario run ``replications`` times and nothing varied (a comparison's arm)."""
        return cls(
            name=name or spec.name,
            spec=spec,
            seed=seed,
            replications=replications,
            parameters=(),
            metrics=metrics,
            until=until,
            scenario_file=scenario_file,
        )

    def _make_points(self) -> list[tuple[Any, ...]]:
        params = self.parameters
        if self.design == "grid":
            return grid_points([[p.coerce(v) for v in p.values or ()] for p in params])
        bounds = []
        for p in params:
            lo, hi = float(p.low or 0.0), float(p.high or 0.0)
            # Integers are sampled on [min - 0.5, max + 0.5) and rounded, so that each
            # whole value gets an equal share of the samples.
            bounds.append((lo - 0.5, hi + 0.5 - 1e-9) if p.kind == "int" else (lo, hi))
        self.problem = salib_problem([p.name for p in params], bounds)
        self.raw = sampled_points(self.design, self.problem, self.design_options, self.seed)
        return [tuple(p.coerce(x) for p, x in zip(params, row, strict=True)) for row in self.raw]

    # ------------------------------------------------------------------ facts

    @property
    def n_points(self) -> int:
        """Parameter points of the design."""
        return len(self.points)

    @property
    def n_runs(self) -> int:
        """Runs planned: points times replications."""
        return self.n_points * self.replications

    @property
    def start(self) -> Quarter:
        """The first quarter simulated."""
        return self.spec.start_quarter

    @property
    def end(self) -> Quarter:
        """The last quarter simulated (``until``, or the scenario's horizon)."""
        return Quarter.parse(self.until) if self.until else self.spec.horizon_quarter

    def definition(self) -> dict[str, Any]:
        """Everything that decides the sweep's results, as plain JSON (hashed for resume).

        Names, descriptions, file locations and chunking are left out: they change
        nothing in the results, so renaming a file does not stop a sweep resuming.
        """
        return {
            "scenario_sha256": self.scenario_sha256,
            "seed": self.seed,
            "replications": self.replications,
            "until": str(self.end),
            "design": {"type": self.design, **self.design_options},
            "parameters": [p.definition() for p in self.parameters],
            "metrics": self.metrics.definition(),
        }

    @property
    def sha256(self) -> str:
        """Fingerprint of :meth:`definition`."""
        return _sha256(self.definition())

    @property
    def design_sha256(self) -> str:
        """Fingerprint of the design's points (catches a sampler that changed)."""
        return _sha256([list(p) for p in self.points])

    def run(self, run_id: int) -> tuple[int, int, int, tuple[Any, ...]]:
        """Point, replication, seed and parameter values of run ``run_id``."""
        point, replication = divmod(run_id, self.replications)
        return point, replication, self._seeds[replication], self.points[point]

    def design_frame(self) -> pd.DataFrame:
        """One row per point: its parameter values (and SALib's raw sample, if any)."""
        frame = pd.DataFrame(
            {
                "point": np.arange(self.n_points, dtype=np.int64),
                **{
                    p.name: _column([pt[k] for pt in self.points], p.kind)
                    for k, p in enumerate(self.parameters)
                },
            }
        )
        if self.raw is not None:
            for k, p in enumerate(self.parameters):
                frame[f"raw:{p.name}"] = self.raw[:, k]
        return frame

    def describe(self) -> str:
        """One line saying what the sweep will do."""
        what = f"{self.design} design, {self.n_points} points" if self.parameters else "1 point"
        return (
            f"{self.name}: scenario {self.spec.name} (sha256 {self.scenario_sha256[:12]}), "
            f"{what} x {self.replications} replications = {self.n_runs} runs, "
            f"{self.start}-{self.end}, root seed {self.seed}"
        )

    def manifest(self) -> dict[str, Any]:
        """What ``sweep.json`` holds: enough to reproduce, check and analyse the sweep."""
        return {
            "format": FORMAT,
            "latticesim_version": package_version(),
            "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "experiment": {
                "name": self.name,
                "description": self.description,
                "file": self.file,
                "sha256": self.sha256,
            },
            "scenario": {
                "name": self.spec.name,
                "file": self.scenario_file,
                "sha256": self.scenario_sha256,
            },
            "seed": self.seed,
            "replications": self.replications,
            "start": str(self.start),
            "end": str(self.end),
            "design": {
                "type": self.design,
                "options": self.design_options,
                "points": self.n_points,
                "sha256": self.design_sha256,
                "salib_problem": self.problem,
            },
            "parameters": [p.definition() for p in self.parameters],
            "metrics": self.metrics.definition(),
            "runs_planned": self.n_runs,
            "seeds": "replication r runs with replication_seed(seed, r): the r-th child "
            "of numpy.random.SeedSequence(seed), the same for every point",
            "tables": {
                "runs": f"{RUNS_DIR}/part-*.parquet",
                "series": f"{SERIES_DIR}/part-*.parquet",
                "design": DESIGN_FILE,
            },
            "definition": self.definition(),
        }

    # ------------------------------------------------------------------ schemas

    def runs_schema(self) -> pa.Schema:
        """Columns of the run table: one row per run, the same in every part."""
        fields = [
            pa.field("run_id", pa.int64()),
            pa.field("point", pa.int64()),
            pa.field("replication", pa.int64()),
            pa.field("seed", pa.int64()),
        ]
        fields += [pa.field(p.name, _ARROW[p.kind]) for p in self.parameters]
        fields += [
            pa.field("status", pa.string()),
            pa.field("error", pa.string()),
            pa.field("elapsed_s", pa.float64()),
        ]
        fields += [pa.field(o.name, pa.float64()) for o in self.metrics.outcomes]
        return pa.schema(fields)

    def series_schema(self) -> pa.Schema:
        """Columns of the series table: one row per run and kept quarter."""
        m = self.metrics
        fields = [
            pa.field("run_id", pa.int64()),
            pa.field("step", pa.int64()),
            pa.field("date", pa.string()),
        ]
        fields += [
            pa.field(c, pa.string() if c in m.text_series else pa.float64()) for c in m.series
        ]
        return pa.schema(fields)

    def jobs(self, run_ids: Sequence[int], size: int | Callable[[int], int]) -> Iterator[Job]:
        """The pending runs as tasks, in run order.

        ``size`` is the runs per task, or a function of the runs still to hand out
        (:func:`auto_chunk_size`). Tasks are made only as the executor asks for them.
        """
        paths = tuple(p.paths for p in self.parameters)
        start = 0
        while start < len(run_ids):
            n = size(len(run_ids) - start) if callable(size) else size
            chunk = tuple((rid, *self.run(rid)) for rid in run_ids[start : start + n])
            start += n
            yield Job(self.sha256, self.base, paths, self.until, self.metrics, chunk)


_ARROW = {
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "text": pa.string(),
    "other": pa.string(),
}


def _column(values: list[Any], kind: str) -> Any:
    if kind == "other":
        return [json.dumps(v, sort_keys=True) for v in values]
    return values


def _sha256(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- reading sweep files


def _read_sweep_tree(display: str) -> Any:
    """The sweep file as loading's plain tree with origins (one problem if it is unreadable)."""
    path = Path(display)
    if path.is_dir():
        raise SweepError([Problem(display, 1, 1, "", "is a folder, not a sweep file")])
    if not path.is_file():
        hint = ""
        with contextlib.suppress(OSError):
            names = [p.name for p in path.parent.iterdir() if p.suffix in (".yaml", ".yml")]
            close = difflib.get_close_matches(path.name, names, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
        raise SweepError([Problem(display, 1, 1, "", f"no such file{hint}")])
    text = ""
    try:
        text = loading._read_text(display)
        raw = loading._parse_yaml(display, text)
    except ScenarioError as exc:
        raise SweepError([_bracket_hint(p, text) for p in exc.problems]) from None
    if raw is None:
        raise SweepError(
            [Problem(display, 1, 1, "", "the file is empty; a sweep needs at least scenario:")]
        )
    if not isinstance(raw, dict):
        raise SweepError(
            [
                Problem(
                    display,
                    1,
                    1,
                    "",
                    "the top level must be a mapping of keys (scenario:, parameters:, ...), "
                    f"not {loading._kind(raw)}",
                )
            ]
        )
    origins: dict[FieldPath, loading.Origin] = {(): loading.Origin(display, 1, 1)}
    data = loading._to_plain(raw, (), display, origins)
    return loading._Tree(data, origins)


def _bracket_hint(problem: Problem, text: str) -> Problem:
    """Explain the YAML trap of ``[events[0].amount]``: an index inside ``[...]`` or ``{...}``."""
    lines = text.splitlines()
    line = lines[problem.line - 1] if 0 < problem.line <= len(lines) else ""
    if re.search(r"[\[{][^\]}]*\w\[\d+\]", line):
        hint = (
            "; a path with [i] inside [...] or {...} needs quotes, e.g. "
            '["events[0].amount", "events[0].resources"] (or write events.0.amount)'
        )
        return Problem(
            problem.file, problem.line, problem.col, problem.path, problem.message + hint
        )
    return problem


class _Reader:
    """Checks a sweep file's tree, collecting every problem with its place in the file."""

    def __init__(self, tree: Any, display: str) -> None:
        self.tree = tree
        self.data: dict[str, Any] = tree.data
        self.display = display
        self.problems: list[Problem] = []

    def add(self, path: FieldPath, message: str, *, key: bool = False) -> None:
        self.problems.append(self.tree.problem(path, message, key=key))

    def keys(self, mapping: dict[str, Any], path: FieldPath, allowed: Sequence[str]) -> None:
        for k in mapping:
            if k not in allowed:
                hint = loading._suggest(k, allowed) or loading._listing(allowed)
                self.add((*path, k), f"unknown key '{k}'{hint}", key=True)

    def whole(self, path: FieldPath, value: Any, lo: int, hi: int | None = None) -> int | None:
        ok = isinstance(value, int) and not isinstance(value, bool)
        if isinstance(value, float) and value.is_integer():
            ok, value = True, int(value)
        if not ok:
            self.add(path, f"must be a whole number, got {loading._show(value)}")
            return None
        if value < lo or (hi is not None and value > hi):
            span = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
            self.add(path, f"must be {span}, got {value}")
            return None
        return int(value)

    def number(self, path: FieldPath, value: Any) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(path, f"must be a number, got {loading._show(value)}")
            return None
        return float(value)

    def text(self, path: FieldPath, value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.add(path, f"must be text, got {loading._show(value)}")
            return None
        return value

    def quarter(self, path: FieldPath, value: Any) -> Quarter | None:
        if isinstance(value, str) and re.fullmatch(r"\d{4}Q[1-4]", value):
            return Quarter.parse(value)
        self.add(path, loading._quarter_message(value))
        return None

    def mapping(self, path: FieldPath, value: Any, what: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.add(path, f"must be a mapping of {what}, not {loading._kind(value)}")
        return None


def load_experiment(path: str | os.PathLike[str]) -> Experiment:
    """Read and check a sweep file; the scenario it names is loaded and checked too.

    Raises:
        SweepError: listing every problem, one line each (``FILE:LINE:COL: field:
            message``); problems in the scenario file are reported where they are.
    """
    display = os.fspath(path)
    tree = _read_sweep_tree(display)
    r = _Reader(tree, display)
    data = r.data
    r.keys(data, (), _TOP_KEYS)

    spec, scenario_file = _scenario(r, display)
    name = Path(display).stem
    if "name" in data:
        name = r.text(("name",), data["name"]) or name
    description = data.get("description") or ""
    if not isinstance(description, str):
        r.add(("description",), "must be text")
        description = ""
    seed = r.whole(("seed",), data.get("seed", 1), 0) if "seed" in data else 1
    replications = 1
    if "replications" in data:
        replications = r.whole(("replications",), data["replications"], 1, 1_000_000) or 1
    chunk = None
    if "chunk_size" in data:
        chunk = r.whole(("chunk_size",), data["chunk_size"], 1, 100_000)
    design, options = _design(r)
    until: str | None = None
    if "until" in data:
        q = r.quarter(("until",), data["until"])
        if q is not None and spec is not None and q < spec.start_quarter:
            r.add(("until",), f"{q} is before the scenario's start {spec.start}")
        elif q is not None:
            until = str(q)
    if spec is None:
        raise SweepError(r.problems)
    params = _parameters(r, spec, design)
    end = Quarter.parse(until) if until else spec.horizon_quarter
    metrics = _metrics(r, data.get("metrics"), ("metrics",), spec, end, present="metrics" in data)
    if r.problems:
        raise SweepError(r.problems)
    if design == "grid":
        n_points = math.prod(len(p.values or ()) for p in params)
        if n_points > MAX_POINTS:
            r.add(("parameters",), f"the grid has {n_points:,} points; at most {MAX_POINTS:,}")
            raise SweepError(r.problems)
    return Experiment(
        name=name,
        spec=spec,
        seed=seed if seed is not None else 1,  # None only with a problem, raised above
        replications=replications,
        parameters=tuple(params),
        metrics=metrics,
        design=design,
        design_options=options,
        until=until,
        description=description.strip(),
        file=display,
        scenario_file=scenario_file,
        chunk_size=chunk,
    )


def _scenario(r: _Reader, display: str) -> tuple[ScenarioSpec | None, str | None]:
    value = r.data.get("scenario")
    if value is None:
        r.add((), "required key 'scenario' is missing; name the scenario file to sweep")
        return None, None
    if r.text(("scenario",), value) is None:
        return None, None
    target = os.path.normpath(os.path.join(os.path.dirname(display), value.strip()))
    if not Path(target).is_file():
        folder, wanted = Path(target).parent, Path(target).name
        names: list[str] = []
        with contextlib.suppress(OSError):
            names = sorted(p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
        close = difflib.get_close_matches(wanted, names, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        r.add(
            ("scenario",),
            f"cannot find '{value}' (looked for {target}; the path is relative to the "
            f"sweep file){hint}",
        )
        return None, None
    try:
        spec = loading.load_scenario(target)
    except ScenarioError as exc:
        r.problems.extend(exc.problems)
        return None, None
    return spec, target


def _design(r: _Reader) -> tuple[str, dict[str, Any]]:
    value = r.data.get("design", "grid")
    path: FieldPath = ("design",)
    kinds = list(DESIGNS)
    if isinstance(value, str):
        kind, opts = value, {}
    elif isinstance(value, dict):
        kind, opts = value.get("type"), {k: v for k, v in value.items() if k != "type"}
        path = ("design", "type")
        if kind is None:
            r.add(("design",), f"give the design's type: one of {', '.join(kinds)}")
            return "", {}
    else:
        r.add(path, f"must be a design name ({', '.join(kinds)}) or a mapping with type:")
        return "", {}
    if kind not in DESIGNS:
        hint = loading._suggest(kind, kinds) or loading._listing(kinds, "designs")
        r.add(path, f"unknown design '{kind}'{hint}")
        return "", {}  # unknown: parameters are not checked against a guess
    r.keys(opts, ("design",), DESIGNS[kind])
    options: dict[str, Any] = {}
    if kind == "lhs" or kind == "sobol":
        if "samples" not in opts:
            r.add(("design",), f"a {kind} design needs samples: (how many)")
        else:
            n = r.whole(("design", "samples"), opts["samples"], 2, MAX_POINTS)
            if n is not None and kind == "sobol" and n & (n - 1):
                lower, higher = 1 << (n.bit_length() - 1), 1 << n.bit_length()
                r.add(
                    ("design", "samples"),
                    f"a Sobol design needs a power of 2 samples (its sequence is balanced "
                    f"only then); use {lower} or {higher}, not {n}",
                )
            options["samples"] = n
        if kind == "sobol":
            second = opts.get("second_order", False)
            if not isinstance(second, bool):
                r.add(("design", "second_order"), "must be true or false")
            options["second_order"] = bool(second)
    if kind == "morris":
        if "trajectories" not in opts:
            r.add(("design",), "a morris design needs trajectories: (how many)")
        else:
            options["trajectories"] = r.whole(
                ("design", "trajectories"), opts["trajectories"], 2, MAX_POINTS
            )
        levels = r.whole(("design", "levels"), opts.get("levels", 4), 2, 100)
        if levels is not None and levels % 2:
            r.add(("design", "levels"), f"must be an even number of levels, got {levels}")
        options["levels"] = levels
    return kind, options


def _parameters(r: _Reader, spec: ScenarioSpec, design: str) -> list[Parameter]:
    value = r.data.get("parameters")
    if value is None:
        r.add((), "required key 'parameters' is missing; say what to vary")
        return []
    section = r.mapping(("parameters",), value, "parameters to vary")
    if section is None:
        return []
    if not section:
        r.add(("parameters",), "lists no parameters; say what to vary")
        return []
    dump = spec.model_dump(mode="json", by_alias=True)
    out: list[Parameter] = []
    for name, entry in section.items():
        p = _parameter(r, dump, design, name, entry)
        if p is not None:
            out.append(p)
    if design not in ("grid", ""):
        for p in out:
            if p.kind not in ("int", "float"):
                r.add(("parameters", p.name), "a sampled design varies numbers only")
    return out


def _parameter(
    r: _Reader, dump: dict[str, Any], design: str, name: str, entry: Any
) -> Parameter | None:
    at: FieldPath = ("parameters", name)
    if name in RESERVED_COLUMNS:
        r.add(at, f"'{name}' is a column of the results already; name it otherwise", key=True)
        return None
    if isinstance(entry, list):
        entry = {"values": entry}
        raw_paths: Any = name
        path_at: FieldPath = at
        values_at: FieldPath = at
        keyed = True
    elif isinstance(entry, dict):
        r.keys(entry, at, _PARAM_KEYS)
        raw_paths = entry.get("path", name)
        path_at = (*at, "path") if "path" in entry else at
        values_at = (*at, "values")
        keyed = "path" not in entry
    else:
        r.add(
            at,
            "give a list of values, or a mapping with path: and values:, from:/to:/step: "
            "or min:/max:",
        )
        return None
    texts = raw_paths if isinstance(raw_paths, list) else [raw_paths]
    if not texts:
        r.add(path_at, "lists no paths")
        return None
    resolved: list[tuple[FieldPath, Any, list[Any]]] = []
    for i, text in enumerate(texts):
        where = (*path_at, i) if isinstance(raw_paths, list) else path_at
        try:
            p = parse_path(text)
            tp, meta = _resolve_path(dump, p)
        except ValueError as exc:
            r.add(where, str(exc), key=keyed)
            continue
        resolved.append((p, tp, meta))
    if len(resolved) != len(texts):
        return None
    kinds = {_kind_of(tp) for _, tp, _ in resolved}
    if kinds == {"int", "float"}:
        kinds = {"float"}
    if len(kinds) > 1:
        r.add(path_at, "the paths hold different kinds of values; vary them separately")
        return None
    kind = kinds.pop()
    paths = tuple(p for p, _, _ in resolved)
    has = {k for k in ("values", "from", "to", "step", "min", "max") if k in entry}
    sampled = design != "grid"
    if not design:
        return None
    if sampled:
        if has & {"values", "from", "to", "step"} or not {"min", "max"} <= has:
            r.add(
                at,
                f"a {_DESIGN_NAMES[design]} design samples each parameter between min: and "
                "max:; give those instead of values or from/to/step",
                key=True,
            )
            return None
    elif has & {"min", "max"}:
        r.add(
            at,
            "min:/max: are for sampled designs (lhs, sobol, morris); a grid takes values: "
            "[...] or from:, to: and step:",
            key=True,
        )
        return None
    elif "values" in has and has & {"from", "to", "step"}:
        r.add(at, "give either values: or from:/to:/step:, not both", key=True)
        return None
    elif "values" not in has and not {"from", "to", "step"} <= has:
        missing = [k for k in ("from", "to", "step") if k not in has]
        r.add(
            at,
            f"give values: [...] or a range with from:, to: and step: ({', '.join(missing)} "
            "missing)",
            key=True,
        )
        return None
    check = _ValueCheck(r, dump, resolved, kind)
    if sampled:
        lo = r.number((*at, "min"), entry["min"])
        hi = r.number((*at, "max"), entry["max"])
        if lo is None or hi is None:
            return None
        if lo >= hi:
            r.add((*at, "max"), f"max {hi:g} must be above min {lo:g}")
            return None
        ok = check.value((*at, "min"), lo) and check.value((*at, "max"), hi)
        if kind == "int" and ok:
            for key, v in (("min", lo), ("max", hi)):
                if not float(v).is_integer():
                    r.add((*at, key), f"{format_path(paths[0])} takes whole numbers")
                    ok = False
        return Parameter(name, paths, kind, low=lo, high=hi) if ok else None
    if "values" in has:
        values = entry["values"]
        if not isinstance(values, list) or not values:
            r.add(values_at, "must be a non-empty list of values, e.g. [0.1, 0.2, 0.3]")
            return None
        ok = all(check.value((*values_at, i), v) for i, v in enumerate(values))
        if not ok:
            return None
        if len({json.dumps(v, sort_keys=True) for v in values}) != len(values):
            r.add(values_at, "lists a value twice")
            return None
        return Parameter(name, paths, kind, values=tuple(values))
    start = r.number((*at, "from"), entry["from"])
    stop = r.number((*at, "to"), entry["to"])
    step = r.number((*at, "step"), entry["step"])
    if start is None or stop is None or step is None:
        return None
    if kind not in ("int", "float"):
        r.add(at, f"{format_path(paths[0])} is not a number; list its values instead", key=True)
        return None
    if step <= 0:
        r.add((*at, "step"), f"must be positive, got {step:g}")
        return None
    if stop < start:
        r.add((*at, "to"), f"the range ends at {stop:g}, before it starts at {start:g}")
        return None
    values = frange(start, stop, step)
    if len(values) > MAX_POINTS:
        r.add((*at, "step"), f"makes {len(values)} values; use a larger step")
        return None
    if kind == "int" and not all(float(v).is_integer() for v in values):
        r.add((*at, "step"), f"{format_path(paths[0])} takes whole numbers; use whole steps")
        return None
    ok = check.value((*at, "from"), values[0]) and check.value((*at, "to"), values[-1])
    return Parameter(name, paths, kind, values=tuple(values)) if ok else None


class _ValueCheck:
    """Checks one value of a parameter against every scenario field it sets."""

    def __init__(
        self,
        r: _Reader,
        dump: dict[str, Any],
        resolved: list[tuple[FieldPath, Any, list]],
        kind: str,
    ) -> None:
        self.r, self.dump, self.resolved, self.kind = r, dump, resolved, kind

    def value(self, at: FieldPath, value: Any) -> bool:
        for path, tp, meta in self.resolved:
            message = self._problem(path, tp, meta, value)
            if message is not None:
                self.r.add(at, f"{format_path(path)}: {message}")
                return False
        return True

    def _problem(self, path: FieldPath, tp: Any, meta: list[Any], value: Any) -> str | None:
        kind = _kind_of(tp)
        if kind in ("int", "float"):
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number:
                return f"must be a number, got {loading._show(value)}"
            if kind == "int" and not float(value).is_integer():
                return f"must be a whole number, got {loading._show(value)}"
            lo, hi = loading._bounds(meta)
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                if lo is not None and hi is not None:
                    span = f"between {loading._num(lo)} and {loading._num(hi)}"
                elif lo is not None:
                    span = f"at least {loading._num(lo)}"
                else:
                    span = f"at most {loading._num(hi)}"
                return f"must be {span}, got {loading._show(value)}"
            return None
        try:
            spec = apply_overrides(self.dump, [(path, value)])
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            return f"{loading._show(value)} does not fit: {err['msg']}"
        data = spec.model_dump(mode="json", by_alias=True)
        tree = loading._Tree(data, {(): loading.Origin("", 1, 1)})
        found = loading._Checker(tree).run()
        return found[0].message if found else None


def _probe(spec: ScenarioSpec, end: Quarter) -> tuple[dict[str, str], dict[str, str]]:
    """Columns (and whether each holds numbers) of the model and meetings tables.

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
                numeric = col.startswith(("strength_", "n_")) or col in ("met", "adopted")
            out[col] = "number" if numeric else "text"
        return out

    return kinds(tables["model"]), kinds(tables["meetings"])


def _model_column(
    r: _Reader, columns: dict[str, str], col: Any, at: FieldPath, *, number: bool = False
) -> bool:
    if not isinstance(col, str):
        r.add(at, f"must be a column name, got {loading._show(col)}")
        return False
    if col in columns:
        if number and columns[col] != "number":
            r.add(at, f"'{col}' holds text; use equals: to count a value")
            return False
        return True
    close = loading._suggest(col, list(columns))
    if col.startswith(_DYNAMIC_PREFIXES) and not close:
        return True  # a forum that may be founded during a run
    listing = "" if close else " (see docs/outputs.md for the model table's columns)"
    r.add(at, f"unknown column '{col}' of the model table{close}{listing}")
    return False


def _metrics(
    r: _Reader,
    value: Any,
    at: FieldPath,
    spec: ScenarioSpec,
    end: Quarter,
    *,
    present: bool,
) -> Metrics:
    model_cols, meeting_cols = _probe(spec, end)
    if not present:
        return default_metrics(model_cols)
    section = r.mapping(at, value, "series:, every: and outcomes:")
    if section is None:
        return Metrics()
    r.keys(section, at, _METRIC_KEYS)
    series: list[str] = []
    raw_series = section.get("series", [])
    if not isinstance(raw_series, list):
        r.add((*at, "series"), "must be a list of model-table columns")
        raw_series = []
    for i, col in enumerate(raw_series):
        if _model_column(r, model_cols, col, (*at, "series", i)):
            if col in series or col in RESERVED_COLUMNS:
                r.add((*at, "series", i), f"'{col}' is listed twice or is a fixed column")
            else:
                series.append(col)
    every = r.whole((*at, "every"), section.get("every", 4), 1, 100_000) or 4
    outcomes: list[Outcome] = []
    raw = section.get("outcomes")
    if raw is None:
        outcomes = [
            Outcome(f"{c}_end", column=c, stat="mean", last=4)
            for c in series
            if model_cols.get(c, "number") == "number"
        ]
    elif (block := r.mapping((*at, "outcomes"), raw, "outcome names to definitions")) is not None:
        for name, entry in block.items():
            where = (*at, "outcomes", name)
            if name in RESERVED_COLUMNS:
                r.add(where, f"'{name}' is a column of the results already", key=True)
                continue
            o = _outcome(r, where, name, entry, spec, end, model_cols, meeting_cols)
            if o is not None:
                outcomes.append(o)
    text = frozenset(c for c in series if model_cols.get(c) == "text")
    return Metrics(tuple(series), every, tuple(outcomes), text)


def default_metrics(model_columns: Iterable[str]) -> Metrics:
    """What a sweep keeps when its file says nothing: the headline series, yearly.

    The outcomes are each series' mean over the last four quarters: a year smooths the
    quarter-to-quarter calendar (summits in some quarters, not others).
    """
    cols = set(model_columns)
    series = tuple(c for c in DEFAULT_SERIES if c in cols)
    outcomes = tuple(Outcome(f"{c}_end", column=c, stat="mean", last=4) for c in series)
    return Metrics(series, 4, outcomes)


def _outcome(
    r: _Reader,
    at: FieldPath,
    name: str,
    entry: Any,
    spec: ScenarioSpec,
    end: Quarter,
    model_cols: dict[str, str],
    meeting_cols: dict[str, str],
) -> Outcome | None:
    entry = r.mapping(at, entry, "table:, column:, stat: ...")
    if entry is None:
        return None
    r.keys(entry, at, _OUTCOME_KEYS)
    table = entry.get("table", "model")
    if table not in STATS:
        hint = loading._suggest(table, list(STATS)) or loading._listing(list(STATS), "tables")
        r.add((*at, "table"), f"unknown table '{table}'{hint}")
        return None
    stat = entry.get("stat", _DEFAULT_STAT[table])
    if stat not in STATS[table]:
        hint = loading._suggest(stat, STATS[table]) or loading._listing(
            STATS[table], f"statistics of the {table} table"
        )
        r.add((*at, "stat"), f"unknown statistic '{stat}'{hint}")
        return None
    out: dict[str, Any] = {"name": name, "table": table, "stat": stat}
    ok = True
    start_q = spec.start_quarter
    for key in ("from", "to"):
        if key in entry:
            q = r.quarter((*at, key), entry[key])
            if q is None:
                ok = False
            elif not start_q <= q <= end:
                r.add((*at, key), f"{q} is outside the sweep's quarters {start_q}-{end}")
                ok = False
            else:
                out["start" if key == "from" else "end"] = str(q)
    if "last" in entry:
        n = r.whole((*at, "last"), entry["last"], 1, 100_000)
        if n is None:
            ok = False
        elif {"from", "to"} & set(entry):
            r.add((*at, "last"), "give either last: or from:/to:, not both")
            ok = False
        out["last"] = n
    if (
        out.get("start")
        and out.get("end")
        and Quarter.parse(out["start"]) > Quarter.parse(out["end"])
    ):
        r.add((*at, "to"), f"the window ends at {out['end']}, before it starts at {out['start']}")
        ok = False
    if table == "model":
        if "column" not in entry:
            r.add(at, "required key 'column' is missing; name a model-table column", key=True)
            return None
        equals = entry.get("equals")
        ok &= _model_column(r, model_cols, entry["column"], (*at, "column"), number=equals is None)
        out["column"] = entry["column"]
        if equals is not None:
            out["equals"] = equals
        for key in ("forum", "kind", "subject"):
            if key in entry:
                r.add((*at, key), f"'{key}' is for the meetings or log table", key=True)
                ok = False
    elif table == "meetings":
        col = entry.get("column")
        if col is None and stat != "count":
            r.add(at, "required key 'column' is missing; e.g. strength_china_stance", key=True)
            return None
        if col is not None:
            if col not in meeting_cols:
                hint = loading._suggest(col, list(meeting_cols))
                r.add((*at, "column"), f"unknown column '{col}' of the meetings table{hint}")
                ok = False
            elif meeting_cols[col] != "number":
                r.add((*at, "column"), f"'{col}' does not hold numbers")
                ok = False
            out["column"] = col
        if "forum" in entry:
            forum = entry["forum"]
            known = set(spec.forums) | {
                e.name for e in spec.events if getattr(e, "type", "") == "forum_created"
            }
            if not isinstance(forum, str):
                r.add((*at, "forum"), "must be a forum's name")
                ok = False
            elif forum not in known and (hint := loading._suggest(forum, sorted(known))):
                r.add((*at, "forum"), f"unknown forum '{forum}'{hint}")
                ok = False
            out["forum"] = forum
    else:
        kind = entry.get("kind")
        if kind is None:
            r.add(at, f"required key 'kind' is missing; one of {', '.join(_LOG_KINDS)}", key=True)
            return None
        if kind not in _LOG_KINDS:
            hint = loading._suggest(kind, _LOG_KINDS) or loading._listing(_LOG_KINDS, "kinds")
            r.add((*at, "kind"), f"unknown kind '{kind}'{hint}")
            ok = False
        out["kind"] = kind
        if "subject" in entry:
            out["subject"] = r.text((*at, "subject"), entry["subject"])
        if "column" in entry:
            r.add((*at, "column"), "the log table is counted, not read by column", key=True)
            ok = False
    return Outcome(**out) if ok else None


@dataclass(frozen=True)
class Job:
    """A chunk of runs for one task: everything a worker needs, nothing it must look up.

    Attributes:
        key: the experiment's fingerprint (caches the base scenario in the worker).
        base: the scenario as plain JSON; each run sets its parameter values on it.
        paths: per parameter, the scenario values it sets.
        until: last quarter to simulate (None: the scenario's horizon).
        metrics: what to keep.
        runs: ``(run_id, point, replication, seed, values)`` per run.
    """

    key: str
    base: dict[str, Any]
    paths: tuple[tuple[FieldPath, ...], ...]
    until: str | None
    metrics: Metrics
    runs: tuple[tuple[int, int, int, int, tuple[Any, ...]], ...]


def _window(steps: np.ndarray, o: Outcome, start: Quarter) -> np.ndarray:
    mask = np.ones(len(steps), dtype=bool)
    if o.start is not None:
        mask &= steps >= Quarter.parse(o.start) - start + 1
    if o.end is not None:
        mask &= steps <= Quarter.parse(o.end) - start + 1
    return mask
