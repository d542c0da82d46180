"""Each shipped scenario's effect on coordination, on paired seeds: the table of the notes.

    python experiments/coordination_effects.py               # every scenario, 30 seeds
    python experiments/coordination_effects.py --only us_pivot --seeds 10

For every scenario that extends the baseline, runs it and ``baseline_2024`` with the same
seeds (replication r of both arms draws the same random streams) and measures each run
by the mean of joint coordination and of the coordination index (docs/odd.md 7.10) over
the quarters from the scenario's first event to its horizon. Prints, as the Markdown
table of ``docs/scenarios/README.md`` ("Coordination"), the mean paired difference from
the baseline with its 95% interval (Student's t over the seeds), and the direction each
note claims (read from that table). ``tests/scenario/test_coordination_claims.py``
reruns the claimed rows and checks each claim against its interval.
"""

from __future__ import annotations

import argparse
import re
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from latticesim import load_scenario, simulate
from latticesim.scenario.schema import ScenarioSpec
from latticesim.sweeps.stats import mean_ci

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
README = ROOT / "docs" / "scenarios" / "README.md"
BASELINE = "baseline_2024"
MEASURES = ("joint_coordination", "coordination_index")
HEADING = "## Coordination: what the notes claim"
WORDS = {"higher": 1, "lower": -1}

Effect = tuple[float, float, float]  # mean paired difference and its 95% interval


def first_event(spec: ScenarioSpec) -> str:
    """The date from which a scenario differs from the baseline: its first event."""
    return min((str(e.date) for e in spec.events), default=str(spec.start))


@cache
def measured(name: str, seed: int) -> pd.DataFrame:
    """One run's measures by quarter (kept: every scenario is compared with one baseline)."""
    spec = load_scenario(SCENARIOS / f"{name}.yaml")
    rows = pd.DataFrame(simulate(spec, seed, record_actors=False).recorder.model_rows)
    return rows[["date", *MEASURES]]


def window_means(name: str, seed: int, start: str) -> dict[str, float]:
    """One run's mean of each measure over the quarters from ``start`` on."""
    rows = measured(name, seed)
    late = rows[rows["date"] >= start]
    return {m: float(late[m].mean()) for m in MEASURES}


def effects(name: str, seeds: int = 30) -> tuple[str, dict[str, Effect]]:
    """The scenario's first event and its paired effects on each measure, from the baseline."""
    start = first_event(load_scenario(SCENARIOS / f"{name}.yaml"))
    diffs: dict[str, list[float]] = {m: [] for m in MEASURES}
    for seed in range(seeds):
        arm, ref = window_means(name, seed, start), window_means(BASELINE, seed, start)
        for m in MEASURES:
            diffs[m].append(arm[m] - ref[m])
    return start, {m: mean_ci(np.array(d)) for m, d in diffs.items()}


def claims(readme: Path = README) -> dict[str, dict[str, int]]:
    """The direction each note claims for each measure (+1 higher, -1 lower), by scenario.

    Read from the table under :data:`HEADING`: its rows are
    ``| `scenario` | from | effect | claim | effect | claim |`` with a claim of
    ``higher``, ``lower`` or nothing, the measures in the order of :data:`MEASURES`.
    """
    text = readme.read_text(encoding="utf-8")
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    out: dict[str, dict[str, int]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        found = re.fullmatch(r"`(\w+)\.yaml`", cells[0]) if len(cells) == 6 else None
        if found:
            said = {m: WORDS.get(cells[3 + 2 * k]) for k, m in enumerate(MEASURES)}
            out[found.group(1)] = {m: d for m, d in said.items() if d is not None}
    return out


def _cell(effect: Effect) -> str:
    mean, lo, hi = effect
    return f"{mean:+.3f} [{lo:+.3f}, {hi:+.3f}]"


def main() -> None:
    """Print the table, every scenario that extends the baseline or those named."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    names = args.only or sorted(
        p.stem
        for p in SCENARIOS.glob("*.yaml")
        if p.stem != BASELINE and "extends: baseline_2024.yaml" in p.read_text(encoding="utf-8")
    )
    said = claims() if HEADING in README.read_text(encoding="utf-8") else {}
    print("| scenario | from | joint coordination | claim | coordination index | claim |")
    print("|---|---|---|---|---|---|")
    for name in names:
        start, found = effects(name, args.seeds)
        words = {d: w for w, d in WORDS.items()}
        claim = [words.get(said.get(name, {}).get(m), "") for m in MEASURES]
        print(
            f"| `{name}.yaml` | {start} | {_cell(found[MEASURES[0]])} | {claim[0]} "
            f"| {_cell(found[MEASURES[1]])} | {claim[1]} |"
        )


if __name__ == "__main__":
    main()
