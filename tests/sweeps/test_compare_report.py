"""The comparison's report: one self-contained page for a comparison folder."""

import re

import pandas as pd
import pytest

from conftest import SCENARIOS
from latticesim.cli import main
from latticesim.sweeps.compare import compare
from latticesim.sweeps.compare_table import table_rows

BASELINE = SCENARIOS / "baseline_2024.yaml"
PIVOT = SCENARIOS / "us_pivot.yaml"


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "pivot"
    result = compare([BASELINE, PIVOT], 4, out, seed=2, until="2026Q4", workers=1)
    assert main(["report", str(out)]) == 0
    return result, (out / "report.html").read_text(encoding="utf-8")


def test_the_report_is_written_for_a_comparison_folder(reported, capsys):
    result, text = reported
    assert text.startswith("<!DOCTYPE html>")
    assert "<title>baseline_2024 vs us_pivot: latticesim comparison report</title>" in text
    assert main(["report", str(result.out), "--out", str(result.out / "other.html")]) == 0
    assert "other.html" in capsys.readouterr().out


def test_the_report_links_to_nothing_outside_itself(reported):
    _, text = reported
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:|//|file:)", text, re.I)
    assert "@import" not in text and not re.search(r"url\(\s*['\"]?(https?:|//)", text)
    assert re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}"', text)


def test_the_report_holds_the_question_and_the_headline_table(reported):
    result, text = reported
    assert "The US pivots a third of its attention" in text
    assert "2025Q1: attention shift: actor United States" in text
    head, rows, noisy = table_rows(result.table, result.arms, result.level)
    headline = text[text.index('id="headline"') : text.index('id="figure"')]
    assert head[1] == "baseline_2024: median [p10, p90]"
    for cell in ("baseline_2024", "us_pivot", "us_pivot \u2212 baseline_2024"):
        assert f">{cell}</th>" in headline
    for metric, *cells in rows:
        assert f"<td>{metric}</td><td>{cells[0]}</td>" in headline
    clear = [r[0] for r in rows if r[0] not in noisy]
    if clear and noisy:
        noise = headline.index("within noise (the 95% interval holds 0)")
        assert headline.index(f"<td>{clear[-1]}</td>") < noise


def test_the_report_holds_the_divergence_sentences(reported):
    result, text = reported
    written = (result.out / "divergence.md").read_text(encoding="utf-8")
    sentences = [line[2:] for line in written.splitlines() if line.startswith("- In ")]
    assert sentences
    part = text[text.index('id="divergence"') : text.index('id="reproduce"')]
    assert "us_pivot parts from baseline_2024 in" in part
    for sentence in sentences[:6]:
        assert f"<li>{sentence}</li>" in part


def test_the_report_says_how_to_reproduce_it(reported):
    result, text = reported
    manifest = pd.read_json(result.out / "compare.json", typ="series")
    part = text[text.index('id="reproduce"') :]
    for arm in manifest["arms"]:
        assert arm["scenario_sha256"] in part
    assert "--replications 4 --seed 2 --until 2026Q4" in part


def test_a_folder_that_is_neither_gets_one_line(tmp_path, capsys):
    (tmp_path / "compare.json").write_text("{not json")
    assert main(["report", str(tmp_path)]) != 0
    assert "not a finished comparison" in capsys.readouterr().err
