"""Positions by region: where each theatre stands on every dimension, and how far it agrees."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from latticesim.common.quarters import decimal_years
from latticesim.figures.layout import STYLE, dimension_panels, empty, legend_in
from latticesim.figures.palettes import REGION_COLOURS, REGION_LABELS
from latticesim.figures.reading import Tables, dimensions, run_years, table
from latticesim.world.names import dimension_label

__all__ = ["fig_positions"]


def fig_positions(tables: Tables, subtitle: str | None = None) -> Figure:
    """Where each theatre stands on every dimension, and how far its members agree.

    The mean is drawn with the band between the 25th and 75th percentiles, because
    socialisation shows as a narrowing band as much as a moving mean. Adversaries sit
    outside the forums and are left out.
    """
    with mpl.rc_context(STYLE):
        actors = table(tables, "actors")
        dims = [d for d in dimensions(tables) if f"pos_{d}" in actors] or [""]
        fig, axes, spare = dimension_panels(
            len(dims),
            "Positions by region: mean and middle half of actors",
            subtitle,
            run_years(tables),
            (-0.02, 1.02),
            "Position (0\u20131)",
        )
        if actors.empty or not dims[0] or "region" not in actors:
            empty(axes[0], "no positions recorded")
            return fig
        actors = actors[actors["region"] != "adversary"]
        regions = [r for r in REGION_COLOURS if r in set(actors["region"])]
        regions += sorted(set(actors["region"]) - set(regions))
        for ax, d in zip(axes, dims, strict=True):
            ax.set_title(dimension_label(d))
        for r in regions:
            x, (lo, mid, hi) = _region_bands(actors[actors["region"] == r], dims)
            c = REGION_COLOURS.get(r, "#999999")
            for k, ax in enumerate(axes):
                ax.fill_between(x, lo[:, k], hi[:, k], color=c, alpha=0.2, lw=0)
                ax.plot(x, mid[:, k], color=c, lw=1.8, marker="o" if len(x) < 6 else None, ms=4)
        handles = []
        for r in regions:
            c = REGION_COLOURS.get(r, "#999999")
            handles.append(Line2D([], [], color=c, lw=2, label=f"{REGION_LABELS.get(r, r)}"))
        handles.append(
            Patch(color="#999999", alpha=0.3, label="middle half (25th\u201375th percentile)")
        )
        legend_in(fig, spare, handles, "Region")
        return fig


def _region_bands(sub: pd.DataFrame, dims: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Quarter by quarter: 25th percentile, mean and 75th percentile on each dimension."""
    sub = sub.sort_values("step", kind="stable")
    steps, start, counts = np.unique(sub["step"].to_numpy(), return_index=True, return_counts=True)
    values = sub[[f"pos_{d}" for d in dims]].to_numpy(dtype=float)
    x = decimal_years(sub["date"].iloc[start])
    if len(counts) and (counts == counts[0]).all():
        # the same actors every quarter: one call over a (quarter, actor, dimension) block
        block = values.reshape(len(steps), counts[0], len(dims))
        # numpy's nanpercentile works one actor column at a time in Python; without
        # missing values the plain percentile is the same numbers in one call
        quartiles = np.nanpercentile if np.isnan(block).any() else np.percentile
        lo, hi = quartiles(block, [25, 75], axis=1)
        return x, np.stack([lo, np.nanmean(block, axis=1), hi])
    out = np.empty((3, len(steps), len(dims)))
    for k, part in enumerate(np.split(values, start[1:])):
        out[0, k], out[2, k] = np.nanpercentile(part, [25, 75], axis=0)
        out[1, k] = np.nanmean(part, axis=0)
    return x, out
