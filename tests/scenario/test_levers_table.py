"""The table of levers in docs/scenario-format.md: every lever with a running example and a
mistake whose error line the docs show."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from latticesim import simulate
from latticesim.scenario.loading import load_checked, validate_files

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FORMAT = (DOCS / "scenario-format.md").read_text(encoding="utf-8")
ODD = (DOCS / "odd.md").read_text(encoding="utf-8")
SECTION = re.search(r"^## Levers: what a scenario can change\n(.*?)^## ", FORMAT, re.S | re.M)
ROWS = [
    [cell.strip() for cell in line.strip("|").split(" | ")]
    for line in (SECTION.group(1) if SECTION else "").splitlines()
    if line.startswith("| [")
]


def _link(cell: str, folder: str) -> Path:
    found = re.fullmatch(rf"\[`[\w.]+`\]\(\.\./tests/{folder}/([\w.]+)\)", cell)
    assert found, cell
    return ROOT / "tests" / folder / found.group(1)


def test_every_lever_has_a_row() -> None:
    assert SECTION, "docs/scenario-format.md must have a section of levers"
    named = " ".join(row[0] for row in ROWS)
    for lever in (
        "preoccupation",
        "commitment",
        "salience_shock",
        "position_shock",
        "agenda_item",
        "forum_remit",
        "side_meeting",
        "with `forum`",
        "one-off meeting dates",
        "amend_forums",
    ):
        assert lever in named, lever


@pytest.mark.parametrize("row", ROWS, ids=[r[0].split("]")[0].strip("[`") for r in ROWS])
def test_each_lever_names_its_submodel_and_its_example_runs(
    row: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the docs show the lines of paths relative to the checkout
    assert len(row) == 6, row
    _lever, changes, submodel, example, good, bad = row
    assert changes and example
    sections = re.findall(r"(?:ODD |, |\()(\d+(?:\.\d+)?)", submodel)
    assert sections, submodel
    for number in sections:
        heading = rf"^### {re.escape(number)} " if "." in number else rf"^## {number}\. "
        assert re.search(heading, ODD, re.M), f"docs/odd.md has no section {number}"
    spec, warnings = load_checked(_link(good, "scenarios_ok"))
    assert not warnings
    frames = simulate(spec, 1, until="2027Q4", record_actors=False).recorder.frames()
    assert frames["meetings"]["met"].any()
    path = _link(bad, "bad_scenarios")
    failed, lines = validate_files([path.relative_to(ROOT)])
    expected = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")
    assert failed == 1 and lines[0] in FORMAT, lines
    assert expected.split(" ", 2)[2] in lines[0]
