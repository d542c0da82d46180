"""What every figure reads from a run's tables: its dimensions, its forums, its quarters.

Figures are drawn from the tables alone (the DataFrames of
:mod:`latticesim.model.recorder`, keyed by name), so a stored run can be drawn again
without its model; a missing table reads as an empty one.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from latticesim.common.quarters import decimal_years

__all__ = [
    "Tables",
    "dimensions",
    "first_seen",
    "run_years",
    "table",
]

Tables = dict[str, pd.DataFrame]


def table(tables: Tables, name: str) -> pd.DataFrame:
    """One of the run's tables, empty if the run has none of that name."""
    df = tables.get(name)
    return df if df is not None else pd.DataFrame()


def dimensions(tables: Tables) -> list[str]:
    """The run's issue dimensions, in the scenario's order.

    The scenario's order survives in the column order of the meeting and actor tables;
    the items table is the fallback for tables without them.
    """
    for name, prefix in (("meetings", "strength_"), ("actors", "pos_")):
        df = tables.get(name)
        if df is not None:
            dims = [c[len(prefix) :] for c in df.columns if c.startswith(prefix)]
            if dims:
                return dims
    items = tables.get("items")
    if items is not None and "dimension" in items:
        return list(dict.fromkeys(items["dimension"].dropna()))
    return []


def first_seen(tables: Tables) -> dict[str, float]:
    """Every forum of the run and the step it first appears at (a share or a meeting).

    :func:`~latticesim.figures.palettes.forum_colours` orders the forums by it, so that
    legends and rows stay in the same place from figure to figure (and from run to run)
    and a founded forum takes the same spare colour in every figure.
    """
    seen: dict[str, float] = {}
    model = tables.get("model")
    if model is not None and len(model) and "step" in model:
        steps = model["step"].to_numpy(dtype=float)
        for c in model.columns:
            if c.startswith("share_"):
                valid = model[c].notna().to_numpy()
                seen[c[len("share_") :]] = float(steps[valid][0]) if valid.any() else math.inf
    for name in ("meetings", "attendance", "items"):
        df = tables.get(name)
        if df is not None and len(df) and "forum" in df:
            for forum, step in df.groupby("forum", sort=False)["step"].min().items():
                seen[forum] = min(seen.get(forum, math.inf), float(step))
    return seen


def run_years(tables: Tables) -> np.ndarray:
    """The run's quarters as decimal years (empty for a run with no quarter recorded)."""
    model = tables.get("model")
    if model is None or model.empty or "date" not in model:
        return np.array([], dtype=float)
    return decimal_years(model["date"])
