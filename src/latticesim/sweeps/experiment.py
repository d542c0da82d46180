"""A sweep as the runner sees it: parameters, outcomes, metrics, the design's points, tasks.

An :class:`Experiment` is a validated sweep (read from a sweep file by
:func:`latticesim.sweeps.sweepfile.load_experiment`, or one scenario repeated, as
``latticesim compare`` runs each arm): it knows its points, the seed of each run, what
its tables hold, and hands the pending runs out as :class:`Job` tasks. The names of the
files in a sweep folder are here too, for the runner and the readers of results.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from latticesim.common.quarters import Quarter
from latticesim.outputs.runs import package_version
from latticesim.scenario.loading import scenario_hash
from latticesim.scenario.messages import FieldPath, format_path
from latticesim.scenario.schema import ScenarioSpec
from latticesim.sweeps.designs import (
    CalibratedDraws,
    grid_points,
    replication_seed,
    salib_problem,
    sampled_points,
)

__all__ = [
    "DEFAULT_SERIES",
    "DESIGN_FILE",
    "DRAW_COLUMN",
    "FORMAT",
    "LOCK_FILE",
    "MANIFEST",
    "RESERVED_COLUMNS",
    "RUNS_DIR",
    "SERIES_DIR",
    "Experiment",
    "Job",
    "Metrics",
    "Outcome",
    "Parameter",
    "SweepRunError",
    "default_metrics",
]

FORMAT = "latticesim-sweep/1"
MANIFEST = "sweep.json"
DESIGN_FILE = "design.parquet"
RUNS_DIR = "runs"
SERIES_DIR = "series"
LOCK_FILE = ".lock"
PART_RE = re.compile(r"^part-(\d+)\.parquet$")
"""A committed chunk of a sweep's results (``runs/part-000012.parquet``)."""
ERROR_CHARS = 400
"""The longest error text a failed run keeps, so one bad run cannot bloat the store."""
DRAW_COLUMN = "calibrated_draw"
"""The run table's column of the accepted draw a run took its parameters from."""
RESERVED_COLUMNS = (
    DRAW_COLUMN,
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
"""Columns of the results tables; no parameter, series or outcome may take their names."""
DEFAULT_SERIES = (
    "joint_coordination",
    "coordination_index",
    "leading_platform_share",
    "share_NATO",
    "share_NATO+IP4",
    "linkage",
    "ip4_standing",
    "n_forums",
)
_ENDS_ONLY = {"last": (-1,), "first": (0,), "change": (0, -1)}
"""Statistics that read only the ends of their window (positions in it)."""


class SweepRunError(Exception):
    """A sweep that cannot start or go on (its folder, its executor); one line for people."""


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
    actor: str | None = None
    level: str | None = None

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
            mask = window_mask(steps, o, start)
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


def default_metrics(model_columns: Iterable[str]) -> Metrics:
    """What a sweep keeps when its file says nothing: the headline series, yearly.

    The outcomes are each series' mean over the last four quarters: a year smooths the
    quarter-to-quarter calendar (summits in some quarters, not others).
    """
    cols = set(model_columns)
    series = tuple(c for c in DEFAULT_SERIES if c in cols)
    outcomes = tuple(Outcome(f"{c}_end", column=c, stat="mean", last=4) for c in series)
    return Metrics(series, 4, outcomes)


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
    calibrated: CalibratedDraws | None = None

    def __post_init__(self) -> None:
        self.scenario_sha256 = scenario_hash(self.spec)
        self.base = self.spec.model_dump(mode="json", by_alias=True)
        if not self.points:
            self.points = self._make_points()
        self._seeds = [replication_seed(self.seed, r) for r in range(self.replications)]
        if self.calibrated is not None:  # what the design varies, the design sets
            self.calibrated = self.calibrated.without([p.name for p in self.parameters])

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
        calibrated: CalibratedDraws | None = None,
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
            calibrated=calibrated,
        )

    def _make_points(self) -> list[tuple[Any, ...]]:
        params = self.parameters
        if self.design in ("grid", "calibrated"):  # calibrated: a grid, draws per replication
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
        out = {
            "scenario_sha256": self.scenario_sha256,
            "seed": self.seed,
            "replications": self.replications,
            "until": str(self.end),
            "design": {"type": self.design, **self.design_options},
            "parameters": [p.definition() for p in self.parameters],
            "metrics": self.metrics.definition(),
        }
        if self.calibrated is not None:
            out["calibrated"] = self.calibrated.definition()
        return out

    @property
    def sha256(self) -> str:
        """Fingerprint of :meth:`definition`."""
        return _sha256(self.definition())

    @property
    def design_sha256(self) -> str:
        """Fingerprint of the design's points (catches a sampler that changed)."""
        return _sha256([list(p) for p in self.points])

    def run(self, run_id: int) -> tuple[int, int, int, tuple[Any, ...]]:
        """Point, replication, seed and parameter values of run ``run_id``.

        The values are the point's, then (with calibrated draws) the replication's draw's.
        """
        point, replication = divmod(run_id, self.replications)
        values = self.points[point]
        if self.calibrated is not None:
            values = (*values, *self.calibrated.values(self.seed, replication))
        return point, replication, self._seeds[replication], values

    @property
    def value_paths(self) -> tuple[tuple[FieldPath, ...], ...]:
        """Per value of a run (:meth:`run`), the scenario values it sets."""
        paths = tuple(p.paths for p in self.parameters)
        if self.calibrated is not None:
            paths += tuple((("parameters", n),) for n in self.calibrated.names)
        return paths

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
        drawn = f" ({self.calibrated.describe()})" if self.calibrated is not None else ""
        return (
            f"{self.name}: scenario {self.spec.name} (sha256 {self.scenario_sha256[:12]}), "
            f"{what} x {self.replications} replications{drawn} = {self.n_runs} runs, "
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
            **(
                {"calibrated": {**self.calibrated.definition(), "source": self.calibrated.source}}
                if self.calibrated is not None
                else {}
            ),
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
        if self.calibrated is not None:
            fields.append(pa.field(DRAW_COLUMN, pa.int64()))
            kinds = [
                _ARROW["int" if isinstance(v, int) else "float"] for v in self.calibrated.rows[0]
            ]
            fields += [pa.field(n, t) for n, t in zip(self.calibrated.names, kinds, strict=True)]
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
        paths = self.value_paths
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


def window_mask(steps: np.ndarray, o: Outcome, start: Quarter) -> np.ndarray:
    """Which of a run's steps (counted from 1) fall in the outcome's window of quarters."""
    mask = np.ones(len(steps), dtype=bool)
    if o.start is not None:
        mask &= steps >= Quarter.parse(o.start) - start + 1
    if o.end is not None:
        mask &= steps <= Quarter.parse(o.end) - start + 1
    return mask
