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
import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from latticesim.common.quarters import Quarter
from latticesim.outputs.runs import package_version
from latticesim.scenario.loading import load_scenario
from latticesim.scenario.messages import ScenarioError
from latticesim.scenario.schema import ScenarioSpec
from latticesim.sweeps.experiment import DEFAULT_SERIES, Experiment, Metrics, Outcome, SweepRunError
from latticesim.sweeps.runner import open_executor, open_sweep, run_sweep
from latticesim.sweeps.sweepfile import _probe

__all__ = [
    "DEFAULT_METRICS",
    "CompareError",
    "Comparison",
    "compare",
    "mean_ci",
    "paired_differences",
    "quantile_band",
]

DEFAULT_METRICS: tuple[str, ...] = (*DEFAULT_SERIES[:-1], "largest_member_burden_ratio")
"""Metrics compared when none are named: the headline outcomes of the model table."""


class CompareError(Exception):
    """A comparison that cannot be made as asked; the message is one line for people."""


# --------------------------------------------------------------------------- statistics


def mean_ci(
    values: Sequence[float] | np.ndarray, level: float = 0.95
) -> tuple[float, float, float]:
    """Mean of ``values`` and its Student-t confidence interval at ``level``.

    The t interval is right for paired differences over a few dozen replications
    (their distribution is close to normal, and the variance is estimated); with fewer
    than two values there is no interval, and NaNs say so.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if x.size < 2:
        return mean, math.nan, math.nan
    from scipy import stats

    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return mean, mean - half, mean + half


def paired_differences(base: pd.Series, other: pd.Series) -> pd.Series:
    """``other - base`` for each replication both have a value for (index: replication).

    Pairing on the replication is what common random numbers buy: both values of a pair
    saw the same random streams. A replication that failed (or is NaN) in either arm is
    left out rather than compared with an unrelated one.
    """
    joined = pd.concat({"base": base, "other": other}, axis=1).dropna()
    return joined["other"] - joined["base"]


def quantile_band(
    frame: pd.DataFrame, value: str, by: Sequence[str], lo: float = 0.1, hi: float = 0.9
) -> pd.DataFrame:
    """Median and the ``lo``-``hi`` quantile band of ``value`` within each group of ``by``."""
    grouped = frame.groupby(list(by), sort=True)[value]
    out = pd.DataFrame(
        {
            "median": grouped.median(),
            "lo": grouped.quantile(lo),
            "hi": grouped.quantile(hi),
            "n": grouped.count(),
        }
    )
    return out.reset_index()


# --------------------------------------------------------------------------- running


@dataclass
class Comparison:
    """A finished comparison: its arms, its table and the files written."""

    out: Path
    arms: list[str]
    metrics: list[str]
    table: pd.DataFrame
    files: list[Path] = field(default_factory=list)

    def line(self) -> str:
        """One line for the terminal."""
        return (
            f"compared {', '.join(self.arms)} on {len(self.metrics)} metrics -> {self.out}/ "
            "(compare.md, compare.csv, figures/compare.png)"
        )


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+-]+", "_", name).strip("_") or "arm"


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
    specs: Sequence[ScenarioSpec], end: Quarter, metrics: Sequence[str] | None
) -> list[str]:
    columns: dict[str, str] = {}
    for spec in specs:
        model_cols, _ = _probe(spec, end)
        for col, kind in model_cols.items():
            columns.setdefault(col, kind)
    if not metrics:
        return [m for m in DEFAULT_METRICS if m in columns]
    from latticesim.common.text import suggest as _suggest

    out = []
    for m in metrics:
        if m not in columns:
            if m.startswith(("share_", "ip4_standing_")) and not _suggest(m, list(columns)):
                out.append(m)  # a forum that may be founded during the runs
                continue
            hint = _suggest(m, list(columns))
            raise CompareError(
                f"--metrics: unknown column '{m}' of the model table{hint}"
                f"{'' if hint else ' (see docs/outputs.md)'}"
            )
        if columns[m] != "number":
            raise CompareError(f"--metrics: '{m}' holds text; compare columns that hold numbers")
        if m not in out:
            out.append(m)
    return out


def compare(
    scenarios: Sequence[str | os.PathLike[str]],
    replications: int,
    out: str | os.PathLike[str],
    *,
    seed: int = 1,
    until: str | None = None,
    metrics: Sequence[str] | None = None,
    window: int = 4,
    level: float = 0.95,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Any = None,
    progress: bool = False,
    figures: bool = True,
) -> Comparison:
    """Run each scenario ``replications`` times on common random numbers and compare them.

    Args:
        scenarios: two or more scenario files; the first is the base the others are
            compared with.
        replications: runs per arm; replication r uses the same seed in every arm.
        out: the comparison's folder (each arm's runs in ``arms/``; resumable).
        seed: the root seed the replications' seeds are spawned from.
        until: last quarter (default: the earliest horizon among the arms).
        metrics: model-table columns to compare (default: :data:`DEFAULT_METRICS`).
        window: quarters at the end averaged into each run's value in the table.
        level: confidence level of the intervals on paired differences.
        workers: parallel workers (1: in process; default: one per core).
        scheduler: ``local`` for a Dask ``LocalCluster``, or a Dask scheduler's address.
        executor: any ``concurrent.futures.Executor`` to use instead.
        progress: show a progress bar per arm.
        figures: draw ``figures/compare.png`` and ``.svg``.

    Raises:
        ScenarioError: a scenario file has mistakes.
        CompareError: the arms cannot be compared as asked.
        SweepRunError: ``out`` holds a different comparison, or the executor failed.
    """
    if len(scenarios) < 2:
        raise CompareError("compare: give at least two scenario files")
    if replications < 1:
        raise CompareError(f"--replications: must be at least 1, got {replications}")
    if window < 1:
        raise CompareError(f"--window: must be at least 1, got {window}")
    problems = []
    specs: list[ScenarioSpec] = []
    for path in scenarios:
        try:
            specs.append(load_scenario(path))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    starts = {spec.start for spec in specs}
    if len(starts) > 1:
        raise CompareError(
            f"the scenarios start in different quarters ({', '.join(sorted(starts))}); "
            "compare scenarios with the same start"
        )
    start = specs[0].start_quarter
    if until is not None:
        try:
            end = Quarter.parse(until)
        except ValueError as exc:
            raise CompareError(f"--until: {exc}") from None
        if end < start:
            raise CompareError(f"--until: {end} is before the scenarios' start {start}")
    else:
        end = min(spec.horizon_quarter for spec in specs)
    names = _arm_names(specs)
    cols = _resolve_metrics(specs, end, metrics)
    if not cols:
        raise CompareError("--metrics: none of the metrics is in the model table")
    kept = Metrics(
        series=tuple(cols),
        every=1,
        outcomes=tuple(Outcome(c, column=c, stat="mean", last=window) for c in cols),
    )
    out = Path(out)
    manifest_path = out / "compare.json"
    if out.exists() and not out.is_dir():
        raise SweepRunError(f"{out}: is a file, not a comparison folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not manifest_path.is_file():
        raise SweepRunError(
            f"{out}: exists and is not a comparison folder (no compare.json); choose another --out"
        )
    exps = [
        Experiment.single(
            spec,
            replications,
            seed,
            kept,
            until=str(end),
            name=name,
            scenario_file=os.fspath(path),
        )
        for spec, name, path in zip(specs, names, scenarios, strict=True)
    ]
    dirs = [out / "arms" / f"{k:02d}-{_safe(name)}" for k, name in enumerate(names)]
    out.mkdir(parents=True, exist_ok=True)
    busy = any(not _finished(e, d) for e, d in zip(exps, dirs, strict=True))
    if executor is not None or not busy:
        where = contextlib.nullcontext((executor, workers or 1))
    else:
        where = open_executor(workers, scheduler)
    with where as (ex, slots):
        for exp, folder in zip(exps, dirs, strict=True):
            run_sweep(exp, folder, executor=ex, workers=slots, progress=progress)
    series, outcomes = _read_arms(dirs, names)
    table = _table(outcomes, names, cols, level)
    files = _write(out, table, names, cols, window, level)
    if figures:
        from latticesim.sweeps.analysis import fig_compare, save_figure

        fig = fig_compare(series, names, cols, level)
        files += save_figure(fig, out / "figures" / "compare")
    manifest = {
        "format": "latticesim-compare/1",
        "latticesim_version": package_version(),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "arms": [
            {
                "name": name,
                "file": os.fspath(path),
                "scenario_sha256": exp.scenario_sha256,
                "folder": str(folder.relative_to(out)),
            }
            for name, path, exp, folder in zip(names, scenarios, exps, dirs, strict=True)
        ],
        "replications": replications,
        "seed": seed,
        "seeds": "replication r of every arm runs with replication_seed(seed, r)",
        "start": str(start),
        "end": str(end),
        "metrics": cols,
        "window": window,
        "level": level,
        "files": sorted(str(p.relative_to(out)) for p in files),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return Comparison(out, names, cols, table, files)


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


def _table(
    outcomes: pd.DataFrame, names: Sequence[str], metrics: Sequence[str], level: float
) -> pd.DataFrame:
    """The tidy comparison table: one row per metric and arm."""
    rows = []
    base_name = names[0]
    for m in metrics:
        base = outcomes[outcomes["arm"] == base_name].set_index("replication")[m]
        for name in names:
            values = outcomes[outcomes["arm"] == name].set_index("replication")[m]
            clean = values.dropna()
            row: dict[str, Any] = {
                "metric": m,
                "arm": name,
                "n": int(clean.size),
                "mean": float(clean.mean()) if clean.size else math.nan,
                "median": float(clean.median()) if clean.size else math.nan,
                "p10": float(clean.quantile(0.1)) if clean.size else math.nan,
                "p90": float(clean.quantile(0.9)) if clean.size else math.nan,
                "vs": None,
                "diff_mean": math.nan,
                "diff_lo": math.nan,
                "diff_hi": math.nan,
                "n_pairs": 0,
                "share_higher": math.nan,
            }
            if name != base_name:
                d = paired_differences(base, values)
                mean, lo, hi = mean_ci(d.to_numpy(), level)
                row.update(
                    vs=base_name,
                    diff_mean=mean,
                    diff_lo=lo,
                    diff_hi=hi,
                    n_pairs=int(d.size),
                    share_higher=float((d > 0).mean()) if d.size else math.nan,
                )
            rows.append(row)
    return pd.DataFrame(rows)


def _fmt(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.4g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.2e}"


def markdown(table: pd.DataFrame, names: Sequence[str], window: int, level: float) -> str:
    """The comparison as a Markdown table people can paste into a report."""
    base = names[0]
    head = ["metric"] + [f"{n}: median [p10, p90]" for n in names]
    head += [f"{n} - {base}: mean [{level:.0%} CI] (higher in)" for n in names[1:]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for metric, rows in table.groupby("metric", sort=False):
        by_arm = rows.set_index("arm")
        cells = [f"`{metric}`"]
        for n in names:
            r = by_arm.loc[n]
            cells.append(f"{_fmt(r['median'])} [{_fmt(r['p10'])}, {_fmt(r['p90'])}]")
        for n in names[1:]:
            r = by_arm.loc[n]
            higher = "n/a" if math.isnan(r["share_higher"]) else f"{r['share_higher']:.0%}"
            cells.append(
                f"{_fmt(r['diff_mean'])} [{_fmt(r['diff_lo'])}, {_fmt(r['diff_hi'])}] ({higher})"
            )
        lines.append("| " + " | ".join(cells) + " |")
    note = (
        f"\nEach run's value is its mean over the last {window} quarters. Differences are "
        f"paired by replication (common random numbers: replication r of every arm uses "
        f'the same seed); the interval is Student\'s t at {level:.0%}; "higher in" is the '
        "share of replications in which the arm is above the first.\n"
    )
    return "\n".join(lines) + "\n" + note


def _write(
    out: Path,
    table: pd.DataFrame,
    names: Sequence[str],
    metrics: Sequence[str],
    window: int,
    level: float,
) -> list[Path]:
    csv_path = out / "compare.csv"
    table.to_csv(csv_path, index=False)
    md_path = out / "compare.md"
    title = f"# Comparison: {' vs '.join(names)}\n\n"
    md_path.write_text(title + markdown(table, names, window, level), encoding="utf-8")
    return [csv_path, md_path]
