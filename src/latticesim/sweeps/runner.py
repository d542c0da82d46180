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
import fcntl
import gc
import json
import math
import os
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from latticesim.common.quarters import Quarter
from latticesim.model.model import LatticeModel
from latticesim.model.recorder import Recorder
from latticesim.scenario.schema import LatticeScenario, ScenarioSpec
from latticesim.sweeps.designs import auto_chunk_size
from latticesim.sweeps.experiment import (
    _ERROR_CHARS,
    _PART_RE,
    DESIGN_FILE,
    FORMAT,
    LOCK_FILE,
    MANIFEST,
    RUNS_DIR,
    SERIES_DIR,
    Experiment,
    Job,
    Metrics,
    SweepRunError,
    _window,
)
from latticesim.sweeps.paths import apply_overrides
from latticesim.sweeps.sweepfile import load_experiment

__all__ = [
    "InProcessExecutor",
    "SweepData",
    "SweepRecorder",
    "SweepSummary",
    "open_executor",
    "open_sweep",
    "run_chunk",
    "run_sweep",
    "sweep_run",
]
# --------------------------------------------------------------------------- the worker


@dataclass
class ChunkResult:
    """What a worker sends back: per run its status and outcomes, and the series rows."""

    runs: list[dict[str, Any]]
    series: dict[str, list[Any]]


_BASES: dict[str, ScenarioSpec] = {}


def _base_spec(job: Job) -> ScenarioSpec:
    spec = _BASES.get(job.key)
    if spec is None:
        if len(_BASES) > 8:
            _BASES.clear()
        spec = _BASES[job.key] = ScenarioSpec.model_validate(job.base)
    return spec


def _spec_for(job: Job, values: tuple[Any, ...]) -> ScenarioSpec:
    if not job.paths:
        return _base_spec(job)
    overrides = [(p, v) for paths, v in zip(job.paths, values, strict=True) for p in paths]
    return apply_overrides(job.base, overrides)


class SweepRecorder(Recorder):
    """A recorder that builds only what a sweep's metrics read.

    A model-table row costs a pass over the metrics (coordination, standing shares,
    burden, linkage) every quarter; a sweep keeps a few quarters of a few columns. The
    quarters it reads get a row with those columns (and the date, step and counts every
    row has); other quarters get a row holding only their date and step, so a run's rows
    still count its quarters. Meetings are kept only when an outcome reads the meetings
    table (the log is always kept: it is a few lines).

    Args:
        model: the run's model.
        steps: the quarters (steps from 1) whose rows the metrics read.
        columns: the model-table columns they read (None: every column).
        meetings: keep each meeting's record for the meetings table.
    """

    def __init__(
        self,
        model: LatticeModel,
        steps: frozenset[int],
        columns: Iterable[str] | None = None,
        meetings: bool = True,
    ) -> None:
        super().__init__(model, record_actors=False)
        self.steps = steps
        self.groups = None if columns is None else self.row_groups(columns)
        self.meetings = meetings

    def record_step(self, quarter: Quarter, step: int) -> None:
        """The row's read columns for a quarter the sweep reads; its date and step otherwise."""
        if step not in self.steps:
            self.model_rows.append({"date": str(quarter), "step": step})
            self.held_this_step = 0
        elif self.groups is None:
            super().record_step(quarter, step)
        else:
            self.record_columns(quarter, step, self.groups)

    def record_meeting(
        self,
        quarter: Quarter,
        step: int,
        forum: Any,
        level: str,
        invitees: np.ndarray,
        levels: np.ndarray,
        met: bool,
        *decisions: Any,
    ) -> None:
        """Keep the meeting when the meetings table is read; count it as held either way.

        ``decisions`` are the chair, items, outcomes and voters
        :meth:`~latticesim.model.recorder.Recorder.record_meeting` takes.
        """
        if self.meetings:
            super().record_meeting(quarter, step, forum, level, invitees, levels, met, *decisions)
        else:
            self.held_this_step += met


