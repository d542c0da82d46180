"""One-off meeting dates and amended forums, as the model runs them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from latticesim import load_scenario, simulate

ROOT = Path(__file__).resolve().parents[2]
OK = ROOT / "tests" / "scenarios_ok"


def _frames(path: Path, until: str, seed: int = 1) -> dict[str, pd.DataFrame]:
    return simulate(load_scenario(path), seed, until=until, record_actors=False).recorder.frames()


def _held(meetings: pd.DataFrame, forum: str) -> list[tuple[str, str]]:
    rows = meetings[(meetings["forum"] == forum) & meetings["met"]]
    return list(zip(rows["date"].astype(str), rows["level"].astype(str), strict=True))


@pytest.mark.parametrize("seed", [1, 2])
def test_a_dated_meeting_is_held_once_beside_the_recurring_ones(seed: int) -> None:
    meetings = _frames(OK / "one_off_meeting.yaml", "2028Q4", seed)["meetings"]
    assert _held(meetings, "NATO") == [
        (f"{year}Q{q}", "summit")
        for year, q in [(2024, 3), (2025, 3), (2026, 1), (2026, 3), (2027, 3), (2028, 3)]
    ]
    quad = _held(meetings, "Quad")
    assert ("2027Q2", "summit") in quad
    assert [d for d, level in quad if level == "summit"] == ["2027Q2"]
    assert [d for d, _ in quad if not d.endswith("Q4")] == ["2027Q2"]


def test_an_amended_forum_of_an_event_meets_and_speaks_as_amended() -> None:
    frames = _frames(OK / "amend_forums.yaml", "2028Q4")
    meetings, attendance = frames["meetings"], frames["attendance"]
    assert _held(meetings, "Squad") == [
        ("2025Q4", "summit"),
        ("2027Q1", "ministerial"),
        ("2027Q3", "summit"),
        ("2028Q1", "ministerial"),
        ("2028Q3", "summit"),
    ]
    squad = meetings[(meetings["forum"] == "Squad") & meetings["met"]]
    assert (squad["strength_china_stance"].dropna() <= 0.4 + 1e-9).all()
    invited = attendance[attendance["forum"] == "Squad"]
    assert set(invited.loc[invited["role"] == "partner", "actor"]) >= {"New Zealand"}
    # the parent's own Squad meets every third quarter from its creation, unamended
    parent = _frames(OK / "minimal.yaml", "2028Q4")["meetings"]
    assert [d for d, _ in _held(parent, "Squad")] == ["2025Q3", "2026Q3", "2027Q3", "2028Q3"]
    assert _held(meetings, "Quad") == [(f"{y}Q4", "summit") for y in range(2024, 2029)]


def test_the_hindcast_meets_on_the_records_dates() -> None:
    meetings = _frames(ROOT / "scenarios" / "hindcast_2019.yaml", "2024Q4")["meetings"]
    held = {f: [d for d, _ in _held(meetings, f)] for f in ("NATO", "Quad", "EU-US TTC", "G7")}
    assert held == {
        "NATO": ["2019Q4", "2021Q2", "2022Q2", "2023Q3", "2024Q3"],
        "Quad": ["2021Q1", "2021Q3", "2022Q1", "2022Q2", "2023Q2", "2024Q3"],
        "EU-US TTC": ["2021Q3", "2022Q2", "2022Q4", "2023Q2", "2024Q1", "2024Q2"],
        "G7": ["2019Q3", "2021Q2", "2022Q2", "2023Q2", "2024Q2"],
    }
