"""Burden sharing in NATO: does the largest member carry more than its share?"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.ticker import FixedLocator, Locator, MaxNLocator, PercentFormatter

from latticesim.figures.layout import STYLE, box, empty, new_figure, title, year_axis
from latticesim.figures.reading import Tables, run_years, table

__all__ = ["fig_burden"]


def fig_burden(tables: Tables, subtitle: str | None = None) -> Figure:
    """Olson and Zeckhauser's pattern: does NATO's largest member carry more than its size?

    The largest member's share of the alliance's defence spending is set against its
    share of the alliance's GDP (spending share divided by the burden ratio); a ratio
    above 1 is the disproportionate burden the theory predicts.
    """
    with mpl.rc_context(STYLE):
        model = table(tables, "model")
        fig = new_figure(12, 4.2)
        title(
            fig,
            "Burden sharing in NATO: does the largest member carry more than its share?",
            subtitle,
        )
        gs = GridSpec(1, 3, figure=fig, wspace=0.32, **box(fig, 0.7, 0.25, 1.05, 0.55))
        a = fig.add_subplot(gs[0])
        b = fig.add_subplot(gs[1], sharex=a)
        c = fig.add_subplot(gs[2], sharex=a)
        x = run_years(tables)
        year_axis(a, x)
        marker = "o" if len(x) < 6 else None

        def col(name: str) -> np.ndarray | None:
            if name in model and model[name].notna().any():
                return model[name].to_numpy(dtype=float)
            return None

        spend, ratio = col("largest_member_spending_share"), col("largest_member_burden_ratio")
        mean = col("defence_pct_gdp_mean")
        a.set_title("Largest member's share of NATO", fontsize=9.5)
        a.set_ylabel("% of NATO total")
        a.set_ylim(0, 1)
        a.yaxis.set_major_locator(FixedLocator([0, 0.25, 0.5, 0.75, 1.0]))
        a.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        if spend is not None and ratio is not None:
            gdp = spend / ratio
            a.plot(x, spend, color="#1f4e99", lw=1.8, marker=marker, label="defence spending")
            a.plot(x, gdp, color="#1f4e99", lw=1.5, ls="--", marker=marker, label="GDP")
            a.fill_between(x, gdp, spend, color="#1f4e99", alpha=0.1, lw=0)
            a.legend(loc="lower left")
        else:
            empty(a, "not recorded")
        b.set_title("Burden ratio: spending share / GDP share", fontsize=9.5)
        b.set_ylabel("Ratio")
        ratio_scale = (1.6, 1.15, MaxNLocator(5))
        _trend(b, x, ratio, "#9c4f1d", marker, (1.0, "proportional burden"), ratio_scale)
        c.set_title("Members' mean defence spending", fontsize=9.5)
        c.set_ylabel("% of GDP")
        mean_scale = (3.0, 1.2, MaxNLocator(5, integer=True))
        _trend(c, x, mean, "#3a6b35", marker, (2.0, "2% guideline"), mean_scale)
        for ax in (a, b, c):
            ax.set_xlabel("Year")
        return fig


def _trend(
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray | None,
    colour: str,
    marker: str | None,
    reference: tuple[float, str],
    scale: tuple[float, float, Locator],
) -> None:
    """A series against a benchmark, or a note that the run did not record it.

    ``scale`` is the least top of the y axis, the room left above the highest value
    (a factor) and where the ticks go.
    """
    if y is None:
        empty(ax, "not recorded")
        return
    ax.plot(x, y, color=colour, lw=1.8, marker=marker)
    _reference_line(ax, *reference)
    ax.set_ylim(0, max(scale[0], float(np.nanmax(y)) * scale[1]))
    ax.yaxis.set_major_locator(scale[2])


def _reference_line(ax: Axes, y: float, label: str) -> None:
    """A dotted line at a benchmark value, named at its left end."""
    ax.axhline(y, color="#444444", lw=0.8, ls=":")
    ax.text(
        0.02,
        y,
        label,
        transform=ax.get_yaxis_transform(),
        fontsize=7.5,
        color="#444444",
        va="bottom",
    )
