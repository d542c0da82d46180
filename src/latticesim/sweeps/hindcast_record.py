"""The 2019-2024 record the hindcast is judged on, and how a run's tables are read for it.

The dated facts (which summits met when, how their texts are coded) come from
``data/timeline_2019_2024.csv`` and docs/calibration.md (sections 3 and 8.1); the readers
turn one run's tables into the numbers the patterns of :mod:`latticesim.sweeps.hindcast`
judge. Kept apart from the patterns so that the record and its reading can be checked on
their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from latticesim.common.quarters import Quarter
from latticesim.scenario.schema import LEVELS
from latticesim.world.names import IP4

NATO_SUMMITS: dict[int, str] = {
    2019: "2019Q4",  # London Leaders' Meeting, December 2019
    2021: "2021Q2",  # Brussels, June 2021
    2022: "2022Q2",  # Madrid, June 2022 (Strategic Concept)
    2023: "2023Q3",  # Vilnius, July 2023
    2024: "2024Q3",  # Washington, July 2024
}
"""Quarter of each NATO summit of record (timeline_2019_2024.csv); none met in 2020."""

NATO_CHINA_RECORDED: dict[int, float] = {2019: 0.2, 2021: 0.4, 2022: 0.6, 2023: 0.6, 2024: 0.8}
"""NATO's China language coded on the ``china_stance`` scale (docs/calibration.md, 3)."""

G7_CHINA_RECORDED: dict[str, float] = {"2021Q2": 0.4, "2022Q2": 0.6, "2023Q2": 0.6, "2024Q2": 0.8}
"""G7 summit texts on the same scale (docs/calibration.md, 8.1): Carbis Bay names China on
human rights, the Taiwan Strait and non-market policies (0.4); Elmau and Hiroshima on
coercion and maritime claims (0.6); Apulia on China's support for Russia's defence
industry, with measures against Chinese entities (0.8)."""

TTC_CHINA_RECORDED: dict[str, float] = {
    "2021Q3": 0.0,
    "2022Q2": 0.0,
    "2022Q4": 0.0,
    "2023Q2": 0.0,
    "2024Q1": 0.0,
    "2024Q2": 0.0,
}
"""TTC joint statements: China not named (0): "non-market economies", "non-market
policies and practices" without a name (timeline rows 2021-09 to 2024-04; the
December 2022 text was not checked, and in January 2024 only the US side named the PRC)."""

IP4_SESSIONS: dict[int, str] = {2022: "2022Q2", 2023: "2023Q3", 2024: "2024Q3"}
"""NATO summits the IP4 attended (Madrid, Vilnius, Washington), in the NATO+IP4 forum."""

NATO_FORUMS = ("NATO", "NATO+IP4")
PARTNER_SESSION = "NATO+IP4"
TOKYO_ITEM = "Tokyo"
LEVEL_ORDER: dict[str, int] = {level: rank for rank, level in enumerate(LEVELS)}
"""Delegation levels ranked, so that "below head of government" is a comparison."""

CHINA_TOLERANCE = 0.1
"""Half the coding scale's step (0.2): a simulated text within 0.1 of a code reads as
that code's language rather than its neighbour's."""

MONOTONE_SLACK = 0.05
"""How far a text may fall below the previous summit's and still count as not weaker."""

TTC_GAP = 0.2
"""How much softer the TTC must be than the G7 to count as "far more softly" (the
recorded gap is 0.6, so this asks for a third of it)."""


def coded_china(strength: float, adopted: bool) -> float:
    """A simulated text's China language on the recorded coding.

    A failed item, or a meeting that said nothing on China, leaves China unnamed: code 0,
    as the record codes a text that does not mention it. An adopted text is its strength.
    """
    if not adopted or strength is None or np.isnan(strength):
        return 0.0
    return float(strength)


