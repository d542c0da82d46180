"""The 2019-2024 hindcast: pattern predicates, the fit's pure parts, and the scenario itself."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from latticesim import load_scenario
from latticesim.sweeps import hindcast as hc
from latticesim.world.names import IP4

ROOT = Path(__file__).resolve().parents[2]
HINDCAST = ROOT / "scenarios" / "hindcast_2019.yaml"


def _experiment(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "experiments" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- the record as tables
def record_tables(**change):
    """Run tables that say exactly what the record says (the patterns' fixed point)."""
    china = dict(hc.NATO_CHINA_RECORDED) | change.get("china", {})
    meetings = [
        {"forum": "NATO", "date": q, "met": True, "strength_china_stance": china[y]}
        for y, q in hc.NATO_SUMMITS.items()
    ]
    g7 = dict(hc.G7_CHINA_RECORDED) | change.get("g7", {})
    meetings += [
        {"forum": "G7", "date": q, "met": True, "strength_china_stance": v} for q, v in g7.items()
    ]
    ttc = change.get("ttc", np.nan)  # NaN: the TTC said nothing on China
    meetings += [
        {"forum": "EU-US TTC", "date": q, "met": True, "strength_china_stance": ttc}
        for q in hc.TTC_CHINA_RECORDED
    ]
    attendance = []
    for year, q in hc.IP4_SESSIONS.items():
        for actor in IP4:
            level = "minister" if (year == 2024 and actor == "Australia") else "head"
            level = change.get("levels", {}).get((actor, year), level)
            attendance.append({"forum": "NATO+IP4", "date": q, "actor": actor, "level": level})
    attendance += change.get("extra_attendance", [])
    items = [
        {
            "forum": "NATO",
            "date": "2023Q3",
            "item": "a NATO liaison office in Tokyo",
            "dimension": "global_reach",
            "adopted": change.get("tokyo_adopted", False),
            "blockers": change.get("tokyo_blockers", ["France"]),
            "watered_by": [],
        }
    ]
    watered = change.get("china_watered", {2022: ["France", "Germany"]})  # Madrid
    blocked = change.get("china_blocked", {})  # summit year -> blockers
    items += [
        {
            "forum": "NATO",
            "date": q,
            "item": "China",
            "dimension": "china_stance",
            "adopted": y not in blocked,
            "blockers": blocked.get(y, []),
            "watered_by": watered.get(y, []),
        }
        for y, q in hc.NATO_SUMMITS.items()
    ]
    items = pd.DataFrame(items)
    log = pd.DataFrame(change.get("log", []), columns=["date", "kind", "subject"])
    return {
        "meetings": pd.DataFrame(meetings),
        "attendance": pd.DataFrame(attendance),
        "items": items,
        "log": log,
    }


def test_the_record_itself_satisfies_every_pattern():
    holds = hc.judge(hc.measure(record_tables()))
    assert all(holds.values()), holds


@pytest.mark.parametrize(
    ("change", "broken"),
    [
        ({"china": {2019: 0.35}}, "nato_china_2019_2023"),  # reads as "systemic challenges"
        ({"china": {2022: np.nan}}, "nato_china_2019_2023"),  # no text on China
        ({"china": {2023: 0.45}}, "nato_china_2019_2023"),  # weaker than 2022 by 0.15
        ({"china": {2024: 0.65}}, "nato_china_2024"),
        (
            {"levels": {("New Zealand", 2022): "minister", ("Japan", 2023): "minister"}},
            "ip4_heads_2022_2023",
        ),
        (
            {
                "extra_attendance": [
                    {"forum": "NATO", "date": "2021Q2", "actor": "Japan", "level": "head"}
                ]
            },
            "ip4_heads_2022_2023",
        ),
        ({"levels": {("Japan", 2024): "minister"}}, "ip4_heads_2024"),
        ({"tokyo_adopted": True, "tokyo_blockers": []}, "tokyo_office_blocked"),
        ({"tokyo_blockers": ["Hungary"]}, "tokyo_office_blocked"),
        ({"ttc": 0.5}, "ttc_softer_than_g7"),
        ({"g7": {"2024Q2": 0.65}}, "g7_china_2021_2024"),
        ({"g7": {"2022Q2": 0.35}}, "g7_china_2021_2024"),
        ({"china_blocked": {2021: ["Hungary"]}}, "no_ally_blocks_china"),
        ({"china_watered": {2022: ["Hungary"]}}, "china_watered_2021_2023"),
    ],
)
def test_each_pattern_fails_when_its_part_of_the_record_is_changed(change, broken):
    holds = hc.judge(hc.measure(record_tables(**change)))
    assert not holds[broken]
    assert sum(not v for v in holds.values()) == 1, holds


def test_failed_or_absent_texts_code_as_china_not_named():
    assert hc.coded_china(float("nan"), True) == 0.0
    assert hc.coded_china(0.7, False) == 0.0
    assert hc.coded_china(0.7, True) == 0.7


def test_one_absent_leader_of_eight_is_within_the_records_base_rate():
    one = {("New Zealand", 2022): "minister"}
    two = one | {("Japan", 2023): "minister"}
    assert hc.judge(hc.measure(record_tables(levels=one)))["ip4_heads_2022_2023"]
    assert not hc.judge(hc.measure(record_tables(levels=two)))["ip4_heads_2022_2023"]
    both = hc.judge(hc.measure(record_tables(levels={("Australia", 2024): "head"})))
    assert both["ip4_heads_2024"]  # four of four is at least three


def test_the_patterns_are_frozen():
    """The table of patterns was chosen before the calibration; changing it is a decision
    that shows here (and in docs/calibration.md, 8.1), not a side effect of a fit."""
    assert [(p.key, p.fitted) for p in hc.PATTERNS] == [
        ("nato_china_2019_2023", True),
        ("ip4_heads_2022_2023", True),
        ("tokyo_office_blocked", True),
        ("nato_china_2024", False),
        ("ip4_heads_2024", False),
        ("g7_china_2021_2024", False),
        ("no_ally_blocks_china", False),
        ("china_watered_2021_2023", False),
        ("ttc_softer_than_g7", False),
    ]
    assert hc.NATO_CHINA_RECORDED == {2019: 0.2, 2021: 0.4, 2022: 0.6, 2023: 0.6, 2024: 0.8}
    assert hc.G7_CHINA_RECORDED == {"2021Q2": 0.4, "2022Q2": 0.6, "2023Q2": 0.6, "2024Q2": 0.8}
    assert hc.IP4_HEADS_2022_2023 == 7 and hc.CHINA_TOLERANCE == 0.1


def test_fitted_and_held_out_patterns_are_disjoint_and_cover_all():
    assert set(hc.FITTED) | set(hc.HELD_OUT) == set(hc.PATTERN_BY_KEY)
    assert not set(hc.FITTED) & set(hc.HELD_OUT)
    assert "nato_china_2024" in hc.HELD_OUT and "ttc_softer_than_g7" in hc.HELD_OUT


# ---------------------------------------------------------------- the fit's pure parts
def test_latin_hypercube_uses_every_stratum_once_and_is_reproducible():
    n = 40
    points = hc.latin_hypercube(n, hc.FREE_PARAMETERS, seed=7)
    assert points == hc.latin_hypercube(n, hc.FREE_PARAMETERS, seed=7)
    assert points != hc.latin_hypercube(n, hc.FREE_PARAMETERS, seed=8)
    for name, (lo, hi) in hc.FREE_PARAMETERS.items():
        values = np.array([p[name] for p in points])
        if hc.is_whole(name):
            counts = np.bincount(values.astype(int) - lo)
            assert len(counts) == hi - lo + 1 and counts.max() - counts.min() <= 1
        else:
            # the i-th smallest value lies in the i-th of n equal strata (values are
            # rounded to 4 decimals, hence the slack)
            width = (hi - lo) / n
            for i, v in enumerate(np.sort(values)):
                assert lo + i * width - 1e-4 <= v <= lo + (i + 1) * width + 1e-4


def _score(joint, n=100):
    return hc.Score(joint, {p.key: joint for p in hc.PATTERNS}, 0.05, n)


def test_best_prefers_the_smallest_change_among_statistically_tied_points():
    near = dict(hc.PRE_FIT_DEFAULTS) | {"socialisation": 0.3}
    far = dict(hc.PRE_FIT_DEFAULTS) | {"socialisation": 0.1, "watering": 0.5}
    worse = dict(hc.PRE_FIT_DEFAULTS)
    points = [far, near, worse]
    # far is best by a hair, near within one standard error, the defaults well below
    assert hc.best(points, [_score(0.40), _score(0.37), _score(0.10)]) == 1
    # a clear winner wins however far it moves the defaults
    assert hc.best(points, [_score(0.60), _score(0.30), _score(0.10)]) == 0


def test_parsimony_tries_the_largest_departures_first():
    point = dict(hc.PRE_FIT_DEFAULTS) | {"socialisation": 0.1, "watering": 0.35}
    assert hc.simplification_order(point) == ["socialisation", "watering"]


def test_with_parameters_validates_and_leaves_the_rest():
    spec = load_scenario(HINDCAST)
    other = hc.with_parameters(spec, {"watering": 0.4})
    assert other.parameters.watering == 0.4
    assert other.parameters.threat_rate == spec.parameters.threat_rate
    with pytest.raises(ValueError):
        hc.with_parameters(spec, {"watering": 1.4})


# ---------------------------------------------------------------- the scenario
def test_hindcast_events_change_inputs_only():
    spec = load_scenario(HINDCAST)
    kinds = {e.type for e in spec.events}
    # No declared veto (it would script who blocks) and no fixed outcome of any kind:
    # only adversaries, threat, governments, commitment, memberships, forums convened,
    # agenda items proposed, and a crisis.
    assert kinds <= {
        "adversary",
        "threat_shock",
        "crisis",
        "government_change",
        "commitment",
        "join",
        "forum_created",
        "agenda_item",
    }
    proposals = [e for e in spec.events if e.type == "agenda_item"]
    assert [e.name for e in proposals] == ["a NATO liaison office in Tokyo"]
    assert spec.start == "2019Q1" and spec.horizon == "2024Q4"
    nato = spec.forums["NATO"]
    assert "nato" in nato.members and not nato.partners  # no IP4 invited in 2019


def test_hindcast_2019_values_follow_the_rule_except_the_documented_judgements():
    inputs = _experiment("hindcast_inputs")
    spec = load_scenario(HINDCAST)
    table = inputs.compare(spec, inputs.derive(spec))
    assert not table.attrs["missing"]
    judged = set(table.loc[table["source"] == "judgement", "actor"])
    assert judged == {"United States", "Italy", "Slovakia", "South Korea"}


@pytest.fixture(scope="module")
def replications():
    spec = load_scenario(HINDCAST)
    return [hc.evaluate(spec, seed) for seed in range(30)]


def test_nato_china_language_rises_summit_by_summit_near_the_record(replications):
    values = pd.DataFrame([e.values for e in replications])
    means = [values[f"nato_china_{y}"].mean() for y in hc.NATO_SUMMITS]
    assert all(b > a + 0.03 for a, b in zip(means, means[1:], strict=False)), means
    for year, mean in zip(hc.NATO_SUMMITS, means, strict=True):
        assert abs(mean - hc.NATO_CHINA_RECORDED[year]) <= 0.12, (year, mean)


def test_tokyo_office_fails_with_france_blocking_in_every_replication(replications):
    assert all(e.holds["tokyo_office_blocked"] for e in replications)


def test_ip4_leaders_come_once_invited_and_never_before(replications):
    assert all(e.values["ip4_at_nato_before_2022"] == 0 for e in replications)
    # Leaders' absences follow the record's base rate (11 of 12 IP4 invitations answered
    # at head level in 2022-2024, ODD 7.4), so all eight in 2022-2023 is a chance event
    # in the model as it was in the record; each invitation is answered by the leader in
    # most runs.
    heads = [e.values[f"ip4_heads_{y}"] / 4 for e in replications for y in (2022, 2023)]
    assert np.mean(heads) >= 0.8, np.mean(heads)
    share = np.mean([e.holds["ip4_heads_2022_2023"] for e in replications])
    assert share >= 0.4, share


def test_fitted_patterns_hold_jointly_in_a_fair_share_of_replications(replications):
    # With leaders' absences at the record's base rate the fitted patterns hold jointly
    # far less often than at the fit's noise (0.37 over 100 seeds): all eight IP4
    # invitations of 2022-2023 at head level is itself a chance event. The re-fit belongs
    # to the calibration with uncertainty; here, the China path and the Tokyo office
    # must still hold together in a fair share of runs.
    both = np.mean(
        [e.holds["nato_china_2019_2023"] and e.holds["tokyo_office_blocked"] for e in replications]
    )
    assert both >= 0.4, both
    assert all(e.holds["no_ally_blocks_china"] for e in replications)


@pytest.mark.slow
def test_fit_script_runs_end_to_end_on_a_small_budget(tmp_path):
    fit = _experiment("hindcast_fit")
    assert fit.main(["--quick", "--out", str(tmp_path), "--figure", str(tmp_path / "fig")]) == 0
    table = pd.read_csv(tmp_path / "table.csv")
    assert set(table["key"]) >= set(hc.PATTERN_BY_KEY)
    assert (tmp_path / "fig.png").exists() and (tmp_path / "fitted.json").exists()
    assert "**held out**" in (tmp_path / "table.md").read_text()


def test_the_fit_writes_tracked_results_only_when_asked(capsys):
    fit = _experiment("hindcast_fit")
    with pytest.raises(SystemExit) as stop:
        fit.main(["--report"])  # neither --out nor --tracked: nothing is written
    assert stop.value.code == 2
    assert "--tracked" in capsys.readouterr().err
