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
from latticesim.mechanisms.rules import RULES, weighted_median
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
    outcomes, proposals = drafts(forum, items, _agenda([True] * 4 + [False]), convener, medians, p)
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
    askers = apply_votes(votes, ["x", "y"], limit, waters_down=True)
    assert limit[0, 0] == np.inf and limit[0, 1] == BLOCKING_RADIUS
    assert limit[2, 1] == BLOCKING_RADIUS and limit[2, 0] == 0.2  # no vote on x: its own
    assert limit[1].tolist() == [0.2, 0.2]
    assert askers == {1: [0]}
    # under weighted majority there is no draft to water down: 'weaker' is a vote against
    limit = np.full((3, 2), 0.2)
    assert apply_votes(votes, ["x", "y"], limit, waters_down=False) == {}
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
    for key, value in params.items():
        setattr(spec.parameters, key, value)
    model = LatticeModel(LatticeScenario(spec=spec, rng=1))
    model.step()  # threats, radii and standing of a quarter
    return model


def _meet(model, name="G7", last_texts=None):
    """Hold one meeting of ``name`` (the G7, convened by Italy in 2024, far from the
    room's median); returns its decided default items with the numbers
    the convener drafted from: (dimension, outcome, convener's position, room's median)."""
    forum = model.forums[name]
    forum.last_texts = dict(last_texts or {})
    forum.pending = []
    model.hold_meeting(forum, "summit")
    raw = model.recorder.raw_meetings[-1]
    chair, items, outcomes, voters = raw.chair, raw.items, raw.outcomes, raw.voters
    assert raw.met
    s = model.state
    out = []
    for item, o in zip(items, outcomes, strict=True):
        if forum.decides(item) and item.proposal is None:
            d = item.dimension
            median = weighted_median(s.position[voters, d], s.capability[voters])
            out.append((d, o, float(s.position[chair, d]), median))
    assert out
    return out


@pytest.mark.parametrize("moderation", [0.3, 0.6, 1.0])
def test_the_first_draft_lies_moderation_of_the_way_to_the_rooms_median(baseline, moderation):
    model = _model(baseline, convener_moderation=moderation)
    drafted = _meet(model)
    assert max(abs(median - own) for _d, _o, own, median in drafted) > 0.02
    for _d, o, own, median in drafted:
        assert o.proposal == pytest.approx(own + moderation * (median - own), abs=1e-12)


def test_after_a_failed_text_the_next_draft_is_that_text(baseline):
    model = _model(baseline)
    dims = [d for d, *_ in _meet(model)]
    failed = {d: (0.05 + 0.1 * k, False) for k, d in enumerate(dims)}
    for d, o, own, median in _meet(model, last_texts=failed):
        assert o.proposal == failed[d][0]
        assert abs(own + 0.3 * (median - own) - failed[d][0]) > 0.01  # not the fresh draft


@pytest.mark.parametrize("watering", [0.3, 0.7])
def test_after_an_adoption_the_draft_asks_watering_more_than_was_agreed(baseline, watering):
    model = _model(baseline, watering=watering)
    dims = [d for d, *_ in _meet(model)]
    agreed = {d: (0.1 + 0.1 * k, True) for k, d in enumerate(dims)}
    moderation = model.params.convener_moderation
    for d, o, own, median in _meet(model, last_texts=agreed):
        fresh = own + moderation * (median - own)
        text = agreed[d][0]
        assert abs(fresh - text) > 0.01
        assert o.proposal == pytest.approx(text + watering * (fresh - text), abs=1e-12)


def test_in_a_run_a_failed_text_is_where_the_next_meeting_starts(baseline):
    # Through whole runs: each time a forum's default item on a dimension fails, the
    # forum's next draft on that dimension is the text that failed.
    checked = 0
    for seed in (1, 2):
        model = LatticeModel(LatticeScenario(spec=baseline, rng=seed))
        model.run()
        last: dict[tuple[str, int], object] = {}
        for raw in model.recorder.raw_meetings:
            if raw.rule is not RULES["consensus"]:
                continue
            for item, o in zip(raw.items, raw.outcomes, strict=True):
                if item.proposal is not None or item.dimension not in raw.competence:
                    continue
                key = (raw.forum, item.dimension)
                before = last.get(key)
                if before is not None and not before.adopted:
                    assert o.proposal == before.final
                    checked += 1
                last[key] = o
    assert checked >= 3
