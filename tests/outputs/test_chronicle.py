"""The chronicle of real runs: what it must say, and that it says nothing untrue about dates."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import every_item_blocked, scenario_tables
from latticesim.outputs.chronicle import chronicle, chronicle_entries
from latticesim.world.names import IP4

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
QUARTER = re.compile(r"\b\d{4}Q[1-4]\b")


def _run(name: str, seed: int = 1, until: str | None = None) -> dict[str, pd.DataFrame]:
    return scenario_tables(name, seed, until)


@pytest.fixture(scope="session")
def runs():
    """Both shipped scenarios, with two seeds each (a forum is founded in some of them)."""
    return {
        (name, seed): _run(name, seed) for name in ("baseline_2024", "us_pivot") for seed in (1, 2)
    }


@pytest.fixture(scope="session")
def baseline(runs):
    return runs[("baseline_2024", 1)]


def _text(tables, title: str = "Chronicle: test") -> str:
    return chronicle(tables, title, {"scenario": "baseline_2024", "seed": 1, "version": "x"})


def _quarters(md: str) -> dict[str, list[str]]:
    """The bullets under each quarter's heading."""
    out: dict[str, list[str]] = {}
    current = None
    for line in md.splitlines():
        if line.startswith("#### "):
            current = line[5:].strip()
            out[current] = []
        elif line.startswith("#"):
            current = None
        elif current and line.startswith("- "):
            out[current].append(line[2:])
    return out


# ------------------------------------------------------------------------- layout
def test_title_header_and_summary_come_first(baseline):
    md = _text(baseline, "Chronicle: baseline_2024 (seed 1)")
    lines = md.splitlines()
    assert lines[0] == "# Chronicle: baseline_2024 (seed 1)"
    assert "**Scenario:** baseline_2024" in lines[2] and "**Seed:** 1" in lines[2]
    assert "## In brief" in md and md.index("## In brief") < md.index("### ")
    assert md.endswith("\n")


def test_one_year_heading_per_simulated_year_with_content(runs):
    for tables in runs.values():
        md = _text(tables)
        years = re.findall(r"^### (\d{4})$", md, flags=re.M)
        assert years == [str(y) for y in sorted(tables["model"]["year"].unique())]
        for block in re.split(r"^### \d{4}$", md, flags=re.M)[1:]:
            assert re.search(r"^- \S", block, flags=re.M)


def test_quarters_with_nothing_to_say_are_skipped(baseline):
    quarters = _quarters(_text(baseline))
    assert quarters and all(quarters.values())
    assert len(quarters) < len(baseline["model"])  # first quarters have no meetings


def test_every_date_printed_exists_in_the_model_table(runs):
    for tables in runs.values():
        dates = set(tables["model"]["date"])
        printed = set(QUARTER.findall(_text(tables)))
        assert printed and printed <= dates
        assert set(chronicle_entries(tables)["date"]) <= dates


def test_a_ten_year_run_reads_in_a_few_pages(baseline):
    md = _text(baseline)
    assert len(md) < 30_000  # about six pages at most
    assert max(len(line) for line in md.splitlines()) < 700


# ------------------------------------------------------------------------ content
def test_france_named_wherever_it_blocks_or_waters_down_natos_global_reach():
    baseline = _run("baseline_2024", seed=2)  # France blocks the reach text in this one
    quarters = _quarters(_text(baseline))
    items = baseline["items"].query("forum == 'NATO' and dimension == 'global_reach'")
    blocked = items[~items["adopted"] & items["blockers"].map(lambda b: "France" in list(b))]
    assert len(blocked), "France never blocks NATO's global reach: nothing to check"
    levels = baseline["meetings"].set_index("meeting_id")["level"]
    for _, item in items.iterrows():
        head = f"NATO {levels[item['meeting_id']]}"
        line = next(s for s in quarters[item["date"]] if s.startswith(head))
        if item["meeting_id"] in set(blocked["meeting_id"]):
            assert re.search(
                r"France (again )?blocked (the proposal on )?NATO's global reach", line
            ), line
        elif "France" in list(item["watered_by"]):
            assert re.search(
                r"NATO's global reach \(0\.\d\d, watered down after France"
                r"|NATO's global reach watered down for France",
                line,
            ), line


def test_blockers_named_match_the_items_table(baseline):
    entries = chronicle_entries(baseline)
    items = baseline["items"]
    failed = items[items["decided"] & ~items["adopted"]]
    for date, group in failed.groupby("date"):
        text = " ".join(entries.loc[entries["date"] == date, "text"])
        for blockers in group["blockers"]:
            for actor in blockers:
                assert actor.replace("United States", "the United States") in text or actor in text


def test_watered_down_texts_name_who_objected(baseline):
    md = _text(baseline)
    watered = baseline["items"][baseline["items"]["watered_by"].map(len) > 0]
    watered = watered[watered["adopted"]]
    assert len(watered)
    assert "watered down after Hungary objected" in md or "watered down for Hungary" in md


def test_ip4_attendance_at_every_nato_ip4_summit(baseline):
    quarters = _quarters(_text(baseline))
    summits = baseline["meetings"].query("forum == 'NATO+IP4' and met")
    assert len(summits)
    for date in summits["date"]:
        line = next(s for s in quarters[date] if s.startswith("IP4 at the NATO+IP4"))
        assert "leaders came" in line or any(a in line for a in IP4)


