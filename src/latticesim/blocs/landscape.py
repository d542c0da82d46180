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
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "DEFAULT_REL_TOL",
    "EXACT_RULES",
    "MAX_EXACT_ACTORS",
    "MAX_GLOBAL_ACTORS",
    "RULES",
    "BlocsInputError",
    "BlocsResult",
    "Landscape",
    "Prepared",
    "canonical",
    "config_to_index",
    "descend",
    "descend_prepared",
    "energy",
    "energy_prepared",
    "enumerate_energies",
    "frustration",
    "frustration_change",
    "global_minima",
    "index_to_config",
    "local_minima",
    "prepare",
    "read_landscape",
    "search",
]

Rule = Literal["steepest", "steepest_energy", "first", "random"]
Method = Literal["descent", "anneal"]
FloatArray = npt.NDArray[np.float64]
ConfigArray = npt.NDArray[np.int8]
StrPath = str | PathLike[str]

RULES: tuple[str, ...] = ("steepest", "steepest_energy", "first", "random")
"""Myopic switching rules accepted by :func:`descend` and :func:`search`."""

EXACT_RULES: tuple[str, ...] = ("steepest", "steepest_energy", "first")
"""Deterministic rules, the only ones for which exact basins are defined."""

DEFAULT_REL_TOL = 1e-9
"""Relative tolerance for non-integer data (see the module docstring)."""

MAX_EXACT_ACTORS = 26
"""Largest N for :func:`local_minima`: it keeps two arrays of 2**(N-1) entries in memory."""

MAX_GLOBAL_ACTORS = 30
"""Largest N for :func:`global_minima`, which streams and is bounded by time, not memory."""

# Exact enumeration works in blocks: the first actors after actor 0 vary inside a block
# (their contribution is precomputed once), the rest vary between blocks. Sizes were
# tuned for cache use on a small machine; results do not depend on them.
_ENERGY_LOW_BITS = 14
_ENERGY_BLOCK = 1 << 20  # configurations per energy block
_GAIN_LOW_BITS = 13
_GAIN_BLOCK = 1 << 13  # configurations per successor block (n floats each)
_EXACT_LIMIT = float(2**50)  # integer sums below this are exact in float64


class BlocsInputError(ValueError):
    """Bad input table; the message is one line, ``FILE:LINE: field: message``."""


# --------------------------------------------------------------------------------------
# instance preparation
# --------------------------------------------------------------------------------------


