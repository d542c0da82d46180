"""Calibration with uncertainty: which parameter draws reproduce the 2019-2024 record.

The hindcast fit (:mod:`latticesim.sweeps.hindcast`, ``experiments/hindcast_fit.py``)
chooses one point. A point hides what the record cannot tell apart, so here the same
record is used for approximate Bayesian computation by rejection (Pritchard et al. 1999;
Beaumont 2010):

* **Prior.** Uniform over :data:`~latticesim.sweeps.hindcast.FREE_PARAMETERS`' ranges
  (each whole value equally likely for a whole-number parameter), drawn as a SALib Latin
  hypercube from the seed, so that even a small budget covers every range evenly.
* **Simulation.** Each draw runs the hindcast scenario ``R`` times; replication r uses
  the same seed for every draw (common random numbers), so two draws differ by their
  parameters, not by luck. The runs go through the sweep machinery
  (:func:`~latticesim.sweeps.runner.run_sweep`): chunks on a process pool or a Dask
  cluster, committed to a sweep folder as they finish, so a killed calibration resumes
  where it stopped and gives the same draws and shares.
* **Distance.** 1 - the share of replications in which every fitted pattern holds at
  once; ties (shares come in steps of 1/R) broken by the mean share of the fitted
  patterns, then by the draw's number.
* **Acceptance** (:func:`accept`). Every draw whose joint share is within one binomial
  standard error of the best draw's, and at least ``min_accepted`` draws: the tolerance
  is lowered to the larger of the two sets, and a draw tied with the last one accepted
  is accepted too, so the set depends on the distances alone.

The accepted set is the posterior sample. :mod:`latticesim.sweeps.calibration_report`
says which parameters the record pins down (the accepted interquartile range against
the prior's) and names the accepted draw nearest the accepted medians, the candidate for
calibrated defaults. ``latticesim calibrate`` writes all of it to ``--out``; with
``--ship`` it also replaces the package's accepted set (:data:`CALIBRATED_CSV`), which
``--calibrated`` sweeps and comparisons draw their parameters from (:func:`calibrated_draws`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import inspect
import os
import pkgutil
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from latticesim import sweeps
from latticesim.common.files import atomic_write, write_text
from latticesim.common.shipped import examples_root
from latticesim.scenario.loading import load_scenario
from latticesim.scenario.schema import ScenarioSpec
from latticesim.sweeps import hindcast
from latticesim.sweeps.calibration_report import (
    central_draw,
    pinned,
    summary_page,
    write_figures,
)
from latticesim.sweeps.designs import CalibratedDraws
from latticesim.sweeps.experiment import Experiment, Job, Metrics, Outcome, Parameter
from latticesim.sweeps.runner import SweepSummary, run_sweep
from latticesim.sweeps.stats import share_standard_error
from latticesim.sweeps.store import open_sweep
from latticesim.sweeps.worker import ChunkResult, failed_row

__all__ = [
    "CALIBRATED_CSV",
    "MIN_ACCEPTED",
    "Acceptance",
    "CalibrationError",
    "accept",
    "accepted_draws",
    "calibrated_draws",
    "with_calibrated",
    "calibration_chunk",
    "calibrate",
    "draw_table",
    "plan",
]

CALIBRATED_CSV = Path(__file__).with_name("data") / "calibrated.csv"
"""The shipped accepted set (package data), replaced only by ``latticesim calibrate --ship``."""
MIN_ACCEPTED = 200
"""Accepted draws at the least, so the marginals and the fans rest on enough draws."""
SWEEP_DIR = "sweep"
"""The calibration's runs: a sweep folder inside ``--out``, what makes it resumable."""
HOLDS = "holds_"
"""Prefix of the run table's columns, one per pattern: 1 where it held, 0 where not."""
DEFAULT_SCENARIO = "scenarios/hindcast_2019.yaml"


class CalibrationError(Exception):
    """A calibration that cannot be run or read as asked; one line for people."""


