"""Role-play: the rules of play on their own, and played actors inside the model."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from latticesim import LatticeModel, LatticeScenario
from latticesim.mechanisms.rules import consensus
from latticesim.model.delegations import (
    BLOCKING_RADIUS,
    PlayedChoice,
    describe_choice,
    played_level,
    played_radius,
    upcoming_meetings,
    weaker_proposal,
)


def test_played_level_is_the_players_capped_at_the_meeting():
    assert played_level("head", model_level=1, max_level=3) == 3
    assert played_level("head", model_level=1, max_level=2) == 2  # a ministerial
    assert played_level("absent", model_level=3, max_level=3) == 0
    assert played_level(None, model_level=2, max_level=3) == 2  # the model decides


def test_played_radius_makes_each_vote_happen():
    assert played_radius(None, 0.3) == 0.3
    assert played_radius("accept", 0.3) == np.inf
    assert played_radius("block", 0.3) == BLOCKING_RADIUS
    assert played_radius("weaker", 0.3) == BLOCKING_RADIUS


def test_weaker_proposal_is_one_round_of_watering_toward_the_askers():
    # two askers at 0.2 (weight 1) and 0.5 (weight 3): weighted mean 0.425
    assert weaker_proposal(0.8, np.array([0.2, 0.5]), np.array([1.0, 3.0]), 0.5) == pytest.approx(
        0.6125
    )


@given(
    proposal=st.floats(0, 1),
    positions=st.lists(st.floats(0, 1), min_size=1, max_size=6),
    share=st.floats(0, 1),
)
def test_weaker_proposal_stays_between_the_draft_and_the_askers(proposal, positions, share):
    x = np.array(positions)
    out = weaker_proposal(proposal, x, np.ones_like(x), share)
    lo, hi = sorted((proposal, float(x.mean())))
    assert lo - 1e-9 <= out <= hi + 1e-9


def test_a_blocking_radius_fails_a_consensus_item_naming_the_blocker():
    x = np.array([0.5, 0.5, 0.5])
    r = np.array([0.3, 0.3, BLOCKING_RADIUS])
    out = consensus(0.5, x, r, np.ones(3), max_rounds=3, watering=0.5)
    assert not out.adopted and out.blockers == (2,)


def test_choices_are_checked():
    with pytest.raises(ValueError, match="level 'king'"):
        PlayedChoice("king")
    with pytest.raises(ValueError, match="vote 'veto'"):
        PlayedChoice(None, {"global_reach": "veto"})


def test_describe_choice_reads_as_a_sentence():
    text = describe_choice("France", "NATO", "summit", "head", {"global_reach": "block"})
    expected = "France (played) came to the NATO summit at head level and blocked the text on"
    assert text == expected + " NATO's global reach."
    assert "stayed away" in describe_choice("Japan", "G7", "summit", "absent", {})
    weaker = describe_choice("Hungary", "NATO", "summit", "head", {"china_stance": "weaker"})
    assert weaker.endswith("at head level and asked for a weaker text on China.")


# ---------------------------------------------------------------- inside the model
def _model(pivot, seed=1):
    return LatticeModel(LatticeScenario(spec=pivot, rng=seed))


def _step_to_nato_summit(model):
    while "NATO" not in {m.forum for m in upcoming_meetings(model, "France")}:
        model.step()


def test_upcoming_meetings_lists_the_forums_and_what_they_decide(pivot):
    model = _model(pivot)
    _step_to_nato_summit(model)
    nato = next(m for m in upcoming_meetings(model, "France") if m.forum == "NATO")
    assert nato.role == "member" and nato.max_level == "head"
    decided = {d for d, decided, _last, _ok in nato.items if decided}
    assert {"global_reach", "china_stance", "ukraine_support"} <= decided
    assert "economic_security" not in decided  # NATO discusses it; the chair speaks to it


def _france_votes_on_reach_at_nato(pivot, vote: str):
    """France, played, comes to the first NATO summit at head level and votes on reach."""
    model = _model(pivot)
    france = model.actor_index["France"]
    model.played = {france}
    _step_to_nato_summit(model)
    model.delegations[(france, "NATO")] = PlayedChoice("head", {"global_reach": vote})
    model.step()
    items = model.recorder.frames()["items"]
    return model, items[(items.forum == "NATO") & (items.dimension == "global_reach")].iloc[-1]


def test_a_played_block_fails_the_item_and_is_chronicled(pivot):
    model, item = _france_votes_on_reach_at_nato(pivot, "block")
    assert not item.adopted and list(item.blockers) == ["France"]
    played = [e for e in model.recorder.entries if e[2] == "played" and "NATO summit" in e[4]]
    assert played and "blocked the text on NATO's global reach" in played[-1][4]
    assert model.delegations == {}  # answers are for one quarter only
    att = model.recorder.frames()["attendance"]
    last = att[(att.forum == "NATO") & (att.actor == "France")].iloc[-1]
    assert last.level == "head"


def test_an_accept_lets_through_what_the_model_would_block(pivot):
    # Alone, France blocks NATO's reach text in the pivot scenario at some point (in seed
    # 0, as in a third of seeds); a player who accepts every text lets each through.
    alone = _model(pivot, seed=0)
    alone.run_for(12)
    items = alone.recorder.frames()["items"]
    blocked = items[(items.forum == "NATO") & items.blockers.map(lambda b: "France" in list(b))]
    assert len(blocked), "the scenario should give France something to block"
    model = _model(pivot, seed=0)
    france = model.actor_index["France"]
    model.played = {france}
    for _ in range(12):
        model.delegations = {
            (france, m.forum): PlayedChoice(None, {d: "accept" for d, *_ in m.items})
            for m in upcoming_meetings(model, "France")
        }
        model.step()
    items = model.recorder.frames()["items"]
    assert not items.blockers.map(lambda b: "France" in list(b)).any()


def test_a_weaker_text_is_watered_toward_the_player_and_credits_it(pivot):
    _, item = _france_votes_on_reach_at_nato(pivot, "weaker")
    assert item.adopted
    assert "France" in list(item.watered_by)
    assert item.strength < item.proposal  # France wants less reach than the convener


def test_an_unanswered_played_actor_is_played_by_the_model_and_said_so(pivot):
    played = _model(pivot)
    played.played = {played.actor_index["Japan"]}
    played.run_for(8)
    alone = _model(pivot)
    alone.run_for(8)
    # the same run: the model answered for Japan exactly as it plays Japan alone
    a = played.recorder.frames()["items"]
    b = alone.recorder.frames()["items"]
    assert a.drop(columns=["meeting_id"]).equals(b.drop(columns=["meeting_id"]))
    notes = [e[4] for e in played.recorder.entries if e[2] == "played"]
    assert notes and all("Japan (played) gave no answer" in n for n in notes)


def _tables_without_played_lines(model):
    tables = model.recorder.frames()
    log = tables["log"]
    tables["log"] = log[log.kind != "played"].reset_index(drop=True)
    return tables


@pytest.mark.parametrize("answer", [None, PlayedChoice()], ids=["no answers", "empty answers"])
def test_played_actors_left_to_the_model_run_as_if_nobody_played(pivot, answer):
    # Played actors whose players leave every choice to the model (no answer at all, or
    # an answer that names no level and no vote) go through the same decision path as
    # everyone: every table is the one of the run nobody plays, bit for bit (the log
    # only adds its 'played' lines).
    actors = ["France", "Japan", "United States", "Hungary", "Australia"]
    played = _model(pivot, seed=2)
    played.played = {played.actor_index[a] for a in actors}
    for _ in range(16):
        if answer is not None:
            played.delegations = {
                (played.actor_index[a], m.forum): answer
                for a in actors
                for m in upcoming_meetings(played, a)
            }
        played.step()
    alone = _model(pivot, seed=2)
    alone.run_for(16)
    got, expected = _tables_without_played_lines(played), _tables_without_played_lines(alone)
    assert set(got) == set(expected)
    for name in expected:
        pd.testing.assert_frame_equal(got[name], expected[name], check_exact=True)
    lines = [e for e in played.recorder.entries if e[2] == "played"]
    assert len(lines) > 20  # the played actors were at many meetings
