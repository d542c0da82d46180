"""Scenario levers: events that change attendance costs, a forum's remit, several views.

Contrasts run the two arms with the same seeds (common random numbers), so the paired
difference is the lever's doing.
"""

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from latticesim import LatticeModel, LatticeScenario, load_scenario, simulate
from latticesim.mechanisms.attendance import LEVEL_NAMES, preoccupation_now
from latticesim.model import events
from latticesim.sweeps.stats import mean_ci

OK = Path(__file__).resolve().parents[1] / "scenarios_ok"
SEEDS = range(20)
LEVEL = {name: k for k, name in enumerate(LEVEL_NAMES)}


def with_events(spec, *new):
    """``spec`` with ``new`` events (mappings as in a file) after its own."""
    data = spec.model_dump(mode="json", by_alias=True)
    return spec.model_validate(data | {"events": [*data["events"], *new]})


@cache
def _attendance(spec_json: str, seed: int):
    from latticesim.scenario.schema import ScenarioSpec

    spec = ScenarioSpec.model_validate_json(spec_json)
    frames = simulate(spec, seed, until="2027Q4", record_actors=False).recorder.frames()
    return frames["attendance"]


def levels(spec, seed, actor, year, forums=None, exclude=None):
    """Mean level code (0 absent ... 3 head) of ``actor`` at the forums' meetings in ``year``."""
    a = _attendance(spec.model_dump_json(), seed)
    rows = a[(a["actor"] == actor) & a["date"].astype(str).str.startswith(str(year))]
    if forums is not None:
        rows = rows[rows["forum"].isin(forums)]
    if exclude is not None:
        rows = rows[~rows["forum"].isin(exclude)]
    return float(rows["level"].astype(str).map(LEVEL).mean())


# ---------------------------------------------------------------- preoccupation

ELECTION = {
    "type": "preoccupation",
    "date": "2026Q1",
    "actors": ["Australia"],
    "forum": "NATO+IP4",
    "amount": 5,
    "duration": 4,
}


def test_a_preoccupation_lowers_attendance_there_and_nowhere_else(baseline):
    """Australia comes to the NATO+IP4 summit at head level; an election year sends less.

    At its other forums (Quad, AUKUS) in 2026 and 2027, and at NATO+IP4 the year after,
    the paired difference of its mean level must be within 0.1 of a level and its
    interval must hold 0.
    """
    lever = with_events(baseline, ELECTION)
    at_home = [
        levels(lever, s, "Australia", 2026, ["NATO+IP4"])
        < levels(baseline, s, "Australia", 2026, ["NATO+IP4"])
        for s in SEEDS
    ]
    assert np.mean(at_home) >= 0.7, f"lower in {np.mean(at_home):.0%} of seeds"
    for year, kw in (
        (2026, {"exclude": ["NATO+IP4"]}),
        (2027, {"exclude": ["NATO+IP4"]}),
        (2027, {"forums": ["NATO+IP4"]}),
    ):
        diffs = [
            levels(lever, s, "Australia", year, **kw) - levels(baseline, s, "Australia", year, **kw)
            for s in SEEDS
        ]
        mean, lo, hi = mean_ci(diffs)
        assert abs(mean) < 0.1, (year, kw, mean)
        assert np.isnan(lo) or lo <= 0.0 <= hi or lo == hi == 0.0, (year, kw, lo, hi)


def test_a_preoccupation_fades_and_ends_and_only_then_drops_the_inputs(baseline):
    spec = with_events(
        baseline,
        {
            "type": "preoccupation",
            "date": "2024Q2",
            "actors": ["ip4"],
            "amount": 2.0,
            "duration": 3,
            "fade": 0.5,
        },
    )
    model = LatticeModel(LatticeScenario(spec=spec, rng=1))
    japan = model.actor_index["Japan"]
    seen = []
    for _ in range(5):
        model.step()
        p = model.preoccupations
        seen.append(None if p.everywhere is None else float(p.everywhere[japan]))
    assert seen == [None, 2.0, 1.0, 0.5, None]
    assert not model.preoccupations.spells
    assert preoccupation_now(2.0, 0.5, 2) == 0.5
    log = model.recorder.frames()["log"]
    ended = log[log["kind"] == "preoccupation_ended"]
    assert ended["date"].tolist() == ["2025Q1"]
    assert "Australia, Japan, New Zealand" in ended["text"].iloc[0]