def sweep_run(spec: ScenarioSpec, seed: int, until: str | None, metrics: Metrics) -> LatticeModel:
    """One run of a sweep: the model runs in full, and skips what ``metrics`` never read.

    Results are those of :func:`latticesim.outputs.runs.simulate` for the same scenario and seed:
    the per-actor table, the bloc tracking (unless a bloc column is kept), the meetings
    (unless an outcome reads them), the rows of quarters no series or outcome reads and
    the columns none reads are left out, and none of them feeds the model.
    """
    if until is not None:
        until = str(Quarter.parse(until))
    scenario = LatticeScenario(spec=spec, rng=seed, until=until)
    end = Quarter.parse(until) if until is not None else spec.horizon_quarter
    quarters = end - spec.start_quarter + 1
    steps = metrics.steps_read(quarters, spec.start_quarter)
    meetings = any(o.table == "meetings" for o in metrics.outcomes)
    model = LatticeModel(
        scenario,
        record_actors=False,
        track_blocs=metrics.needs_blocs,
        recorder=lambda m: SweepRecorder(m, steps, metrics.model_columns, meetings),
    )
    model.run_for(quarters)
    return model


def run_chunk(job: Job) -> ChunkResult:
    """Run a chunk of runs; an exception in one run is recorded, and the next one runs.

    A module-level function taking one picklable argument, so any executor can run it:
    in process, in a process pool, or on a Dask worker.
    """
    m = job.metrics
    series: dict[str, list[Any]] = {"run_id": [], "step": [], "date": []}
    for col in m.series:
        series[col] = []
    rows = []
    for run_id, _point, _replication, seed, values in job.runs:
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                spec = _spec_for(job, values)
                model = sweep_run(spec, seed, job.until, m)
                outcomes, kept = measure(model, m)
        except Exception as exc:  # a run's failure is data; the sweep goes on
            rows.append(
                {
                    "run_id": run_id,
                    "status": "failed",
                    "error": describe_error(exc),
                    "elapsed_s": time.perf_counter() - t0,
                }
            )
            continue
        n = len(kept["step"])
        series["run_id"].extend([run_id] * n)
        for col, vals in kept.items():
            series[col].extend(vals)
        rows.append(
            {
                "run_id": run_id,
                "status": "ok",
                "error": None,
                "elapsed_s": time.perf_counter() - t0,
                **outcomes,
            }
        )
    return ChunkResult(rows, series)


def describe_error(exc: BaseException) -> str:
    """One line for the run table: the exception's type, its first line and where it rose."""
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        text += f" (at {Path(last.filename).name}:{last.lineno} in {last.name})"
    return text[:_ERROR_CHARS]


def _model_rows(model: Any) -> list[dict[str, Any]]:
    """The model table's rows as the recorder keeps them (a DataFrame is not needed)."""
    rows = getattr(model.recorder, "model_rows", None)
    if rows is None:
        return model.recorder.frames()["model"].to_dict("records")
    return rows


def _stat(values: np.ndarray, stat: str) -> float:
    """A statistic of a run's values; NaN (not an error) when there is nothing to take it of."""
    if stat == "count":
        return float(np.count_nonzero(~np.isnan(values)))
    if values.size == 0:
        return float("nan")
    if stat == "last":
        return float(values[-1])
    if stat == "first":
        return float(values[0])
    if stat == "change":
        return float(values[-1] - values[0])
    if stat == "sum":
        return float(np.nansum(values))
    if np.isnan(values).all():
        return float("nan")
    fn = {
        "mean": np.nanmean,
        "median": np.nanmedian,
        "min": np.nanmin,
        "max": np.nanmax,
        "std": np.nanstd,
    }[stat]
    return float(fn(values))


