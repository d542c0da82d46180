"""Comparisons in the dashboard: the folders served and the read-only page, rendered."""

import ipyvuetify as v
import ipywidgets as widgets
import pytest
import solara

from conftest import SCENARIOS
from latticesim.cli import main
from latticesim.seminar.comparisons import (
    COMPARISONS_ENV,
    ComparisonList,
    ComparisonNotFound,
    ComparisonPage,
    comparison_folders,
    find_comparison,
)
from latticesim.sweeps.compare import compare
from latticesim.sweeps.compare_table import table_rows
from latticesim.sweeps.divergence_words import DIVERGENCE_MD

_OPEN: list = []


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A folder of comparisons: the US pivot against the baseline, and a broken one."""
    root = tmp_path_factory.mktemp("comparisons")
    result = compare(
        [SCENARIOS / "baseline_2024.yaml", SCENARIOS / "us_pivot.yaml"],
        3,
        root / "pivot",
        seed=2,
        until="2026Q2",
        workers=1,
    )
    (root / "broken").mkdir()
    (root / "broken" / "compare.json").write_text("{not json")
    (root / "not-a-comparison").mkdir()
    return root, result


@pytest.fixture(autouse=True)
def _pages(served, monkeypatch):
    monkeypatch.setenv(COMPARISONS_ENV, str(served[0]))
    yield
    while _OPEN:
        _OPEN.pop().close()


def _render(element):
    box, rc = solara.render(solara.AppLayout(children=[element]), handle_error=False)
    _OPEN.append(rc)
    return rc


def _html(rc) -> str:
    return "\n".join(str(h.widget.unsafe_innerHTML) for h in rc.find(solara.widgets.HTML))


def test_the_folders_served_are_comparisons_found_by_name(served):
    root, result = served
    assert comparison_folders() == {"broken": root / "broken", "pivot": root / "pivot"}
    assert comparison_folders(root / "pivot") == {"pivot": root / "pivot"}  # one, given itself
    assert comparison_folders(root / "missing") == {}
    assert find_comparison("pivot") == result.out
    with pytest.raises(ComparisonNotFound, match="no comparison 'pivt'.*did you mean 'pivot'"):
        find_comparison("pivt")
    for name in ("../pivot", "not-a-comparison", str(root / "pivot")):
        with pytest.raises(ComparisonNotFound):  # a name, never a path
            find_comparison(name)


def test_the_page_shows_the_headline_differences_with_their_intervals(served):
    _, result = served
    text = _html(_render(ComparisonPage("pivot")))
    assert "baseline_2024 vs us_pivot" in text
    assert "3 replications per arm on common random numbers (seed 2), 2024Q1 to 2026Q2" in text
    assert "The US pivots a third of its attention" in text  # the arms and their events
    head, rows, noisy = table_rows(result.table, result.arms, result.level)
    assert len(rows) == len(result.metrics)
    for metric, *cells in rows:
        # per arm the median [p10, p90]; the paired difference [its interval] (share higher)
        assert f"<td>{metric}</td><td>{cells[0]}</td><td>{cells[1]}</td><td>{cells[2]}</td>" in text
    assert all("[" in c and "]" in c for _, *cells in rows for c in cells)
    if noisy:
        assert "within noise (the 95% interval holds 0)" in text


def test_the_page_shows_the_figure_and_every_divergence_sentence(served):
    _, result = served
    rc = _render(ComparisonPage("pivot"))
    images = [bytes(i.widget.value) for i in rc.find(widgets.Image)]
    assert images == [(result.out / "figures" / "compare.png").read_bytes()]
    written = (result.out / DIVERGENCE_MD).read_text(encoding="utf-8")
    sentences = [line[2:] for line in written.splitlines() if line.startswith("- In ")]
    assert sentences
    text = _html(rc)
    assert "us_pivot parts from baseline_2024 in" in text
    for sentence in sentences:  # all of them: the page scrolls, the handout has six
        assert f"<li>{sentence}</li>" in text
    buttons = [b.widget.class_ or "" for b in rc.find(v.Btn)]
    assert any("download-comparison" in b for b in buttons)  # the handout of the same


def test_a_broken_or_unknown_comparison_is_one_line_on_the_page(served):
    broken = _render(ComparisonPage("broken"))
    [alert] = [a.widget for a in broken.find(v.Alert)]
    assert "broken: not a finished comparison" in str(alert.children)
    assert not broken.find(widgets.Image)
    unknown = _render(ComparisonPage("nope"))
    [alert] = [a.widget for a in unknown.find(v.Alert)]
    assert "no comparison 'nope'" in str(alert.children)


def test_the_list_links_every_comparison(served, tmp_path, monkeypatch):
    text = _html(_render(ComparisonList()))
    assert 'href="?comparison=pivot"' in text and 'href="?comparison=broken"' in text
    assert "baseline_2024 vs us_pivot" in text and "2024Q1 to 2026Q2" in text
    assert "not-a-comparison" not in text
    monkeypatch.setenv(COMPARISONS_ENV, str(tmp_path))
    assert "No comparison folder in" in _html(_render(ComparisonList()))


def test_dashboard_refuses_a_folder_without_comparisons(served, tmp_path, capsys):
    assert main(["dashboard", "--comparisons", str(tmp_path), "--port", "1"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"--comparisons: {tmp_path} is neither a comparison folder")
