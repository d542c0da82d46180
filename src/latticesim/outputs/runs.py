"""One run: scenario file -> model -> tables -> run folder (manifest, Parquet, chronicle, figures).

``run()`` is the Python entry point (a notebook's ``latticesim.run(...)``) and what the
``latticesim run`` command calls. Every run says what produced it: the manifest carries
the package version, the scenario's content hash, the seed and the parameters, so a
reader can reproduce any figure from its folder.
"""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, overload

import mesa
import numpy as np
import pandas as pd

from latticesim.common.quarters import Quarter
from latticesim.model.model import LatticeModel
from latticesim.outputs.store import write_run_folder, write_tables
from latticesim.scenario.loading import load_scenario, scenario_hash
from latticesim.scenario.schema import LatticeScenario, ScenarioSpec


def package_version() -> str:
    """The installed package's version (``0+unknown`` when run from a bare checkout)."""
    try:
        return version("latticesim")
    except PackageNotFoundError:
        return "0+unknown"


class _Table:
    """One of a run's tables as an attribute of its result (``result.meetings``).

    Declared with its description, so each table is named and described once; the
    attribute reads ``result.tables``, so the two never disagree.
    """

    def __init__(self, doc: str) -> None:
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, result: None, owner: type) -> _Table: ...

    @overload
    def __get__(self, result: RunResult, owner: type) -> pd.DataFrame: ...

    def __get__(self, result: RunResult | None, owner: type) -> _Table | pd.DataFrame:
        return self if result is None else result.tables[self.name]

    def __set__(self, result: RunResult, value: object) -> None:
        raise AttributeError(f"{self.name} is read from the tables; set tables[{self.name!r}]")


@dataclass
class RunResult:
    """A finished run: its tables as DataFrames, its manifest and chronicle.

    Attributes:
        spec: the validated scenario.
        seed: the seed it ran with.
        tables: ``model``, ``actors``, ``meetings``, ``items``, ``attendance``, ``log``.
        manifest: what ``manifest.json`` holds (or would hold, without a folder).
        chronicle: the run told as dated sentences (Markdown).
        folder: the run folder, when one was written.
    """

    spec: ScenarioSpec
    seed: int
    tables: dict[str, pd.DataFrame]
    manifest: dict[str, Any]
    chronicle: str
    folder: Path | None = None
    figures: list[Path] = field(default_factory=list)

    model = _Table("One row per quarter: coordination, leading platform, linkage, burden...")
    actors = _Table("One row per actor and quarter: positions, saliences, threat, standing.")
    meetings = _Table("One row per scheduled meeting: attendance counts, outcome, strengths.")
    items = _Table("One row per agenda item: proposal, strength, blockers.")
    attendance = _Table("One row per invitee per meeting: the level it came at.")

    def __repr__(self) -> str:
        where = f", folder={str(self.folder)!r}" if self.folder else ""
        return (
            f"RunResult({self.spec.name!r}, seed={self.seed}, "
            f"{len(self.model)} quarters, {len(self.meetings)} meetings{where})"
        )


def simulate(
    spec: ScenarioSpec,
    seed: int,
    until: str | None = None,
    record_actors: bool = True,
    progress: bool = False,
) -> LatticeModel:
    """Build the model for ``spec`` and ``seed`` and run it to its horizon (or ``until``).

    Raises:
        ValueError: when ``until`` is not a quarter, lies before the start or after
            ``LATEST_YEAR`` (docs/limits.md).
    """
    if until is not None:
        until = str(Quarter.parse(until))
    model = LatticeModel(
        LatticeScenario(spec=spec, rng=seed, until=until), record_actors=record_actors
    )
    quarters = model.horizon - model.start + 1
    if progress:
        from tqdm import tqdm

        for _ in tqdm(
            range(quarters),
            desc=f"{spec.name} seed {seed}",
            unit="quarter",
            leave=False,
            disable=None,
        ):
            model.run_for(1)
    else:
        model.run_for(quarters)
    return model


