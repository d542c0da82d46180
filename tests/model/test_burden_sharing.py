"""Burden sharing as a dimension (ODD 7.3), shown where it acts, on paired seeds.

Spending texts are recorded like the others; an agreed text becomes its signatories'
pledge and raises their effort; effort moves their views, so the next text follows; and a
US that steps back from alliances but presses for spending narrows NATO's agenda to it.
"""

from functools import cache

import numpy as np
import pandas as pd

from conftest import SCENARIOS
from latticesim import load_scenario, simulate
from latticesim.mechanisms.burden import pledged_effort
from latticesim.sweeps.stats import mean_ci

SEEDS = range(20)


@cache
def _run(name: str, seed: int, **params: float):
    spec = load_scenario(SCENARIOS / f"{name}.yaml")
    for key, value in params.items():
        setattr(spec.parameters, key, value)
    return simulate(spec, seed, record_actors=False)


def _frames(name: str, seed: int, **params: float) -> dict[str, pd.DataFrame]:
    return _run(name, seed, **params).recorder.frames()


def _nato_spending(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    items = t["items"]
    return items[(items["forum"] == "NATO") & (items["dimension"] == "burden_sharing")]


def test_spending_texts_are_recorded_like_the_others():
    t = _frames("baseline_2024", 0)
    texts = _nato_spending(t)
    summit = texts[texts["decided"]]
    assert len(summit) == 10  # one a year, at the July summits
    assert summit["adopted"].all()
    # Washington 2024 reaffirmed "at least 2%" (code 0.6); the first text reads as it.
    assert abs(summit["strength"].iloc[0] - 0.6) <= 0.1
    nato = t["meetings"][t["meetings"]["forum"] == "NATO"]
    assert nato["strength_burden_sharing"].notna().any()


def test_the_last_agreed_text_is_each_members_pledge():
    model = _run("baseline_2024", 3)
    texts = _nato_spending(model.recorder.frames())
    agreed = texts[texts["decided"] & texts["adopted"]]
    nato = model.forums["NATO"].members
    expected = pledged_effort(float(agreed["final"].iloc[-1]))
    assert np.allclose(model.state.pledge[nato], expected)
    outside = np.setdiff1d(np.arange(len(model.actor_names)), nato)
    assert not model.state.pledge[outside].any()  # no pledge for those who did not sign


def _mean_effort(t: dict[str, pd.DataFrame]) -> float:
    return float(t["model"]["defence_pct_gdp_mean"].iloc[-1])


def test_a_pledge_raises_the_effort_of_those_below_it():
    diffs = [
        _mean_effort(_frames("baseline_2024", s))
        - _mean_effort(_frames("baseline_2024", s, pledge_compliance=0.0))
        for s in SEEDS
    ]
    mean, low, _high = mean_ci(np.array(diffs))
    assert low > 0.05, (mean, low)  # percentage points of GDP, NATO's members' mean


def _late_text(t: dict[str, pd.DataFrame]) -> float:
    texts = _nato_spending(t)
    late = texts[texts["decided"] & (texts["date"] >= "2030Q1")]
    return float(late["strength"].mean())


def test_texts_follow_effort():
    """With defence effort held at its start (no response to threat or pledges), NATO's
    later spending texts are weaker: the allies' views move only with their effort."""
    diffs = [
        _late_text(_frames("baseline_2024", s))
        - _late_text(_frames("baseline_2024", s, defence_response=0.0))
        for s in SEEDS
    ]
    mean, low, _high = mean_ci(np.array(diffs))
    assert low > 0.02, (mean, low)


def _spending_share(t: dict[str, pd.DataFrame]) -> float:
    items = t["items"]
    nato = items[(items["forum"] == "NATO") & (items["date"] >= "2026Q1")]
    return float((nato["dimension"] == "burden_sharing").mean())


def test_a_retrenching_us_narrows_natos_agenda_to_spending():
    share = {
        name: np.array([_spending_share(_frames(name, s)) for s in SEEDS])
        for name in ("baseline_2024", "us_retrenchment")
    }
    mean, low, _high = mean_ci(share["us_retrenchment"] - share["baseline_2024"])
    assert low > 0.05, (mean, low)
