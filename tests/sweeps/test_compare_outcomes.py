"""Outcomes by name in comparisons: the syntax, the file, the sets, and the numbers."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from latticesim import load_scenario, simulate
from latticesim.cli import main
from latticesim.sweeps.compare import CompareError, compare
from latticesim.sweeps.compare_outcomes import (
    OUTCOME_SETS,
    OutcomeSyntaxError,
    outcome_from_text,
    parse_option,
)
from latticesim.sweeps.compare_table import noisy_metrics
from latticesim.sweeps.comparefile import load_comparison
from latticesim.sweeps.designs import replication_seed
from latticesim.sweeps.schema import OutcomeSpec
from latticesim.sweeps.store import open_sweep
from latticesim.sweeps.sweepfile import SweepError
from latticesim.world.actors import group_members

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2024.yaml"
RETRENCH = ROOT / "scenarios" / "us_retrenchment.yaml"
SEED, REPS, UNTIL = 5, 3, "2029Q4"

OUTCOMES = {
    "nato_china": "meetings:NATO:strength_china_stance:mean",
    "nato_ukraine_max": "meetings:NATO:strength_ukraine_support:max:2025Q1..2026Q4",
    "france_blocked_meetings": {
        "table": "meetings",
        "forum": "NATO",
        "column": "blockers",
        "equals": "France",
        "stat": "sum",
    },
    "nato_held": "meetings:NATO::count",
    "nato_decided": "items:NATO:decided:sum",
    "france_blocked_items": "items:NATO:blockers=France:sum",
    "g7_adopted_share": "items:G7:adopted:mean:last8",
    "ip4_leaders": "attendance:NATO+IP4:ip4@head:mean",
    "japan_came": "attendance::Japan:sum:2026Q1..",
    "ip4_founded": "log:IP4:forum_founded:count",
    "ip4_year": "log:IP4:forum_founded:first_year",
    "nato_share": "model::share_NATO:mean:last4",
}


@pytest.fixture(scope="module")
def retrench(tmp_path_factory):
    out = tmp_path_factory.mktemp("outcomes") / "out"
    return compare(
        [BASELINE, RETRENCH],
        REPS,
        out,
        seed=SEED,
        until=UNTIL,
        outcomes=OUTCOMES,
        workers=1,
        figures=False,
    )


def _in(frame: pd.DataFrame, start: str | None = None, end: str | None = None) -> pd.DataFrame:
    keep = np.ones(len(frame), dtype=bool)
    if start:
        keep &= frame["date"] >= start
    if end:
        keep &= frame["date"] <= end
    return frame[keep]


def _by_pandas(tables: dict[str, pd.DataFrame], start_year: int) -> dict[str, float]:
    """Each outcome of OUTCOMES, computed from a run's own tables with pandas alone."""
    meetings, items, log = tables["meetings"], tables["items"], tables["log"]
    met = meetings[meetings["met"].astype(bool)]
    nato = met[met["forum"] == "NATO"]
    att = tables["attendance"].merge(met[["meeting_id"]], on="meeting_id")
    session = met[met["forum"] == "NATO+IP4"]["meeting_id"]
    ip4 = att[att["actor"].isin(group_members("ip4", start_year)) & (att["level"] == "head")]
    per_session = ip4.groupby("meeting_id").size().reindex(session, fill_value=0)
    japan = _in(att[(att["actor"] == "Japan") & (att["level"] != "absent")], "2026Q1")
    last_step = tables["model"]["step"].max()
    g7 = items[(items["forum"] == "G7") & (items["step"] > last_step - 8)]
    founded = log[(log["kind"] == "forum_founded") & (log["subject"] == "IP4")]
    first = founded["date"].min() if len(founded) else None
    model = tables["model"]
    return {
        "nato_china": nato["strength_china_stance"].mean(),
        "nato_ukraine_max": _in(nato, "2025Q1", "2026Q4")["strength_ukraine_support"].max(),
        "france_blocked_meetings": float(nato["blockers"].map(lambda b: "France" in b).sum()),
        "nato_held": float(len(nato)),
        "nato_decided": float(items[items["forum"] == "NATO"]["decided"].sum()),
        "france_blocked_items": float(
            items[items["forum"] == "NATO"]["blockers"].map(lambda b: "France" in b).sum()
        ),
        "g7_adopted_share": g7["adopted"].astype(float).mean(),
        "ip4_leaders": per_session.mean(),
        "japan_came": float(len(japan)),
        "ip4_founded": float(len(founded)),
        "ip4_year": np.nan if first is None else int(first[:4]) + (int(first[-1]) - 1) / 4,
        "nato_share": model["share_NATO"].iloc[-4:].mean(),
    }


