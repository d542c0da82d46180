"""Where a sweep's chunks run: in this process, in a local process pool, or on Dask.

Every executor is a ``concurrent.futures.Executor`` and receives the same module-level
task (:func:`latticesim.sweeps.worker.run_chunk`), so a run's numbers never depend on
where it ran. Dask is imported only when a scheduler is asked for.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from typing import Any

from latticesim.common.processes import end_with_parent
from latticesim.sweeps.experiment import SweepRunError

__all__ = ["InProcessExecutor", "open_executor", "start_method"]


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


def start_method() -> str:
    """How pool workers start: ``forkserver`` where the system has it, else ``spawn``.

    A fork server (Linux, macOS) imports the worker's module once and forks each worker
    from that clean process, where ``spawn`` imports the scientific stack anew in each:
    a sweep with two workers finishes about 0.1 s sooner (10% of the smoke sweep;
    benchmarks/bench_start_method.py), and forked workers do not inherit the threads of
    the parent (Arrow's pool, a progress bar) that plain fork would copy into them.
    Windows has only ``spawn``; a worker receives a module-level function and picklable
    arguments either way, so the results are the same (a test runs both).
    """
    available = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in available else "spawn"


def _process_pool(workers: int) -> Executor:
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context(start_method())
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(["latticesim.sweeps.worker"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_start)


def _worker_start() -> None:
    """Start a pool worker: it ends with the sweep, and its imports stay out of gc's walks.

    A worker watches the sweep's process and exits when it is gone
    (:func:`~latticesim.common.processes.end_with_parent`): a sweep killed alone
    (SIGKILL, an out-of-memory kill, Task Manager) would otherwise leave its workers
    waiting for tasks forever, and with them the fork server.

    A finished run's model is freed by the cyclic collector (the model and its agents
    refer to each other), and a full collection walks every object of the process, over
    100,000 of them from the scientific stack, so it comes rarely and dead models pile up
    in between (80 of them, about 8 MB, in a 2,000-run worker). Frozen, those objects are
    skipped: full collections are cheap, come sooner and memory stays flat. Only pool
    workers do this; a sweep run in process leaves its caller's collector alone.
    """
    end_with_parent()
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
    if scheduler is not None:
        with _dask_executor(workers, scheduler) as opened:
            yield opened
        return
    n = workers or os.cpu_count() or 1
    if n == 1:
        yield InProcessExecutor(), 1
        return
    pool = _process_pool(n)
    try:
        yield pool, n
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _dask_executor(workers: int | None, scheduler: str) -> Iterator[tuple[Executor, int]]:
    """A Dask client's executor (a new ``LocalCluster`` for ``local``) and its threads.

    Dask's own log stays off the terminal while the client is open: a scheduler lost
    mid-sweep makes the client log each failed reconnection with its traceback, where
    the user needs one line, the one :func:`_lost` gives.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SweepRunError("--scheduler needs Dask: pip install 'latticesim[dask]'") from None
    cluster = None
    with _quiet("distributed", "tornado"):
        try:
            if scheduler == "local":
                cluster = LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    silence_logs=logging.CRITICAL,
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
        except SweepRunError as exc:
            if client.status != "running":
                raise _lost(scheduler) from exc
            raise
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _lost(scheduler: str) -> SweepRunError:
    return SweepRunError(
        f"--scheduler: lost the connection to the Dask scheduler at {scheduler}; the runs "
        "already written are kept: run the same command again to resume"
    )


@contextlib.contextmanager
def _quiet(*names: str) -> Iterator[None]:
    """The loggers ``names`` and those below them say nothing (not even errors) in the block.

    Dask configures several of them with a level and a handler each (``distributed``,
    ``distributed.client``, ``tornado``...), so each is raised, and put back afterwards.
    """
    loggers = [logging.getLogger(name) for name in names]
    loggers += [
        logger
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger) and name.split(".")[0] in names
    ]
    levels = [(logger, logger.level) for logger in loggers]
    for logger, _ in levels:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in levels:
            logger.setLevel(level)
