"""Socialisation: sitting together moves views toward each other (Friedkin-Johnsen).

x(t+1) = Lambda W x(t) + (I - Lambda) u, with W row-stochastic (who listens to whom) and
Lambda = diag(1 - stubbornness) (how open each actor is). The anchor u is each actor's
own view; the model moves it with threat perceptions and events, never with others.
"""

from __future__ import annotations

import numpy as np

LEVEL_WEIGHT = np.array([0.0, 0.3, 0.6, 1.0])  # absent, official, minister, head


def pair_index(attendees: np.ndarray, n: int) -> np.ndarray:
    """Flat positions, in an n x n C-ordered matrix, of every (i, j) pair of attendees.

    One meeting updates the same pairs in the ties and in the last-met matrices; with
    flat positions each update is one gather and one scatter.
    """
    return (attendees[:, None] * n + attendees[None, :]).ravel()


def add_ties(
    ties: np.ndarray, attendees: np.ndarray, g: np.ndarray, pairs: np.ndarray | None = None
) -> None:
    """Add one meeting's ties, in place: g_i g_j for each pair of distinct attendees.

    ``g`` is each attendee's level weight (times the text's weight): two heads of
    government talk more than two officials. An actor has no tie to itself (the diagonal
    stays zero). ``pairs`` may pass :func:`pair_index` of the attendees when the caller
    has it already.
    """
    add = np.multiply.outer(g, g)
    add.reshape(-1)[:: len(g) + 1] = 0.0  # the diagonal
    if not ties.flags.c_contiguous:
        ties[attendees[:, None], attendees[None, :]] += add
        return
    if pairs is None:
        pairs = pair_index(attendees, ties.shape[1])
    ties.reshape(-1)[pairs] += add.ravel()


def influence_matrix(ties: np.ndarray, openness: np.ndarray | float) -> np.ndarray:
    """Row-stochastic W from tie strengths.

    Actor i keeps ``1 - openness_i`` on its own current view and spreads ``openness_i``
    over the others in proportion to its ties; an actor with no ties keeps all of it.
    ``openness`` may be one number for every actor (the same numbers as a vector of it).
    """
    totals = ties.sum(axis=1)
    has = totals > 0
    w = np.zeros(ties.shape)  # C order: the diagonal is every (n + 1)-th element
    np.divide(ties, totals[:, None], out=w, where=has[:, None])  # rows with no ties stay 0
    w *= openness[:, None] if isinstance(openness, np.ndarray) else openness
    w.reshape(-1)[:: ties.shape[0] + 1] += np.where(has, 1.0 - openness, 1.0)  # diagonal
    return w


def fj_step(x: np.ndarray, anchor: np.ndarray, w: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """One Friedkin-Johnsen update of the position matrix (actors x dimensions)."""
    return lam[:, None] * (w @ x) + (1.0 - lam)[:, None] * anchor


def fj_fixed_point(anchor: np.ndarray, w: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """The positions the iteration converges to: (I - Lambda W)^-1 (I - Lambda) u.

    Exists whenever every actor is at least a little stubborn (all lam < 1).
    """
    n = w.shape[0]
    a = np.eye(n) - lam[:, None] * w
    return np.linalg.solve(a, (1.0 - lam)[:, None] * anchor)
