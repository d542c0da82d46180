"""What the solvers of landscape theory report: the minima found, their energies and basins.

Exact enumeration (:mod:`~latticesim.blocs.exact`) and heuristic search
(:mod:`~latticesim.blocs.heuristic`) both answer with a :class:`BlocsResult`, so callers
read a split's sides and energy the same way whichever solver found it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from latticesim.blocs.theory import ConfigArray, FloatArray

__all__ = ["BlocsResult"]


def default_names(n: int, names: Sequence[str] | None) -> tuple[str, ...]:
    """Actor names for reporting: the given ones as text, or ``"0", "1", ...``."""
    if names is None:
        return tuple(str(i) for i in range(n))
    out = tuple(str(v) for v in names)
    if len(out) != n:
        raise ValueError(f"expected {n} names, got {len(out)}")
    return out


@dataclass(frozen=True, eq=False)
class BlocsResult:
    """Minima found by a solver, in canonical form (actor 0 on side A).

    Attributes:
        names: Actor names, in column order of ``configs``.
        configs: ``(k, n)`` int8 sides, 0 = side A, 1 = side B.
        energies: Energy of each split, ascending.
        counts: Exact solvers: basin size in splits (out of ``total``); heuristic: number
            of starts that ended there. ``None`` for :func:`~latticesim.blocs.exact.global_minima`.
        shares: ``counts / total``: exact basin share, or share of starts.
        total: Number of splits enumerated (``2**(n-1)``) or of starts.
        method: ``"exact"``, ``"descent"`` or ``"anneal"``.
        rule: Myopic rule that defines the basins, if any.
        energy_tol: Energies within this of the best count as tied.
    """

    names: tuple[str, ...]
    configs: ConfigArray
    energies: FloatArray
    counts: npt.NDArray[np.int64] | None
    shares: FloatArray | None
    total: int
    method: str
    rule: str | None
    energy_tol: float = 0.0

    def __len__(self) -> int:
        return int(self.energies.size)

    @property
    def best_energy(self) -> float:
        """Lowest energy found (the global minimum for exact solvers)."""
        return float(self.energies.min())

    @property
    def is_best(self) -> npt.NDArray[np.bool_]:
        """Which splits are tied for the lowest energy."""
        return self.energies <= self.best_energy + self.energy_tol

    def sides(self, k: int = 0) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Names on side A (with actor 0) and side B of the ``k``-th split."""
        x = self.configs[k]
        side_a = tuple(nm for nm, v in zip(self.names, x, strict=True) if v == 0)
        side_b = tuple(nm for nm, v in zip(self.names, x, strict=True) if v == 1)
        return side_a, side_b

    def to_frame(self) -> pd.DataFrame:
        """One row per split: energy, is_best, count, share, side_a, side_b (name tuples)."""
        sides = [self.sides(k) for k in range(len(self))]
        count = self.counts if self.counts is not None else [pd.NA] * len(self)
        share = self.shares if self.shares is not None else np.full(len(self), np.nan)
        return pd.DataFrame(
            {
                "energy": self.energies,
                "is_best": self.is_best,
                "count": pd.array(count, dtype="Int64"),
                "share": share,
                "side_a": [a for a, _ in sides],
                "side_b": [b for _, b in sides],
            }
        )
