"""The colours of forums, regions and attendance levels, shared by every picture of a run.

A forum keeps one colour in every figure of a run's report and in every panel of the
dashboard, so a reader who learnt that NATO is blue in one picture can read the next
without a legend. Both ask :func:`forum_colours` for them.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "ARM_COLOURS",
    "FORUM_COLOURS",
    "LEVEL_COLOURS",
    "LEVEL_LABELS",
    "REGION_COLOURS",
    "REGION_LABELS",
    "SPARE_COLOURS",
    "forum_colours",
]

FORUM_COLOURS: dict[str, str] = {
    "NATO": "#1f4e99",
    "NATO+IP4": "#17a398",
    "G7": "#c0392b",
    "EU": "#e0a800",
    "EU-US TTC": "#8e5cc6",
    "Quad": "#e67e22",
    "AUKUS": "#5d8a2f",
    "US-Japan-ROK": "#8c564b",
    "IP4": "#d6559a",
}
"""Fixed colours of the forums a reader meets in every scenario."""

SPARE_COLOURS: tuple[str, ...] = (
    "#17becf",
    "#6b6b6b",
    "#b5b000",
    "#393b79",
    "#ad494a",
    "#637939",
    "#e7969c",
    "#9c9ede",
    "#7b4173",
    "#3182bd",
)
"""Colours for other forums (founded during a run, or a scenario's own), in turn."""

_NO_COLOUR_LEFT = "#999999"

ARM_COLOURS: tuple[str, ...] = ("#1f4e99", "#e0702a", "#17a398", "#c0392b", "#8e5cc6", "#5d8a2f")
"""The arms of a comparison, the base first: apart in hue and in lightness, and none grey
(grey marks what a comparison finds within noise)."""

# Each region and attendance level with its colour and its words in legends, so that a
# key added to one has both.
_REGIONS: dict[str, tuple[str, str]] = {
    "euro_atlantic": ("#5b84b1", "Euro-Atlantic"),
    "indo_pacific": ("#e39a3b", "Indo-Pacific"),
    "adversary": ("#8a8a8a", "Adversaries"),
}
_LEVELS: dict[str, tuple[str, str]] = {
    "head": ("#3f1d73", "head of government"),
    "minister": ("#7b68b5", "minister"),
    "official": ("#bfb7dc", "official"),
    "absent": ("#e4e4e4", "absent"),
}

REGION_COLOURS: dict[str, str] = {region: c for region, (c, _) in _REGIONS.items()}
"""Colours of the actors' regions (lattice and positions)."""

REGION_LABELS: dict[str, str] = {region: label for region, (_, label) in _REGIONS.items()}
"""The regions in legends."""

LEVEL_COLOURS: dict[str, str] = {level: c for level, (c, _) in _LEVELS.items()}
"""Attendance levels, dark for the highest, so a summit of leaders reads as a dark bar."""

LEVEL_LABELS: dict[str, str] = {level: label for level, (_, label) in _LEVELS.items()}
"""Attendance levels in legends."""


def forum_colours(first_seen: Mapping[str, float]) -> dict[str, str]:
    """A colour for every forum, keyed in the order figures and legends list the forums.

    The familiar forums come first, in the palette's order, with their fixed colours;
    the others (founded during a run, or a scenario's own) follow by when they first
    appeared, then by name, and take the spare colours in that order; when the spares
    run out, the rest are grey. The report's figures and the dashboard's panels both
    call this, so a founded forum has the same colour in both.

    Args:
        first_seen: each forum and when it first appeared, in any unit of time that
            orders them (a step, a quarter's index).
    """
    known = [f for f in FORUM_COLOURS if f in first_seen]
    rest = sorted(
        (f for f in first_seen if f not in FORUM_COLOURS), key=lambda f: (first_seen[f], f)
    )
    spare = iter(SPARE_COLOURS)
    return {f: FORUM_COLOURS.get(f) or next(spare, _NO_COLOUR_LEFT) for f in known + rest}
