"""The chronicle's words: forums, meetings, agenda items and attendance as a sentence says them.

Actors' names and the words for a dimension are those of :mod:`latticesim.world.names`,
so the chronicle names them as the figures, the dashboard and the report do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from latticesim.world.names import dimension_words

__all__ = ["attendance", "cap", "count", "listed", "meeting_name", "the_forum", "topic"]

_NO_ARTICLE_FORUMS = {"NATO", "NATO+IP4", "AUKUS"}


def cap(text: str) -> str:
    """The text with its first letter in capitals, the rest as written."""
    return text[:1].upper() + text[1:] if text else text


def listed(value: object) -> list[str]:
    """A list column's cell as a list (Parquet returns arrays, fresh tables lists)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, float) and math.isnan(value):
        return []
    return [str(v) for v in value]


def the_forum(forum: str) -> str:
    """A forum's name with "the" where English wants it ("the G7", but "NATO")."""
    return forum if forum in _NO_ARTICLE_FORUMS else f"the {forum}"


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


def meeting_name(forum: str, level: str) -> str:
    """A meeting as people call it: "NATO summit", "G7 officials' meeting"."""
    return f"{forum} {'officials\u2019 meeting' if level == 'officials' else level}"


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
