"""Reading sweeps: figures, queries with pandas and DuckDB, and an export to EMA Workbench.

``latticesim plot SWEEP_DIR`` draws, from a sweep folder alone:

* **envelopes** (``envelopes_<parameter>``): each kept series over time, one median
  line and 10-90% band per value of the parameter (pooled over the other parameters
  and the replications), so a reader sees both the trend and the spread;
* **heatmaps** (``heatmap_<x>_<y>``): each outcome's mean over two parameters;
* **sensitivity** (``sensitivity`` and ``sensitivity.csv``): for a Sobol design, first
  order and total Sobol indices with their confidence intervals; for a Morris design,
  the elementary effects' mu* (with its interval) and sigma; both through SALib.

Continuous parameters (a Latin hypercube, a Sobol sample) are cut into quantile bins
for envelopes and heatmaps, since no two points share a value.

Queries: :func:`query` runs SQL on a sweep with DuckDB (views ``runs``, ``series`` and
``design``); :meth:`latticesim.sweeps.runner.SweepData.runs` and ``.series`` give the same
tables to pandas. :func:`to_ema` turns a sweep into EMA Workbench's ``(experiments,
outcomes)`` pair for PRIM scenario discovery; :func:`save_ema` writes it as EMA's
``.tar.gz`` (EMA Workbench itself is needed only for that).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from latticesim.sweeps.experiment import DESIGN_FILE, RUNS_DIR, SERIES_DIR, SweepRunError
from latticesim.sweeps.runner import SweepData, open_sweep

__all__ = [
    "connect",
    "fig_compare",
    "fig_envelopes",
    "fig_heatmaps",
    "fig_sensitivity",
    "levels",
    "plot_sweep",
    "query",
    "save_ema",
    "save_figure",
    "sensitivity",
    "to_ema",
]

MAX_LEVELS = 8
MAX_PANELS = 8
_BAND = (0.1, 0.9)
_PANEL_W, _PANEL_H = 3.1, 2.1


# --------------------------------------------------------------------------- helpers


def save_figure(fig: Figure, stem: Path, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write ``fig`` as ``stem.png`` and ``stem.svg`` (folders created as needed)."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    FigureCanvasAgg(fig)
    paths = []
    for fmt in formats:
        path = stem.with_suffix(f".{fmt}")
        fig.savefig(path, format=fmt, dpi=120, metadata={"Date": None} if fmt == "svg" else None)
        paths.append(path)
    return paths


def _years(dates: pd.Series) -> np.ndarray:
    """``2024Q3`` -> 2024.5: quarters placed on a calendar axis."""
    text = dates.astype(str)
    return text.str[:4].astype(int).to_numpy() + (text.str[-1].astype(int).to_numpy() - 1) / 4


def _grid(n: int, ncols: int, extra_w: float = 0.0) -> tuple[Figure, list[Axes]]:
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(ncols * _PANEL_W + extra_w, nrows * _PANEL_H + 0.8))
    axes = [fig.add_subplot(nrows, ncols, k + 1) for k in range(n)]
    return fig, axes


def _style(ax: Axes) -> None:
    from matplotlib.ticker import FormatStrFormatter, MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.xaxis.set_major_formatter(FormatStrFormatter("%d"))
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.25, linewidth=0.5)


def _label(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def levels(values: pd.Series, max_levels: int = MAX_LEVELS) -> pd.Series:
    """A parameter's values as at most ``max_levels`` ordered levels, for grouping.

    A grid's few values are kept as they are; a sampled parameter (every run its own
    value) is cut into quantile bins, labelled by their range, so that groups hold
    similar numbers of runs.
    """
    uniques = pd.unique(values.dropna())
    if len(uniques) <= max_levels:
        order = sorted(uniques, key=lambda v: (isinstance(v, str), v))
        return pd.Series(
            pd.Categorical(values.map(_label), [_label(v) for v in order], ordered=True),
            index=values.index,
        )
    numbers = values.astype(float)
    bins = pd.qcut(numbers, q=min(4, max_levels), duplicates="drop")
    low = float(numbers.min())
    labels = [f"{max(iv.left, low):.3g} to {iv.right:.3g}" for iv in bins.cat.categories]
    return pd.Series(
        pd.Categorical.from_codes(bins.cat.codes, labels, ordered=True), index=values.index
    )


def _colours(n: int) -> list[Any]:
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    return [cmap(0.1 + 0.8 * k / max(1, n - 1)) for k in range(n)]


def _t_half(std: np.ndarray, n: np.ndarray, level: float) -> np.ndarray:
    from scipy import stats

    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
        half = t * np.asarray(std, dtype=float) / np.sqrt(n)
    return np.where(n >= 2, half, np.nan)


# --------------------------------------------------------------------------- comparisons


def fig_compare(
    series: pd.DataFrame, arms: Sequence[str], metrics: Sequence[str], level: float = 0.95
) -> Figure:
    """Arms side by side (median and 10-90% band over time) and their paired differences.

    One row per metric; one column per arm with a shared y axis, so the eye compares
    levels across a row; and a last column with each arm's mean paired difference from
    the first arm and its confidence interval (zero marked): the comparison proper.
    """
    ncols = len(arms) + (1 if len(arms) > 1 else 0)
    nrows = len(metrics)
    fig = Figure(figsize=(ncols * _PANEL_W, nrows * _PANEL_H + 0.9))
    colours = _colours(len(arms))
    base = series[series["arm"] == arms[0]]
    x_all = _years(series["date"]) if len(series) else np.zeros(0)
    series = series.assign(_x=x_all)
    for row, metric in enumerate(metrics):
        first = None
        for col, arm in enumerate(arms):
            ax = fig.add_subplot(nrows, ncols, row * ncols + col + 1, sharey=first)
            first = first or ax
            sub = series[series["arm"] == arm]
            g = sub.groupby("_x")[metric]
            med, lo, hi = g.median(), g.quantile(_BAND[0]), g.quantile(_BAND[1])
            ax.fill_between(med.index, lo, hi, color=colours[col], alpha=0.25, linewidth=0)
            ax.plot(med.index, med.to_numpy(), color=colours[col], linewidth=1.4)
            _style(ax)
            if row == 0:
                ax.set_title(arm, fontsize=9)
            if col == 0:
                ax.set_ylabel(metric, fontsize=8)
        if len(arms) > 1:
            ax = fig.add_subplot(nrows, ncols, row * ncols + ncols)
            b = base.set_index(["replication", "step"])[metric]
            for k, arm in enumerate(arms[1:], start=1):
                other = series[series["arm"] == arm].set_index(["replication", "step"])
                d = (other[metric] - b).dropna().rename("d").reset_index()
                x = other["_x"].groupby(level="step").first()
                g = d.groupby("step")["d"]
                mean, std, n = g.mean(), g.std(ddof=1), g.count()
                half = _t_half(std.to_numpy(), n.to_numpy(), level)
                xs = x.reindex(mean.index).to_numpy()
                ax.fill_between(
                    xs, mean - half, mean + half, color=colours[k], alpha=0.25, linewidth=0
                )
                ax.plot(xs, mean.to_numpy(), color=colours[k], linewidth=1.4, label=arm)
            ax.axhline(0, color="black", linewidth=0.6)
            _style(ax)
            if row == 0:
                ax.set_title(f"difference from {arms[0]}\n(paired, {level:.0%} CI)", fontsize=8)
                if len(arms) > 2:
                    ax.legend(fontsize=6, frameon=False)
    fig.suptitle("Median and 10-90% band across replications (common random numbers)", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    return fig


# --------------------------------------------------------------------------- sweeps


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
    series = series.assign(_x=_years(series["date"]))
    if parameter is None:
        series["_level"] = pd.Categorical(["all runs"] * len(series))
    else:
        series["_level"] = levels(series[parameter])
    cats = list(series["_level"].cat.categories)
    colours = _colours(len(cats))
    fig, axes = _grid(len(columns), 3, extra_w=1.3)
    one_quarter = series["_x"].nunique() == 1  # a sweep that keeps only the last quarter
    for ax, col in zip(axes, columns, strict=True):
        g = series.groupby(["_level", "_x"], observed=True)[col]
        med, lo, hi = g.median(), g.quantile(_BAND[0]), g.quantile(_BAND[1])
        for k, cat in enumerate(cats):
            if cat not in med.index.get_level_values(0):
                continue
            m, a, b = med.loc[cat], lo.loc[cat], hi.loc[cat]
            if one_quarter:
                # No time to draw over: the median and band at that quarter, per level.
                ax.errorbar(
                    [k],
                    m.to_numpy(),
                    yerr=[m - a, b - m],
                    fmt="o",
                    markersize=4,
                    color=colours[k],
                    capsize=3,
                    label=str(cat),
                )
                continue
            ax.fill_between(m.index, a, b, color=colours[k], alpha=0.18, linewidth=0)
            ax.plot(m.index, m.to_numpy(), color=colours[k], linewidth=1.3, label=str(cat))
        if one_quarter:
            ax.set_title(f"{col} in {series['date'].iloc[0]}", fontsize=8)
            ax.set_xticks(range(len(cats)), [str(c) for c in cats], fontsize=6, rotation=30)
            ax.spines[["top", "right"]].set_visible(False)
            ax.tick_params(axis="y", labelsize=7)
            ax.grid(alpha=0.25, linewidth=0.5, axis="y")
        else:
            ax.set_title(col, fontsize=8)
            _style(ax)
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
    fig.suptitle(f"{name}: median and 10-90% band{by}", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1 - 1.3 / fig.get_figwidth(), 0.95))
    return fig


def fig_heatmaps(data: SweepData, x: str, y: str, outcomes: Sequence[str] | None = None) -> Figure:
    """Each outcome's mean over two parameters (all other parameters and replications pooled)."""
    runs = data.runs(ok_only=True)
    outcomes = [o for o in (outcomes or data.outcomes) if o in runs.columns][:MAX_PANELS]
    if not outcomes:
        raise SweepRunError(f"{data.root}: the sweep has no outcomes to plot")
    lx = levels(runs[x], 10)
    ly = levels(runs[y], 10)
    fig, axes = _grid(len(outcomes), 3)
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
        fig.colorbar(image, ax=ax, shrink=0.8).ax.tick_params(labelsize=6)
        ax.tick_params(labelsize=6)
    name = data.manifest["experiment"]["name"]
    fig.suptitle(f"{name}: mean outcome by {x} and {y}", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


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
    problem = design["salib_problem"]
    runs = data.runs(ok_only=True)
    n_points = int(design["points"])
    seed = int(data.manifest["seed"])
    rows = []
    for outcome in outcomes or data.outcomes:
        y = runs.groupby("point")[outcome].mean().reindex(range(n_points)).to_numpy(float)
        if np.isnan(y).any():
            continue
        if method == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(
                problem,
                y,
                calc_second_order=bool(design["options"].get("second_order", False)),
                conf_level=level,
                seed=seed,
            )
            for k, name in enumerate(problem["names"]):
                rows.append(
                    {
                        "outcome": outcome,
                        "parameter": name,
                        "S1": res["S1"][k],
                        "S1_conf": res["S1_conf"][k],
                        "ST": res["ST"][k],
                        "ST_conf": res["ST_conf"][k],
                    }
                )
        else:
            from SALib.analyze import morris

            x = data.design()[[f"raw:{n}" for n in problem["names"]]].to_numpy(float)
            res = morris.analyze(
                problem,
                x,
                y,
                conf_level=level,
                num_levels=int(design["options"].get("levels", 4)),
                seed=seed,
            )
            for k, name in enumerate(problem["names"]):
                rows.append(
                    {
                        "outcome": outcome,
                        "parameter": name,
                        "mu": res["mu"][k],
                        "mu_star": res["mu_star"][k],
                        "mu_star_conf": res["mu_star_conf"][k],
                        "sigma": res["sigma"][k],
                    }
                )
    out = pd.DataFrame(rows)
    if not out.empty:
        out.insert(0, "method", method)
    return out


def fig_sensitivity(indices: pd.DataFrame, level: float = 0.95) -> Figure:
    """Bars per parameter for each outcome: Sobol S1 and ST, or Morris mu*, with intervals."""
    outcomes = list(dict.fromkeys(indices["outcome"]))[:MAX_PANELS]
    method = indices["method"].iloc[0]
    fig, axes = _grid(len(outcomes), 2)
    for ax, outcome in zip(axes, outcomes, strict=True):
        sub = indices[indices["outcome"] == outcome]
        y = np.arange(len(sub))
        if method == "sobol":
            ax.barh(
                y - 0.2,
                sub["S1"],
                0.4,
                xerr=sub["S1_conf"],
                label="first order (S1)",
                color="#1f4e99",
                error_kw={"linewidth": 0.8},
            )
            ax.barh(
                y + 0.2,
                sub["ST"],
                0.4,
                xerr=sub["ST_conf"],
                label="total (ST)",
                color="#e0a800",
                error_kw={"linewidth": 0.8},
            )
            ax.axvline(0, color="black", linewidth=0.5)
        else:
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


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+-]+", "_", name).strip("_") or "x"


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
            files += save_figure(fig, target / f"envelopes_{_safe(p or 'all')}", formats)
    if len(params) >= 2 and data.outcomes:
        fig = fig_heatmaps(data, params[0], params[1])
        files += save_figure(
            fig, target / f"heatmap_{_safe(params[0])}_{_safe(params[1])}", formats
        )
    indices = sensitivity(data)
    if not indices.empty:
        target.mkdir(parents=True, exist_ok=True)
        csv = target / "sensitivity.csv"
        indices.to_csv(csv, index=False)
        files.append(csv)
        files += save_figure(fig_sensitivity(indices), target / "sensitivity", formats)
    return files


