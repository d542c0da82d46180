"""Actors: the states, the EU and the adversaries, as data and as Mesa agents.

The packaged tables (``latticesim/data``) give each actor its memberships, capability
inputs, initial positions, saliences and traits, with sources. The model keeps the
numbers in arrays (one row per actor) so that a quarter costs a few array operations;
the :class:`Actor` and :class:`Adversary` agents are views onto those rows, so a user
can still query and script them with Mesa's AgentSet tools.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

GROUPS: dict[str, str] = {
    "nato": "NATO allies (by accession year, as of the scenario's start)",
    "eu": "EU member states and the EU institution",
    "g7": "G7 members and the EU institution",
    "ip4": "Australia, Japan, New Zealand, South Korea",
    "quad": "Quad members in the actor set (India is not modelled)",
    "aukus": "Australia, the United Kingdom, the United States",
    "euro_atlantic": "all actors of the Euro-Atlantic region",
    "indo_pacific": "all actors of the Indo-Pacific region",
    "all": "every actor that sits in forums (not the adversaries)",
}
NORTH_KOREA_DEFENCE_SHARE = 0.25  # rough: public estimates range about 15-30% of GDP


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


@dataclass(frozen=True)
class ActorRecord:
    """One actor's packaged facts, before any scenario override."""

    name: str
    iso3: str
    nato_join: int | None
    flags: frozenset[str]
    gdp_usd_bn: float
    defence_usd_bn: float
    defence_derived: str  # "reported", "derived", "none" or "estimated"
    defence_pct_gdp: float
    exports_to_china_pct: float | None
    region: str
    stubbornness: float
    tolerance: float
    attention: tuple[float, float]
    commitment: float


def data_file(name: str) -> Traversable:
    """A packaged data file (``latticesim/world/data/NAME``), wherever the package is."""
    return resources.files("latticesim.world") / "data" / name


@cache
def actor_table() -> tuple[ActorRecord, ...]:
    """The 41 packaged actors, in file order, with capability inputs resolved.

    Missing defence spending in US dollars is derived as % of GDP x GDP and marked
    ``derived``; Iceland has no armed forces (0, ``none``); North Korea's spending is
    unknown and set to a rough share of its approximate GDP (``estimated``).
    """
    traits = {row["actor"]: row for row in _read_csv("traits.csv")}
    records = []
    for row in _read_csv("actors.csv"):
        name = row["actor"]
        gdp = _number(row["gdp_usd_bn"]) or 0.0
        pct = _number(row["defence_pct_gdp"])
        usd = _number(row["defence_usd_bn"])
        if usd is not None:
            how = "reported"
        elif pct is not None:
            usd, how = pct / 100.0 * gdp, "derived"
        elif name == "North Korea":
            usd, how = NORTH_KOREA_DEFENCE_SHARE * gdp, "estimated"
            pct = NORTH_KOREA_DEFENCE_SHARE * 100
        else:
            usd, how = 0.0, "none"
        if pct is None:
            pct = 100.0 * usd / gdp if gdp else 0.0
        flags = {k for k in ("eu", "g7", "ip4", "quad", "aukus") if row[k].strip() == "1"}
        t = traits.get(name)
        if t is None:
            raise ValueError(f"traits.csv has no row for actor '{name}'")
        ea, ip = float(t["attention_euro_atlantic"]), float(t["attention_indo_pacific"])
        total = ea + ip or 1.0
        records.append(
            ActorRecord(
                name=name,
                iso3=row["iso3"],
                nato_join=int(row["nato_join"]) if row["nato_join"].strip() else None,
                flags=frozenset(flags),
                gdp_usd_bn=gdp,
                defence_usd_bn=usd,
                defence_derived=how,
                defence_pct_gdp=pct,
                exports_to_china_pct=_number(row["exports_to_china_pct"]),
                region=t["region"],
                stubbornness=float(t["stubbornness"]),
                tolerance=float(t["tolerance"]),
                attention=(ea / total, ip / total),
                commitment=float(t["commitment"]),
            )
        )
    return tuple(records)


def _read_csv(name: str) -> list[dict[str, str]]:
    with data_file(name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def actor_names() -> tuple[str, ...]:
    """Names of all packaged actors, adversaries included."""
    return tuple(row["actor"] for row in _read_csv("actors.csv"))


DEFAULT_POSITION = 0.5
"""The position of an actor on a dimension the data and the scenario give it none on."""
DEFAULT_SALIENCE = 0.1
"""Its salience there: a dimension nobody said it cares about weighs little."""


@cache
def packaged_positions() -> dict[tuple[str, str], tuple[float, float]]:
    """(actor, dimension) -> (position, salience) from ``positions.csv``."""
    out = {}
    for row in _read_csv("positions.csv"):
        out[(row["actor"], row["dimension"])] = (float(row["position"]), float(row["salience"]))
    return out


def capability(gdp: np.ndarray, defence: np.ndarray) -> np.ndarray:
    """Capability as the mean of an actor's share of GDP and its share of defence spending.

    Both matter to a forum: economic weight carries trade and sanctions, defence weight
    carries deterrence. Shares make the two commensurable; the result sums to 1.
    """
    gdp = np.asarray(gdp, dtype=float)
    defence = np.asarray(defence, dtype=float)
    g = gdp / gdp.sum() if gdp.sum() > 0 else np.zeros_like(gdp)
    d = defence / defence.sum() if defence.sum() > 0 else np.zeros_like(defence)
    return 0.5 * g + 0.5 * d


def group_members(group: str, year: int) -> list[str]:
    """Actors in a named group as of a year (NATO membership depends on accession).

    Raises:
        KeyError: for an unknown group name.
    """
    table = actor_table()
    if group == "nato":
        return [r.name for r in table if r.nato_join is not None and r.nato_join <= year]
    if group in ("euro_atlantic", "indo_pacific"):
        return [r.name for r in table if r.region == group]
    if group == "all":
        return [r.name for r in table if r.region != "adversary"]
    if group in ("eu", "g7", "ip4", "quad", "aukus"):
        return [r.name for r in table if group in r.flags]
    raise KeyError(group)


def resolve_names(names: list[str], year: int) -> list[str]:
    """Expand group names into actors, keeping order and dropping repeats."""
    out: list[str] = []
    for name in names:
        expanded = group_members(name, year) if name in GROUPS else [name]
        out.extend(n for n in expanded if n not in out)
    return out