def test_a_steady_preoccupation_keeps_the_forums_inputs_between_its_start_and_end(baseline):
    spec = with_events(baseline, ELECTION)
    model = LatticeModel(LatticeScenario(spec=spec, rng=1))
    model.run_for(9)  # to 2026Q1, when it starts
    nato_ip4 = model.forums["NATO+IP4"]
    model.step()  # 2026Q2
    kept = model.inputs_for(nato_ip4)
    model.step()  # 2026Q3: NATO+IP4 meets with the same inputs
    assert model._forum_inputs[nato_ip4.index] is kept
    row = list(nato_ip4.invitees).index(model.actor_index["Australia"])
    japan = list(nato_ip4.invitees).index(model.actor_index["Japan"])
    plain = LatticeModel(LatticeScenario(spec=baseline, rng=1))
    plain.run_for(11)
    base_cost = plain.inputs_for(plain.forums["NATO+IP4"]).cost
    assert kept.cost[row] == pytest.approx(6.0 * base_cost[row])
    assert kept.cost[japan] == pytest.approx(base_cost[japan])


def test_the_chronicle_says_who_is_preoccupied_where_and_until_when(baseline):
    model = LatticeModel(LatticeScenario(spec=baseline, rng=1))
    model.run_for(9)
    event = with_events(baseline, ELECTION).events[-1]
    text = events.apply(model, event)
    assert text == (
        "Australia is preoccupied at home: coming to NATO+IP4 meetings costs it 6 times as "
        "much as usual until 2026Q4."
    )


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("preoccupation", "preoccupation"),
        ("forum_remit", "forum_remit"),
        ("shock_amounts", "position_shock"),
    ],
)
def test_the_levers_example_scenarios_load_and_run(name, kind):
    spec = load_scenario(OK / f"{name}.yaml")
    frames = simulate(spec, 1, record_actors=False).recorder.frames()
    log = frames["log"]
    assert (log["kind"] == kind).any()


# ---------------------------------------------------------------- forum_remit


