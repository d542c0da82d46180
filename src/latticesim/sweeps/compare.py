"""Comparisons: two or more scenarios, run on common random numbers, side by side.

``latticesim compare A.yaml B.yaml --replications 30 --out DIR`` runs each scenario (an
*arm*) the same number of times with the same seeds: replication r of every arm draws
the same random streams (:func:`latticesim.sweeps.designs.replication_seed`), so the difference
between arms in replication r is the scenarios' doing, not noise. Differences are then
measured on those pairs, which is far more precise than comparing two independent
samples (the noise common to both arms cancels).

Each arm is stored as a sweep folder of its own (``DIR/arms/NN-name/``), so a comparison
resumes like a sweep. On top of them the comparison writes:

* ``figures/compare.png`` (and ``.svg``): per metric, each arm's median over time with
  its 10-90% band across replications, side by side, and the paired difference from the
  first arm with its confidence interval;
* ``compare.csv`` (tidy) and ``compare.md`` (for people): per metric and arm, the
  end-of-run value (mean over the last ``window`` quarters) across replications, and the
  paired difference from the first arm with its confidence interval;
* ``compare.json``: what was compared, how, and by which version.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from latticesim.common.files import atomic_write, safe_stem, write_text
from latticesim.common.quarters import Quarter
from latticesim.common.text import suggest
from latticesim.outputs.runs import package_version
from latticesim.scenario.loading import load_scenario
from latticesim.scenario.messages import ScenarioError
from latticesim.scenario.schema import ScenarioSpec
from latticesim.sweeps.columns import table_columns
from latticesim.sweeps.compare_outcomes import (
    OUTCOME_SETS,
    check_outcomes,
    describe_outcomes,
    set_names_hint,
    validate,
)
from latticesim.sweeps.compare_table import comparison_table, markdown
from latticesim.sweeps.designs import CalibratedDraws
from latticesim.sweeps.divergence import diverge
from latticesim.sweeps.divergence_words import DIVERGENCE_MD, summary, write_divergence
from latticesim.sweeps.executors import open_executor
from latticesim.sweeps.experiment import DEFAULT_SERIES, Experiment, Metrics, Outcome, SweepRunError
from latticesim.sweeps.runner import run_sweep
from latticesim.sweeps.schema import OutcomeSpec
from latticesim.sweeps.store import open_sweep

__all__ = [
    "COMPARE_MANIFEST",
    "DEFAULT_METRICS",
    "CompareError",
    "Comparison",
    "compare",
]

DEFAULT_METRICS: tuple[str, ...] = (*DEFAULT_SERIES[:-1], "largest_member_burden_ratio")
"""Metrics compared when none are named: the headline outcomes of the model table."""

SEEDS = "replication r of every arm runs with replication_seed(seed, r)"
COMPARE_MANIFEST = "compare.json"
"""What makes a folder a comparison: what was compared, how, and by which version."""


class CompareError(Exception):
    """A comparison that cannot be made as asked; the message is one line for people."""


# --------------------------------------------------------------------------- running


@dataclass
class Comparison:
    """A finished comparison: its arms, its table and the files written."""

    out: Path
    arms: list[str]
    metrics: list[str]
    table: pd.DataFrame
    files: list[Path] = field(default_factory=list)
    window: int = 4
    level: float = 0.95
    definitions: dict[str, str] = field(default_factory=dict)

    def markdown(self) -> str:
        """The table for people (as ``compare.md`` holds it, without its title)."""
        return markdown(self.table, self.arms, self.window, self.level, self.definitions)

    def line(self) -> str:
        """One line for the terminal."""
        return (
            f"compared {', '.join(self.arms)} on {len(self.metrics)} metrics -> {self.out}/ "
            "(compare.md, compare.csv, figures/compare.png)"
        )


def _arm_names(specs: Sequence[ScenarioSpec]) -> list[str]:
    """Arm names from scenario names, made unique (a scenario compared with itself)."""
    names: list[str] = []
    for spec in specs:
        name, k = spec.name, 2
        while name in names:
            name, k = f"{spec.name} ({k})", k + 1
        names.append(name)
    return names


def _resolve_metrics(
    columns: Sequence[dict[str, dict[str, str]]], metrics: Sequence[str] | None
) -> list[str]:
    """The model-table columns kept as series (``metrics``, or the defaults), checked."""
    known: dict[str, str] = {}
    for cols in columns:
        for col, kind in cols["model"].items():
            known.setdefault(col, kind)
    if metrics is None:
        return [m for m in DEFAULT_METRICS if m in known]
    out = []
    for m in metrics:
        if m not in known:
            if m.startswith(("share_", "ip4_standing_")) and not suggest(m, list(known)):
                out.append(m)  # a forum that may be founded during the runs
                continue
            hint = suggest(m, list(known))
            raise CompareError(
                f"--metrics: unknown column '{m}' of the model table{hint}"
                f"{'' if hint else ' (see docs/outputs.md)'}"
            )
        if known[m] != "number":
            raise CompareError(f"--metrics: '{m}' holds text; compare columns that hold numbers")
        if m not in out:
            out.append(m)
    return out


def _named_outcomes(
    outcomes: Mapping[str, Any] | None, sets: Sequence[str], label: str
) -> tuple[dict[str, OutcomeSpec], list[str]]:
    """The sets' and the named outcomes, validated, and the sets' series.

    Raises:
        CompareError: an unknown set, or an outcome that is not valid (one line each).
    """
    entries: dict[str, Any] = {}
    series: list[str] = []
    for name in sets:
        if name not in OUTCOME_SETS:
            raise CompareError(f"--outcomes: unknown set '{name}'{set_names_hint(name)}")
        entries.update(OUTCOME_SETS[name].outcomes)
        series += [c for c in OUTCOME_SETS[name].series if c not in series]
    entries.update(outcomes or {})
    specs: dict[str, OutcomeSpec] = {}
    problems: list[str] = []
    for name, entry in entries.items():
        spec, lines = validate(f"{label} {name}", name, entry)
        problems += lines
        if spec is not None:
            specs[name] = spec
    if problems:
        raise CompareError("\n".join(problems))
    return specs, series


def compare(
    scenarios: Sequence[str | os.PathLike[str]],
    replications: int,
    out: str | os.PathLike[str],
    *,
    seed: int = 1,
    until: str | None = None,
    metrics: Sequence[str] | None = None,
    outcomes: Mapping[str, Any] | None = None,
    sets: Sequence[str] = (),
    window: int = 4,
    level: float = 0.95,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Any = None,
    progress: bool = False,
    figures: bool = True,
    label: str = "--outcome",
    calibrated: CalibratedDraws | None = None,
) -> Comparison:
    """Run each scenario ``replications`` times on common random numbers and compare them.

    Args:
        scenarios: two or more scenario files; the first is the base the others are
            compared with.
        replications: runs per arm; replication r uses the same seed in every arm.
        out: the comparison's folder (each arm's runs in ``arms/``; resumable).
        seed: the root seed the replications' seeds are spawned from.
        until: last quarter (default: the earliest horizon among the arms).
        metrics: model-table columns kept over time, each also compared by its mean over
            the last ``window`` quarters (default: :data:`DEFAULT_METRICS` when no outcome
            is named, else the sets' series).
        outcomes: outcomes by name, each a sweep file's outcome (a mapping, an
            :class:`~latticesim.sweeps.schema.OutcomeSpec`) or its compact text
            (:mod:`latticesim.sweeps.compare_outcomes`).
        sets: names of shipped sets of outcomes (``headline``).
        window: quarters at the end averaged into each series' value in the table.
        level: confidence level of the intervals on paired differences.
        workers: parallel workers (1: in process; default: one per core).
        scheduler: ``local`` for a Dask ``LocalCluster``, or a Dask scheduler's address.
        executor: any ``concurrent.futures.Executor`` to use instead.
        progress: show a progress bar per arm.
        figures: draw ``figures/compare.png`` and ``.svg``.
        label: what an outcome's problems start with (the option it came from).
        calibrated: accepted draws whose parameters replication r of every arm takes.

    Raises:
        ScenarioError: a scenario file has mistakes.
        CompareError: the arms cannot be compared as asked.
        SweepRunError: ``out`` holds a different comparison, or the executor failed.
    """
    _check_counts(scenarios, replications, window)
    named, set_series = _named_outcomes(outcomes, sets, label)
    specs = _load_specs(scenarios)
    start, end = _span(specs, until)
    names = _arm_names(specs)
    if metrics is None and (named or sets):
        metrics = set_series
    cols, kept = _measured(specs, end, metrics, named, label)
    out = _comparison_folder(out)
    exps = _arm_experiments(specs, names, scenarios, replications, seed, cols, kept, window, end)
    exps = [dataclasses.replace(exp, calibrated=calibrated) for exp in exps]
    dirs = [out / "arms" / f"{k:02d}-{safe_stem(name, 'arm')}" for k, name in enumerate(names)]
    out.mkdir(parents=True, exist_ok=True)
    parting = _run_arms(exps, dirs, (executor, workers, scheduler), progress, specs, str(end))
    series, values = _read_arms(dirs, names)
    measured = [*cols, *(o.name for o in kept)]
    table = comparison_table(values, names, measured, level)
    table.insert(1, "kind", ["series" if m in cols else "outcome" for m in table["metric"]])
    definitions = describe_outcomes(kept, sets)
    page = _compare_md(table, names, definitions, (window, level), parting, exps[0])
    files = [*_write(out, table, page), *write_divergence(out, parting, names, replications)]
    if figures:
        files += _figure(out, series, values, table, names, specs, cols, level, calibrated)
    settings = {"replications": replications, "seed": seed, "seeds": SEEDS, "start": str(start)}
    settings |= {"end": str(end), "metrics": cols, "window": window, "level": level}
    settings["outcomes"] = [o.definition() for o in kept]
    manifest = _manifest(out, scenarios, exps, dirs, files, settings)
    write_text(out / COMPARE_MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return Comparison(out, names, measured, table, files, window, level, definitions)


def _measured(
    specs: Sequence[ScenarioSpec],
    end: Quarter,
    metrics: Sequence[str] | None,
    named: Mapping[str, OutcomeSpec],
    label: str,
) -> tuple[list[str], list[Outcome]]:
    """The series and the named outcomes, checked against the arms' tables."""
    columns = [table_columns(spec, end) for spec in specs]
    cols = _resolve_metrics(columns, metrics)
    kept, problems = check_outcomes(named, specs, end, columns, label, cols)
    if problems:
        raise CompareError("\n".join(problems))
    if not cols and not kept:
        raise CompareError("--metrics: none of the metrics is in the model table")
    return cols, kept