@dataclass
class CalibrationExperiment(Experiment):
    """The calibration as a sweep: a Latin hypercube of draws, each run ``R`` times.

    ``record`` (the patterns, their roles, the ranges and the hindcast module's
    fingerprint) is part of the experiment's hash: once the recorded patterns change, an
    old folder is refused instead of mixing runs judged by two records.
    """

    record: dict[str, Any] = field(default_factory=dict)

    def definition(self) -> dict[str, Any]:
        """The sweep's definition and the record its runs are judged against."""
        return {**super().definition(), "record": self.record}


def record_fingerprint() -> dict[str, Any]:
    """The patterns, their roles and ranges, and the hash of the code that judges them.

    The code is every ``hindcast*`` module of this package (the patterns, the record they
    read and how a run is measured), so moving a piece between them changes the hash too:
    a calibration is then run again rather than trusted to be the same.
    """
    digest = hashlib.sha256()
    for info in sorted(pkgutil.iter_modules(sweeps.__path__), key=lambda m: m.name):
        if info.name.startswith("hindcast"):
            module = importlib.import_module(f"{sweeps.__name__}.{info.name}")
            digest.update(inspect.getsource(module).encode("utf-8"))
    return {
        "patterns": [[p.key, bool(p.fitted)] for p in hindcast.PATTERNS],
        "free_parameters": {k: list(v) for k, v in hindcast.FREE_PARAMETERS.items()},
        "hindcast_sha256": digest.hexdigest(),
    }


def default_scenario() -> Path:
    """The hindcast scenario shipped with latticesim (the checkout's, or the wheel's)."""
    return examples_root() / DEFAULT_SCENARIO


def check_budget(draws: int, replications: int, seed: int, min_accepted: int = 1) -> None:
    """Refuse a budget that cannot be run, before anything is written.

    Raises:
        CalibrationError: naming the flag.
    """
    for flag, value in (("--draws", draws), ("--replications", replications)):
        if value < 1:
            raise CalibrationError(f"{flag}: must be at least 1, got {value}")
    if seed < 0:
        raise CalibrationError(f"--seed: must be 0 or more, got {seed}")
    if not 1 <= min_accepted <= draws:
        raise CalibrationError(
            f"--min-accepted: must be between 1 and --draws ({draws}), got {min_accepted}"
        )


def plan(
    scenario: str | os.PathLike[str] | ScenarioSpec, draws: int, replications: int, seed: int
) -> CalibrationExperiment:
    """The calibration's sweep: ``draws`` prior draws times ``replications`` runs.

    Raises:
        ScenarioError: the scenario file has mistakes.
        CalibrationError: the budget is not positive, or no pattern is fitted.
    """
    check_budget(draws, replications, seed)
    if not any(p.fitted for p in hindcast.PATTERNS):
        raise CalibrationError("the hindcast fits no pattern: there is nothing to calibrate on")
    if isinstance(scenario, ScenarioSpec):
        spec, where = scenario, None
    else:
        spec, where = load_scenario(scenario), os.fspath(scenario)
    params = tuple(
        Parameter(
            name,
            (("parameters", name),),
            "int" if hindcast.is_whole(name) else "float",
            low=lo,
            high=hi,
        )
        for name, (lo, hi) in hindcast.FREE_PARAMETERS.items()
    )
    outcomes = tuple(Outcome(HOLDS + p.key, table="hindcast") for p in hindcast.PATTERNS)
    return CalibrationExperiment(
        name="calibration",
        spec=spec,
        seed=seed,
        replications=replications,
        parameters=params,
        metrics=Metrics(series=(), every=1, outcomes=outcomes),
        design="lhs",
        design_options={"samples": draws},
        description="approximate Bayesian computation by rejection over the hindcast",
        scenario_file=where,
        record=record_fingerprint(),
    )


# --------------------------------------------------------------------------- the runs

_BASES: dict[str, ScenarioSpec] = {}


