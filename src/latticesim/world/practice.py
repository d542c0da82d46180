"""How forums work, as sourced data: remits, rules per dimension, naming norms.

Two packaged tables (sources in each row, ``data/SOURCES.md``):

- ``remits.csv``: dimensions only one institution's own formats may decide. NATO's
  reach (partnerships, a presence beyond the Euro-Atlantic) is decided by the North
  Atlantic Council: a forum may decide it only if every NATO member sits in it. Scenario
  checks and the founding of new forums read it.
- ``forum_practice.csv``: for the forums the shipped scenarios use, what each may decide,
  only discuss or never takes up, the rule per dimension, and how far its texts name an
  adversary. The shipped scenarios are checked against it by a test, so the table and the
  files cannot drift apart; a user's own forums are free.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from latticesim.world.actors import data_file


@dataclass(frozen=True)
class Practice:
    """One forum's practice on one dimension (a row of ``forum_practice.csv``)."""

    forum: str
    dimension: str
    remit: str  # decides, discusses or never
    rule: str | None
    naming: float | None
    source: str


def _rows(name: str) -> list[dict[str, str]]:
    with data_file(name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@cache
def reserved_dimensions() -> dict[str, str]:
    """Dimension -> the group whose own formats alone may decide it (``remits.csv``)."""
    return {row["dimension"]: row["reserved_to"] for row in _rows("remits.csv")}


@cache
def forum_practice() -> tuple[Practice, ...]:
    """Every row of ``forum_practice.csv``."""
    return tuple(
        Practice(
            row["forum"],
            row["dimension"],
            row["remit"],
            row["rule"] or None,
            float(row["naming"]) if row["naming"] else None,
            row["source"],
        )
        for row in _rows("forum_practice.csv")
    )


def may_decide(dimension: str, members: set[str], group: list[str]) -> bool:
    """Whether a forum whose members are ``members`` may decide ``dimension``.

    ``group`` lists the members of the group the dimension is reserved to (in the year
    that matters); an unreserved dimension may be decided anywhere.
    """
    if dimension not in reserved_dimensions():
        return True
    return set(group) <= members
