"""The dashboard served for scripts and tests: ``latticesim dashboard`` on a free port.

Benchmarks, the browser tests and the figure script drive a real server in a browser;
this starts one in its own process group, waits until its page answers, and stops the
whole group (the server and the workers it started) afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

__all__ = ["DashboardDidNotStart", "dashboard_server"]


class DashboardDidNotStart(RuntimeError):
    """The dashboard server exited or did not answer in time (its log says why)."""


@contextlib.contextmanager
def dashboard_server(
    log: str | os.PathLike[str] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 90.0,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``latticesim dashboard`` on a free loopback port until the block ends.

    For scripts and tests that drive the dashboard in a browser: it starts the command
    in its own process group, waits until the page answers, yields its address and
    process, and stops the whole group afterwards.

    Raises:
        DashboardDidNotStart: the server exited or did not answer within ``timeout``.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    out = open(log, "w", encoding="utf-8") if log is not None else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "latticesim.cli", "dashboard", "--port", str(port)],
        stdout=out,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=hasattr(os, "killpg"),
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise DashboardDidNotStart(f"the dashboard did not start on {url}")
            time.sleep(0.3)
        yield url, proc
    finally:
        _stop(proc)
        if out is not subprocess.DEVNULL:
            out.close()


def _stop(proc: subprocess.Popen) -> None:
    """End the server and its group; on Windows the server (its workers follow it)."""
    if not hasattr(os, "killpg"):  # Windows: no process groups to signal
        proc.terminate()
        proc.wait(10)
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
