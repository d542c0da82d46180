"""Seminar rooms: seats, answers, isolation between rooms, and the debrief."""

import itertools
import threading

import pytest

from latticesim import LatticeModel, LatticeScenario
from latticesim.model.delegations import PlayedChoice, upcoming_meetings
from latticesim.seminar.debrief import debrief, debrief_html, debrief_with_figures
from latticesim.seminar.rooms import (
    CODE_LETTERS,
    LOCKOUT_SECONDS,
    MAX_WRONG_CODES,
    RoomError,
    RoomRegistry,
    new_code,
    show_code,
)


class _RoomModel(LatticeModel):
    """A model a room can follow: it declares the room's slot, as the dashboard's does."""

    def __init__(self, scenario):
        super().__init__(scenario)
        self.room = None


def _model(pivot, seed=1):
    return _RoomModel(LatticeScenario(spec=pivot, rng=seed))


class _Stepper:
    """Steps a model the way the dashboard's model does: through its room."""

    def __init__(self, model):
        self.model = model

    def step(self):
        room = self.model.room
        room.before_step(self.model)
        self.model.step()
        room.after_step(self.model)


def _to_nato(room, actor="France"):
    stepper = _Stepper(room.model)
    while "NATO" not in {m.forum for m in upcoming_meetings(room.model, actor)}:
        stepper.step()
    return stepper


def test_codes_are_six_unambiguous_letters_shown_in_halves():
    codes = {new_code() for _ in range(200)}
    assert all(len(c) == 6 and set(c) <= set(CODE_LETTERS) for c in codes)
    assert not set("IO") & set(CODE_LETTERS)
    assert len(CODE_LETTERS) ** 6 > 2**27  # today's space; 24**4 was 18 bits
    assert show_code("KXMPRT") == "KXM PRT"


def test_a_browser_giving_wrong_codes_is_refused_for_a_while(pivot):
    now = [1000.0]
    rooms = RoomRegistry(clock=lambda: now[0])
    room = rooms.open(_model(pivot))
    wrong = "ZZZZZZ" if room.code != "ZZZZZZ" else "YYYYYY"
    for _ in range(MAX_WRONG_CODES):
        with pytest.raises(RoomError, match="no room with code"):
            rooms.find(wrong, "browser-a")
    # now even the right code is refused to that browser, and told how long to wait
    with pytest.raises(RoomError, match=r"too many wrong room codes from this device; try again"):
        rooms.find(room.code, "browser-a")
    assert rooms.find(room.code, "browser-b") is room  # another browser is not held up
    now[0] += LOCKOUT_SECONDS + 1
    assert rooms.find(room.code, "browser-a") is room


def test_wrong_codes_spread_over_time_are_not_held_against_a_browser(pivot):
    now = [0.0]
    rooms = RoomRegistry(clock=lambda: now[0])
    room = rooms.open(_model(pivot))
    for _ in range(3 * MAX_WRONG_CODES):
        with pytest.raises(RoomError, match="no room with code"):
            rooms.find("QQQQQQ" if room.code != "QQQQQQ" else "WWWWWW", "slow")
        now[0] += 30.0  # a typo every half minute: never the limit within a minute
    assert rooms.find(room.code, "slow") is room


def test_codes_are_typed_forgivingly_and_wrong_ones_refused(pivot):
    rooms = RoomRegistry()
    room = rooms.open(_model(pivot))
    assert rooms.get(f" {room.code.lower()[:3]}-{room.code.lower()[3:]} ") is room
    with pytest.raises(RoomError, match="no room with code ZZZZZZ; check the code"):
        rooms.get("zzzzzz" if room.code != "ZZZZZZ" else "YYYYYY")


