"""The dashboard's parts, rendered with solara.render as Mesa tests its own visualisation."""

import ipyvuetify as v
import ipywidgets as widgets
import pytest
import solara
from seat_taps import shown_buttons, tap

from latticesim.model.delegations import PlayedChoice, upcoming_meetings
from latticesim.seminar import panels, seats
from latticesim.seminar.controls import DashboardModel, configure, main_defaults, model_alone
from latticesim.seminar.live_chronicle import chronicle_html, live_chronicle
from latticesim.seminar.page import Page
from latticesim.seminar.rooms import ROOMS
from latticesim.seminar.scenarios import library_scenario
from latticesim.seminar.upload import handle_upload

_OPEN: list = []


@pytest.fixture(autouse=True)
def _close_pages(monkeypatch):
    # Mesa's update counter is one reactive for the process: a page left mounted by an
    # earlier test would keep re-rendering when this test steps. A server gives each
    # browser page its own context and serialises its renders; here each test closes
    # the pages it rendered, and pages do not watch their room from a second thread
    # (a render from that thread could interleave with the test's clicks). The browser
    # tests run the watching as a server does.
    monkeypatch.setattr(seats, "ROOM_POLL_SECONDS", None)
    yield
    while _OPEN:
        _OPEN.pop().close()


def _render(element):
    box, rc = solara.render(solara.AppLayout(children=[element]), handle_error=False)
    _OPEN.append(rc)
    return box, rc


def _click(rc, label):
    rc.find(v.Btn, children=[label]).widget.click()


def _html(rc) -> str:
    return "\n".join(str(h.widget.unsafe_innerHTML) for h in rc.find(solara.widgets.HTML))


def _button(rc, css_class: str):
    """The button carrying a CSS class (the names the browser tests use too)."""
    found = [b.widget for b in rc.find(v.Btn) if css_class in (b.widget.class_ or "").split()]
    assert len(found) == 1, f"{len(found)} buttons with class {css_class}"
    return found[0]


def _has_button(rc, css_class: str) -> bool:
    return any(css_class in (b.widget.class_ or "").split() for b in rc.find(v.Btn))


def _images(rc) -> list[bytes]:
    return [bytes(i.widget.value) for i in rc.find(widgets.Image)]


# ---------------------------------------------------------------- controls -> scenario
def test_configure_scales_the_us_pivot_and_sets_starting_values():
    spec = library_scenario("us_pivot")
    shifts = [e for e in spec.events if e.type == "attention_shift" and e.actor == "United States"]
    assert shifts, "the pivot scenario schedules US attention shifts"
    half = configure(
        spec, pivot_strength=0.5, us_commitment=0.4, france_tolerance=0.6, china_support=0.9
    )
    halved = [e for e in half.events if e.type == "attention_shift" and e.actor == "United States"]
    assert [e.amount for e in halved] == pytest.approx([0.5 * e.amount for e in shifts])
    assert half.actors["United States"].commitment == 0.4
    assert half.actors["France"].tolerance == 0.6
    assert half.adversaries["China"].support == 0.9
    assert configure(spec) == spec  # the defaults leave the scenario as written


def test_pivot_strength_changes_the_run():
    weak = DashboardModel("us_pivot", pivot_strength=0.0, seed=3)
    strong = DashboardModel("us_pivot", pivot_strength=2.0, seed=3)
    weak.run_for(12)
    strong.run_for(12)
    us = weak.actor_index["United States"]
    assert strong.state.attention[us, 1] > weak.state.attention[us, 1] + 0.2


def test_model_alone_replays_the_same_run_without_players():
    model = DashboardModel("baseline_2024", seed=5)
    model.run_for(6)
    alone = model_alone(model)
    assert alone.quarters_run == model.quarters_run
    assert alone.recorder.model_rows[-1]["coordination_index"] == pytest.approx(
        model.recorder.model_rows[-1]["coordination_index"]
    )


# ---------------------------------------------------------------- the page
def test_step_grows_the_chronicle_and_redraws_the_panels():
    _box, rc = _render(Page())
    assert "Step the model" in _html(rc)
    before = _images(rc)
    assert len(before) == 8  # four panels, each a frame and a data layer over it
    for _ in range(4):
        _click(rc, "Step")
    text = _html(rc)
    assert "2024Q3" in text and "NATO" in text
    after = _images(rc)
    assert len(after) == 8
    data_before, data_after = before[1::2], after[1::2]
    assert all(a != b for a, b in zip(data_after, data_before, strict=True))
    assert all(img.lstrip().startswith(b"<?xml") for img in after)