def _figure(
    out: Path,
    series: pd.DataFrame,
    values: pd.DataFrame,
    table: pd.DataFrame,
    names: Sequence[str],
    specs: Sequence[ScenarioSpec],
    cols: Sequence[str],
    level: float,
    calibrated: CalibratedDraws | None = None,
) -> list[Path]:
    """``figures/compare.png`` and ``.svg``, with each arm's scenario events on time axes.

    With calibrated draws the figure says so: its bands then hold parameter uncertainty.
    """
    from latticesim.sweeps.compare_figure import fig_compare
    from latticesim.sweeps.plotting import save_figure

    events = {
        n: [(str(e.date), e.type) for e in sp.events] for n, sp in zip(names, specs, strict=True)
    }
    fig = fig_compare(series, values, table, names, cols, level, events)
    if calibrated is not None:
        fig.text(0.01, 0.005, f"Bands: {calibrated.describe()}", fontsize=8, va="bottom")
    return save_figure(fig, out / "figures" / "compare")


def _check_counts(scenarios: Sequence[object], replications: int, window: int) -> None:
    if len(scenarios) < 2:
        raise CompareError("compare: give at least two scenario files")
    if replications < 1:
        raise CompareError(f"--replications: must be at least 1, got {replications}")
    if window < 1:
        raise CompareError(f"--window: must be at least 1, got {window}")


