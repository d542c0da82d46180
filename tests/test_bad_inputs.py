"""Every bad input of the corpora, through the command line in a child process (and every
bad scenario through the dashboard's upload check).

Each gets one line on stderr, no traceback and exit status 2, within a time limit and
under a memory limit (set in the child with ``RLIMIT_AS``), so an input that asks for
unbounded work (an alias bomb, a range of billions of values) fails the test instead of
the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
SECONDS = 10
MEMORY = 2 * 1024**3

DRIVER = """
import contextlib, io, json, resource, signal, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
from latticesim.cli import main

def timeout(*_):
    raise TimeoutError("took longer than {seconds} s")

signal.signal(signal.SIGALRM, timeout)
out = {{}}
for args in json.loads(sys.argv[1]):
    err = io.StringIO()
    started = time.perf_counter()
    signal.alarm({seconds})
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(args)
    except BaseException as exc:
        code, err = "raised", io.StringIO(f"{{type(exc).__name__}}: {{exc}}")
    finally:
        signal.alarm(0)
    out[" ".join(args)] = [code, err.getvalue(), time.perf_counter() - started]
print(json.dumps(out))
"""

BAD_SCENARIOS = sorted((TESTS / "bad_scenarios").glob("*.yaml"))
BAD_SWEEPS = sorted((TESTS / "bad_sweeps").glob("*.yaml"))
BLOCS = TESTS / "data" / "blocs"
BAD_BLOCS = [
    *[(p, BLOCS / "pairs.csv") for p in sorted(BLOCS.glob("sizes_*.csv"))],
    *[(BLOCS / "sizes.csv", p) for p in sorted(BLOCS.glob("pairs_*.csv"))],
]


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _commands() -> list[list[str]]:
    commands = []
    for path in BAD_SCENARIOS:
        commands.append(["validate", _relative(path)])
        commands.append(["run", _relative(path), "--no-figures", "--out", "/nonexistent/never"])
    for path in BAD_SWEEPS:
        commands.append(["sweep", _relative(path), "--dry-run"])
        commands.append(["sweep", _relative(path), "--out", "/nonexistent/never"])
    for sizes, pairs in BAD_BLOCS:
        commands.append(["blocs", "--sizes", _relative(sizes), "--pairs", _relative(pairs)])
    until = ["run", "tests/scenarios_ok/minimal.yaml", "--until", "9999Q4", "--out", "/no/such"]
    commands.append(until)
    commands.append(
        [
            "blocs",
            "--sizes",
            "tests/data/blocs/sizes.csv",
            "--pairs",
            "tests/data/blocs/pairs.csv",
            "--starts",
            "1000000000",
        ]
    )
    return commands


COMMANDS = _commands()


@pytest.fixture(scope="module")
def outcomes() -> dict[str, list]:
    driver = DRIVER.format(memory=MEMORY, seconds=SECONDS)
    done = subprocess.run(
        [sys.executable, "-c", driver, json.dumps(COMMANDS)],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=SECONDS * len(COMMANDS),
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_the_corpora_cover_every_kind_of_bad_input() -> None:
    names = {p.stem for p in BAD_SCENARIOS} | {p.stem for p in BAD_SWEEPS}
    for kind in (
        "alias_bomb",
        "nested_too_deep",
        "text_too_long",
        "horizon_year_9999",
        "name_escapes_runs",
        "name_with_nul",
        "share_true",
        "share_quoted",
        "member_twice",
        "coordination_group_empty",
        "step_tiny",
        "step_nan",
        "lhs_min_nan",
        "sobol_too_large",
        "runs_too_many",
    ):
        assert kind in names
    assert len(BAD_BLOCS) >= 15


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_a_bad_input_gets_one_line_quickly(outcomes: dict[str, list], args: list[str]) -> None:
    code, err, seconds = outcomes[" ".join(args)]
    assert code == 2, err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err and "\x1b" not in err
    assert seconds < SECONDS


def test_every_bad_scenario_uploaded_to_the_dashboard_is_refused_without_server_paths() -> None:
    from latticesim.seminar.upload_check import UploadRefused, check_upload

    for path in BAD_SCENARIOS:
        with pytest.raises(UploadRefused) as refused:
            check_upload(path.name, path.read_bytes(), ROOT / "scenarios")
        text = str(refused.value)
        assert text and all(line.startswith(f"{path.name}") for line in text.splitlines()), text
        assert str(ROOT) not in text and "/tmp" not in text and "Traceback" not in text, text