def measure(model: Any, metrics: Metrics) -> tuple[dict[str, float], dict[str, list[Any]]]:
    """The outcomes and the kept series of a finished run."""
    rows = _model_rows(model)
    n = len(rows)
    keep = range((n - 1) % metrics.every, n, metrics.every) if n else range(0)
    kept: dict[str, list[Any]] = {
        "step": [int(rows[k]["step"]) for k in keep],
        "date": [str(rows[k]["date"]) for k in keep],
    }
    for col in metrics.series:
        if col in metrics.text_series:
            kept[col] = [_text_or_none(rows[k].get(col)) for k in keep]
        else:
            kept[col] = [_float(rows[k].get(col)) for k in keep]
    steps = np.array([int(r["step"]) for r in rows], dtype=np.int64)
    start = model.start
    outcomes: dict[str, float] = {}
    tables = None
    for o in metrics.outcomes:
        if o.table == "model":
            mask = _window(steps, o, start)
            if o.last is not None:
                mask &= steps > (steps[-1] if n else 0) - o.last
            picked = [rows[k].get(o.column) for k in np.flatnonzero(mask)]
            if o.equals is not None:
                values = np.array([float(v == o.equals) for v in picked])
            else:
                values = np.array([_float(v) for v in picked], dtype=float)
            outcomes[o.name] = _stat(values, o.stat)
            continue
        if tables is None:
            tables = model.recorder.frames()
        if o.table == "meetings":
            frame = tables["meetings"]
            frame = frame[frame["met"].astype(bool)]
            if o.forum is not None:
                frame = frame[frame["forum"] == o.forum]
            frame = frame[_window(frame["step"].to_numpy(), o, start)]
            if o.last is not None:
                frame = frame[frame["step"] > (steps[-1] if n else 0) - o.last]
            if o.column is None:
                outcomes[o.name] = float(len(frame))
            else:
                values = frame[o.column].to_numpy(dtype=float, na_value=np.nan)
                values = values if o.stat == "count" else values[~np.isnan(values)]
                outcomes[o.name] = _stat(values, o.stat)
        else:
            frame = tables["log"]
            frame = frame[frame["kind"] == o.kind]
            if o.subject is not None:
                frame = frame[frame["subject"] == o.subject]
            frame = frame[_window(frame["step"].to_numpy(), o, start)]
            if o.stat == "count":
                outcomes[o.name] = float(len(frame))
            else:
                outcomes[o.name] = float(frame["step"].min()) if len(frame) else float("nan")
    return outcomes, kept


def _float(value: Any) -> float:
    try:
        return float(value) if value is not None else float("nan")
    except (TypeError, ValueError):
        return float("nan")


