"""Tests of scenario loading: merging, provenance, and the corpus of bad scenario files."""

from __future__ import annotations

import io
import json
import math
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from latticesim.scenario import schema
from latticesim.scenario.loading import (
    dump_schema,
    load_merged,
    load_scenario,
    load_with_provenance,
    scenario_hash,
    validate_files,
)
from latticesim.scenario.messages import Problem, ScenarioError, format_path

TESTS = Path(__file__).resolve().parents[1]
OK = TESTS / "scenarios_ok"
BAD = TESTS / "bad_scenarios"
DOCS = TESTS.parent / "docs" / "scenario-format.md"
MINIMAL = OK / "minimal.yaml"
PIVOT = OK / "pivot.yaml"
LINE_RE = re.compile(r"^[^\n]+:\d+:\d+: [^\n]+$")
BAD_FILES = sorted(BAD.glob("*.yaml"))


def _problems(path: Path | str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value.lines


# --------------------------------------------------------------------- good files


@pytest.mark.parametrize("name", ["minimal", "pivot", "pivot_longer", "pivot_flat"])
def test_good_scenarios_load(name: str) -> None:
    spec = load_scenario(OK / f"{name}.yaml")
    assert isinstance(spec, schema.ScenarioSpec)
    assert spec.name


def test_validate_files_reports_ok_and_failures() -> None:
    paths = [str(MINIMAL), str(PIVOT), str(BAD / "actor_misspelt.yaml")]
    failed, lines = validate_files(paths)
    assert failed == 1
    assert lines[0].startswith(f"{MINIMAL}: ok (3 forums, 4 events, 2024Q1-2033Q4")
    assert lines[1].startswith(f"{PIVOT}: ok (3 forums, 5 events")
    assert lines[2].startswith(f"{BAD / 'actor_misspelt.yaml'}:7:")
    assert len(lines) == 3


def test_validate_files_never_raises_for_a_missing_file(tmp_path: Path) -> None:
    failed, lines = validate_files([tmp_path / "nope.yaml", tmp_path])
    assert failed == 2
    assert lines == [
        f"{tmp_path / 'nope.yaml'}:1:1: no such file",
        f"{tmp_path}:1:1: is a folder, not a scenario file",
    ]


# --------------------------------------------------------------------- merging


def test_child_overrides_one_parameter_and_keeps_the_others() -> None:
    parent, child = load_scenario(MINIMAL), load_scenario(PIVOT)
    assert child.parameters.watering == 0.4
    assert parent.parameters.watering == 0.3
    assert child.parameters.max_rounds == parent.parameters.max_rounds == 2
    assert child.parameters.coordination_group == ["nato", "ip4"]


def test_nested_mappings_merge_key_by_key() -> None:
    parent, child = load_scenario(MINIMAL), load_scenario(PIVOT)
    nato, parent_nato = child.forums["NATO"], parent.forums["NATO"]
    assert nato.convener == "France"
    assert nato.members == parent_nato.members == ["nato"]
    assert nato.calendar == parent_nato.calendar
    france = child.actors["France"]
    assert france.position == {"china_stance": 0.45, "global_reach": 0.1}
    assert france.salience == {"global_reach": 0.6}
    assert child.actors["United States"] == parent.actors["United States"]


def _is_the_us_pivot(shift: object) -> None:
    assert isinstance(shift, schema.AttentionShift)
    assert (shift.actor, shift.from_theatre, shift.to_theatre) == (
        "United States",
        "euro_atlantic",
        "indo_pacific",
    )


def test_events_are_appended_after_the_parents() -> None:
    parent, child = load_scenario(MINIMAL), load_scenario(PIVOT)
    assert child.events[: len(parent.events)] == parent.events
    shift = child.events[-1]
    _is_the_us_pivot(shift)
    assert (shift.amount, shift.resources, shift.date) == (0.3, 0.3, "2025Q1")


def test_chains_lists_replace_and_identity_is_not_inherited() -> None:
    spec = load_scenario(OK / "pivot_longer.yaml")
    assert spec.name == "pivot_longer"
    assert spec.description == ""  # not inherited from pivot.yaml
    assert spec.extends == "pivot.yaml"
    assert spec.horizon == "2043Q4"
    assert spec.parameters.coordination_group == ["nato"]  # replaced, not appended
    assert spec.parameters.watering == 0.4  # from the middle of the chain
    assert [e.type for e in spec.events] == [
        "threat_shock",
        "forum_created",
        "join",
        "veto",
        "attention_shift",
        "crisis",
    ]


def test_provenance_points_at_the_file_that_wrote_each_value() -> None:
    _, origins = load_with_provenance(PIVOT)
    minimal, pivot = str(MINIMAL), str(PIVOT)
    assert origins[("parameters", "watering")].file == pivot
    assert origins[("parameters", "max_rounds")].file == minimal
    assert (origins[("parameters", "max_rounds")].line) == 11
    assert origins[("forums", "NATO", "convener")].file == pivot
    assert origins[("forums", "NATO", "members", 0)].file == minimal
    assert origins[("events", 0)].file == minimal
    assert origins[("events", 4)].file == pivot
    assert origins[("events", 4, "amount")].line == 24
    assert origins[("actors", "France", "position", "global_reach")].file == pivot
    assert origins[("actors", "France", "position", "china_stance")].file == minimal
    assert origins[("name",)].file == pivot


def test_load_merged_returns_the_plain_tree() -> None:
    data, _ = load_merged(PIVOT)
    assert data["parameters"] == {
        "socialisation": 0.35,
        "watering": 0.4,
        "max_rounds": 2,
        "coordination_group": ["nato", "ip4"],
    }
    assert json.loads(json.dumps(data)) == data  # plain types only


def test_error_in_a_parent_points_at_the_parent_file() -> None:
    lines = _problems(BAD / "child_of_bad_parent.yaml")
    assert lines == [
        f"{BAD / 'parent_with_typo.yaml'}:10:9: forums.Weimar.members[1]: "
        "unknown actor or group 'Germnay'; did you mean 'Germany'?"
    ]


# --------------------------------------------------------------------- the bad corpus


def _expectation(path: Path) -> tuple[Path, int, str, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    m = re.fullmatch(r"# expect: (?:(\S+):)?(\d+) (\S+) (.+)", first)
    assert m, f"{path.name}: first line must be '# expect: [FILE:]LINE field.path message'"
    where = path.parent / m.group(1) if m.group(1) else path
    return where, int(m.group(2)), m.group(3), m.group(4)


def test_the_corpus_is_large_enough() -> None:
    assert len(BAD_FILES) >= 20


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.stem for p in BAD_FILES])
def test_bad_scenario(path: Path) -> None:
    where, line, field, message = _expectation(path)
    lines = _problems(path)
    assert len(lines) == 1, "\n".join(lines)
    (got,) = lines
    assert got.startswith(f"{where}:{line}:"), got
    if field != "-":
        assert f" {field}: " in got, got
    assert message in got, got
    assert "Traceback" not in got
    assert LINE_RE.match(got), got


