"""The command line and the Python entry point, as a user runs them, on real files."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import latticesim
from latticesim.cli import main
from latticesim.outputs.store import RunFolderError, read_tables
from latticesim.scenario.parameters import Parameters

ROOT = Path(__file__).resolve().parent.parent
PIVOT = ROOT / "scenarios" / "us_pivot.yaml"
BASELINE = ROOT / "scenarios" / "baseline_2024.yaml"
TABLES = {"model", "actors", "meetings", "items", "attendance", "log"}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "pivot"
    assert main(["run", str(PIVOT), "--seed", "4", "--out", str(out), "--quiet"]) == 0
    return out


def test_run_writes_a_complete_run_folder(run_dir):
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["complete"] is True
    assert manifest["seed"] == 4
    assert manifest["latticesim_version"] == latticesim.__version__
    assert manifest["scenario"]["name"] == "us_pivot"
    assert manifest["scenario"]["file"] == str(PIVOT)  # the file the run came from, on disk
    assert len(manifest["scenario"]["sha256"]) == 64
    assert manifest["parameters"]["watering"] == pytest.approx(Parameters().watering)
    assert manifest["timings_s"]["total"] > 0
    assert set(manifest["tables"]) == TABLES
    tables = read_tables(run_dir)
    assert len(tables["model"]) == 40
    meetings = tables["meetings"]
    for col in [
        "date",
        "step",
        "forum",
        "adopted",
        "blockers",
        "n_head",
        "n_minister",
        "n_official",
        "n_absent",
        "strength_china_stance",
        "strength_global_reach",
    ]:
        assert col in meetings.columns
    assert set(tables["attendance"].columns) >= {"date", "forum", "actor", "level"}
    for col in [
        "coordination_index",
        "leading_platform",
        "leading_platform_share",
        "linkage",
        "n_forums",
        "largest_member_burden_ratio",
    ]:
        assert col in tables["model"].columns
    chronicle = (run_dir / "chronicle.md").read_text()
    assert "France" in chronicle and "2024" in chronicle
    figures = sorted(p.name for p in (run_dir / "figures").iterdir())
    for name in ["statement_strength", "leading_platform", "attendance", "coordination", "lattice"]:
        assert f"{name}.png" in figures and f"{name}.svg" in figures
    assert not list(run_dir.parent.glob(".*partial*"))


def test_python_api_returns_the_same_tables(run_dir):
    result = latticesim.run(PIVOT, seed=4, figures=False)
    on_disk = read_tables(run_dir)
    for name in TABLES:
        pd.testing.assert_frame_equal(result.tables[name], on_disk[name], check_dtype=False)
    assert (
        result.manifest["scenario"]["sha256"]
        == json.loads((run_dir / "manifest.json").read_text())["scenario"]["sha256"]
    )


def test_rerun_replaces_the_folder_and_until_cuts(tmp_path):
    out = tmp_path / "r"
    assert main(["run", str(BASELINE), "--out", str(out), "--quiet", "--no-figures"]) == 0
    assert (
        main(
            [
                "run",
                str(BASELINE),
                "--out",
                str(out),
                "--quiet",
                "--no-figures",
                "--until",
                "2025Q4",
            ]
        )
        == 0
    )
    assert len(read_tables(out, ["model"])["model"]) == 8
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_refuses_to_overwrite_a_folder_that_is_not_a_run(tmp_path, capsys):
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("do not delete")
    assert main(["run", str(BASELINE), "--out", str(precious), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a run folder" in err[0]
    assert (precious / "chapter1.tex").read_text() == "do not delete"


def test_interrupted_write_leaves_no_folder_that_looks_complete(tmp_path, monkeypatch):
    import latticesim.figures.render

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(latticesim.figures.render, "make_figures", broken)
    out = tmp_path / "half"
    with pytest.raises(KeyboardInterrupt):
        latticesim.run(BASELINE, seed=1, out=out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_interrupted_rerun_keeps_the_previous_run(tmp_path, monkeypatch):
    out = tmp_path / "keep"
    latticesim.run(BASELINE, seed=1, out=out, figures=False)

    def broken(folder, tables):
        raise OSError("disk full")

    monkeypatch.setattr("latticesim.outputs.runs.write_tables", broken)
    with pytest.raises(RunFolderError, match=r"cannot write the run folder \(disk full\)"):
        latticesim.run(BASELINE, seed=2, out=out, figures=False)
    assert json.loads((out / "manifest.json").read_text())["seed"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["keep"]


def test_reading_an_incomplete_folder_is_a_clear_error(tmp_path):
    (tmp_path / "manifest.json").write_text('{"complete": false}')
    with pytest.raises(RunFolderError, match="did not finish"):
        read_tables(tmp_path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "scenarios/nope.yaml"], "nope.yaml"),
        (["run", str(BASELINE), "--until", "2024Q9"], "--until"),
        (["run", str(BASELINE), "--until", "2019Q1"], "before the scenario's start"),
        (["validate", "tests/bad_scenarios/actor_misspelt.yaml"], "did you mean 'France'"),
    ],
)
def test_user_mistakes_get_one_line_and_exit_2(args, message, capsys):
    os.chdir(ROOT)
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert message in err[0]
    assert "Traceback" not in err[0]


def test_validate_ok_and_schema(capsys, tmp_path):
    assert main(["validate", str(BASELINE), str(PIVOT)]) == 0
    out = capsys.readouterr().out
    assert "baseline_2024.yaml" in out and "us_pivot.yaml" in out
    target = tmp_path / "scenario.schema.json"
    assert main(["schema", "--out", str(target)]) == 0
    schema = json.loads(target.read_text())
    assert "events" in schema["properties"] and "forums" in schema["properties"]


def test_console_script_runs_in_a_subprocess(tmp_path):
    exe = Path(sys.executable).with_name("latticesim")
    out = tmp_path / "cli"
    proc = subprocess.run(
        [str(exe), "run", str(PIVOT), "--out", str(out), "--no-figures"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "us_pivot" in proc.stdout and (out / "manifest.json").exists()


def test_python_dash_m_latticesim_is_the_command():
    out = subprocess.run(
        [sys.executable, "-m", "latticesim", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.startswith("latticesim ")


def test_a_run_from_python_past_the_latest_year_is_refused(baseline):
    with pytest.raises(ValueError, match="after 2100"):
        latticesim.simulate(baseline, 1, until="9999Q4")
