"""Burden sharing's two maps (ODD 7.3): the coding table, both ways, and the pledge's pull."""

import csv

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from latticesim.mechanisms.burden import (
    PLEDGE_CODES,
    PLEDGE_EFFORT,
    pledge_support,
    pledge_target,
    pledged_effort,
    shortfall_salience,
)
from latticesim.world.actors import actor_table, data_file


@pytest.mark.parametrize(
    ("effort", "code"),
    [(0.0, 0.0), (1.0, 0.2), (1.5, 0.4), (2.0, 0.6), (3.5, 0.8), (5.0, 1.0), (7.1, 1.0)],
)
def test_support_follows_the_coding_table(effort, code):
    assert float(pledge_support(effort)) == pytest.approx(code)


def test_support_between_the_steps_is_linear():
    # Spain 2024 (1.28%) lies 0.28 of the way from 1% to 1.5%; the US (3.38%) 1.38/1.5
    # of the way from 2% to 3.5%.
    assert float(pledge_support(1.28)) == pytest.approx(0.2 + 0.2 * 0.28 / 0.5)
    assert float(pledge_support(3.38)) == pytest.approx(0.6 + 0.2 * 1.38 / 1.5)


@given(st.floats(0.0, 5.0))
def test_a_pledge_is_the_effort_that_supports_it(effort):
    assert pledged_effort(float(pledge_support(effort))) == pytest.approx(effort, abs=1e-9)


def test_a_pledge_pulls_only_those_below_it():
    target = np.array([1.2, 2.0, 3.0, 1.5])
    pledge = np.array([2.0, 2.0, 2.0, 0.0])  # the last signed nothing
    assert pledge_target(target, pledge, 0.5) == pytest.approx([1.6, 2.0, 3.0, 1.5])
    assert pledge_target(target, pledge, 0.0) == pytest.approx(target)
    assert pledge_target(target, pledge, 1.0) == pytest.approx([2.0, 2.0, 3.0, 1.5])


def test_the_laggards_weigh_the_pledge_most():
    assert shortfall_salience(np.array([0.6, 0.8, 0.45, 0.3, 0.1])) == pytest.approx(
        [0.3, 0.3, 0.65, 1.0, 1.0]
    )


def test_the_coding_table_rises():
    assert np.all(np.diff(PLEDGE_CODES) > 0) and np.all(np.diff(PLEDGE_EFFORT) > 0)


def test_the_packaged_views_of_the_allies_follow_the_rule():
    """positions.csv's burden-sharing rows are the rule applied to actors.csv's effort."""
    effort = {r.name: r.defence_pct_gdp for r in actor_table()}
    allies = {r.name for r in actor_table() if r.nato_join is not None}
    with data_file("positions.csv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["dimension"] == "burden_sharing"]
    assert {r["actor"] for r in rows} == set(effort)
    ruled = 0
    for r in rows:
        if r["source"].startswith("actors.csv: defence_pct_gdp; pledge rule"):
            support = float(pledge_support(effort[r["actor"]]))
            assert float(r["position"]) == pytest.approx(support, abs=0.005), r["actor"]
            if r["actor"] in allies and r["actor"] != "United States":
                assert float(r["salience"]) == pytest.approx(
                    float(shortfall_salience(float(r["position"]))), abs=0.005
                )
            ruled += 1
    assert ruled >= 35  # all but the adversaries, Iceland and the EU institution
