"""The actors as Mesa agents: views onto their rows of the model's arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from latticesim.world.actors import ActorRecord

if TYPE_CHECKING:
    from latticesim.model.model import LatticeModel


class Actor(mesa.Agent):
    """A state or the EU: a view onto its row of the model's arrays.

    Reading ``actor.position`` gives the live numbers the model computes with, so a
    script can inspect or nudge an actor between steps (``actor.position[0] = 0.9``).
    """

    model: LatticeModel

    def __init__(self, model: LatticeModel, index: int, record: ActorRecord) -> None:
        super().__init__(model)
        self.index = index
        self.record = record
        self.name = record.name
        self.region = record.region

    def __repr__(self) -> str:
        return f"Actor({self.name!r})"

    @property
    def position(self) -> np.ndarray:
        """Current position on each dimension (a writable view)."""
        return self.model.state.position[self.index]

    @property
    def anchor(self) -> np.ndarray:
        """Own view it is anchored to (moves with threat perceptions and events)."""
        return self.model.state.anchor[self.index]

    @property
    def salience(self) -> np.ndarray:
        """Salience of each dimension (a writable view)."""
        return self.model.state.salience[self.index]

    @property
    def capability(self) -> float:
        """Share of the actor set's capability."""
        return float(self.model.state.capability[self.index])

    @property
    def threat(self) -> dict[str, float]:
        """Perceived threat from each adversary."""
        row = self.model.state.threat[self.index]
        return {a: float(row[k]) for k, a in enumerate(self.model.adversary_names)}

    @property
    def standing(self) -> dict[str, float]:
        """Standing of each active forum with this actor."""
        s = self.model.state.standing
        return {f.name: float(s[self.index, f.index]) for f in self.model.active_forums}

    @property
    def forums(self) -> list[str]:
        """Active forums it sits in, as member or partner."""
        return [f.name for f in self.model.active_forums if self.index in f.invitee_set]

    def positions(self) -> dict[str, float]:
        """Position by dimension name."""
        return dict(zip(self.model.dimensions, map(float, self.position), strict=True))


class Adversary(mesa.Agent):
    """China, Russia or North Korea: outside the forums, moving others' threat perceptions."""

    model: LatticeModel

    def __init__(self, model: LatticeModel, index: int, record: ActorRecord, slot: int) -> None:
        super().__init__(model)
        self.index = index
        self.slot = slot
        self.record = record
        self.name = record.name

    def __repr__(self) -> str:
        return f"Adversary({self.name!r})"

    @property
    def behaviour(self) -> dict[str, float]:
        """Aggression, support, coercion and reaction, as the model currently has them."""
        b = self.model.state.behaviour[self.slot]
        return dict(
            zip(("aggression", "support", "coercion", "reaction"), map(float, b), strict=True)
        )
