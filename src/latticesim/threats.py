"""Threat perceptions: how adversaries' behaviour reaches the others' views.

An adversary presses in its home theatre (aggression), helps the war in the other
theatre (support: China's support for Russia, North Korea's munitions), and coerces
economies that depend on it (coercion). Each actor perceives these through its exposure
to each theatre and its dependence on the adversary's market. Threat moves the actor's
own view (its anchor) and what it cares about (salience), relative to where it started:
the packaged positions already carry the threat of the start date.
"""

from __future__ import annotations

import numpy as np

AGGRESSION, SUPPORT, COERCION, REACTION = range(4)

# How one unit of threat from each adversary moves each default dimension's anchor.
# Rows: dimensions; columns: China, Russia, North Korea. Documented in docs/odd.md.
RESPONSE: dict[str, tuple[float, float, float]] = {
    "china_stance": (1.0, 0.0, 0.2),
    "global_reach": (0.5, 0.0, 0.5),
    "ukraine_support": (0.2, 1.0, 0.2),
    "autonomy": (0.0, -0.3, 0.0),
    "economic_security": (0.6, 0.2, 0.0),
}


def response_matrix(dimensions: list[str], adversaries: list[str]) -> np.ndarray:
    """Dimension x adversary response; zero for dimensions a scenario adds itself."""
    order = {"China": 0, "Russia": 1, "North Korea": 2}
    out = np.zeros((len(dimensions), len(adversaries)))
    for d, dim in enumerate(dimensions):
        row = RESPONSE.get(dim)
        if row is not None:
            for a, adv in enumerate(adversaries):
                out[d, a] = row[order[adv]]
    return out


def threat_targets(
    exposure: np.ndarray,
    dependence: np.ndarray,
    behaviour: np.ndarray,
    home: np.ndarray,
    gap: np.ndarray,
    gap_sensitivity: float,
) -> np.ndarray:
    """The threat each actor would perceive from each adversary if nothing else changed.

    T*_ia = (e_i[home_a] aggression_a + e_i[other_a] support_a) (1 + g gap_i[home_a])
            + dep_ia coercion_a, clipped to [0, 1].

    Args:
        exposure: actors x 2 theatres, how exposed each actor is to each theatre.
        dependence: actors x adversaries, dependence on the adversary's market (0-1).
        behaviour: adversaries x 4 (aggression, support, coercion, reaction), effective.
        home: adversaries, index of each adversary's home theatre (0 or 1).
        gap: actors x 2, the security gap each actor sees in each theatre (partners'
            resources withdrawn; negative when reinforced).
        gap_sensitivity: how much a gap amplifies perceived military threat.
    """
    other = 1 - home
    military = (
        exposure[:, home] * behaviour[:, AGGRESSION] + exposure[:, other] * behaviour[:, SUPPORT]
    )
    amplifier = 1.0 + gap_sensitivity * gap[:, home]
    return np.clip(military * amplifier + dependence * behaviour[:, COERCION], 0.0, 1.0)


def security_gap(resources: np.ndarray, capability: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Security gap per actor and theatre from partners moving resources.

    ``resources[j, t]`` is actor j's commitment of resources to theatre t relative to
    the start (1 = unchanged). The gap in theatre t is the capability that others have
    withdrawn from it, as a share of the capability of that theatre's actors; an actor
    does not feel a gap it created itself.
    """
    withdrawn = capability[:, None] * (1.0 - resources)  # actors x theatres
    theatre_cap = np.array([capability[region == t].sum() for t in range(resources.shape[1])])
    total = withdrawn.sum(axis=0)
    gap = (total[None, :] - withdrawn) / np.maximum(theatre_cap[None, :], 1e-9)
    return gap


def anchors(
    base: np.ndarray,
    threat: np.ndarray,
    threat0: np.ndarray,
    response: np.ndarray,
    strength: float,
) -> np.ndarray:
    """Own views after threat: base + strength * response (T - T0), clipped to [0, 1]."""
    return np.clip(base + strength * (threat - threat0) @ response.T, 0.0, 1.0)


def saliences(
    base: np.ndarray,
    threat: np.ndarray,
    threat0: np.ndarray,
    response: np.ndarray,
    strength: float,
) -> np.ndarray:
    """What actors care about after threat, clipped to [0, 1].

    More threat means more salience on the dimensions that answer it (the absolute
    response: a threat that lowers the wish for autonomy still makes autonomy matter).
    """
    return np.clip(base + strength * (threat - threat0) @ np.abs(response).T, 0.0, 1.0)
