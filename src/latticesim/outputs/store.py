"""Run folders on disk: written atomically, read back as tables.

A run folder holds ``manifest.json``, one Parquet file per table, ``chronicle.md`` and
``figures/``. It is assembled in a hidden sibling folder and renamed into place only
when every file is written, so an interrupted run leaves no folder that looks complete
(and a previous run in the same place survives until the new one is whole). The
manifest is written last and says ``"complete": true``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from latticesim.common.files import write_text

MANIFEST = "manifest.json"


class RunFolderError(Exception):
    """A run folder that cannot be written or read; the message is one line for people."""


def write_run_folder(out: Path, fill: Callable[[Path], dict[str, Any]]) -> Path:
    """Create ``out`` atomically: ``fill(tmp)`` writes the files and returns the manifest.

    Refuses to replace an existing folder that is not a run folder (no manifest), so a
    mistyped ``--out`` never deletes someone's data.

    Raises:
        RunFolderError: when ``out`` exists and is not a run folder.
    """
    out = Path(out)
    foreign = out.is_file() or (out.is_dir() and any(out.iterdir()))
    if foreign and not (out / MANIFEST).is_file():
        raise RunFolderError(
            f"{out}: exists and is not a run folder (no {MANIFEST}); choose another --out"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        manifest = fill(tmp)
        manifest["complete"] = True
        # Non-ASCII escaped: a run manifest stays ASCII whatever a description holds.
        write_text(tmp / MANIFEST, json.dumps(manifest, indent=2, default=str) + "\n")
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


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
