"""A sweep's figures: envelopes over time, heatmaps of outcomes, and sensitivity indices.

``latticesim plot SWEEP_DIR`` draws, from a sweep folder alone:

* **envelopes** (``envelopes_<parameter>``): each kept series over time, one median
  line and 10-90% band per value of the parameter (pooled over the other parameters
  and the replications), so a reader sees both the trend and the spread;
* **heatmaps** (``heatmap_<x>_<y>``): each outcome's mean over two parameters;
* **sensitivity** (``sensitivity`` and ``sensitivity.csv``): for a Sobol design, first
  order and total Sobol indices with their confidence intervals; for a Morris design,
  the elementary effects' mu* (with its interval) and sigma; both through SALib.

Continuous parameters (a Latin hypercube, a Sobol sample) are cut into quantile bins
for envelopes and heatmaps, since no two points share a value. SQL on a sweep is in
:mod:`latticesim.sweeps.queries`, the export to EMA Workbench in
:mod:`latticesim.sweeps.ema`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from latticesim.common.files import safe_stem
from latticesim.common.quarters import decimal_years
from latticesim.sweeps.experiment import SweepRunError
from latticesim.sweeps.plotting import (
    BAND,
    MAX_PANELS,
    colours,
    grid,
    levels,
    save_figure,
    style,
)
from latticesim.sweeps.stats import quantile_band
from latticesim.sweeps.store import SweepData, open_sweep

__all__ = ["fig_envelopes", "fig_heatmaps", "fig_sensitivity", "plot_sweep", "sensitivity"]

_SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")
_MORRIS_COLUMNS = ("mu", "mu_star", "mu_star_conf", "sigma")


def fig_envelopes(
    data: SweepData, parameter: str | None, columns: Sequence[str] | None = None
) -> Figure:
    """Each kept series over time, a median and 10-90% band per level of ``parameter``.

    With ``parameter=None`` all runs form one envelope (a sweep with nothing varied).
    """
    series = data.series()
    columns = [c for c in (columns or data.series_columns) if c in series.columns]
    columns = [c for c in columns if pd.api.types.is_numeric_dtype(series[c])][:MAX_PANELS]
    if not columns:
        raise SweepRunError(f"{data.root}: the sweep keeps no numeric series to plot")
    series = series.assign(_x=decimal_years(series["date"]))
    if parameter is None:
        series["_level"] = pd.Categorical(["all runs"] * len(series))
    else:
        series["_level"] = levels(series[parameter])
    cats = list(series["_level"].cat.categories)
    fig, axes = grid(len(columns), 3, extra_w=1.3)
    one_quarter = series["_x"].nunique() == 1  # a sweep that keeps only the last quarter
    for ax, col in zip(axes, columns, strict=True):
        band = quantile_band(series, col, ["_level", "_x"], *BAND)
        _draw_levels(ax, band, cats, one_quarter)
        if one_quarter:
            ax.set_title(f"{col} in {series['date'].iloc[0]}", fontsize=8)
            ax.set_xticks(range(len(cats)), [str(c) for c in cats], fontsize=6, rotation=30)
            ax.spines[["top", "right"]].set_visible(False)
            ax.tick_params(axis="y", labelsize=7)
            ax.grid(alpha=0.25, linewidth=0.5, axis="y")
        else:
            ax.set_title(col, fontsize=8)
            style(ax)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        title=parameter or "",
        loc="center right",
        fontsize=7,
        title_fontsize=8,
        frameon=False,
    )
    name = data.manifest["experiment"]["name"]
    by = f" by {parameter}" if parameter else ""
    if "calibrated" in data.manifest:  # the band then holds parameter uncertainty too
        by += f", replications over {data.manifest['calibrated']['draws']} accepted draws"
    fig.suptitle(f"{name}: median and 10-90% band{by}", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1 - 1.3 / fig.get_figwidth(), 0.95))
    return fig


def _draw_levels(ax: Axes, band: pd.DataFrame, cats: Sequence[Any], one_quarter: bool) -> None:
    """One envelope per level over time; with a single quarter, one interval per level."""
    palette = colours(len(cats))
    for k, cat in enumerate(cats):
        rows = band[band["_level"] == cat]
        if rows.empty:
            continue
        m, a, b = rows["median"], rows["lo"], rows["hi"]
        if one_quarter:
            # No time to draw over: the median and band at that quarter, per level.
            ax.errorbar(
                [k],
                m.to_numpy(),
                yerr=[m - a, b - m],
                fmt="o",
                markersize=4,
                color=palette[k],
                capsize=3,
                label=str(cat),
            )
            continue
        ax.fill_between(rows["_x"], a, b, color=palette[k], alpha=0.18, linewidth=0)
        ax.plot(rows["_x"], m.to_numpy(), color=palette[k], linewidth=1.3, label=str(cat))


def fig_heatmaps(data: SweepData, x: str, y: str, outcomes: Sequence[str] | None = None) -> Figure:
    """Each outcome's mean over two parameters (all other parameters and replications pooled)."""
    runs = data.runs(ok_only=True)
    outcomes = [o for o in (outcomes or data.outcomes) if o in runs.columns][:MAX_PANELS]
    if not outcomes:
        raise SweepRunError(f"{data.root}: the sweep has no outcomes to plot")
    lx = levels(runs[x], 10)
    ly = levels(runs[y], 10)
    fig, axes = grid(len(outcomes), 3)
    for ax, outcome in zip(axes, outcomes, strict=True):
        table = (
            pd.DataFrame({"x": lx, "y": ly, "v": runs[outcome]})
            .groupby(["y", "x"], observed=False)["v"]
            .mean()
            .unstack("x")
        )
        values = table.to_numpy(dtype=float)
        image = ax.imshow(values, origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(
            range(table.shape[1]),
            [str(c) for c in table.columns],
            fontsize=6,
            rotation=45 if table.shape[1] > 5 else 0,
        )
        ax.set_yticks(range(table.shape[0]), [str(c) for c in table.index], fontsize=6)
        ax.set_xlabel(x, fontsize=7)
        ax.set_ylabel(y, fontsize=7)
        ax.set_title(outcome, fontsize=8)
        if values.size <= 64:
            _annotate(ax, values)
        fig.colorbar(image, ax=ax, shrink=0.8).ax.tick_params(labelsize=6)
        ax.tick_params(labelsize=6)
    name = data.manifest["experiment"]["name"]
    fig.suptitle(f"{name}: mean outcome by {x} and {y}", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def _annotate(ax: Axes, values: np.ndarray) -> None:
    """Write each cell's value in it, light on the dark half of the palette."""
    finite = values[np.isfinite(values)]
    mid = float(np.nanmean(finite)) if finite.size else 0.0
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            ax.text(
                j,
                i,
                f"{v:.3g}",
                ha="center",
                va="center",
                fontsize=5.5,
                color="white" if v < mid else "black",
            )


def sensitivity(
    data: SweepData, outcomes: Sequence[str] | None = None, level: float = 0.95
) -> pd.DataFrame:
    """Sobol indices (Sobol design) or Morris elementary effects (Morris design) per outcome.

    Each point's outcome is its mean over the successful replications, which takes out
    part of the model's own noise before SALib apportions the variance. An outcome with
    a point that has no successful run is left out (SALib needs every point).

    Returns:
        One row per outcome and parameter: ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (Sobol)
        or ``mu``, ``mu_star``, ``mu_star_conf``, ``sigma`` (Morris); empty for a grid
        or a Latin hypercube, which SALib has no indices for.
    """
    design = data.manifest["design"]
    method = design["type"]
    if method not in ("sobol", "morris"):
        return pd.DataFrame()
    runs = data.runs(ok_only=True)
    n_points = int(design["points"])
    rows = []
    for outcome in outcomes or data.outcomes:
        y = runs.groupby("point")[outcome].mean().reindex(range(n_points)).to_numpy(float)
        if np.isnan(y).any():
            continue
        if method == "sobol":
            res, keys = _sobol(data, y, level), _SOBOL_COLUMNS
        else:
            res, keys = _morris(data, y, level), _MORRIS_COLUMNS
        rows += [
            {"outcome": outcome, "parameter": name, **{key: res[key][k] for key in keys}}
            for k, name in enumerate(design["salib_problem"]["names"])
        ]
    out = pd.DataFrame(rows)
    if not out.empty:
        out.insert(0, "method", method)
    return out


def _sobol(data: SweepData, y: np.ndarray, level: float) -> Any:
    from SALib.analyze import sobol

    design = data.manifest["design"]
    return sobol.analyze(
        design["salib_problem"],
        y,
        calc_second_order=bool(design["options"].get("second_order", False)),
        conf_level=level,
        seed=int(data.manifest["seed"]),
    )


def _morris(data: SweepData, y: np.ndarray, level: float) -> Any:
    from SALib.analyze import morris

    design = data.manifest["design"]
    problem = design["salib_problem"]
    x = data.design()[[f"raw:{n}" for n in problem["names"]]].to_numpy(float)
    return morris.analyze(
        problem,
        x,
        y,
        conf_level=level,
        num_levels=int(design["options"].get("levels", 4)),
        seed=int(data.manifest["seed"]),
    )


def fig_sensitivity(indices: pd.DataFrame, level: float = 0.95) -> Figure:
    """Bars per parameter for each outcome: Sobol S1 and ST, or Morris mu*, with intervals."""
    outcomes = list(dict.fromkeys(indices["outcome"]))[:MAX_PANELS]
    method = indices["method"].iloc[0]
    fig, axes = grid(len(outcomes), 2)
    for ax, outcome in zip(axes, outcomes, strict=True):
        sub = indices[indices["outcome"] == outcome]
        y = np.arange(len(sub))
        if method == "sobol":
            _sobol_bars(ax, sub, y)
        else:
            _morris_bars(ax, sub, y)
        ax.set_yticks(y, list(sub["parameter"]), fontsize=6)
        ax.invert_yaxis()
        ax.set_title(outcome, fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.25, linewidth=0.5, axis="x")
    axes[0].legend(fontsize=6, frameon=False)
    what = "Sobol indices" if method == "sobol" else "Morris elementary effects"
    fig.suptitle(f"{what} with {level:.0%} intervals (SALib)", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def _sobol_bars(ax: Axes, sub: pd.DataFrame, y: np.ndarray) -> None:
    for shift, index, label, colour in (
        (-0.2, "S1", "first order (S1)", "#1f4e99"),
        (0.2, "ST", "total (ST)", "#e0a800"),
    ):
        ax.barh(
            y + shift,
            sub[index],
            0.4,
            xerr=sub[f"{index}_conf"],
            label=label,
            color=colour,
            error_kw={"linewidth": 0.8},
        )
    ax.axvline(0, color="black", linewidth=0.5)


def _morris_bars(ax: Axes, sub: pd.DataFrame, y: np.ndarray) -> None:
    ax.barh(
        y,
        sub["mu_star"],
        0.6,
        xerr=sub["mu_star_conf"],
        color="#1f4e99",
        label="mu*",
        error_kw={"linewidth": 0.8},
    )
    ax.plot(sub["sigma"], y, "o", color="#c0392b", markersize=3, label="sigma")


def plot_sweep(
    root: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    formats: Sequence[str] = ("png", "svg"),
) -> list[Path]:
    """Draw a sweep's figures (envelopes, heatmaps, sensitivity) into ``out``.

    Args:
        root: the sweep folder.
        out: where to write (default: ``root/figures``).
        formats: file formats of each figure.

    Returns:
        The files written (figures, and ``sensitivity.csv`` for Sobol and Morris designs).

    Raises:
        SweepRunError: not a sweep folder, or no run has finished yet.
    """
    data = open_sweep(root)
    target = Path(out) if out is not None else Path(root) / "figures"
    runs = data.runs(ok_only=True)
    if runs.empty:
        raise SweepRunError(f"{root}: no run has finished successfully yet; nothing to plot")
    files: list[Path] = []
    params = data.parameters
    text = set(data.manifest["metrics"].get("text_series", []))
    if any(c not in text for c in data.series_columns):
        for p in params[:MAX_PANELS] or [None]:
            fig = fig_envelopes(data, p)
            files += save_figure(fig, target / f"envelopes_{safe_stem(p or 'all', 'x')}", formats)
    if len(params) >= 2 and data.outcomes:
        fig = fig_heatmaps(data, params[0], params[1])
        x, y = (safe_stem(p, "x") for p in params[:2])
        files += save_figure(fig, target / f"heatmap_{x}_{y}", formats)
    indices = sensitivity(data)
    if not indices.empty:
        target.mkdir(parents=True, exist_ok=True)
        csv = target / "sensitivity.csv"
        indices.to_csv(csv, index=False)
        files.append(csv)
        files += save_figure(fig_sensitivity(indices), target / "sensitivity", formats)
    return files
