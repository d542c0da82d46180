"""Designs of a sweep: seeds, ranges, grids, SALib samples and the size of each task.

Run k of a design (point p, replication r) is seeded from the sweep's root seed and r
alone, so every point and every arm of a comparison reuses the same random streams
(common random numbers), and a run's result does not depend on the executor, the number
of workers or the chunking.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "CALIBRATED_STREAM",
    "CalibratedDraws",
    "DESIGNS",
    "calibrated_draw",
    "DESIGN_NAMES",
    "MAX_CHUNK",
    "MAX_POINTS",
    "design_size",
    "frange_count",
    "auto_chunk_size",
    "frange",
    "grid_points",
    "replication_seed",
    "salib_problem",
    "sampled_points",
]

DESIGNS: dict[str, tuple[str, ...]] = {
    "grid": (),
    "lhs": ("samples",),
    "sobol": ("samples", "second_order"),
    "morris": ("trajectories", "levels"),
    "calibrated": (),
}
"""Design types and the options each takes."""

DESIGN_NAMES = {
    "grid": "grid",
    "lhs": "Latin hypercube",
    "sobol": "Sobol",
    "morris": "Morris",
    "calibrated": "calibrated",
}
"""Designs in words; ``calibrated`` is a grid whose replications take the model's
parameters from the shipped accepted set of the calibration."""
MAX_POINTS = 1_000_000
"""The largest number of points (or values of a range) a design may have."""


def replication_seed(root: int, replication: int) -> int:
    """The seed of every run of replication ``replication``, whatever its parameter point.

    It is the ``replication``-th child of ``SeedSequence(root)`` (the same as
    ``SeedSequence(root).spawn(n)[replication]`` for any n), so seeds depend on the root
    and the replication alone: all points and all arms of a comparison share their
    random streams, and adding replications later leaves earlier seeds unchanged.
    """
    child = np.random.SeedSequence(int(root), spawn_key=(int(replication),))
    return int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


CALIBRATED_STREAM = 0xCA11B
"""The first spawn key of the streams that choose calibrated draws (never a replication's:
those have one key, these two), so the draws chosen and the runs' streams are unrelated."""


def calibrated_draw(root: int, replication: int, n: int) -> int:
    """Which of ``n`` accepted draws replication ``replication`` takes its parameters from.

    Replications go through the draws in blocks of ``n``: block c is a permutation of all
    ``n`` draws, drawn from ``SeedSequence(root)`` and c alone. So ``n`` replications use
    every draw once (the fan covers the accepted set evenly, not a lucky corner of it),
    the choice depends on the root seed and the replication only (every point of a sweep
    and every arm of a comparison takes the same draw in replication r), and adding
    replications leaves earlier choices unchanged.
    """
    block, k = divmod(int(replication), int(n))
    seq = np.random.SeedSequence(int(root), spawn_key=(CALIBRATED_STREAM, block))
    return int(np.random.default_rng(seq).permutation(int(n))[k])


@dataclass(frozen=True)
class CalibratedDraws:
    """Accepted parameter draws that each replication takes its parameters from.

    Attributes:
        names: the model parameters the draws set (``parameters.<name>`` of a scenario).
        rows: one tuple of values per accepted draw, in ``names`` order.
        source: where the draws came from (a file), for manifests and reports.
        sha256: fingerprint of the draws, so a sweep over other draws does not resume.
    """

    names: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    source: str
    sha256: str

    def index(self, root: int, replication: int) -> int:
        """The draw replication ``replication`` uses (:func:`calibrated_draw`)."""
        return calibrated_draw(root, replication, len(self.rows))

    def values(self, root: int, replication: int) -> tuple[Any, ...]:
        """The parameter values of replication ``replication``."""
        return self.rows[self.index(root, replication)]

    def without(self, names: Sequence[str]) -> CalibratedDraws:
        """The draws without ``names`` (parameters a sweep's design sets itself)."""
        keep = [k for k, n in enumerate(self.names) if n not in set(names)]
        rows = tuple(tuple(row[k] for k in keep) for row in self.rows)
        return CalibratedDraws(tuple(self.names[k] for k in keep), rows, self.source, self.sha256)

    def describe(self) -> str:
        """What the fan's spread holds, in words for figures and reports."""
        return f"replications over {len(self.rows)} accepted parameter draws"

    def definition(self) -> dict[str, Any]:
        """The draws as plain JSON for the experiment's hash.

        Where they came from is not part of it: the same draws from a moved file are the
        same sweep.
        """
        return {
            "draws": len(self.rows),
            "parameters": list(self.names),
            "sha256": self.sha256,
            "choice": "replication r uses draw calibrated_draw(seed, r, draws): block r // "
            "draws is a permutation of the draws from SeedSequence(seed, spawn_key="
            f"({CALIBRATED_STREAM}, block))",
        }


