"""A Dask scheduler killed mid-sweep: one line for the user, and a rerun completes the sweep."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from latticesim.sweeps.runner import run_sweep
from latticesim.sweeps.store import open_sweep

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}

# A scheduler with one worker thread in one process, which the test kills whole.
CLUSTER = """
import time
from distributed import LocalCluster
cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                       host="127.0.0.1",
                       scheduler_port=0, dashboard_address=None)
print(cluster.scheduler_address, flush=True)
while True:
    time.sleep(60)
"""

SWEEP = f"""name: lost
scenario: {ROOT / "scenarios" / "us_pivot.yaml"}
seed: 5
replications: 20
until: 2027Q4
parameters:
  france_tolerance:
    path: actors.France.tolerance
    values: [0.15, 0.35]
metrics:
  every: 4
  series: [share_NATO]
  outcomes:
    share_nato_end: {{column: share_NATO, stat: mean, last: 4}}
"""


def test_a_lost_scheduler_is_one_line_and_the_rerun_completes(tmp_path: Path) -> None:
    sweep_file = tmp_path / "lost.yaml"
    sweep_file.write_text(SWEEP, encoding="utf-8")
    out = tmp_path / "sweep"
    cluster = subprocess.Popen(
        [sys.executable, "-c", CLUSTER],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=ENV,
        start_new_session=True,
    )
    try:
        address = cluster.stdout.readline().strip()
        assert address.startswith("tcp://127.0.0.1:"), "the scheduler did not start"
        sweep = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "latticesim",
                "sweep",
                str(sweep_file),
                "--out",
                str(out),
                "--scheduler",
                address,
                "--chunk-size",
                "1",
                "--quiet",
            ],  # fmt: skip
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        deadline = time.monotonic() + 60
        while len(list((out / "runs").glob("part-*.parquet"))) < 2:
            assert sweep.poll() is None, sweep.stderr.read()
            assert time.monotonic() < deadline, "no chunk came back from the scheduler"
            time.sleep(0.01)
    finally:
        os.killpg(cluster.pid, signal.SIGKILL)
        cluster.wait()
    _, err = sweep.communicate(timeout=60)
    assert sweep.returncode == 2, err
    assert err == (
        f"--scheduler: lost the connection to the Dask scheduler at {address}; the runs "
        "already written are kept: run the same command again to resume\n"
    )
    written = len(open_sweep(out).runs())
    summary = run_sweep(sweep_file, out, workers=1)
    assert summary.complete and summary.done_before == written
    assert list(open_sweep(out).runs()["run_id"]) == list(range(40))