def calibration_chunk(job: Job) -> ChunkResult:
    """Run a chunk of the calibration's runs and judge every pattern on each.

    The worker's side of :func:`run_sweep` (``task=``): each run is the hindcast at the
    draw's parameters (:func:`~latticesim.sweeps.hindcast.with_parameters`), judged by
    :func:`~latticesim.sweeps.hindcast.evaluate`. A run that raises is recorded as failed
    and the chunk goes on, as in any sweep.
    """
    base = _BASES.get(job.key)
    if base is None:
        _BASES.clear()
        base = _BASES[job.key] = ScenarioSpec.model_validate(job.base)
    names = [paths[0][-1] for paths in job.paths]
    rows = []
    for run_id, _point, _replication, seed, values in job.runs:
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                spec = hindcast.with_parameters(base, dict(zip(names, values, strict=True)))
                holds = hindcast.evaluate(spec, seed).holds
        except Exception as exc:  # a run's failure is data; the calibration goes on
            rows.append(failed_row(run_id, exc, t0))
            continue
        row = {"run_id": run_id, "status": "ok", "error": None}
        row["elapsed_s"] = time.perf_counter() - t0
        row.update({HOLDS + key: float(held) for key, held in holds.items()})
        rows.append(row)
    return ChunkResult(rows, {"run_id": [], "step": [], "date": []})


def run_draws(
    exp: CalibrationExperiment,
    out: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Any = None,
    progress: bool = False,
) -> SweepSummary:
    """Run (or resume) the calibration's runs into ``out/sweep``."""
    return run_sweep(
        exp,
        out / SWEEP_DIR,
        workers=workers,
        scheduler=scheduler,
        executor=executor,
        progress=progress,
        task=calibration_chunk,
    )


# --------------------------------------------------------------------------- the draws


def draw_table(runs: pd.DataFrame, design: pd.DataFrame, replications: int) -> pd.DataFrame:
    """One row per draw: its parameters, each pattern's share and the joint shares.

    A failed run counts as a replication in which no pattern held (it did not reproduce
    the record); ``failed`` says how many a draw had.

    Returns:
        ``draw``, the free parameters, ``joint_fitted`` (share of replications with every
        fitted pattern at once), ``mean_fitted``, ``joint_all``, ``share_<pattern>`` per
        pattern, ``failed``, ``replications`` and ``distance`` (1 - ``joint_fitted``).
    """
    keys = [p.key for p in hindcast.PATTERNS]
    fitted = [p.key for p in hindcast.PATTERNS if p.fitted]
    held = runs[[HOLDS + k for k in keys]].fillna(0.0).astype(bool)
    held.columns = keys
    held["draw"] = runs["point"].to_numpy()
    held["joint_fitted"] = held[fitted].all(axis=1)
    held["joint_all"] = held[keys].all(axis=1)
    by = held.groupby("draw")
    shares = by[keys].sum().div(replications).add_prefix("share_")
    frame = design.rename(columns={"point": "draw"}).set_index("draw")
    frame = frame[[c for c in frame.columns if not c.startswith("raw:")]]
    frame["joint_fitted"] = by["joint_fitted"].sum() / replications
    frame["mean_fitted"] = shares[[f"share_{k}" for k in fitted]].mean(axis=1)
    frame["joint_all"] = by["joint_all"].sum() / replications
    frame = frame.join(shares)
    frame["failed"] = (runs["status"] != "ok").groupby(runs["point"]).sum()
    frame["replications"] = replications
    frame["distance"] = 1.0 - frame["joint_fitted"]
    return frame.reset_index()


@dataclass(frozen=True)
class Acceptance:
    """The acceptance rule's outcome.

    Attributes:
        accepted: per draw (in the draw table's order), whether it is accepted.
        best: the best draw's joint share of the fitted patterns.
        standard_error: its binomial standard error over the replications.
        within_one_se: draws whose joint share is within one standard error of the best.
        tolerance: the largest distance accepted (1 - the lowest joint share accepted).
        tie_share: the lowest mean fitted share accepted at that distance.
    """

    accepted: np.ndarray
    best: float
    standard_error: float
    within_one_se: int
    tolerance: float
    tie_share: float

    @property
    def count(self) -> int:
        """Accepted draws."""
        return int(self.accepted.sum())