def test_outcomes_are_what_pandas_computes_from_each_arms_tables(retrench):
    arms = sorted((retrench.out / "arms").iterdir())
    checked = 0
    for path, folder in zip((BASELINE, RETRENCH), arms, strict=True):
        spec = load_scenario(path)
        runs = open_sweep(folder).runs().set_index("replication")
        for r in range(REPS):
            model = simulate(spec, replication_seed(SEED, r), until=UNTIL, record_actors=False)
            expected = _by_pandas(model.recorder.frames(), spec.start_quarter.year)
            got = runs.loc[r, list(OUTCOMES)].astype(float).to_dict()
            assert got == pytest.approx(expected, nan_ok=True), (path.name, r)
            checked += sum(not np.isnan(v) for v in expected.values())
    assert checked > len(OUTCOMES) * REPS  # most outcomes have values to compare
    values = pd.concat([open_sweep(a).runs() for a in arms])
    assert values["nato_decided"].max() > 0 and values["nato_china"].min() > 0
    assert values["ip4_leaders"].max() > 0 and values["japan_came"].min() > 0


def test_the_table_holds_the_named_outcomes(retrench):
    table = retrench.table
    assert list(table["metric"].unique()) == list(OUTCOMES)
    assert set(table["kind"]) == {"outcome"}
    row = table[(table["metric"] == "nato_decided") & (table["arm"] == "us_retrenchment")]
    assert row["diff_mean"].iloc[0] < 0 and not row["within_noise"].iloc[0]  # a thinner agenda
    md = (retrench.out / "compare.md").read_text()
    assert "`ip4_leaders`: table: attendance, stat: mean, forum: NATO+IP4, actor: ip4" in md


def test_a_scenario_compared_with_itself_differs_by_exactly_zero_on_every_outcome(tmp_path):
    result = compare(
        [RETRENCH, RETRENCH],
        REPS,
        tmp_path / "same",
        seed=SEED,
        until=UNTIL,
        outcomes=OUTCOMES,
        sets=["headline"],
        workers=1,
    )
    arms = sorted((result.out / "arms").iterdir())
    runs = [open_sweep(a).runs().set_index("replication")[result.metrics] for a in arms]
    pd.testing.assert_frame_equal(runs[0], runs[1])
    other = result.table[result.table["arm"] == "us_retrenchment (2)"]
    paired = other[other["n_pairs"] > 0]
    # only the years of founding have no pairs: no IP4 forum is founded in these runs
    assert set(result.metrics) - set(paired["metric"]) <= {"ip4_year", "ip4_forum_year"}
    assert (paired["diff_mean"] == 0).all() and (paired["share_higher"] == 0).all()
    two = paired[paired["n_pairs"] > 1]
    assert (two["diff_lo"] == 0).all() and (two["diff_hi"] == 0).all()
    assert set(noisy_metrics(result.table)) == set(result.metrics)
    assert (result.out / "figures" / "compare.png").stat().st_size > 10_000


def test_the_compact_syntax_reads_as_the_sweep_files_mappings():
    assert outcome_from_text("meetings:NATO:strength_china_stance:mean") == {
        "table": "meetings",
        "forum": "NATO",
        "column": "strength_china_stance",
        "stat": "mean",
    }
    assert outcome_from_text("attendance:NATO+IP4:ip4@head") == {
        "table": "attendance",
        "forum": "NATO+IP4",
        "actor": "ip4",
        "level": "head",
    }
    assert outcome_from_text("items:NATO:blockers=France:sum:2025Q1..") == {
        "table": "items",
        "forum": "NATO",
        "column": "blockers",
        "equals": "France",
        "stat": "sum",
        "from": "2025Q1",
    }
    assert outcome_from_text("model::share_NATO:mean:last4")["last"] == 4
    assert outcome_from_text("model::rounds=2")["equals"] == 2
    assert outcome_from_text("log:IP4:forum_founded::..2030Q4") == {
        "table": "log",
        "subject": "IP4",
        "kind": "forum_founded",
        "to": "2030Q4",
    }
    assert parse_option("x=log::forum_founded")[0] == "x"
    with pytest.raises(OutcomeSyntaxError, match=r"^--outcome x: the window is lastN"):
        parse_option("x=model::share_NATO:mean:lst4")
    for name, text in OUTCOME_SETS["headline"].outcomes.items():
        assert OutcomeSpec.model_validate(outcome_from_text(text)), name


