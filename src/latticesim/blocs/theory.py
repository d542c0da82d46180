"""Landscape theory of aggregation (Axelrod & Bennett, BJPolS 23(2), 1993).

Actors of size ``s_i > 0`` with symmetric pairwise propensities ``p_ij`` split into two
sides. A configuration ``X`` is a 0/1 vector (the side of each actor) and
``d_ij(X) = 1`` when ``i`` and ``j`` are on different sides, else ``0``::

    F_i(X) = sum_{j != i} s_j * p_ij * d_ij(X)        (frustration of actor i)
    E(X)   = sum_i s_i * F_i(X)                        (energy; every pair counted twice)

The diagonal ``p_ii`` is ignored. When actor ``k`` switches sides, its frustration changes
by ``dF_k`` and the energy changes by exactly ``dE = 2 * s_k * dF_k``: ``s_k * dF_k``
through ``k``'s own term, and, because ``p`` is symmetric, the same amount through its
partners' terms. So every switch that an actor makes to lower its own frustration also
lowers ``E``, and myopic play ends in a local minimum of ``E``.

``X`` and its complement describe the same split; every split is reported once, in its
canonical form where actor 0 is on side 0 ("side A").

Myopic dynamics (see :data:`RULES`): an actor switches only on a *strict* decrease of
its own frustration (zero gain never moves anyone, so plateaus are stable). Which actor
moves when several could is a rule, because basins of attraction depend on it:

* ``"steepest"`` (default): the actor with the largest decrease of its own frustration;
  ties go to the lowest index. Deterministic, so exact basins are reproducible.
* ``"steepest_energy"``: the actor with the largest decrease of ``E`` (``2 s_k`` times its
  frustration decrease, so large actors weigh more); ties to the lowest index.
* ``"first"``: the lowest-indexed actor that can improve.
* ``"random"``: a uniformly random improving actor (heuristic search only).

Floating-point data are compared with a tolerance: differences below ``rel_tol`` times
the instance's scale count as zero (a gain that small is no gain, energies that close are
tied). Integer-valued data (integer sizes and propensities) are computed exactly and
compared without tolerance.

The modules of :mod:`latticesim.blocs` follow these definitions: this one holds an
instance, its frustration and energy, the switching rules and the canonical numbering of
splits; :mod:`~latticesim.blocs.exact` enumerates every split, :mod:`~latticesim.blocs.heuristic`
searches from random starts, :mod:`~latticesim.blocs.results` holds what both report and
:mod:`~latticesim.blocs.landscape` names the actors and reads published cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "DEFAULT_REL_TOL",
    "EXACT_RULES",
    "RULES",
    "Prepared",
    "Rule",
    "canonical",
    "config_to_index",
    "energy",
    "energy_prepared",
    "frustration",
    "frustration_change",
    "index_to_config",
    "prepare",
]

Rule = Literal["steepest", "steepest_energy", "first", "random"]
FloatArray = npt.NDArray[np.float64]
ConfigArray = npt.NDArray[np.int8]

RULES: tuple[str, ...] = ("steepest", "steepest_energy", "first", "random")
"""Myopic switching rules accepted by :func:`~latticesim.blocs.heuristic.descend` and
:func:`~latticesim.blocs.heuristic.search`."""

EXACT_RULES: tuple[str, ...] = ("steepest", "steepest_energy", "first")
"""Deterministic rules, the only ones for which exact basins are defined."""

DEFAULT_REL_TOL = 1e-9
"""Relative tolerance for non-integer data (see the module docstring)."""

_EXACT_LIMIT = float(2**50)  # integer sums below this are exact in float64


# --------------------------------------------------------------------------------------
# instance preparation
# --------------------------------------------------------------------------------------


def check_instance(
    sizes: npt.ArrayLike, propensity: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Check and normalise (sizes, propensity) so every solver sees the same instance."""
    s = np.asarray(sizes, dtype=np.float64)
    p = np.array(propensity, dtype=np.float64)  # a copy: the diagonal is overwritten
    if s.ndim != 1 or s.size == 0:
        raise ValueError(f"sizes must be a non-empty 1-D array, got shape {s.shape}")
    n = s.size
    if p.shape != (n, n):
        raise ValueError(f"propensity must have shape ({n}, {n}), got {p.shape}")
    if not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise ValueError("sizes must be finite and > 0")
    np.fill_diagonal(p, 0.0)
    if not np.all(np.isfinite(p)):
        raise ValueError("propensity must be finite")
    scale = float(np.abs(p).max()) if n > 1 else 0.0
    if not np.allclose(p, p.T, rtol=0.0, atol=1e-12 * scale):
        raise ValueError("propensity must be symmetric (the theory needs p_ij == p_ji)")
    p = 0.5 * (p + p.T)
    return s, p


