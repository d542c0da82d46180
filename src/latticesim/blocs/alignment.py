"""Alignment: the two blocs that actors' views imply, by landscape theory.

Axelrod and Bennett's landscape theory (see :mod:`latticesim.blocs.theory`) needs sizes and
pairwise propensities. Here sizes are capabilities and a pair's propensity comes from
how close the two stand on the dimensions they care about, plus how many forums they
share: two allies who agree and sit together want to be on the same side; an actor far
from another on salient dimensions wants the opposite side. The model follows the split
quarter by quarter the way the theory says actors move: by myopic switching from where
they stood, so a bloc changes only when some actor's frustration makes it switch.
"""

from __future__ import annotations

import numpy as np

from latticesim.blocs.heuristic import descend_prepared
from latticesim.blocs.landscape import Landscape
from latticesim.blocs.theory import energy_prepared, prepare

PROPENSITY_SCALE = 0.25  # salience-weighted distance at which two actors are indifferent
MEMBERSHIP_WEIGHT = 0.3  # extra propensity for sharing all forums (Jaccard index 1)


def salience_weighted_distance(position: np.ndarray, salience: np.ndarray) -> np.ndarray:
    """Pairwise distance on the dimensions the pair cares about (weights: mean salience)."""
    x = np.asarray(position, dtype=float)
    s = np.asarray(salience, dtype=float)
    n = x.shape[0]
    num = np.zeros((n, n))
    diff, pair = np.empty((n, n)), np.empty((n, n))
    for d in range(x.shape[1]):  # one actors x actors matrix per dimension, in place
        np.subtract.outer(x[:, d], x[:, d], out=diff)
        np.abs(diff, out=diff)
        diff *= np.add.outer(s[:, d], s[:, d], out=pair)
        num += diff
    total = s.sum(axis=1)
    den = np.add.outer(total, total, out=pair)
    np.maximum(den, 1e-12, out=den)
    return np.divide(num, den, out=num)


def shared_forums(invited: np.ndarray) -> np.ndarray:
    """Jaccard index of two actors' forums (0 for actors in no forum)."""
    inv = np.asarray(invited, dtype=float)
    both = inv @ inv.T
    count = inv.sum(axis=1)
    either = count[:, None] + count[None, :] - both
    return np.divide(both, either, out=np.zeros_like(both), where=either > 0)


def propensities(
    position: np.ndarray,
    salience: np.ndarray,
    invited: np.ndarray,
    scale: float = PROPENSITY_SCALE,
    membership_weight: float = MEMBERSHIP_WEIGHT,
    shared: np.ndarray | None = None,
) -> np.ndarray:
    """Symmetric propensities p_ij in [-1, 1] from views and shared forums.

    p_ij = clip(1 - d_ij / scale + membership_weight * J_ij, -1, 1), with d_ij the
    salience-weighted distance and J_ij the Jaccard index of their forums: identical
    views give +1, a distance of ``scale`` is indifference, twice that is -1. ``shared``
    may pass J precomputed (it changes only when the lattice does).
    """
    p = salience_weighted_distance(position, salience)
    if shared is None:
        shared = shared_forums(invited)
    p /= scale
    np.subtract(1.0, p, out=p)
    p += membership_weight * shared
    np.fill_diagonal(p, 0.0)
    return np.clip(p, -1.0, 1.0, out=p)


def orient(config: np.ndarray, anchor: int) -> np.ndarray:
    """Label sides so that ``anchor`` (e.g. the United States) is on side 0."""
    config = np.asarray(config, dtype=np.int8)
    return config if config[anchor] == 0 else (1 - config).astype(np.int8)


def first_split(adversaries: np.ndarray, n: int) -> np.ndarray:
    """Where a run's split starts: the adversaries on one side, everyone else on the other.

    Myopic switching then moves whoever is more frustrated there than across, so the
    first recorded split is the local minimum nearest this familiar line.
    """
    config = np.zeros(n, dtype=np.int8)
    config[adversaries] = 1
    return config


def follow_split(
    sizes: np.ndarray, p: np.ndarray, previous: np.ndarray, anchor: int
) -> tuple[np.ndarray, float]:
    """Where myopic switching leads from last quarter's split, and that split's energy.

    ``p`` comes from :func:`propensities` (symmetric and finite by construction), so the
    instance is prepared without re-checking it: this runs every quarter.
    """
    inst = prepare(sizes, p, check=False)
    config = orient(descend_prepared(inst, previous), anchor)
    return config, energy_prepared(inst, config)


def landscape_from_actors(rows) -> tuple[Landscape, np.ndarray | None]:
    """Sizes and propensities at one date, from a run's ``actors`` table rows.

    Invitations are read from the ``standing_<forum>`` columns (empty where an actor is
    not invited). Returns the landscape and the split the run followed (``bloc``), if
    recorded.
    """
    pos = rows[[c for c in rows.columns if c.startswith("pos_")]].to_numpy(float)
    sal = rows[[c for c in rows.columns if c.startswith("sal_")]].to_numpy(float)
    invited = rows[[c for c in rows.columns if c.startswith("standing_")]].notna().to_numpy()
    p = propensities(pos, sal, invited)
    land = Landscape(tuple(rows["actor"]), rows["capability"].to_numpy(float), p)
    tracked = rows["bloc"].to_numpy(np.int8) if "bloc" in rows else None
    return land, tracked


def describe(
    land: Landscape,
    tracked: np.ndarray | None,
    top: int,
    starts: int,
    seed: int,
    exact_max: int = 20,
) -> list[str]:
    """Lines for people: the best splits of the landscape, and the split a run followed."""
    if land.n <= exact_max:
        result = land.local_minima()
        how = f"all local minima by exact enumeration of {land.n} actors"
    else:
        result = land.search(method="anneal", starts=starts, rng=seed)
        how = f"annealing from {starts} random starts ({land.n} actors; share = basin estimate)"
    lines = [f"Lowest-energy splits ({how}):"]
    for k in range(min(top, len(result))):
        a, b = result.sides(k)
        smaller = a if len(a) <= len(b) else b
        lines.append(
            f"  {k + 1}. energy {result.energies[k]:.4f}, reached by "
            f"{result.shares[k]:.0%}: {'; '.join(smaller)} against the rest"
        )
    if tracked is not None:
        e = float(land.energy(tracked))
        side_b = [n for n, x in zip(land.names, tracked, strict=True) if x == 1]
        best = result.best_energy
        gap = "" if abs(e - best) > 1e-9 else " (the lowest found)"
        lines.append(f"The run's split (followed by myopic switching): energy {e:.4f}{gap}:")
        lines.append(f"  {'; '.join(side_b)} against the rest")
        f = land.frustration(tracked)
        order = np.argsort(-f)[:3]
        worst = ", ".join(f"{land.names[i]} ({f[i]:+.3f})" for i in order)
        lines.append(f"  most frustrated where they stand: {worst}")
    return lines
