"""Atomic writes: a file holds its old content or its new content, never a part of either."""

import json
import os
from pathlib import Path

import pytest

from latticesim.common.files import TMP_MARK, atomic_write, safe_stem, write_json, write_text


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_new_file_is_written_whole_and_no_temporary_is_left(tmp_path):
    path = tmp_path / "notes.txt"
    write_text(path, "première ligne\nsecond line\n")
    assert path.read_bytes() == "première ligne\nsecond line\n".encode()
    assert _hidden(tmp_path) == []


def test_an_existing_file_is_replaced_whole(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("old content that is longer than the new one\n" * 50)
    write_text(path, "new\n")
    assert path.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_the_temporary_is_hidden_beside_the_target_and_marked(tmp_path):
    seen = []

    def write(tmp: Path) -> None:
        seen.append(tmp)
        tmp.write_text("x")

    atomic_write(tmp_path / "table.parquet", write)
    (tmp,) = seen
    assert tmp.parent == tmp_path
    assert tmp.name == f".table.parquet{TMP_MARK}{os.getpid()}"
    assert (tmp_path / "table.parquet").read_text() == "x" and not tmp.exists()


def test_a_write_that_fails_leaves_no_file_and_no_temporary(tmp_path):
    path = tmp_path / "out.json"

    def half_then_fail(tmp: Path) -> None:
        tmp.write_text('{"half": ')
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError, match="disk gone"):
        atomic_write(path, half_then_fail)
    assert list(tmp_path.iterdir()) == []


def test_a_write_that_fails_keeps_the_previous_file(tmp_path):
    path = tmp_path / "out.json"
    path.write_text("previous")

    def fail(tmp: Path) -> None:
        tmp.write_text("new but")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        atomic_write(path, fail)
    assert path.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_a_failed_rename_keeps_the_previous_file_and_removes_the_temporary(tmp_path, monkeypatch):
    path = tmp_path / "report.html"
    path.write_text("previous")

    def refuse(src, dst):
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="Permission denied"):
        write_text(path, "new")
    assert path.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_write_json_is_indented_utf8_with_a_final_newline(tmp_path):
    path = tmp_path / "manifest.json"
    data = {"name": "Türkiye", "when": Path("2024Q1"), "n": [1, 2]}
    write_json(path, data)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and "Türkiye" in text and '\n  "n": [\n' in text
    assert json.loads(text) == {"name": "Türkiye", "when": "2024Q1", "n": [1, 2]}


def test_safe_stem_keeps_what_every_file_system_accepts():
    assert safe_stem("us_pivot (2)", "arm") == "us_pivot_2"
    assert safe_stem("actors.France/tolerance", "x") == "actors.France_tolerance"
    assert safe_stem("NATO+IP4 share-1.5", "x") == "NATO+IP4_share-1.5"
    assert safe_stem(" ()/ ", "arm") == "arm"
