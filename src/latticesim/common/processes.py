"""Processes: workers that end with their parent, and whether a process still runs.

A process killed with SIGKILL (or ended by Task Manager) runs no cleanup, so the workers
it started are not told to stop: a ``ProcessPoolExecutor`` worker waits for its next task
forever, and it keeps the fork server that made it alive too. Each worker therefore
watches its parent itself, through the sentinel that ``multiprocessing`` hands every
child (a pipe on Linux and macOS, the parent's process handle on Windows), and leaves
when it closes.

Whether a process still runs is asked without ``os.kill(pid, 0)`` on Windows, where
``os.kill`` with any signal but the console's two ends the process instead.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import sys
import threading

__all__ = ["end_with_parent", "pid_alive"]


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


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (or may: one we may not signal counts as alive).

    Used to tell a folder some running process is writing from the leftover of one that
    was killed, so a doubt keeps the folder.
    """
    if os.name == "nt":
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _windows_pid_alive(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    query, still_active = 0x1000, 259  # PROCESS_QUERY_LIMITED_INFORMATION, STILL_ACTIVE
    handle = kernel32.OpenProcess(query, False, pid)
    if not handle:
        return ctypes.get_last_error() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)