def _load_specs(scenarios: Sequence[str | os.PathLike[str]]) -> list[ScenarioSpec]:
    """Every arm's scenario; the problems of all the files at once, so one fix-up suffices."""
    problems = []
    specs: list[ScenarioSpec] = []
    for path in scenarios:
        try:
            specs.append(load_scenario(path))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    return specs


def _span(specs: Sequence[ScenarioSpec], until: str | None) -> tuple[Quarter, Quarter]:
    """The common start and the last quarter: ``until``, or the earliest horizon."""
    starts = {spec.start for spec in specs}
    if len(starts) > 1:
        raise CompareError(
            f"the scenarios start in different quarters ({', '.join(sorted(starts))}); "
            "compare scenarios with the same start"
        )
    start = specs[0].start_quarter
    if until is None:
        return start, min(spec.horizon_quarter for spec in specs)
    try:
        end = Quarter.parse(until)
    except ValueError as exc:
        raise CompareError(f"--until: {exc}") from None
    if end < start:
        raise CompareError(f"--until: {end} is before the scenarios' start {start}")
    return start, end


def _comparison_folder(out: str | os.PathLike[str]) -> Path:
    """``out``, if it is free or already a comparison (never someone else's folder)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise SweepRunError(f"{out}: is a file, not a comparison folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / COMPARE_MANIFEST).is_file():
        raise SweepRunError(
            f"{out}: exists and is not a comparison folder (no {COMPARE_MANIFEST}); "
            "choose another --out"
        )
    return out


def _arm_experiments(
    specs: Sequence[ScenarioSpec],
    names: Sequence[str],
    scenarios: Sequence[str | os.PathLike[str]],
    replications: int,
    seed: int,
    cols: Sequence[str],
    named: Sequence[Outcome],
    window: int,
    end: Quarter,
) -> list[Experiment]:
    """One sweep per arm: its scenario, ``replications`` times, on the shared seeds.

    Each series is also an outcome, its mean over the last ``window`` quarters.
    """
    ends = tuple(Outcome(c, column=c, stat="mean", last=window) for c in cols)
    kept = Metrics(series=tuple(cols), every=1, outcomes=(*ends, *named))
    return [
        Experiment.single(
            spec, replications, seed, kept, until=str(end), name=name, scenario_file=os.fspath(path)
        )
        for spec, name, path in zip(specs, names, scenarios, strict=True)
    ]


def _run_arms(
    exps: Sequence[Experiment],
    dirs: Sequence[Path],
    where: tuple[Any, int | None, str | None],
    progress: bool,
    specs: Sequence[ScenarioSpec],
    until: str,
) -> list[dict[str, Any]]:
    """Run (or resume) each arm's sweep, then find where the arms part (divergence rows).

    No executor is started when all arms are finished: the divergence pass, which runs
    each replication only up to its first difference, then runs in process.
    """
    executor, workers, scheduler = where
    busy = any(not _finished(e, d) for e, d in zip(exps, dirs, strict=True))
    if executor is not None or not busy:
        where = contextlib.nullcontext((executor, workers or 1))
    else:
        where = open_executor(workers, scheduler)
    with where as (ex, slots):
        for exp, folder in zip(exps, dirs, strict=True):
            run_sweep(exp, folder, executor=ex, workers=slots, progress=progress)
        names = [exp.name for exp in exps]
        return diverge(
            specs, names, exps[0].replications, exps[0].seed, until, ex, exps[0].calibrated
        )


def _manifest(
    out: Path,
    scenarios: Sequence[str | os.PathLike[str]],
    exps: Sequence[Experiment],
    dirs: Sequence[Path],
    files: Sequence[Path],
    settings: dict[str, Any],
) -> dict[str, Any]:
    """``compare.json``: what was compared (each arm's file and hash), how, and by what."""
    return {
        "format": "latticesim-compare/1",
        "latticesim_version": package_version(),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "arms": [
            {
                "name": exp.name,
                "file": os.fspath(path),
                "scenario_sha256": exp.scenario_sha256,
                "folder": str(folder.relative_to(out)),
                "description": exp.spec.description,
                "events": [
                    e.model_dump(mode="json", by_alias=True, exclude_none=True)
                    for e in exp.spec.events
                ],
            }
            for path, exp, folder in zip(scenarios, exps, dirs, strict=True)
        ],
        **settings,
        **(
            {"calibrated": {**drawn.definition(), "source": drawn.source}}
            if (drawn := exps[0].calibrated) is not None
            else {}
        ),
        "files": sorted(str(p.relative_to(out)) for p in files),
    }


def _finished(exp: Experiment, folder: Path) -> bool:
    try:
        data = open_sweep(folder)
    except SweepRunError:
        return False
    return (
        data.manifest.get("status", {}).get("complete", False)
        and data.manifest["experiment"]["sha256"] == exp.sha256
    )


def _read_arms(dirs: Sequence[Path], names: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    series, outcomes = [], []
    for name, folder in zip(names, dirs, strict=True):
        data = open_sweep(folder)
        runs = data.runs(ok_only=True)
        s = data.series(with_parameters=False).merge(
            runs[["run_id", "replication"]], on="run_id", how="inner"
        )
        s["arm"] = name
        runs["arm"] = name
        series.append(s)
        outcomes.append(runs)
    return pd.concat(series, ignore_index=True), pd.concat(outcomes, ignore_index=True)


def _compare_md(
    table: pd.DataFrame,
    names: Sequence[str],
    definitions: Mapping[str, str],
    settings: tuple[int, float],
    parting: Sequence[Mapping[str, Any]],
    arm: Experiment,
) -> str:
    """``compare.md``: the table of differences, then where the arms part.

    ``arm`` (any arm) gives the replications and whether they drew their parameters from
    accepted draws, which the page says under its title.
    """
    window, level = settings
    runs = arm.replications
    title = f"# Comparison: {' vs '.join(names)}\n\n"
    if arm.calibrated is not None:
        title += f"Runs: {runs} {arm.calibrated.describe()}.\n\n"
    where = "\n\n".join(summary(parting, names, runs, most=3))
    part = f"\n## Where the arms part\n\n{where}\n\nEvery sentence: {DIVERGENCE_MD}.\n"
    return title + markdown(table, names, window, level, definitions) + part


def _write(out: Path, table: pd.DataFrame, page: str) -> list[Path]:
    """``compare.csv`` and ``compare.md``, each written whole."""
    csv_path = out / "compare.csv"
    atomic_write(csv_path, lambda p: table.to_csv(p, index=False))
    md_path = out / "compare.md"
    write_text(md_path, page)
    return [csv_path, md_path]
