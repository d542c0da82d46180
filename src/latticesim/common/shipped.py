"""The scenario and sweep files that come with latticesim, wherever it is installed.

The project keeps them at its top (``scenarios/``, ``experiments/``), where a user of the
checkout reads and edits them. A wheel carries copies inside the package
(``latticesim/examples/``, copied there when the wheel is built, see ``setup.py``), so an
installed latticesim finds them without the checkout: the dashboard offers them, and
:func:`copy_examples` (``latticesim examples DIR``) puts them where a user can edit them.
The folders keep their layout (``experiments/smoke.yaml`` names
``../scenarios/us_pivot.yaml``), so copied files run as they do in the checkout.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

__all__ = ["EXAMPLE_FOLDERS", "ExamplesError", "copy_examples", "examples_root", "shipped_files"]

EXAMPLE_FOLDERS = ("scenarios", "experiments", "experiments/comparisons")
"""The folders of shipped YAML files, relative to the examples' root."""

_PACKAGED = Path(__file__).resolve().parents[1] / "examples"
_CHECKOUT = Path(__file__).resolve().parents[3]


class ExamplesError(Exception):
    """The examples cannot be copied (the message is one line for the user)."""


def examples_root() -> Path:
    """The folder holding ``scenarios/`` and ``experiments/``.

    The installed package's copies when there are any (a wheel), else the checkout's own
    folders (an editable install or ``PYTHONPATH=src``, where the package has no copies).

    Raises:
        ExamplesError: neither exists (a broken install).
    """
    for root in (_PACKAGED, _CHECKOUT):
        if (root / "scenarios" / "baseline_2024.yaml").is_file():
            return root
    raise ExamplesError(
        "latticesim's shipped scenarios are missing from this install; reinstall it"
    )


def shipped_files() -> list[Path]:
    """Every shipped file, relative to :func:`examples_root` (what a wheel must carry)."""
    root = examples_root()
    return sorted(
        (root / folder / p.name).relative_to(root)
        for folder in EXAMPLE_FOLDERS
        for p in (root / folder).glob("*.yaml")
    )


def copy_examples(dest: str | os.PathLike[str], overwrite: bool = False) -> list[Path]:
    """Copy the shipped scenarios and sweep files into ``dest``, keeping their layout.

    A file already in ``dest`` is kept unless ``overwrite``: it may hold a user's edits.

    Returns:
        The files written (paths under ``dest``).

    Raises:
        ExamplesError: ``dest`` is a file or cannot be written; a file is in the way.
    """
    root = examples_root()
    target = Path(dest)
    if target.exists() and not target.is_dir():
        raise ExamplesError(f"{target}: is a file, not a folder")
    files = shipped_files()
    clashes = [rel for rel in files if (target / rel).exists()]
    if clashes and not overwrite:
        raise ExamplesError(
            f"{target / clashes[0]}: already exists ({len(clashes)} of the {len(files)} "
            "files do); pick an empty folder, or add --overwrite to replace them"
        )
    written = []
    try:
        for rel in files:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / rel, target / rel)
            written.append(target / rel)
    except OSError as exc:
        where = exc.filename or target
        raise ExamplesError(f"{where}: cannot write here ({exc.strerror or exc})") from None
    return written
