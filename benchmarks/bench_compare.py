"""A comparison against the same runs through ``latticesim sweep``, as a ratio.

Usage:
    python benchmarks/bench_compare.py                    # 3 arms x 50 replications, 3 rounds
    python benchmarks/bench_compare.py --replications 10 --repeat 1 --markdown

``latticesim compare A B C --replications N --outcomes headline`` runs each arm N times
and then does what only a comparison does: the paired table, where the arms part (each
replication run again up to its first difference), the figure and the manifest. The
baseline is what an analyst would otherwise run: one sweep file per arm (its scenario, N
replications on the same root seed, nothing varied but one parameter held at the
scenario's own value, the headline outcomes and series kept), each through
``latticesim sweep``. Both sides are the command-line programs, with the same number of
workers, in fresh folders, timed in this sitting; the rounds alternate which side goes
first. The benchmark checks that both sides ran the same runs: every outcome of every
replication is equal in the sweep folders and in the comparison's arms.

The ratio (comparison over sweeps) is given for each side's fastest round, the least
disturbed by whatever else the machine runs, and for the median rounds.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

from latticesim import load_scenario
from latticesim.sweeps.compare_outcomes import OUTCOME_SETS, outcome_from_text
from latticesim.sweeps.store import open_sweep

ROOT = Path(__file__).resolve().parent.parent
ARMS = ("baseline_2024", "us_pivot", "us_retrenchment")
SEED = 1
WINDOW = 4
"""The comparison's default window: each series is also an outcome, its mean over it."""


def sweep_file(folder: Path, arm: str, replications: int) -> Path:
    """One arm as a sweep file keeping what ``--outcomes headline`` keeps."""
    scenario = ROOT / "scenarios" / f"{arm}.yaml"
    headline = OUTCOME_SETS["headline"]
    outcomes = {name: outcome_from_text(text) for name, text in headline.outcomes.items()}
    for column in headline.series:
        outcomes[column] = {"column": column, "stat": "mean", "last": WINDOW}
    watering = load_scenario(scenario).parameters.watering
    body = {
        "name": arm,
        "scenario": str(scenario),
        "seed": SEED,
        "replications": replications,
        "parameters": {"parameters.watering": [watering]},  # the scenario's own value
        "metrics": {"every": 1, "series": list(headline.series), "outcomes": outcomes},
    }
    path = folder / f"{arm}.yaml"
    path.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    return path


def _latticesim(*args: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "latticesim.cli", *args, "--quiet"], check=True)
    return time.perf_counter() - t0


def _scenarios() -> list[Path]:
    return [ROOT / "scenarios" / f"{arm}.yaml" for arm in ARMS]


def cli_sweeps(folder: Path, replications: int, workers: int) -> float:
    """Every arm through ``latticesim sweep``, one after the other; the wall time."""
    files = [sweep_file(folder, arm, replications) for arm in ARMS]
    took = 0.0
    for f in files:
        out = str(folder / "sweeps" / f.stem)
        took += _latticesim("sweep", str(f), "--out", out, "--workers", str(workers))
    return took


def cli_compare(folder: Path, replications: int, workers: int) -> float:
    """The arms through ``latticesim compare --outcomes headline``; the wall time."""
    return _latticesim(
        "compare",
        *map(str, _scenarios()),
        *("--replications", str(replications), "--seed", str(SEED)),
        *("--outcomes", "headline", "--workers", str(workers)),
        *("--out", str(folder / "comparison")),
    )


def python_sweeps(folder: Path, replications: int, workers: int) -> float:
    """The arms' sweep files through ``run_sweep`` on one pool, in this process."""
    from latticesim.sweeps.executors import open_executor
    from latticesim.sweeps.runner import run_sweep
    from latticesim.sweeps.sweepfile import load_experiment

    files = [sweep_file(folder, arm, replications) for arm in ARMS]
    t0 = time.perf_counter()
    with open_executor(workers) as (executor, slots):
        for f in files:
            exp = load_experiment(f)
            run_sweep(exp, folder / "sweeps" / f.stem, executor=executor, workers=slots)
    return time.perf_counter() - t0


