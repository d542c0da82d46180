"""How far must Australia's commitment fall for its leader to skip the 2024 summit?

    python experiments/try_hindcast_australia.py            # 50 replications per value

In 2024 Australia alone sent its deputy to the NATO summit. That is a measured value of
the hindcast, not a pattern (docs/calibration.md, 8.1: one absence in twelve invitations,
which a model at the record's base rate shows in about 6% of runs). This script reruns
``scenarios/hindcast_2019.yaml`` with Australia's 2024 commitment (the input the record
grounds: domestic criticism of NATO ties) set lower and lower, and counts in how many
replications Australia sends less than its leader, the other three send theirs, and
seven or eight of the eight IP4 invitations of 2022-2023 were answered by the leader.
Attending grows more valuable to every partner from 2022 to 2024 (standing and threat
rise), so only a commitment well below the packaged 0.75 keeps Australia's leader home.
"""

from __future__ import annotations

import sys
from pathlib import Path

from latticesim import load_scenario
from latticesim.sweeps import hindcast as hc

ROOT = Path(__file__).resolve().parents[1]
VALUES = (0.75, 0.6, 0.5, 0.4, 0.3, 0.2)


def with_australia_commitment(spec, value: float):
    """The hindcast with the 2024Q3 Australian commitment event set to ``value``."""
    data = spec.model_dump(mode="json", by_alias=True)
    for event in data["events"]:
        if event["type"] == "commitment" and event["actor"] == "Australia":
            event["value"] = value
    return type(spec).model_validate(data)


def main(argv: list[str] | None = None) -> int:
    seeds = range(int(argv[0]) if argv else 50)
    spec = load_scenario(ROOT / "scenarios" / "hindcast_2019.yaml")
    print(
        "| Australia's commitment in 2024 | Australia below head | other three at head "
        "| both (the 2024 record) | seven of eight at head 2022-2023 |"
    )
    print("|---|---|---|---|---|")
    for value in VALUES:
        runs = [hc.evaluate(with_australia_commitment(spec, value), s) for s in seeds]
        below = sum(r.values["australia_level_2024"] < hc.LEVEL_ORDER["head"] for r in runs)
        others = sum(r.values["ip4_heads_2024"] == 3 for r in runs)
        both = sum(
            r.values["australia_level_2024"] < hc.LEVEL_ORDER["head"]
            and r.values["ip4_heads_2024"] == 3
            for r in runs
        )
        early = sum(r.holds["ip4_heads_2022_2023"] for r in runs)
        n = len(runs)
        print(
            f"| {value:.2f} | {below / n:.2f} | {others / n:.2f} | {both / n:.2f} "
            f"| {early / n:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