def test_rooms_never_share_a_code_nor_reuse_a_closed_ones(pivot):
    codes = itertools.cycle(["ABCDEF", "ABCDEF", "EFGHJK", "ABCDEF", "LMNPQR"])
    rooms = RoomRegistry(code_source=lambda: next(codes))
    a, b = rooms.open(_model(pivot)), rooms.open(_model(pivot))
    assert {a.code, b.code} == {"ABCDEF", "EFGHJK"}
    rooms.close("ABCDEF")
    assert rooms.open(_model(pivot)).code == "LMNPQR"
    with pytest.raises(RoomError, match="room ABCDEF has closed; ask the facilitator"):
        rooms.get("abc-def")


def test_seats_are_one_per_actor_and_adversaries_are_not_playable(pivot):
    room = RoomRegistry().open(_model(pivot))
    seat = room.join("France", "Claire")
    assert room.model.played == {room.model.actor_index["France"]}
    with pytest.raises(RoomError, match="France is already played by Claire"):
        room.join("France", "Paul")
    with pytest.raises(RoomError, match="'China' is not an actor that can be played"):
        room.join("China")
    room.leave(seat.token)
    assert room.model.played == set()


def test_a_players_answers_reach_the_model_and_the_chronicle(pivot):
    room = RoomRegistry().open(_model(pivot))
    fr = room.join("France", "Claire")
    jp = room.join("Japan", "Kenji")
    stepper = _to_nato(room)
    assert set(room.waiting_for()) >= {"France"}
    room.answer(fr.token, "NATO", PlayedChoice("head", {"global_reach": "block"}))
    assert room.answered(fr.token)["NATO"].votes == {"global_reach": "block"}
    stepper.step()
    items = room.model.recorder.frames()["items"]
    last = items[(items.forum == "NATO") & (items.dimension == "global_reach")].iloc[-1]
    assert list(last.blockers) == ["France"]
    assert room.answered(fr.token) == {}  # cleared for the next quarter
    texts = [e[4] for e in room.model.recorder.entries if e[2] == "played"]
    assert any(t.startswith("France (played) came to the NATO summit") for t in texts)
    # Japan, a partner at the NATO+IP4 summit that quarter, did not answer: the model did
    assert "Japan (played) gave no answer for the NATO+IP4 summit; the model decided." in texts
    assert jp.token in room.players


def test_a_seat_cannot_act_in_another_room(pivot):
    rooms = RoomRegistry()
    one, two = rooms.open(_model(pivot)), rooms.open(_model(pivot))
    seat = one.join("France")
    _to_nato(one)
    _to_nato(two)
    with pytest.raises(RoomError, match="not in this room"):
        two.answer(seat.token, "NATO", PlayedChoice(None, {"global_reach": "block"}))
    with pytest.raises(RoomError, match="not in this room"):
        two.meetings_for(seat.token)
    assert two.answers == {}


def test_an_answer_for_a_meeting_the_actor_is_not_at_is_refused(pivot):
    room = RoomRegistry().open(_model(pivot))
    seat = room.join("New Zealand")
    _to_nato(room, "France")
    with pytest.raises(RoomError, match="New Zealand is not invited to a NATO meeting"):
        room.answer(seat.token, "NATO", PlayedChoice("head"))


def test_a_reset_keeps_the_seats_and_drops_the_answers(pivot):
    room = RoomRegistry().open(_model(pivot))
    seat = room.join("France")
    _to_nato(room)
    room.answer(seat.token, "NATO", PlayedChoice("head"))
    first = room.model
    fresh = _model(pivot)
    room.attach(fresh)
    assert room.model is fresh and fresh.room is room and first.room is None
    assert fresh.played == {fresh.actor_index["France"]}
    assert room.answers == {}


def test_a_closed_room_frees_its_seats_and_lets_go_of_its_model(pivot):
    rooms = RoomRegistry()
    room = rooms.open(_model(pivot))
    seat = room.join("France", client="a")
    model = room.model
    assert model.room is room
    rooms.close(room.code)
    assert model.room is None and model.played == set()
    assert room.players == {} and room.closed
    for ask in (lambda: room.player(seat.token), lambda: rooms.by_seat(seat.token)):
        with pytest.raises(RoomError, match=f"room {room.code} has closed"):
            ask()
    with pytest.raises(RoomError, match="has closed"):
        room.join("Japan")
    with pytest.raises(RoomError, match="facilitator link is for a room that has closed"):
        rooms.by_host(room.host_token)


