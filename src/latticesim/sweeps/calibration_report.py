"""What an accepted set says: which parameters are pinned, its centre, the page, the figures.

:mod:`latticesim.sweeps.calibration` runs the draws and applies the rule; this module
reads what it found. ``marginals.png`` sets each parameter's accepted draws against the
prior's, so a parameter the record pins down shows as a narrow peak in a flat field;
``pairs.png`` shows the accepted draws two parameters at a time, where a ridge means the
record pins a trade-off between two parameters rather than either alone. ``summary.md``
says how to run it again, the rule, the table of what is pinned down and the candidate
for calibrated defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from latticesim.sweeps import hindcast
from latticesim.sweeps.plotting import colours, grid, save_figure

__all__ = ["central_draw", "fig_marginals", "fig_pairs", "pinned", "summary_page", "verdict"]

PRIOR_GREY = "0.72"


def _scaled(frame: pd.DataFrame) -> pd.DataFrame:
    """The free parameters scaled to their prior ranges (0 at the low end, 1 at the high)."""
    out = {}
    for name, (lo, hi) in hindcast.FREE_PARAMETERS.items():
        out[name] = (frame[name].astype(float) - lo) / (hi - lo)
    return pd.DataFrame(out, index=frame.index)


def central_draw(accepted: pd.DataFrame) -> int:
    """The accepted draw nearest the accepted medians (range-scaled, summed distance).

    A real draw, not the vector of medians: the medians of several parameters together
    may be a point no accepted draw is near. Ties go to the lower draw number.
    """
    scaled = _scaled(accepted)
    gap = (scaled - scaled.median()).abs().sum(axis=1).round(12)
    best = gap[gap == gap.min()].index
    return int(accepted.loc[best, "draw"].min())


PINNED, NARROWED = 0.5, 0.8
"""Ratio of accepted to prior spread at or below which a parameter is pinned down (the
record halves its plausible spread) or narrowed; above, not pinned."""


def verdict(ratio: float) -> str:
    """A ratio of interquartile ranges in words (thresholds :data:`PINNED`, :data:`NARROWED`)."""
    if ratio <= PINNED:
        return "pinned down"
    return "narrowed" if ratio <= NARROWED else "not pinned down"


def pinned(draws: pd.DataFrame, accepted: pd.Series) -> pd.DataFrame:
    """Per free parameter: the prior's and the accepted set's spread, and a verdict.

    The prior's spread is that of all the draws (the design as run, so a whole-number
    parameter's is that of its whole values). Two ratios of accepted to prior spread,
    whatever the units: of interquartile ranges and of standard deviations; the verdict
    reads the larger. The interquartile range alone misleads on a parameter of three
    whole values, whose quartiles jump from one value to the next: a set that barely
    favours one value can halve it, where the standard deviation hardly moves.
    """
    rows = []
    for name, (lo, hi) in hindcast.FREE_PARAMETERS.items():
        prior = draws[name].astype(float)
        post = draws.loc[accepted, name].astype(float)
        piqr = float(prior.quantile(0.75) - prior.quantile(0.25))
        aiqr = float(post.quantile(0.75) - post.quantile(0.25))
        iqr_ratio = aiqr / piqr if piqr > 0 else float("nan")
        psd, asd = float(prior.std()), float(post.std())
        sd_ratio = asd / psd if psd > 0 else float("nan")
        rows.append(
            {
                "parameter": name,
                "prior": f"{lo}-{hi}",
                "accepted_median": float(post.median()),
                "accepted_5": float(post.quantile(0.05)),
                "accepted_95": float(post.quantile(0.95)),
                "prior_iqr": piqr,
                "accepted_iqr": aiqr,
                "iqr_ratio": iqr_ratio,
                "sd_ratio": sd_ratio,
                "verdict": verdict(max(iqr_ratio, sd_ratio)),
            }
        )
    return pd.DataFrame(rows)


def _bins(name: str) -> np.ndarray:
    lo, hi = hindcast.FREE_PARAMETERS[name]
    if hindcast.is_whole(name):
        return np.arange(lo - 0.5, hi + 1.0, 1.0)
    return np.linspace(lo, hi, 21)


def fig_marginals(draws: pd.DataFrame, central: Mapping[str, Any]) -> Figure:
    """Per parameter, the prior's draws and the accepted draws as densities."""
    names = list(hindcast.FREE_PARAMETERS)
    fig, axes = grid(len(names), 3)
    accepted = draws[draws["accepted"]]
    colour = colours(3)[1]
    for ax, name in zip(axes, names, strict=True):
        bins = _bins(name)
        ax.hist(draws[name], bins=bins, density=True, color=PRIOR_GREY, label="prior")
        ax.hist(accepted[name], bins=bins, density=True, color=colour, alpha=0.75, label="accepted")
        ax.axvline(central[name], color="black", linewidth=1, linestyle="--", label="central")
        ax.set_title(name, fontsize=9)
        ax.set_yticks([])
        ax.tick_params(labelsize=7)
        ax.spines[["top", "right", "left"]].set_visible(False)
    axes[0].legend(fontsize=7, frameon=False)
    fig.suptitle(
        f"Prior ({len(draws)} draws) and accepted ({len(accepted)} draws), per parameter; "
        "dashed: the central accepted draw",
        fontsize=9,
    )
    fig.tight_layout()
    return fig


