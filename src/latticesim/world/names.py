"""Names as people read them: actors in sentences and on figures, dimensions in words.

The chronicle, the figures, the dashboard and the report all name the same actors and
dimensions; their words live here so that a label reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from latticesim.common.text import and_join

__all__ = [
    "DIMENSION_LABELS",
    "DIMENSION_WORDS",
    "DISPLAY_NAMES",
    "IP4",
    "SHORT_NAMES",
    "dimension_label",
    "dimension_words",
    "display_name",
    "join_names",
    "short_name",
]

IP4: tuple[str, ...] = ("Australia", "Japan", "New Zealand", "South Korea")
"""NATO's Indo-Pacific partners."""

DISPLAY_NAMES: dict[str, str] = {
    "European Union (institution)": "the EU",
    "United States": "the United States",
    "United Kingdom": "the United Kingdom",
    "Netherlands": "the Netherlands",
}
"""Names as a sentence says them: with "the" where English wants it, the EU shortened."""

SHORT_NAMES: dict[str, str] = {
    "European Union (institution)": "EU",
    "United States": "US",
    "United Kingdom": "UK",
    "South Korea": "ROK",
    "North Korea": "DPRK",
    "New Zealand": "NZ",
    "North Macedonia": "N. Macedonia",
}
"""Names where space is short: figure labels, the lattice's nodes."""

DIMENSION_LABELS: dict[str, str] = {
    "china_stance": "China stance",
    "global_reach": "NATO's global reach",
    "ukraine_support": "Support for Ukraine",
    "autonomy": "Strategic autonomy",
    "economic_security": "Economic security",
    "burden_sharing": "Burden sharing",
}
"""Dimensions as titles and axis labels."""

DIMENSION_WORDS: dict[str, str] = {
    "china_stance": "China",
    "global_reach": "NATO's global reach",
    "ukraine_support": "support for Ukraine",
    "autonomy": "European strategic autonomy",
    "economic_security": "economic security",
    "burden_sharing": "defence spending",
}
"""Dimensions inside a sentence ("adopted texts on support for Ukraine")."""


def display_name(actor: str) -> str:
    """An actor's name as it reads inside a sentence ("the United States", "the EU")."""
    return DISPLAY_NAMES.get(actor, actor)


def join_names(actors: Sequence[str]) -> str:
    """Names joined as a sentence joins them: France, Germany and the United States."""
    return and_join([display_name(a) for a in actors])


def short_name(actor: str) -> str:
    """An actor's name where space is short ("US", "ROK")."""
    return SHORT_NAMES.get(actor, actor)


def dimension_label(dimension: str) -> str:
    """A dimension as a title; a scenario's own dimensions get their words capitalised."""
    return DIMENSION_LABELS.get(dimension, dimension.replace("_", " ").capitalize())


def dimension_words(dimension: str) -> str:
    """A dimension inside a sentence; a scenario's own dimensions read as their words."""
    return DIMENSION_WORDS.get(dimension, dimension.replace("_", " "))


NO_ARTICLE_FORUMS = frozenset({"NATO", "NATO+IP4", "AUKUS"})
"""Forums whose names take no "the" in a sentence."""


def the_forum(forum: str) -> str:
    """A forum's name with "the" where English wants it ("the G7", but "NATO")."""
    return forum if forum in NO_ARTICLE_FORUMS else f"the {forum}"


FLASHPOINT_WORDS: dict[str, str] = {
    "taiwan_strait": "the Taiwan Strait",
    "south_china_sea": "the South China Sea",
    "korean_peninsula": "the Korean Peninsula",
    "eastern_europe": "Eastern Europe",
}
"""Crisis flashpoints inside a sentence ("a crisis in the Taiwan Strait")."""


def flashpoint_words(flashpoint: str) -> str:
    """A flashpoint in words; an unknown one with its underscores as spaces."""
    return FLASHPOINT_WORDS.get(flashpoint, flashpoint.replace("_", " "))


GROUP_WORDS: dict[str, str] = {
    "nato": "the NATO allies",
    "eu": "the EU members",
    "g7": "the G7 members",
    "ip4": "the IP4",
    "quad": "the Quad members",
    "aukus": "the AUKUS members",
    "euro_atlantic": "the Euro-Atlantic actors",
    "indo_pacific": "the Indo-Pacific actors",
    "all": "every actor",
}
"""Actor groups inside a sentence ("the threat the IP4 perceive")."""


def names_as_written(names: list[str]) -> str:
    """Actors and groups as a scenario names them, in words: "the IP4 and the United States"."""
    return and_join([GROUP_WORDS.get(n) or display_name(n) for n in names])
