"""Where the arms of a comparison part: checked against full runs and their chronicles."""

import re

import numpy as np
import pandas as pd
import pytest

from conftest import SCENARIOS
from latticesim import simulate
from latticesim.outputs.chronicle import chronicle_entries
from latticesim.sweeps.compare import compare
from latticesim.sweeps.designs import replication_seed
from latticesim.sweeps.divergence import CAUSE_KINDS, TOLERANCE, diverge, replication_divergence
from latticesim.sweeps.divergence_words import summary

BASELINE = SCENARIOS / "baseline_2024.yaml"
PIVOT = SCENARIOS / "us_pivot.yaml"
SEEDS = range(4)
MODEL_KINDS = {"leading_platform", "coordination"}  # chronicle lines of the model table


def _json(spec):
    return spec.model_dump(mode="json", by_alias=True)


def test_a_scenario_compared_with_itself_parts_nowhere(tmp_path):
    result = compare([PIVOT, PIVOT], 3, tmp_path / "same", until="2025Q4", workers=1, figures=False)
    text = (result.out / "divergence.md").read_text()
    assert "does not part from us_pivot in any of the 3 runs" in text
    assert "\n- In " not in text and "\n- In " not in (result.out / "compare.md").read_text()
    assert pd.read_csv(result.out / "divergence.csv").empty


def test_a_copy_under_another_name_is_run_and_never_parts(pivot):
    """Not the same file, so both arms run to the end, quarter by quarter, and agree."""
    copy = pivot.model_copy(update={"name": "copy"})
    assert replication_divergence([_json(pivot), _json(copy)], 7, "2027Q4") == []


def _quarter_table(tables, quarter):
    """A quarter of a full run's tables, as the divergence pass should see it."""
    items = tables["items"][tables["items"]["date"] == quarter]
    met = tables["meetings"][tables["meetings"]["date"] == quarter]
    att = tables["attendance"][tables["attendance"]["date"] == quarter]
    log = tables["log"][
        (tables["log"]["date"] == quarter) & ~tables["log"]["kind"].isin(CAUSE_KINDS)
    ]
    return (
        dict(zip(met["forum"], met["met"], strict=True)),
        {
            (f, d): (a, s if a else np.nan, tuple(b))
            for f, d, a, s, b in zip(
                items["forum"],
                items["dimension"],
                items["adopted"],
                items["strength"],
                items["blockers"],
                strict=True,
            )
        },
        dict(
            zip(zip(att["forum"], att["actor"], strict=True), att["level"].astype(str), strict=True)
        ),
        set(zip(log["kind"], log["subject"], log["text"], strict=True)),
    )


def _same(a, b):
    """Whether two quarters' tables agree as the divergence pass compares them."""
    if a[0] != b[0] or a[2] != b[2] or a[3] != b[3] or a[1].keys() != b[1].keys():
        return False
    for key, (adopted, strength, blockers) in a[1].items():
        other = b[1][key]
        if adopted != other[0] or set(blockers) != set(other[2]):
            return False
        if adopted and abs(strength - other[1]) > TOLERANCE:
            return False
    return True


@pytest.mark.parametrize("replication", SEEDS)
def test_the_pivot_parts_where_the_full_runs_first_differ(baseline, pivot, replication):
    """The first differing quarter of the full tables, and the chronicle not before it."""
    seed = replication_seed(1, replication)
    [(arm, first, rows)] = replication_divergence([_json(baseline), _json(pivot)], seed, None)
    assert arm == 1
    runs = [
        simulate(spec, seed, record_actors=False).recorder.frames() for spec in (baseline, pivot)
    ]
    quarters = runs[0]["model"]["date"].tolist()
    differ = next(
        q for q in quarters if not _same(_quarter_table(runs[0], q), _quarter_table(runs[1], q))
    )
    assert first == differ
    causes = [(q, d.detail) for q, d in rows if d.table == "cause"]
    assert causes and all(q <= first and "first step of the pivot" in t for q, t in causes)
    told = []
    for tables in runs:
        e = chronicle_entries(tables)
        e = e[~e["kind"].isin(CAUSE_KINDS | MODEL_KINDS)]
        told.append(list(zip(e["date"], e["text"], strict=True)))
    said = next(min(x[0], y[0]) for x, y in zip(*told, strict=False) if x != y)
    assert said >= first  # the chronicle says routine meetings without their strengths


def test_the_sentences_name_the_first_effects_in_their_quarter(baseline, pivot):
    seeds = list(SEEDS)
    rows = diverge([baseline, pivot], ["baseline_2024", "us_pivot"], len(seeds), 1, None)
    firsts = {}
    for r in seeds:
        s = replication_seed(1, r)
        [(_, first, _)] = replication_divergence([_json(baseline), _json(pivot)], s, None)
        firsts[r] = first
    [text] = summary(rows, ["baseline_2024", "us_pivot"], len(seeds))
    assert f"first in {min(firsts.values())}" in text
    assert "2025Q1: The United States shifted 20% of its attention" in text
    lines = [line for line in text.splitlines() if line.startswith("- In us_pivot, ")]
    for quarter in set(firsts.values()):
        # each run's first effects are named in their quarter, counted over the runs
        n = sum(q == quarter for q in firsts.values())
        counts = [
            int(m.group(1))
            for line in lines
            if (m := re.search(rf" in {quarter} in (\d+) of {len(seeds)} runs ", line))
        ]
        assert counts and max(counts) <= n
