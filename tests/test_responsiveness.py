"""The responsiveness table (experiments/responsiveness.py) and the docs that quote it.

The table's cells must be what pandas computes from the arms' own tables, and the docs'
"Against the baseline" tables must be the tracked CSV's, written by the script and by
nothing else: a note that quotes a stale figure fails here.
"""

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from latticesim import load_scenario, simulate

ROOT = Path(__file__).resolve().parents[1]


def _experiment(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "experiments" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


resp = _experiment("responsiveness")
CSV = resp.TRACKED / "responsiveness.csv"


def _by_pandas(tables, first, last):
    """The outcomes computed from a run's tables with plain pandas, independently."""
    model, meetings = tables["model"], tables["meetings"]
    model = model[(model["date"] >= first) & (model["date"] <= last)]
    met = meetings[meetings["met"] & (meetings["date"] >= first) & (meetings["date"] <= last)]
    nato = met[met["forum"] == "NATO"]
    levels = tables["attendance"].merge(
        meetings[["meeting_id", "level"]].rename(columns={"level": "meeting_level"}),
        on="meeting_id",
    )
    levels = levels[(levels["date"] >= first) & (levels["date"] <= last)]
    summits = levels[levels["meeting_level"] == "summit"]
    nato_members = summits[(summits["forum"] == "NATO") & (summits["role"] == "member")]
    ip4 = summits[
        (summits["forum"] == "NATO+IP4")
        & summits["actor"].isin(["Australia", "Japan", "New Zealand", "South Korea"])
    ]
    return {
        "joint_coordination": model["joint_coordination"].mean(),
        "coordination_index": model["coordination_index"].mean(),
        "nato_heads": (nato_members["level"] == "head").mean(),
        "ip4_heads": (ip4["level"] == "head").mean(),
        "nato_china": nato[nato["level"] == "summit"]["strength_china_stance"].fillna(0).mean(),
        "nato_ip4_reach": met[met["forum"] == "NATO+IP4"]["strength_global_reach"].fillna(0).mean(),
        "nato_reach": nato["strength_global_reach"].fillna(0).mean(),
        "nato_agenda": nato["n_items"].mean(),
        "g7_leads": (model["leading_platform"] == "G7").mean(),
        "nato_burden": nato["strength_burden_sharing"].fillna(0).mean(),
        "defence_effort": model["defence_pct_gdp_mean"].mean(),
    }


def _t_interval(d):
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    return d.mean() - half, d.mean() + half


def test_the_cells_are_what_pandas_computes_from_the_arms_tables():
    seeds, name = 3, "spoilers"
    table = resp.build_table(resp.run_all([name], seeds))
    spec = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    first, last = resp.first_event(spec), str(spec.horizon)
    base_spec = load_scenario(ROOT / "scenarios" / "baseline_2024.yaml")
    arms = {
        arm: pd.DataFrame(
            [
                _by_pandas(simulate(s, seed, record_actors=False).recorder.frames(), first, last)
                for seed in range(seeds)
            ]
        )
        for arm, s in (("baseline", base_spec), ("scenario", spec))
    }
    assert len(table) == len(resp.OUTCOMES)
    for row in table.itertuples():
        d = arms["scenario"][row.outcome] - arms["baseline"][row.outcome]
        assert row.baseline == pytest.approx(arms["baseline"][row.outcome].mean())
        assert row.scenario_mean == pytest.approx(arms["scenario"][row.outcome].mean())
        assert row.difference == pytest.approx(d.mean())
        if d.std() > 0:
            lo, hi = _t_interval(d)
            assert (row.ci_low, row.ci_high) == pytest.approx((lo, hi))
        assert row.clear_of_zero == bool(row.ci_low > 0 or row.ci_high < 0)
        assert (row.seeds, row._2, row.to) == (seeds, first, last)  # _2: the "from" column


def test_pairs_are_by_seed_and_a_missing_value_drops_its_pair():
    rng = np.random.default_rng(1)
    rows = []
    for seed in range(6):
        for arm, shift in (("baseline", 0.0), ("scenario", 0.5)):
            values = {o.name: rng.normal(shift, 0.1) for o in resp.OUTCOMES}
            rows.append(
                {"scenario": "x", "arm": arm, "seed": seed, "from": "a", "to": "b"} | values
            )
    values = pd.DataFrame(rows)
    values.loc[(values["arm"] == "scenario") & (values["seed"] == 2), "nato_china"] = np.nan
    table = resp.build_table(values.sample(frac=1, random_state=3)).set_index("outcome")
    base = values[values["arm"] == "baseline"].set_index("seed")
    other = values[values["arm"] == "scenario"].set_index("seed")
    d = (other["nato_china"] - base["nato_china"]).dropna()
    assert table.loc["nato_china", "seeds"] == 5
    assert table.loc["nato_china", "difference"] == pytest.approx(d.mean())
    assert (table.loc["nato_china", "ci_low"], table.loc["nato_china", "ci_high"]) == (
        pytest.approx(_t_interval(d))
    )
    assert table["clear_of_zero"].all()


def test_the_tracked_table_covers_every_shipped_scenario_on_30_seeds():
    table = resp.read_table(CSV)
    assert sorted(table["scenario"].unique()) == resp.shipped_scenarios()
    assert set(table["outcome"]) == {o.name for o in resp.OUTCOMES}
    assert (table["seeds"] == 30).all()


@pytest.mark.parametrize("name", resp.shipped_scenarios())
def test_each_note_quotes_its_block_of_the_tracked_table(name):
    text = (ROOT / "docs" / "scenarios" / f"{name}.md").read_text(encoding="utf-8")
    assert "## Against the baseline" in text
    assert resp.block_of(text) == resp.note_block(resp.read_table(CSV), name)


def test_calibration_section_9_quotes_the_tracked_table():
    text = (ROOT / "docs" / "calibration.md").read_text(encoding="utf-8")
    assert resp.SECTION in text
    assert resp.block_of(text.split(resp.SECTION, 1)[1]) == resp.markdown(resp.read_table(CSV))


def test_replications_draw_their_parameters_from_the_accepted_set():
    draws = pd.DataFrame(
        {"watering": [0.2, 0.3, 0.4], "max_rounds": [1.0, 2.0, 3.0], "not_a_parameter": 1}
    )
    picked = [resp.draw_for(draws, r) for r in range(6)]
    assert picked == [resp.draw_for(draws, r) for r in range(6)]  # fixed per replication
    assert {p["watering"] for p in picked[:3]} == {0.2, 0.3, 0.4}  # each draw once a cycle
    assert picked[:3] == picked[3:]
    assert all(set(p) == {"watering", "max_rounds"} for p in picked)
    assert all(isinstance(p["max_rounds"], int) for p in picked)
    values = resp.run_all(["spoilers"], 2, draws)
    for seed, runs in values.groupby("seed"):
        assert (runs["watering"] == picked[seed]["watering"]).all()  # both arms, same draw


def test_calibrated_without_an_accepted_set_says_so_in_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(resp, "accepted_draws", lambda: None)
    assert resp.main(["--out", str(tmp_path), "--calibrated"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "accepted" in err
    assert not any(tmp_path.iterdir())
