"""Run folders on disk: written atomically, read back as tables.

A run folder holds ``manifest.json``, one Parquet file per table, ``chronicle.md`` and
``figures/``. It is assembled in ``PARENT/.writing/NAME.partial-PID/`` and moved into
place only when every file is written, so an interrupted run leaves no folder that looks
complete. The work folder is two levels down, so a glob such as ``runs/*/meetings.parquet``
(which DuckDB and pandas users write, and which does match hidden folders) never reads
it. A previous run at the same place is swapped out in one step where the system allows
(Linux's ``renameat2``), or else moved aside to ``.writing/NAME.old-PID`` just before the
new one moves in; a run killed between those two moves leaves the old one there, and the
next run into the same parent puts it back. The next run also removes the leftovers of
runs that were killed (only folders of these two patterns whose process is gone). The
manifest is written last and says ``"complete": true``.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from latticesim.common.files import write_text
from latticesim.common.processes import pid_alive

MANIFEST = "manifest.json"
WORK = ".writing"
"""The folder, beside the run folders, where they are assembled."""
_LEFTOVER = re.compile(r"^\.?(?P<name>.+)\.(?P<kind>partial|old)-(?P<pid>\d+)$")


class RunFolderError(Exception):
    """A run folder that cannot be written or read; the message is one line for people."""


def write_run_folder(out: Path, fill: Callable[[Path], dict[str, Any]]) -> Path:
    """Create ``out`` atomically: ``fill(tmp)`` writes the files and returns the manifest.

    Refuses to replace an existing folder that is not a run folder (no manifest), so a
    mistyped ``--out`` never deletes someone's data.

    Raises:
        RunFolderError: when ``out`` exists and is not a run folder, or cannot be written
            (under a file, unwritable, a read-only filesystem, a full disk).
    """
    out = Path(out)
    foreign = out.is_file() or (out.is_dir() and any(out.iterdir()))
    if foreign and not (out / MANIFEST).is_file():
        raise RunFolderError(
            f"{out}: exists and is not a run folder (no {MANIFEST}); choose another --out"
        )
    work = out.parent / WORK
    try:
        work.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunFolderError(
            f"{out}: cannot write the run folder here ({exc.strerror or exc})"
        ) from None
    clean_leftovers(out.parent)
    tmp = work / f"{out.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        _make_in(tmp)
        manifest = fill(tmp)
        manifest["complete"] = True
        # Non-ASCII escaped: a run manifest stays ASCII whatever a description holds.
        write_text(tmp / MANIFEST, json.dumps(manifest, indent=2, default=str) + "\n")
        _move_in(tmp, out, work / f"{out.name}.old-{os.getpid()}")
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise RunFolderError(
            f"{out}: cannot write the run folder ({exc.strerror or exc})"
        ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        with contextlib.suppress(OSError):
            work.rmdir()  # only when empty: another run may be writing beside this one
    return out


def _make_in(tmp: Path) -> None:
    """Make ``tmp`` in ``.writing/``, which a run finishing beside may just have removed."""
    for _ in range(10):
        try:
            tmp.mkdir()
            return
        except FileNotFoundError:
            tmp.parent.mkdir(exist_ok=True)
    tmp.mkdir()


def _move_in(tmp: Path, out: Path, old: Path) -> None:
    """Put ``tmp`` at ``out``; a run already there stays until the new one is in place."""
    if not out.exists():
        tmp.rename(out)
        return
    if _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)  # it now holds the previous run
        return
    out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux's ``renameat2``); False where it is not offered."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return done == 0


def clean_leftovers(parent: Path) -> list[Path]:
    """Remove what killed runs left in ``parent``; put back a run moved aside and not replaced.

    Only folders named as this module names its work folders (``NAME.partial-PID``,
    ``NAME.old-PID``, in ``.writing/`` or, as earlier versions left them, hidden in
    ``parent`` itself) are touched, and only when process PID is gone.

    Returns:
        The folders removed or put back.
    """
    touched = []
    for place in (parent / WORK, parent):
        try:
            entries = list(place.iterdir())
        except OSError:
            continue
        for entry in entries:
            m = _LEFTOVER.match(entry.name)
            hidden = entry.name.startswith(".")
            if not m or not entry.is_dir() or (place == parent) != hidden:
                continue
            if pid_alive(int(m["pid"])):
                continue
            target = parent / m["name"]
            if m["kind"] == "old" and not target.exists() and (entry / MANIFEST).is_file():
                entry.rename(target)
            else:
                shutil.rmtree(entry, ignore_errors=True)
            touched.append(entry)
    return touched


def write_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> dict[str, dict[str, Any]]:
    """Write each table as ``NAME.parquet``; returns what the manifest lists about them."""
    listed = {}
    for name, df in tables.items():
        path = folder / f"{name}.parquet"
        df.to_parquet(path, index=False)
        listed[name] = {"file": path.name, "rows": len(df), "columns": len(df.columns)}
    return listed


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a complete run folder.

    Raises:
        RunFolderError: when the folder is missing, incomplete or not a run folder.
    """
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.is_file():
        raise RunFolderError(f"{folder}: not a run folder (no {MANIFEST})")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RunFolderError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    if not manifest.get("complete"):
        raise RunFolderError(f"{folder}: the run did not finish writing")
    return manifest


def read_tables(folder: Path, names: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """Read a run folder's tables back (all, or the ones named)."""
    manifest = read_manifest(folder)
    listed = manifest.get("tables", {})
    wanted = names if names is not None else list(listed)
    return {n: pd.read_parquet(Path(folder) / listed[n]["file"]) for n in wanted}