# --------------------------------------------------------------------------- queries


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def connect(root: str | os.PathLike[str], database: str = ":memory:") -> Any:
    """A DuckDB connection with views ``runs``, ``series`` and ``design`` on a sweep.

    ``series`` holds only the rows of committed runs, so what an interrupted chunk left
    is never counted. Example::

        con = connect("sweeps/pivot")
        con.sql("SELECT pivot, avg(share_nato_end) FROM runs GROUP BY 1 ORDER BY 1").df()

    Raises:
        SweepRunError: not a sweep folder, or no run has finished yet.
    """
    import duckdb

    data = open_sweep(root)
    runs_dir = data.root / RUNS_DIR
    if not any(runs_dir.glob("part-*.parquet")):
        raise SweepRunError(f"{root}: no run has finished yet")
    con = duckdb.connect(database)
    runs = _sql_path(runs_dir / "part-*.parquet")
    series = _sql_path(data.root / SERIES_DIR / "part-*.parquet")
    con.execute(f"CREATE VIEW runs AS SELECT * FROM read_parquet('{runs}')")
    con.execute(
        f"CREATE VIEW series AS SELECT s.* FROM read_parquet('{series}') s "
        "SEMI JOIN runs USING (run_id)"
    )
    design = _sql_path(data.root / DESIGN_FILE)
    con.execute(f"CREATE VIEW design AS SELECT * FROM read_parquet('{design}')")
    return con


