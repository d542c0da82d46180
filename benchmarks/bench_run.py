"""Time a 10-year baseline run: the model alone, and with every output written.

Usage: python benchmarks/bench_run.py [--runs 30] [--scenario scenarios/baseline_2024.yaml]

Prints medians over repeated runs (different seeds) measured in this process, each as
a ratio to its target and to a floor measured alongside: a bare Mesa model with the same
number of agents stepping the same number of quarters and doing nothing, which is what
any Mesa model of this size pays before it computes anything.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import mesa

from latticesim import load_scenario, run, simulate

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


def _median_time(fn, runs: int) -> float:
    times = []
    for k in range(runs):
        t = time.perf_counter()
        fn(k)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline_2024.yaml"))
    args = parser.parse_args()
    spec = load_scenario(args.scenario)
    quarters = spec.horizon_quarter - spec.start_quarter + 1
    simulate(spec, 0)  # warm caches and imports

    floor = _median_time(lambda k: _Floor(49, k).run_for(quarters), args.runs)
    model_only = _median_time(lambda k: simulate(spec, k), args.runs)
    model_tables = _median_time(lambda k: simulate(spec, k).recorder.frames(), args.runs)
    sweep_mode = _median_time(lambda k: simulate(spec, k, record_actors=False), args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        runs = max(3, args.runs // 6)
        full = _median_time(lambda k: run(spec, seed=k, out=Path(tmp) / f"r{k}"), runs)
        manifest_timings = run(spec, seed=0, out=Path(tmp) / "timed").manifest["timings_s"]

    print(f"scenario {spec.name}: {quarters} quarters, medians over {args.runs} seeds\n")
    print(f"{'measure':44s} {'seconds':>9s} {'x target':>9s} {'x floor':>9s}")
    rows = [
        ("bare Mesa model, 49 idle agents (floor)", floor, None),
        ("model alone (records in memory)", model_only, TARGET_MODEL_S),
        ("model alone, no per-actor table (sweeps)", sweep_mode, TARGET_MODEL_S),
        ("model + tables as DataFrames", model_tables, None),
        ("everything: tables, Parquet, chronicle, figures", full, TARGET_OUTPUTS_S),
    ]
    for name, secs, target in rows:
        t = f"{secs / target:9.2f}" if target else f"{'':9s}"
        print(f"{name:44s} {secs:9.4f} {t} {secs / floor:9.1f}")
    print("\none full run, by stage (manifest timings, s):")
    for key, value in manifest_timings.items():
        print(f"  {key:14s} {value:8.4f}")
    print(
        f"\ntargets: model alone < {TARGET_MODEL_S} s; writing all outputs < {TARGET_OUTPUTS_S} s"
    )


if __name__ == "__main__":
    main()
