"""Shipped scenario and sweep files, mutated at random: a one-line answer, never a traceback.

Each example cuts, repeats or changes a piece of a shipped file and checks it through
``latticesim validate`` (scenarios) or ``latticesim sweep --dry-run`` (sweep files): the
command must end with status 0 or 2, write no traceback, and answer within the deadline.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from latticesim.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
SWEEPS = sorted((ROOT / "experiments").glob("*.yaml"))
PIECES = ["", " ", "\n", "- ", ": ", "&a ", "*a", "'", '"', "[", "]", "{", "}", "#", "\t",
          "\x00", "\x1b[31m", "-1", "1e308", ".nan", "true", "'0.3'", "9999Q4", "../", "é",
          "  ", "null", "~", "!!python/object:os.system", "%YAML 1.1\n---\n"]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, files: list[Path]) -> tuple[str, str]:
    path = draw(st.sampled_from(files))
    text = path.read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        end = min(len(text), at + draw(st.integers(0, 40)))
        action = draw(st.sampled_from(["cut", "insert", "repeat", "replace"]))
        piece = draw(st.sampled_from(PIECES) | st.text(max_size=8))
        if action == "cut":
            text = text[:at] + text[end:]
        elif action == "insert":
            text = text[:at] + piece + text[at:]
        elif action == "repeat":
            text = text[:end] + text[at:end] + text[end:]
        else:
            text = text[:at] + piece + text[end:]
    return path.name, text


def _check(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(argv)
    err = capsys.readouterr().err
    assert code in (0, 2), err
    assert "Traceback" not in err and "\x1b" not in err
    if code == 2:
        assert err.strip(), "a refusal says why"


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the scenarios and experiments, so relative references still resolve."""
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(ROOT / "scenarios", root / "scenarios")
    shutil.copytree(
        ROOT / "experiments", root / "experiments", ignore=shutil.ignore_patterns("*_results")
    )
    return root


FUZZ = settings(
    max_examples=120,
    deadline=5000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("folder", "command"),
    [("scenarios", ["validate"]), ("experiments", ["sweep", "--dry-run"])],
    ids=["scenario", "sweep"],
)
@FUZZ
@given(data=st.data())
def test_a_mutated_file_is_checked_or_refused(tree, capsys, folder, command, data) -> None:
    name, text = data.draw(mutated(SCENARIOS if folder == "scenarios" else SWEEPS))
    path = tree / folder / f"fuzz_{name}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _check([command[0], str(path), *command[1:]], capsys)