def _text_or_none(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


# --------------------------------------------------------------------------- executors


class InProcessExecutor(Executor):
    """Runs each task when it is submitted, in this process (``--workers 1``).

    No processes to start and nothing to pickle: the cheapest executor for small sweeps
    and the one a debugger can step into.
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn`` now and return its already finished future."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def _process_pool(workers: int) -> Executor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # A fork server imports latticesim once and forks each worker from that clean
    # process: workers start fast, and do not inherit the threads of the parent (Arrow's
    # pool, a progress bar) that plain fork would copy into them.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["latticesim.sweeps.sweepfile"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_start)


def _worker_start() -> None:
    """Start a pool worker: what it imported is kept out of the garbage collector's walks.

    A finished run's model is freed by the cyclic collector (the model and its agents
    refer to each other), and a full collection walks every object of the process, over
    100,000 of them from the scientific stack, so it comes rarely and dead models pile up
    in between (80 of them, about 8 MB, in a 2,000-run worker). Frozen, those objects are
    skipped: full collections are cheap, come sooner and memory stays flat. Only pool
    workers do this; a sweep run in process leaves its caller's collector alone.
    """
    gc.freeze()


@contextlib.contextmanager
def open_executor(
    workers: int | None = None, scheduler: str | None = None
) -> Iterator[tuple[Executor, int]]:
    """The executor for ``--workers`` and ``--scheduler``, and how many tasks it runs at once.

    In process for one worker; a local process pool by default; with ``scheduler``,
    a Dask cluster: ``local`` starts a ``LocalCluster`` on 127.0.0.1, anything else is
    a running scheduler's address. Dask is imported only then.

    Raises:
        SweepRunError: Dask is not installed, or the scheduler cannot be reached.
    """
    if scheduler is None:
        n = workers or os.cpu_count() or 1
        if n == 1:
            yield InProcessExecutor(), 1
            return
        pool = _process_pool(n)
        try:
            yield pool, n
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    try:
        import logging

        from distributed import Client, LocalCluster
    except ImportError:
        raise SweepRunError("--scheduler needs Dask: pip install 'latticesim[dask]'") from None
    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise SweepRunError(f"--scheduler: cannot reach {scheduler}: {exc}") from None
    try:
        slots = sum(client.nthreads().values()) or 1
        yield client.get_executor(pure=False), slots
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# --------------------------------------------------------------------------- the store


class _Store:
    """A sweep folder: manifest, design, and one Parquet part per table per chunk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runs_dir = root / RUNS_DIR
        self.series_dir = root / SERIES_DIR
        self._lock: Any = None

    @classmethod
    def open(cls, root: str | os.PathLike[str], exp: Experiment) -> _Store:
        """Create the folder, or reopen it to resume the same experiment.

        Raises:
            SweepRunError: the folder is not a sweep folder, belongs to a different
                experiment, or another sweep is writing it.
        """
        store = cls(Path(root))
        root = store.root
        manifest_path = root / MANIFEST
        if root.exists() and not root.is_dir():
            raise SweepRunError(f"{root}: is a file, not a sweep folder; choose another --out")
        if root.is_dir() and not manifest_path.is_file():
            ours = {RUNS_DIR, SERIES_DIR, LOCK_FILE}
            if any(not (p.name in ours or p.name.startswith(".")) for p in root.iterdir()):
                raise SweepRunError(
                    f"{root}: exists and is not a sweep folder (no {MANIFEST}); "
                    "choose another --out"
                )
        root.mkdir(parents=True, exist_ok=True)
        store._take_lock()
        if manifest_path.is_file():
            old = json.loads(manifest_path.read_text(encoding="utf-8"))
            if (
                old.get("experiment", {}).get("sha256") != exp.sha256
                or old.get("design", {}).get("sha256") != exp.design_sha256
            ):
                name = old.get("experiment", {}).get("name", "?")
                sha = str(old.get("experiment", {}).get("sha256", "?"))[:12]
                store.close()
                raise SweepRunError(
                    f"{root}: holds a different experiment ({name}, sha256 {sha}; this one "
                    f"is {exp.name}, sha256 {exp.sha256[:12]}); use another --out, or "
                    "delete the folder to start again"
                )
        store.runs_dir.mkdir(exist_ok=True)
        store.series_dir.mkdir(exist_ok=True)
        store._tidy()
        if not manifest_path.is_file():
            _atomic_write(root / DESIGN_FILE, lambda p: exp.design_frame().to_parquet(p))
            manifest = exp.manifest()
            manifest["status"] = {"runs_done": 0, "runs_failed": 0, "complete": False}
            _write_json(manifest_path, manifest)
        return store

    def _take_lock(self) -> None:
        fh = open(self.root / LOCK_FILE, "a+")  # noqa: SIM115 (held until close())
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise SweepRunError(
                f"{self.root}: another sweep is writing this folder; wait for it to finish"
            ) from None
        self._lock = fh

    def close(self) -> None:
        """Release the folder for the next sweep."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _tidy(self) -> None:
        """Remove what an interrupted chunk left: temporary files and uncommitted parts."""
        for p in self.root.glob(".*.tmp-*"):
            p.unlink(missing_ok=True)  # a manifest or design interrupted while written
        committed = {p.name for p in self.runs_dir.iterdir() if _PART_RE.match(p.name)}
        for folder in (self.runs_dir, self.series_dir):
            for p in folder.iterdir():
                if p.name.startswith(".") or (
                    folder is self.series_dir and p.name not in committed
                ):
                    p.unlink(missing_ok=True)
        self._next = 1 + max(
            (int(m.group(1)) for p in self.runs_dir.iterdir() if (m := _PART_RE.match(p.name))),
            default=-1,
        )

    def done(self) -> tuple[set[int], int]:
        """Run ids held by committed parts, and how many of them failed."""
        parts = sorted(p for p in self.runs_dir.iterdir() if _PART_RE.match(p.name))
        ids: set[int] = set()
        failed = 0
        for p in parts:
            t = pq.read_table(p, columns=["run_id", "status"])
            ids.update(t.column("run_id").to_pylist())
            failed += sum(s != "ok" for s in t.column("status").to_pylist())
        return ids, failed

    def write(self, runs: pa.Table, series: pa.Table) -> str:
        """Write a chunk's parts: the series first, then its runs part, which commits it."""
        name = f"part-{self._next:06d}.parquet"
        self._next += 1
        _atomic_write(self.series_dir / name, lambda p: pq.write_table(series, p))
        _atomic_write(self.runs_dir / name, lambda p: pq.write_table(runs, p))
        return name

    def set_status(self, status: dict[str, Any]) -> None:
        """Record in the manifest how far the sweep got."""
        path = self.root / MANIFEST
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["status"] = status
        _write_json(path, manifest)


def _atomic_write(path: Path, write: Callable[[Path], Any]) -> None:
    """Write a file through a hidden temporary and rename it: it exists whole or not at all."""
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    _atomic_write(
        path,
        lambda p: p.write_text(
            json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
        ),
    )


