"""Joint coordination (ODD 7.10): what the coordination group's pairs said together.

The recorder hands every meeting to :class:`JointTexts`, which keeps, for the last
``linkage_window`` quarters, who sat in the room when a meeting adopted texts and on
which dimensions; at the end of a quarter it turns them into the measure. Kept apart
from the recorder's tables: it is state the measure carries from quarter to quarter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from latticesim.mechanisms.metrics import joint_coordination, joint_texts
from latticesim.world.actors import resolve_names

if TYPE_CHECKING:
    from latticesim.mechanisms.rules import ItemOutcome
    from latticesim.model.forums import Forum, Item
    from latticesim.model.interface import RecordedModel


class JointTexts:
    """The texts of the last linkage window and who adopted them together.

    Each quarter's pairs are worked out once, from its own meetings, and kept while the
    quarter is in the window; the window's pairs are their maximum.
    """

    def __init__(self, model: RecordedModel) -> None:
        self.model = model
        self.texts: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
        """By step: the actor rows present and the weight of the text on each dimension."""
        self._by_step: dict[int, np.ndarray] = {}
        self._group: tuple[int, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._step = -1

    def note(
        self,
        step: int,
        forum: Forum,
        invitees: np.ndarray,
        levels: np.ndarray,
        met: bool,
        items: list[Item],
        outcomes: list[ItemOutcome],
        decided: tuple[bool, ...] = (),
    ) -> None:
        """Who sat in the room (at any level) when a meeting adopted texts, and on what.

        A decided text weighs 1, a chair's statement ``chair_weight``; ``decided`` says
        which items the forum voted on (empty: as the forum decides them).
        """
        m = self.model
        if step != self._step:  # the window moves once a quarter
            self._step = step
            for old in [q for q in self.texts if q <= step - m.params.linkage_window]:
                del self.texts[old]
        if not met:
            return
        weights = m.params.chair_weight, 1.0
        decided = decided or tuple(forum.decides(item) for item in items)
        said: dict[int, float] = {}
        for item, outcome, voted in zip(items, outcomes, decided, strict=True):
            if outcome.adopted:
                d = item.dimension
                said[d] = max(said.get(d, 0.0), weights[voted])
        if said and max(said.values()) > 0:
            adopted = np.zeros(len(m.dimensions))
            adopted[list(said)] = list(said.values())
            self.texts.setdefault(step, []).append((invitees[levels > 0], adopted))
            self._by_step.pop(step, None)  # the quarter's pairs, if worked out, are stale

    def value(self, step: int, year: int) -> float:
        """Joint coordination of the coordination group at ``step`` (0 before any text)."""
        m = self.model
        side_a, side_b, pairs = self._members(year)
        if not pairs.any():
            return float("nan")  # a group of one has no pairs to coordinate
        start = step - m.params.linkage_window
        kept = self._by_step
        for old in [q for q in kept if q <= start]:
            del kept[old]
        for q, texts in self.texts.items():
            if q <= start or q in kept:
                continue
            present = np.zeros((len(texts), len(m.actor_names)), dtype=bool)
            for k, (who, _) in enumerate(texts):
                present[k, who] = True
            adopted = np.stack([t for _, t in texts])
            kept[q] = joint_texts(present[:, side_a], present[:, side_b], adopted)
        if not kept:
            return 0.0
        joint = np.maximum.reduce(list(kept.values()))
        s, cap = m.state.salience, m.state.capability
        return joint_coordination(joint, (s[side_a], s[side_b]), (cap[side_a], cap[side_b]), pairs)

    def _members(self, year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The pairs' two sides (actor rows) and the pairs that count.

        The pairs are those of a Euro-Atlantic and an Indo-Pacific member of the group; a
        group within one theatre counts all its pairs (both sides are the group, less
        each actor with itself).
        """
        m = self.model
        if self._group is None or self._group[0] != year:
            names = resolve_names(m.params.coordination_group, year)
            rows = np.array([m.actor_index[n] for n in names], dtype=int)
            region = m.region[rows]
            side_a, side_b = rows[region == 0], rows[region == 1]
            if len(side_a) and len(side_b):
                pairs = np.ones((len(side_a), len(side_b)), dtype=bool)
            else:
                side_a = side_b = rows
                pairs = ~np.eye(len(rows), dtype=bool)
            old = self._group
            if old is None or not (
                np.array_equal(side_a, old[1]) and np.array_equal(side_b, old[2])
            ):
                self._by_step.clear()  # kept pairs are places in the old group
            self._group = (year, side_a, side_b, pairs)
        return self._group[1:]
