"""Run folders: written whole or not at all, leftovers of killed runs tidied, globs safe."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from latticesim.outputs.store import (
    MANIFEST,
    WORK,
    RunFolderError,
    clean_leftovers,
    write_run_folder,
)

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "scenarios_ok" / "minimal.yaml"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _run_folder(folder: Path, label: str) -> Path:
    folder.mkdir(parents=True)
    (folder / MANIFEST).write_text(json.dumps({"complete": True, "label": label}))
    (folder / "meetings.parquet").write_text(label)
    return folder


def _label(folder: Path) -> str:
    return json.loads((folder / MANIFEST).read_text())["label"]


def _fill(label: str):
    def fill(tmp: Path) -> dict:
        (tmp / "meetings.parquet").write_text(label)
        return {"label": label}

    return fill


def test_a_new_run_replaces_the_old_one_whole(tmp_path: Path) -> None:
    out = tmp_path / "runs" / "a"
    write_run_folder(out, _fill("first"))
    write_run_folder(out, _fill("second"))
    assert _label(out) == "second"
    assert sorted(p.name for p in out.parent.iterdir()) == ["a"]


def test_leftovers_of_dead_runs_are_removed_and_a_run_moved_aside_is_put_back(
    tmp_path: Path,
) -> None:
    runs = tmp_path / "runs"
    dead = _dead_pid()
    _run_folder(runs / WORK / f"b.partial-{dead}", "partial")
    _run_folder(runs / WORK / f"c.old-{dead}", "old c")  # c itself is missing: put back
    _run_folder(runs / "d", "new d")
    _run_folder(runs / WORK / f"d.old-{dead}", "old d")  # d is there: the old one goes
    _run_folder(runs / f".e.partial-{dead}", "earlier layout")
    _run_folder(runs / WORK / f"f.partial-{os.getpid()}", "alive")  # a live writer's
    _run_folder(runs / WORK / "notes", "not ours")
    write_run_folder(runs / "a", _fill("a"))
    assert sorted(p.name for p in runs.iterdir()) == [WORK, "a", "c", "d"]
    assert _label(runs / "c") == "old c" and _label(runs / "d") == "new d"
    assert sorted(p.name for p in (runs / WORK).iterdir()) == [f"f.partial-{os.getpid()}", "notes"]
    assert clean_leftovers(runs) == []


def test_a_glob_of_run_folders_never_reads_one_being_written(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    seen = []

    def fill(tmp: Path) -> dict:
        pd.DataFrame({"x": [1]}).to_parquet(tmp / "meetings.parquet")
        with pytest.raises(duckdb.IOException, match="No files found"):
            duckdb.sql(f"SELECT count(*) FROM '{runs}/*/meetings.parquet'").fetchall()
        seen.append(tmp)
        return {}

    write_run_folder(runs / "a", fill)
    assert seen and seen[0].parent.parent == runs  # written under runs/, but not matched


@pytest.mark.parametrize("where", ["under_a_file", "in_proc"])
def test_an_out_that_cannot_be_written_is_one_line(tmp_path: Path, where: str) -> None:
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "run" if where == "under_a_file" else Path("/proc/latticesim/run")
    with pytest.raises(RunFolderError, match=r"cannot write the run folder here \("):
        write_run_folder(out, _fill("x"))


@pytest.mark.slow
def test_a_run_killed_at_any_moment_leaves_the_earlier_run_or_the_new_one(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    target = runs / "minimal"
    command = [sys.executable, "-m", "latticesim.cli", "run", str(MINIMAL), "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    subprocess.run([*command, "--out", str(target)], env=env, check=True, timeout=120)
    assert json.loads((target / MANIFEST).read_text())["seed"] == 7
    for delay in (0.3, 0.8, 1.3, 1.8, 2.3, 2.8):
        child = subprocess.Popen([*command, "--seed", "3", "--out", str(target)], env=env)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        manifest = json.loads((target / MANIFEST).read_text())  # never missing
        assert manifest["complete"] and manifest["seed"] in (7, 3)
        for folder in runs.glob("*/"):
            if any(folder.glob("*.parquet")):
                assert json.loads((folder / MANIFEST).read_text())["complete"]
        glob = f"{runs}/*/meetings.parquet"
        read = f"SELECT count(DISTINCT filename) FROM read_parquet('{glob}', filename=true)"
        assert duckdb.sql(read).fetchall() == [(1,)]
    clean_leftovers(runs)
    assert sorted(p.name for p in runs.iterdir() if p.name != WORK) == ["minimal"]