def nato_china_watered(items: pd.DataFrame, by: tuple[str, ...]) -> int:
    """How many of NATO's China texts at the 2021-2023 summits ``by`` watered down."""
    quarters = [NATO_SUMMITS[y] for y in (2021, 2022, 2023)]
    rows = items[
        (items["forum"] == "NATO")
        & (items["dimension"] == "china_stance")
        & items["date"].isin(quarters)
    ]
    return int(sum(bool(set(watered) & set(by)) for watered in rows["watered_by"]))


def nato_china_blocked(items: pd.DataFrame) -> int:
    """How many of NATO's summit texts on China some ally blocked (failed with blockers)."""
    quarters = list(NATO_SUMMITS.values())
    rows = items[
        (items["forum"] == "NATO")
        & (items["dimension"] == "china_stance")
        & items["date"].isin(quarters)
    ]
    pairs = zip(rows["blockers"], rows["adopted"], strict=True)
    return int(sum(len(blockers) > 0 and not adopted for blockers, adopted in pairs))


def attendance_values(att: pd.DataFrame) -> dict[str, Any]:
    """The IP4's levels at NATO's meetings: any attendance before 2022, heads per session."""
    ip4 = att[att["actor"].isin(IP4) & att["forum"].isin(NATO_FORUMS)]
    level = ip4["level"].astype(str).map(LEVEL_ORDER)
    before = ip4[(ip4["date"] < "2022Q1") & (level > 0)]
    out: dict[str, Any] = {"ip4_at_nato_before_2022": int(len(before))}
    session = ip4[ip4["forum"] == PARTNER_SESSION]
    for year, quarter in IP4_SESSIONS.items():
        rows = session[session["date"] == quarter]
        levels = dict(zip(rows["actor"], rows["level"].astype(str).map(LEVEL_ORDER), strict=True))
        heads = sum(levels.get(a, 0) == LEVEL_ORDER["head"] for a in IP4)
        if year == 2024:
            out["ip4_heads_2024_all"] = heads
            others = [a for a in IP4 if a != "Australia"]
            heads = sum(levels.get(a, 0) == LEVEL_ORDER["head"] for a in others)
            out["australia_level_2024"] = levels.get("Australia", -1)
        out[f"ip4_heads_{year}"] = heads
        for actor in IP4:
            out[f"level_{actor.replace(' ', '_').lower()}_{year}"] = levels.get(actor, -1)
    return out


def tokyo_values(items: pd.DataFrame) -> dict[str, Any]:
    """The Tokyo office item's fate in 2023: failed or not, France among the blockers."""
    rows = items[
        (items["forum"] == "NATO")
        & items["item"].str.contains(TOKYO_ITEM, regex=False)
        & items["date"].str.startswith("2023")
    ]
    if rows.empty:
        return {"tokyo_failed": False, "tokyo_france_blocked": False, "tokyo_blockers": 0}
    row = rows.iloc[0]
    blockers = list(row["blockers"])
    return {
        "tokyo_failed": not bool(row["adopted"]),
        "tokyo_france_blocked": "France" in blockers,
        "tokyo_blockers": len(blockers),
    }


def forum_china_mean(meetings: pd.DataFrame, forum: str, recorded: Mapping[str, float]) -> float:
    """Mean coded China language of a forum's meetings that met on the record's dates."""
    rows = meetings[(meetings["forum"] == forum) & meetings["met"]]
    rows = rows[rows["date"].isin(list(recorded))]
    if rows.empty:
        return float("nan")
    return float(np.mean([coded_china(s, True) for s in rows["strength_china_stance"]]))


def ip4_founded_quarter(log: pd.DataFrame) -> float:
    """When the founding rule first made the four IP4 a forum, as a decimal year."""
    founded = log[(log["kind"] == "forum_founded") & (log["subject"].str.startswith("IP4"))]
    if founded.empty:
        return float("nan")
    return Quarter.parse(founded["date"].iloc[0]).decimal_year