@pytest.mark.parametrize(
    ("option", "line"),
    [
        (
            "nato_china=meetings:NATO:strength_china_stance:avg",
            "--outcome nato_china: stat: unknown statistic 'avg' (statistics of the meetings "
            "table: mean, median, min, max, first, last, sum, count)",
        ),
        (
            "nato_china=meetings:NATO:strength_china_stanse",
            "--outcome nato_china: column: unknown column 'strength_china_stanse' of the "
            "meetings table; did you mean 'strength_china_stance'?",
        ),
        (
            "leaders=attendance:NATO+IP4:ip4@hed",
            "--outcome leaders: level: unknown level 'hed'; did you mean 'head'?",
        ),
        (
            "blocks=items:NATO:blockers:sum",
            "--outcome blocks: column: 'blockers' holds lists of actors; add equals: an actor",
        ),
        (
            "nato_china",
            "--outcome: write NAME=TABLE:SELECT:READ[:STAT[:WINDOW]] (e.g. "
            "nato_china=meetings:NATO:strength_china_stance:mean), not 'nato_china'",
        ),
    ],
)
def test_a_bad_outcome_option_gets_one_line_naming_option_and_field(option, line, tmp_path, capsys):
    args = ["compare", str(BASELINE), str(RETRENCH), "--outcome", option, "--quiet"]
    assert main([*args, "--out", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err.strip() == line
    assert not (tmp_path / "x").exists()


def test_a_bad_comparison_file_gets_one_line_naming_file_line_and_field(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(
        f"arms:\n  - {BASELINE}\n  - {RETRENCH}\nreplications: 2\noutcomes:\n"
        "  nato_china: {table: meetings, forum: NATO, column: strength_china_stance, "
        "stat: avg}\n"
    )
    assert main(["compare", "--file", str(path), "--out", str(tmp_path / "x"), "--quiet"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"{path}:6:83: outcomes.nato_china.stat: unknown statistic 'avg' (statistics of the "
        "meetings table: mean, median, min, max, first, last, sum, count)"
    )
    path.write_text(
        f"arms: [{BASELINE}, {RETRENCH}]\noutcomes:\n"
        "  leaders: attendance:NATO+IP5:ip4@head\n  china: meetings:NATO:strength_china\n"
    )
    with pytest.raises(SweepError) as err:
        load_comparison(path)
    assert err.value.lines == [
        f"{path}:3:12: outcomes.leaders.forum: unknown forum 'NATO+IP5'; did you mean 'NATO+IP4'?",
        f"{path}:4:10: outcomes.china.column: unknown column 'strength_china' of the meetings "
        "table; did you mean 'strength_china_stance'?",
    ]


def test_the_shipped_comparison_file_reads_and_its_options_win(tmp_path):
    shipped = ROOT / "experiments" / "comparisons" / "us_retrenchment.yaml"
    plan = load_comparison(shipped)
    assert [Path(a).name for a in plan.arms] == ["baseline_2024.yaml", "us_retrenchment.yaml"]
    assert plan.sets == ["headline"] and plan.replications == 20
    out = tmp_path / "f"
    args = ["compare", "--file", str(shipped), "--replications", "2", "--until", "2025Q4"]
    assert main([*args, "--workers", "1", "--out", str(out), "--quiet"]) == 0
    csv = pd.read_csv(out / "compare.csv")
    assert set(OUTCOME_SETS["headline"].outcomes) <= set(csv["metric"])
    assert set(plan.outcomes) <= set(csv["metric"]) and (csv["n"] <= 2).all()
    with pytest.raises(CompareError, match="unknown set 'headlines'; did you mean 'headline'"):
        compare([BASELINE, RETRENCH], 2, tmp_path / "g", sets=["headlines"])


def test_sweep_files_read_the_items_and_attendance_tables_too(tmp_path):
    from latticesim.sweeps.sweepfile import load_experiment

    path = tmp_path / "sweep.yaml"
    path.write_text(
        f"scenario: {BASELINE}\nuntil: 2025Q4\nparameters:\n  actors.France.tolerance: [0.1]\n"
        "metrics:\n  outcomes:\n"
        "    blocks: {table: items, forum: NATO, column: blockers, equals: France, stat: sum}\n"
        "    leaders: {table: attendance, forum: NATO+IP4, actor: ip4, level: head}\n"
    )
    outcomes = {o.name: o for o in load_experiment(path).metrics.outcomes}
    assert outcomes["leaders"].actor == "ip4" and outcomes["blocks"].table == "items"
    path.write_text(path.read_text().replace("column: blockers, ", "column: blocker, "))
    with pytest.raises(SweepError) as err:
        load_experiment(path)
    assert err.value.lines == [
        f"{path}:7:49: metrics.outcomes.blocks.column: unknown column 'blocker' of the items "
        "table; did you mean 'blockers'?"
    ]
