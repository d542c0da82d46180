"""Scenario contrasts on paired seeds: the numbers and figures of the teaching notes.

    python experiments/try_contrasts.py                  # every contrast, 30 paired seeds
    python experiments/try_contrasts.py --only taiwan_crisis --seeds 10

Each contrast runs two or more scenarios with the same seeds (replication r of every arm
draws the same random streams), measures each run by a few metrics over a window of
quarters, and reports the mean paired difference from the reference arm with its 95%
confidence interval (Student's t over the seeds). Because the noise common to both arms
cancels in a paired difference, 30 seeds measure differences far smaller than the
spread of either arm.

Every arm runs its scenario as the file says: at the package's defaults, which are the
values calibrated on the 2019-2024 hindcast (docs/calibration.md, section 8), unless the
file sets parameters of its own. Writes ``experiments/try_contrasts_results/contrasts.csv``
and ``contrasts.md`` (every difference), and one figure per contrast,
``docs/figures/<scenario>_contrast.png``: on the left each arm's median over time with its
10-90% band, on the right the paired differences with their intervals. Runs in this
process, one run at a time (about a minute for all).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from latticesim import load_scenario, simulate  # noqa: E402
from latticesim.common.quarters import decimal_years
from latticesim.sweeps.hindcast import LEVEL_ORDER
from latticesim.sweeps.stats import mean_ci, paired_differences
from latticesim.world.actors import actor_table, group_members
from latticesim.world.names import IP4

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
OUT = ROOT / "experiments" / "try_contrasts_results"
FIGURES = ROOT / "docs" / "figures"
FORUMS = ("NATO", "NATO+IP4", "G7", "EU", "EU-US TTC", "Quad", "AUKUS", "US-Japan-ROK")

Tables = dict[str, pd.DataFrame]
Window = tuple[str, str]  # first and last quarter, both included


# --------------------------------------------------------------------------- metrics


def _between(frame: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    """The rows dated in [first, last] (quarters as text sort as time does)."""
    return frame[frame["date"].between(first, last)]


def coded(meetings: pd.DataFrame, forum: str, dimension: str, first: str, last: str) -> float:
    """Mean coded strength of a forum's texts on a dimension over [first, last].

    Coded as the hindcast codes the record: an adopted text is its strength, a meeting
    that met but agreed nothing on the dimension says nothing (0). Meetings that did not
    meet are left out; NaN if none met.
    """
    rows = _between(meetings[(meetings["forum"] == forum) & meetings["met"]], first, last)
    if rows.empty:
        return float("nan")
    return float(rows[f"strength_{dimension}"].fillna(0.0).mean())


def adopted_share(items: pd.DataFrame, forum: str, dimension: str, first: str, last: str) -> float:
    """Share of a forum's items on a dimension that were adopted over [first, last]."""
    rows = _between(
        items[(items["forum"] == forum) & (items["dimension"] == dimension)], first, last
    )
    return float(rows["adopted"].mean()) if len(rows) else float("nan")


def model_mean(model: pd.DataFrame, column: str, first: str, last: str) -> float:
    """Mean of a model-table column over [first, last] (NaN where a forum is gone)."""
    rows = _between(model, first, last)
    return float(rows[column].mean()) if column in rows else float("nan")


def actor_mean(
    actors: pd.DataFrame, who: tuple[str, ...], column: str, first: str, last: str
) -> float:
    """Mean of a per-actor column over a group and [first, last]: a threat, a standing."""
    return float(_between(actors[actors["actor"].isin(who)], first, last)[column].mean())


def attendance_level(
    attendance: pd.DataFrame, actor: str, forum: str, first: str, last: str
) -> float:
    """Mean level an actor sends to a forum's meetings over [first, last] (0 absent, 3 head)."""
    mine = attendance[(attendance["actor"] == actor) & (attendance["forum"] == forum)]
    rows = _between(mine, first, last)
    return float(rows["level"].astype(str).map(LEVEL_ORDER).mean()) if len(rows) else float("nan")


def founded(log: pd.DataFrame, by: str) -> float:
    """Forums founded by blocked groups: by the IP4 (all four or some of them, and no one
    else) or by a European group (no IP4 member among its founders)."""
    subjects = log.loc[log["kind"] == "forum_founded", "subject"]
    groups = [set(s.split("-")) for s in subjects]
    if by == "ip4":
        return float(sum(g == {"IP4"} or g <= IP4_CODES for g in groups))
    return float(sum(g != {"IP4"} and not g & IP4_CODES for g in groups))