def test_the_facilitator_link_finds_the_room_with_its_model_and_seats(pivot):
    rooms = RoomRegistry()
    room = rooms.open(_model(pivot))
    other = rooms.open(_model(pivot))
    seat = room.join("France", "Claire")
    _to_nato(room).step()
    assert room.host_token != other.host_token and len(room.host_token) >= 20
    back = rooms.by_host(room.host_token)
    assert back is room and back.model.quarters_run > 0 and seat.token in back.players
    assert rooms.by_seat(seat.token) is room


def test_the_facilitator_frees_and_moves_seats(pivot):
    room = RoomRegistry().open(_model(pivot))
    fr, jp = room.join("France", "Claire"), room.join("Japan", "Kenji")
    _to_nato(room)
    room.answer(fr.token, "NATO", PlayedChoice("head"))
    room.move("France", "Germany")
    assert room.player(fr.token).actor == "Germany" and room.player(fr.token).name == "Claire"
    index = room.model.actor_index
    assert room.model.played == {index["Germany"], index["Japan"]}
    assert "France" not in room.answers  # France's answer went with the seat
    with pytest.raises(RoomError, match="Japan is already played by Kenji"):
        room.move("Germany", "Japan")
    room.free("Japan")
    assert room.model.played == {index["Germany"]}
    with pytest.raises(RoomError, match="the facilitator freed the seat of Japan; join again"):
        room.player(jp.token)
    assert room.join("Japan", "Yuki").name == "Yuki"  # the actor is free again


def test_a_second_browser_asks_for_a_seat_and_the_facilitator_decides(pivot):
    room = RoomRegistry().open(_model(pivot))
    seat = room.join("France", "Claire", client="laptop")
    assert room.holds(seat.token, "laptop")  # a reload in the same browser keeps it
    assert not room.holds(seat.token, "phone")
    _to_nato(room)
    with pytest.raises(RoomError, match="held on another device"):
        room.answer(seat.token, "NATO", PlayedChoice("head"), client="phone")
    room.ask_for(seat.token, "phone")
    assert [p.actor for p in room.asking()] == ["France"]
    assert "Another device has asked for this seat" in room.player(seat.token).notice
    room.refuse("France")
    assert room.holds(seat.token, "laptop") and "phone" in room.refused
    assert "kept it here" in room.player(seat.token).notice
    room.ask_for(seat.token, "phone")
    room.pass_on("France")
    assert room.holds(seat.token, "phone") and not room.holds(seat.token, "laptop")
    assert "laptop" in room.passed and room.asking() == []
    room.answer(seat.token, "NATO", PlayedChoice("head"), client="phone")
    with pytest.raises(RoomError, match="nobody has asked for the seat of France"):
        room.pass_on("France")


def test_answers_from_many_threads_are_all_kept(pivot):
    room = RoomRegistry().open(_model(pivot))
    actors = ["France", "Germany", "Italy", "Spain", "Poland", "Netherlands"]
    seats = [room.join(a) for a in actors]
    _to_nato(room)

    def answer(seat):
        room.answer(seat.token, "NATO", PlayedChoice("minister"))

    threads = [threading.Thread(target=answer, args=(s,)) for s in seats]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(room.answers) == set(actors)
    # each answered one meeting of the quarter (they may owe more: NATO+IP4, the EU)
    assert sorted(done for _p, _due, done in room.status()) == [1] * len(actors)