def test_reset_starts_the_run_again():
    _box, rc = _render(Page())
    for _ in range(3):
        _click(rc, "Step")
    _click(rc, "Reset")
    assert "Step the model" in _html(rc)


def _header(rc) -> str:
    return next(
        str(h.widget.unsafe_innerHTML)
        for h in rc.find(solara.widgets.HTML)
        if "running-scenario" in str(h.widget.unsafe_innerHTML)
    )


def _notice(rc) -> str:
    return " ".join(
        str(t.widget.children[0])
        for t in rc.find(v.Html, tag="span")
        if "pending-text" in (t.widget.class_ or "").split()
    )


def test_a_changed_input_is_flagged_until_applied_and_shown_with_its_value():
    _box, rc = _render(Page())
    assert "us_pivot" in _header(rc) and not _notice(rc)
    scenario = next(s for s in rc.find(v.Select) if s.widget.label == "Scenario")
    scenario.widget.v_model = "france_autonomy"
    tolerance = next(s for s in rc.find(v.Slider) if s.widget.label.startswith("France's"))
    tolerance.widget.v_model = 0.4
    assert tolerance.widget.label == "France's tolerance: 0.4"  # the value is in the label
    notice = _notice(rc)
    assert "scenario: france_autonomy (running: us_pivot)" in notice
    assert "France's tolerance: 0.4 (running: as in the scenario)" in notice
    _click(rc, "Step")  # the running model steps on, and the notice stays
    assert "<b class='running-scenario'>us_pivot</b>" in _header(rc)
    assert "<b class='header-quarter'>2024Q1</b>" in _header(rc) and _notice(rc)
    _button(rc, "apply-settings").click()
    header = _header(rc)
    assert "<b class='running-scenario'>france_autonomy</b>" in header
    assert "France's tolerance: 0.4" in header and "not started" in header
    assert not _notice(rc)
    rc.find(v.TextField, label="Seed").widget.v_model = "-3"
    assert "seed: 3 (running: 1)" in _notice(rc)
    _click(rc, "Reset")  # Reset builds from the inputs too
    assert "<b class='running-seed'>3</b>" in _header(rc) and not _notice(rc)


def test_a_loaded_file_is_named_in_the_menu_and_the_header():
    _box, rc = _render(Page())
    rc.find(v.Textarea).widget.v_model = "extends: us_pivot.yaml\nname: mine\nhorizon: 2026Q4\n"
    _click(rc, "Load pasted scenario")
    scenario = next(s for s in rc.find(v.Select) if s.widget.label == "Scenario")
    key = scenario.widget.v_model
    assert key.startswith("pasted.yaml") and key in scenario.widget.items
    assert f"<b class='running-scenario'>{key}</b>" in _header(rc) and not _notice(rc)
    scenario.widget.v_model = "baseline_2024"
    _button(rc, "apply-settings").click()
    assert not rc.find(v.Alert)  # the file's note goes once another scenario runs


def test_a_bad_pasted_scenario_shows_its_error_and_the_page_goes_on():
    _box, rc = _render(Page())
    area = rc.find(v.Textarea).widget
    area.v_model = (
        "extends: baseline_2024.yaml\nname: broken\nevents:\n  - date: 2025Q5\n    type: veto\n"
    )
    _click(rc, "Load pasted scenario")
    errors = [h.widget.unsafe_innerHTML for h in rc.find(solara.widgets.HTML, tag="pre")]
    assert len(errors) == 1
    lines = errors[0].splitlines()  # one line per problem, each naming file, line and field
    assert all(line.startswith("pasted.yaml:4:") for line in lines)
    assert any("events[0].date: '2025Q5' is not a quarter" in line for line in lines)
    _click(rc, "Step")  # the page still runs its model
    assert "2024Q1" in _html(rc)


def test_a_good_dropped_scenario_runs():
    data = b"extends: baseline_2024.yaml\nname: my_pivot\nhorizon: 2025Q4\n"
    # the drop zone hands its file to this handler (as the browser's drop does)
    box = {}
    model = solara.reactive(DashboardModel())
    handle_upload("my_pivot.yaml", data, model, box.setdefault, box.setdefault)
    assert model.value.spec.name == "my_pivot"
    assert model.value.horizon.year == 2025