def _tables(exp: Experiment, job: Job, result: ChunkResult) -> tuple[pa.Table, pa.Table]:
    """The chunk's rows as Arrow tables with the sweep's fixed schemas."""
    schema = exp.runs_schema()
    by_id = {row["run_id"]: row for row in result.runs}
    cols: dict[str, list[Any]] = {f.name: [] for f in schema}
    for run_id, point, replication, seed, values in job.runs:
        row = by_id[run_id]
        cols["run_id"].append(run_id)
        cols["point"].append(point)
        cols["replication"].append(replication)
        cols["seed"].append(seed)
        for p, v in zip(exp.parameters, values, strict=True):
            cols[p.name].append(json.dumps(v, sort_keys=True) if p.kind == "other" else v)
        cols["status"].append(row["status"])
        cols["error"].append(row["error"])
        cols["elapsed_s"].append(float(row["elapsed_s"]))
        for o in exp.metrics.outcomes:
            cols[o.name].append(row.get(o.name, float("nan")))
    runs = pa.table({f.name: pa.array(cols[f.name], type=f.type) for f in schema}, schema=schema)
    sschema = exp.series_schema()
    series = pa.table(
        {f.name: pa.array(result.series[f.name], type=f.type) for f in sschema}, schema=sschema
    )
    return runs, series


# --------------------------------------------------------------------------- running


@dataclass
class SweepSummary:
    """How a sweep invocation went."""

    out: Path
    name: str
    planned: int
    done_before: int
    ran: int
    failed: int
    failed_before: int
    wall_s: float
    complete: bool

    def line(self) -> str:
        """One line for the terminal."""
        failed = self.failed + self.failed_before
        fail = f", {failed} failed (status and error in the run table)" if failed else ""
        before = f" ({self.done_before} were already done)" if self.done_before else ""
        return (
            f"{self.name}: {self.done_before + self.ran}/{self.planned} runs done{before}"
            f"{fail}; {self.ran} ran in {self.wall_s:.1f} s -> {self.out}/"
        )


