"""Warnings: what a scenario may say but a reader may not have meant, one line each."""

from pathlib import Path

from latticesim.cli import main
from latticesim.scenario.loading import validate_files
from latticesim.scenario.references import forum_actors

ROOT = Path(__file__).resolve().parents[2]
NEW_DIMENSION = ROOT / "tests" / "scenarios_ok" / "new_dimension.yaml"
WARNING = (
    f"{NEW_DIMENSION}:6:88: dimensions[5]: warning: the package has no positions on 'arctic': "
    "36 actors not set under actors: all get position 0.5 and salience 0.1 on it; set "
    "theirs under actors:, e.g. Albania: {position: {arctic: 0.7}, salience: {arctic: 0.5}}"
)


def test_validate_warns_of_a_dimension_without_packaged_positions(capsys):
    assert main(["validate", str(NEW_DIMENSION)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"{NEW_DIMENSION}: ok (")
    assert err.splitlines() == [WARNING]


def test_run_warns_of_it_too_and_runs(capsys, tmp_path):
    args = ["run", str(NEW_DIMENSION), "--until", "2024Q2", "--out", str(tmp_path / "r")]
    assert main([*args, "--quiet", "--no-figures"]) == 0
    _, err = capsys.readouterr()
    assert err.splitlines() == [WARNING]


def test_actors_given_a_position_are_not_counted_and_when_all_are_there_is_none(tmp_path):
    def warnings(names):
        actors = "".join(f"  {a}: {{position: {{arctic: 0.5}}}}\n" for a in names)
        spec = tmp_path / "more.yaml"
        spec.write_text(f"name: more\nextends: {NEW_DIMENSION}\nactors:\n{actors}")
        failed, lines = validate_files([spec])
        assert failed == 0
        return lines[1:]

    (one,) = warnings(["Albania"])
    assert "35 actors not set under actors:" in one and "e.g. Belgium:" in one
    assert warnings([a for a in forum_actors() if a not in ("Norway", "Canada")]) == []


def test_the_shipped_scenarios_warn_of_nothing(capsys):
    shipped = sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))
    assert main(["validate", *shipped]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert len(out.splitlines()) == len(shipped)


def test_the_warning_shown_in_the_docs_is_real():
    doc = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    assert WARNING.replace(f"{ROOT}/", "") in doc
