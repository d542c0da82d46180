"""A sweep's runs as a worker runs them: a chunk of runs in, their outcomes and series out.

Everything here runs on the executor's side (in process, in a pool worker, on a Dask
worker), one picklable :class:`~latticesim.sweeps.experiment.Job` at a time. Two things shape
it:

* **A failed run is data.** An exception inside a run is caught here and recorded
  (status ``failed``, the exception's type, first line and where it rose); the chunk's
  other runs go on, and so does the sweep.
* **A run builds only what its metrics read.** :class:`SweepRecorder` keeps the rows
  and columns the sweep's series and outcomes need, and nothing of it feeds the model,
  so a sweep's run gives the numbers a full run gives, faster.
"""

from __future__ import annotations

import math
import time
import traceback
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from latticesim.common.quarters import Quarter
from latticesim.mechanisms.attendance import LEVEL_NAMES
from latticesim.model.model import LatticeModel
from latticesim.model.recorder import Recorder
from latticesim.scenario.schema import LatticeScenario, ScenarioSpec
from latticesim.sweeps.experiment import ERROR_CHARS, Job, Metrics, Outcome, window_mask
from latticesim.sweeps.paths import apply_overrides
from latticesim.world.actors import GROUPS, group_members

__all__ = [
    "MEETING_TABLES",
    "ChunkResult",
    "SweepRecorder",
    "describe_error",
    "failed_row",
    "measure",
    "run_chunk",
    "sweep_run",
]


MEETING_TABLES = ("meetings", "items", "attendance")
"""The tables built from the run's meetings: a run keeps its meetings when one is read."""


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
    table (the log is always kept: it is a few lines). Every quarter still follows what
    later rows remember: the texts joint coordination counts and the leading platform.

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
            self.keep_up(self.groups)
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
            self.note_texts(quarter, step, forum, level, invitees, levels, met, *decisions)
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
    meetings = any(o.table in MEETING_TABLES for o in metrics.outcomes)
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
            rows.append(failed_row(run_id, exc, t0))
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


def failed_row(run_id: int, exc: BaseException, started: float) -> dict[str, Any]:
    """A failed run's row of the run table: kept as data, so the sweep goes on."""
    return {
        "run_id": run_id,
        "status": "failed",
        "error": describe_error(exc),
        "elapsed_s": time.perf_counter() - started,
    }


def describe_error(exc: BaseException) -> str:
    """One line for the run table: the exception's type, its first line and where it rose."""
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        text += f" (at {Path(last.filename).name}:{last.lineno} in {last.name})"
    return text[:ERROR_CHARS]


# --------------------------------------------------------------------------- measuring


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
    steps = np.array([int(r["step"]) for r in rows], dtype=np.int64)
    last = steps[-1] if len(rows) else 0
    start = model.start
    outcomes: dict[str, float] = {}
    tables = None
    for o in metrics.outcomes:
        if o.table == "model":
            outcomes[o.name] = _model_outcome(rows, steps, last, o, start)
            continue
        if tables is None:
            tables = model.recorder.frames()
        if o.table == "log":
            outcomes[o.name] = _log_outcome(tables["log"], o, start, last)
        else:
            outcomes[o.name] = _stat(_row_values(tables, last, o, start), o.stat)
    return outcomes, _kept_series(rows, metrics)


def _kept_series(rows: list[dict[str, Any]], metrics: Metrics) -> dict[str, list[Any]]:
    """Every ``metrics.every``-th row back from the last, with the series' columns."""
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
    return kept


def _model_outcome(
    rows: list[dict[str, Any]], steps: np.ndarray, last: Any, o: Outcome, start: Quarter
) -> float:
    mask = window_mask(steps, o, start)
    if o.last is not None:
        mask &= steps > last - o.last
    picked = [rows[k].get(o.column) for k in np.flatnonzero(mask)]
    if o.equals is not None:
        values = np.array([float(v == o.equals) for v in picked])
    else:
        values = np.array([_float(v) for v in picked], dtype=float)
    return _stat(values, o.stat)


def _row_values(
    tables: dict[str, pd.DataFrame], last: Any, o: Outcome, start: Quarter
) -> np.ndarray:
    """The values an outcome of the meetings, items or attendance table takes its statistic of.

    Rows are those of meetings that met, of the outcome's forum, in its window. A column
    gives one value per row (empty values dropped, but for ``count``, which counts the
    others); ``equals`` makes each value 1 or 0 (a list column: whether it holds the
    value); no column, one value per row. Attendance gives one value per meeting: how many
    of its invitees (of ``actor``, at ``level``, or all who came) it had.
    """
    held = tables["meetings"]
    held = held[held["met"].astype(bool)]
    if o.forum is not None:
        held = held[held["forum"] == o.forum]
    held = _in_window(held, o, start, last)
    if o.table == "attendance":
        return _attendance_counts(tables["attendance"], held, o, start)
    frame = held if o.table == "meetings" else tables[o.table]
    if o.table != "meetings":
        frame = frame[frame["meeting_id"].isin(held["meeting_id"])]
    if o.column is None:
        return np.ones(len(frame))
    column = frame[o.column]
    if o.equals is not None:
        return np.array([_holds(v, o.equals) for v in column], dtype=float)
    values = column.to_numpy(dtype=float, na_value=np.nan)
    return values if o.stat == "count" else values[~np.isnan(values)]


def _in_window(frame: pd.DataFrame, o: Outcome, start: Quarter, last: Any) -> pd.DataFrame:
    """The rows of a table (with a ``step`` column) in the outcome's window of quarters."""
    mask = window_mask(frame["step"].to_numpy(), o, start)
    if o.last is not None:
        mask &= frame["step"].to_numpy() > last - o.last
    return frame[mask]


def _holds(value: Any, wanted: Any) -> float:
    """Whether a cell equals ``wanted`` or, for a list cell (``blockers``), holds it."""
    if isinstance(value, list | tuple | np.ndarray):
        return float(wanted in list(value))
    return float(value == wanted)


def _attendance_counts(
    frame: pd.DataFrame, held: pd.DataFrame, o: Outcome, start: Quarter
) -> np.ndarray:
    """Per meeting ``held``, how many of its invitees the outcome counts."""
    frame = frame[frame["meeting_id"].isin(held["meeting_id"])]
    if o.actor is not None:
        group = o.actor.lower()
        who = group_members(group, start.year) if group in GROUPS else [o.actor]
        frame = frame[frame["actor"].isin(who)]
    level = frame["level"].astype(object)
    frame = frame[level == o.level] if o.level is not None else frame[level != LEVEL_NAMES[0]]
    counts = frame.groupby("meeting_id").size()
    return counts.reindex(held["meeting_id"], fill_value=0).to_numpy(dtype=float)


def _log_outcome(frame: pd.DataFrame, o: Outcome, start: Quarter, last: Any) -> float:
    frame = frame[frame["kind"] == o.kind]
    if o.subject is not None:
        frame = frame[frame["subject"] == o.subject]
    frame = _in_window(frame, o, start, last)
    if o.stat == "count":
        return float(len(frame))
    if not len(frame):
        return float("nan")
    first = int(frame["step"].min())
    return float(first) if o.stat == "first_step" else (start + (first - 1)).decimal_year


def _float(value: Any) -> float:
    try:
        return float(value) if value is not None else float("nan")
    except (TypeError, ValueError):
        return float("nan")


def _text_or_none(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)
