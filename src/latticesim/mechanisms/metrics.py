"""Whole-system outcomes recorded every quarter: small pure functions over arrays.

Each metric is defined so that it reads as a sentence in a seminar ("capability-weighted
agreement among NATO and the IP4", "share of Euro-Atlantic/Indo-Pacific pairs that sat
together in the last year") and is bounded, so that runs and scenarios compare.
"""

from __future__ import annotations

import numpy as np


def coordination_index(positions: np.ndarray, salience: np.ndarray, weights: np.ndarray) -> float:
    """Capability-weighted agreement of a group on the dimensions its members care about.

    1 - (weighted mean over pairs of the salience-weighted distance between them), with
    pair weight w_i w_j and dimension weight the pair's mean salience. 1 means full
    agreement; 0 means every pair sits at opposite ends on every salient dimension.
    """
    x = np.asarray(positions, dtype=float)
    s = np.asarray(salience, dtype=float)
    w = np.asarray(weights, dtype=float)
    if x.shape[0] < 2:
        return 1.0
    # By symmetry sum_ij w_i w_j (s_i + s_j)/2 |x_i - x_j| = sum_i w_i s_i sum_j w_j |x_i - x_j|,
    # one matrix product per dimension instead of a pairs x pairs x dimensions sum.
    diff = np.subtract(x.T[:, :, None], x.T[:, None, :])
    spread = np.abs(diff, out=diff) @ w  # dimensions x actors
    num = float(((w[:, None] * s) * spread.T).sum())
    den = float((w.sum() * w - w * w) @ s.sum(axis=1))
    return 1.0 - num / den if den > 0 else 1.0


def joint_texts(present_a: np.ndarray, present_b: np.ndarray, texts: np.ndarray) -> np.ndarray:
    """For each dimension and pair, the weightiest text the two adopted together.

    Args:
        present_a: meetings x actors of one side of the pairs (the Euro-Atlantic
            members), True where the actor attended.
        present_b: the same for the other side (the Indo-Pacific members).
        texts: meetings x dimensions, the weight of the text the meeting adopted on each
            dimension (1 decided, the chair's weight for a chair's statement, 0 none).

    Returns:
        dimensions x actors of a x actors of b: for pair (i, j) the largest weight of a
        text on the dimension adopted at a meeting both attended (0 if none).
    """
    a = np.asarray(present_a, dtype=float)
    b = np.asarray(present_b, dtype=float)
    t = np.asarray(texts, dtype=float)
    if not len(t):
        return np.zeros((t.shape[1], a.shape[1], b.shape[1]))
    both = a[:, :, None] * b[:, None, :]  # meetings x a x b: 1 where both came
    return (t.T[:, :, None, None] * both[None]).max(axis=1)


def joint_coordination(
    joint: np.ndarray,
    salience: tuple[np.ndarray, np.ndarray],
    weights: tuple[np.ndarray, np.ndarray],
    pairs: np.ndarray,
) -> float:
    """Share of what a group's pairs care about on which they adopted a text together.

    ``joint[d, i, j]`` is the weight of the text on dimension d that i (of side a) and j
    (of side b) adopted at a meeting both attended (1 for a text the forum decided, the
    chair's weight for a chair's statement, 0 for none), ``salience`` and ``weights``
    (capability) those of each side, ``pairs`` marks the pairs that count. The share is
    ``sum_ij w_i w_j sum_d s̄_ijd joint_dij / sum_ij w_i w_j sum_d s̄_ijd`` over those
    pairs, ``s̄`` the pair's mean salience: 1 when every pair spoke together, in full, on
    every dimension it cares about; 0 when no pair spoke together on anything. Agreement
    of views (:func:`coordination_index`) moves only as views do; this moves with what
    the forums manage to say together, which is what a lattice of forums changes.
    """
    s_a, s_b = (np.asarray(x, dtype=float) for x in salience)
    pair_w = np.outer(*weights) * pairs
    half = s_a.T[:, :, None] + s_b.T[:, None, :]  # twice the pair's mean salience
    weighted = half * pair_w
    den = float(weighted.sum())
    return float((weighted * joint).sum()) / den if den > 0 else float("nan")


LEADER_MARGIN = 0.02
"""Share of standing by which a forum must pass the leading platform to take the lead.

The shares swing by about 0.01 over a year's calendar of summits (the G7's in the second
quarter, NATO's in the third); twice that swing is beyond the calendar's noise.
"""