def test_paths_in_problems_are_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(TESTS)
    (line,) = _problems("bad_scenarios/child_of_bad_parent.yaml")
    assert line.startswith("bad_scenarios/parent_with_typo.yaml:10:9: ")


def test_all_problems_of_a_file_are_reported_in_order(tmp_path: Path) -> None:
    shutil.copy(MINIMAL, tmp_path / "minimal.yaml")
    bad = tmp_path / "several.yaml"
    bad.write_text(
        "name: several\n"
        "extends: minimal.yaml\n"
        "parameters:\n"
        "  watring: 0.4\n"
        "actors:\n"
        "  Frence:\n"
        "    salience: {china_stance: 1.4}\n"
        "events:\n"
        "  - type: join\n"
        "    date: 2041Q1\n"
        "    forum: Qaud\n"
        "    actors: [Japan]\n",
        encoding="utf-8",
    )
    lines = _problems(bad)
    heads = [line.split(": ", 2)[0:2] for line in lines]
    assert heads == [
        [f"{bad}:4:3", "parameters.watring"],
        [f"{bad}:6:3", "actors.Frence"],
        [f"{bad}:7:30", "actors.Frence.salience.china_stance"],
        [f"{bad}:10:11", "events[4].date"],
        [f"{bad}:11:12", "events[4].forum"],
    ]


