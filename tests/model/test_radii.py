"""Objection radii and the vetoes that cap them: one place forms them, one table holds vetoes."""

import numpy as np
import pytest

from latticesim import LatticeModel, LatticeScenario, simulate
from latticesim.common.quarters import Quarter
from latticesim.mechanisms.rules import reach
from latticesim.model.radii import Radii, Vetoes


def test_a_veto_declared_everywhere_caps_until_lifted():
    v = Vetoes(3, 2)
    v.declare(1, 0, 0.05)
    assert v.everywhere[1, 0] == 0.05 and np.isnan(v.everywhere).sum() == 5
    v.lift(1, 0)
    assert np.isnan(v.everywhere).all()


def test_a_veto_in_one_forum_caps_only_its_voters_there():
    v = Vetoes(4, 2)
    v.declare(2, 1, 0.05, forum=7)
    radius = np.full((3, 2), 0.3)  # voters 0, 2, 3 of forum 7
    capped = v.cap(7, np.array([0, 2, 3]), radius)
    assert capped.tolist() == [[0.3, 0.3], [0.3, 0.05], [0.3, 0.3]]
    assert radius.tolist() == [[0.3, 0.3]] * 3  # the radii passed in are left alone
    assert v.cap(8, np.array([0, 2, 3]), radius).tolist() == radius.tolist()  # other forums
    assert v.cap(7, np.array([0, 3]), radius[:2]).tolist() == [[0.3, 0.3]] * 2  # 2 absent
    v.declare(2, 1, 0.5, forum=7)  # a wider cap never widens a radius
    assert v.cap(7, np.array([2]), np.array([[0.3, 0.3]])).tolist() == [[0.3, 0.3]]
    v.lift(2, 1, forum=7)
    assert v.in_forum == {}


def test_timed_vetoes_expire_in_the_order_declared():
    v = Vetoes(3, 2)
    q = Quarter.parse
    v.declare(0, 0, 0.1, until=q("2025Q1"))
    v.declare(1, 1, 0.1, forum=4, until=q("2024Q3"))
    v.declare(2, 0, 0.1, until=q("2024Q3"))
    assert v.expire(q("2024Q2")) == []
    assert v.expire(q("2024Q3")) == [(1, 1, 4), (2, 0, None)]
    assert v.in_forum == {} and np.isnan(v.everywhere[2, 0]) and v.everywhere[0, 0] == 0.1
    assert v.expire(q("2024Q4")) == []
    assert v.expire(q("2025Q1")) == [(0, 0, None)]
    assert np.isnan(v.everywhere).all()


def test_radius_is_tolerance_times_commitment_factor_over_salience_capped():
    v = Vetoes(3, 2)
    v.declare(0, 1, 0.02)
    radii = Radii(v, commitment0=np.array([0.8, 0.5, 0.0]))
    tolerance = np.array([0.2, 0.3, 0.4])
    commitment = np.array([0.4, 0.5, 0.0])
    salience = np.array([[1.0, 0.5], [0.05, 0.6], [0.5, 0.5]])
    radii.form(tolerance, commitment, salience, bargaining=1.0)
    # 0.2 x (0.4 / 0.8) / 1 = 0.1, capped 0.02 by the veto; 0.3 / max(0.05, 0.1) = 3;
    # no recorded commitment (an adversary): the tolerance as it is
    expected = [[0.1, 0.02], [3.0, 0.5], [0.8, 0.8]]
    assert radii.radius == pytest.approx(np.array(expected), abs=1e-15)
    assert np.array_equal(radii.reach, reach(radii.radius))
    # the commitment-scaled tolerance is kept until the inputs change...
    commitment[0] = 0.8
    radii.form(tolerance, commitment, salience, bargaining=1.0)
    assert radii.radius[0, 0] == pytest.approx(0.1)
    radii.inputs_changed()
    radii.form(tolerance, commitment, salience, bargaining=1.0)
    assert radii.radius[0, 0] == pytest.approx(0.2)
    # ...salience and vetoes are read every quarter
    v.lift(0, 1)
    radii.form(tolerance, commitment, salience, bargaining=1.0)
    assert radii.radius[0, 1] == pytest.approx(0.4)


def test_limits_are_the_voters_reach_on_the_decided_dimensions():
    v = Vetoes(4, 3)
    radii = Radii(v, commitment0=np.ones(4))
    rng = np.random.default_rng(0)
    radii.form(rng.random(4), np.ones(4), rng.random((4, 3)), bargaining=1.0)
    voters, dims = np.array([3, 0, 2]), np.array([2, 0])
    plain = radii.limits(5, voters, dims, None)
    assert np.array_equal(plain, reach(radii.radius[voters][:, dims]))
    v.declare(0, 2, 0.0, forum=5)
    capped = radii.limits(5, voters, dims, None)
    assert capped[1, 0] == reach(np.array(0.0))
    assert np.array_equal(np.delete(capped.ravel(), 2), np.delete(plain.ravel(), 2))
    assert np.array_equal(radii.limits(6, voters, dims, None), plain)


def test_a_timed_forum_veto_binds_there_until_its_quarter(baseline):
    data = baseline.model_dump(mode="json", by_alias=True)
    data["events"] = [
        {
            "type": "veto",
            "date": "2024Q2",
            "actor": "Hungary",
            "dimension": "ukraine_support",
            "forum": "NATO",
            "tolerance": 0.0,
            "until": "2024Q4",
        }
    ]
    spec = type(baseline).model_validate(data)
    model = LatticeModel(LatticeScenario(spec=spec, rng=1))
    model.run_for(2)
    hungary, d = model.actor_index["Hungary"], model.dimension_index["ukraine_support"]
    assert model.vetoes.in_forum == {model.forums["NATO"].index: {(hungary, d): 0.0}}
    assert np.isnan(model.vetoes.everywhere).all()  # the radius elsewhere is its own
    assert model.radii.radius[hungary, d] > 0.0
    model.run_for(2)
    assert model.vetoes.in_forum == {}
    log = model.recorder.frames()["log"]
    lifted = log[log.kind == "veto_lifted"]
    assert lifted.date.tolist() == ["2024Q4"]
    assert lifted.text.tolist() == ["Hungary lifted its veto on ukraine_support."]
    items = simulate(spec, 1, until="2024Q3").recorder.frames()["items"]
    summit = items.query("forum == 'NATO' and dimension == 'ukraine_support'").iloc[0]
    assert "Hungary" in summit.blockers or "Hungary" in summit.watered_by