def leads(model: pd.DataFrame, forum: str, first: str, last: str) -> float:
    """Share of quarters in [first, last] in which a forum is the leading platform."""
    return float((_between(model, first, last)["leading_platform"] == forum).mean())


@dataclass
class Metric:
    """One number per run, and (optionally) a quarterly series for the figure."""

    name: str
    label: str
    value: Callable[[Tables], float]
    series: Callable[[Tables], pd.Series] | None = None
    plotted: bool = True  # in the figure's differences (counts and levels: table only)


@dataclass
class Contrast:
    """Arms (scenario files, the first the reference) and the metrics compared."""

    name: str
    title: str
    arms: tuple[str, ...]
    metrics: tuple[Metric, ...]
    actors: bool = False  # whether a metric needs the per-actor table


def _model_series(column: str) -> Callable[[Tables], pd.Series]:
    return lambda t: t["model"].set_index("date")[column]


def _forum_series(forum: str, dimension: str) -> Callable[[Tables], pd.Series]:
    def series(t: Tables) -> pd.Series:
        m = t["meetings"]
        rows = m[(m["forum"] == forum) & m["met"]].set_index("date")
        return rows[f"strength_{dimension}"].fillna(0.0)

    return series


LATE = ("2027Q1", "2033Q4")
MID = ("2025Q1", "2030Q4")
LONG = ("2025Q1", "2033Q4")
SUMMIT_2025 = ("2025Q2", "2025Q2")


def _model_metric(
    name: str, label: str, column: str, window: Window = LATE, series=False, plotted=True
) -> Metric:
    """A model-table column's mean over ``window``, with its quarterly series if asked."""
    return Metric(
        name,
        label,
        lambda t: model_mean(t["model"], column, *window),
        _model_series(column) if series else None,
        plotted,
    )


def _coded_metric(
    name: str, label: str, forum: str, dimension: str, window: Window, series: bool = True
) -> Metric:
    """A forum's mean coded text on a dimension over ``window``, with its series if asked."""
    return Metric(
        name,
        label,
        lambda t: coded(t["meetings"], forum, dimension, *window),
        _forum_series(forum, dimension) if series else None,
    )


def _adopted_metric(
    name: str, label: str, forum: str, dimension: str, window: Window, plotted: bool = True
) -> Metric:
    """The share of a forum's items on a dimension adopted over ``window``."""
    return Metric(
        name, label, lambda t: adopted_share(t["items"], forum, dimension, *window), plotted=plotted
    )


def _founded_metric(by: str) -> Metric:
    """Forums founded by the IP4 (``ip4``) or by European groups (``europe``): table only."""
    who = "the IP4" if by == "ip4" else "European groups"
    return Metric(
        f"{by}_founded", f"forums founded by {who}", lambda t: founded(t["log"], by), plotted=False
    )


IP4_CODES = {r.iso3 for r in actor_table() if r.name in IP4}
EUROPE = ("France", "Germany", "United Kingdom", "Italy", "Poland")
EUROPEAN_ALLIES = tuple(sorted(set(group_members("nato", 2024)) - {"United States", "Canada"}))