def test_problem_is_always_one_line() -> None:
    problem = Problem("a.yaml", 3, 5, "name", "first\nsecond\n  third")
    assert str(problem) == "a.yaml:3:5: name: first second third"
    assert str(Problem("a.yaml", 1, 1, "", "empty")) == "a.yaml:1:1: empty"


def test_format_path() -> None:
    assert format_path(("forums", "NATO", "members", 3)) == "forums.NATO.members[3]"
    assert format_path(("events", 2, "date")) == "events[2].date"
    assert format_path(()) == ""


# --------------------------------------------------------------------- hash and schema


def test_hash_ignores_formatting_and_how_extends_splits_the_file() -> None:
    split, flat = load_scenario(PIVOT), load_scenario(OK / "pivot_flat.yaml")
    assert split.extends == "minimal.yaml" and flat.extends is None
    assert scenario_hash(split) == scenario_hash(flat)
    assert re.fullmatch(r"[0-9a-f]{64}", scenario_hash(split))


def test_hash_changes_with_the_world() -> None:
    spec = load_scenario(PIVOT)
    other = spec.model_copy(deep=True)
    other.parameters.watering = 0.41
    assert scenario_hash(other) != scenario_hash(spec)
    assert scenario_hash(load_scenario(MINIMAL)) != scenario_hash(spec)


def test_dump_schema_writes_indented_json(tmp_path: Path) -> None:
    target = tmp_path / "scenario.schema.json"
    text = dump_schema(target)
    written = target.read_text(encoding="utf-8")
    assert written == text + "\n"
    assert json.loads(written) == schema.json_schema()
    assert "\n  " in text
    assert dump_schema() == text  # nothing written; the caller prints it
    assert json.loads(text)["title"] == "latticesim scenario"


@pytest.mark.parametrize("name", ["minimal", "pivot_flat"])
def test_json_schema_accepts_the_good_scenarios(name: str) -> None:
    jsonschema = pytest.importorskip(
        "jsonschema",
        reason="jsonschema is not installed in this environment and is not a dependency; "
        "the JSON Schema check of the good scenarios is skipped",
    )
    raw = YAML(typ="safe").load((OK / f"{name}.yaml").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema.json_schema())
    validator.validate(json.loads(json.dumps(raw)))
    dumped = load_scenario(OK / f"{name}.yaml").model_dump(mode="json", by_alias=True)
    validator.validate(dumped)


# --------------------------------------------------------------------- robustness


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-5, 3000)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["France", "nato", "NATO", "Frence", "2024Q3", "2041Q1", "China", "x"])
    | st.text(max_size=12)
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_any_mangled_scenario_gives_problem_lines_not_a_traceback(data: st.DataObject) -> None:
    tree, _ = load_merged(MINIMAL)
    path = data.draw(st.sampled_from(_paths(tree)[1:]), label="path")
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    action = data.draw(st.sampled_from(["replace", "delete", "rename"]), label="action")
    if action == "replace":
        parent[path[-1]] = data.draw(_values, label="value")
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[data.draw(st.text(min_size=1, max_size=10), label="key")] = parent.pop(path[-1])
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "mangled.yaml"
        buffer = io.StringIO()
        YAML(typ="safe", pure=True).dump(tree, buffer)
        target.write_text(buffer.getvalue(), encoding="utf-8")
        try:
            spec = load_scenario(target)
        except ScenarioError as exc:
            assert exc.lines
            for line in exc.lines:
                assert LINE_RE.match(line), line
                assert line.startswith(f"{target}:")
                assert "Traceback" not in line
        else:
            assert math.isfinite(spec.parameters.watering)
            assert len(scenario_hash(spec)) == 64


