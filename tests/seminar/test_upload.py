"""Scenario files uploaded to the dashboard: checked in a worker, within budgets, confined."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import solara

from latticesim.seminar import scenarios, upload_check
from latticesim.seminar.controls import DashboardModel
from latticesim.seminar.scenarios import scenario_dir
from latticesim.seminar.upload import handle_upload
from latticesim.seminar.upload_check import UploadRefused, check_upload

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "scenarios"
EVENT = """  - date: 2025Q1
    type: attention_shift
    actor: United States
    from: euro_atlantic
    to: indo_pacific
    amount: 0.01
"""


def _many_events(folder: Path, n: int) -> Path:
    """A valid scenario that takes long to check: n events (a few hundred per second)."""
    path = folder / "many.yaml"
    path.write_text("extends: us_pivot.yaml\nname: many\nevents:\n" + EVENT * n)
    return path


def _problem(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    problems = []
    model = solara.reactive(DashboardModel())
    handle_upload(name, path.read_bytes(), model, lambda m: None, problems.append)
    assert problems and problems[-1], "the file was accepted"
    return problems[-1]


def test_a_good_upload_is_checked_in_a_worker_and_runs(tmp_path):
    path = tmp_path / "short_pivot.yaml"
    path.write_text("extends: us_pivot.yaml\nname: short_pivot\nhorizon: 2027Q4\n")
    spec = check_upload(path.name, path.read_bytes(), SHIPPED)
    assert spec.name == "short_pivot" and str(spec.horizon) == "2027Q4"
    assert os.getcwd() != str(tmp_path)  # the worker's folder changes are its own


@pytest.mark.parametrize(
    "target",
    ["../../../../etc/passwd", "/etc/hostname", "{secret}", "../scenarios/us_pivot.yaml"],
)
def test_extends_may_name_only_the_shipped_scenarios(tmp_path, target):
    secret = tmp_path / "secret.yaml"
    secret.write_text("name: secret\nstart: 2024Q1\nhorizon: 2025Q4\ndescription: hush\n")
    target = target.format(secret=secret)
    problem = _problem(tmp_path, "mine.yaml", f"extends: {target}\nname: mine\n")
    assert "\n" not in problem
    assert problem.startswith("mine.yaml:1:10: extends: a scenario uploaded to the dashboard")
    assert "us_pivot.yaml" in problem and "baseline_2024.yaml" in problem
    assert "hush" not in problem and str(tmp_path) not in problem


def test_a_near_miss_of_a_shipped_name_is_suggested(tmp_path):
    problem = _problem(tmp_path, "mine.yaml", "extends: us_pivto.yaml\nname: mine\n")
    assert problem.endswith("did you mean 'us_pivot.yaml'?")


def test_messages_never_quote_a_path_on_the_server(tmp_path):
    text = (
        "extends: us_pivot.yaml\nname: mine\nparameters:\n  socialisaton: 0.3\n"
        "events:\n  - date: 2025Q5\n    type: veto\n"
    )
    problem = _problem(tmp_path, "../../mine.yaml", text)
    lines = problem.splitlines()
    assert len(lines) >= 2 and all(line.startswith("mine.yaml:") for line in lines)
    for folder in (str(SHIPPED), str(scenario_dir().resolve()), "/tmp", "latticesim-upload"):
        assert folder not in problem
    # a cycle through a shipped file names it by file name only
    problem = _problem(tmp_path, "baseline_2024.yaml", "extends: us_pivot.yaml\nname: loop\n")
    assert "baseline_2024.yaml -> us_pivot.yaml -> baseline_2024.yaml" in problem
    assert str(SHIPPED) not in problem and "/" not in problem.split(": ", 1)[1]


def test_a_file_that_takes_too_long_to_check_is_refused_and_the_server_goes_on(tmp_path):
    path = _many_events(tmp_path, 3000)  # about 8 s to check here
    started = time.monotonic()
    with pytest.raises(UploadRefused, match=r"^many.yaml: could not be checked within 0.5 s"):
        check_upload(path.name, path.read_bytes(), SHIPPED, seconds=0.5)
    assert time.monotonic() - started < 4.5  # the budget, the grace, a worker's start
    good = check_upload("ok.yaml", b"extends: us_pivot.yaml\nname: ok\n", SHIPPED)
    assert good.name == "ok"


def test_a_file_that_needs_too_much_memory_to_check_is_refused(tmp_path):
    path = _many_events(tmp_path, 1000)  # checks well within 512 MB, not within 2 MB
    with pytest.raises(UploadRefused, match=r"within 60 s and 2 MB; is it the right file\?$"):
        check_upload(path.name, path.read_bytes(), SHIPPED, seconds=60, memory=2 * 2**20)


def test_binary_and_oversized_uploads_are_one_line(tmp_path):
    problem = _problem(tmp_path, "mine.yaml", "")
    assert problem.startswith("mine.yaml:") and "\n" not in problem
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00name")
    with pytest.raises(UploadRefused, match=r"^bin.yaml: is not UTF-8 text"):
        check_upload("bin.yaml", (tmp_path / "bin.yaml").read_bytes(), SHIPPED)
    with pytest.raises(UploadRefused, match=r"^big.yaml: is larger than 1,000,000 bytes"):
        check_upload("big.yaml", b"#" * 1_000_001, SHIPPED)


SERVER = """
import sys, threading, time, multiprocessing
from pathlib import Path
from latticesim.seminar.upload_check import check_upload
path = Path(sys.argv[1])
threading.Thread(
    target=check_upload, args=(path.name, path.read_bytes(), Path(sys.argv[2]), 120), daemon=True
).start()
while not multiprocessing.active_children():
    time.sleep(0.05)
print(multiprocessing.active_children()[0].pid, flush=True)
time.sleep(120)
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_stopped_server_stops_its_checking_worker(tmp_path, sig):
    path = _many_events(tmp_path, 5000)  # some 20 s to check: still at work when stopped
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(path), str(SHIPPED)], stdout=subprocess.PIPE, text=True
    )
    try:
        worker = int(server.stdout.readline())
        os.kill(worker, 0)  # at work
        server.send_signal(sig)
        server.wait(10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _alive(worker):
            time.sleep(0.05)
        assert not _alive(worker), "the worker outlived its server"
    finally:
        server.kill()
        server.wait()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "zombie" in status.read_text())


def test_uploads_beyond_the_checks_at_once_wait_then_are_refused(monkeypatch):
    turns = threading.BoundedSemaphore(1)
    monkeypatch.setattr(upload_check, "_TURNS", turns)
    turns.acquire()  # another upload is being checked
    with pytest.raises(UploadRefused, match=r"^mine.yaml: the dashboard is busy checking"):
        check_upload("mine.yaml", b"extends: us_pivot.yaml\nname: mine\n", SHIPPED, seconds=0.2)
    turns.release()
    assert check_upload("mine.yaml", b"extends: us_pivot.yaml\nname: mine\n", SHIPPED).name


def test_a_server_keeps_a_bounded_number_of_uploads(tmp_path, monkeypatch):
    monkeypatch.setattr(scenarios, "MAX_UPLOADS", len(scenarios.UPLOADS))
    problem = _problem(tmp_path, "mine.yaml", "extends: us_pivot.yaml\nname: mine\n")
    assert problem.startswith("mine.yaml: this dashboard already holds")