CONTRASTS: dict[str, Contrast] = {
    "us_retrenchment": Contrast(
        "us_retrenchment",
        "US pivot against US retrenchment (and the baseline), 2027-2033",
        ("us_pivot.yaml", "us_retrenchment.yaml", "baseline_2024.yaml"),
        (
            _model_metric("share_NATO", "NATO's share of standing", "share_NATO", series=True),
            _model_metric(
                "ip4_standing_NATO+IP4",
                "IP4's standing of NATO+IP4",
                "ip4_standing_NATO+IP4",
                series=True,
            ),
            _model_metric("share_NATO+IP4", "NATO+IP4's share of standing", "share_NATO+IP4"),
            _model_metric("ip4_standing", "IP4's mean standing of their forums", "ip4_standing"),
            _model_metric(
                "leading_share",
                "the leading platform's share of standing",
                "leading_platform_share",
            ),
            _model_metric(
                "coordination", "coordination index (NATO and IP4)", "coordination_index"
            ),
            _model_metric("linkage", "linkage of the two theatres", "linkage"),
            Metric(
                "nato_standing_europe",
                "NATO's standing with its European allies",
                lambda t: actor_mean(t["actors"], EUROPEAN_ALLIES, "standing_NATO", *LATE),
            ),
            Metric(
                "us_standing_nato",
                "the US's standing of NATO",
                lambda t: actor_mean(t["actors"], ("United States",), "standing_NATO", *LATE),
            ),
            Metric(
                "us_level_nato",
                "US level at NATO meetings (0-3)",
                lambda t: attendance_level(t["attendance"], "United States", "NATO", *LATE),
                plotted=False,
            ),
            _adopted_metric(
                "nato_ip4_reach_adopted",
                "share of NATO+IP4 reach items adopted, 2025-2033",
                "NATO+IP4",
                "global_reach",
                LONG,
                plotted=False,
            ),
            _founded_metric("ip4"),
            _founded_metric("europe"),
        ),
        actors=True,
    ),
    "france_autonomy": Contrast(
        "france_autonomy",
        "France's line softened against hardened: NATO on global reach, 2025-2033",
        ("france_autonomy_soft.yaml", "france_autonomy.yaml", "baseline_2024.yaml"),
        (
            _coded_metric(
                "nato_reach",
                "NATO's coded global_reach text (0 if none)",
                "NATO",
                "global_reach",
                LONG,
            ),
            _adopted_metric(
                "nato_reach_adopted",
                "share of NATO reach items adopted",
                "NATO",
                "global_reach",
                LONG,
            ),
            _coded_metric(
                "nato_ip4_reach",
                "NATO+IP4's coded global_reach text",
                "NATO+IP4",
                "global_reach",
                LONG,
            ),
            Metric(
                "tokyo_adopted",
                "Tokyo office adopted (2025)",
                lambda t: float(
                    t["items"][t["items"]["item"].str.contains("Tokyo")]["adopted"].any()
                ),
            ),
            _model_metric(
                "ip4_standing_NATO+IP4",
                "IP4's standing of NATO+IP4, 2027-2033",
                "ip4_standing_NATO+IP4",
                plotted=False,
            ),
            Metric(
                "nato_ip4_leads",
                "NATO+IP4 leading platform, share of quarters 2027-2033",
                lambda t: leads(t["model"], "NATO+IP4", *LATE),
                plotted=False,
            ),
            _founded_metric("ip4"),
        ),
    ),
    "taiwan_crisis": Contrast(
        "taiwan_crisis",
        "Taiwan crisis against the baseline: China language by forum, 2027Q1-2028Q4",
        ("baseline_2024.yaml", "taiwan_crisis.yaml"),
        tuple(
            _coded_metric(
                f"china_{forum}",
                forum,
                forum,
                "china_stance",
                ("2027Q1", "2028Q4"),
                series=forum in ("NATO", "G7", "Quad"),
            )
            for forum in FORUMS
        ),
    ),
    "russia_dprk": Contrast(
        "russia_dprk",
        "Russia-North Korea cooperation against the baseline, 2025-2030",
        ("baseline_2024.yaml", "russia_dprk.yaml"),
        (
            Metric(
                "threat_nk_ip4",
                "IP4's threat from North Korea",
                lambda t: actor_mean(t["actors"], IP4, "threat_north_korea", *MID),
            ),
            Metric(
                "threat_nk_europe",
                "five Europeans' threat from North Korea",
                lambda t: actor_mean(t["actors"], EUROPE, "threat_north_korea", *MID),
            ),
            _coded_metric(
                "nato_ip4_reach",
                "NATO+IP4's coded global_reach text",
                "NATO+IP4",
                "global_reach",
                MID,
            ),
            _model_metric(
                "coordination",
                "coordination index (NATO and IP4)",
                "coordination_index",
                MID,
                series=True,
            ),
        ),
        actors=True,
    ),
    "china_enabler": Contrast(
        "china_enabler",
        "China's support for Russia falling or rising, against the baseline, 2025-2030",
        ("baseline_2024.yaml", "china_enabler.yaml", "china_enabler_falls.yaml"),
        (
            _coded_metric("nato_china", "NATO's coded China text", "NATO", "china_stance", MID),
            _coded_metric("eu_china", "EU's coded China text", "EU", "china_stance", MID),
            Metric(
                "threat_china_europe",
                "five Europeans' threat from China",
                lambda t: actor_mean(t["actors"], EUROPE, "threat_china", *MID),
            ),
            _model_metric("share_NATO", "NATO's share of standing", "share_NATO", MID),
        ),
        actors=True,
    ),
    "ip4_standalone": Contrast(
        "ip4_standalone",
        "IP4 ministers meeting on their own against the baseline, 2025-2033",
        ("baseline_2024.yaml", "ip4_standalone.yaml"),
        (
            _model_metric(
                "ip4_standing",
                "IP4's mean standing of their forums",
                "ip4_standing",
                LONG,
                series=True,
            ),
            _model_metric(
                "share_NATO+IP4",
                "NATO+IP4's share of standing",
                "share_NATO+IP4",
                LONG,
                series=True,
            ),
            _model_metric("linkage", "linkage of the two theatres", "linkage", LONG, series=True),
            Metric(
                "founded",
                "a forum founded by a blocked group",
                lambda t: float((t["log"]["kind"] == "forum_founded").any()),
            ),
        ),
    ),
    "spoilers": Contrast(
        "spoilers",
        "Hungary and Slovakia blocking against the baseline, 2025-2030",
        ("baseline_2024.yaml", "spoilers.yaml"),
        (
            _coded_metric("nato_china", "NATO's coded China text", "NATO", "china_stance", MID),
            _adopted_metric(
                "nato_china_adopted",
                "share of NATO China items adopted",
                "NATO",
                "china_stance",
                MID,
            ),
            _coded_metric(
                "eu_china", "EU's coded China text (majority rule)", "EU", "china_stance", MID
            ),
            _model_metric("share_NATO", "NATO's share of standing", "share_NATO", MID),
            _founded_metric("europe"),
            _founded_metric("ip4"),
            Metric(
                "g7_leads_end",
                "G7 the leading platform at the end (2033Q4)",
                lambda t: leads(t["model"], "G7", "2033Q4", "2033Q4"),
                plotted=False,
            ),
            Metric(
                "nato_ip4_leads_end",
                "NATO+IP4 the leading platform at the end (2033Q4)",
                lambda t: leads(t["model"], "NATO+IP4", "2033Q4", "2033Q4"),
                plotted=False,
            ),
        ),
    ),
    "economic_security": Contrast(
        "economic_security",
        "Economic security by forum against the baseline: 2025 texts and 2025-2030 means",
        ("baseline_2024.yaml", "economic_security.yaml"),
        (
            _coded_metric(
                "econ_G7_2025",
                "G7's 2025 text on economic security",
                "G7",
                "economic_security",
                SUMMIT_2025,
            ),
            _coded_metric(
                "econ_TTC_2025",
                "TTC's 2025 text on economic security",
                "EU-US TTC",
                "economic_security",
                SUMMIT_2025,
                series=False,
            ),
            _coded_metric(
                "econ_EU",
                "EU's texts on economic security, 2025-2030",
                "EU",
                "economic_security",
                MID,
            ),
            _coded_metric(
                "econ_G7",
                "G7's texts on economic security, 2025-2030",
                "G7",
                "economic_security",
                MID,
                series=False,
            ),
        ),
    ),
}


