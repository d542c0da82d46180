"""What an installed latticesim carries and offers beyond the checkout.

The wheel itself is built, installed in a fresh environment and run by
scripts/wheel-check.sh (CI runs it); these tests cover the pieces in this process.
"""

import importlib.util
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import latticesim
from latticesim.cli import main
from latticesim.common import shipped
from latticesim.common.shipped import ExamplesError, copy_examples, shipped_files
from latticesim.seminar import scenarios

ROOT = Path(__file__).resolve().parent.parent


def test_the_shipped_files_are_the_projects_scenarios_and_sweep_files():
    files = {str(p) for p in shipped_files()}
    on_disk = {
        str(p.relative_to(ROOT))
        for pattern in ("scenarios/*.yaml", "experiments/*.yaml", "experiments/comparisons/*.yaml")
        for p in ROOT.glob(pattern)
    }
    assert files == on_disk
    assert {"scenarios/baseline_2024.yaml", "experiments/smoke.yaml"} <= files


def test_examples_copies_every_file_and_the_copies_run(tmp_path, capsys):
    dest = tmp_path / "mine"
    assert main(["examples", str(dest)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"wrote {len(shipped_files())} files to {dest}")
    for rel in shipped_files():
        assert (dest / rel).read_bytes() == (ROOT / rel).read_bytes()
    # the layout is kept, so a sweep file finds its scenario as in the checkout
    assert main(["sweep", str(dest / "experiments" / "smoke.yaml"), "--dry-run"]) == 0


def test_examples_keeps_a_users_edits_unless_told(tmp_path, capsys):
    dest = tmp_path / "mine"
    copy_examples(dest)
    edited = dest / "scenarios" / "us_pivot.yaml"
    edited.write_text("my edits")
    assert main(["examples", str(dest)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "already exists" in err and "--overwrite" in err
    assert edited.read_text() == "my edits"
    assert main(["examples", str(dest), "--overwrite"]) == 0
    assert edited.read_bytes() == (ROOT / "scenarios" / "us_pivot.yaml").read_bytes()


def test_examples_into_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["examples", str(tmp_path / "file")]) == 2
    assert capsys.readouterr().err.strip().endswith("is a file, not a folder")
    assert main(["examples", str(tmp_path / "file" / "below")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "cannot write here" in err
    with pytest.raises(ExamplesError):
        copy_examples(tmp_path / "file")


def test_an_install_without_the_checkout_uses_the_packaged_copies(tmp_path, monkeypatch):
    packaged = tmp_path / "site" / "latticesim" / "examples"
    copy_examples(packaged)
    monkeypatch.setattr(shipped, "_PACKAGED", packaged)
    monkeypatch.setattr(shipped, "_CHECKOUT", tmp_path / "nowhere")
    monkeypatch.chdir(tmp_path)  # no ./scenarios here
    monkeypatch.delenv(scenarios.SCENARIOS_ENV, raising=False)
    assert shipped.examples_root() == packaged
    assert scenarios.scenario_dir() == packaged / "scenarios"
    assert scenarios.scenario_names()[0] == "baseline_2024"
    monkeypatch.setattr(shipped, "_PACKAGED", tmp_path / "gone")
    with pytest.raises(ExamplesError, match="missing from this install"):
        shipped.examples_root()


def test_version_is_the_packages(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"latticesim {latticesim.__version__}"


def test_running_and_sweeping_do_not_need_the_dashboards_packages(tmp_path):
    # the dashboard's packages are an extra: nothing outside it may import them
    code = (
        "import sys\n"
        "from latticesim.cli import main\n"
        f"assert main(['validate', {str(ROOT / 'scenarios' / 'us_pivot.yaml')!r}]) == 0\n"
        f"assert main(['sweep', {str(ROOT / 'experiments' / 'smoke.yaml')!r}, '--dry-run']) == 0\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('solara', 'ipyvue', 'ipyvuetify')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path, capture_output=True)


def test_the_dashboard_without_its_extra_says_how_to_install_it(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "solara" else real(name, *a)
    )
    assert main(["dashboard", "--port", "8799"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("pip install 'latticesim[dashboard]'") and "\n" not in err


def test_the_dashboard_never_fetches_assets_from_the_internet(monkeypatch):
    seen = {}
    monkeypatch.delenv("SOLARA_ASSETS_CDN", raising=False)
    monkeypatch.setattr(
        "subprocess.call", lambda command, env: seen.update(command=command, env=env) or 0
    )
    assert main(["dashboard", "--port", "0"]) == 2  # not a port: refused before serving
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    assert main(["dashboard", "--port", port]) == 0
    assert seen["env"]["SOLARA_ASSETS_CDN"] == "http://127.0.0.1:9/"  # closed: fails at once
    assert seen["command"][-5:] == [
        "--port",
        port,
        "--production",
        "--no-open",
        "--no-check-version",
    ]
