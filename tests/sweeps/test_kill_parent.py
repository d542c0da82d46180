"""A sweep whose own process alone is killed: no process left, and a rerun completes it.

``latticesim sweep`` runs in a session of its own; the test kills only its main process
with SIGKILL (nothing it could catch or clean up after), at start-up, while its workers
run their first chunks, and midway (with a fork server, with spawn, on a Dask
``LocalCluster``), then watches the session in ``/proc`` until no
process of it is left (the fork server, the workers, multiprocessing's resource
tracker). A rerun must then hold each planned run once, with the numbers of an
uninterrupted sweep.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from latticesim.sweeps.runner import run_sweep
from latticesim.sweeps.store import open_sweep
from latticesim.sweeps.sweepfile import load_experiment

ROOT = Path(__file__).resolve().parents[2]
PROC = Path("/proc")
pytestmark = pytest.mark.skipif(not (PROC / "self" / "stat").exists(), reason="reads /proc")

SWEEP = f"""name: orphans
scenario: {ROOT / "scenarios" / "us_pivot.yaml"}
seed: 3
replications: 6
until: 2027Q4
parameters:
  france_tolerance:
    path: actors.France.tolerance
    values: [0.15, 0.35]
metrics:
  every: 4
  series: [coordination_index, share_NATO]
  outcomes:
    share_nato_end: {{column: share_NATO, stat: mean, last: 4}}
"""
PLANNED = 12

# The sweep as the command line runs it, with the start method chosen by the test
# (Windows has only spawn; Linux and macOS use a fork server), or on a Dask LocalCluster.
DRIVER = """
import sys
from latticesim.sweeps import executors
executors.start_method = lambda: sys.argv[1]
from latticesim.cli import main
sys.exit(main(sys.argv[2:]))
"""
HOW = {
    "forkserver": ["forkserver"],
    "spawn": ["spawn"],
    "dask": ["spawn", "--scheduler", "local"],
}


def _session(sid: int) -> dict[int, tuple[int, str]]:
    """The live processes of session ``sid``: pid -> (parent pid, command line)."""
    found = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # ended while we looked
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, ppid, session = fields[0], int(fields[1]), int(fields[3])
        if session == sid and state not in ("Z", "X"):  # a zombie runs nothing
            found[int(entry.name)] = (ppid, cmdline)
    return found


def _workers(sid: int) -> list[int]:
    """The pool's workers: forked by the fork server, or spawned by the sweep."""
    return [
        pid
        for pid, (ppid, cmdline) in _session(sid).items()
        if pid != sid and (ppid != sid or "spawn_main" in cmdline)
    ]


def _parts(out: Path) -> int:
    return len(list((out / "runs").glob("part-*.parquet"))) if (out / "runs").is_dir() else 0


MOMENTS = {
    "start-up": lambda out, sid: out.exists(),
    "first chunks": lambda out, sid: len(_workers(sid)) >= 2 and _parts(out) == 0,
    "midway": lambda out, sid: _parts(out) >= 2,
}


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("orphans") / "orphans.yaml"
    path.write_text(SWEEP, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(sweep_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "sweep"
    assert run_sweep(sweep_file, out, workers=1).ran == PLANNED
    return out


def _kill_parent_at(moment: str, how: str, sweep_file: Path, out: Path) -> int:
    """Start the sweep, SIGKILL its main process alone at ``moment``; the session id."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            DRIVER,
            HOW[how][0],
            "sweep",
            str(sweep_file),
            "--out",
            str(out),
            *HOW[how][1:],
            "--workers",
            "2",
            "--chunk-size",
            "1",
            "--quiet",
        ],  # fmt: skip
        start_new_session=True,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    try:
        deadline = time.monotonic() + 60
        while not MOMENTS[moment](out, proc.pid):
            assert proc.poll() is None, "the sweep ended before the moment to kill it"
            assert time.monotonic() < deadline, f"never reached {moment}"
            time.sleep(0.002)
        os.kill(proc.pid, signal.SIGKILL)  # the main process only
        proc.wait(10)
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    return proc.pid


def _left_after(sid: int, seconds: float) -> dict[int, tuple[int, str]]:
    """What is left of session ``sid`` once ``seconds`` have passed (or none is left)."""
    deadline = time.monotonic() + seconds
    while (left := _session(sid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.mark.parametrize(
    ("moment", "how"),
    [
        ("start-up", "forkserver"),
        ("first chunks", "forkserver"),
        ("midway", "forkserver"),
        ("midway", "spawn"),
        ("midway", "dask"),
    ],  # fmt: skip
)
def test_a_sweep_killed_alone_leaves_no_process_and_resumes_to_the_planned_runs(
    moment: str, how: str, sweep_file: Path, reference: Path, tmp_path: Path
) -> None:
    if how == "dask":
        pytest.importorskip("distributed")
    out = tmp_path / "sweep"
    sid = _kill_parent_at(moment, how, sweep_file, out)
    left = _left_after(sid, 10)
    if left:
        os.killpg(sid, signal.SIGKILL)
    assert not left, f"left running after the sweep was killed: {left}"

    summary = run_sweep(load_experiment(sweep_file), out, workers=1)
    assert summary.complete and summary.done_before + summary.ran == PLANNED
    data, expected = open_sweep(out), open_sweep(reference)
    runs = data.runs().drop(columns="elapsed_s")
    assert list(runs["run_id"]) == list(range(PLANNED))  # each planned run, once
    pd.testing.assert_frame_equal(runs, expected.runs().drop(columns="elapsed_s"))
    pd.testing.assert_frame_equal(data.series(), expected.series())
    assert not [p for p in out.rglob(".*") if p.name != ".lock"]  # no temporary left
