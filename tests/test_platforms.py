"""The code paths of macOS and Windows, as far as Linux can take them (docs/platforms.md).

The suite runs on Linux only. What differs elsewhere is chosen at run time, so here each
other path is taken on purpose: the package imported without the modules only Unix has,
a run folder replaced without Linux's one-step swap, an upload checked in a spawned
worker (Windows has no fork server), no forked figure drawing outside Linux. Sweeps
under spawn are tested with the sweeps (tests/sweeps/test_sweeps.py, test_kill_parent.py).
"""

from __future__ import annotations

import ast
import json
import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest

from latticesim.figures import render
from latticesim.outputs import store
from latticesim.outputs.store import MANIFEST, write_run_folder
from latticesim.seminar import upload_check
from latticesim.seminar.upload_check import UploadRefused, check_upload

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "latticesim"
UNIX_ONLY = ("fcntl", "resource", "termios", "pwd", "grp", "pty", "tty")

IMPORT_ALL = f"""
import importlib, pkgutil, sys, warnings
for name in {UNIX_ONLY!r}:
    sys.modules[name] = None  # as on Windows: importing it raises ImportError
warnings.simplefilter("ignore")  # filelock says it falls back to a soft lock
import latticesim
failed = {{}}
for info in pkgutil.walk_packages(latticesim.__path__, "latticesim."):
    # the dashboard's modules import Solara, whose own lock needs fcntl on Linux
    if info.name.endswith("__main__") or info.name.startswith("latticesim.seminar"):
        continue
    try:
        importlib.import_module(info.name)
    except Exception as exc:
        failed[info.name] = f"{{type(exc).__name__}}: {{exc}}"
print(__import__("json").dumps(failed))
"""


def _module_level_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """Modules a file imports when it is imported (not inside a function or class)."""
    found = []
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module.split(".")[0]))
        elif isinstance(node, ast.If | ast.Try | ast.With):
            todo += [n for n in ast.iter_child_nodes(node) if isinstance(n, ast.stmt)]
    return found


def test_no_module_imports_what_only_unix_has_when_it_is_imported() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in sorted(SRC.rglob("*.py"))
        for line, name in _module_level_imports(ast.parse(path.read_text(encoding="utf-8")))
        if name in UNIX_ONLY
    ]
    assert found == []


def test_the_package_imports_where_unix_modules_are_missing() -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout.splitlines()[-1]) == {}


def test_a_run_folder_is_replaced_whole_without_the_one_step_swap(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(store, "_exchange", lambda a, b: False)  # macOS, Windows
    out = tmp_path / "runs" / "a"
    seen = []

    def fill(label: str):
        def write(tmp: Path) -> dict:
            if out.exists():  # the earlier run stays at its path while the new one is written
                seen.append((out / "t.parquet").read_text())
            (tmp / "t.parquet").write_text(label)
            return {}

        return write

    write_run_folder(out, fill("first"))
    write_run_folder(out, fill("second"))
    assert seen == ["first"]
    assert (out / "t.parquet").read_text() == "second" and (out / MANIFEST).is_file()
    assert sorted(p.name for p in out.parent.iterdir()) == ["a"]  # nothing set aside is left


def test_figures_are_drawn_in_a_forked_child_only_on_linux(monkeypatch) -> None:
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["fork", "spawn"])
    monkeypatch.setattr(render.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(render.sys, "platform", "darwin")
    assert not render._can_fork()
    monkeypatch.setattr(render.sys, "platform", "linux")
    assert render._can_fork() == (render.threading.active_count() == 1)


def test_an_upload_is_checked_in_a_spawned_worker(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(upload_check, "_context", lambda: multiprocessing.get_context("spawn"))
    good = b"extends: us_pivot.yaml\nname: short_pivot\nhorizon: 2027Q4\n"
    assert check_upload("short.yaml", good, ROOT / "scenarios").name == "short_pivot"
    bad = b"extends: /etc/hostname\nname: x\n"
    with pytest.raises(UploadRefused, match=r"^bad\.yaml:1:10: extends: a scenario uploaded"):
        check_upload("bad.yaml", bad, ROOT / "scenarios")
