"""Comparisons: common random numbers, paired differences, the table and the figure."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from latticesim.cli import main
from latticesim.scenario.messages import ScenarioError
from latticesim.sweeps.compare import CompareError, compare
from latticesim.sweeps.designs import replication_seed
from latticesim.sweeps.stats import mean_ci
from latticesim.sweeps.store import open_sweep

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2024.yaml"
PIVOT = ROOT / "scenarios" / "us_pivot.yaml"


# --------------------------------------------------------------------- comparisons


@pytest.fixture(scope="module")
def pivot_vs_base(tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp") / "out"
    result = compare([BASELINE, PIVOT], 5, out, seed=3, until="2029Q4", workers=1)
    return result


def test_arms_share_their_seeds_replication_by_replication(pivot_vs_base):
    arms = sorted((pivot_vs_base.out / "arms").iterdir())
    assert [a.name for a in arms] == ["00-baseline_2024", "01-us_pivot"]
    seeds = [open_sweep(a).runs()["seed"].tolist() for a in arms]
    assert seeds[0] == seeds[1] == [replication_seed(3, r) for r in range(5)]


def test_the_table_holds_bands_and_paired_differences(pivot_vs_base):
    table = pivot_vs_base.table
    assert set(table["arm"]) == {"baseline_2024", "us_pivot"}
    row = table[(table["metric"] == "share_NATO") & (table["arm"] == "us_pivot")].iloc[0]
    arms = sorted((pivot_vs_base.out / "arms").iterdir())
    base, pivot = (open_sweep(a).runs().set_index("replication")["share_NATO"] for a in arms)
    d = pivot - base
    assert row["diff_mean"] == pytest.approx(d.mean())
    assert (row["diff_lo"], row["diff_hi"]) == pytest.approx(mean_ci(d.to_numpy())[1:])
    assert row["n_pairs"] == 5 and row["vs"] == "baseline_2024"
    assert row["diff_hi"] < 0  # the pivot costs NATO standing, in every replication
    assert row["share_higher"] == 0.0
    assert row["p10"] <= row["median"] <= row["p90"]
    base_row = table[(table["metric"] == "share_NATO") & (table["arm"] == "baseline_2024")]
    assert base_row["vs"].isna().all() and base_row["n_pairs"].iloc[0] == 0


def test_the_comparison_writes_csv_markdown_figures_and_a_manifest(pivot_vs_base):
    out = pivot_vs_base.out
    csv = pd.read_csv(out / "compare.csv")
    assert {"metric", "arm", "median", "p10", "p90", "diff_mean", "diff_lo", "diff_hi"} <= set(
        csv.columns
    )
    md = (out / "compare.md").read_text()
    assert "| metric | baseline_2024: median [p10, p90] |" in md
    assert "us_pivot - baseline_2024: mean [95% CI]" in md and "`share_NATO`" in md
    for suffix in ("png", "svg"):
        assert (out / "figures" / f"compare.{suffix}").stat().st_size > 10_000
    manifest = json.loads((out / "compare.json").read_text())
    assert manifest["replications"] == 5 and manifest["end"] == "2029Q4"
    assert [a["name"] for a in manifest["arms"]] == ["baseline_2024", "us_pivot"]
    assert len(manifest["arms"][0]["scenario_sha256"]) == 64


def test_a_scenario_compared_with_itself_differs_by_exactly_nothing(tmp_path):
    result = compare(
        [PIVOT, PIVOT],
        3,
        tmp_path / "same",
        until="2025Q4",
        workers=1,
        metrics=["share_NATO", "linkage"],
        figures=False,
    )
    assert result.arms == ["us_pivot", "us_pivot (2)"]
    other = result.table[result.table["arm"] == "us_pivot (2)"]
    assert (other["diff_mean"] == 0).all() and (other["diff_lo"] == 0).all()


def test_a_comparison_resumes_and_is_the_same(pivot_vs_base, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(pivot_vs_base.out, out)
    shutil.rmtree(out / "arms" / "01-us_pivot" / "runs")
    (out / "arms" / "01-us_pivot" / "runs").mkdir()
    again = compare([BASELINE, PIVOT], 5, out, seed=3, until="2029Q4", workers=1)
    pd.testing.assert_frame_equal(again.table, pivot_vs_base.table)


def test_bad_requests_get_one_line(tmp_path, capsys):
    with pytest.raises(CompareError, match="at least two"):
        compare([PIVOT], 3, tmp_path / "a")
    with pytest.raises(CompareError, match="did you mean 'share_NATO'"):
        compare([BASELINE, PIVOT], 3, tmp_path / "b", metrics=["share_NAT0"])
    with pytest.raises(CompareError, match="holds text"):
        compare([BASELINE, PIVOT], 3, tmp_path / "c", metrics=["leading_platform"])
    with pytest.raises(ScenarioError):
        compare(
            [BASELINE, ROOT / "tests" / "bad_scenarios" / "actor_misspelt.yaml"], 3, tmp_path / "d"
        )
    args = [
        "compare",
        str(BASELINE),
        str(PIVOT),
        "--out",
        str(tmp_path / "e"),
        "--metrics",
        "coordination_indx",
        "--quiet",
    ]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "--metrics: unknown column 'coordination_indx' of the model table; "
        "did you mean 'coordination_index'?"
    )


def test_compare_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "cli"
    args = [
        "compare",
        str(BASELINE),
        str(PIVOT),
        "--replications",
        "2",
        "--until",
        "2024Q4",
        "--out",
        str(out),
        "--workers",
        "1",
        "--metrics",
        "share_NATO,coordination_index",
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "`share_NATO`" in printed and f"-> {out}/" in printed
    assert (out / "compare.md").is_file()
