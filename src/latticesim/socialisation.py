"""Socialisation: sitting together moves views toward each other (Friedkin-Johnsen).

x(t+1) = Lambda W x(t) + (I - Lambda) u, with W row-stochastic (who listens to whom) and
Lambda = diag(1 - stubbornness) (how open each actor is). The anchor u is each actor's
own view; the model moves it with threat perceptions and events, never with others.
"""

from __future__ import annotations

import numpy as np

LEVEL_WEIGHT = np.array([0.0, 0.3, 0.6, 1.0])  # absent, official, minister, head


def add_ties(ties: np.ndarray, attendees: np.ndarray, g: np.ndarray) -> None:
    """Add one meeting's ties, in place: g_i g_j for each pair of distinct attendees.

    ``g`` is each attendee's level weight (times the text's weight): two heads of
    government talk more than two officials. An actor has no tie to itself.
    """
    ties[attendees[:, None], attendees[None, :]] += np.outer(g, g)
    ties[attendees, attendees] -= g * g


def influence_matrix(ties: np.ndarray, openness: np.ndarray) -> np.ndarray:
    """Row-stochastic W from tie strengths.

    Actor i keeps ``1 - openness_i`` on its own current view and spreads ``openness_i``
    over the others in proportion to its ties; an actor with no ties keeps all of it.
    """
    n = ties.shape[0]
    totals = ties.sum(axis=1)
    has = totals > 0
    w = np.zeros_like(ties)
    w[has] = ties[has] / totals[has, None] * openness[has, None]
    w[np.arange(n), np.arange(n)] += np.where(has, 1.0 - openness, 1.0)
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
