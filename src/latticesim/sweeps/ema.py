"""A sweep as EMA Workbench's results, for scenario discovery (PRIM, CART) on its runs.

:func:`to_ema` needs only pandas; :func:`save_ema` writes EMA's ``.tar.gz`` archive and
needs EMA Workbench itself, an optional extra.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from latticesim.common.quarters import decimal_years
from latticesim.sweeps.experiment import SweepRunError
from latticesim.sweeps.store import open_sweep

__all__ = ["save_ema", "to_ema"]


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
        time = decimal_years(dates.reset_index(drop=True))
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
