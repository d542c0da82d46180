"""The decision path: the convener's drafts, their carry-over, and played votes.

Checked on the pure pieces with answers worked on paper, and on real meetings of a model
against the rules of ODD 7.5: with moderation m the first draft lies m of the way from
the convener toward the room's weighted median; after a failure the next draft is the
text that failed; after an adoption it lies ``watering`` of the way from the agreed text
toward the convener's new draft.
"""

from types import SimpleNamespace

import numpy as np
import pytest

from latticesim import LatticeModel, LatticeScenario
from latticesim.mechanisms.rules import anticipated_drafts, weighted_median
from latticesim.model.decisions import apply_votes, ask_weaker, drafts
from latticesim.model.delegations import BLOCKING_RADIUS
from latticesim.model.forums import Item
from latticesim.model.state import Agenda
from latticesim.scenario.parameters import Parameters


# ---------------------------------------------------------------- the pure pieces
def _agenda(decided):
    dims = np.arange(len(decided))
    at = [j for j, d in enumerate(decided) if d]
    return Agenda(
        dims=dims,
        decided=tuple(decided),
        decided_at=None if all(decided) else np.array(at),
        decided_dims=dims[at],
        weight=np.array([1.0 if d else 0.5 for d in decided]),
    )


def test_drafts_moderate_carry_over_and_leave_fixed_texts_alone():
    p = Parameters(convener_moderation=0.25, watering=0.5)
    forum = SimpleNamespace(last_texts={1: (0.9, False), 2: (0.2, True)})
    items = [Item("a", 0), Item("b", 1), Item("c", 2), Item("d", 3, proposal=0.66), Item("e", 4)]
    convener = [0.8, 0.8, 0.8, 0.8, 0.4]
    medians = np.array([0.4, 0.4, 0.4, 0.4, 0.0])
    agenda = _agenda([True] * 4 + [False])
    outcomes, proposals = drafts(forum, items, agenda, convener, medians, [1.0] * 5, p)
    # a: no last text, 0.8 + 0.25 (0.4 - 0.8) = 0.7
    # b: its last text failed, so the draft is that text, 0.9
    # c: its last text was adopted at 0.2: 0.2 + 0.5 (0.7 - 0.2) = 0.45
    # d: a fixed text is put as it is
    assert proposals == pytest.approx([0.7, 0.9, 0.45, 0.66], abs=1e-15)
    assert outcomes[:4] == [None] * 4
    # e is not decided: the chair speaks to it, 0.4 + 0.25 (0 - 0.4) = 0.3
    assert outcomes[4].adopted and outcomes[4].strength == pytest.approx(0.3, abs=1e-15)


def test_played_votes_change_the_limits_and_name_who_asks_for_less():
    limit = np.full((3, 2), 0.2)
    votes = {0: {"x": "accept", "y": "weaker"}, 2: {"y": "block"}}
    askers = apply_votes(votes, ["x", "y"], limit, [True, True])
    assert limit[0, 0] == np.inf and limit[0, 1] == BLOCKING_RADIUS
    assert limit[2, 1] == BLOCKING_RADIUS and limit[2, 0] == 0.2  # no vote on x: its own
    assert limit[1].tolist() == [0.2, 0.2]
    assert askers == {1: [0]}
    # under weighted majority there is no draft to water down: 'weaker' is a vote against
    limit = np.full((3, 2), 0.2)
    assert apply_votes(votes, ["x", "y"], limit, [False, False]) == {}
    assert limit[0, 1] == BLOCKING_RADIUS


def test_a_request_for_a_weaker_text_moves_the_draft_and_the_askers_accept_it():
    proposals = [0.8, 0.6]
    x = np.array([[0.2, 0.5], [0.5, 0.1], [0.9, 0.9]])  # voters x decided items
    limit = np.full((3, 2), 0.1)
    weights = np.array([1.0, 3.0, 2.0])
    drafted = ask_weaker({0: [0, 1]}, proposals, x, limit, weights, watering=0.5)
    assert drafted == [0.8]  # the draft as the convener made it, for the record
    # toward the askers' weighted mean, (0.2 + 3 x 0.5) / 4 = 0.425: 0.8 + 0.5 (0.425 - 0.8)
    assert proposals == pytest.approx([0.6125, 0.6], abs=1e-15)
    assert limit[:, 0].tolist() == [np.inf, np.inf, 0.1] and limit[:, 1].tolist() == [0.1] * 3


# ---------------------------------------------------------------- real meetings
def _model(spec, **params):
    spec = spec.model_copy(deep=True)
    params = {"drafting_error": 0.0, "agenda_threshold": 0.0, **params}
    for key, value in params.items():
        setattr(spec.parameters, key, value)
    model = LatticeModel(LatticeScenario(spec=spec, rng=1))
    model.step()  # threats, radii and standing of a quarter
    return model