def _jitter(values: pd.Series, name: str, rng: np.random.Generator) -> np.ndarray:
    """Whole-number values spread a little, so that draws at one value do not hide."""
    out = values.to_numpy(dtype=float)
    return out + rng.uniform(-0.15, 0.15, len(out)) if hindcast.is_whole(name) else out


def _pair(
    ax: Axes, draws: pd.DataFrame, x: str, y: str, central: Mapping[str, Any], colour: Any
) -> None:
    rng = np.random.default_rng(0)
    prior, acc = draws[~draws["accepted"]], draws[draws["accepted"]]
    ax.scatter(_jitter(prior[x], x, rng), _jitter(prior[y], y, rng), s=2, c=PRIOR_GREY)
    ax.scatter(_jitter(acc[x], x, rng), _jitter(acc[y], y, rng), s=4, color=colour)
    ax.scatter([central[x]], [central[y]], marker="*", s=80, c="black")


def fig_pairs(draws: pd.DataFrame, central: Mapping[str, Any]) -> Figure:
    """The accepted draws two parameters at a time (rejected draws grey behind them)."""
    names = list(hindcast.FREE_PARAMETERS)
    n = len(names)
    fig = Figure(figsize=(1.7 * n + 0.4, 1.7 * n + 0.6))
    colour = colours(3)[1]
    for i, y in enumerate(names):
        for j, x in enumerate(names[: i + 1]):
            ax = fig.add_subplot(n, n, i * n + j + 1)
            if i == j:
                ax.hist(draws.loc[draws["accepted"], x], bins=_bins(x), color=colour)
                ax.set_yticks([])
            else:
                _pair(ax, draws, x, y, central, colour)
            ax.set_xlim(_bins(x)[0], _bins(x)[-1])
            if i != j:
                ax.set_ylim(_bins(y)[0], _bins(y)[-1])
            ax.tick_params(labelsize=6)
            ax.set_xlabel(x if i == n - 1 else "", fontsize=7)
            ax.set_ylabel(y if j == 0 and i > 0 else "", fontsize=7)
            if i != n - 1:
                ax.set_xticklabels([])
    fig.suptitle(
        f"Accepted draws ({int(draws['accepted'].sum())}, coloured) over the rejected "
        "(grey); star: the central accepted draw",
        fontsize=9,
    )
    fig.tight_layout()
    return fig


def write_figures(out: Path, draws: pd.DataFrame, central: Mapping[str, Any]) -> list[Path]:
    """``marginals.png`` and ``pairs.png`` in ``out``."""
    files = save_figure(fig_marginals(draws, central), out / "marginals", ("png",))
    return files + save_figure(fig_pairs(draws, central), out / "pairs", ("png",))


def _number(value: float) -> str:
    return "n/a" if value != value else f"{value:.3g}"