def _validate(sizes: npt.ArrayLike, propensity: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
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
class _Instance:
    s: FloatArray  # sizes
    q: FloatArray  # q_ij = s_j p_ij: frustration weights, F_i = sum_j q_ij d_ij
    w: FloatArray  # w_ij = s_i s_j p_ij: energy weights, E = sum_ij w_ij d_ij
    tol_g: float  # tolerance on frustration changes
    tol_e: float  # tolerance on energies

    @property
    def n(self) -> int:
        return int(self.s.size)


def _prepare(
    sizes: npt.ArrayLike, propensity: npt.ArrayLike, rel_tol: float = DEFAULT_REL_TOL
) -> _Instance:
    s, p = _validate(sizes, propensity)
    if not rel_tol >= 0:
        raise ValueError("rel_tol must be >= 0")
    q = p * s[None, :]
    w = s[:, None] * q
    tol_g = 0.0 if _is_exact(q) else rel_tol * float(np.abs(q).sum(axis=1).max())
    tol_e = 0.0 if _is_exact(w) else rel_tol * float(np.abs(w).sum())
    return _Instance(s=s, q=q, w=w, tol_g=tol_g, tol_e=tol_e)


Prepared = _Instance
"""A checked instance (sizes, frustration and energy weights, tolerances) to reuse."""


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
    if check:
        return _prepare(sizes, propensity, rel_tol)
    s = np.asarray(sizes, dtype=np.float64)
    p = np.asarray(propensity, dtype=np.float64)
    q = p * s[None, :]
    np.fill_diagonal(q, 0.0)
    w = s[:, None] * q
    tol_g = rel_tol * float(np.abs(q).sum(axis=1).max())
    tol_e = rel_tol * float(np.abs(w).sum())
    return _Instance(s=s, q=q, w=w, tol_g=tol_g, tol_e=tol_e)


def descend_prepared(inst: Prepared, config: npt.ArrayLike, rule: Rule = "steepest") -> ConfigArray:
    """:func:`descend` for one configuration of a :func:`prepare`-d instance."""
    x = np.asarray(config, dtype=np.int8)
    sigma = np.atleast_2d(1.0 - 2.0 * x.astype(np.float64))
    out = _descend_spins(inst, sigma, rule, None)
    return ((1.0 - out[0]) / 2.0).astype(np.int8)


def energy_prepared(inst: Prepared, config: npt.ArrayLike) -> float:
    """:func:`energy` of one configuration of a :func:`prepare`-d instance."""
    x = np.atleast_2d(np.asarray(config, dtype=np.int8))
    return float((_frustration_rows(inst, x) @ inst.s)[0])


def _as_configs(configs: npt.ArrayLike, n: int) -> ConfigArray:
    x = np.asarray(configs)
    if x.ndim not in (1, 2) or x.shape[-1] != n:
        raise ValueError(f"configs must have shape ({n},) or (m, {n}), got {x.shape}")
    if x.size and not np.all((x == 0) | (x == 1)):
        raise ValueError("configs must contain only 0 and 1 (the side of each actor)")
    return x.astype(np.int8)


def _check_rule(rule: str, allowed: tuple[str, ...]) -> None:
    if rule not in allowed:
        raise ValueError(f"rule must be one of {allowed}, got {rule!r}")


# --------------------------------------------------------------------------------------
# frustration and energy
# --------------------------------------------------------------------------------------


def _frustration_rows(inst: _Instance, x: ConfigArray) -> FloatArray:
    # h_i = sum_j q_ij x_j is the weight of i's partners on side 1, r_i all its weight;
    # on side 0 the far side is side 1 (F = h), on side 1 it is side 0 (F = r - h).
    xf = x.astype(np.float64)
    h = xf @ inst.q.T
    r = inst.q.sum(axis=1)
    return h + xf * (r - 2.0 * h)


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
    inst = _prepare(sizes, propensity)
    x = _as_configs(configs, inst.n)
    return _frustration_rows(inst, np.atleast_2d(x)).reshape(x.shape)


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
    inst = _prepare(sizes, propensity)
    x = _as_configs(configs, inst.n)
    e = _frustration_rows(inst, np.atleast_2d(x)) @ inst.s
    return float(e[0]) if x.ndim == 1 else e


def frustration_change(
    sizes: npt.ArrayLike, propensity: npt.ArrayLike, configs: npt.ArrayLike
) -> FloatArray:
    """Change ``dF_k`` of actor ``k``'s own frustration if ``k`` alone switched sides.

    This is what drives myopic play (``k`` wants to move iff ``dF_k < 0``) and, times
    ``2 s_k``, the change of the energy.

    Args:
        sizes: Actor sizes, shape ``(n,)``.
        propensity: Symmetric propensities, shape ``(n, n)``.
        configs: Sides (0/1), shape ``(n,)`` or ``(m, n)``.

    Returns:
        Array of the same shape as ``configs``.
    """
    inst = _prepare(sizes, propensity)
    x = _as_configs(configs, inst.n)
    return _gains(inst, np.atleast_2d(x)).reshape(x.shape)


def _gains(inst: _Instance, x: ConfigArray) -> FloatArray:
    # With spins sigma = 1 - 2x, F_k = (r_k - sigma_k u_k) / 2 where u = q sigma, and a
    # switch flips sigma_k, so dF_k = sigma_k u_k.
    sigma = 1.0 - 2.0 * x.astype(np.float64)
    return (sigma @ inst.q.T) * sigma


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


def _bit_rows(start: int, stop: int, nbits: int) -> FloatArray:
    k = np.arange(start, stop, dtype=np.int64)
    return ((k[:, None] >> np.arange(nbits, dtype=np.int64)) & 1).astype(np.float64)


# --------------------------------------------------------------------------------------
# exact enumeration
# --------------------------------------------------------------------------------------


def _split(n: int, low_bits: int) -> tuple[slice, slice, int, int]:
    """Actor 0 is fixed; actors 1..lo vary inside a block, the rest between blocks."""
    m = n - 1
    lo_n = min(m, low_bits)
    hi_n = m - lo_n
    return slice(1, 1 + lo_n), slice(1 + lo_n, n), lo_n, hi_n


def _energy_blocks(inst: _Instance) -> Iterator[tuple[int, FloatArray]]:
    """Yield ``(first_index, energies)`` covering all 2**(n-1) canonical splits in order.

    With ``x`` split into a low part ``a`` and a high part ``b`` (actor 0 fixed at 0),
    ``E = 2 r.x - 2 x'Wx = E(a) + E(b) - 4 a'Wb``: the cross term of a whole block is one
    matrix product, so the per-configuration cost is a few flops of BLAS.
    """
    lo, hi, lo_n, hi_n = _split(inst.n, _ENERGY_LOW_BITS)
    w = inst.w
    r = w.sum(axis=1)
    xl = _bit_rows(0, 1 << lo_n, lo_n)
    e_lo = 2.0 * (xl @ r[lo]) - 2.0 * np.einsum("ij,ij->i", xl @ w[lo, lo], xl)
    xl_t = np.ascontiguousarray(xl.T)
    w_hl = w[hi, lo]
    rows = max(1, _ENERGY_BLOCK >> lo_n)
    for h0 in range(0, 1 << hi_n, rows):
        xh = _bit_rows(h0, min(h0 + rows, 1 << hi_n), hi_n)
        e_hi = 2.0 * (xh @ r[hi]) - 2.0 * np.einsum("ij,ij->i", xh @ w[hi, hi], xh)
        block = (xh @ w_hl) @ xl_t
        block *= -4.0
        block += e_hi[:, None]
        block += e_lo[None, :]
        yield h0 << lo_n, block.ravel()


def _check_exact_size(n: int, limit: int) -> None:
    if n > limit:
        raise ValueError(
            f"exact enumeration supports at most {limit} actors, got {n}; use search() beyond that"
        )


def enumerate_energies(sizes: npt.ArrayLike, propensity: npt.ArrayLike) -> FloatArray:
    """Energy of every split, indexed as in :func:`index_to_config`.

    Useful to study the whole landscape (e.g. the energy distribution) for small N.

    Args:
        sizes: Actor sizes, shape ``(n,)``.
        propensity: Symmetric propensities, shape ``(n, n)``.

    Returns:
        Array of length ``2**(n-1)``.
    """
    inst = _prepare(sizes, propensity)
    _check_exact_size(inst.n, MAX_EXACT_ACTORS)
    out = np.empty(1 << (inst.n - 1), dtype=np.float64)
    for start, e in _energy_blocks(inst):
        out[start : start + e.size] = e
    return out


def _default_names(n: int, names: Sequence[str] | None) -> tuple[str, ...]:
    if names is None:
        return tuple(str(i) for i in range(n))
    out = tuple(str(v) for v in names)
    if len(out) != n:
        raise ValueError(f"expected {n} names, got {len(out)}")
    return out


def global_minima(
    sizes: npt.ArrayLike,
    propensity: npt.ArrayLike,
    *,
    names: Sequence[str] | None = None,
    rel_tol: float = DEFAULT_REL_TOL,
) -> BlocsResult:
    """All splits tied for the lowest energy, by exhaustive enumeration.

    Streams over the 2**(n-1) canonical splits (actor 0 fixed halves the work) in blocks,
    so memory stays small and 24 actors take well under a second.

    Args:
        sizes: Actor sizes, shape ``(n,)``.
        propensity: Symmetric propensities, shape ``(n, n)``.
        names: Actor names for reporting; defaults to ``"0", "1", ...``.
        rel_tol: Relative tolerance for ties with non-integer data.

    Returns:
        A :class:`BlocsResult` without basin information.
    """
    inst = _prepare(sizes, propensity, rel_tol)
    _check_exact_size(inst.n, MAX_GLOBAL_ACTORS)
    best = math.inf
    found: list[tuple[npt.NDArray[np.int64], FloatArray]] = []
    for start, e in _energy_blocks(inst):
        low = float(e.min())
        if low > best + inst.tol_e:
            continue
        best = min(best, low)
        sel = np.flatnonzero(e <= best + inst.tol_e)
        found.append((start + sel, e[sel]))
    idx = np.concatenate([f[0] for f in found])
    en = np.concatenate([f[1] for f in found])
    keep = en <= best + inst.tol_e
    idx, en = idx[keep], en[keep]
    order = np.lexsort((idx, en))
    return BlocsResult(
        names=_default_names(inst.n, names),
        configs=index_to_config(inst.n, idx[order]).reshape(-1, inst.n),
        energies=en[order],
        counts=None,
        shares=None,
        total=1 << (inst.n - 1),
        method="exact",
        rule=None,
        energy_tol=inst.tol_e,
    )


def _choose(
    g: FloatArray, rule: str, inst: _Instance, gen: np.random.Generator | None
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """Pick the mover in every row of gains ``g`` (``dF`` per actor, shape ``(m, n)``).

    Candidates are the improving actors (``dF < -tol``) whose key (``dF`` for steepest,
    ``s dF`` for steepest_energy) is within tolerance of the best; the lowest index wins.
    Returns the chosen actor per row and whether the row can move at all; rows that
    cannot move get an arbitrary actor that callers ignore.
    """
    tol = inst.tol_g
    cap = np.nextafter(-tol, -np.inf)  # g <= cap  <=>  g < -tol
    if rule == "steepest":
        if tol == 0.0:
            k = g.argmin(axis=1)  # first occurrence: lowest index among exact ties
            return k, g[np.arange(g.shape[0]), k] < 0.0
        gmin = g.min(axis=1)
        thr = np.minimum(gmin + tol, cap)
        return (g <= thr[:, None]).argmax(axis=1), gmin <= cap
    better = g <= cap
    if rule == "first":
        return better.argmax(axis=1), better.any(axis=1)
    if rule == "random":
        if gen is None:
            raise ValueError("rule 'random' needs an rng")
        pick = gen.random(g.shape)
        pick[~better] = -1.0
        return pick.argmax(axis=1), better.any(axis=1)
    key = np.where(better, g * inst.s, np.inf)
    kmin = key.min(axis=1)
    k = (key <= kmin[:, None] + tol * float(inst.s.max())).argmax(axis=1)
    return k, np.isfinite(kmin)


def _choose_columns(
    g: FloatArray, rule: str, inst: _Instance
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """:func:`_choose` for gains laid out as ``(n, m)``, one column per configuration.

    With few actors and millions of configurations, reductions over the short actor
    axis are far cheaper down columns than along rows. The lowest candidate index is
    found as a max-reduction of ``(n - j)`` over candidate rows ``j``.
    """
    n = g.shape[0]
    tol = inst.tol_g
    cap = np.nextafter(-tol, -np.inf)
    if rule == "steepest":
        gmin = g.min(axis=0)
        cand = g <= np.minimum(gmin + tol, cap)
        movable = gmin <= cap
    elif rule == "first":
        cand = g <= cap
        movable = None
    else:
        key = g * inst.s[:, None]
        np.putmask(key, g > cap, np.inf)
        kmin = key.min(axis=0)
        cand = key <= kmin + tol * float(inst.s.max())
        movable = np.isfinite(kmin)
    weight = (n - np.arange(n)).astype(np.uint8)[:, None]
    top = cand.view(np.uint8)
    top *= weight
    best = top.max(axis=0)
    if movable is None:
        movable = best > 0
    return (n - best.astype(np.intp)) % n, movable


def _successors(inst: _Instance, rule: str) -> npt.NDArray[np.int32] | npt.NDArray[np.int64]:
    """Index of the split each canonical split moves to in one myopic step (or itself).

    Gains are built for a block of splits at once as ``dF_k = sigma_k u_k`` with fields
    ``u = q sigma`` split into a low-actor part (the same for every block) and a
    high-actor part (one per block), so a block costs an add, a multiply and the rule.
    """
    n = inst.n
    lo, hi, lo_n, hi_n = _split(n, _GAIN_LOW_BITS)
    total = 1 << (n - 1)
    succ = np.empty(total, dtype=np.int32 if n - 1 <= 31 else np.int64)
    # Flipping actor j >= 1 flips index bit j-1; flipping actor 0 gives a non-canonical
    # split whose complement flips every other actor.
    flip = np.concatenate([[total - 1], 1 << np.arange(n - 1, dtype=np.int64)])
    q = inst.q
    sig_lo = np.ascontiguousarray(1.0 - 2.0 * _bit_rows(0, 1 << lo_n, lo_n).T)  # (lo_n, L)
    u_lo = q[:, lo] @ sig_lo  # (n, L)
    rows = max(1, _GAIN_BLOCK >> lo_n)
    for h0 in range(0, 1 << hi_n, rows):
        h1 = min(h0 + rows, 1 << hi_n)
        sig_hi = np.ascontiguousarray(1.0 - 2.0 * _bit_rows(h0, h1, hi_n).T)  # (hi_n, c)
        u_hi = q[:, hi] @ sig_hi + q[:, :1]  # sigma_0 = +1
        g = u_hi[:, :, None] + u_lo[:, None, :]  # (n, c, L)
        g[lo] *= sig_lo[:, None, :]
        g[hi] *= sig_hi[:, :, None]
        k, movable = _choose_columns(g.reshape(n, -1), rule, inst)
        idx = np.arange(h0 << lo_n, h1 << lo_n, dtype=np.int64)
        succ[idx[0] : idx[-1] + 1] = np.where(movable, idx ^ flip[k], idx)
    return succ


def local_minima(
    sizes: npt.ArrayLike,
    propensity: npt.ArrayLike,
    *,
    rule: Rule = "steepest",
    names: Sequence[str] | None = None,
    rel_tol: float = DEFAULT_REL_TOL,
) -> BlocsResult:
    """Every local minimum and its exact basin of attraction under myopic switching.

    A local minimum is a split where no single actor can strictly lower its own
    frustration by switching; it does not depend on the rule, but basins do. The basin
    share of a minimum is the fraction of all 2**n configurations (equivalently of the
    2**(n-1) splits) from which the rule's dynamics end in it. Computed without a Python
    loop over configurations: a successor array for all splits, then pointer jumping
    (``final = final[final]``) until every split points at its fixed point.

    Args:
        sizes: Actor sizes, shape ``(n,)``.
        propensity: Symmetric propensities, shape ``(n, n)``.
        rule: A deterministic rule from :data:`EXACT_RULES`.
        names: Actor names for reporting; defaults to ``"0", "1", ...``.
        rel_tol: Relative tolerance for zero gains and energy ties with non-integer data.

    Returns:
        A :class:`BlocsResult` sorted by energy, with basin counts and shares.
    """
    _check_rule(rule, EXACT_RULES)
    inst = _prepare(sizes, propensity, rel_tol)
    _check_exact_size(inst.n, MAX_EXACT_ACTORS)
    total = 1 << (inst.n - 1)
    succ = _successors(inst, rule)
    fixed = np.flatnonzero(succ == np.arange(total, dtype=succ.dtype))
    final = succ
    for _ in range(70):  # each round doubles the path length covered
        nxt = final[final]
        if np.array_equal(nxt, final):
            break
        final = nxt
    else:  # pragma: no cover - energy strictly decreases, so paths are finite
        raise RuntimeError("myopic dynamics did not converge")
    label = np.zeros(total, dtype=np.int32)  # minimum number of each fixed point
    label[fixed] = np.arange(fixed.size, dtype=np.int32)
    counts = np.bincount(label[final], minlength=fixed.size)
    del succ, final, label
    energies = np.empty(fixed.size, dtype=np.float64)
    for start, e in _energy_blocks(inst):
        inside = (fixed >= start) & (fixed < start + e.size)
        energies[inside] = e[fixed[inside] - start]
    order = np.lexsort((fixed, -counts, energies))
    return BlocsResult(
        names=_default_names(inst.n, names),
        configs=index_to_config(inst.n, fixed[order]).reshape(-1, inst.n),
        energies=energies[order],
        counts=counts[order].astype(np.int64),
        shares=counts[order] / total,
        total=total,
        method="exact",
        rule=rule,
        energy_tol=inst.tol_e,
    )


# --------------------------------------------------------------------------------------
# dynamics and heuristic search
# --------------------------------------------------------------------------------------


def _descend_spins(
    inst: _Instance, sigma: FloatArray, rule: str, gen: np.random.Generator | None
) -> FloatArray:
    """Run myopic dynamics on every row of ``sigma`` (spins +-1) until all are stuck.

    Fields ``u = q sigma`` are updated incrementally (one column per move) and recomputed
    from scratch whenever all rows stop, so float drift can never fake a fixed point.
    """
    q_rows = np.ascontiguousarray(inst.q.T)  # row k = column k of q
    m = sigma.shape[0]
    while True:
        u = sigma @ inst.q.T
        active = np.arange(m)
        moved = False
        while active.size:
            g = u[active] * sigma[active]
            k, movable = _choose(g, rule, inst, gen)
            if not movable.any():
                break
            moved = True
            active, k = active[movable], k[movable]
            sigma[active, k] *= -1.0
            u[active] += (2.0 * sigma[active, k])[:, None] * q_rows[k]
        if not moved:
            return sigma


def descend(
    sizes: npt.ArrayLike,
    propensity: npt.ArrayLike,
    configs: npt.ArrayLike,
    *,
    rule: Rule = "steepest",
    rng: np.random.Generator | int | None = None,
    rel_tol: float = DEFAULT_REL_TOL,
) -> ConfigArray:
    """Where myopic play leads from each starting configuration.

    All starts move in lock-step as rows of one array, so thousands of starts cost a few
    hundred vectorised steps rather than a Python loop per start.

    Args:
        sizes: Actor sizes, shape ``(n,)``.
        propensity: Symmetric propensities, shape ``(n, n)``.
        configs: Starting sides (0/1), shape ``(n,)`` or ``(m, n)``.
        rule: One of :data:`RULES`.
        rng: Generator or seed; only used by ``rule="random"``.
        rel_tol: Relative tolerance for zero gains with non-integer data.

    Returns:
        Final configurations, same shape as ``configs``, not canonicalised (the side
        labels follow the moves actually made).
    """
    _check_rule(rule, RULES)
    inst = _prepare(sizes, propensity, rel_tol)
    x = _as_configs(configs, inst.n)
    sigma = 1.0 - 2.0 * np.atleast_2d(x).astype(np.float64)
    out = _descend_spins(inst, sigma, rule, np.random.default_rng(rng))
    return ((1.0 - out) / 2.0).astype(np.int8).reshape(x.shape)


def _anneal_spins(
    inst: _Instance, sigma: FloatArray, sweeps: int, gen: np.random.Generator
) -> FloatArray:
    """Metropolis simulated annealing on ``E``, all replicas (columns) in lock-step.

    The temperature falls geometrically from the median energy change of a single switch
    at the random starts (most uphill moves accepted) to a thousandth of it (frozen).
    Fields are kept transposed, ``(n, replicas)``, so one actor's row is contiguous.
    """
    n = inst.n
    s = inst.s
    sig = np.ascontiguousarray(sigma.T)
    u = inst.q @ sig
    q_cols = np.ascontiguousarray(inst.q.T)  # row k = column k of q
    de0 = np.abs(2.0 * s[:, None] * sig * u)
    de0 = de0[de0 > 0]
    t_hot = float(np.median(de0)) if de0.size else 1.0
    for temp in np.geomspace(t_hot, t_hot * 1e-3, max(1, sweeps)):
        log_r = np.log(gen.random(sig.shape))
        for k in gen.permutation(n):
            de = 2.0 * s[k] * sig[k] * u[k]
            flip = log_r[k] < -de / temp  # always true for de <= 0
            if not flip.any():
                continue
            delta = np.where(flip, -2.0 * sig[k], 0.0)
            sig[k] += delta
            u += q_cols[k][:, None] * delta[None, :]
    return np.ascontiguousarray(sig.T)


def search(
    sizes: npt.ArrayLike,
    propensity: npt.ArrayLike,
    *,
    starts: int | None = None,
    method: Method = "descent",
    rule: Rule = "steepest",
    sweeps: int = 100,
    rng: np.random.Generator | int | None = None,
    top: int | None = None,
    names: Sequence[str] | None = None,
    rel_tol: float = DEFAULT_REL_TOL,
) -> BlocsResult:
    """Heuristic search for low-energy splits when exhaustive enumeration is out of reach.

    ``method="descent"`` runs myopic dynamics from uniformly random configurations, so
    the share of starts reaching a minimum estimates its basin share under ``rule``.
    ``method="anneal"`` first anneals each start (reaching deeper minima on large,
    rugged instances) and then applies the same myopic descent, so every reported split
    is a local minimum in the theory's sense.

    Args:
        sizes: Actor sizes, shape ``(n,)``.
        propensity: Symmetric propensities, shape ``(n, n)``.
        starts: Number of independent runs; default 1000 for descent, 100 for anneal.
        method: ``"descent"`` or ``"anneal"``.
        rule: One of :data:`RULES`, used for the (final) myopic descent.
        sweeps: Annealing sweeps (each tries every actor once); ignored by descent.
        rng: Generator or seed, for reproducible runs.
        top: Keep only the ``top`` lowest-energy distinct splits.
        names: Actor names for reporting; defaults to ``"0", "1", ...``.
        rel_tol: Relative tolerance for zero gains and energy ties with non-integer data.

    Returns:
        A :class:`BlocsResult` of the distinct splits reached, sorted by energy, with
        how many starts reached each (``counts``) and their share of all starts.
    """
    _check_rule(rule, RULES)
    if method not in ("descent", "anneal"):
        raise ValueError(f"method must be 'descent' or 'anneal', got {method!r}")
    inst = _prepare(sizes, propensity, rel_tol)
    gen = np.random.default_rng(rng)
    m = starts if starts is not None else (1000 if method == "descent" else 100)
    if m < 1:
        raise ValueError("starts must be >= 1")
    if top is not None and top < 1:
        raise ValueError("top must be >= 1")
    sigma = 1.0 - 2.0 * gen.integers(0, 2, size=(m, inst.n)).astype(np.float64)
    if method == "anneal":
        sigma = _anneal_spins(inst, sigma, sweeps, gen)
    sigma = _descend_spins(inst, sigma, rule, gen)
    x = canonical(((1.0 - sigma) / 2.0).astype(np.int8))
    uniq, counts = np.unique(x, axis=0, return_counts=True)
    energies = _frustration_rows(inst, uniq) @ inst.s
    order = np.lexsort((-counts, energies))
    if top is not None:
        order = order[:top]
    return BlocsResult(
        names=_default_names(inst.n, names),
        configs=uniq[order],
        energies=energies[order],
        counts=counts[order].astype(np.int64),
        shares=counts[order] / m,
        total=m,
        method=method,
        rule=rule,
        energy_tol=inst.tol_e,
    )


# --------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class BlocsResult:
    """Minima found by a solver, in canonical form (actor 0 on side A).

    Attributes:
        names: Actor names, in column order of ``configs``.
        configs: ``(k, n)`` int8 sides, 0 = side A, 1 = side B.
        energies: Energy of each split, ascending.
        counts: Exact solvers: basin size in splits (out of ``total``); heuristic: number
            of starts that ended there. ``None`` for :func:`global_minima`.
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


# --------------------------------------------------------------------------------------
# landscape and CSV input
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Landscape:
    """A named instance: actors, their sizes and the symmetric propensity matrix.

    Attributes:
        names: Unique actor names; their order is the column order everywhere.
        sizes: Shape ``(n,)``, all > 0.
        propensity: Shape ``(n, n)``, symmetric, zero diagonal.
    """

    names: tuple[str, ...]
    sizes: FloatArray
    propensity: FloatArray

    def __post_init__(self) -> None:
        s, p = _validate(self.sizes, self.propensity)
        names = tuple(str(v) for v in self.names)
        if len(names) != s.size:
            raise ValueError(f"expected {s.size} names, got {len(names)}")
        if len(set(names)) != len(names):
            raise ValueError("actor names must be unique")
        s.setflags(write=False)
        p.setflags(write=False)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "sizes", s)
        object.__setattr__(self, "propensity", p)

    @classmethod
    def from_csv(cls, sizes_csv: StrPath, pairs_csv: StrPath) -> Landscape:
        """Read a size table and a pair table (see :func:`read_landscape`)."""
        return read_landscape(sizes_csv, pairs_csv)

    @property
    def n(self) -> int:
        """Number of actors."""
        return len(self.names)

    def config(self, side_b: Iterable[str]) -> ConfigArray:
        """Configuration with the named actors on side 1 and everyone else on side 0."""
        pos = {nm: i for i, nm in enumerate(self.names)}
        x = np.zeros(self.n, dtype=np.int8)
        for nm in side_b:
            if nm not in pos:
                raise KeyError(f"unknown actor {nm!r}{_suggest(nm, self.names)}")
            x[pos[nm]] = 1
        return x

    def frustration(self, configs: npt.ArrayLike) -> FloatArray:
        """Frustration of every actor (see :func:`frustration`)."""
        return frustration(self.sizes, self.propensity, configs)

    def energy(self, configs: npt.ArrayLike) -> float | FloatArray:
        """Energy per configuration (see :func:`energy`)."""
        return energy(self.sizes, self.propensity, configs)

    def global_minima(self, *, rel_tol: float = DEFAULT_REL_TOL) -> BlocsResult:
        """Exact global minima (see :func:`global_minima`)."""
        return global_minima(self.sizes, self.propensity, names=self.names, rel_tol=rel_tol)

    def local_minima(
        self, *, rule: Rule = "steepest", rel_tol: float = DEFAULT_REL_TOL
    ) -> BlocsResult:
        """Exact local minima with basins (see :func:`local_minima`)."""
        return local_minima(
            self.sizes, self.propensity, rule=rule, names=self.names, rel_tol=rel_tol
        )

    def search(self, **kwargs: object) -> BlocsResult:
        """Heuristic search (see :func:`search`; keyword arguments are passed on)."""
        return search(self.sizes, self.propensity, names=self.names, **kwargs)  # type: ignore[arg-type]

    def solve(
        self,
        *,
        method: Literal["auto", "exact", "descent", "anneal"] = "auto",
        rule: Rule = "steepest",
        exact_max: int = 24,
        **kwargs: object,
    ) -> BlocsResult:
        """The theory's predictions: local minima with basins, exact whenever affordable.

        ``"auto"`` enumerates exactly up to ``exact_max`` actors (about a second at 24)
        and otherwise runs the multi-start descent, whose shares estimate basin shares.

        Args:
            method: ``"auto"``, ``"exact"``, ``"descent"`` or ``"anneal"``.
            rule: Myopic rule defining the basins.
            exact_max: Largest N solved exactly under ``"auto"``.
            **kwargs: Passed to :func:`search` (``starts``, ``rng``, ``top``, ...).

        Returns:
            A :class:`BlocsResult`.
        """
        if method == "exact" or (method == "auto" and self.n <= exact_max):
            return self.local_minima(rule=rule)
        heuristic = "descent" if method == "auto" else method
        return self.search(method=heuristic, rule=rule, **kwargs)


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _short(value: str) -> str:
    text = value if len(value) <= 40 else value[:37] + "..."
    return repr(text)


def _read_table(path: StrPath, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV as ``(line number, {column: stripped text})``, header checked.

    Line numbers are physical lines (header = 1), which holds because blank lines are
    kept (and skipped here) and fields spanning lines are not expected in these tables.
    """
    src = str(path)
    try:
        df = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
        )
    except pd.errors.EmptyDataError:
        raise BlocsInputError(f"{src}:1: header: file is empty") from None
    except pd.errors.ParserError as exc:
        text = " ".join(str(exc).split())
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
        if m:
            raise BlocsInputError(
                f"{src}:{m.group(2)}: row: expected {m.group(1)} fields, saw {m.group(3)}"
            ) from None
        raise BlocsInputError(f"{src}:1: file: cannot parse CSV ({text})") from None
    header = [str(c).strip() for c in df.columns]
    for col in columns:
        if col not in header:
            found = ", ".join(repr(h) for h in header)
            raise BlocsInputError(
                f"{src}:1: header: missing column {col!r}{_suggest(col, header)} "
                f"(expected {', '.join(columns)}; found {found})"
            )
    pos = {col: header.index(col) for col in columns}
    rows = []
    for i, rec in enumerate(df.itertuples(index=False, name=None)):
        values = {col: str(rec[j]).strip() for col, j in pos.items()}
        if all(str(v).strip() == "" for v in rec):
            continue
        rows.append((i + 2, values))
    return rows


def _number(src: str, line: int, field: str, text: str) -> float:
    if text == "":
        raise BlocsInputError(f"{src}:{line}: {field}: missing value")
    try:
        value = float(text)
    except ValueError:
        raise BlocsInputError(f"{src}:{line}: {field}: not a number: {_short(text)}") from None
    if not math.isfinite(value):
        raise BlocsInputError(f"{src}:{line}: {field}: must be finite, got {_short(text)}")
    return value


def read_landscape(sizes_csv: StrPath, pairs_csv: StrPath) -> Landscape:
    """Build a :class:`Landscape` from a size table and a pair table.

    The size table has columns ``actor,size`` (one row per actor, size > 0; its order is
    the actor order). The pair table has ``actor_a,actor_b,propensity``; propensities are
    symmetric, so one row per unordered pair suffices, a pair may be repeated (either
    order) only with the same value, and missing pairs are 0. Extra columns are ignored.
    Every problem is reported as :class:`BlocsInputError` with ``FILE:LINE: field:``, so
    a typo in a published table can be found at once.

    Args:
        sizes_csv: Path of the size table.
        pairs_csv: Path of the pair table.

    Returns:
        The landscape.
    """
    s_src, p_src = str(sizes_csv), str(pairs_csv)
    names: list[str] = []
    sizes: list[float] = []
    first_line: dict[str, int] = {}
    for line, row in _read_table(sizes_csv, ("actor", "size")):
        name = row["actor"]
        if name == "":
            raise BlocsInputError(f"{s_src}:{line}: actor: missing name")
        if name in first_line:
            raise BlocsInputError(
                f"{s_src}:{line}: actor: duplicate actor {_short(name)} "
                f"(first on line {first_line[name]})"
            )
        size = _number(s_src, line, "size", row["size"])
        if size <= 0:
            raise BlocsInputError(f"{s_src}:{line}: size: must be > 0, got {_short(row['size'])}")
        first_line[name] = line
        names.append(name)
        sizes.append(size)
    if not names:
        raise BlocsInputError(f"{s_src}:1: actor: no actors in size table")

    index = {nm: i for i, nm in enumerate(names)}
    p = np.zeros((len(names), len(names)), dtype=np.float64)
    seen: dict[tuple[int, int], tuple[float, int]] = {}
    for line, row in _read_table(pairs_csv, ("actor_a", "actor_b", "propensity")):
        ends = []
        for field in ("actor_a", "actor_b"):
            name = row[field]
            if name == "":
                raise BlocsInputError(f"{p_src}:{line}: {field}: missing name")
            if name not in index:
                raise BlocsInputError(
                    f"{p_src}:{line}: {field}: unknown actor {_short(name)}"
                    f"{_suggest(name, names) or f' (not in {s_src})'}"
                )
            ends.append(index[name])
        i, j = ends
        if i == j:
            raise BlocsInputError(
                f"{p_src}:{line}: actor_b: actor {_short(names[i])} paired with itself "
                "(self-propensity is not part of the model)"
            )
        value = _number(p_src, line, "propensity", row["propensity"])
        key = (min(i, j), max(i, j))
        if key in seen and seen[key][0] != value:
            old, old_line = seen[key]
            raise BlocsInputError(
                f"{p_src}:{line}: propensity: pair {_short(names[key[0]])}-"
                f"{_short(names[key[1]])} is {value:g} here but {old:g} on line {old_line}"
            )
        seen.setdefault(key, (value, line))
        p[i, j] = p[j, i] = value
    return Landscape(names=tuple(names), sizes=np.asarray(sizes), propensity=p)
