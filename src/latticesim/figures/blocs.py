"""Blocs: the two sides the actors' views imply (landscape theory), quarter by quarter."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.lines import Line2D
from matplotlib.markers import TICKLEFT
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import ScaledTranslation

from latticesim.common.quarters import decimal_years
from latticesim.figures.layout import STYLE, box, empty, new_figure, title, year_axis
from latticesim.figures.reading import Tables, run_years, table
from latticesim.world.names import short_name

__all__ = ["fig_blocs"]


def fig_blocs(tables: Tables, subtitle: str | None = None) -> Figure:
    """The two blocs the actors' views imply (landscape theory), quarter by quarter.

    One row per actor, one column per quarter, coloured by side, so a reader sees who
    stands with whom and exactly when someone switches; rows are grouped by the side
    they end on. The energy of the split sits above: it falls as the split fits the
    views better, and jumps when views move under it.
    """
    with mpl.rc_context(STYLE):
        actors = table(tables, "actors")
        model = table(tables, "model")
        n_rows = actors["actor"].nunique() if "actor" in actors else 0
        fig = new_figure(12, 1.9 + 0.16 * max(n_rows, 8))
        title(fig, "Blocs implied by views and shared forums (landscape theory)", subtitle)
        gs = GridSpec(
            2,
            1,
            figure=fig,
            height_ratios=[1, 5.5],
            hspace=0.12,
            **box(fig, 1.25, 1.9, 0.85, 0.5),
        )
        top = fig.add_subplot(gs[0])
        ax = fig.add_subplot(gs[1], sharex=top)
        if actors.empty or "bloc" not in actors:
            empty(ax, "no blocs recorded in this run")
            top.set_axis_off()
            return fig
        grid = actors.pivot(index="actor", columns="step", values="bloc")
        cap = actors.drop_duplicates("actor").set_index("actor")["capability"]
        final = grid.iloc[:, -1]
        switched = (grid.diff(axis=1).abs() > 0).sum(axis=1)
        order = sorted(grid.index, key=lambda a: (final[a], -switched[a], -cap.get(a, 0.0)))
        grid = grid.loc[order]
        steps = grid.columns.to_numpy()
        dates = actors.drop_duplicates("step").set_index("step")["date"].reindex(steps)
        x = decimal_years(dates)
        step = x[1] - x[0] if len(x) > 1 else 0.25
        _side_cells(ax, grid.to_numpy(dtype=float), x, step, ("#4a78b5", "#c8553d"))
        ax.set_ylim(len(order) - 0.5, -0.5)
        _row_labels(ax, [short_name(a) for a in order], fontsize=7)
        ax.grid(False)
        ax.set_xlabel("Year")
        year_axis(ax, x)
        if "bloc_energy" in model and model["bloc_energy"].notna().any():
            top.plot(
                run_years(tables),
                model["bloc_energy"].to_numpy(float),
                color="#333333",
                lw=1.5,
                marker="o" if len(x) < 6 else None,
            )
        else:
            empty(top, "energy not recorded")
        top.set_ylabel("Energy")
        top.tick_params(labelbottom=False)
        top.yaxis.set_major_locator(MaxNLocator(3))
        handles = [
            Patch(color="#4a78b5", label="side A (with the United States)"),
            Patch(color="#c8553d", label="side B"),
        ]
        fig.legend(handles=handles, loc="upper right", bbox_to_anchor=(0.995, 0.9), title="Side")
        return fig


def _side_cells(
    ax: Axes, sides: np.ndarray, x: np.ndarray, step: float, colours: tuple[str, str]
) -> None:
    """Actors (rows) by quarters (columns) coloured by side, one shape per side.

    Each row's quarters on one side are merged into a run, and all runs of a side form
    one compound shape: a few dozen rectangles rather than an image resampled for every
    format, sharp at any zoom in the SVG, and free of seams where rows meet. Missing
    cells (an actor not yet in the run) stay blank.
    """
    runs: tuple[list, list] = ([], [])
    for row, values in enumerate(sides):
        side = np.where(np.isnan(values), -1, (values >= 0.5).astype(int))
        cuts = np.flatnonzero(np.diff(side)) + 1
        for first, last in zip(np.r_[0, cuts], np.r_[cuts, len(side)] - 1, strict=True):
            if side[first] >= 0:
                x0, x1 = x[first] - step / 2, x[last] + step / 2
                runs[side[first]].append(
                    [(x0, row - 0.5), (x1, row - 0.5), (x1, row + 0.5), (x0, row + 0.5)]
                )
    for cells, colour in zip(runs, colours, strict=True):
        if cells:
            path = MplPath.make_compound_path_from_polys(np.array(cells, dtype=float))
            ax.add_patch(PathPatch(path, facecolor=colour, lw=0, antialiased=False))


def _row_labels(ax: Axes, labels: Sequence[str], fontsize: float) -> None:
    """Name a panel's rows as its y tick labels would, with a fifth of the artists.

    A tick is five artists (two marks, a grid line, two labels) built by copying the
    first one; forty of them cost more to make and draw than the rest of the figure.
    One line of markers and one text per row look the same.
    """
    rc = mpl.rcParams
    size, pad = rc["ytick.major.size"], rc["ytick.major.pad"]
    colour = rc["ytick.color"] if rc["ytick.labelcolor"] == "inherit" else rc["ytick.labelcolor"]
    rows = np.arange(len(labels))
    ax.set_yticks([])
    ax.add_line(
        Line2D(
            np.zeros(len(rows)),
            rows,
            transform=ax.get_yaxis_transform(which="tick1"),
            ls="none",
            marker=TICKLEFT,
            ms=size,
            mew=rc["ytick.major.width"],
            color=rc["ytick.color"],
            clip_on=False,
        )
    )
    at = ax.get_yaxis_transform(which="tick1") + ScaledTranslation(
        -(size + pad) / 72, 0, ax.figure.dpi_scale_trans
    )
    for row, label in zip(rows, labels, strict=True):
        ax.text(
            0,
            row,
            label,
            transform=at,
            ha="right",
            va="center_baseline",
            fontsize=fontsize,
            color=colour,
        )