# --------------------------------------------------------------------------- running


def run_contrast(c: Contrast, seeds: range) -> tuple[pd.DataFrame, dict[str, dict]]:
    """Every arm on every seed: metric values (one row per arm and seed) and series."""
    specs = {arm: load_scenario(SCENARIOS / arm) for arm in c.arms}
    rows = []
    series: dict[str, dict[str, list[pd.Series]]] = {arm: {} for arm in c.arms}
    for seed in seeds:
        for arm, spec in specs.items():
            tables = simulate(spec, seed, record_actors=c.actors).recorder.frames()
            row = {"arm": arm, "seed": seed}
            for m in c.metrics:
                row[m.name] = m.value(tables)
                if m.series is not None:
                    series[arm].setdefault(m.name, []).append(m.series(tables))
            rows.append(row)
    return pd.DataFrame(rows), series


def differences(c: Contrast, values: pd.DataFrame) -> pd.DataFrame:
    """Paired differences of every arm from the reference arm, per metric."""
    ref = values[values["arm"] == c.arms[0]].set_index("seed")
    out = []
    for arm in c.arms[1:]:
        other = values[values["arm"] == arm].set_index("seed")
        for m in c.metrics:
            d = paired_differences(ref[m.name], other[m.name])
            mean, lo, hi = mean_ci(d.to_numpy())
            out.append(
                {
                    "contrast": c.name,
                    "arm": arm.removesuffix(".yaml"),
                    "reference": c.arms[0].removesuffix(".yaml"),
                    "metric": m.name,
                    "label": m.label,
                    "reference_mean": float(ref[m.name].mean()),
                    "arm_mean": float(other[m.name].mean()),
                    "difference": mean,
                    "ci_low": lo,
                    "ci_high": hi,
                    "seeds": int(d.size),
                }
            )
    return pd.DataFrame(out)