def _items(spec, seed):
    return simulate(spec, seed, until="2029Q4", record_actors=False).recorder.frames()["items"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_restricted_forum_adopts_nothing_outside_its_remit_and_still_adopts_within(
    baseline, seed
):
    """NATO+IP4 (named items on three dimensions) keeps only support for Ukraine."""
    spec = with_events(
        baseline,
        {"type": "forum_remit", "date": "2026Q1", "forum": "NATO+IP4", "only": ["ukraine_support"]},
    )
    items = _items(spec, seed)
    here = items[items["forum"] == "NATO+IP4"]
    before = here[here["date"].astype(str) < "2026Q1"]
    after = here[here["date"].astype(str) >= "2026Q1"]
    assert set(before.loc[before["adopted"], "dimension"]) > {"ukraine_support"}
    assert len(after) and set(after["dimension"]) == {"ukraine_support"}
    assert after["adopted"].any()
    # the named item on the dimension kept stays the forum's
    assert set(after["item"]) == {"flagship projects supporting Ukraine"}
    # nothing else changes for the forums it does not touch, before the date
    base = _items(baseline, seed)
    early = base[base["date"].astype(str) < "2026Q1"].reset_index(drop=True)
    assert early.equals(items[items["date"].astype(str) < "2026Q1"].reset_index(drop=True))


def test_a_dimension_moved_from_competence_to_discussion_ends_in_chairs_statements(baseline):
    spec = with_events(
        baseline,
        {
            "type": "forum_remit",
            "date": "2026Q1",
            "forum": "NATO",
            "competence": ["ukraine_support"],
            "discusses": ["china_stance"],
        },
    )
    items = _items(spec, 1)
    summits = items["date"].astype(str).str.endswith("Q3")  # its December meetings agree no texts
    after = items[(items["forum"] == "NATO") & (items["date"].astype(str) >= "2026Q1") & summits]
    decided = after.groupby("dimension", observed=True)["decided"].agg(set).to_dict()
    assert decided == {"ukraine_support": {True}, "china_stance": {False}}


def test_the_chronicle_says_what_a_forum_now_decides_and_no_longer_takes_up(baseline):
    model = LatticeModel(LatticeScenario(spec=baseline, rng=1))
    model.step()
    event = with_events(
        baseline,
        {"type": "forum_remit", "date": "2024Q1", "forum": "NATO", "drop": ["global_reach"]},
    ).events[-1]
    text = events.apply(model, event)
    assert text == (
        "NATO now decides China, support for Ukraine and defence spending and discusses "
        "economic security; "
        "it no longer takes up NATO's global reach."
    )
    nato = model.forums["NATO"]
    assert model.dimension_index["global_reach"] not in nato.competence_set
    assert baseline.forums["NATO"].competence == [
        "china_stance",
        "global_reach",
        "ukraine_support",
        "burden_sharing",
    ]


# ---------------------------------------------------------------- shocks on several dimensions


def _event(spec, **fields):
    return with_events(spec, {"date": "2024Q1", **fields}).events[-1]


def test_a_position_shock_on_several_dimensions_moves_each_by_its_amount(baseline):
    model = LatticeModel(LatticeScenario(spec=baseline, rng=1))
    s, dim = model.state, model.dimension_index
    rows = [model.actor_index[a] for a in ("Germany", "France")]
    anchor, position = s.base_anchor.copy(), s.position.copy()
    s.base_anchor[rows[0], dim["economic_security"]] = 0.1  # will be clipped at 0
    anchor[rows[0], dim["economic_security"]] = 0.1
    event = _event(
        baseline,
        type="position_shock",
        actors=["Germany", "France"],
        amounts={"china_stance": 0.1, "economic_security": -0.2},
    )
    text = events.apply(model, event)
    assert text == "Germany and France moved on China (+0.10) and economic security (-0.20)."
    for d, amount in (("china_stance", 0.1), ("economic_security", -0.2)):
        k = dim[d]
        expect = np.clip(anchor[rows, k] + amount, 0.0, 1.0)
        assert s.base_anchor[rows, k] == pytest.approx(expect)
        assert s.position[rows, k] == pytest.approx(np.clip(position[rows, k] + amount, 0, 1))
    assert s.base_anchor[rows[0], dim["economic_security"]] == 0.0
    others = [k for d, k in dim.items() if d not in ("china_stance", "economic_security")]
    assert np.array_equal(s.base_anchor[:, others], anchor[:, others])
    untouched = [i for i in range(len(model.actor_names)) if i not in rows]
    assert np.array_equal(s.base_anchor[untouched], anchor[untouched])


def test_a_salience_shock_on_several_dimensions_is_the_single_shocks_in_turn(baseline):
    moves = {"china_stance": 0.1, "ukraine_support": -0.05}
    one = LatticeModel(LatticeScenario(spec=baseline, rng=1))
    text = events.apply(one, _event(baseline, type="salience_shock", actors=["ip4"], amounts=moves))
    assert text == ("The IP4 now care more about China and less about support for Ukraine.")
    each = LatticeModel(LatticeScenario(spec=baseline, rng=1))
    for d, amount in moves.items():
        events.apply(
            each,
            _event(baseline, type="salience_shock", actors=["ip4"], dimension=d, amount=amount),
        )
    assert np.array_equal(one.state.base_salience, each.state.base_salience)
    japan = one.actor_index["Japan"]
    k = one.dimension_index["china_stance"]
    plain = LatticeModel(LatticeScenario(spec=baseline, rng=1))
    assert one.state.base_salience[japan, k] == pytest.approx(
        min(plain.state.base_salience[japan, k] + 0.1, 1.0)
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"dimension": "china_stance", "amount": 0.1, "amounts": {"autonomy": 0.1}}, "not both"),
        ({"dimension": "china_stance"}, "amount is missing"),
        ({}, "dimension and amount are missing"),
        ({"amounts": {}}, "amounts names no dimension"),
    ],
)
def test_a_shock_takes_one_form_or_the_other(baseline, fields, message):
    with pytest.raises(ValueError, match=message):
        _event(baseline, type="position_shock", actors=["Germany"], **fields)


def test_a_salience_shift_scoped_to_a_forum_moves_its_texts_more_than_others(baseline):
    # The allies hold China less salient in NATO's meetings only (a priority NATO's agenda
    # no longer gives it): their limits there widen, NATO's drafts are no longer watered
    # down to Hungary's, and NATO's China text moves; the G7's, where nothing changed,
    # does not.
    scoped = with_events(
        baseline,
        {
            "type": "salience_shock",
            "date": "2025Q1",
            "actors": ["nato"],
            "dimension": "china_stance",
            "amount": -0.4,
            "forum": "NATO",
        },
    )

    def china(t, forum):
        m = t["meetings"].query(
            "forum == @forum and met and date >= '2025Q1' and level == 'summit'"
        )
        return m["strength_china_stance"].fillna(0).mean()

    nato, g7 = [], []
    for seed in range(10):
        before = simulate(baseline, seed, record_actors=False).recorder.frames()
        after = simulate(scoped, seed, record_actors=False).recorder.frames()
        nato.append(china(after, "NATO") - china(before, "NATO"))
        g7.append(china(after, "G7") - china(before, "G7"))
    assert abs(np.mean(nato)) > 5 * abs(np.mean(g7))
    assert mean_ci(np.array(nato))[1] > 0.03
    text = events.apply(LatticeModel(LatticeScenario(spec=scoped, rng=1)), scoped.events[0])
    assert text.endswith("in NATO.")
