"""Statement strength: what each forum's texts said on each dimension, and where they failed."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from latticesim.common.quarters import decimal_years
from latticesim.figures.layout import STYLE, dimension_panels, empty, legend_in
from latticesim.figures.palettes import forum_colours
from latticesim.figures.reading import (
    Tables,
    dimensions,
    first_seen,
    run_years,
    table,
)
from latticesim.world.names import dimension_label

__all__ = ["fig_statement_strength"]

_CHINA_CODING = (
    "China stance coding: 0.2 \u201copportunities and challenges\u201d; "
    "0.4 \u201csystemic challenges\u201d; 0.6 \u201ccoercive policies challenge "
    "our interests\u201d; 0.8 \u201cdecisive enabler\u201d; 1.0 a threat, "
    "with measures."
)

_KEY = "#333333"  # the colour of the legend's keys to the markers


def fig_statement_strength(tables: Tables, subtitle: str | None = None) -> Figure:
    """Statement strength on each dimension, forum by forum, and where texts failed.

    Lines join the adopted texts of a forum and break where an item failed, so that a
    run of blocked summits reads as a gap; the failed proposal is drawn as a cross at the
    height it was proposed, in the forum's colour, so the reader sees what was refused.
    Forums that adopt the same text in one quarter are nudged apart along the quarter so
    that neither hides the other.
    """
    with mpl.rc_context(STYLE):
        items = table(tables, "items")
        dims = dimensions(tables) or [""]
        colours = forum_colours(first_seen(tables))
        fig, axes, spare = dimension_panels(
            len(dims),
            "Statement strength by forum and dimension",
            subtitle,
            run_years(tables),
            (-0.03, 1.05),
            "Statement strength (0\u20131)",
        )
        used: set[str] = set()
        chair_used = False
        cols = _item_columns(items)
        for ax, dim in zip(axes, dims, strict=True):
            chair_used |= _draw_dimension(ax, dim, cols, colours, used)
        _legends(fig, spare, colours, used, chair_used, "china_stance" in dims)
        return fig


def _draw_dimension(
    ax: Axes, dim: str, cols: dict[str, np.ndarray], colours: dict[str, str], used: set[str]
) -> bool:
    """One dimension's panel; adds the forums drawn to ``used``, says if a chair spoke."""
    ax.set_title(dimension_label(dim) if dim else "No dimensions")
    in_dim = cols["dimension"] == dim if cols else np.zeros(0, dtype=bool)
    if not in_dim.any():
        empty(ax, "never on an agenda" if cols else "no meeting yet")
        return False
    if not (cols["decided"] | cols["adopted"])[in_dim].any():
        empty(ax, "never decided")
    present = set(cols["forum"][in_dim])
    forums = [f for f in colours if f in present]
    chair_used = False
    for k, forum in enumerate(forums):
        rows = np.flatnonzero(in_dim & (cols["forum"] == forum))
        rows = rows[np.argsort(cols["step"][rows], kind="stable")]
        nudge = (k - (len(forums) - 1) / 2) * 0.035
        chair_used |= _draw_forum(ax, cols, rows, nudge, colours[forum])
        used.add(forum)
    return chair_used


def _draw_forum(
    ax: Axes, cols: dict[str, np.ndarray], rows: np.ndarray, nudge: float, c: str
) -> bool:
    """One forum's texts on one panel; says whether any was a chair's statement.

    Adopted texts are joined by a line, failed proposals are crosses and chair's
    statements (not decided) open diamonds, all in the forum's colour.
    """
    x = cols["x"][rows] + nudge
    decided, adopted = cols["decided"][rows], cols["adopted"][rows]
    strength, proposal = cols["strength"][rows], cols["proposal"][rows]
    if decided.any():
        y = np.where(adopted, strength, np.nan)[decided]
        ax.plot(x[decided], y, color=c, lw=1.4, marker="o", ms=3.5, zorder=3)
        fail = decided & ~adopted & ~np.isnan(proposal)
        if fail.any():
            ax.plot(
                x[fail], proposal[fail], ls="none", marker="x", ms=6, mew=1.6, color=c, zorder=4
            )
    chair = ~decided & adopted
    if not chair.any():
        return False
    ax.plot(
        x[chair],
        strength[chair],
        ls="none",
        marker="D",
        ms=4,
        mfc="white",
        mec=c,
        mew=1.2,
        zorder=3,
    )
    return True


def _legends(
    fig: Figure,
    spare: tuple,
    colours: dict[str, str],
    used: set[str],
    chair_used: bool,
    china: bool,
) -> None:
    """The key to the markers along the top, the forums in the grid's free cell."""
    handles = [
        Line2D([], [], color=colours[f], lw=1.6, marker="o", ms=4, label=f)
        for f in colours
        if f in used
    ]
    keys = [
        Line2D([], [], color=_KEY, lw=1.2, marker="o", ms=4, label="adopted text"),
        Line2D(
            [],
            [],
            color=_KEY,
            ls="none",
            marker="x",
            ms=6,
            mew=1.6,
            label="blocked proposal (at its proposed strength)",
        ),
    ]
    if chair_used:
        label = "chair's statement (not decided)"
        keys.append(
            Line2D([], [], color=_KEY, ls="none", marker="D", ms=4, mfc="white", label=label)
        )
    w, h = fig.get_size_inches()
    fig.legend(
        handles=keys,
        loc="upper right",
        ncol=len(keys),
        borderaxespad=0.0,
        bbox_to_anchor=(1 - 0.2 / w, 1 - 0.45 / h),
    )
    legend_in(
        fig,
        spare,
        handles,
        "Forum",
        ncol=2 if len(handles) > 6 else 1,
        caption=_CHINA_CODING if china else None,
    )


def _item_columns(items: pd.DataFrame) -> dict[str, np.ndarray]:
    """The agenda items as plain arrays, converted once for every panel and forum.

    Each panel draws a handful of forums; selecting their rows from arrays costs
    microseconds, where selecting them from the DataFrame cost a millisecond each.
    """
    if not len(items):
        return {}
    return {
        "dimension": items["dimension"].to_numpy(dtype=object),
        "forum": items["forum"].to_numpy(dtype=object),
        "step": items["step"].to_numpy(),
        "x": decimal_years(items["date"]),
        "decided": items["decided"].astype(bool).to_numpy(),
        "adopted": items["adopted"].astype(bool).to_numpy(),
        "strength": items["strength"].to_numpy(dtype=float),
        "proposal": items["proposal"].to_numpy(dtype=float),
    }