def test_live_chronicle_marks_played_choices():
    model = DashboardModel("us_pivot")
    france = model.actor_index["France"]
    model.played = {france}
    while "NATO" not in {m.forum for m in upcoming_meetings(model, "France")}:
        model.step()
    model.delegations[(france, "NATO")] = PlayedChoice("head", {"global_reach": "block"})
    model.step()
    rows = live_chronicle(model)
    assert rows[0][0] == str(model.quarter)  # newest quarter first
    html = chronicle_html(rows)
    assert "chronicle-played" in html and "blocked the text on NATO&#x27;s global reach" in html


def test_room_panel_opens_a_room_on_the_pages_model_and_follows_a_reset():
    _box, rc = _render(Page())
    _click(rc, "Open a room")
    codes = [c for c in ROOMS._rooms if c in _html(rc)]
    assert len(codes) == 1
    room = ROOMS.get(codes[0])
    room.join("France", "front", at_front=True)
    _click(rc, "Step")
    assert room.model.quarters_run == 1  # the room's model is the one the page steps
    first = room.model
    _click(rc, "Reset")
    assert room.model is not first and room.model.quarters_run == 0  # it follows the new model
    assert room.model.played == {room.model.actor_index["France"]}  # seats are kept
    ROOMS.close(codes[0])


def test_panels_draw_from_a_live_model():
    model = DashboardModel("us_pivot")
    model.run_for(8)
    strengths = panels.strength_data(model)
    assert "NATO" in strengths and all(0 <= y <= 1 for _x, y, _f in strengths["NATO"] if y == y)
    x, shares, leader = panels.standing_data(model)
    assert len(x) == 8 and leader in shares
    assert sum(s[-1] for s in shares.values()) == pytest.approx(1.0)
    latest, rows = panels.attendance_data(model)
    assert latest.startswith("2025") and all(c.sum() > 0 for _f, c in rows)
    ties = panels.lattice_data(model)
    assert ties[("United States", "NATO")] > 0
    for draw in (panels.draw_strength, panels.draw_standing, panels.draw_attendance):
        svg = draw(model)
        assert svg.count(b"<svg") == 2 and svg.rstrip().endswith(b"</svg>")  # data over frame
    assert b"France" in panels.draw_lattice(model, frozenset({"France"}))


def test_attendance_bars_keep_the_forum_order():
    model = DashboardModel("us_pivot", seed=2)
    order = panels.all_forums(model)
    seen = []
    for _ in range(12):
        model.step()
        names = [f for f, _c in panels.attendance_data(model)[1]]
        assert names == [f for f in order if f in names]  # the forums' own order
        seen.append(names)
    assert len(seen[-1]) > len(seen[1]) > 0  # rows were added as forums met


def _front_seat(rc, actor: str) -> None:
    """Hand ``actor`` to someone at the front, through the room panel's own controls."""
    select = next(s for s in rc.find(v.Select) if s.widget.label == "Play an actor here")
    select.widget.v_model = actor
    _click(rc, "Play here")


def test_one_screen_play_passes_the_turn_and_the_model_uses_the_answer():
    _box, rc = _render(Page())
    _click(rc, "Open a room")
    _front_seat(rc, "France")
    _front_seat(rc, "Japan")
    room = next(r for r in ROOMS._rooms.values() if r.code in _html(rc))
    assert {p.actor for p in room.players.values() if p.at_front} == {"France", "Japan"}
    _button(rc, "turn-france").click()  # France's turn at the screen
    # step until France's form shows the NATO summit
    for _ in range(6):
        if "level-nato-head" in shown_buttons(rc):
            break
        _click(rc, "Step")
    tap(rc, "level-nato-head")
    tap(rc, "vote-nato-global_reach-block")
    tap(rc, "send-all")
    assert room.answers["France"]["NATO"] == PlayedChoice("head", {"global_reach": "block"})
    _button(rc, "turn-japan").click()  # pass the turn
    assert "Japan</b> played by Japan" in _html(rc)
    _click(rc, "Step")
    assert "blocked the text on NATO&#x27;s global reach" in _html(rc)
    ROOMS.close(room.code)


