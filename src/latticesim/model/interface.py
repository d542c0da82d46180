"""What the model's neighbours read and write on it: the declared faces of ``LatticeModel``.

Event handlers and the founding of forums, the recorder, role-play and the seminar's
rooms work on a :class:`~latticesim.model.model.LatticeModel` through the attributes and
methods declared here, and no others (``tests/model/test_interface.py`` checks both
sides: that the model has each, and that those modules touch nothing undeclared). A
change to what they need starts here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from latticesim.common.quarters import Quarter
    from latticesim.model.delegations import PlayedChoice
    from latticesim.model.forums import Forum
    from latticesim.model.radii import Vetoes
    from latticesim.model.recorder import Recorder
    from latticesim.model.state import ForumViews, Preoccupations, State
    from latticesim.scenario.parameters import Parameters
    from latticesim.world.actors import ActorRecord


class ModelFacts(Protocol):
    """Facts fixed when the model is built: who the actors are, the dimensions, the dates."""

    actor_names: list[str]
    actor_index: dict[str, int]
    records: tuple[ActorRecord, ...]
    region: np.ndarray  # 0 Euro-Atlantic, 1 Indo-Pacific, 2 adversary
    adversary_names: list[str]
    dimensions: list[str]
    dimension_index: dict[str, int]
    start: Quarter
    horizon: Quarter


class EventModel(ModelFacts, Protocol):
    """What event handlers and the founding of forums read and write."""

    state: State
    params: Parameters
    quarter: Quarter
    rng: np.random.Generator
    forums: dict[str, Forum]
    active_forums: list[Forum]
    vetoes: Vetoes
    preoccupations: Preoccupations
    recorder: Recorder
    forum_views: ForumViews
    """Positions and saliences that hold in one forum only (forum-scoped shocks)."""
    side_meetings: dict[int, list[tuple[np.ndarray, float]]]
    """Side meetings planned at a forum's next meeting: forum index -> (actor rows, value)."""
    crises_now: list[tuple[str, str, float, int]]
    """Crises that broke out this quarter: (flashpoint, theatre, intensity, dimension)."""

    def add_forum(self, name: str, fspec: Any, origin: str, when: Quarter) -> Forum:
        """Create a forum."""
        ...

    def dissolve_forum(self, forum: Forum, reason: str | None) -> None:
        """Take a forum out of the lattice."""
        ...


class RecordedModel(ModelFacts, Protocol):
    """What the recorder reads at the end of each quarter and when it builds the tables."""

    quarters_run: int
    state: State
    forums: dict[str, Forum]
    active_forums: list[Forum]
    bloc_energy: float
    bloc_switches: int

    @property
    def invited(self) -> np.ndarray:
        """Actors x forums, True where an active forum invites the actor."""
        ...

    @property
    def ip4_forums(self) -> list[tuple[Forum, np.ndarray]]:
        """Active forums the IP4 sit in, with the IP4 rows each invites."""
        ...

    def coordination(self) -> float:
        """Coordination index of the coordination group."""
        ...

    def leading_platform(self) -> tuple[str, float, np.ndarray]:
        """The leading forum, its share of standing and every forum's share."""
        ...

    def linkage(self) -> tuple[float, float]:
        """Cross-theatre linkage: intensity and share of pairs."""
        ...

    def burden(self) -> dict[str, float]:
        """Burden sharing among NATO's members."""
        ...


class PlayedModel(ModelFacts, Protocol):
    """What role-play reads and writes: the actors people play and their answers.

    ``played`` holds the rows of the actors handed to people; ``delegations`` their
    answers for the coming quarter, by (actor row, forum name), which each step uses
    and clears. What a played actor leaves open the model decides.
    """

    quarters_run: int
    state: State
    active_forums: list[Forum]
    recorder: Recorder
    played: set[int]
    delegations: dict[tuple[int, str], PlayedChoice]
