"""Worker processes that end with the process that started them, however it ends.

A process killed with SIGKILL (or ended by Task Manager) runs no cleanup, so the workers
it started are not told to stop: a ``ProcessPoolExecutor`` worker waits for its next task
forever, and it keeps the fork server that made it alive too. Each worker therefore
watches its parent itself, through the sentinel that ``multiprocessing`` hands every
child (a pipe on Linux and macOS, the parent's process handle on Windows), and leaves
when it closes.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import sys
import threading

__all__ = ["end_with_parent"]


def end_with_parent() -> None:
    """In a ``multiprocessing`` child: exit as soon as the parent process is gone.

    A daemon thread blocks on the parent's sentinel (no polling, no cost while the
    parent lives) and ends the process with ``os._exit`` when it fires: the child holds
    no file of its own open for writing, and whatever it was computing is lost with the
    parent that would have received it. Does nothing in a process that
    ``multiprocessing`` did not start.
    """
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        sys.stderr.flush()
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
