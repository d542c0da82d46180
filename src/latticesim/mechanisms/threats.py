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
    # Threat moves burden sharing through defence effort (mechanisms/burden.py), not here.
    "burden_sharing": (0.0, 0.0, 0.0),
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

    T*_ia = e_i[home_a] aggression_a (1 + g gap_i[home_a])
            + e_i[other_a] support_a (1 + g gap_i[other_a])
            + dep_ia coercion_a, clipped to [0, 1].

    Military pressure is felt through exposure to the theatre where it happens, and is
    amplified where partners have pulled resources out of that theatre (damped where
    they have added them). China's support for Russia is pressure in the Euro-Atlantic.

    Args:
        exposure: actors x 2 theatres, how exposed each actor is to each theatre.
        dependence: actors x adversaries, dependence on the adversary's market (0-1).
        behaviour: adversaries x 4 (aggression, support, coercion, reaction), effective.
        home: adversaries, index of each adversary's home theatre (0 or 1).
        gap: actors x 2, the security gap each actor sees in each theatre.
        gap_sensitivity: how much a gap amplifies perceived military threat.
    """
    channels = threat_channels(exposure, home, gap, gap_sensitivity)
    return threat_targets_from(channels, dependence, behaviour)


def threat_channels(
    exposure: np.ndarray, home: np.ndarray, gap: np.ndarray, gap_sensitivity: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """How each adversary's pressure reaches each actor, before the adversary acts.

    Returns exposure to each adversary's home and other theatre and the gap's
    amplification there (each actors x adversaries). They change only when an event
    moves resources, so the model keeps them between events.
    """
    other = 1 - home
    amp = np.maximum(1.0 + gap_sensitivity * gap, 0.0)  # actors x theatres
    return exposure[:, home], exposure[:, other], amp[:, home], amp[:, other]


def threat_targets_from(
    channels: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    dependence: np.ndarray,
    behaviour: np.ndarray,
) -> np.ndarray:
    """:func:`threat_targets` from :func:`threat_channels` and this quarter's behaviour."""
    home_exposure, other_exposure, home_amp, other_amp = channels
    military = (
        home_exposure * behaviour[:, AGGRESSION] * home_amp
        + other_exposure * behaviour[:, SUPPORT] * other_amp
    )
    return (military + dependence * behaviour[:, COERCION]).clip(0.0, 1.0)


def security_gap(resources: np.ndarray, capability: np.ndarray, presence: np.ndarray) -> np.ndarray:
    """Security gap per actor and theatre from partners moving resources.

    ``resources[j, t]`` is actor j's commitment of resources to theatre t relative to
    the start (1 = unchanged). The gap in theatre t is the capability others have
    withdrawn from it (negative where they reinforced it) as a share of ``presence[t]``,
    the capability present there at the start (each actor's capability times its initial
    attention to t), bounded to [-0.5, 1]. An actor does not feel a gap it created.
    """
    withdrawn = capability[:, None] * (1.0 - resources)  # actors x theatres
    total = withdrawn.sum(axis=0)
    gap = (total[None, :] - withdrawn) / np.maximum(presence[None, :], 1e-9)
    return np.clip(gap, -0.5, 1.0)


# The theatre each default dimension belongs to: attention to that theatre makes the
# dimension matter more (None: no theatre, e.g. economic security is everywhere).
DIMENSION_THEATRE: dict[str, int | None] = {
    "china_stance": 1,
    "global_reach": 1,
    "ukraine_support": 0,
    "autonomy": 0,
    "economic_security": None,
    "burden_sharing": None,
}


def attention_factor(
    attention: np.ndarray, attention0: np.ndarray, theatre_of: np.ndarray, strength: float
) -> np.ndarray:
    """Multiplier of each actor's salience per dimension from shifts of its attention.

    1 + strength * (attention now - attention at the start) to the dimension's theatre;
    1 for dimensions with no theatre (``theatre_of`` = -1). Never below 0.
    """
    delta = attention - attention0  # actors x theatres
    has = theatre_of >= 0
    out = np.ones((attention.shape[0], theatre_of.size))
    out[:, has] = 1.0 + strength * delta[:, theatre_of[has]]
    return np.maximum(out, 0.0)


def moved_by_threat(
    base: np.ndarray,
    threat: np.ndarray,
    threat0: np.ndarray,
    weights: np.ndarray,
    strength: float,
) -> np.ndarray:
    """Own views or saliences after threat: base + strength * (T - T0) weights', in [0, 1].

    Own views move with the signed response of each dimension to each adversary
    (``weights`` the response matrix); saliences with its absolute value
    (:func:`salience_weights`).
    """
    return (base + strength * (threat - threat0) @ weights.T).clip(0.0, 1.0)


def salience_weights(response: np.ndarray) -> np.ndarray:
    """How threat moves salience: the absolute response of each dimension to each adversary.

    More threat means more salience on the dimensions that answer it: a threat that
    lowers the wish for autonomy still makes autonomy matter.
    """
    return np.abs(response)
