"""Running a sweep: a design of runs sent in chunks to an executor, streamed to a folder.

A sweep file (``experiments/*.yaml``, read by :mod:`latticesim.sweeps.sweepfile`) names a
scenario, the parameters to vary and how, the replications, the horizon and the metrics
to keep. :func:`run_sweep` turns it into chunks of runs
(:class:`~latticesim.sweeps.experiment.Job`), keeps a bounded number of them in flight on a
``concurrent.futures`` executor (:mod:`latticesim.sweeps.executors`: in process, a
local process pool, or a Dask cluster), and writes each chunk's tables into the sweep
folder as it comes back (:mod:`latticesim.sweeps.store`).

Run k of the design (point p, replication r) is seeded from the sweep's root seed and r
alone, so every point and every arm of a comparison reuses the same random streams
(common random numbers), and a run's result depends neither on the executor, the number
of workers nor the chunking. Running the same command again runs only what is not done.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from latticesim.sweeps.designs import auto_chunk_size
from latticesim.sweeps.executors import open_executor
from latticesim.sweeps.experiment import Experiment, Job, SweepRunError
from latticesim.sweeps.store import SweepStore, chunk_tables
from latticesim.sweeps.sweepfile import load_experiment
from latticesim.sweeps.worker import ChunkResult, describe_error, run_chunk

__all__ = ["SweepSummary", "run_sweep"]


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
    task: Callable[[Job], ChunkResult] = run_chunk,
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
        task: what a worker does with a chunk of runs (a module-level function, so any
            executor can run it): the sweep's outcomes by default; the calibration
            judges the hindcast's patterns instead.

    Raises:
        SweepError: the sweep file has mistakes.
        SweepRunError: ``out`` cannot be used, or the executor cannot be started.
    """
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    t0 = time.perf_counter()
    store = SweepStore.open(out, exp)
    try:
        done, failed_before = store.done()
        pending = [i for i in range(exp.n_runs) if i not in done]
        summary = SweepSummary(
            store.root, exp.name, exp.n_runs, len(done), 0, 0, failed_before, 0.0, False
        )
        if pending:
            where = (workers, scheduler, executor)
            _execute(exp, store, pending, summary, where, chunk_size, progress, task)
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
    store: SweepStore,
    pending: list[int],
    summary: SweepSummary,
    where: tuple[int | None, str | None, Executor | None],
    chunk_size: int | None,
    progress: bool,
    task: Callable[[Job], ChunkResult],
) -> None:
    from tqdm import tqdm

    workers, scheduler, executor = where
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
            for job, result in _drive(ex, exp.jobs(pending, size), 2 * slots, task):
                runs, series = chunk_tables(exp, job, result)
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
    executor: Executor,
    jobs: Iterator[Job],
    window: int,
    task: Callable[[Job], ChunkResult] = run_chunk,
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
            in_flight[executor.submit(task, job)] = job

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