# --------------------------------------------------------------------- documentation


MODELS = [
    schema.ScenarioSpec,
    schema.Parameters,
    schema.ActorSpec,
    schema.AdversarySpec,
    schema.ForumSpec,
    schema.MeetingSpec,
    schema.AgendaItemSpec,
    *schema.EVENT_MODELS,
]


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_every_field_is_documented(model: type) -> None:
    doc = DOCS.read_text(encoding="utf-8")
    for name, field in model.model_fields.items():
        assert f"`{field.alias or name}`" in doc, f"{model.__name__}.{name} is not documented"


def test_every_event_type_has_a_section_in_the_events_part_of_the_docs() -> None:
    doc = DOCS.read_text(encoding="utf-8")
    section = re.search(r"^## `events`\n(.*?)^## ", doc, flags=re.S | re.M)
    assert section, "docs/scenario-format.md must have an events section"
    documented = re.findall(r"^### `(\w+)`$", section.group(1), flags=re.M)
    assert documented == list(schema.EVENT_TYPES)


def test_the_error_lines_shown_in_the_docs_are_real(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = DOCS.read_text(encoding="utf-8")
    shown = re.findall(r"^(tests/bad_scenarios/\S+\.yaml:\d+:\d+: .+)$", doc, flags=re.M)
    monkeypatch.chdir(TESTS.parent)
    real = set(validate_files([p.relative_to(TESTS.parent) for p in BAD_FILES])[1])
    assert len(shown) >= 4
    for line in shown:
        assert line in real, line


def test_the_worked_example_in_the_docs_is_valid(tmp_path: Path) -> None:
    doc = DOCS.read_text(encoding="utf-8")
    example = re.search(r"<!-- worked-example -->\n```yaml\n(.*?)```", doc, flags=re.S)
    assert example, "the worked example must follow its marker"
    shutil.copy(TESTS.parent / "scenarios" / "baseline_2024.yaml", tmp_path)
    (tmp_path / "my_pivot.yaml").write_text(example.group(1), encoding="utf-8")
    spec = load_scenario(tmp_path / "my_pivot.yaml")
    base = load_scenario(tmp_path / "baseline_2024.yaml")
    shift = spec.events[-1]
    _is_the_us_pivot(shift)
    assert (shift.date, shift.amount, shift.resources) == ("2025Q1", 0.3, 0.3)
    assert spec.forums["NATO"].members == base.forums["NATO"].members


def test_the_shipped_scenarios_are_valid() -> None:
    shipped = sorted((TESTS.parent / "scenarios").glob("*.yaml"))
    failed, lines = validate_files(shipped)
    assert failed == 0, "\n".join(lines)


def test_a_value_set_from_python_is_checked_as_a_file_would_be() -> None:
    from pydantic import ValidationError

    spec = load_scenario(MINIMAL)
    with pytest.raises(ValidationError, match="less than or equal to 1"):
        spec.parameters.watering = 5.0
    with pytest.raises(ValidationError):
        spec.parameters.watering = "0.3"
    spec.parameters.watering = 0.4
    assert spec.parameters.watering == 0.4


def test_a_file_beyond_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from latticesim.common.limits import MAX_FILE_BYTES

    path = tmp_path / "large.yaml"
    path.write_text("name: large\n" + "# padding\n" * (MAX_FILE_BYTES // 10), encoding="utf-8")
    assert _problems(path) == [
        f"{path}:1:1: is larger than {MAX_FILE_BYTES:,} bytes; is it the right file?"
    ]