def accept(draws: pd.DataFrame, min_accepted: int = MIN_ACCEPTED) -> Acceptance:
    """Accept the draws nearest the record (the rule in the module's docstring).

    Raises:
        CalibrationError: ``min_accepted`` is below 1 or above the number of draws.
    """
    n = len(draws)
    if not 1 <= min_accepted <= n:
        raise CalibrationError(
            f"--min-accepted: must be between 1 and the number of draws ({n}), got {min_accepted}"
        )
    joint = draws["joint_fitted"].to_numpy().round(12)
    mean = draws["mean_fitted"].to_numpy().round(12)
    order = np.lexsort((draws["draw"].to_numpy(), -mean, -joint))
    best = float(joint[order[0]])
    se = share_standard_error(best, int(draws["replications"].iloc[0]))
    within = int(np.count_nonzero(joint >= best - se - 1e-12))
    last = order[max(within, min_accepted) - 1]
    accepted = (joint > joint[last]) | ((joint == joint[last]) & (mean >= mean[last]))
    return Acceptance(accepted, best, se, within, 1.0 - float(joint[last]), float(mean[last]))


# --------------------------------------------------------------------------- shipped set


def accepted_draws(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The accepted set: one row per accepted draw, its parameters and pattern shares.

    Args:
        path: an ``accepted.csv`` of a calibration folder (default: the shipped set,
            :data:`CALIBRATED_CSV`).

    Raises:
        CalibrationError: the file is missing, empty or lacks a free parameter.
    """
    source = Path(path) if path is not None else CALIBRATED_CSV
    if not source.is_file():
        hint = "run latticesim calibrate --ship" if path is None else "give an accepted.csv"
        raise CalibrationError(f"{source}: no accepted set here; {hint}")
    try:
        frame = pd.read_csv(source, comment="#")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CalibrationError(f"{source}: not an accepted set ({exc})") from None
    missing = [n for n in hindcast.FREE_PARAMETERS if n not in frame.columns]
    if frame.empty or missing:
        what = "no draws" if frame.empty else f"no column {missing[0]}"
        raise CalibrationError(f"{source}: not an accepted set ({what})")
    return frame


def calibrated_draws(
    path: str | os.PathLike[str] | None = None, names: Sequence[str] | None = None
) -> CalibratedDraws:
    """The accepted set as the draws ``--calibrated`` replications take parameters from.

    Args:
        path: an ``accepted.csv`` (default: the shipped set).
        names: the parameters to take (default: every free parameter of the hindcast).
    """
    frame = accepted_draws(path)
    names = tuple(names or hindcast.FREE_PARAMETERS)
    rows = tuple(
        tuple(_plain(row[n], hindcast.is_whole(n)) for n in names)
        for row in frame.to_dict("records")
    )
    digest = hashlib.sha256(repr((names, rows)).encode("utf-8")).hexdigest()
    source = str(path) if path is not None else "latticesim/sweeps/data/calibrated.csv"
    return CalibratedDraws(names, rows, source, digest)


def _plain(value: Any, whole: bool) -> int | float:
    return int(round(float(value))) if whole else float(value)


# --------------------------------------------------------------------------- the command

OUTPUTS = ("draws.parquet", "accepted.csv", "summary.md", "marginals.png", "pairs.png")
"""What a calibration writes into ``--out`` besides its runs (``sweep/``)."""


@dataclass
class Calibration:
    """A finished calibration: its draws, the acceptance, the central draw, the files."""

    out: Path
    draws: pd.DataFrame
    acceptance: Acceptance
    central: int
    table: pd.DataFrame
    sweep: SweepSummary
    files: list[Path]
    shipped: Path | None = None

    def line(self) -> str:
        """One line for the terminal."""
        pins = self.table
        pinned_names = ", ".join(pins.loc[pins["verdict"] == "pinned down", "parameter"])
        shipped = f"; shipped to {self.shipped}" if self.shipped else ""
        return (
            f"calibration: {self.acceptance.count} of {len(self.draws)} draws accepted "
            f"(joint fitted share >= {1 - self.acceptance.tolerance:.3f}); central draw "
            f"{self.central}; pinned down: {pinned_names or 'none'} -> {self.out}/{shipped}"
        )


def _calibration_folder(out: str | os.PathLike[str]) -> Path:
    """``out``, if it is free or already a calibration folder (never someone else's)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise CalibrationError(f"{out}: is a file, not a calibration folder; choose another --out")
    if out.is_dir():
        ours = {*OUTPUTS, SWEEP_DIR}
        other = sorted(p.name for p in out.iterdir() if p.name not in ours)
        if other:
            raise CalibrationError(
                f"{out}: holds {other[0]}, which a calibration does not write; choose another --out"
            )
    return out


def rule_text(acc: Acceptance, min_accepted: int, replications: int) -> list[str]:
    """The acceptance rule and what it gave, in words for ``summary.md``."""
    return [
        "Distance of a draw: 1 - the share of its replications in which every fitted "
        "pattern holds at once; ties broken by the mean share of the fitted patterns, "
        "then by the draw's number.",
        "",
        f"Accepted: every draw whose joint share is within one binomial standard error of "
        f"the best draw's ({acc.best:.3f} - {acc.standard_error:.3f} over {replications} "
        f"replications: {acc.within_one_se} draws), and at least {min_accepted} draws; "
        "draws tied with the last one accepted are accepted too. Here: "
        f"{acc.count} draws, every draw with a joint share of at least "
        f"{1 - acc.tolerance:.3f} (tolerance {acc.tolerance:.3f}) and, at that share, a "
        f"mean fitted share of at least {acc.tie_share:.3f}.",
    ]


def _ranked(draws: pd.DataFrame, acc: Acceptance) -> pd.DataFrame:
    draws = draws.copy()
    draws["accepted"] = acc.accepted
    order = np.lexsort((draws["draw"], -draws["mean_fitted"].round(12), draws["distance"]))
    draws.loc[draws.index[order], "rank"] = np.arange(1, len(draws) + 1)
    draws["rank"] = draws["rank"].astype(int)
    return draws


def _ship_text(accepted: pd.DataFrame, settings: Mapping[str, Any]) -> str:
    head = [
        f"# The accepted set of: {settings['command']}",
        f"# scenario sha256 {settings['scenario_sha256']}; hindcast modules sha256 "
        f"{settings['hindcast_sha256']}",
        f"# {settings['draws']} draws x {settings['replications']} replications; one row per "
        "accepted draw (docs/calibration.md, 8.7)",
    ]
    return "\n".join(head) + "\n" + accepted.to_csv(index=False)


def _timing(sweep: SweepSummary, workers: int | None, scheduler: str | None) -> str:
    n = workers or os.cpu_count() or 1
    where = f"Dask ({scheduler})" if scheduler else ("in process" if n == 1 else f"{n} workers")
    if not sweep.ran:
        return f"all {sweep.planned} runs were already done"
    rate = sweep.ran / sweep.wall_s if sweep.wall_s > 0 else float("nan")
    return f"{sweep.ran} runs in {sweep.wall_s:.1f} s ({rate:.1f} runs/s, {where})"


def calibrate(
    out: str | os.PathLike[str],
    scenario: str | os.PathLike[str] | None = None,
    *,
    draws: int = 1000,
    replications: int = 8,
    seed: int = 1,
    min_accepted: int = MIN_ACCEPTED,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Any = None,
    progress: bool = False,
    ship: bool = False,
    figures: bool = True,
) -> Calibration:
    """Run (or resume) a calibration into ``out`` and write what it found.

    Args:
        out: the calibration folder (its runs in ``out/sweep``; resumable).
        scenario: the hindcast scenario (default: the shipped ``hindcast_2019.yaml``).
        draws: prior draws (a Latin hypercube from ``seed``).
        replications: runs per draw; replication r has the same seed for every draw.
        seed: the root seed of the design and of the replications.
        min_accepted: accepted draws at the least.
        workers: parallel workers, as for a sweep (1: in process; default: one per core).
        scheduler: ``local`` for a Dask ``LocalCluster``, or a Dask scheduler's address.
        executor: any ``concurrent.futures.Executor`` to use instead.
        progress: a progress bar on stderr.
        ship: also replace the package's accepted set (:data:`CALIBRATED_CSV`).
        figures: draw ``marginals.png`` and ``pairs.png``.

    Raises:
        CalibrationError, ScenarioError, SweepRunError: one line each.
    """
    check_budget(draws, replications, seed, min_accepted)
    out = _calibration_folder(out)
    exp = plan(scenario or default_scenario(), draws, replications, seed)
    sweep = run_draws(
        exp, out, workers=workers, scheduler=scheduler, executor=executor, progress=progress
    )
    data = open_sweep(out / SWEEP_DIR)
    table = draw_table(data.runs(), data.design(), replications)
    acc = accept(table, min_accepted)
    table = _ranked(table, acc)
    accepted = table[table["accepted"]].sort_values("rank")
    central = central_draw(accepted)
    pins = pinned(table, table["accepted"])
    given = f" {scenario}" if scenario is not None else ""
    extra = f" --min-accepted {min_accepted}" if min_accepted != MIN_ACCEPTED else ""
    settings = {
        "command": f"latticesim calibrate{given} --out {out} --draws {draws} "
        f"--replications {replications} --seed {seed}{extra}",
        "scenario": exp.scenario_file or exp.spec.name,
        "scenario_sha256": exp.scenario_sha256,
        "hindcast_sha256": exp.record["hindcast_sha256"],
        "seed": seed,
        "draws": draws,
        "replications": replications,
        "timing": _timing(sweep, workers, scheduler),
    }
    rule = rule_text(acc, min_accepted, replications)
    files = _write(out, (table, accepted, pins), central, rule, settings, figures)
    shipped = None
    if ship:
        CALIBRATED_CSV.parent.mkdir(parents=True, exist_ok=True)
        write_text(CALIBRATED_CSV, _ship_text(accepted.drop(columns=["accepted"]), settings))
        shipped = CALIBRATED_CSV
    return Calibration(out, table, acc, central, pins, sweep, files, shipped)


def _write(
    out: Path,
    tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
    central: int,
    rule: list[str],
    settings: Mapping[str, Any],
    figures: bool,
) -> list[Path]:
    """Every file of the calibration folder, each written whole (figures if asked)."""
    table, accepted, pins = tables
    draws_path, csv_path, md_path = out / OUTPUTS[0], out / OUTPUTS[1], out / OUTPUTS[2]
    atomic_write(draws_path, lambda p: table.to_parquet(p, index=False))
    atomic_write(csv_path, lambda p: accepted.drop(columns=["accepted"]).to_csv(p, index=False))
    write_text(md_path, summary_page(table, pins, central, rule, settings))
    point = table.set_index("draw").loc[central]
    files = [draws_path, csv_path, md_path]
    return files + (write_figures(out, table, point) if figures else [])


def with_calibrated(exp: Experiment, path: str | os.PathLike[str] | None = None) -> Experiment:
    """``exp`` with each replication's model parameters drawn from an accepted set.

    Args:
        exp: a sweep (or a comparison's arm).
        path: an ``accepted.csv`` (default: the shipped set).

    Raises:
        CalibrationError: the accepted set cannot be read.
    """
    return dataclasses.replace(exp, calibrated=calibrated_draws(path))
