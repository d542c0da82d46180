"""How pool workers start: a fork server against spawn, on the same sweep.

Usage:
    python benchmarks/bench_start_method.py [--rounds 3] [--workers 2]

Runs ``experiments/smoke.yaml`` (8 short runs) and the same design for ten years, with
workers started from a fork server (Linux and macOS) and by spawn (the only method on
Windows), in interleaved rounds in this sitting; prints each side's fastest wall time
and spawn's ratio to the fork server. The fork server pays the imports once; spawn pays
them in every worker, so the difference is a fixed start-up cost per sweep. Each sweep
runs in a fresh process, as ``latticesim sweep`` does, so the fork server's own start
is counted.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMOKE = ROOT / "experiments" / "smoke.yaml"


def _long_smoke(folder: Path) -> Path:
    text = SMOKE.read_text(encoding="utf-8").replace("until: 2025Q4", "until: 2033Q4")
    text = text.replace("../scenarios/", f"{ROOT / 'scenarios'}/").replace(
        "name: smoke", "name: smoke_long"
    )
    path = folder / "smoke_long.yaml"
    path.write_text(text, encoding="utf-8")
    return path


_CHILD = """
import sys, time
from latticesim.sweeps import executors
from latticesim.sweeps.runner import run_sweep
executors.start_method = lambda: sys.argv[2]
started = time.perf_counter()
run_sweep(sys.argv[1], sys.argv[3], workers=int(sys.argv[4]))
print(time.perf_counter() - started)
"""


def _time(path: Path, method: str, workers: int) -> float:
    """One sweep in a fresh process, as ``latticesim sweep`` runs it (the fork server too)."""
    with tempfile.TemporaryDirectory() as out:
        argv = [str(path), method, str(Path(out) / "sweep"), str(workers)]
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, *argv], check=True, capture_output=True, text=True
        )
        return float(done.stdout.split()[-1])


def main() -> None:
    """Interleave the rounds and print the fastest of each, with the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sweeps = {"smoke (2 years)": SMOKE, "smoke (10 years)": _long_smoke(Path(tmp))}
        print("| sweep | forkserver (s) | spawn (s) | spawn / forkserver |")
        print("|---|---|---|---|")
        for label, path in sweeps.items():
            best = {"forkserver": float("inf"), "spawn": float("inf")}
            for _ in range(args.rounds):
                for method in best:
                    best[method] = min(best[method], _time(path, method, args.workers))
            fs, sp = best["forkserver"], best["spawn"]
            print(f"| {label} | {fs:.2f} | {sp:.2f} | {sp / fs:.2f} |")


if __name__ == "__main__":
    main()
