"""Whether a process runs, and workers that end with their parent."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import threading

from latticesim.common.processes import end_with_parent, pid_alive


def test_a_running_process_is_alive_and_an_ended_one_is_not() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert pid_alive(child.pid)
    finally:
        child.kill()
        child.wait()
    assert not pid_alive(child.pid)


def test_watching_the_parent_is_nothing_outside_a_worker() -> None:
    assert multiprocessing.parent_process() is None
    before = {t.name for t in threading.enumerate()}
    end_with_parent()
    assert {t.name for t in threading.enumerate()} == before