def query(root: str | os.PathLike[str], sql: str) -> pd.DataFrame:
    """Run SQL on a sweep (views ``runs``, ``series``, ``design``) and return a DataFrame."""
    con = connect(root)
    try:
        return con.sql(sql).df()
    finally:
        con.close()


# --------------------------------------------------------------------------- EMA Workbench


def to_ema(
    root: str | os.PathLike[str],
    outcomes: Sequence[str] | None = None,
    series: bool = True,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """A sweep as EMA Workbench's ``(experiments, outcomes)`` pair, for scenario discovery.

    ``experiments`` has one row per successful run: a column per varied parameter (EMA's
    uncertainties), then ``scenario`` (the design point), ``policy`` and ``model``, as
    EMA's own runner writes them. ``outcomes`` maps each outcome to a 1-D array (one
    value per run) and, with ``series``, each numeric series to a 2-D array (runs x kept
    quarters), with ``TIME`` holding the quarters as decimal years. Failed runs are left
    out; replications are rows of their own, as in EMA's experiments with a stochastic
    model. Works without EMA Workbench installed; :func:`save_ema` needs it.

    Example (PRIM)::

        from ema_workbench.analysis import prim
        experiments, outcomes = to_ema("sweeps/china_support")
        box = prim.Prim(experiments, outcomes["share_nato_end"] > 0.12).find_box()
        box.inspect()
    """
    data = open_sweep(root)
    runs = data.runs(ok_only=True)
    experiments = runs[data.parameters].copy()
    experiments["scenario"] = runs["point"].to_numpy()
    experiments["policy"] = "none"
    experiments["model"] = data.manifest["scenario"]["name"]
    result: dict[str, np.ndarray] = {
        name: runs[name].to_numpy(dtype=float) for name in (outcomes or data.outcomes)
    }
    if series and data.series_columns:
        frame = data.series(with_parameters=False)
        frame = frame[frame["run_id"].isin(runs["run_id"])]
        steps = sorted(frame["step"].unique())
        dates = frame.drop_duplicates("step").set_index("step")["date"].reindex(steps)
        time = _years(dates.reset_index(drop=True))
        for col in data.series_columns:
            if not pd.api.types.is_numeric_dtype(frame[col]):
                continue
            wide = frame.pivot(index="run_id", columns="step", values=col)
            result[col] = wide.reindex(index=runs["run_id"], columns=steps).to_numpy(float)
        result["TIME"] = np.tile(time, (len(runs), 1))
    return experiments.reset_index(drop=True), result


def save_ema(
    root: str | os.PathLike[str],
    path: str | os.PathLike[str],
    outcomes: Sequence[str] | None = None,
    series: bool = True,
) -> Path:
    """Write a sweep as EMA Workbench's results archive (``load_results`` reads it back).

    Raises:
        SweepRunError: EMA Workbench is not installed (it is an optional extra).
    """
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench import ArrayOutcome, ScalarOutcome, save_results
    except ImportError:
        raise SweepRunError(
            "the EMA export needs EMA Workbench: pip install ema_workbench"
        ) from None
    experiments, result = to_ema(root, outcomes, series)
    for name, values in result.items():
        # Registering an outcome tells EMA how to store it: scalars as a column, series
        # (runs x quarters) as a 2-D array.
        if values.ndim == 1:
            ScalarOutcome(name)
        else:
            ArrayOutcome(name)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    save_results((experiments, result), str(target))
    return target
