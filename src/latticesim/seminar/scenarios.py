"""The scenarios the dashboard offers: the shipped files, and files dropped on the page.

A facilitator picks a shipped scenario by name or drops a file of their own; both come
to :class:`~latticesim.seminar.controls.DashboardModel` by name (a dropped file's key in
:data:`UPLOADS`), because SolaraViz rebuilds its model from keyword arguments on Reset.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
import threading
from pathlib import Path

from latticesim.common.shipped import examples_root
from latticesim.scenario.loading import load_scenario
from latticesim.scenario.messages import ScenarioError
from latticesim.scenario.schema import ScenarioSpec

DEFAULT_SCENARIO = "us_pivot"
SCENARIOS_ENV = "LATTICESIM_SCENARIOS"


def scenario_dir() -> Path:
    """Where the dashboard finds scenarios.

    ``$LATTICESIM_SCENARIOS`` when set (``--scenarios``), else ./scenarios, else the
    shipped ones (the installed package's copies, or the checkout's folder).
    """
    env = os.environ.get(SCENARIOS_ENV)
    if env:
        return Path(env)
    here = Path.cwd() / "scenarios"
    if here.is_dir():
        return here
    return examples_root() / "scenarios"


def scenario_names() -> list[str]:
    """The shipped scenarios by name (file stem), baseline first."""
    names = sorted(p.stem for p in scenario_dir().glob("*.yaml"))
    return sorted(names, key=lambda n: (n != "baseline_2024", n))


@functools.lru_cache(maxsize=64)
def _load_cached(path: str, mtime: float) -> ScenarioSpec:
    return load_scenario(path)


def library_scenario(name: str) -> ScenarioSpec:
    """A shipped scenario by name, loaded once per file version.

    Raises:
        ScenarioError: when the file is bad (one line per problem).
        FileNotFoundError: when there is no such scenario.
    """
    path = scenario_dir() / f"{name}.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"no scenario {name!r} in {scenario_dir()}")
    return _load_cached(str(path), path.stat().st_mtime)


UPLOADS: dict[str, ScenarioSpec] = {}
"""Scenarios dropped on the dashboard, by a key that names them (per server process)."""
_upload_lock = threading.Lock()


def load_uploaded(name: str, data: bytes) -> str:
    """Validate a dropped scenario file and keep it; returns its key for :class:`DashboardModel`.

    The file is checked exactly as ``latticesim validate`` checks it. It may ``extends``
    a shipped scenario by file name, as files in ``scenarios/`` do.

    Raises:
        ScenarioError: the problems, one line each, naming the file as dropped.
    """
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(name).name) or "scenario.yaml"
    with tempfile.TemporaryDirectory(prefix="latticesim-upload-") as tmp:
        folder = Path(tmp)
        for shipped in scenario_dir().glob("*.yaml"):
            if shipped.name != safe:
                (folder / shipped.name).symlink_to(shipped.resolve())
        path = folder / safe
        path.write_bytes(data)
        try:
            spec = load_scenario(path)
        except ScenarioError as exc:
            text = str(exc).replace(str(folder) + os.sep, "")
            raise _Reworded(text) from None
    with _upload_lock:
        key = f"{safe} (dropped {len(UPLOADS) + 1})"
        UPLOADS[key] = spec
    return key


class _Reworded(ScenarioError):
    """A scenario error whose text names the dropped file, not the temporary copy."""

    def __init__(self, text: str) -> None:
        Exception.__init__(self, text)
        self.problems = []