def test_founded_forums_are_mentioned(runs):
    founded_somewhere = False
    for tables in runs.values():
        log = tables["log"]
        md = _text(tables)
        for subject, date in log.loc[log["kind"] == "forum_founded", ["subject", "date"]].values:
            founded_somewhere = True
            assert subject in "\n".join(_quarters(md)[date])
            assert f"{subject} founded in {date}" in md  # in the summary as well
            if (tables["meetings"]["forum"] == subject).any():  # founded before the horizon
                assert (
                    f"first meeting of the {subject}" in md or f"first meeting of {subject}" in md
                )
    assert founded_somewhere, "no shipped run founds a forum: the test has nothing to check"


def test_events_of_the_log_appear_in_their_quarter(runs):
    tables = runs[("us_pivot", 1)]
    quarters = _quarters(_text(tables))
    log = tables["log"]
    assert len(log)
    for date, text in log[["date", "text"]].values:
        assert any(text.rstrip(".") in line for line in quarters[date])


def test_leading_platform_changes_are_told(baseline):
    model = baseline["model"]
    changes = model.loc[model["leading_platform"].ne(model["leading_platform"].shift()), "date"]
    entries = chronicle_entries(baseline).query("kind == 'leading_platform'")
    assert list(entries["date"]) == list(changes)
    assert "is the leading platform at the start" in entries["text"].iloc[0]


def test_entries_are_dated_ordered_and_typed(baseline):
    entries = chronicle_entries(baseline)
    assert list(entries.columns[:1]) == ["date"] and {"kind", "text"} <= set(entries.columns)
    assert entries["step"].is_monotonic_increasing
    assert {"meeting", "ip4", "leading_platform"} <= set(entries["kind"])
    assert entries["text"].map(lambda t: t[:1].isupper() and t.endswith(".")).all()


def test_parquet_round_trip_tells_the_same_story(baseline, tmp_path):
    back = {}
    for name, df in baseline.items():
        df.to_parquet(tmp_path / f"{name}.parquet")
        back[name] = pd.read_parquet(tmp_path / f"{name}.parquet")
    assert _text(back) == _text(baseline)


# --------------------------------------------------------------------- edge cases
@pytest.mark.parametrize("until", ["2024Q1", "2024Q2"])
def test_short_runs(until):
    tables = _run("baseline_2024", until=until)
    md = _text(tables)
    assert re.findall(r"^### (\d{4})$", md, flags=re.M) == ["2024"]
    assert set(QUARTER.findall(md)) <= set(tables["model"]["date"])
    if until == "2024Q1":
        assert tables["meetings"].empty
        assert "leading platform at the start" in md


def test_a_meeting_that_did_not_meet(baseline):
    tables = dict(baseline)
    meetings = baseline["meetings"].copy()
    quad = meetings.index[meetings["forum"] == "Quad"][0]
    mid = meetings.at[quad, "meeting_id"]
    meetings.loc[quad, ["met", "adopted", "chair"]] = [False, False, None]
    tables["meetings"] = meetings
    tables["items"] = baseline["items"].query("meeting_id != @mid")
    att = baseline["attendance"].copy()
    att.loc[(att["meeting_id"] == mid) & (att["actor"] != "Japan"), "level"] = "absent"
    tables["attendance"] = att
    date = meetings.at[quad, "date"]
    lines = _quarters(_text(tables))[date]
    assert (
        "The Quad summit did not take place: only 1 of 3 members came, too few for a "
        "quorum." in lines
    )


def test_all_items_blocked(baseline):
    md = _text(every_item_blocked(baseline))
    assert "no text was adopted" in md
    assert "Adopted as proposed" not in md
    assert "France blocked the proposals on" in md


@pytest.mark.parametrize("name", ["us_pivot", "spoilers", "ip4_standalone"])
def test_told_quarter_by_quarter_the_chronicle_says_the_same(name):
    # The dashboard tells each quarter as it is run; the sentences must be those of the
    # whole run's chronicle.md, in the same order.
    from latticesim.outputs.chronicle import Chronicler

    tables = _run(name, seed=2)
    whole = chronicle_entries(tables)
    teller = Chronicler()
    parts = []
    for step in sorted(tables["model"]["step"]):
        quarter = {
            k: df[df["step"] == step] if "step" in df else df
            for k, df in tables.items()
            if k != "actors"
        }
        parts.append(teller.tell(quarter))
    told = pd.concat(parts, ignore_index=True)
    assert told.to_dict("records") == whole.to_dict("records")


def test_a_change_of_leader_is_told_with_the_share_it_passed():
    model = pd.DataFrame(
        {
            "date": ["2024Q1", "2024Q2", "2024Q3", "2024Q4"],
            "step": [1, 2, 3, 4],
            "leading_platform": ["G7", "G7", "NATO", "G7"],
            "leading_platform_share": [0.30, 0.29, 0.33, 0.34],
            "share_G7": [0.30, 0.29, 0.30, 0.34],
            "share_NATO": [0.28, 0.30, 0.33, 0.31],
        }
    )
    entries = chronicle_entries({"model": model}).query("kind == 'leading_platform'")
    assert list(entries["text"]) == [
        "G7 is the leading platform at the start (share 0.30).",
        "NATO overtook G7 as the leading platform (share 0.33 against 0.30).",
        "G7 took the lead back from NATO (share 0.34 against 0.31).",
    ]
    # a table without the forums' shares still tells the change
    bare = model.drop(columns=["share_G7", "share_NATO"])
    told = chronicle_entries({"model": bare}).query("kind == 'leading_platform'")
    assert told["text"].iloc[1] == "NATO overtook G7 as the leading platform (share 0.33)."