def test_the_debrief_view_compares_the_room_with_the_model_alone():
    _box, rc = _render(Page())
    _click(rc, "Open a room")
    _front_seat(rc, "France")
    _button(rc, "debrief").click()
    assert "Nothing played yet" in _html(rc) and "nan" not in _html(rc)
    _button(rc, "debrief").click()
    for _ in range(2):
        _click(rc, "Step")
    tap(rc, "level-nato-head")
    tap(rc, "vote-nato-global_reach-block")
    tap(rc, "send-all")
    _click(rc, "Step")
    _button(rc, "debrief").click()
    view = next(
        h for h in rc.find(solara.widgets.HTML) if "debrief-view" in h.widget.unsafe_innerHTML
    )
    text = view.widget.unsafe_innerHTML
    assert "Debrief after 3 quarters" in text
    # the room's France blocked NATO's reach text; alone (seed 1), France lets it through
    nato = next(row for row in text.split("<tr>") if row.startswith("<td>NATO</td>"))
    assert "<td class='failed'>1</td><td>4</td>" in nato and nato.endswith("'failed'>0</td></tr>")
    assert "NATO&#x27;s global reach: room failed (blocked by France)" in text
    assert "blocked the text on NATO&#x27;s global reach" in text
    room = next(r for r in ROOMS._rooms.values() if r.code in _html(rc))
    ROOMS.close(room.code)


def test_sliders_left_at_their_start_keep_the_scenarios_own_values():
    start = main_defaults()
    hindcast = DashboardModel("hindcast_2019", **start)
    assert hindcast.spec.adversaries["China"].support == 0.0  # 2019, before the war
    moved = DashboardModel("hindcast_2019", **{**start, "china_support": 0.3})
    assert moved.spec.adversaries["China"].support == 0.3


def test_the_live_chronicle_asked_in_the_middle_of_a_step_tells_each_quarter_whole():
    # A player's page may read the chronicle while the facilitator's step is half done.
    from latticesim.outputs.chronicle import chronicle_entries

    model = DashboardModel("us_pivot", seed=2)
    socialise = model.socialise

    def socialise_after_asking():
        live_chronicle(model)  # the quarter's meetings are recorded, its row not
        socialise()

    model.socialise = socialise_after_asking
    for _ in range(8):
        model.step()
    live = live_chronicle(model)
    whole = chronicle_entries(model.recorder.frames())
    by_quarter: dict = {}
    for row in zip(whole["date"], whole["kind"], whole["text"], strict=True):
        by_quarter.setdefault(row[0], []).append(row)
    assert live == [row for q in reversed(list(by_quarter)) for row in by_quarter[q]]


def test_a_facilitator_page_taking_a_room_back_runs_the_rooms_model():
    from latticesim.seminar.page import FacilitatorPage
    from latticesim.seminar.settings import start_settings

    model = DashboardModel(**{**start_settings(), "scenario_name": "us_pivot", "seed": 3})
    room = ROOMS.open(model)
    try:
        room.join("France", "Claire")
        model.run_for(2)
        told = []
        _box, rc = _render(FacilitatorPage(on_join=lambda: None, resume=room, on_room=told.append))
        assert told == [room.code]
        assert (
            "Running <b class='running-scenario'>us_pivot</b>, seed <b class='running-seed'>3</b>"
            in _html(rc)
        )
        _click(rc, "Step")
        assert room.model is model and model.quarters_run == 3
        assert "Claire" in _html(rc)
    finally:
        ROOMS.close(room.code)


def test_the_presentation_view_shows_the_code_a_qr_code_and_who_has_answered():
    from latticesim.seminar.presentation import PresentationView, qr_svg

    model = DashboardModel(scenario_name="us_pivot")
    room = ROOMS.open(model)
    try:
        seat = room.join("France", "Claire")
        while "NATO" not in {m.forum for m in upcoming_meetings(model, "France")}:
            model.step()
        _box, rc = _render(PresentationView(room))
        page = _html(rc)
        assert f"{room.code[:3]} {room.code[3:]}" in page and "?room=" + room.code in page
        assert qr_svg("/?room=" + room.code) in page
        assert "<td>Claire</td><td>0 of" in page and "Waiting for France" in page
        for m in upcoming_meetings(model, "France"):
            room.answer(seat.token, m.forum, PlayedChoice("head"))
        _box, rc = _render(PresentationView(room))
        assert "Everyone has answered" in _html(rc)
    finally:
        ROOMS.close(room.code)
