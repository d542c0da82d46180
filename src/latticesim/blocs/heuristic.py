"""Heuristic landscape theory: myopic play and annealing from random starts.

Beyond the few dozen actors exact enumeration can afford, the theory's predictions are
estimated: :func:`search` runs myopic switching (after annealing, if asked) from many
random configurations at once, as rows of one array, and reports where they end and how
often; :func:`descend` is the myopic play itself, from given starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from latticesim.blocs.results import BlocsResult, default_names
from latticesim.blocs.theory import (
    DEFAULT_REL_TOL,
    RULES,
    ConfigArray,
    FloatArray,
    Prepared,
    Rule,
    as_configs,
    canonical,
    check_rule,
    frustration_rows,
    prepare,
)

__all__ = ["descend", "descend_prepared", "search"]

Method = Literal["descent", "anneal"]


def _choose(
    g: FloatArray, rule: str, inst: Prepared, gen: np.random.Generator | None
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


def _descend_spins(
    inst: Prepared, sigma: FloatArray, rule: str, gen: np.random.Generator | None
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
    check_rule(rule, RULES)
    inst = prepare(sizes, propensity, rel_tol=rel_tol)
    x = as_configs(configs, inst.n)
    sigma = 1.0 - 2.0 * np.atleast_2d(x).astype(np.float64)
    out = _descend_spins(inst, sigma, rule, np.random.default_rng(rng))
    return ((1.0 - out) / 2.0).astype(np.int8).reshape(x.shape)


def descend_prepared(inst: Prepared, config: npt.ArrayLike, rule: Rule = "steepest") -> ConfigArray:
    """:func:`descend` for one configuration of a :func:`prepare`-d instance."""
    x = np.asarray(config, dtype=np.int8)
    sigma = np.atleast_2d(1.0 - 2.0 * x.astype(np.float64))
    out = _descend_spins(inst, sigma, rule, None)
    return ((1.0 - out[0]) / 2.0).astype(np.int8)


def _anneal_spins(
    inst: Prepared, sigma: FloatArray, sweeps: int, gen: np.random.Generator
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
    check_rule(rule, RULES)
    if method not in ("descent", "anneal"):
        raise ValueError(f"method must be 'descent' or 'anneal', got {method!r}")
    inst = prepare(sizes, propensity, rel_tol=rel_tol)
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
    energies = frustration_rows(inst, uniq) @ inst.s
    order = np.lexsort((-counts, energies))
    if top is not None:
        order = order[:top]
    return BlocsResult(
        names=default_names(inst.n, names),
        configs=uniq[order],
        energies=energies[order],
        counts=counts[order].astype(np.int64),
        shares=counts[order] / m,
        total=m,
        method=method,
        rule=rule,
        energy_tol=inst.tol_e,
    )
