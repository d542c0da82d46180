"""Timings of latticesim.blocs: exact enumeration, heuristic search, and their agreement.

Run with ``python benchmarks/bench_blocs.py [--repeat R] [--instances K]``. Instances are
random and seeded: sizes uniform on [0.1, 3), propensities standard normal (a dense,
rugged landscape in which most splits are frustrated), so the numbers are reproducible.
Each timing is the best of ``--repeat`` runs (wall clock).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable

import numpy as np

from latticesim.blocs.exact import global_minima, local_minima
from latticesim.blocs.heuristic import search
from latticesim.blocs.results import BlocsResult


def instance(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes = rng.uniform(0.1, 3.0, n)
    p = np.triu(rng.normal(size=(n, n)), 1)
    return sizes, p + p.T


def best_time(fn: Callable[[], BlocsResult], repeat: int) -> tuple[float, BlocsResult]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    assert result is not None
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best is kept)")
    parser.add_argument("--instances", type=int, default=20, help="instances for agreement")
    args = parser.parse_args()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    print()
    print(f"{'case':<44} {'N':>4} {'time s':>8} {'minima':>7} {'best E':>11} {'best share':>10}")
    rows = [
        ("exact global minima", 20, lambda s, p: global_minima(s, p)),
        ("exact global minima", 24, lambda s, p: global_minima(s, p)),
        ("exact local minima + basins (steepest)", 20, lambda s, p: local_minima(s, p)),
        ("exact local minima + basins (steepest)", 24, lambda s, p: local_minima(s, p)),
        ("descent, 1000 starts (steepest)", 41, lambda s, p: search(s, p, rng=1)),
        (
            "anneal, 100 starts x 100 sweeps",
            41,
            lambda s, p: search(s, p, method="anneal", rng=1),
        ),
        ("descent, 1000 starts (steepest)", 200, lambda s, p: search(s, p, rng=1)),
        (
            "anneal, 100 starts x 100 sweeps",
            200,
            lambda s, p: search(s, p, method="anneal", rng=1),
        ),
    ]
    for label, n, solve in rows:
        s, p = instance(n, seed=n)
        seconds, res = best_time(lambda s=s, p=p, solve=solve: solve(s, p), args.repeat)
        share = "-" if res.shares is None else f"{res.shares[0]:.3f}"
        print(
            f"{label:<44} {n:>4} {seconds:>8.3f} {len(res):>7} {res.best_energy:>11.3f} {share:>10}"
        )

    print()
    print(f"agreement with exact global minimum energy, {args.instances} random instances, N = 20")
    hits = {"descent (1000 starts)": 0, "descent (200 starts)": 0, "anneal (100 starts)": 0}
    for seed in range(args.instances):
        s, p = instance(20, seed=1000 + seed)
        exact = global_minima(s, p).best_energy
        tol = 1e-9 * float(np.abs(s[:, None] * s[None, :] * p).sum())
        found = {
            "descent (1000 starts)": search(s, p, rng=seed),
            "descent (200 starts)": search(s, p, starts=200, rng=seed),
            "anneal (100 starts)": search(s, p, method="anneal", rng=seed),
        }
        for key, res in found.items():
            hits[key] += res.best_energy <= exact + tol
    for key, k in hits.items():
        print(f"  {key:<24} {k}/{args.instances}")


if __name__ == "__main__":
    main()