def _meet(model, name="G7", last_texts=None):
    """Hold one meeting of ``name`` (the G7, convened by Italy in 2024, far from the
    room's median); returns its decided default items with the numbers the convener
    drafted from: (dimension, outcome, its target before anticipation, a function that
    keeps a target inside the room's window as the convener sees it)."""
    forum = model.forums[name]
    forum.last_texts = dict(last_texts or {})
    forum.pending = []
    model.hold_meeting(forum, "summit")
    raw = model.recorder.raw_meetings[-1]
    chair, items, outcomes, voters = raw.chair, raw.items, raw.outcomes, raw.voters
    assert raw.met
    s, p = model.state, model.params
    out = []
    for item, o in zip(items, outcomes, strict=True):
        if forum.decides(item) and item.proposal is None:
            d = item.dimension
            median = weighted_median(s.position[voters, d], s.capability[voters])
            own = float(s.position[chair, d])
            engaged = min(
                1.0, s.salience[chair, d] * s.commitment[chair] / model.radii.commitment0[chair]
            )
            target = median + (1 - p.convener_moderation) * engaged * (own - median)
            reach = model.radii.reach[voters, d]

            def window(t, x=s.position[voters, d], r=reach, c=own, rc=model.radii.reach[chair, d]):
                return float(anticipated_drafts(np.array([t]), x[:, None], r[:, None], c, rc)[0])

            out.append((d, o, target, window))
    assert out
    return out


@pytest.mark.parametrize("moderation", [0.3, 0.6, 1.0])
def test_the_first_draft_is_the_engaged_target_kept_inside_the_rooms_window(baseline, moderation):
    model = _model(baseline, convener_moderation=moderation)
    drafted = _meet(model)
    for _d, o, target, window in drafted:
        assert o.proposal == pytest.approx(window(target), abs=1e-12)


def test_after_a_failed_text_the_next_target_is_that_text(baseline):
    model = _model(baseline)
    dims = [d for d, *_ in _meet(model)]
    failed = {d: (0.05 + 0.1 * k, False) for k, d in enumerate(dims)}
    for d, o, _target, window in _meet(model, last_texts=failed):
        assert o.proposal == pytest.approx(window(failed[d][0]), abs=1e-12)


@pytest.mark.parametrize("watering", [0.3, 0.7])
def test_after_an_adoption_the_target_asks_watering_more_than_was_agreed(baseline, watering):
    model = _model(baseline, watering=watering)
    dims = [d for d, *_ in _meet(model)]
    agreed = {d: (0.1 + 0.1 * k, True) for k, d in enumerate(dims)}
    fresh = {d: t for d, _o, t, _w in _meet(model)}
    for d, o, _target, window in _meet(model, last_texts=agreed):
        text = agreed[d][0]
        assert abs(fresh[d] - text) > 0.01
        assert o.proposal == pytest.approx(window(text + watering * (fresh[d] - text)), abs=1e-9)


def test_anticipated_drafts_keep_targets_in_the_window_or_the_conveners_own():
    x = np.array([[0.2, 0.2, 0.2], [0.6, 0.6, 0.9]])  # two voters x three items
    reach = np.array([[0.3, 0.3, 0.1], [0.3, 0.3, 0.1]])
    # items 0 and 1: the window is [0.3, 0.5]; item 2: windows [0.1, 0.3] and [0.8, 1.0]
    # do not meet, so the convener (at 0.9, reach 0.1) drafts inside its own
    out = anticipated_drafts(
        np.array([0.8, 0.4, 0.5]), x, reach, np.array([0.9, 0.9, 0.9]), np.full(3, 0.1)
    )
    assert out.tolist() == pytest.approx([0.5, 0.4, 0.8], abs=1e-12)


def test_in_a_run_no_convener_drafts_a_text_it_would_block_itself(baseline):
    # The drafter keeps every draft inside its own window, so a convener is never the
    # first to block its own text.
    checked = 0
    for seed in (1, 2):
        model = LatticeModel(LatticeScenario(spec=baseline, rng=seed))
        model.run()
        for raw in model.recorder.raw_meetings:
            for item, o, voted in zip(raw.items, raw.outcomes, raw.decided, strict=True):
                if voted and item.proposal is None and raw.chair in raw.voters.tolist():
                    at = raw.voters.tolist().index(raw.chair)
                    assert not (o.rounds == 1 and not o.adopted and at in o.blockers)
                    checked += 1
    assert checked > 100
