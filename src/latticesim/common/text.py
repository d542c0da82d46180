"""English for messages and sentences: close-name suggestions, articles, lists of words.

Every user-facing message in the package (scenario and sweep files, blocs inputs, the
dashboard) suggests a likely intended name the same way, so these live in one place.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["a_or_an", "and_join", "closest", "printable", "quoted", "suggest"]


def closest(word: Any, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice closest to ``word``, ignoring case and surrounding spaces, or None.

    An exact match in another case wins over a merely similar name, so ``france`` finds
    ``France`` even when ``Francia`` is also a choice.
    """
    if not isinstance(word, str):
        return None
    lowered = {c.lower(): c for c in choices}
    w = word.strip().lower()
    if w in lowered:
        return lowered[w]
    close = difflib.get_close_matches(w, list(lowered), n=1, cutoff=cutoff)
    return lowered[close[0]] if close else None


def suggest(word: Any, choices: Iterable[str], aliases: Mapping[str, str] | None = None) -> str:
    """``; did you mean 'X'?`` for the closest choice, or ``""`` when none is close.

    ``aliases`` maps common wrong words (lower case) to the right choice, for names no
    spelling distance finds ("usa" for "United States").
    """
    if not isinstance(word, str):
        return ""
    choices = list(choices)
    w = word.strip().lower()
    if aliases and w in aliases and aliases[w] in choices:
        return f"; did you mean '{aliases[w]}'?"
    hit = closest(word, choices)
    return f"; did you mean '{hit}'?" if hit is not None and hit != word else ""


def a_or_an(word: str) -> str:
    """The word with its indefinite article, by its first letter ("an integer", "a list")."""
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def and_join(words: Sequence[str]) -> str:
    """Words joined as a sentence joins them: "a", "a and b", "a, b and c"."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def printable(text: str) -> str:
    """``text`` with control characters escaped as hex codes, safe to print to a terminal.

    A value quoted in a message comes from a file; printed raw, an escape sequence in it
    would recolour or rewrite the reader's terminal.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def quoted(text: str, width: int = 60) -> str:
    """``text`` in quotes for a message: escaped, and shortened beyond ``width`` characters."""
    text = printable(text)
    return f"'{text}'" if len(text) <= width else f"'{text[: width - 3]}...'"


def cap(text: str) -> str:
    """The text with its first letter in capitals, the rest as written."""
    return text[:1].upper() + text[1:] if text else text
