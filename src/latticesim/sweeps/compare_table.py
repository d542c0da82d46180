"""A comparison's table: per outcome and arm, the spread and the paired difference.

The tidy table (``compare.csv``), its Markdown for people (``compare.md``), and which
differences are within noise: the figure greys and lists apart the same outcomes the
Markdown does, because both ask :func:`noisy_metrics`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from latticesim.sweeps.stats import mean_ci, paired_differences

__all__ = [
    "comparison_table",
    "markdown",
    "noisy_metrics",
    "table_rows",
    "unpaired_metrics",
    "within_noise",
]


def comparison_table(
    outcomes: pd.DataFrame, names: Sequence[str], metrics: Sequence[str], level: float
) -> pd.DataFrame:
    """The tidy comparison table: one row per metric and arm."""
    rows = []
    base_name = names[0]
    for m in metrics:
        base = outcomes[outcomes["arm"] == base_name].set_index("replication")[m]
        for name in names:
            values = outcomes[outcomes["arm"] == name].set_index("replication")[m]
            clean = values.dropna()
            row: dict[str, Any] = {
                "metric": m,
                "arm": name,
                "n": int(clean.size),
                "mean": float(clean.mean()) if clean.size else math.nan,
                "median": float(clean.median()) if clean.size else math.nan,
                "p10": float(clean.quantile(0.1)) if clean.size else math.nan,
                "p90": float(clean.quantile(0.9)) if clean.size else math.nan,
                "vs": None,
                "diff_mean": math.nan,
                "diff_lo": math.nan,
                "diff_hi": math.nan,
                "n_pairs": 0,
                "share_higher": math.nan,
                "within_noise": None,
            }
            if name != base_name:
                d = paired_differences(base, values)
                mean, lo, hi = mean_ci(d.to_numpy(), level)
                row.update(
                    vs=base_name,
                    diff_mean=mean,
                    diff_lo=lo,
                    diff_hi=hi,
                    n_pairs=int(d.size),
                    share_higher=float((d > 0).mean()) if d.size else math.nan,
                    within_noise=within_noise(mean, lo, hi),
                )
            rows.append(row)
    return pd.DataFrame(rows)


def within_noise(mean: float, lo: float, hi: float) -> bool:
    """Whether a paired difference is within noise: its interval holds 0, or there is none.

    A difference of exactly zero in every pair (an arm that changes nothing the outcome
    reads) has no interval either, and is no difference.
    """
    if math.isnan(mean) or mean == 0:
        return True
    return math.isnan(lo) or lo <= 0 <= hi


def noisy_metrics(table: pd.DataFrame) -> list[str]:
    """The metrics whose difference from the first arm is within noise in every other arm.

    Those without a single pair (empty in every run of an arm) are among them: nothing
    was found (:func:`unpaired_metrics` names them).
    """
    others = table[table["vs"].notna()]
    flags = others.groupby("metric", sort=False)["within_noise"].all()
    return [m for m in table["metric"].unique() if flags.get(m, True)]


def unpaired_metrics(table: pd.DataFrame) -> list[str]:
    """The metrics no pair of runs has a value for in both arms, for every other arm."""
    others = table[table["vs"].notna()]
    flags = (others["n_pairs"] == 0).groupby(others["metric"], sort=False).all()
    return [m for m in table["metric"].unique() if flags.get(m, False)]


def _fmt(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.4g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.2e}"


def table_rows(
    table: pd.DataFrame, names: Sequence[str], level: float
) -> tuple[list[str], list[list[str]], list[str]]:
    """The table's header and rows as text (clear differences first), and the noisy metrics.

    The one layout of the comparison's table: ``compare.md`` and the comparison's report
    both show these cells.
    """
    base = names[0]
    noisy = noisy_metrics(table)
    head = ["metric"] + [f"{n}: median [p10, p90]" for n in names]
    head += [f"{n} - {base}: mean [{level:.0%} CI] (higher in)" for n in names[1:]]
    groups = dict(list(table.groupby("metric", sort=False)))
    order = [m for m in groups if m not in noisy] + [m for m in groups if m in noisy]
    rows = []
    for metric in order:
        by_arm = groups[metric].set_index("arm")
        cells = [str(metric)]
        for n in names:
            r = by_arm.loc[n]
            cells.append(f"{_fmt(r['median'])} [{_fmt(r['p10'])}, {_fmt(r['p90'])}]")
        for n in names[1:]:
            r = by_arm.loc[n]
            higher = "n/a" if math.isnan(r["share_higher"]) else f"{r['share_higher']:.0%}"
            cells.append(
                f"{_fmt(r['diff_mean'])} [{_fmt(r['diff_lo'])}, {_fmt(r['diff_hi'])}] ({higher})"
            )
        rows.append(cells)
    return head, rows, noisy


def markdown(
    table: pd.DataFrame,
    names: Sequence[str],
    window: int,
    level: float,
    definitions: Mapping[str, str] | None = None,
) -> str:
    """The comparison as a Markdown table people can paste into a report.

    Rows whose difference is clear come first; those within noise follow and are listed
    again under the table. ``definitions`` says what each named outcome reads.
    """
    head, rows, noisy = table_rows(table, names, level)
    order = [row[0] for row in rows]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for metric, *cells in rows:
        lines.append("| " + " | ".join([f"`{metric}`", *cells]) + " |")
    unpaired = unpaired_metrics(table)
    if len(names) > 1 and set(noisy) - set(unpaired):
        shown = ", ".join(f"`{m}`" for m in order if m in noisy and m not in unpaired)
        lines.append(f"\nWithin noise (the {level:.0%} interval holds 0): {shown}.")
    if len(names) > 1 and unpaired:
        shown = ", ".join(f"`{m}`" for m in unpaired)
        lines.append(f"\nNo pairs (empty in every run of an arm): {shown}.")
    series = table.loc[table["kind"] == "series", "metric"].unique() if "kind" in table else []
    note = (
        f"\nDifferences are paired by replication (common random numbers: replication r of "
        f"every arm uses the same seed); the interval is Student's t at {level:.0%}; "
        '"higher in" is the share of replications in which the arm is above the first.'
    )
    if len(series):
        note += f" A series' value is its mean over a run's last {window} quarters."
    for name, text in (definitions or {}).items():
        note += f"\n- `{name}`: {text}"
    return "\n".join(lines) + "\n" + note + "\n"