# --------------------------------------------------------------------------- designs


def frange(start: float, stop: float, step: float) -> list[float]:
    """Values from ``start`` to ``stop`` inclusive in steps of ``step``, without float drift.

    ``0.1, 0.4, 0.1`` gives four values ending at exactly 0.4, not three ending at
    0.30000000000000004, which is what people mean when they write a range.
    """
    n = frange_count(start, stop, step)
    return [round(start + k * step, 12) for k in range(n)]


def frange_count(start: float, stop: float, step: float) -> int:
    """How many values :func:`frange` gives, known before any is made."""
    if step <= 0:
        raise ValueError("step must be positive")
    return max(math.floor((stop - start) / step + 1e-9) + 1, 0)


def design_size(design: str, options: dict[str, Any], n_parameters: int) -> int:
    """Points a sampled design draws, known before it is sampled (SALib's schemes)."""
    if design == "lhs":
        return int(options["samples"])
    if design == "sobol":
        per = 2 * n_parameters + 2 if options.get("second_order") else n_parameters + 2
        return int(options["samples"]) * per
    if design == "morris":
        return int(options["trajectories"]) * (n_parameters + 1)
    raise ValueError(f"not a sampled design: {design}")


def grid_points(values: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Every combination of the parameters' values, the first parameter varying slowest."""
    return [tuple(p) for p in itertools.product(*values)]


def salib_problem(names: Sequence[str], bounds: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """The problem dictionary SALib's samplers and analysers take."""
    return {
        "num_vars": len(names),
        "names": list(names),
        "bounds": [[float(lo), float(hi)] for lo, hi in bounds],
    }


def sampled_points(
    design: str, problem: dict[str, Any], options: dict[str, Any], seed: int
) -> np.ndarray:
    """A SALib sample (one row per point), reproducible from the sweep's root seed.

    Raises:
        ValueError: for an unknown design.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if design == "lhs":
            from SALib.sample import latin

            return latin.sample(problem, int(options["samples"]), seed=seed)
        if design == "sobol":
            from SALib.sample import sobol

            return sobol.sample(
                problem,
                int(options["samples"]),
                calc_second_order=bool(options.get("second_order", False)),
                seed=seed,
            )
        if design == "morris":
            from SALib.sample import morris

            return morris.sample(
                problem,
                int(options["trajectories"]),
                num_levels=int(options.get("levels", 4)),
                seed=seed,
            )
    raise ValueError(f"not a sampled design: {design}")


MAX_CHUNK = 100


def auto_chunk_size(remaining: int, slots: int) -> int:
    """Runs in the next task: a quarter of each worker's share of what remains (guided).

    Large tasks early amortise what each task costs (pickling, a round trip to the
    scheduler, a Parquet part); tasks shrink as the sweep nears its end, down to single
    runs, so no worker sits idle while another finishes a long last chunk (the tail
    that fixed-size chunks leave). Capped at ``MAX_CHUNK`` runs to keep parts and the
    memory in flight small.
    """
    return max(1, min(MAX_CHUNK, math.ceil(remaining / max(1, slots * 4))))