def figure(c: Contrast, diffs: pd.DataFrame, series: dict, path: Path) -> Path:
    """Arms over time (median, 10-90% band) and paired differences with 95% CIs."""
    with_series = [m for m in c.metrics if m.series is not None][:2]
    diffs = diffs[diffs["metric"].isin([m.name for m in c.metrics if m.plotted])]
    ncols = len(with_series) + 1
    height = max(4.2, 0.3 * len(diffs) + 1.2)
    fig, axes = plt.subplots(1, ncols, figsize=(5.2 * ncols, height), squeeze=False)
    axes = axes[0]
    colours = plt.get_cmap("tab10")
    for k, m in enumerate(with_series):
        ax = axes[k]
        for a, arm in enumerate(c.arms):
            frame = pd.concat(series[arm][m.name], axis=1).sort_index()
            x = decimal_years(frame.index)
            lo, hi = frame.quantile(0.1, axis=1), frame.quantile(0.9, axis=1)
            ax.fill_between(x, lo, hi, color=colours(a), alpha=0.15, lw=0)
            ax.plot(x, frame.median(axis=1), color=colours(a), label=arm.removesuffix(".yaml"))
        ax.set_title(m.label, fontsize=10)
        ax.set_xlabel("year")
        ax.legend(fontsize=7)
    ax = axes[-1]
    labels = [f"{r.label}\n({r.arm} - {r.reference})" for r in diffs.itertuples()]
    y = np.arange(len(diffs))[::-1]
    mean = diffs["difference"]
    xerr = [mean - diffs["ci_low"], diffs["ci_high"] - mean]
    ax.errorbar(mean, y, xerr=xerr, fmt="o", color="k", capsize=3)
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_yticks(y, labels, fontsize=6.5)
    ax.set_title(
        f"paired difference, mean and 95% CI ({int(diffs['seeds'].max())} seeds)", fontsize=10
    )
    fig.suptitle(c.title, fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def markdown(diffs: pd.DataFrame) -> str:
    """All differences as a Markdown table."""
    lines = [
        "| contrast | arm - reference | metric | reference | arm | difference [95% CI] |",
        "|---|---|---|---|---|---|",
    ]
    for r in diffs.itertuples():
        lines.append(
            f"| {r.contrast} | {r.arm} - {r.reference} | {r.label} | {r.reference_mean:.3f} "
            f"| {r.arm_mean:.3f} | {r.difference:+.3f} [{r.ci_low:+.3f}, {r.ci_high:+.3f}] |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=30, help="paired seeds per arm")
    parser.add_argument("--only", nargs="*", choices=list(CONTRASTS), help="some contrasts")
    args = parser.parse_args(argv)
    chosen = args.only or list(CONTRASTS)
    all_diffs = []
    for name in chosen:
        c = CONTRASTS[name]
        t0 = time.perf_counter()
        values, series = run_contrast(c, range(args.seeds))
        diffs = differences(c, values)
        figure(c, diffs, series, FIGURES / f"{name}_contrast.png")
        all_diffs.append(diffs)
        print(f"{name}: {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    diffs = pd.concat(all_diffs, ignore_index=True)
    OUT.mkdir(parents=True, exist_ok=True)
    stem = "contrasts" if not args.only else f"contrasts_{'_'.join(chosen)}"
    diffs.to_csv(OUT / f"{stem}.csv", index=False)
    (OUT / f"{stem}.md").write_text(markdown(diffs) + "\n", encoding="utf-8")
    print(markdown(diffs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
