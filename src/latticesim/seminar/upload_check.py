"""An uploaded scenario, checked in a worker process within a time and a memory budget.

The dashboard accepts files from anyone who can reach it, so a file is checked away from
the server: in a process of its own that may use :data:`UPLOAD_SECONDS` of time and
:data:`UPLOAD_MEMORY_BYTES` of memory (enforced with ``resource.setrlimit`` where the
system has it, and by the server killing the worker when time is up), that ends when
the server ends, and that sees only a temporary folder holding the file and copies of
the shipped scenarios. There, ``extends:`` may name only a shipped scenario, and every
message names files as the user knows them (``mine.yaml``, ``us_pivot.yaml``), never a
path on the server.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

from latticesim.common.limits import (
    MAX_FILE_BYTES,
    UPLOAD_CHECKS_AT_ONCE,
    UPLOAD_MEMORY_BYTES,
    UPLOAD_SECONDS,
)
from latticesim.common.processes import end_with_parent
from latticesim.common.text import and_join, suggest
from latticesim.scenario.loading import load_scenario
from latticesim.scenario.messages import ScenarioError
from latticesim.scenario.reading import parse_yaml, plain_tree
from latticesim.scenario.schema import ScenarioSpec

__all__ = ["UploadRefused", "check_upload", "upload_name"]

_GRACE = 2.0
"""Seconds the server waits beyond the budget for a worker to report (start-up, pickling)."""
_TURNS = threading.BoundedSemaphore(UPLOAD_CHECKS_AT_ONCE)
"""Checks running at once: a burst of uploads cannot start a worker (and its memory) each."""


class UploadRefused(ScenarioError):
    """An uploaded file's problems, one line each, naming the file as uploaded."""

    def __init__(self, text: str) -> None:
        Exception.__init__(self, text)
        self.problems = []


def upload_name(name: str) -> str:
    """The uploaded file's name as it is shown and written: its last part, plain characters."""
    base = re.split(r"[\\/]", name)[-1]
    return re.sub(r"[^A-Za-z0-9_.-]", "_", base).lstrip(".")[:100] or "scenario.yaml"


def check_upload(
    name: str,
    data: bytes,
    shipped: Path,
    seconds: float = UPLOAD_SECONDS,
    memory: int = UPLOAD_MEMORY_BYTES,
) -> ScenarioSpec:
    """Check an uploaded scenario file in a worker process; its spec when it is good.

    Args:
        name: the file's name as uploaded (only its last part is used).
        data: the file's bytes.
        shipped: the folder of scenarios that ``extends:`` may name.
        seconds: the time budget; the worker is killed past it.
        memory: the memory budget beyond the worker's own start.

    Raises:
        UploadRefused: the file's problems, or that it went beyond a budget.
    """
    shown = upload_name(name)
    if len(data) > MAX_FILE_BYTES:
        raise UploadRefused(
            f"{shown}: is larger than {MAX_FILE_BYTES:,} bytes; is it the right file?"
        )
    if not _TURNS.acquire(timeout=seconds):
        raise UploadRefused(
            f"{shown}: the dashboard is busy checking other files; load it again in a moment"
        )
    try:
        return _check_in_worker(shown, data, shipped, seconds, memory)
    finally:
        _TURNS.release()


def _check_in_worker(
    shown: str, data: bytes, shipped: Path, seconds: float, memory: int
) -> ScenarioSpec:
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    worker = ctx.Process(
        target=_work,
        args=(send, shown, data, str(shipped), seconds, memory),
        name="latticesim-upload-check",
        daemon=True,  # ended with the server when it exits normally; the watchdog otherwise
    )
    worker.start()
    send.close()
    try:
        if not receive.poll(seconds + _GRACE):
            raise UploadRefused(_too_much(shown, seconds, memory))
        outcome, payload = receive.recv()
    except (EOFError, OSError):  # the worker died: out of memory or of CPU time
        raise UploadRefused(_too_much(shown, seconds, memory)) from None
    finally:
        receive.close()
        if worker.is_alive():
            worker.kill()
        worker.join(5)
    if outcome == "ok":
        return payload
    raise UploadRefused(payload)