def _pinned_rows(table: pd.DataFrame) -> list[str]:
    lines = [
        "| parameter | prior | accepted median | accepted 5-95% | IQR prior | IQR accepted "
        "| IQR ratio | SD ratio | the record |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in table.to_dict("records"):
        lines.append(
            f"| `{r['parameter']}` | {r['prior']} | {_number(r['accepted_median'])} | "
            f"{_number(r['accepted_5'])}-{_number(r['accepted_95'])} | "
            f"{_number(r['prior_iqr'])} | {_number(r['accepted_iqr'])} | "
            f"{_number(r['iqr_ratio'])} | {_number(r['sd_ratio'])} | {r['verdict']} |"
        )
    return lines


def _central_rows(row: Mapping[str, Any], accepted: pd.DataFrame) -> list[str]:
    lines = ["| parameter | before the fit | central draw |", "|---|---|---|"]
    for name in hindcast.FREE_PARAMETERS:
        before = hindcast.PRE_FIT_DEFAULTS.get(name, "")
        lines.append(f"| `{name}` | {before} | {_number(float(row[name]))} |")
    lines += [
        "",
        "| pattern | role | central draw | accepted draws (median) |",
        "|---|---|---|---|",
    ]
    for p in hindcast.PATTERNS:
        col = f"share_{p.key}"
        role = "fitted" if p.fitted else "held out"
        lines.append(f"| {p.key} | {role} | {row[col]:.2f} | {accepted[col].median():.2f} |")
    for col, what in (("joint_fitted", "all fitted at once"), ("joint_all", "all at once")):
        lines.append(f"| {what} | | {row[col]:.2f} | {accepted[col].median():.2f} |")
    return lines


def summary_page(
    draws: pd.DataFrame,
    table: pd.DataFrame,
    central: int,
    rule: Sequence[str],
    settings: Mapping[str, Any],
) -> str:
    """``summary.md``: the command, the budget, the rule, what is pinned, the candidate."""
    accepted = draws[draws["accepted"]]
    row = draws.set_index("draw").loc[central]
    fitted = [p.key for p in hindcast.PATTERNS if p.fitted]
    held = [p.key for p in hindcast.PATTERNS if not p.fitted]
    n, r = len(draws), int(settings["replications"])
    lines = [
        "# Calibration of the hindcast 2019-2024",
        "",
        f"Run again with: `{settings['command']}` (a rerun resumes the runs in `sweep/` "
        "and rewrites this folder; the same seed gives the same accepted set).",
        "",
        f"- Scenario: {settings['scenario']} (sha256 {settings['scenario_sha256'][:12]})",
        f"- Fitted patterns: {', '.join(fitted)}; held out: {', '.join(held) or 'none'} "
        f"(hindcast modules sha256 {settings['hindcast_sha256'][:12]})",
        f"- Prior: uniform over each free parameter's range; {n} draws of a SALib Latin "
        f"hypercube (seed {settings['seed']}), each run {r} times on common seeds: "
        f"{n * r} runs, {int(draws['failed'].sum())} failed",
        f"- This invocation: {settings['timing']}",
        "",
        "## The rule",
        "",
        *rule,
        "",
        "## Which parameters the record pins down",
        "",
        "Spread of the accepted draws against the prior's, as the ratios of their "
        "interquartile ranges (IQR) and of their standard deviations (SD); the verdict "
        "reads the larger: at most 0.5, the record pins the parameter down; at most 0.8, "
        "it narrows it; above, the record does not tell its values apart.",
        "",
        *_pinned_rows(table),
        "",
        "## The calibrated defaults candidate",
        "",
        f"The accepted draw nearest the accepted medians (range-scaled): draw {central}. "
        f"Shares are over the {r} replications of the calibration.",
        "",
        *_central_rows(row, accepted),
        "",
        "## Figures",
        "",
        "![Prior and accepted draws per parameter](marginals.png)",
        "",
        "![Accepted draws, two parameters at a time](pairs.png)",
        "",
    ]
    return "\n".join(lines)