def _is_exact(a: FloatArray) -> bool:
    """Integer data in float64 is summed exactly as long as the totals stay below 2**50."""
    return bool(np.all(a == np.round(a))) and float(np.abs(a).sum()) * 8.0 < _EXACT_LIMIT


@dataclass(frozen=True, eq=False)
class Prepared:
    """A checked instance (sizes, frustration and energy weights, tolerances) to reuse."""

    s: FloatArray  # sizes
    q: FloatArray  # q_ij = s_j p_ij: frustration weights, F_i = sum_j q_ij d_ij
    w: FloatArray  # w_ij = s_i s_j p_ij: energy weights, E = sum_ij w_ij d_ij
    tol_g: float  # tolerance on frustration changes
    tol_e: float  # tolerance on energies

    @property
    def n(self) -> int:
        """Number of actors."""
        return int(self.s.size)


def prepare(
    sizes: npt.ArrayLike,
    propensity: npt.ArrayLike,
    *,
    check: bool = True,
    rel_tol: float = DEFAULT_REL_TOL,
) -> Prepared:
    """Check an instance once, for callers that solve many instances in a loop.

    A model that follows its blocs every quarter builds a fresh propensity matrix each
    time; ``check=False`` skips the symmetry and finiteness checks when the caller
    constructs symmetric, finite propensities and positive sizes by design.
    """
    if not check:
        s = np.asarray(sizes, dtype=np.float64)
        p = np.asarray(propensity, dtype=np.float64)
        q = p * s[None, :]
        np.fill_diagonal(q, 0.0)
        w = s[:, None] * q
        tol_g = rel_tol * float(np.abs(q).sum(axis=1).max())
        tol_e = rel_tol * float(np.abs(w).sum())
        return Prepared(s=s, q=q, w=w, tol_g=tol_g, tol_e=tol_e)
    s, p = check_instance(sizes, propensity)
    if not rel_tol >= 0:
        raise ValueError("rel_tol must be >= 0")
    q = p * s[None, :]
    w = s[:, None] * q
    tol_g = 0.0 if _is_exact(q) else rel_tol * float(np.abs(q).sum(axis=1).max())
    tol_e = 0.0 if _is_exact(w) else rel_tol * float(np.abs(w).sum())
    return Prepared(s=s, q=q, w=w, tol_g=tol_g, tol_e=tol_e)


def as_configs(configs: npt.ArrayLike, n: int) -> ConfigArray:
    """Configurations as int8 sides, checked: shape ``(n,)`` or ``(m, n)``, only 0 and 1."""
    x = np.asarray(configs)
    if x.ndim not in (1, 2) or x.shape[-1] != n:
        raise ValueError(f"configs must have shape ({n},) or (m, {n}), got {x.shape}")
    if x.size and not np.all((x == 0) | (x == 1)):
        raise ValueError("configs must contain only 0 and 1 (the side of each actor)")
    return x.astype(np.int8)


def check_rule(rule: str, allowed: tuple[str, ...]) -> None:
    """Refuse a rule outside ``allowed`` (:data:`RULES` or :data:`EXACT_RULES`)."""
    if rule not in allowed:
        raise ValueError(f"rule must be one of {allowed}, got {rule!r}")


# --------------------------------------------------------------------------------------
# frustration and energy
# --------------------------------------------------------------------------------------


def frustration_rows(inst: Prepared, x: ConfigArray) -> FloatArray:
    """``F_i`` for every row of a stack ``x`` of shape ``(m, n)``: one matrix product."""
    # h_i = sum_j q_ij x_j is the weight of i's partners on side 1, r_i all its weight;
    # on side 0 the far side is side 1 (F = h), on side 1 it is side 0 (F = r - h).
    xf = x.astype(np.float64)
    h = xf @ inst.q.T
    r = inst.q.sum(axis=1)
    return h + xf * (r - 2.0 * h)


def _gains(inst: Prepared, x: ConfigArray) -> FloatArray:
    # With spins sigma = 1 - 2x, F_k = (r_k - sigma_k u_k) / 2 where u = q sigma, and a
    # switch flips sigma_k, so dF_k = sigma_k u_k.
    sigma = 1.0 - 2.0 * x.astype(np.float64)
    return (sigma @ inst.q.T) * sigma


def _per_actor(
    rows: Callable[[Prepared, ConfigArray], FloatArray],
    sizes: npt.ArrayLike,
    propensity: npt.ArrayLike,
    configs: npt.ArrayLike,
) -> FloatArray:
    """A per-actor quantity of one configuration or a stack, in the shape of ``configs``."""
    inst = prepare(sizes, propensity)
    x = as_configs(configs, inst.n)
    return rows(inst, np.atleast_2d(x)).reshape(x.shape)


