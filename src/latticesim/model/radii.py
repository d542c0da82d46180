"""Objection radii: how far from its own view each actor still accepts a text.

One place forms them (ODD 7.6): an actor's trait tolerance, scaled by its commitment to
forums (:func:`~latticesim.mechanisms.rules.commitment_factor`), over its salience of the
dimension (:func:`~latticesim.mechanisms.rules.tolerance_radius`), capped by the vetoes
it has declared. A veto declared everywhere caps the radius for every meeting of the
quarter; one declared in a forum caps it only where the actor votes in that forum.
"""

from __future__ import annotations

import numpy as np

from latticesim.common.quarters import Quarter
from latticesim.mechanisms.rules import commitment_factor, reach, tolerance_radius
from latticesim.model.state import cells


class Vetoes:
    """The vetoes actors have declared: on a dimension, everywhere or in one forum.

    Args:
        actors: rows of the model's arrays.
        dimensions: its dimensions.

    Attributes:
        everywhere: actors x dimensions, the cap declared everywhere (NaN: none).
        in_forum: forum index -> {(actor row, dimension): cap} for vetoes declared in
            that forum only (a forum with none has no entry).
    """

    def __init__(self, actors: int, dimensions: int) -> None:
        self.everywhere = np.full((actors, dimensions), np.nan)
        self.in_forum: dict[int, dict[tuple[int, int], float]] = {}
        self._until: list[tuple[Quarter, int, int, int | None]] = []

    def declare(
        self, row: int, dim: int, cap: float, forum: int | None = None, until: Quarter | None = None
    ) -> None:
        """Cap ``row``'s radius on ``dim`` at ``cap`` (in ``forum`` only, if given).

        A veto with ``until`` is lifted by :meth:`expire` when that quarter comes.
        """
        if forum is None:
            self.everywhere[row, dim] = cap
        else:
            self.in_forum.setdefault(forum, {})[(row, dim)] = cap
        if until is not None:
            self._until.append((until, row, dim, forum))

    def lift(self, row: int, dim: int, forum: int | None = None) -> None:
        """Lift ``row``'s veto on ``dim`` (the one everywhere, or the one in ``forum``)."""
        if forum is None:
            self.everywhere[row, dim] = np.nan
            return
        caps = self.in_forum.get(forum)
        if caps is not None:
            caps.pop((row, dim), None)
            if not caps:
                del self.in_forum[forum]

    def expire(self, quarter: Quarter) -> list[tuple[int, int, int | None]]:
        """Lift the vetoes whose ``until`` has come; returns them (row, dimension, forum).

        They are lifted in the order they were declared, so the chronicle says so too.
        """
        due = [v for v in self._until if v[0] <= quarter]
        if not due:
            return []
        self._until = [v for v in self._until if v[0] > quarter]
        for _until, row, dim, forum in due:
            self.lift(row, dim, forum)
        return [(row, dim, forum) for _until, row, dim, forum in due]

    def cap(self, forum: int, voters: np.ndarray, radius: np.ndarray) -> np.ndarray:
        """The voters' radii (voters x dimensions) capped by the vetoes declared in ``forum``."""
        radius = radius.copy()
        for (row, dim), v in self.in_forum.get(forum, {}).items():
            at = voters == row
            radius[at, dim] = np.minimum(radius[at, dim], v)
        return radius


class Radii:
    """Every actor's objection radius on every dimension, formed once a quarter.

    Args:
        vetoes: the declared vetoes that cap the radii.
        commitment0: the commitment each actor's traits are recorded at (the tolerance
            is scaled from it).

    Attributes:
        radius: actors x dimensions, this quarter's radii (vetoes declared everywhere
            applied).
        reach: ``radius`` widened by :func:`~latticesim.mechanisms.rules.reach`, as the
            decision rules compare distances with it.
    """

    def __init__(self, vetoes: Vetoes, commitment0: np.ndarray) -> None:
        self.vetoes = vetoes
        self.commitment0 = commitment0
        self.radius = np.zeros(vetoes.everywhere.shape)
        self.reach = reach(self.radius)
        self._tolerance: np.ndarray | None = None

    def inputs_changed(self) -> None:
        """Forget the commitment-scaled tolerances (an event moved commitment or traits)."""
        self._tolerance = None

    def form(
        self,
        tolerance: np.ndarray,
        commitment: np.ndarray,
        salience: np.ndarray,
        bargaining: float,
    ) -> None:
        """This quarter's radii: tolerance x commitment factor / salience, capped by vetoes.

        The commitment-scaled tolerance changes only on events, so it is kept until
        :meth:`inputs_changed`; salience moves every quarter.
        """
        if self._tolerance is None:
            factor = commitment_factor(commitment, self.commitment0, bargaining)
            self._tolerance = tolerance * factor
        self.radius = tolerance_radius(self._tolerance[:, None], salience, self.vetoes.everywhere)
        self.reach = reach(self.radius)

    def limits(
        self,
        forum: int,
        voters: np.ndarray,
        dims: np.ndarray,
        decided: np.ndarray | None,
        salience: np.ndarray | None = None,
    ) -> np.ndarray:
        """The voters' reach (voters x items) on the decided items' dimensions ``dims``.

        ``decided`` are the cells of voters x ``dims`` (:func:`.cells`) when the caller
        has them. Vetoes declared in ``forum`` cap its voters' radii. ``salience`` (actors
        x dimensions) is given for a forum where saliences differ from the model's (a
        forum-scoped shock): the radii are then formed from it.
        """
        if salience is not None and self._tolerance is not None:
            radius = tolerance_radius(
                self._tolerance[voters][:, None], salience[voters], self.vetoes.everywhere[voters]
            )
            return reach(self.vetoes.cap(forum, voters, radius)[:, dims])
        if forum not in self.vetoes.in_forum:
            if decided is None:
                decided = cells(voters, dims, self.radius.shape[1])
            return self.reach.ravel()[decided]
        radius = self.vetoes.cap(forum, voters, self.radius[voters])
        return reach(radius[:, dims])
