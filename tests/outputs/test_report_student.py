"""The student handout (`latticesim report --student`) of a round a room played with a block."""

import re
import shutil
from pathlib import Path

import pytest

from latticesim.cli import main
from latticesim.model.delegations import PlayedChoice, upcoming_meetings
from latticesim.outputs.report import HANDOUT
from latticesim.outputs.report_student import GLOSSARY, PNG_DPI, STUDENT_FIGURES, print_width_mm
from latticesim.outputs.runs import result_of, write_result
from latticesim.seminar.controls import DashboardModel
from latticesim.seminar.handout import handout_html, handout_name
from latticesim.seminar.rooms import RoomRegistry
from latticesim.seminar.settings import start_settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def played():
    """us_pivot, seed 3, played by a room: Germany blocks every NATO text of the 2024 summit."""
    model = DashboardModel(**{**start_settings(), "scenario_name": "us_pivot", "seed": 3})
    room = RoomRegistry().open(model)
    germany = room.join("Germany", "Anna")
    while "NATO" not in {m.forum for m in upcoming_meetings(model, "Germany")}:
        model.step()
    nato = next(m for m in upcoming_meetings(model, "Germany") if m.forum == "NATO")
    votes = {dim: "block" for dim, decides, *_ in nato.items if decides}
    room.answer(germany.token, "NATO", PlayedChoice("minister", votes))
    for _ in range(6):
        model.step()
    return model


@pytest.fixture(scope="module")
def run_dir(played, tmp_path_factory):
    result = result_of(played, played.spec, 3, source="the dashboard")
    return write_result(result, tmp_path_factory.mktemp("played") / "run")


def test_the_handout_asks_the_rounds_question_and_tells_the_block(run_dir, capsys):
    assert main(["report", "--student", str(run_dir)]) == 0
    assert f"{run_dir / HANDOUT}" in capsys.readouterr().out
    page = (run_dir / HANDOUT).read_text(encoding="utf-8")
    assert "Does a US pivot to the Indo-Pacific strengthen the platform" in page
    happened = page.split('id="happened"')[1].split("</section>")[0]
    assert re.search(r"2024Q3: NATO summit.*Germany.*block", happened), happened
    assert "Germany (played) came to the NATO summit at minister level" in happened
    questions = page.split('id="questions"')[1]
    assert "Germany blocked a text (2024Q3)" in questions
    assert all(f"<dt>{term}</dt>" in questions for term, _ in GLOSSARY[:3])
    # no parameter and manifest pages, and no provenance a student does not need
    for absent in ('id="parameters"', 'id="manifest"', "Scenario hash", "Run written"):
        assert absent not in page
    assert "http://" not in page.replace("http://www.w3.org", "")  # self-contained


def test_the_handouts_figures_print_near_their_drawn_size(run_dir):
    page = (run_dir / HANDOUT).read_text(encoding="utf-8")
    figures = re.findall(r'<figure id="figure-(\w+)" style="--print-width: (\d+)mm">', page)
    assert [f for f, _ in figures] == list(STUDENT_FIGURES)
    for stem, width in figures:
        png = run_dir / "figures" / f"{stem}.png"
        drawn_mm = int.from_bytes(png.read_bytes()[16:20], "big") / PNG_DPI * 25.4
        assert int(width) == round(print_width_mm(png))
        # a 7 pt label prints at 6 pt or more (the full report prints it at 4.5 pt)
        assert int(width) / drawn_mm >= 0.85, (stem, int(width) / drawn_mm)


def test_the_dashboard_downloads_the_rooms_run(played):
    report = handout_html(played)
    handout = handout_html(played, student=True)
    assert 'id="parameters"' in report and 'id="parameters"' not in handout
    assert "Germany (played)" in report and "Germany (played)" in handout
    assert handout_name(played, True) == "us_pivot-seed3-2025Q4-handout.html"


def test_student_is_for_run_folders_only(tmp_path, capsys):
    assert main(["report", "--student", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no such folder" in err


@pytest.mark.browser
def test_the_handout_prints_on_at_most_six_a4_pages(run_dir, tmp_path):
    """Printed to PDF by Chromium, as docs/sweeps.md counts the comparison report's pages."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="installed with the test extra")
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: scripts/test.sh installs it")
    full = tmp_path / "full"
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "us_pivot.yaml"
    assert main(["run", str(scenario), "--seed", "3", "--out", str(full), "--quiet"]) == 0
    for folder in (full, run_dir):
        assert main(["report", "--student", str(folder)]) == 0
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        counts = {}
        for name, folder in (("played round", run_dir), ("ten years", full)):
            page = browser.new_page()
            page.goto((folder / HANDOUT).as_uri())
            pdf = page.pdf(format="A4", prefer_css_page_size=True)
            counts[name] = len(re.findall(rb"/Type\s*/Page\b", pdf))
            sizes = re.findall(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", pdf)
            # the figures' pages are landscape, the others portrait
            assert sum(float(w) > float(h) for w, h in sizes) == len(STUDENT_FIGURES)
            page.close()
        browser.close()
    assert all(2 <= n <= 6 for n in counts.values()), counts