def run_sweep(
    experiment: Experiment | str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    chunk_size: int | None = None,
    progress: bool = False,
) -> SweepSummary:
    """Run a sweep into ``out``, resuming whatever an earlier invocation finished.

    Args:
        experiment: a sweep file or a loaded :class:`Experiment`.
        out: the sweep folder (created, or resumed if it holds the same experiment).
        workers: parallel workers (1: in process; default: one per core).
        scheduler: ``local`` for a Dask ``LocalCluster``, or a Dask scheduler's address.
        executor: any ``concurrent.futures.Executor`` to use instead (its parallelism is
            taken to be ``workers`` or 1).
        chunk_size: runs per task (default: the file's, or tasks that shrink toward the
            end, see :func:`auto_chunk_size`).
        progress: show a progress bar (runs done, failed, time left).

    Raises:
        SweepError: the sweep file has mistakes.
        SweepRunError: ``out`` cannot be used, or the executor cannot be started.
    """
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    t0 = time.perf_counter()
    store = _Store.open(out, exp)
    try:
        done, failed_before = store.done()
        pending = [i for i in range(exp.n_runs) if i not in done]
        summary = SweepSummary(
            store.root, exp.name, exp.n_runs, len(done), 0, 0, failed_before, 0.0, False
        )
        if pending:
            _execute(
                exp, store, pending, summary, workers, scheduler, executor, chunk_size, progress
            )
        summary.wall_s = time.perf_counter() - t0
        summary.complete = summary.done_before + summary.ran == exp.n_runs
        store.set_status(
            {
                "runs_done": summary.done_before + summary.ran,
                "runs_failed": summary.failed_before + summary.failed,
                "complete": summary.complete,
                "last_invocation_s": round(summary.wall_s, 3),
                "updated_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
        return summary
    finally:
        store.close()


def _execute(
    exp: Experiment,
    store: _Store,
    pending: list[int],
    summary: SweepSummary,
    workers: int | None,
    scheduler: str | None,
    executor: Executor | None,
    chunk_size: int | None,
    progress: bool,
) -> None:
    from tqdm import tqdm

    given = contextlib.nullcontext((executor, workers or 1)) if executor is not None else None
    with given or open_executor(workers, scheduler) as (ex, slots):
        size: int | Callable[[int], int] = (
            chunk_size or exp.chunk_size or (lambda remaining: auto_chunk_size(remaining, slots))
        )
        bar = tqdm(
            total=exp.n_runs,
            initial=summary.done_before,
            unit="run",
            desc=exp.name,
            disable=not progress,
            dynamic_ncols=True,
            smoothing=0.05,
        )
        bar.set_postfix_str(f"failed {summary.failed_before}", refresh=False)
        try:
            for job, result in _drive(ex, exp.jobs(pending, size), window=2 * slots):
                runs, series = _tables(exp, job, result)
                store.write(runs, series)
                failed = sum(r["status"] != "ok" for r in result.runs)
                summary.ran += len(job.runs)
                summary.failed += failed
                bar.set_postfix_str(
                    f"failed {summary.failed_before + summary.failed}", refresh=False
                )
                bar.update(len(job.runs))
        finally:
            bar.close()


def _drive(
    executor: Executor, jobs: Iterator[Job], window: int
) -> Iterator[tuple[Job, ChunkResult]]:
    """Yield each job with its result as it finishes, keeping ``window`` jobs in flight.

    Bounding what is in flight keeps memory flat in the number of runs: a sweep of a
    million runs holds no more tasks or results at once than one of a hundred.
    """
    in_flight: dict[Future, Job] = {}
    jobs = iter(jobs)

    def fill() -> None:
        while len(in_flight) < window:
            job = next(jobs, None)
            if job is None:
                return
            in_flight[executor.submit(run_chunk, job)] = job

    fill()
    try:
        while in_flight:
            finished, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: in_flight[f].runs[0][0]):
                job = in_flight.pop(future)
                try:
                    result = future.result()
                except Exception as exc:
                    # Not a run's failure (those are caught in the worker) but the task's:
                    # a worker that died, a lost connection. What is written stays valid.
                    raise SweepRunError(
                        f"a task stopped ({describe_error(exc)}); the runs already written "
                        "are kept: run the same command again to resume"
                    ) from exc
                yield job, result
            fill()
    finally:
        for future in in_flight:
            future.cancel()


# --------------------------------------------------------------------------- reading results


@dataclass
class SweepData:
    """A sweep folder, read back: the manifest, the design and the tables.

    Only committed parts are read, so what an interrupted chunk left is never seen.
    """

    root: Path
    manifest: dict[str, Any]

    @property
    def parameters(self) -> list[str]:
        """The varied parameters' column names."""
        return [p["name"] for p in self.manifest.get("parameters", [])]

    @property
    def outcomes(self) -> list[str]:
        """The outcome columns of the run table."""
        return [o["name"] for o in self.manifest["metrics"]["outcomes"]]

    @property
    def series_columns(self) -> list[str]:
        """The columns kept over time."""
        return list(self.manifest["metrics"]["series"])

    def _parts(self) -> list[str]:
        return sorted(p.name for p in (self.root / RUNS_DIR).iterdir() if _PART_RE.match(p.name))

    def runs(self, ok_only: bool = False) -> pd.DataFrame:
        """The run table: parameters, seed, status, error, time and outcomes, by run id.

        Raises:
            SweepRunError: if a run appears twice (which the store never writes).
        """
        parts = self._parts()
        if not parts:
            return pd.DataFrame()
        table = pa.concat_tables([pq.read_table(self.root / RUNS_DIR / p) for p in parts])
        frame = table.to_pandas().sort_values("run_id", kind="stable").reset_index(drop=True)
        if frame["run_id"].duplicated().any():
            raise SweepRunError(f"{self.root}: a run appears twice in {RUNS_DIR}/")
        if ok_only:
            frame = frame[frame["status"] == "ok"].reset_index(drop=True)
        return frame

    def series(self, with_parameters: bool = True) -> pd.DataFrame:
        """The kept series, one row per run and quarter, with the run's parameters."""
        parts = self._parts()
        if not parts:
            return pd.DataFrame()
        table = pa.concat_tables([pq.read_table(self.root / SERIES_DIR / p) for p in parts])
        frame = table.to_pandas().sort_values(["run_id", "step"], kind="stable")
        frame = frame.reset_index(drop=True)
        if with_parameters:
            keys = ["run_id", "point", "replication", "seed", *self.parameters]
            frame = frame.merge(self.runs()[keys], on="run_id", how="left")
        return frame

    def design(self) -> pd.DataFrame:
        """One row per parameter point (with SALib's raw sample for sampled designs)."""
        return pd.read_parquet(self.root / DESIGN_FILE)


def open_sweep(root: str | os.PathLike[str]) -> SweepData:
    """Open a sweep folder for reading.

    Raises:
        SweepRunError: the folder is not a sweep folder.
    """
    root = Path(root)
    path = root / MANIFEST
    if not path.is_file():
        what = "no such folder" if not root.exists() else f"not a sweep folder (no {MANIFEST})"
        raise SweepRunError(f"{root}: {what}")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise SweepRunError(f"{root}: {MANIFEST} is not a latticesim sweep manifest")
    return SweepData(root, manifest)
