"""The chronicle's words: forums, meetings, agenda items and attendance as a sentence says them.

Actors' names and the words for a dimension are those of :mod:`latticesim.world.names`,
so the chronicle names them as the figures, the dashboard and the report do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from latticesim.world.names import dimension_words

__all__ = ["attendance", "count", "listed", "meeting_name", "topic"]


def listed(value: object) -> list[str]:
    """A list column's cell as a list (Parquet returns arrays, fresh tables lists)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, float) and math.isnan(value):
        return []
    return [str(v) for v in value]


def count(n: int, one: str, many: str) -> str:
    """A number and its noun, singular or plural ("1 meeting", "3 meetings")."""
    return f"{n} {one if n == 1 else many}"


def topic(item: Mapping, *notes: str) -> str:
    """An item in words, then its numbers and notes in parentheses.

    A named item ("institutionalising the IP4 partnership") reads best after the words
    of its dimension: "NATO's global reach (institutionalising the IP4 partnership, 0.77)".
    """
    words = dimension_words(str(item["dimension"]))
    inside = list(notes)
    name = item.get("item")
    if bool(item.get("named", False)) and isinstance(name, str) and name:
        inside.insert(0, name)
    elif isinstance(name, str) and name:
        words = name
    return f"{words} ({', '.join(inside)})" if inside else words


def meeting_name(forum: str, level: str, session_of: str | None = None) -> str:
    """A meeting as people call it: "NATO summit", "G7 officials' meeting".

    A session of another forum's meeting is named as part of it: "NATO+IP4 session of the
    NATO summit".
    """
    kind = "officials\u2019 meeting" if level == "officials" else level
    if session_of:
        return f"{forum} session of the {session_of} {kind}"
    return f"{forum} {kind}"


def attendance(m: Mapping) -> str:
    """Who came to a meeting, by level ("3 heads of government, 1 minister, 2 absent")."""
    parts = []
    for col, one, many in (
        ("n_head", "head of government", "heads of government"),
        ("n_minister", "minister", "ministers"),
        ("n_official", "official", "officials"),
    ):
        n = int(m.get(col, 0) or 0)
        if n:
            parts.append(count(n, one, many))
    absent = int(m.get("n_absent", 0) or 0)
    if absent:
        parts.append(f"{absent} absent")
    return ", ".join(parts)
