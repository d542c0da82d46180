"""Files that exist whole or not at all: written under a hidden name, then renamed.

A run folder, a sweep's manifest and parts, a report: a reader (an analyst's glob, a
resumed sweep) must never meet half a file, so every file the package writes for others
goes through :func:`atomic_write`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["TMP_MARK", "atomic_write", "safe_stem", "write_json", "write_text"]

TMP_MARK = ".tmp-"
"""What marks a file being written: ``.NAME.tmp-PID`` beside its target."""


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], Any]) -> None:
    """Call ``write`` on a hidden temporary beside ``path``, sync it, and rename it over.

    The rename is atomic on one filesystem, so ``path`` holds the old content or the new,
    never a part. The temporary is removed whatever happens.
    """
    path = Path(path)
    tmp = path.parent / f".{path.name}{TMP_MARK}{os.getpid()}"
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_json(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` as indented JSON (UTF-8, non-ASCII kept) to ``path`` atomically."""
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def safe_stem(name: str, fallback: str) -> str:
    """``name`` as a file or folder name: letters, digits and ``_.+-``, the rest ``_``.

    A scenario or parameter name may hold spaces, slashes or brackets; the name on disk
    must not, on any system. ``fallback`` names what has no such character at all.
    """
    return re.sub(r"[^A-Za-z0-9_.+-]+", "_", name).strip("_") or fallback
