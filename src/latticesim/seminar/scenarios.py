"""The scenarios the dashboard offers: the shipped files, and files dropped on the page.

A facilitator picks a shipped scenario by name or drops a file of their own; both come
to :class:`~latticesim.seminar.controls.DashboardModel` by name (a dropped file's key in
:data:`UPLOADS`), because SolaraViz rebuilds its model from keyword arguments on Reset.
"""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path

from latticesim.common.limits import MAX_UPLOADS
from latticesim.common.shipped import examples_root
from latticesim.scenario.loading import load_scenario
from latticesim.scenario.schema import ScenarioSpec
from latticesim.seminar.upload_check import UploadRefused, check_upload, upload_name

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

    The file is checked as ``latticesim validate`` checks it, in a worker process within
    a time and a memory budget (:mod:`~latticesim.seminar.upload_check`). It may
    ``extends`` one of the dashboard's scenarios by file name, and nothing else.

    Raises:
        ScenarioError: the problems, one line each, naming the file as dropped.
    """
    if len(UPLOADS) >= MAX_UPLOADS:
        raise UploadRefused(
            f"{upload_name(name)}: this dashboard already holds {MAX_UPLOADS} uploaded "
            "scenarios; restart it to upload more"
        )
    spec = check_upload(name, data, scenario_dir())
    with _upload_lock:
        key = f"{upload_name(name)} (dropped {len(UPLOADS) + 1})"
        UPLOADS[key] = spec
    return key