def frustration(
    sizes: npt.ArrayLike, propensity: npt.ArrayLike, configs: npt.ArrayLike
) -> FloatArray:
    """Frustration ``F_i`` of every actor, for one configuration or a stack of them.

    Vectorised over a 2-D ``(m, n)`` stack so whole populations of configurations cost
    one matrix product instead of a Python loop.

    Args:
        sizes: Actor sizes, shape ``(n,)``.
        propensity: Symmetric propensities, shape ``(n, n)``; the diagonal is ignored.
        configs: Sides (0/1), shape ``(n,)`` or ``(m, n)``.

    Returns:
        Array of the same shape as ``configs``.
    """
    return _per_actor(frustration_rows, sizes, propensity, configs)


def energy(
    sizes: npt.ArrayLike, propensity: npt.ArrayLike, configs: npt.ArrayLike
) -> float | FloatArray:
    """Energy ``E = sum_i s_i F_i`` (pairs counted twice), per configuration.

    Args:
        sizes: Actor sizes, shape ``(n,)``.
        propensity: Symmetric propensities, shape ``(n, n)``.
        configs: Sides (0/1), shape ``(n,)`` or ``(m, n)``.

    Returns:
        A float for one configuration, an array of shape ``(m,)`` for a stack.
    """
    inst = prepare(sizes, propensity)
    x = as_configs(configs, inst.n)
    e = frustration_rows(inst, np.atleast_2d(x)) @ inst.s
    return float(e[0]) if x.ndim == 1 else e


def energy_prepared(inst: Prepared, config: npt.ArrayLike) -> float:
    """:func:`energy` of one configuration of a :func:`prepare`-d instance."""
    x = np.atleast_2d(np.asarray(config, dtype=np.int8))
    return float((frustration_rows(inst, x) @ inst.s)[0])


def frustration_change(
    sizes: npt.ArrayLike, propensity: npt.ArrayLike, configs: npt.ArrayLike
) -> FloatArray:
    """Change ``dF_k`` of actor ``k``'s own frustration if ``k`` alone switched sides.

    This is what drives myopic play (``k`` wants to move iff ``dF_k < 0``) and, times
    ``2 s_k``, the change of the energy. Arguments and result are as for
    :func:`frustration`.
    """
    return _per_actor(_gains, sizes, propensity, configs)


# --------------------------------------------------------------------------------------
# canonical form and indexing of splits
# --------------------------------------------------------------------------------------


def canonical(configs: npt.ArrayLike) -> ConfigArray:
    """Put actor 0 on side 0 (complementing where needed) so each split has one form.

    Args:
        configs: Sides (0/1), shape ``(n,)`` or ``(m, n)``.

    Returns:
        int8 array of the same shape.
    """
    x = np.asarray(configs).astype(np.int8)
    if x.ndim not in (1, 2) or x.shape[-1] == 0:
        raise ValueError(f"configs must have shape (n,) or (m, n) with n >= 1, got {x.shape}")
    return x ^ x[..., :1]


def index_to_config(n: int, index: int | npt.ArrayLike) -> ConfigArray:
    """Canonical configuration(s) with the given enumeration index.

    Actor 0 is on side 0 and actor ``j >= 1`` is on side ``(index >> (j - 1)) & 1``; this
    is the order of :func:`enumerate_energies`.

    Args:
        n: Number of actors.
        index: Integer or integer array in ``[0, 2**(n-1))``.

    Returns:
        int8 array of shape ``(n,)`` or ``index.shape + (n,)``.
    """
    idx = np.asarray(index, dtype=np.int64)
    if np.any(idx < 0) or np.any(idx >= (1 << (n - 1))):
        raise ValueError(f"index out of range [0, 2**{n - 1})")
    bits = (idx[..., None] >> np.arange(n - 1, dtype=np.int64)) & 1
    zero = np.zeros((*idx.shape, 1), dtype=np.int64)
    return np.concatenate([zero, bits], axis=-1).astype(np.int8)


def config_to_index(configs: npt.ArrayLike) -> int | npt.NDArray[np.int64]:
    """Enumeration index of the split (inverse of :func:`index_to_config`).

    Args:
        configs: Sides (0/1), shape ``(n,)`` or ``(m, n)``; complements give the same index.

    Returns:
        An int, or an int64 array of shape ``(m,)``.
    """
    x = canonical(configs).astype(np.int64)
    weights = np.int64(1) << np.arange(x.shape[-1] - 1, dtype=np.int64)
    idx = x[..., 1:] @ weights
    return int(idx) if x.ndim == 1 else idx


def bit_rows(start: int, stop: int, nbits: int) -> FloatArray:
    """Rows of the ``nbits`` low bits (0.0/1.0) of the integers ``start <= k < stop``."""
    k = np.arange(start, stop, dtype=np.int64)
    return ((k[:, None] >> np.arange(nbits, dtype=np.int64)) & 1).astype(np.float64)