def run(
    scenario: str | Path | ScenarioSpec,
    seed: int | None = None,
    until: str | None = None,
    out: str | Path | None = None,
    figures: bool = True,
    progress: bool = False,
    source: str | None = None,
) -> RunResult:
    """Run a scenario once and return its tables; with ``out``, also write its run folder.

    Args:
        scenario: a scenario file (YAML) or an already loaded spec.
        seed: the random seed (default: the scenario's ``seed``).
        until: last quarter to simulate (default: the scenario's horizon).
        out: folder to write (replaced atomically if it holds an earlier run).
        figures: write figures into ``out/figures`` (PNG and SVG).
        progress: show a progress bar over quarters.
        source: the file a loaded spec came from, for the manifest (a path given as
            ``scenario`` is recorded as it is).

    Raises:
        latticesim.scenario.messages.ScenarioError: the scenario file has mistakes.
        latticesim.outputs.store.RunFolderError: ``out`` exists and is not a run folder.
    """
    t0 = time.perf_counter()
    if isinstance(scenario, ScenarioSpec):
        spec = scenario
    else:
        source = str(scenario)
        spec = load_scenario(scenario)
    seed = spec.seed if seed is None else int(seed)
    t_load = time.perf_counter()
    model = simulate(spec, seed, until=until, progress=progress)
    t_sim = time.perf_counter()
    result = result_of(model, spec, seed, source)
    result.manifest["timings_s"] = {
        "load": round(t_load - t0, 4),
        "simulate": round(t_sim - t_load, 4),
        "tables": round(time.perf_counter() - t_sim, 4),
    }
    if out is not None:
        result.folder = write_run_folder(Path(out), lambda tmp: _fill(tmp, result, figures, t0))
    return result


def result_of(
    model: LatticeModel, spec: ScenarioSpec, seed: int, source: str | None = None
) -> RunResult:
    """A model already run (a dashboard's, played by a room) as a run's tables and chronicle."""
    tables = model.recorder.frames()
    manifest = _manifest(spec, source, seed, model, tables)
    manifest["timings_s"] = {}
    from latticesim.outputs.chronicle import chronicle

    header = {
        "scenario": spec.name,
        "seed": seed,
        "version": manifest["latticesim_version"],
        "scenario_sha256": manifest["scenario"]["sha256"][:12],
    }
    text = chronicle(tables, title=f"Chronicle: {spec.name} (seed {seed})", header=header)
    return RunResult(spec, seed, tables, manifest, text)


def write_result(result: RunResult, out: str | Path, figures: bool = True) -> Path:
    """Write a run's folder (tables, chronicle, figures, manifest) for a :func:`result_of`."""
    t0 = time.perf_counter()
    result.folder = write_run_folder(Path(out), lambda tmp: _fill(tmp, result, figures, t0))
    return result.folder


def _fill(tmp: Path, result: RunResult, figures: bool, t0: float) -> dict[str, Any]:
    t_write = time.perf_counter()
    manifest = result.manifest
    manifest["tables"] = write_tables(tmp, result.tables)
    (tmp / "chronicle.md").write_text(result.chronicle, encoding="utf-8")
    t_fig = time.perf_counter()
    if figures:
        from latticesim.figures.render import make_figures

        paths = make_figures(
            result.tables, tmp / "figures", title=f"{result.spec.name} (seed {result.seed})"
        )
        manifest["figures"] = sorted(str(p.relative_to(tmp)) for p in paths)
        result.figures = [Path("figures") / p.name for p in paths]
    t_end = time.perf_counter()
    manifest["timings_s"].update(
        {
            "write_tables": round(t_fig - t_write, 4),
            "figures": round(t_end - t_fig, 4),
            "total": round(t_end - t0, 4),
        }
    )
    return manifest


def _manifest(
    spec: ScenarioSpec,
    source: str | None,
    seed: int,
    model: LatticeModel,
    tables: dict[str, pd.DataFrame],
) -> dict[str, Any]:
    return {
        "latticesim_version": package_version(),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "scenario": {
            "name": spec.name,
            "file": source,
            "sha256": scenario_hash(spec),
            "description": spec.description,
        },
        "seed": seed,
        "start": str(model.start),
        "end": str(model.horizon),
        "quarters": int(len(tables["model"])),
        "dimensions": list(spec.dimensions),
        "parameters": spec.parameters.model_dump(mode="json"),
        "forums_at_end": [f.name for f in model.active_forums],
        "environment": {
            "python": platform.python_version(),
            "mesa": mesa.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },
    }