def test_debrief_compares_the_room_with_the_model_alone(pivot):
    # Alone, France blocks NATO's reach text at the 2024 summit (seed 0); the room's
    # France accepts.
    room = RoomRegistry().open(_model(pivot, seed=0))
    seat = room.join("France")
    stepper = _to_nato(room)
    room.answer(seat.token, "NATO", PlayedChoice("head", {"global_reach": "accept"}))
    stepper.step()
    alone = LatticeModel(LatticeScenario(spec=pivot, rng=0))
    alone.run_for(room.model.quarters_run)
    out = debrief(room.model, alone)
    assert out["quarters"] == room.model.quarters_run
    assert out["alone"]["failed"].get("NATO", 0) == 1
    assert out["room"]["failed"].get("NATO", 0) == 0
    assert out["room"]["adopted"]["NATO"] == out["alone"]["adopted"]["NATO"] + 1
    assert any("accepted the text on NATO's global reach" in e[4] for e in out["played"])


def test_the_debrief_counts_a_rooms_block_and_names_what_it_changed(pivot):
    room = RoomRegistry().open(_model(pivot, seed=0))
    germany, france = room.join("Germany", "Anna"), room.join("France", "Claire")
    stepper = _to_nato(room, "Germany")
    nato = next(m for m in upcoming_meetings(room.model, "Germany") if m.forum == "NATO")
    votes = {dim: "block" for dim, decides, *_ in nato.items if decides}
    room.answer(germany.token, "NATO", PlayedChoice("minister", votes))
    room.answer(france.token, "NATO", PlayedChoice("head", {"global_reach": "accept"}))
    stepper.step()
    alone = LatticeModel(LatticeScenario(spec=pivot, rng=0))
    alone.run_for(room.model.quarters_run)
    out = debrief(room.model, alone)
    # Germany's blocks fail every NATO text it votes on: counted as failed, not averaged away
    assert out["room"]["failed"]["NATO"] == len(votes)
    assert "NATO" not in out["room"]["strength"] and out["alone"]["adopted"]["NATO"] > 0
    changed = out["changed_texts"]
    assert any(
        line.startswith(
            "2024Q3 NATO, the text on China: room failed (blocked by Germany); "
            "model alone adopted at 0."
        )
        for line in changed
    ), changed
    # alone France blocks the reach text, in the room Germany does: the same failure, by another
    assert any(
        "global reach: room failed (blocked by Germany); model alone failed (blocked "
        "by France)" in line
        for line in changed
    ), changed
    assert "2024Q3 NATO: Germany minister (alone: head)" in out["changed_attendance"]
    # texts no player touched come out as alone, and are not listed
    assert not any(" G7," in line or " EU," in line for line in changed)
    page = debrief_html(out)
    assert "nan" not in page
    nato_row = next(r for r in page.split("<tr>") if r.startswith("<td>NATO</td>"))
    assert nato_row.startswith(
        f"<td>NATO</td><td>0</td><td>&ndash;</td><td class='failed'>{len(votes)}</td>"
    )
    assert out["blocks"] == len(votes)  # Germany's blocks, counted as blocks
    assert f"players blocked {len(votes)} texts" in page
    # every choice is listed, none dropped, in a long round too
    for _ in range(4):
        stepper.step()
    alone.run_for(4)
    out = debrief_with_figures(room.model, alone)
    assert len(out["played"]) > 12
    page = debrief_html(out)
    assert page.count("(played)") == len(out["played"])
    # the room's texts moved NATO's standing against the model alone's, on the same numbers
    assert any(line.startswith("NATO: share of standing") for line in out["changed_standing"])
    # a figure per changed outcome: each changed text, each forum's attendance, standing
    texts, attendance = out["changed_outcomes"]
    titles = [title for title, _svg in out["figures"]]
    assert len(titles) == len(texts) + len(attendance) + len(out["changed_standing"])
    assert "NATO: the text on China" in titles and "NATO: attendance" in titles
    assert "NATO: share of standing" in titles
    assert page.count("<figure class='debrief-figure'") == len(titles)
    assert all(svg.lstrip().startswith(b"<?xml") and b"<svg" in svg for _t, svg in out["figures"])


def test_the_debrief_before_the_first_step_says_nothing_is_played(pivot):
    model = _model(pivot)
    page = debrief_html(debrief(model, _model(pivot)))
    assert "Nothing played yet" in page
    assert "nan" not in page and "room <b></b>" not in page
