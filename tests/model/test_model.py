"""The model's behaviour on the shipped scenarios, its agents, events and determinism."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import scenario_tables
from latticesim import Actor, Adversary, Forum, LatticeModel, LatticeScenario, simulate
from latticesim.blocs import alignment
from latticesim.model.founding import founding_group
from latticesim.sweeps.stats import mean_ci


def tables(spec, seed, **kw):
    return simulate(spec, seed, **kw).recorder.frames()


def with_events(spec, *events, **changes):
    data = spec.model_dump(mode="json", by_alias=True)
    data["events"] = list(data["events"]) + list(events)
    data.update(changes)
    return type(spec).model_validate(data)


# ---------------------------------------------------------------- agents
def test_actors_are_mesa_agents_and_views_onto_the_arrays(baseline):
    model = LatticeModel(LatticeScenario(spec=baseline, rng=1))
    actors = model.agents_by_type[Actor]
    assert len(actors) == 38
    assert len(model.agents_by_type[Adversary]) == 3
    assert {f.name for f in model.agents_by_type[Forum]} == {
        "NATO",
        "NATO+IP4",
        "G7",
        "EU",
        "EU-US TTC",
        "Quad",
        "AUKUS",
        "US-Japan-ROK",
    }
    ip = actors.select(lambda a: a.region == "indo_pacific")
    assert sorted(a.name for a in ip) == ["Australia", "Japan", "New Zealand", "South Korea"]
    france = model.actors_by_name["France"]
    k = model.dimension_index["global_reach"]
    assert france.position[k] == model.state.position[france.index, k]
    france.position[k] = 0.99  # scripting an actor changes the model's numbers
    assert model.state.position[france.index, k] == 0.99
    assert "NATO" in france.forums and "Quad" not in france.forums
    assert set(model.actors_by_name["China"].behaviour) == {
        "aggression",
        "support",
        "coercion",
        "reaction",
    }
    by_region = actors.groupby("region").count()
    assert by_region["indo_pacific"] == 4


def test_run_for_steps_quarters_tied_to_dates(baseline):
    model = LatticeModel(LatticeScenario(spec=baseline, rng=1))
    model.run_for(3)
    assert str(model.quarter) == "2024Q3"
    assert list(model.recorder.frames()["model"]["date"]) == ["2024Q1", "2024Q2", "2024Q3"]


def test_the_model_counts_its_own_quarters(baseline):
    """Mesa 4 drops ``model.steps``: a run whose Mesa counter is off is the same run."""
    plain = LatticeModel(LatticeScenario(spec=baseline, rng=2))
    plain.run_for(6)
    shifted = LatticeModel(LatticeScenario(spec=baseline, rng=2))
    shifted.steps = 100  # nothing in the model may read Mesa's step counter
    shifted.run_for(6)
    assert shifted.quarters_run == 6 and str(shifted.quarter) == "2025Q2"
    want, got = plain.recorder.frames(), shifted.recorder.frames()
    assert set(got) == set(want)
    for name, table in want.items():
        pd.testing.assert_frame_equal(got[name], table)
    assert list(got["model"]["step"]) == [1, 2, 3, 4, 5, 6]


def test_until_cuts_the_run(baseline):
    t = tables(baseline, 1, until="2026Q2")
    assert t["model"]["date"].iloc[-1] == "2026Q2" and len(t["model"]) == 10


# ---------------------------------------------------------------- determinism
def test_same_seed_same_tables_different_seed_different(baseline):
    a, b, c = tables(baseline, 5), tables(baseline, 5), tables(baseline, 6)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a["attendance"]["level"].equals(c["attendance"]["level"]) or not a["actors"][
        "pos_china_stance"
    ].equals(c["actors"]["pos_china_stance"])


# Numbers of two runs at the calibrated defaults (docs/calibration.md, 8.4); the model's
# speed-ups changed none of them. A change that moves any of them changes the model's
# results: make it on purpose, say so, and update them. (Other BLAS builds may round
# differently.)
PINNED = {
    ("baseline_2024", 1): {
        "coordination_index": 0.8227206168860243,
        "joint_coordination": 0.680638365857999,
        "share_NATO": 0.12107257263193351,
        "linkage": 1.0436764705882353,
        "linkage_pairs": 0.9705882352941176,
        "bloc_energy": -0.3277076364725232,
        "ip4_standing": 0.7406906209166613,
        "largest_member_burden_ratio": 1.1175760555590775,
        "meetings": 100,
        "adopted": 298,
        "china_strength_sum": 59.63271843210867,
        "china_position_sum": 872.0813328447463,
    },
    ("us_pivot", 2): {
        "coordination_index": 0.8064387299973426,
        "joint_coordination": 0.474870277626925,
        "share_NATO": 0.10799190077151416,
        "linkage": 1.0067647058823528,
        "linkage_pairs": 0.9411764705882353,
        "bloc_energy": -0.33227108683782103,
        "ip4_standing": 0.6234216939048486,
        "largest_member_burden_ratio": 1.1035813007074766,
        "meetings": 109,
        "adopted": 316,
        "china_strength_sum": 65.7646304116458,
        "china_position_sum": 882.7927879147621,
    },
}


@pytest.mark.parametrize(("name", "seed"), list(PINNED))
def test_pinned_results_do_not_move(name, seed):
    t = scenario_tables(name, seed)
    last = t["model"].iloc[-1]
    got = {k: float(last[k]) for k in PINNED[name, seed] if k in t["model"]}
    got["meetings"] = len(t["meetings"])
    got["adopted"] = int(t["meetings"]["n_adopted"].sum())
    got["china_strength_sum"] = float(t["meetings"]["strength_china_stance"].sum())
    got["china_position_sum"] = float(t["actors"]["pos_china_stance"].sum())
    assert got == pytest.approx(PINNED[name, seed], rel=1e-12, abs=0)


def test_bloc_tracking_off_changes_only_the_bloc_columns(baseline):
    on = simulate(baseline, 4, record_actors=False).recorder.frames()
    model = LatticeModel(LatticeScenario(spec=baseline, rng=4), track_blocs=False)
    model.run()
    off = model.recorder.frames()
    blocs = [c for c in on["model"] if c.startswith("bloc_")]
    pd.testing.assert_frame_equal(on["model"].drop(columns=blocs), off["model"].drop(columns=blocs))
    for name in ("meetings", "items", "attendance", "log"):
        pd.testing.assert_frame_equal(on[name], off[name])
    assert off["model"]["bloc_energy"].isna().all() and (off["model"]["bloc_b"] == "").all()
    assert (off["actors"]["bloc"] == -1).all()  # no side


def test_a_meeting_held_on_its_own_draws_its_own_shocks(baseline):
    model = LatticeModel(LatticeScenario(spec=baseline, rng=2))
    model.run_for(2)
    nato = model.forums["NATO"]
    held = len(model.recorder.raw_meetings)
    model.hold_meeting(nato, "summit")
    assert len(model.recorder.raw_meetings) == held + 1


def test_the_lattice_views_follow_joins_foundings_and_lapses(pivot):
    model = LatticeModel(LatticeScenario(spec=pivot, rng=3))
    for _ in range(40):
        model.step()
        invited = np.zeros((len(model.actor_names), len(model.forums)), dtype=bool)
        for f in model.active_forums:
            invited[f.invitees, f.index] = True
        assert np.array_equal(model.invited, invited)
        assert np.array_equal(model.shared_forums, alignment.shared_forums(invited))
        ip4 = {f.name for f, _ in model.ip4_forums}
        assert ip4 == {f.name for f in model.active_forums if f.invitee_set & set(model._ip4_rows)}


def _founding_reference(model, forum):
    """founding_group's greedy growth, recomputing the whole group's disagreement."""
    s, p = model.state, model.params
    inv = forum.invitees
    cand = inv[s.frustration[inv, forum.index] >= p.found_after]
    if len(cand) < p.found_min_size:
        return []
    best = []
    dims = forum.discusses if forum.discusses.size else np.arange(len(model.dimensions))
    for region in (0, 1):
        pool = sorted(
            (int(i) for i in cand if model.region[i] == region), key=lambda i: -s.capability[i]
        )
        group = []
        for i in pool:
            trial = group + [i]
            x, w = s.position[np.ix_(trial, dims)], s.salience[np.ix_(trial, dims)]
            pair_w = 0.5 * (w[:, None, :] + w[None, :, :])
            dist = (np.abs(x[:, None, :] - x[None, :, :]) * pair_w).sum(axis=2)
            if float((dist / np.maximum(pair_w.sum(axis=2), 1e-9)).max()) <= p.found_cohesion:
                group = trial
        if len(group) > len(best):
            best = group
    return best if len(best) >= p.found_min_size else []


@pytest.mark.parametrize("seed", range(4))
def test_founding_group_grows_as_the_whole_group_check_would(baseline, seed):
    spec = baseline.model_copy(deep=True)
    spec.parameters.found_after = 1
    spec.parameters.found_cohesion = 0.35
    spec.parameters.drafting_error = 2.0  # misjudged drafts: blocks, so groups to found
    model = LatticeModel(LatticeScenario(spec=spec, rng=seed))
    checked = 0
    for _ in range(40):
        model.step()
        for forum in model.active_forums:
            expected = _founding_reference(model, forum)
            assert founding_group(model, forum) == expected
            checked += bool(expected)
    assert checked  # some groups were found to compare


# ---------------------------------------------------------------- behaviour
@pytest.mark.parametrize("seed", range(5))
def test_france_holds_nato_reach_down_while_the_partners_session_adopts(baseline, seed):
    # The US drafts NATO's reach inside the window it expects France to accept (ODD 7.5):
    # the text is held far below the US view (0.78) near France's limit (0.48), or, when
    # the US misjudges it, France blocks or waters the draft down.
    t = tables(baseline, seed)
    items = t["items"]
    summit = items[items["date"] == "2024Q3"]
    nato_reach = summit[(summit.forum == "NATO") & (summit.dimension == "global_reach")]
    assert len(nato_reach) == 1
    row = nato_reach.iloc[0]
    if row["adopted"]:
        assert row["strength"] < 0.55
    else:
        assert "France" in row["blockers"]
    partner = summit[summit.forum == "NATO+IP4"]
    others = partner[partner.dimension != "global_reach"]
    assert others["adopted"].all() and len(others) == 2
    meeting = t["meetings"].query("forum == 'NATO+IP4' and date == '2024Q3'").iloc[0]
    assert meeting["adopted"]
    assert not np.isnan(meeting["strength_ukraine_support"])


def _late_means(t):
    m = t["model"]
    late = m[m["year"] >= 2027]
    return {
        "leading_platform_share": late["leading_platform_share"].mean(),
        "share_nato": late["share_NATO"].mean(),
        "linkage": late["linkage"].mean(),
        "coordination_index": late["coordination_index"].mean(),
        "ip4_standing_nato_ip4": late["ip4_standing_NATO+IP4"].mean(),
        "ip4_founded": float(
            t["log"].query("kind == 'forum_founded'")["text"].str.contains("Japan").any()
        ),
    }


@pytest.fixture(scope="module")
def pivot_contrast(baseline, pivot):
    rows = []
    for seed in range(30):  # paired seeds: the same random streams in both arms
        b = _late_means(tables(baseline, seed, record_actors=False))
        p = _late_means(tables(pivot, seed, record_actors=False))
        rows.append({k: p[k] - b[k] for k in b} | {"ip4_base": b["ip4_founded"]})
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    "metric",
    ["share_nato", "coordination_index", "ip4_standing_nato_ip4"],
)
def test_us_pivot_lowers_nato_share_coordination_and_ip4_standing(pivot_contrast, metric):
    # docs/odd.md, "What the US pivot does, and why": the US comes to NATO's own meetings
    # at a lower level, so NATO's texts weigh less; caring more about the Indo-Pacific, it
    # no longer accepts the watered-down text on NATO's reach that France can live with,
    # so the NATO+IP4 session deadlocks on it, the IP4's standing of the session falls and
    # the IP4 go their own way more often; the US now weighs most the dimensions on which
    # it and the Europeans disagree, so the NATO-IP4 group agrees less.
    mean, lo, hi = mean_ci(pivot_contrast[metric])  # 95% CI of the paired mean
    assert hi < 0, f"{metric}: mean diff {mean:.4f} in [{lo:.4f}, {hi:.4f}]"


def test_us_pivot_lowers_linkage_as_delegations_thin(pivot_contrast):
    # With leaders' absences at the record's base rate (ODD 7.4), the US, looking to the
    # Indo-Pacific, sends lower delegations to NATO's own meetings, and with the
    # convener's delegation worth coming for (complementarity) some allies do too: fewer
    # senior delegates sit together across the theatres.
    mean, lo, hi = mean_ci(pivot_contrast["linkage"])
    assert hi < 0, f"linkage: mean diff {mean:.4f} in [{lo:.4f}, {hi:.4f}]"


def test_us_pivot_makes_the_ip4_meet_on_their_own_more_often(pivot_contrast):
    founded_base = pivot_contrast["ip4_base"].mean()
    founded_pivot = founded_base + pivot_contrast["ip4_founded"].mean()
    assert founded_pivot > founded_base


def test_like_minded_blocked_group_founds_a_forum_of_its_own(pivot):
    eager = pivot.model_copy(deep=True)
    eager.parameters.found_after = 1  # founders who give a forum one chance
    founded = []
    for seed in range(20):
        t = tables(eager, seed, record_actors=False)
        log = t["log"]
        founded += list(log.loc[log.kind == "forum_founded", "subject"])
        for name, date in log.loc[log.kind == "forum_founded", ["subject", "date"]].values:
            if date < t["meetings"]["date"].max():  # founded before the horizon: it meets
                assert (t["meetings"]["forum"] == name).any()
    # EU members blocked under unanimity (Hungary) go ahead on their own, as coalitions of
    # the willing do; the IP4 do so when NATO's partners' session deadlocks (us_pivot)
    assert founded


# ---------------------------------------------------------------- events
def test_declared_veto_makes_an_actor_block(baseline):
    ev = {
        "type": "veto",
        "date": "2024Q2",
        "actor": "Hungary",
        "dimension": "ukraine_support",
        "forum": "NATO",
        "tolerance": 0.02,
    }
    t = tables(with_events(baseline, ev), 1)
    items = t["items"].query("forum == 'NATO' and dimension == 'ukraine_support'")
    first = items.iloc[0]
    assert "Hungary" in first["blockers"] or "Hungary" in first["watered_by"]
    base = (
        tables(baseline, 1)["items"]
        .query("forum == 'NATO' and dimension == 'ukraine_support'")
        .iloc[0]
    )
    assert "Hungary" not in base["blockers"]


def test_crisis_raises_adversary_aggression_for_its_duration(baseline):
    ev = {
        "type": "crisis",
        "date": "2025Q1",
        "theatre": "taiwan_strait",
        "intensity": 0.4,
        "duration": 2,
    }
    m = tables(with_events(baseline, ev), 1)["model"].set_index("date")
    base = tables(baseline, 1)["model"].set_index("date")
    assert m.loc["2025Q1", "china_aggression"] > base.loc["2025Q1", "china_aggression"] + 0.3
    assert m.loc["2025Q3", "china_aggression"] < base.loc["2025Q3", "china_aggression"] + 0.1


def test_membership_change_and_forum_lifecycle(baseline):
    spec = with_events(
        baseline,
        {"type": "leave", "date": "2024Q2", "forum": "NATO", "actors": ["Sweden"]},
        {"type": "forum_dissolved", "date": "2025Q1", "forum": "AUKUS"},
        {
            "type": "forum_created",
            "date": "2024Q2",
            "name": "IP4",
            "forum": {
                "members": ["ip4"],
                "competence": ["china_stance"],
                "convener": "Japan",
                "calendar": [{"quarter": 4, "level": "ministerial"}],
                "theatre": "indo_pacific",
            },
        },
    )
    t = tables(spec, 1)
    att = t["attendance"]
    assert "Sweden" not in set(att.query("forum == 'NATO'")["actor"])
    assert set(t["meetings"].query("forum == 'AUKUS'")["date"]) == {"2024Q4"}
    assert len(t["meetings"].query("forum == 'IP4'")) == 10


def test_us_retreat_from_forums_empties_its_seat(baseline):
    spec = with_events(
        baseline, {"type": "commitment", "date": "2024Q1", "actor": "United States", "value": 0.0}
    )
    us = pd.concat([tables(spec, s)["attendance"] for s in (1, 2, 3)]).query(
        "actor == 'United States'"
    )
    base = tables(baseline, 1)["attendance"].query("actor == 'United States'")
    assert (base["level"] != "absent").mean() > 0.95
    # only random taste brings it, and then at a low level: it stays away from nearly
    # half the meetings and otherwise sends officials or ministers, never its leader
    assert (us["level"] == "absent").mean() > 0.35
    codes = {"absent": 0, "official": 1, "minister": 2, "head": 3}
    assert us["level"].astype(str).map(codes).mean() < 1.0
    assert (us["level"] == "head").mean() < 0.1


def test_named_agenda_item_is_decided_and_recorded(baseline):
    ev = {
        "type": "agenda_item",
        "date": "2024Q3",
        "forum": "NATO",
        "dimension": "global_reach",
        "name": "a liaison office in Tokyo",
        "proposal": 0.7,
    }
    items = tables(with_events(baseline, ev), 1)["items"]
    row = items.query("item == 'a liaison office in Tokyo'").iloc[0]
    assert row["forum"] == "NATO" and row["proposal"] == 0.7 and not row["adopted"]
    assert row["blockers"] == ["France"]


def test_government_change_resets_position(baseline):
    ev = {
        "type": "government_change",
        "date": "2025Q1",
        "actor": "France",
        "position": {"global_reach": 0.7},
    }
    a = tables(with_events(baseline, ev), 1)["actors"].query("actor == 'France'")
    before = a.query("date == '2024Q4'")["pos_global_reach"].iloc[0]
    after = a.query("date == '2025Q2'")["pos_global_reach"].iloc[0]
    assert before < 0.35 < 0.55 < after


# ---------------------------------------------------------------- invariants
EVENTS = st.sampled_from(
    [
        {"type": "threat_shock", "actors": ["nato"], "source": "Russia", "amount": 0.5},
        {"type": "threat_shock", "actors": ["ip4"], "source": "China", "amount": -0.4},
        {"type": "position_shock", "actors": ["eu"], "dimension": "autonomy", "amount": 0.6},
        {"type": "salience_shock", "actors": ["all"], "dimension": "china_stance", "amount": 0.8},
        {"type": "crisis", "theatre": "korean_peninsula", "intensity": 1.0, "duration": 6},
        {
            "type": "attention_shift",
            "actor": "United States",
            "from": "euro_atlantic",
            "to": "indo_pacific",
            "amount": 0.9,
            "resources": 1.0,
        },
        {"type": "veto", "actor": "Turkiye", "dimension": "china_stance", "tolerance": 0.0},
        {"type": "commitment", "actor": "Germany", "value": 0.0},
        {"type": "adversary", "actor": "China", "support": 1.0, "coercion": 1.0},
        {"type": "join", "forum": "Quad", "actors": ["South Korea", "New Zealand"]},
    ]
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    socialisation=st.floats(0, 1),
    watering=st.floats(0, 1),
    max_rounds=st.integers(1, 5),
    noise=st.floats(0, 0.3),
    cost=st.floats(0, 20),
    events=st.lists(st.tuples(EVENTS, st.integers(0, 11)), max_size=6),
)
def test_random_scenarios_keep_invariants(
    baseline, seed, socialisation, watering, max_rounds, noise, cost, events
):
    params = baseline.parameters.model_dump() | {
        "socialisation": socialisation,
        "watering": watering,
        "max_rounds": max_rounds,
        "domestic_noise": noise,
        "attendance_cost": cost,
    }
    dated = [dict(e, date=f"{2024 + q // 4}Q{q % 4 + 1}") for e, q in events]
    spec = with_events(baseline, *dated, parameters=params, horizon="2026Q4")
    t = tables(spec, seed)
    pos = t["actors"][[c for c in t["actors"].columns if c.startswith(("pos_", "sal_"))]]
    assert not pos.isna().any().any()
    # Socialisation averages positions in [0, 1] with weights that sum to 1 up to
    # rounding, so a position at the edge may pass it by an ulp (1.0000000000000002).
    assert ((pos >= -1e-12) & (pos <= 1 + 1e-12)).all().all()
    standing = t["actors"][[c for c in t["actors"].columns if c.startswith("standing_")]]
    assert ((standing.fillna(0.5) >= 0) & (standing.fillna(0.5) <= 1)).all().all()
    m = t["meetings"]
    counts = m[["n_head", "n_minister", "n_official", "n_absent"]].sum(axis=1)
    assert (counts == m["n_invitees"]).all()
    per_meeting = t["attendance"].groupby("meeting_id").size()
    assert (per_meeting.reindex(m["meeting_id"]).to_numpy() == m["n_invitees"].to_numpy()).all()
    model = t["model"]
    empty = model["n_forums"] == 0  # every forum may lapse when nobody can afford to come
    assert model.loc[empty, "leading_platform_share"].isna().all()
    model = model[~empty]
    assert model["leading_platform_share"].between(0, 1).all()
    assert model["coordination_index"].between(0, 1).all()
    shares = model[[c for c in model.columns if c.startswith("share_")]].sum(axis=1)
    assert np.allclose(shares, 1.0)
