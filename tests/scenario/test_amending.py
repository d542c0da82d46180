"""``amend_forums:``: a file changes any forum of its parent's, one an event creates included."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from latticesim.scenario import schema
from latticesim.scenario.loading import (
    load_merged,
    load_scenario,
    load_with_provenance,
    scenario_hash,
)
from latticesim.scenario.messages import ScenarioError

TESTS = Path(__file__).resolve().parents[1]
OK = TESTS / "scenarios_ok"
MINIMAL = OK / "minimal.yaml"
DOCS = TESTS.parent / "docs" / "scenario-format.md"


def _squad(spec: schema.ScenarioSpec) -> schema.ForumCreated:
    (event,) = [e for e in spec.events if isinstance(e, schema.ForumCreated)]
    assert event.name == "Squad"
    return event


def _child(tmp_path: Path, name: str, text: str, title: str = "") -> Path:
    shutil.copy(MINIMAL, tmp_path / "minimal.yaml")
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {title or name}\n{text}", encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value.lines


def test_a_forum_the_parent_creates_by_an_event_is_amended_in_its_event() -> None:
    parent, child = load_scenario(MINIMAL), load_scenario(OK / "amend_forums.yaml")
    before, after = _squad(parent), _squad(child)
    assert [m.recurrence() for m in after.forum.calendar] == [
        (4, 2025, 1, 2025),
        (1, 2027, 1, None),
        (3, 2027, 1, None),
    ]
    assert after.forum.naming == {"china_stance": 0.4}
    assert after.forum.partners == ["New Zealand"]
    # what the amendment does not name stays the parent's, and so does the event
    assert after.forum.members == before.forum.members
    assert after.forum.convener == before.forum.convener
    assert (after.date, after.name) == (before.date, before.name)
    assert len(child.events) == len(parent.events)
    # a standing forum is amended as forums: would change it
    assert child.forums["Quad"].calendar[0].level == "summit"
    assert child.forums["Quad"].members == parent.forums["Quad"].members


def test_amending_a_standing_forum_is_the_same_world_as_changing_it_under_forums(
    tmp_path: Path,
) -> None:
    calendar = "    calendar: [{quarter: 1}, {date: 2027Q2, level: ministerial}]\n"
    amended = _child(
        tmp_path, "a", f"extends: minimal.yaml\namend_forums:\n  Quad:\n{calendar}", "quad"
    )
    changed = _child(tmp_path, "b", f"extends: minimal.yaml\nforums:\n  Quad:\n{calendar}", "quad")
    a, b = load_scenario(amended), load_scenario(changed)
    assert a.forums == b.forums
    assert scenario_hash(a) == scenario_hash(b)
    assert scenario_hash(a) != scenario_hash(load_scenario(MINIMAL))


def test_mappings_merge_key_by_key_and_lists_replace(tmp_path: Path) -> None:
    first = _child(
        tmp_path,
        "first",
        "extends: minimal.yaml\namend_forums:\n  Squad:\n"
        "    naming: {china_stance: 0.4}\n    competence: [china_stance, economic_security]\n",
    )
    second = tmp_path / "second.yaml"
    second.write_text(
        "name: second\nextends: first.yaml\namend_forums:\n  Squad:\n"
        "    naming: {economic_security: 0.6}\n    competence: [china_stance]\n",
        encoding="utf-8",
    )
    assert _squad(load_scenario(first)).forum.competence == ["china_stance", "economic_security"]
    squad = _squad(load_scenario(second)).forum
    assert squad.naming == {"china_stance": 0.4, "economic_security": 0.6}
    assert squad.competence == ["china_stance"]


def test_a_later_file_overrides_an_earlier_files_amendment(tmp_path: Path) -> None:
    _child(tmp_path, "amends", "extends: minimal.yaml\namend_forums:\n  G7:\n    convener: Italy\n")
    later = tmp_path / "later.yaml"
    later.write_text(
        "name: later\nextends: amends.yaml\nforums:\n  G7:\n    convener: Canada\n",
        encoding="utf-8",
    )
    assert load_scenario(tmp_path / "amends.yaml").forums["G7"].convener == "Italy"
    assert load_scenario(later).forums["G7"].convener == "Canada"


def test_amended_values_are_traced_to_the_line_that_wrote_them() -> None:
    path = OK / "amend_forums.yaml"
    spec, origins = load_with_provenance(path)
    index = spec.events.index(_squad(spec))
    date = origins[("events", index, "forum", "calendar", 0, "date")]
    assert (date.file, date.line) == (str(path), 11)
    assert date.written_at == ("amend_forums", "Squad", "calendar", 0, "date")
    convener = origins[("events", index, "forum", "convener")]
    assert (convener.file, convener.written_at) == (str(MINIMAL), None)
    data, _ = load_merged(path)
    assert "amend_forums" not in data


def test_a_mistake_in_an_amended_forum_is_said_where_it_was_written(tmp_path: Path) -> None:
    path = _child(
        tmp_path,
        "early",
        "extends: minimal.yaml\namend_forums:\n  Squad:\n"
        "    calendar: [{date: 2025Q1}]\n    members: [United States, Japan, Austrlia]\n",
    )
    assert _problems(path) == [
        f"{path}:5:23: amend_forums.Squad.calendar[0].date: meeting dated 2025Q1 is before "
        "the forum is created in 2025Q3",
        f"{path}:6:37: amend_forums.Squad.members[2]: unknown actor or group 'Austrlia'; "
        "did you mean 'Australia'?",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("amend_forums: [Quad]\n", "amend_forums: must be a mapping of forum names"),
        ("amend_forums:\n  Quad:\n", "amend_forums.Quad: says nothing to change"),
        ("amend_forums:\n  Quad: [calendar]\n", "amend_forums.Quad: must be a mapping of the"),
        (
            "amend_forums:\n  Weimar: {convener: Poland}\n",
            "amend_forums.Weimar: unknown forum 'Weimar' (forums: G7, NATO, Quad, Squad); "
            "amend_forums changes a forum under forums: or one a forum_created event creates",
        ),
    ],
)
def test_amendments_that_cannot_be_applied_get_one_line(
    tmp_path: Path, text: str, message: str
) -> None:
    path = _child(tmp_path, "bad", f"extends: minimal.yaml\n{text}")
    (line,) = _problems(path)
    assert re.fullmatch(rf"{re.escape(str(path))}:\d+:\d+: .+", line)
    assert message in line, line


def test_a_spec_built_in_python_changes_its_forums_itself() -> None:
    data = load_scenario(MINIMAL).model_dump(mode="json", by_alias=True)
    assert "amend_forums" not in data
    with pytest.raises(ValidationError, match="written into the forums when a file is read"):
        schema.ScenarioSpec.model_validate(data | {"amend_forums": {"G7": {"convener": "Italy"}}})


def test_the_json_schema_offers_a_forums_fields_without_requiring_any() -> None:
    full = schema.json_schema()
    amend = full["properties"]["amend_forums"]
    assert amend["additionalProperties"] == {"$ref": "#/$defs/ForumAmendment"}
    fields = full["$defs"]["ForumAmendment"]
    assert set(fields["properties"]) == set(schema.ForumSpec.model_fields)
    assert "required" not in fields and "required" in full["$defs"]["ForumSpec"]


def test_the_example_in_the_docs_amends_the_hindcasts_quad(tmp_path: Path) -> None:
    doc = DOCS.read_text(encoding="utf-8")
    section = doc[doc.index("### Changing any forum: `amend_forums`") :]
    example = re.search(r"```yaml\n(.*?)```", section, flags=re.S)
    assert example
    shutil.copy(TESTS.parent / "scenarios" / "hindcast_2019.yaml", tmp_path)
    (tmp_path / "quad.yaml").write_text(example.group(1), encoding="utf-8")
    spec = load_scenario(tmp_path / "quad.yaml")
    quad = next(e for e in spec.events if isinstance(e, schema.ForumCreated) and e.name == "Quad")
    assert [m.recurrence() for m in quad.forum.calendar] == [(1, 2022, 1, None), (3, None, 1, None)]
    assert quad.forum.naming == {"china_stance": 0.5}
    assert spec.forums["NATO"].partners == ["ip4"]
