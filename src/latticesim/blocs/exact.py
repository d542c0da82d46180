"""Exact landscape theory: every split enumerated, for up to a few dozen actors.

With actor 0 fixed on side A there are ``2**(n-1)`` splits. :func:`global_minima` streams
their energies block by block; :func:`local_minima` gives every split its one-step
successor under a rule and follows the pointers to each minimum, so the basins of
attraction are exact and reproducible (see docs/blocs.md, *Algorithms*).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

from latticesim.blocs.results import BlocsResult, default_names
from latticesim.blocs.theory import (
    DEFAULT_REL_TOL,
    EXACT_RULES,
    FloatArray,
    Prepared,
    Rule,
    bit_rows,
    check_rule,
    index_to_config,
    prepare,
)

__all__ = [
    "MAX_EXACT_ACTORS",
    "MAX_GLOBAL_ACTORS",
    "enumerate_energies",
    "global_minima",
    "local_minima",
]

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


def _split(n: int, low_bits: int) -> tuple[slice, slice, int, int]:
    """Actor 0 is fixed; actors 1..lo vary inside a block, the rest between blocks."""
    m = n - 1
    lo_n = min(m, low_bits)
    hi_n = m - lo_n
    return slice(1, 1 + lo_n), slice(1 + lo_n, n), lo_n, hi_n


def _energy_blocks(inst: Prepared) -> Iterator[tuple[int, FloatArray]]:
    """Yield ``(first_index, energies)`` covering all 2**(n-1) canonical splits in order.

    With ``x`` split into a low part ``a`` and a high part ``b`` (actor 0 fixed at 0),
    ``E = 2 r.x - 2 x'Wx = E(a) + E(b) - 4 a'Wb``: the cross term of a whole block is one
    matrix product, so the per-configuration cost is a few flops of BLAS.
    """
    lo, hi, lo_n, hi_n = _split(inst.n, _ENERGY_LOW_BITS)
    w = inst.w
    r = w.sum(axis=1)
    xl = bit_rows(0, 1 << lo_n, lo_n)
    e_lo = 2.0 * (xl @ r[lo]) - 2.0 * np.einsum("ij,ij->i", xl @ w[lo, lo], xl)
    xl_t = np.ascontiguousarray(xl.T)
    w_hl = w[hi, lo]
    rows = max(1, _ENERGY_BLOCK >> lo_n)
    for h0 in range(0, 1 << hi_n, rows):
        xh = bit_rows(h0, min(h0 + rows, 1 << hi_n), hi_n)
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
    inst = prepare(sizes, propensity)
    _check_exact_size(inst.n, MAX_EXACT_ACTORS)
    out = np.empty(1 << (inst.n - 1), dtype=np.float64)
    for start, e in _energy_blocks(inst):
        out[start : start + e.size] = e
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
    inst = prepare(sizes, propensity, rel_tol=rel_tol)
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
        names=default_names(inst.n, names),
        configs=index_to_config(inst.n, idx[order]).reshape(-1, inst.n),
        energies=en[order],
        counts=None,
        shares=None,
        total=1 << (inst.n - 1),
        method="exact",
        rule=None,
        energy_tol=inst.tol_e,
    )


def _choose_columns(
    g: FloatArray, rule: str, inst: Prepared
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """The rule's mover, as in the heuristic search, for gains laid out as ``(n, m)``.

    One column per configuration: with few actors and millions of configurations,
    reductions over the short actor axis are far cheaper down columns than along rows.
    The lowest candidate index is found as a max-reduction of ``(n - j)`` over candidate
    rows ``j``.
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


def _successors(inst: Prepared, rule: str) -> npt.NDArray[np.int32] | npt.NDArray[np.int64]:
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
    sig_lo = np.ascontiguousarray(1.0 - 2.0 * bit_rows(0, 1 << lo_n, lo_n).T)  # (lo_n, L)
    u_lo = q[:, lo] @ sig_lo  # (n, L)
    rows = max(1, _GAIN_BLOCK >> lo_n)
    for h0 in range(0, 1 << hi_n, rows):
        h1 = min(h0 + rows, 1 << hi_n)
        sig_hi = np.ascontiguousarray(1.0 - 2.0 * bit_rows(h0, h1, hi_n).T)  # (hi_n, c)
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
    check_rule(rule, EXACT_RULES)
    inst = prepare(sizes, propensity, rel_tol=rel_tol)
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
        names=default_names(inst.n, names),
        configs=index_to_config(inst.n, fixed[order]).reshape(-1, inst.n),
        energies=energies[order],
        counts=counts[order].astype(np.int64),
        shares=counts[order] / total,
        total=total,
        method="exact",
        rule=rule,
        energy_tol=inst.tol_e,
    )
