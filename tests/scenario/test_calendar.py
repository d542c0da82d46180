"""Calendar entries: meetings that recur (``quarter``) and meetings that happen once (``date``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from latticesim.scenario.loading import load_scenario
from latticesim.scenario.messages import ScenarioError
from latticesim.scenario.schema import MeetingSpec

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "scenarios_ok" / "minimal.yaml"


def test_a_dated_meeting_recurs_only_in_its_year() -> None:
    assert MeetingSpec(date="2026Q3").recurrence() == (3, 2026, 1, 2026)
    assert MeetingSpec(quarter=2).recurrence() == (2, None, 1, None)
    every = MeetingSpec(quarter=4, every=2, first_year=2025, level="ministerial")
    assert every.recurrence() == (4, 2025, 2, None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "say when it meets: quarter: 3 (every year) or date: 2026Q3 (once)"),
        ({"quarter": 3, "date": "2026Q3"}, "give quarter (a meeting year after year) or date"),
        ({"date": "2026Q3", "every": 3}, "a meeting on a date meets once: every is for"),
        (
            {"date": "2026Q3", "every": 2, "first_year": 2026},
            "every and first_year are for meetings by quarter",
        ),
    ],
)
def test_a_meeting_says_when_it_meets_one_way(fields: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        MeetingSpec(**fields)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{date: 2026-03-01}", "calendar[0].date: '2026-03-01' is not a quarter"),
        ("{date: 2023Q4}", "calendar[0].date: meeting dated 2023Q4 is before the start 2024Q1"),
        ("{level: summit}", "calendar[0]: say when it meets"),
    ],
)
def test_a_wrong_date_gets_one_line_at_the_entry(tmp_path: Path, entry: str, message: str) -> None:
    (tmp_path / "minimal.yaml").write_bytes(MINIMAL.read_bytes())
    path = tmp_path / "dated.yaml"
    path.write_text(
        f"name: dated\nextends: minimal.yaml\nforums:\n  G7:\n    calendar:\n      - {entry}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (line,) = info.value.lines
    assert line.startswith(f"{path}:6:") and f"forums.G7.{message}" in line, line


def test_the_hindcast_dates_its_one_off_meetings() -> None:
    text = (ROOT / "scenarios" / "hindcast_2019.yaml").read_text(encoding="utf-8")
    assert "every: 10" not in text
    spec = load_scenario(ROOT / "scenarios" / "hindcast_2019.yaml")
    nato = [m.date or f"{m.quarter} from {m.first_year}" for m in spec.forums["NATO"].calendar]
    assert nato == ["2019Q4", "2021Q2", "2022Q2", "3 from 2023"]


def test_a_dumped_calendar_validates_again() -> None:
    spec = load_scenario(ROOT / "scenarios" / "hindcast_2019.yaml")
    again = type(spec).model_validate(spec.model_dump(mode="json", by_alias=True))
    assert again == spec
