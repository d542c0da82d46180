"""Derive the hindcast's 2019 actor values from the 2024 snapshot, and check the file.

    python experiments/hindcast_inputs.py            # print the rule's actors: block (YAML)
    python experiments/hindcast_inputs.py --check    # compare it with hindcast_2019.yaml

The packaged positions and saliences describe 2024 and already carry 2024's threat
(docs/calibration.md, section 1). A hindcast from 2019 needs the values of 2019. The
rule used (docs/calibration.md, section 8.2): replay the hindcast's events from 2019Q1
to 2024Q3 at the package's default parameters with the packaged values, no domestic
noise and no changes of government, and measure how far the threat mechanism moved
each actor's own view (anchor) and salience on each dimension; the 2019 value is the
2024 value less that rise, rounded to 0.05 and floored at 0.05. Replayed forward, the
threat the events add brings the 2019 values back to about the 2024 snapshot.

``--check`` lists every value of the scenario file's ``actors:`` block that differs
from the rule (the judgement overrides documented in the file and in section 8.2) and
writes the full comparison to ``experiments/hindcast_results/inputs_2019.csv``. It exits
with status 1 if the file misses an actor the rule covers.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from latticesim import load_scenario, simulate
from latticesim.scenario.parameters import Parameters
from latticesim.scenario.schema import ScenarioSpec
from latticesim.world.actors import packaged_positions

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "hindcast_2019.yaml"
OUT = ROOT / "experiments" / "hindcast_results"


def _round(x: float) -> float:
    return round(max(0.05, x) * 20) / 20


def derive(spec: ScenarioSpec) -> pd.DataFrame:
    """The rule's 2019 value of every actor's position and salience on every dimension."""
    data = spec.model_dump(mode="json", by_alias=True)
    data["actors"] = {}
    data["events"] = [e for e in data["events"] if e["type"] != "government_change"]
    data["parameters"] = Parameters(domestic_noise=0.0).model_dump(mode="json")
    replay = type(spec).model_validate(data)
    model = simulate(replay, 1, until="2024Q3", record_actors=False)
    s = model.state
    packaged = packaged_positions()
    rows = []
    for i, actor in enumerate(model.actor_names):
        if model.region[i] == 2:  # adversaries have fixed positions
            continue
        for k, dim in enumerate(model.dimensions):
            pos24, sal24 = packaged[(actor, dim)]
            rise = float(s.anchor[i, k] - s.base_anchor[i, k])
            sal_rise = float(s.salience[i, k] - s.base_salience[i, k])
            rows.append(
                {
                    "actor": actor,
                    "dimension": dim,
                    "position_2024": pos24,
                    "threat_rise": round(rise, 3),
                    "position_rule": _round(pos24 - rise),
                    "salience_2024": sal24,
                    "salience_rise": round(sal_rise, 3),
                    "salience_rule": _round(sal24 - sal_rise),
                }
            )
    return pd.DataFrame(rows)


def yaml_block(rule: pd.DataFrame) -> str:
    """The rule's values as the scenario file's ``actors:`` block."""
    lines = ["actors:"]
    for actor, rows in rule.groupby("actor", sort=False):
        pos = ", ".join(f"{r.dimension}: {r.position_rule:.2f}" for r in rows.itertuples())
        sal = ", ".join(f"{r.dimension}: {r.salience_rule:.2f}" for r in rows.itertuples())
        lines += [f"  {actor}:", f"    position: {{{pos}}}", f"    salience: {{{sal}}}"]
    return "\n".join(lines)


def compare(spec: ScenarioSpec, rule: pd.DataFrame) -> pd.DataFrame:
    """The file's 2019 values beside the rule's; ``source`` says rule or judgement."""
    out = rule.copy()
    file_pos, file_sal, missing = [], [], []
    for r in rule.itertuples():
        o = spec.actors.get(r.actor)
        if o is None:
            missing.append(r.actor)
        file_pos.append(o.position.get(r.dimension) if o else None)
        file_sal.append(o.salience.get(r.dimension) if o else None)
    out["position_2019"] = file_pos
    out["salience_2019"] = file_sal
    same = (out["position_2019"].sub(out["position_rule"]).abs() < 1e-9) & (
        out["salience_2019"].sub(out["salience_rule"]).abs() < 1e-9
    )
    out["source"] = ["rule" if s else "judgement" for s in same]
    out.attrs["missing"] = sorted(set(missing))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the scenario file")
    args = parser.parse_args(argv)
    spec = load_scenario(SCENARIO)
    rule = derive(spec)
    if not args.check:
        print(yaml_block(rule))
        return 0
    table = compare(spec, rule)
    OUT.mkdir(parents=True, exist_ok=True)
    table.to_csv(OUT / "inputs_2019.csv", index=False)
    judged = table[table["source"] == "judgement"]
    cols = [
        "actor",
        "dimension",
        "position_2024",
        "position_rule",
        "position_2019",
        "salience_2024",
        "salience_rule",
        "salience_2019",
    ]
    print(judged[cols].to_string(index=False))
    missing = table.attrs["missing"]
    if missing:
        print(f"actors missing from the file: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
