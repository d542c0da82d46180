"""A player's seat: choices kept with the seat, Send all, pages that follow their own seat,
and what each card says about its meeting's rule."""

import ipyvuetify as v
import pytest
import solara
from seat_taps import tap

from latticesim import LatticeModel, LatticeScenario
from latticesim.model.delegations import PlayedChoice, upcoming_meetings
from latticesim.seminar import seats
from latticesim.seminar.meeting_notes import PARTNER, meeting_note
from latticesim.seminar.rooms import RoomError, RoomRegistry


class _RoomModel(LatticeModel):
    def __init__(self, scenario):
        super().__init__(scenario)
        self.room = None


def _step(room):
    room.before_step(room.model)
    room.model.step()
    room.after_step(room.model)


def _room_at_nato(pivot):
    room = RoomRegistry().open(_RoomModel(LatticeScenario(spec=pivot, rng=1)))
    while "NATO" not in {m.forum for m in upcoming_meetings(room.model, "France")}:
        _step(room)
    return room


def _meeting(room, actor, forum):
    return next(m for m in upcoming_meetings(room.model, actor) if m.forum == forum)


def test_unsent_choices_stay_with_the_seat_until_send_all(pivot):
    room = _room_at_nato(pivot)
    france = room.join("France", "Claire", client="phone")
    room.set_draft(france.token, "NATO", lambda c: PlayedChoice("head", c.votes))
    room.set_draft(
        france.token, "NATO", lambda c: PlayedChoice(c.level, {**c.votes, "global_reach": "block"})
    )
    # a reload reads them from the room: nothing is sent yet
    assert room.drafts_of(france.token) == {"NATO": PlayedChoice("head", {"global_reach": "block"})}
    assert room.answered(france.token) == {}
    with pytest.raises(RoomError, match="held on another device"):
        room.send_all(france.token, client="laptop")
    room.send_all(france.token, client="phone")
    due = {m.forum for m in upcoming_meetings(room.model, "France")}
    sent = room.answered(france.token)
    assert set(sent) == due  # every meeting answered, the untouched ones by the model
    assert sent["NATO"] == PlayedChoice("head", {"global_reach": "block"})
    assert all(sent[f] == PlayedChoice() for f in due - {"NATO"})
    assert room.drafts_of(france.token) == {} and room.waiting_for() == []
    # an edit after sending builds on what was sent; the step clears what is left unsent
    room.set_draft(france.token, "NATO", lambda c: PlayedChoice("minister", c.votes))
    assert room.drafts_of(france.token)["NATO"].votes == {"global_reach": "block"}
    _step(room)
    assert room.drafts_of(france.token) == {}


def test_a_seat_follows_only_its_own_changes_and_the_quarters(pivot):
    room = _room_at_nato(pivot)
    france, germany = room.join("France"), room.join("Germany")
    before = room.seat_version(france.token)
    facilitator = room.version
    room.set_draft(germany.token, "NATO", lambda c: PlayedChoice("head"))
    room.send_all(germany.token)
    room.join("Italy")
    assert room.seat_version(france.token) == before  # others' answers do not redraw France
    assert room.version > facilitator  # the facilitator's table does follow them
    room.set_draft(france.token, "NATO", lambda c: PlayedChoice("head"))
    mine = room.seat_version(france.token)
    assert mine[1] > before[1] and mine[0] == before[0]
    _step(room)
    assert room.seat_version(france.token)[0] > mine[0]  # a new quarter: every seat


def test_each_card_says_its_rule_and_what_a_vote_does(pivot):
    room = _room_at_nato(pivot)
    model = room.model
    nato = meeting_note(model, _meeting(room, "France", "NATO"), "France")
    assert nato.startswith("Consensus: any member can block.")
    assert "Weaker: the draft moves toward your position" in nato
    partners = [
        (a, m)
        for a in ("Japan", "Australia", "South Korea", "New Zealand")
        for m in upcoming_meetings(model, a)
        if m.role == "partner"
    ]
    assert partners, "an IP4 state is a partner at some meeting of the summit quarter"
    actor, meeting = partners[0]
    assert meeting_note(model, meeting, actor) == PARTNER
    # the EU decides trade by weighted majority and the rest by consensus: a card says both
    for _ in range(8):
        eu = [m for m in upcoming_meetings(model, "Germany") if m.forum == "EU"]
        if eu and any(d == "economic_security" and ok for d, ok, *_ in eu[0].items):
            break
        _step(room)
    else:
        pytest.fail("no EU meeting deciding economic security within two years")
    note = meeting_note(model, eu[0], "Germany")
    assert "On economic security: Weighted majority: a text passes when members holding" in note
    assert "Consensus: any member can block." in note
    share = float(model.state.capability[model.actor_index["Germany"]]) / float(
        model.state.capability[list(model.forums["EU"].members)].sum()
    )
    assert f"you hold {share:.0%} of the members'" in note


def test_the_seat_form_sends_all_and_shows_what_is_not_sent(pivot, monkeypatch):
    monkeypatch.setattr(seats, "ROOM_POLL_SECONDS", None)
    room = _room_at_nato(pivot)
    france = room.join("France", "Claire")
    _box, rc = solara.render(seats.SeatForm(room, france.token), handle_error=False)
    try:
        (widget,) = [w.widget for w in rc.find(v.VuetifyTemplate) if hasattr(w.widget, "cards")]

        def card(forum):
            return next(c for c in widget.cards if c["forum"] == forum)

        nato = card("NATO")
        assert nato["note"].startswith("Consensus: any member can block.")
        assert nato["state"] == "the model decides unless you send" and not widget.all_sent
        tap(rc, "level-nato-head")
        tap(rc, "vote-nato-global_reach-weaker")
        nato = card("NATO")
        assert [b["label"] for b in nato["levels"] if b["on"]] == ["head"]
        reach = next(r for r in nato["rows"] if r["dim"] == "global_reach")
        assert [b["label"] for b in reach["buttons"] if b["on"]] == ["weaker"]
        assert nato["state"] == "not sent yet"
        assert widget.unsent == "Not sent yet: NATO. Press Send all: Step does not wait."
        tap(rc, "send-all")
        assert room.answered(france.token)["NATO"] == PlayedChoice(
            "head", {"global_reach": "weaker"}
        )
        assert widget.all_sent and widget.unsent == "" and card("NATO")["state"] == "sent"
        # a new quarter sends the cards' data to the same widget: no widget is made anew
        _step(room)
        rc.render(seats.SeatForm(room, france.token, 1), rc.container)
        (again,) = [w.widget for w in rc.find(v.VuetifyTemplate) if hasattr(w.widget, "cards")]
        assert again is widget
        assert card("NATO")["title"] == "NATO ministerial (member)"  # after the summit
        assert card("NATO")["state"] == "the model decides unless you send"
    finally:
        rc.close()
