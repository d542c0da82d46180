"""Sweep machinery against Mesa's batch_run, parallel efficiency, memory and scaling.

Usage:
    python benchmarks/bench_sweep.py                      # everything (about 20 minutes)
    python benchmarks/bench_sweep.py --only batch,efficiency
    python benchmarks/bench_sweep.py --only memory --memory-runs 1000,10000
    python benchmarks/bench_sweep.py --only scaling --markdown

Every number is measured in this process and its children, in one sitting, so ratios
compare like with like on the machine at hand:

* batch: 400 runs of the 10-year baseline (4 values of ``watering`` x 100 seeds), 2
  processes each, through Mesa 3.5's ``batch_run`` (a thin Mesa-style wrapper model: a
  constructor taking keyword parameters, a DataCollector with the same metrics) and
  through ``latticesim.sweeps.runner.run_sweep``; the ratio is batch_run's wall time over
  ours. Both run the same model code; a sweep's run skips what its metrics never read
  (the per-actor table, bloc tracking, the model-table rows of other quarters), which
  the wrapper cannot know. With ``--naive``, a second batch_run row times the wrapper
  the batch_run API invites (the scenario file read in the constructor, the model's
  default records). Rounds are interleaved (``--repeat``); the ratio is given for each
  side's fastest round (the least disturbed by whatever else the machine runs) and for
  the median rounds.
* efficiency: the same 400 runs with 1 worker (in process) and 2 workers (process
  pool): T1 / (2 x T2).
* memory: peak memory of the whole process tree (``latticesim sweep``, its fork server
  and workers) for sweeps of different sizes, sampled every 0.2 s: the sum of PSS
  (shared pages split among the processes sharing them) and, for reference, of RSS.
* scaling: one run's set-up and cost per quarter on synthetic lattices of N actors and
  F forums (each forum seats a fifth of the actors and meets once a year), with the
  blocs followed every quarter (a single run) and without (a sweep that keeps no bloc
  column), and the log-log slope of the cost per quarter against N x F (1 or less: no
  worse than linear).
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import mesa
import numpy as np

from latticesim import load_scenario
from latticesim.model.model import LatticeModel
from latticesim.scenario.schema import LatticeScenario
from latticesim.sweeps.designs import replication_seed
from latticesim.sweeps.paths import apply_overrides

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline_2024.yaml"
METRICS = ("coordination_index", "leading_platform_share", "share_NATO", "linkage")
WATERING = (0.1, 0.2, 0.3, 0.4)
SEED = 2024


# --------------------------------------------------------------------------- Mesa's batch_run


@functools.cache
def _base_dump() -> dict:
    return load_scenario(BASELINE).model_dump(mode="json", by_alias=True)


def _last(metric: str, model: LatticeModel) -> float:
    return model.recorder.model_rows[-1].get(metric, math.nan)


class BatchLattice(LatticeModel):
    """LatticeModel as batch_run wants it: keyword parameters and a DataCollector.

    The scenario is read once per process (``_base_dump`` is cached) and each run sets
    its parameter on it, as the sweep machinery does, so both pay the same model cost.
    """

    def __init__(self, watering: float = 0.3, rng: int | None = None) -> None:
        spec = apply_overrides(_base_dump(), [(("parameters", "watering"), watering)])
        super().__init__(LatticeScenario(spec=spec, rng=rng), record_actors=False)
        self.datacollector = mesa.DataCollector(
            model_reporters={m: functools.partial(_last, m) for m in METRICS}
        )

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)


class NaiveBatchLattice(BatchLattice):
    """The wrapper the batch_run API invites: it reads the scenario file in every run."""

    def __init__(self, watering: float = 0.3, rng: int | None = None) -> None:
        spec = load_scenario(BASELINE)
        spec.parameters.watering = watering
        LatticeModel.__init__(self, LatticeScenario(spec=spec, rng=rng))
        self.datacollector = mesa.DataCollector(
            model_reporters={m: functools.partial(_last, m) for m in METRICS}
        )


def run_batch(naive: bool, replications: int) -> float:
    import warnings

    seeds = [replication_seed(SEED, r) for r in range(replications)]
    model = NaiveBatchLattice if naive else BatchLattice
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = mesa.batch_run(
            model,
            parameters={"watering": list(WATERING)},
            number_processes=2,
            rng=seeds,
            max_steps=40,
            data_collection_period=-1,
            display_progress=False,
        )
    elapsed = time.perf_counter() - t0
    assert len(results) == len(WATERING) * replications, len(results)
    return elapsed


def _experiment(replications: int, until: str | None = None):
    from latticesim.sweeps.experiment import Experiment, Metrics, Outcome, Parameter

    spec = load_scenario(BASELINE)
    last = 40 if until is None else 100_000
    metrics = Metrics(
        series=METRICS,
        every=last,
        outcomes=tuple(Outcome(m, column=m, stat="last") for m in METRICS),
    )
    watering = Parameter("watering", (("parameters", "watering"),), "float", values=WATERING)
    return Experiment(
        name="bench",
        spec=spec,
        seed=SEED,
        replications=replications,
        parameters=(watering,),
        metrics=metrics,
        until=until,
    )


def run_ours(replications: int, workers: int) -> float:
    from latticesim.sweeps.runner import run_sweep
    from latticesim.sweeps.store import open_sweep

    exp = _experiment(replications)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        summary = run_sweep(exp, Path(tmp) / "sweep", workers=workers)
        elapsed = time.perf_counter() - t0
        busy = float(open_sweep(Path(tmp) / "sweep").runs()["elapsed_s"].sum())
    assert summary.ran == exp.n_runs and summary.failed == 0
    UTILISATION.setdefault(workers, []).append(busy / (workers * elapsed))
    return elapsed


UTILISATION: dict[int, list[float]] = {}
"""Share of the workers' wall time spent inside runs, per sweep (start-up, scheduling,
writing and idle tails are the rest): a check on the machinery that a busy machine
disturbs less than wall times, since other processes slow the runs themselves too."""


# --------------------------------------------------------------------------- memory


def _tree_memory(pid: int) -> tuple[int, int, int]:
    """Memory of a process and its descendants: summed RSS, summed PSS, and the root's RSS.

    RSS counts a shared page in every process that maps it (the libraries, and the
    modules a fork server imported once for all its workers), so its sum overstates
    what the tree uses; PSS splits each shared page among its sharers, so its sum is
    what the tree costs the machine.
    """
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0, 0
    rss = pss = driver = 0
    for p in procs:
        try:
            info = p.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
        if p.pid == pid:
            driver = info.rss
    return rss, pss, driver


def run_memory(runs: int, until: str) -> dict[str, float]:
    reps = max(1, runs // len(WATERING))
    with tempfile.TemporaryDirectory() as tmp:
        sweep = Path(tmp) / "memory.yaml"
        sweep.write_text(
            f"name: memory\nscenario: {BASELINE}\nseed: {SEED}\nreplications: {reps}\n"
            f"until: {until}\nparameters:\n  parameters.watering: {list(WATERING)}\n"
            f"metrics:\n  every: 4\n  series: {list(METRICS)}\n",
            encoding="utf-8",
        )
        cmd = [
            sys.executable,
            "-m",
            "latticesim.cli",
            "sweep",
            str(sweep),
            "--out",
            str(Path(tmp) / "out"),
            "--workers",
            "2",
            "--quiet",
        ]
        peak = {"rss": 0, "pss": 0, "driver": 0}
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd)
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                for key, value in zip(peak, _tree_memory(proc.pid), strict=True):
                    peak[key] = max(peak[key], value)
                stop.wait(0.2)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        proc.wait()
        stop.set()
        thread.join()
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"sweep failed with code {proc.returncode}")
        from latticesim.sweeps.store import open_sweep

        done = len(open_sweep(Path(tmp) / "out").runs())
    return {
        "runs": done,
        "rss_mb": peak["rss"] / 2**20,
        "pss_mb": peak["pss"] / 2**20,
        "driver_mb": peak["driver"] / 2**20,
        "seconds": elapsed,
    }


# --------------------------------------------------------------------------- scaling


def _synthetic_world(n_actors: int, n_forums: int, real, positions, seed: int = 0):
    """A scenario spec for N actors and F forums, with the packaged actor data patched.

    The model reads its actors from the packaged tables (``actor_table``,
    ``packaged_positions``); this benchmark swaps them, in this process only, for the
    41 real actors plus clones of the forum actors under new names.
    """
    import latticesim.model.setup as setup_mod
    import latticesim.world.actors as actors_mod
    from latticesim.scenario.schema import DEFAULT_DIMENSIONS, ScenarioSpec

    rng = random.Random(seed)
    positions = dict(positions)
    players = [r for r in real if r.region != "adversary"]
    table = list(real)
    for k in range(max(0, n_actors - len(real))):
        src = players[k % len(players)]
        name = f"S{k:04d}"
        region = rng.choice(("euro_atlantic", "indo_pacific"))
        table.append(
            replace(src, name=name, iso3=name, nato_join=None, flags=frozenset(), region=region)
        )
        for dim in DEFAULT_DIMENSIONS:
            if (src.name, dim) in positions:
                pos, sal = positions[(src.name, dim)]
                positions[(name, dim)] = (min(max(pos + rng.uniform(-0.1, 0.1), 0.0), 1.0), sal)
    frozen = tuple(table)
    for mod in (actors_mod, setup_mod):
        mod.actor_table = lambda t=frozen: t
        mod.packaged_positions = lambda p=positions: p
    names = [r.name for r in table if r.region != "adversary"]
    size = max(3, len(names) // 5)
    forums = {}
    for f in range(n_forums):
        members = rng.sample(names, size)
        forums[f"F{f:03d}"] = {
            "members": members,
            "rule": "consensus",
            "competence": rng.sample(list(DEFAULT_DIMENSIONS), 2),
            "calendar": [{"quarter": rng.randint(1, 4), "level": "summit"}],
            "convener": members[0],
            "theatre": rng.choice(("euro_atlantic", "indo_pacific", "global")),
            "standing": 0.5,
        }
    data = {
        **_base_dump(),
        "name": f"synthetic_{n_actors}x{n_forums}",
        "forums": forums,
        "events": [],
        "horizon": "2025Q4",
    }
    return ScenarioSpec.model_validate(data)


def run_scaling(sizes: list[int], forums: list[int], repeats: int) -> list[dict[str, float]]:
    import latticesim.model.setup as setup_mod
    import latticesim.world.actors as actors_mod
    from latticesim.outputs.runs import simulate

    saved = {mod: (mod.actor_table, mod.packaged_positions) for mod in (actors_mod, setup_mod)}
    real, positions = actors_mod.actor_table(), actors_mod.packaged_positions()
    rows = []
    try:
        for n in sizes:
            for f in forums:
                spec = _synthetic_world(n, f, real, positions)
                quarters = spec.horizon_quarter - spec.start_quarter + 1
                simulate(spec, 0, record_actors=False)  # warm up
                setups, steps, lean = [], [], []
                for k in range(repeats):
                    # a single run's model (blocs followed every quarter), then the same
                    # run as a sweep that keeps no bloc column runs it
                    for blocs, out in ((True, steps), (False, lean)):
                        t0 = time.perf_counter()
                        model = LatticeModel(
                            LatticeScenario(spec=spec, rng=k + 1),
                            record_actors=False,
                            track_blocs=blocs,
                        )
                        t1 = time.perf_counter()
                        model.run_for(quarters)
                        out.append(time.perf_counter() - t1)
                        if blocs:
                            setups.append(t1 - t0)
                held = sum(r["meetings_held"] for r in model.recorder.model_rows)
                step = statistics.median(steps) / quarters
                rows.append(
                    {
                        "actors": len(model.actor_names),
                        "forums": f,
                        "setup_ms": statistics.median(setups) * 1e3,
                        "step_ms": step * 1e3,
                        "lean_ms": statistics.median(lean) / quarters * 1e3,
                        "meetings_per_q": held / quarters,
                        "us_per_actor_forum": step * 1e6 / (len(model.actor_names) * f),
                    }
                )
    finally:
        for mod, (table, pos) in saved.items():
            mod.actor_table, mod.packaged_positions = table, pos
    return rows


def _slope(xs: list[float], ys: list[float]) -> float:
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])


# --------------------------------------------------------------------------- report


Row = tuple[str, str, str, str]  # measure, measured, ratio, target


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="batch,efficiency,memory,scaling")
    parser.add_argument(
        "--replications",
        type=int,
        default=100,
        help="seeds per watering value in batch and efficiency (x4 runs)",
    )
    parser.add_argument("--memory-runs", default="1000,10000")
    parser.add_argument("--memory-until", default="2033Q4")
    parser.add_argument("--sizes", default="41,200,1000")
    parser.add_argument("--forums", default="10,30,100")
    parser.add_argument("--repeats", type=int, default=3, help="runs per scaling point")
    parser.add_argument("--repeat", type=int, default=2, help="rounds of batch/efficiency")
    parser.add_argument("--naive", action="store_true", help="also time the naive wrapper")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    return parser.parse_args()


def _time_rounds(only: set[str], args: argparse.Namespace) -> dict[str, list[float]]:
    """Interleaved rounds of the sweep and batch_run, each round's wall time per side.

    The machine may be shared, and the fastest round is the one least disturbed by
    others, so every side is timed in every round rather than all of one side first.
    """
    reps = args.replications
    times: dict[str, list[float]] = {"ours2": [], "batch": [], "naive": [], "ours1": []}
    for k in range(args.repeat):
        times["ours2"].append(run_ours(reps, 2))
        print(f"[{k}] sweep, 2 workers: {times['ours2'][-1]:.1f} s", flush=True)
        if "batch" in only:
            times["batch"].append(run_batch(False, reps))
            print(f"[{k}] batch_run, 2 processes: {times['batch'][-1]:.1f} s", flush=True)
            if args.naive:
                times["naive"].append(run_batch(True, reps))
                print(f"[{k}] batch_run, naive: {times['naive'][-1]:.1f} s", flush=True)
        if "efficiency" in only:
            times["ours1"].append(run_ours(reps, 1))
            print(f"[{k}] sweep, 1 worker: {times['ours1'][-1]:.1f} s", flush=True)
    return times


def _batch_rows(times: dict[str, list[float]], reps: int, naive: bool) -> list[Row]:
    ours2, batch = min(times["ours2"]), min(times["batch"])
    runs = len(WATERING) * reps
    rows = [
        (
            f"throughput vs batch_run ({runs} runs, 2 processes each), fastest rounds",
            f"batch_run {batch:.1f} s ({runs / batch:.2f} runs/s); sweep "
            f"{ours2:.1f} s ({runs / ours2:.2f} runs/s)",
            f"{batch / ours2:.2f}x",
            ">= 3x",
        )
    ]
    batch_med, ours2_med = statistics.median(times["batch"]), statistics.median(times["ours2"])
    rows.append(
        (
            f"  the same, median rounds (of {len(times['batch'])})",
            f"batch_run {batch_med:.1f} s; sweep {ours2_med:.1f} s; rounds: batch_run "
            + ", ".join(f"{x:.1f}" for x in times["batch"])
            + "; sweep "
            + ", ".join(f"{x:.1f}" for x in times["ours2"]),
            f"{batch_med / ours2_med:.2f}x",
            "",
        )
    )
    if naive:
        slow = min(times["naive"])
        rows.append(
            (
                "  the same, batch_run wrapper reading the file each run",
                f"batch_run {slow:.1f} s",
                f"{slow / ours2:.2f}x",
                "",
            )
        )
    return rows


def _efficiency_rows(times: dict[str, list[float]]) -> list[Row]:
    rows = []
    if 2 in UTILISATION:
        rows.append(
            (
                "worker utilisation, 2 workers (time in runs / workers x wall)",
                ", ".join(f"{u:.2f}" for u in UTILISATION[2]),
                f"{max(UTILISATION[2]):.2f}",
                "",
            )
        )
    if times["ours1"]:
        ours1, ours2 = min(times["ours1"]), min(times["ours2"])
        rows.append(
            (
                "parallel efficiency, 2 workers vs 1",
                f"1 worker {ours1:.1f} s, 2 workers {ours2:.1f} s",
                f"{ours1 / (2 * ours2):.2f}",
                ">= 0.8",
            )
        )
    return rows


def _memory_rows(args: argparse.Namespace) -> list[Row]:
    results = []
    for n in [int(x) for x in args.memory_runs.split(",")]:
        res = run_memory(n, args.memory_until)
        results.append(res)
        print(
            f"memory, {res['runs']} runs: all processes PSS {res['pss_mb']:.0f} MB "
            f"(RSS {res['rss_mb']:.0f} MB), driver RSS {res['driver_mb']:.0f} MB, "
            f"{res['seconds']:.0f} s",
            flush=True,
        )
    rows = [
        (
            f"peak memory, {res['runs']}-run sweep (2 workers, to {args.memory_until})",
            f"all processes: PSS {res['pss_mb']:.0f} MB, RSS {res['rss_mb']:.0f} MB; "
            f"driver RSS {res['driver_mb']:.0f} MB; {res['seconds']:.0f} s",
            f"{res['pss_mb']:.0f} MB",
            "< 500 MB",
        )
        for res in results
    ]
    if len(results) > 1:
        a, b = results[0], results[-1]
        rows.append(
            (
                f"memory growth, {a['runs']} -> {b['runs']} runs",
                f"x{b['runs'] / a['runs']:.0f} runs; PSS x{b['pss_mb'] / a['pss_mb']:.2f}, "
                f"driver x{b['driver_mb'] / a['driver_mb']:.2f}",
                f"x{b['pss_mb'] / a['pss_mb']:.2f}",
                "flat (x1)",
            )
        )
    return rows


def _scaling_rows(args: argparse.Namespace) -> list[Row]:
    sizes = [int(x) for x in args.sizes.split(",")]
    forums = [int(x) for x in args.forums.split(",")]
    scale = run_scaling(sizes, forums, args.repeats)
    _print_scaling(scale, args.markdown)
    lo = min(scale, key=lambda r: r["actors"] * r["forums"])
    hi = max(scale, key=lambda r: r["actors"] * r["forums"])
    rows = []
    for key, label in (("step_ms", "blocs every quarter"), ("lean_ms", "no blocs (sweeps)")):
        slope = _slope([r["actors"] * r["forums"] for r in scale], [r[key] for r in scale])
        big = [r for r in scale if r["actors"] == max(sizes)]
        slope_f = _slope([r["forums"] for r in big], [r[key] for r in big])
        wide = [r for r in scale if r["forums"] == max(forums)]
        slope_n = _slope([r["actors"] for r in wide], [r[key] for r in wide])
        rows.append(
            (
                f"cost per quarter, {lo['actors']}x{lo['forums']} to "
                f"{hi['actors']}x{hi['forums']} (actors x forums), {label}",
                f"{lo[key]:.2f} ms to {hi[key]:.1f} ms",
                f"slope {slope:.2f} in NxF",
                "<= 1",
            )
        )
        rows.append(
            (
                "  slope in forums at the most actors, in actors at the most forums",
                f"forums {slope_f:.2f}, actors {slope_n:.2f}",
                "",
                "",
            )
        )
    return rows


def _print_scaling(scale: list[dict[str, float]], markdown: bool) -> None:
    print(
        f"{'actors':>7s} {'forums':>7s} {'setup ms':>9s} {'ms/quarter':>11s} "
        f"{'no blocs':>9s} {'meetings/q':>11s} {'us/(N*F)':>9s}"
    )
    for r in scale:
        print(
            f"{r['actors']:7d} {r['forums']:7d} {r['setup_ms']:9.1f} {r['step_ms']:11.2f} "
            f"{r['lean_ms']:9.2f} {r['meetings_per_q']:11.1f} {r['us_per_actor_forum']:9.3f}"
        )
    if markdown:
        print(
            "\n| actors | forums | set-up ms | ms per quarter | ms per quarter, no blocs "
            "| meetings per quarter | us per N x F |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for r in scale:
            print(
                f"| {r['actors']} | {r['forums']} | {r['setup_ms']:.1f} | {r['step_ms']:.2f} | "
                f"{r['lean_ms']:.2f} | {r['meetings_per_q']:.1f} | "
                f"{r['us_per_actor_forum']:.3f} |"
            )


def main() -> None:
    args = _arguments()
    only = set(args.only.split(","))
    rows: list[Row] = []
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    load_before = os.getloadavg()[0]
    if "batch" in only or "efficiency" in only:
        times = _time_rounds(only, args)
        if "batch" in only:
            rows += _batch_rows(times, args.replications, args.naive)
        rows += _efficiency_rows(times)
    if "memory" in only:
        rows += _memory_rows(args)
    if "scaling" in only:
        rows += _scaling_rows(args)
    print(f"\nload average {load_before:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    if args.markdown:
        print("| measure | measured | ratio | target |\n|---|---|---:|---|")
        for r in rows:
            print(f"| {r[0].strip()} | {r[1]} | {r[2]} | {r[3]} |")
    else:
        for r in rows:
            print(f"{r[0]:72s} {r[2]:>14s}  target {r[3]:8s} ({r[1]})")


if __name__ == "__main__":
    main()
