"""Time a 10-year baseline run: the model alone, as a sweep runs it, and with every output.

Usage: python benchmarks/bench_run.py [--runs 30] [--scenario scenarios/baseline_2024.yaml]

Prints medians and minimums over repeated runs (different seeds) measured in this
process, each as a ratio to its target and to a floor measured alongside: a bare Mesa
model with the same number of agents stepping the same number of quarters and doing
nothing, which is what any Mesa model of this size pays before it computes anything.
The model-only measures are interleaved run by run (floor, model, model without the
per-actor table, sweep run, model and tables, then the next seed), so a machine that
other work slows for a while slows them alike and their ratios stay fair.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import mesa

from latticesim import load_scenario, run, simulate
from latticesim.sweeps.experiment import default_metrics
from latticesim.sweeps.worker import sweep_run

ROOT = Path(__file__).resolve().parent.parent
TARGET_MODEL_S = 0.1
TARGET_OUTPUTS_S = 2.0


class _Idle(mesa.Agent):
    def step(self) -> None:
        pass


class _Floor(mesa.Model):
    def __init__(self, n: int, rng: int) -> None:
        super().__init__(rng=rng)
        for _ in range(n):
            _Idle(self)

    def step(self) -> None:
        self.agents.shuffle_do("step")


def _interleaved(measures: dict[str, Callable[[int], object]], runs: int) -> dict[str, list[float]]:
    """Seconds per run of each measure, run k of every measure before run k + 1 of any."""
    times: dict[str, list[float]] = {name: [] for name in measures}
    for k in range(runs):
        for name, fn in measures.items():
            t = time.perf_counter()
            fn(k)
            times[name].append(time.perf_counter() - t)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline_2024.yaml"))
    args = parser.parse_args()
    spec = load_scenario(args.scenario)
    quarters = spec.horizon_quarter - spec.start_quarter + 1
    # What a sweep file without metrics keeps: the headline series yearly, and each
    # one's mean over the last year.
    columns = simulate(spec, 0, record_actors=False).recorder.model_rows[-1]
    metrics = default_metrics(columns)
    load = os.getloadavg()[0]

    times = _interleaved(
        {
            "floor": lambda k: _Floor(49, k).run_for(quarters),
            "model": lambda k: simulate(spec, k),
            "no_actors": lambda k: simulate(spec, k, record_actors=False),
            "sweep": lambda k: sweep_run(spec, k, None, metrics),
            "tables": lambda k: simulate(spec, k).recorder.frames(),
        },
        args.runs,
    )
    with tempfile.TemporaryDirectory() as tmp:
        full_runs = max(3, args.runs // 6)
        times["full"] = list(
            _interleaved({"full": lambda k: run(spec, seed=k, out=Path(tmp) / f"r{k}")}, full_runs)[
                "full"
            ]
        )
        manifest_timings = run(spec, seed=0, out=Path(tmp) / "timed").manifest["timings_s"]

    floor = statistics.median(times["floor"])
    print(
        f"scenario {spec.name}: {quarters} quarters, medians and minimums over {args.runs} "
        f"seeds (everything: {full_runs}); load average {load:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after\n"
    )
    print(f"{'measure':46s} {'seconds':>9s} {'min s':>9s} {'x target':>9s} {'x floor':>9s}")
    rows = [
        ("bare Mesa model, 49 idle agents (floor)", "floor", None),
        ("model alone (records in memory)", "model", TARGET_MODEL_S),
        ("model alone, no per-actor table", "no_actors", TARGET_MODEL_S),
        ("as a sweep runs it (default metrics)", "sweep", TARGET_MODEL_S),
        ("model + tables as DataFrames", "tables", None),
        ("everything: tables, Parquet, chronicle, figures", "full", TARGET_OUTPUTS_S),
    ]
    for name, key, target in rows:
        secs, best = statistics.median(times[key]), min(times[key])
        t = f"{secs / target:9.2f}" if target else f"{'':9s}"
        print(f"{name:46s} {secs:9.4f} {best:9.4f} {t} {secs / floor:9.1f}")
    print("\none full run, by stage (manifest timings, s):")
    for key, value in manifest_timings.items():
        print(f"  {key:14s} {value:8.4f}")
    print(
        f"\ntargets: model alone < {TARGET_MODEL_S} s; writing all outputs < {TARGET_OUTPUTS_S} s"
    )


if __name__ == "__main__":
    main()