def leading_forum(shares: np.ndarray, incumbent: int | None, margin: float = LEADER_MARGIN) -> int:
    """The leading platform with hysteresis: the incumbent keeps the lead until passed.

    Another forum takes the lead only when its share exceeds the incumbent's by more
    than ``margin``; with no incumbent (the first quarter, or the incumbent gone from
    the lattice) the largest share leads. Without the margin, shares within noise of
    each other would hand the lead back and forth with the summit calendar.

    Args:
        shares: each active forum's share of standing.
        incumbent: the position of last quarter's leader in ``shares``, or None.
        margin: the lead another forum needs over the incumbent.

    Returns:
        The position of this quarter's leader in ``shares``.
    """
    top = int(shares.argmax())
    if incumbent is None:
        return top
    return top if shares[top] > shares[incumbent] + margin else incumbent


def standing_shares(mass: np.ndarray) -> np.ndarray:
    """Each forum's share of capability-weighted standing (sums to 1 over forums).

    ``mass[f]`` is the sum, over the actors forum f invites, of capability times the
    forum's standing with them: breadth of membership and esteem both count, as the seed
    argues for NATO. With no mass anywhere every forum gets an equal share.
    """
    mass = np.asarray(mass, dtype=float)
    total = mass.sum()
    if total <= 0:
        return np.full(mass.shape, 1.0 / max(mass.size, 1))
    return mass / total


def standing_mass(standing: np.ndarray, capability: np.ndarray, invited: np.ndarray) -> np.ndarray:
    """Capability-weighted standing per forum: sum_i capability_i standing_if invited_if."""
    return (capability[:, None] * standing * invited).sum(axis=0)


def linkage_share(last_together: np.ndarray, step: int, window: int) -> float:
    """Share of pairs that sat in the same meeting within the last ``window`` quarters.

    ``last_together`` holds, for the pairs of interest (e.g. the Euro-Atlantic x
    Indo-Pacific block), the last step at which the two attended the same meeting (a
    large negative number if never).
    """
    if last_together.size == 0:
        return 0.0
    return np.count_nonzero(step - last_together < window) / last_together.size


def ranks(a: np.ndarray) -> np.ndarray:
    """Ranks 0..n-1 (ties broken by order: inputs rarely tie)."""
    out = np.empty(len(a))
    out[np.argsort(a, kind="stable")] = np.arange(len(a))
    return out


def spearman(a: np.ndarray, b: np.ndarray, rank_a: np.ndarray | None = None) -> float:
    """Spearman rank correlation; ``rank_a`` may be passed when ``a`` does not change."""
    if len(a) < 3:
        return float("nan")
    ra = ranks(a) if rank_a is None else rank_a.astype(float)
    rb = ranks(b)
    ra -= ra.sum() / len(ra)  # the mean, without np.mean's overhead
    rb -= rb.sum() / len(rb)
    den = np.sqrt((ra * ra).sum() * (rb * rb).sum())
    return float((ra * rb).sum() / den) if den > 0 else float("nan")


def burden_sharing(
    gdp: np.ndarray, defence_pct: np.ndarray, gdp_rank: np.ndarray | None = None
) -> dict[str, float]:
    """Burden-sharing figures for an alliance, to show Olson and Zeckhauser's pattern.

    Olson and Zeckhauser (1966): the largest member of an alliance providing a collective
    good carries a share of the burden larger than its share of the economy, and effort
    (% of GDP) rises with size. Returns the alliance's mean effort, the largest member's
    share of spending, that share over its share of GDP (above 1 = disproportionate),
    and the rank correlation of size with effort.
    """
    spend = gdp * defence_pct / 100.0
    total = float(spend.sum())
    big = int(np.argmax(gdp))
    share = float(spend[big]) / total if total > 0 else float("nan")
    gdp_share = float(gdp[big]) / float(gdp.sum())
    return {
        "defence_pct_gdp_mean": float(defence_pct.sum()) / len(defence_pct),
        "defence_total_usd_bn": float(total),
        "largest_member_spending_share": share,
        "largest_member_burden_ratio": share / gdp_share if gdp_share > 0 else float("nan"),
        "size_effort_correlation": spearman(gdp, defence_pct, gdp_rank),
    }