def _too_much(shown: str, seconds: float, memory: int) -> str:
    return (
        f"{shown}: could not be checked within {seconds:g} s and {memory // 2**20} MB; "
        "is it the right file?"
    )


def _context() -> multiprocessing.context.BaseContext:
    """A fork server where the system has one (the checks start in milliseconds), else spawn.

    Never plain fork: the server runs threads, which a forked child would inherit stopped
    wherever they were.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])
        return ctx
    return multiprocessing.get_context("spawn")


def _work(send, shown: str, data: bytes, shipped: str, seconds: float, memory: int) -> None:
    """The worker: limits first, then the check; reports ``(outcome, payload)`` and ends."""
    end_with_parent()
    _limit(seconds, memory)
    tmp = tempfile.mkdtemp(prefix="latticesim-upload-")
    try:
        outcome = ("ok", _check_in(Path(tmp), shown, data, Path(shipped)))
    except ScenarioError as exc:
        outcome = ("error", _unpathed(str(exc), (tmp, shipped)))
    except MemoryError:
        outcome = ("error", _too_much(shown, seconds, memory))
    except Exception as exc:  # a file the loader trips over is still the file's problem
        outcome = ("error", f"{shown}: cannot be read as a scenario ({type(exc).__name__})")
    finally:
        os.chdir(tempfile.gettempdir())  # a folder in use cannot be removed on Windows
        shutil.rmtree(tmp, ignore_errors=True)
    send.send(outcome)
    send.close()


def _check_in(folder: Path, shown: str, data: bytes, shipped: Path) -> ScenarioSpec:
    """Load the file from a folder holding only it and copies of the shipped scenarios.

    The worker works inside that folder, so every file is named relative to it in the
    loader's messages.
    """
    names = sorted(p.name for p in shipped.glob("*.yaml"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadRefused(
            f"{shown}: is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from None
    _check_extends(shown, text, [n for n in names if n != shown])
    for n in names:
        if n != shown:
            shutil.copyfile(shipped / n, folder / n)
    (folder / shown).write_bytes(data)
    os.chdir(folder)
    return load_scenario(shown)


def _check_extends(shown: str, text: str, allowed: list[str]) -> None:
    """``extends:`` in an upload names a shipped scenario by file name, nothing else."""
    raw = parse_yaml(shown, text)
    if not hasattr(raw, "get") or raw.get("extends") is None:
        return  # the loader says what is wrong with a file that is not a mapping
    value = raw.get("extends")
    if isinstance(value, str) and value.strip() in allowed:
        return
    hint = suggest(re.split(r"[\\/]", value)[-1], allowed) if isinstance(value, str) else ""
    message = (
        "a scenario uploaded to the dashboard may extend only one of its own, by file "
        f"name: {and_join(allowed)}{hint}"
    )
    raise ScenarioError([plain_tree(raw, shown).problem(("extends",), message)])


def _unpathed(text: str, folders: tuple[str, ...]) -> str:
    """``text`` without the server's folders: what is left of a path is its file name."""
    for folder in folders:
        for form in {folder, os.path.realpath(folder)}:
            text = text.replace(form + os.sep, "")
    # any other absolute path (a parent outside the folder, the system's temp folder)
    return re.sub(r"(?<![\w.])(?:[A-Za-z]:)?[\\/](?:[^\s\\/:'\"]+[\\/])+", "", text)


def _limit(seconds: float, memory: int) -> None:
    """The memory and CPU budgets, as the system's own limits where it has them."""
    try:
        import resource
    except ImportError:  # Windows: the server's kill at the deadline is the only bound
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(used.ru_utime + used.ru_stime + seconds) + 1
    _set(resource, resource.RLIMIT_CPU, cpu)
    size = _address_space()
    if size is not None:
        _set(resource, resource.RLIMIT_AS, size + memory)


def _set(resource, which: int, soft: int) -> None:
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    # a system may refuse a limit it does not enforce (the address space on macOS)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(which, (soft, hard))


def _address_space() -> int | None:
    """This process's virtual size in bytes (Linux), which RLIMIT_AS bounds."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")