def python_compare(folder: Path, replications: int, workers: int) -> float:
    """``compare(..., sets=["headline"])`` in this process (its own pool)."""
    from latticesim.sweeps.compare import compare

    t0 = time.perf_counter()
    compare(
        _scenarios(),
        replications,
        folder / "comparison",
        seed=SEED,
        sets=["headline"],
        workers=workers,
    )
    return time.perf_counter() - t0


MODES = {
    "cli": (cli_sweeps, cli_compare, "3 x `latticesim sweep`", "`latticesim compare`"),
    "python": (python_sweeps, python_compare, "3 x `run_sweep`, one pool", "`compare()`"),
}
"""The command-line programs as an analyst runs them (each sweep starts Python and a pool
of its own), and the same in one process, where only what a comparison adds differs."""


def check_same_runs(folder: Path) -> int:
    """Whether both sides ran the same runs: their outcomes, replication by replication.

    Returns:
        The number of values compared.
    """
    names = [*OUTCOME_SETS["headline"].outcomes, *OUTCOME_SETS["headline"].series]
    arms = sorted((folder / "comparison" / "arms").iterdir())
    compared = 0
    for arm, arm_folder in zip(ARMS, arms, strict=True):
        swept = open_sweep(folder / "sweeps" / arm).runs().set_index("replication")[names]
        compared_runs = open_sweep(arm_folder).runs().set_index("replication")[names]
        pd.testing.assert_frame_equal(
            swept.sort_index().astype(float), compared_runs.sort_index().astype(float)
        )
        compared += swept.size
    return compared


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=50, help="runs per arm (50)")
    parser.add_argument("--workers", type=int, default=2, help="workers on both sides (2)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each side (3)")
    parser.add_argument("--only", default="cli,python", help="modes: cli, python (both)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    return parser.parse_args()


def time_mode(mode: str, replications: int, workers: int, repeat: int) -> tuple[list, list]:
    """Rounds of both sides of ``mode``, alternating which goes first; each checked."""
    run_sweeps, run_compare, _, _ = MODES[mode]
    sweeps: list[float] = []
    comparisons: list[float] = []
    for k in range(repeat):
        with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
            folder = Path(tmp)
            sides = [(sweeps, run_sweeps), (comparisons, run_compare)]
            for times, run in sides if k % 2 == 0 else sides[::-1]:
                times.append(run(folder, replications, workers))
            values = check_same_runs(folder)
        print(
            f"{mode} round {k + 1}: sweeps {sweeps[-1]:.1f} s, comparison "
            f"{comparisons[-1]:.1f} s ({values} outcome values equal)",
            file=sys.stderr,
        )
    return sweeps, comparisons


def _row(label: str, times: list[float]) -> str:
    rounds = ", ".join(f"{t:.1f}" for t in times)
    return f"| {label} | {min(times):.1f} s | {statistics.median(times):.1f} s | {rounds} |"


def main() -> None:
    args = _arguments()
    runs = len(ARMS) * args.replications
    print(
        f"{len(ARMS)} arms x {args.replications} replications ({runs} runs), {args.workers} "
        f"workers, {args.repeat} rounds; both sides' outcomes equal run by run"
    )
    print("\n| | fastest | median | rounds (s) |\n|---|---|---|---|")
    for mode in args.only.split(","):
        sweeps, comparisons = time_mode(mode, args.replications, args.workers, args.repeat)
        _, _, sweep_label, compare_label = MODES[mode]
        fastest = min(comparisons) / min(sweeps)
        median = statistics.median(comparisons) / statistics.median(sweeps)
        print(_row(sweep_label, sweeps))
        print(_row(compare_label, comparisons))
        print(f"| ratio (comparison / sweeps) | {fastest:.2f} | {median:.2f} | |")


if __name__ == "__main__":
    main()
