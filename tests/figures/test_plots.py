"""Figures of real runs: every figure written, valid, distinct, and robust to odd runs."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from conftest import scenario_tables
from latticesim.figures import plots

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"


def _run(name: str, seed: int = 1, until: str | None = None) -> dict[str, pd.DataFrame]:
    return scenario_tables(name, seed, until)


@pytest.fixture(scope="session")
def baseline_tables():
    return _run("baseline_2024")


@pytest.fixture(scope="session")
def pivot_tables():
    return _run("us_pivot")


@pytest.fixture(scope="session")
def written(baseline_tables, tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    return out, plots.make_figures(baseline_tables, out, title="baseline_2024 (seed 1)")


def _pngs(tables, out: Path, **kwargs) -> dict[str, bytes]:
    paths = plots.make_figures(tables, out, formats=("png",), **kwargs)
    return {p.stem: p.read_bytes() for p in paths}


# ------------------------------------------------------------------------ files
def test_every_figure_is_written_in_both_formats(written):
    out, paths = written
    assert [p.name for p in paths] == [f"{n}.{f}" for n in plots.FIGURES for f in ("png", "svg")]
    assert all(p.parent == out and p.stat().st_size > 0 for p in paths)


def test_pngs_are_images_of_sensible_size(written):
    for path in written[1]:
        if path.suffix != ".png":
            continue
        with Image.open(path) as img:
            img.verify()
        with Image.open(path) as img:
            w, h = img.size
            assert img.format == "PNG"
            assert 1000 <= w <= 2400 and 500 <= h <= 2000, (path.name, img.size)
            dpi = img.info.get("dpi")
            assert dpi is not None and round(dpi[0]) == 150
            # not a blank canvas: a figure has ink on it
            assert np.asarray(img.convert("L")).min() < 100


def test_svgs_are_valid_xml_with_text(written):
    for path in written[1]:
        if path.suffix != ".svg":
            continue
        root = ET.parse(path).getroot()
        assert root.tag.endswith("svg")
        texts = "".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
        assert "baseline_2024 (seed 1)" in texts  # text stays text: searchable, editable


def test_each_function_returns_a_figure_outside_pyplot(baseline_tables):
    for name, func in plots.FIGURES.items():
        fig = func(baseline_tables)
        assert isinstance(fig, Figure), name
        assert fig.canvas.get_default_filetype() == "png"
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []


def test_drawing_in_two_processes_gives_the_same_files(baseline_tables, tmp_path):
    one = _pngs(baseline_tables, tmp_path / "one", workers=1)
    two = _pngs(baseline_tables, tmp_path / "two", workers=2)
    assert one == two


def test_svg_files_are_reproducible(baseline_tables, tmp_path):
    a = plots.make_figures(baseline_tables, tmp_path / "a", formats=("svg",), workers=1)
    b = plots.make_figures(baseline_tables, tmp_path / "b", formats=("svg",), workers=1)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def _pixels(fig: Figure) -> np.ndarray:
    fig.set_dpi(150)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("name", list(plots.FIGURES))
def test_files_draw_ticks_as_the_live_axes_do(pivot_tables, name):
    # make_figures fixes each axis's ticks once instead of letting matplotlib re-place
    # them at every draw; the pixels must not change (a new matplotlib might place
    # ticks or axis labels differently, and this would catch it)
    with mpl.rc_context(plots._STYLE):
        live = plots.FIGURES[name](pivot_tables, subtitle="us_pivot (seed 1)")
        fixed = plots.FIGURES[name](pivot_tables, subtitle="us_pivot (seed 1)")
        plots._freeze_ticks(fixed)
        assert np.array_equal(_pixels(live), _pixels(fixed))


def test_png_files_hold_the_drawn_pixels(baseline_tables, tmp_path):
    with mpl.rc_context(plots._STYLE):
        fig = plots.fig_burden(baseline_tables)
        drawn = _pixels(fig)
    plots._write_png(drawn, tmp_path / "burden.png")
    with Image.open(tmp_path / "burden.png") as img:
        assert img.mode == "RGB"  # an opaque figure loses nothing without its alpha
        assert np.array_equal(np.asarray(img), drawn[..., :3])


# ------------------------------------------------------------------ differences
def test_figures_differ_between_scenarios(baseline_tables, pivot_tables, tmp_path):
    base = _pngs(baseline_tables, tmp_path / "base", workers=1)
    pivot = _pngs(pivot_tables, tmp_path / "pivot", workers=1)
    same = [name for name in base if base[name] == pivot[name]]
    assert same == []


def test_figures_differ_between_seeds(baseline_tables, tmp_path):
    other = _run("baseline_2024", seed=2)
    assert not other["attendance"].equals(baseline_tables["attendance"])
    a = _pngs(baseline_tables, tmp_path / "a", workers=1)
    b = _pngs(other, tmp_path / "b", workers=1)
    assert a["attendance"] != b["attendance"]


def test_blocked_texts_change_the_strength_figure(baseline_tables, tmp_path):
    blocked = dict(baseline_tables)
    items = baseline_tables["items"].copy()
    items["adopted"] = False
    items["strength"] = np.nan
    items["blockers"] = [["France"]] * len(items)
    blocked["items"] = items
    a = _pngs(baseline_tables, tmp_path / "a", workers=1)
    b = _pngs(blocked, tmp_path / "b", workers=1)
    assert a["statement_strength"] != b["statement_strength"]


# ------------------------------------------------------------------------ colours
def _rename_forum(tables, old: str, new: str) -> dict[str, pd.DataFrame]:
    """The same run as if a forum had another name (one the palette does not know)."""
    out = {}
    for name, df in tables.items():
        df = df.rename(columns=lambda c: c.replace(old, new) if c.endswith(old) else c)
        if "forum" in df:
            df = df.assign(forum=df["forum"].replace(old, new))
        if name == "model":
            df = df.assign(leading_platform=df["leading_platform"].replace(old, new))
        out[name] = df
    return out


def test_forum_colours_are_stable_and_distinct(baseline_tables, pivot_tables):
    base = plots.forum_colours(baseline_tables)
    pivot = plots.forum_colours(pivot_tables)
    for name, colour in plots.FORUM_COLOURS.items():
        if name in base:
            assert base[name] == colour
    assert base["NATO"] == pivot["NATO"] == plots.FORUM_COLOURS["NATO"]
    assert list(base) == [f for f in plots.FORUM_COLOURS if f in base]
    founded = set(baseline_tables["log"].query("kind == 'forum_founded'")["subject"])
    assert founded <= set(base)


def test_unknown_forums_take_spare_colours(baseline_tables):
    tables = _rename_forum(baseline_tables, "Quad", "Quad Plus")
    colours = plots.forum_colours(tables)
    assert "Quad" not in colours
    assert colours["Quad Plus"] not in plots.FORUM_COLOURS.values()
    assert len(set(colours.values())) == len(colours)
    assert colours["NATO"] == plots.FORUM_COLOURS["NATO"]
    assert list(colours)[-1] == "Quad Plus"  # new forums come after the familiar ones
    fig = plots.fig_leading_platform(tables)
    assert fig.axes


def test_short_names_for_long_actors():
    assert plots.short_name("European Union (institution)") == "EU"
    assert plots.short_name("United States") == "US"
    assert plots.short_name("France") == "France"
    assert len(plots.short_name("Democratic Republic of Somewhere")) <= 12


def test_dimension_labels_are_for_people(baseline_tables):
    dims = plots.dimensions(baseline_tables)
    assert dims[:2] == ["china_stance", "global_reach"]
    assert plots.dimension_label("global_reach") == "NATO's global reach"
    assert plots.dimension_label("new_thing") == "New thing"


# ------------------------------------------------------------------- edge cases
@pytest.mark.parametrize("until", ["2024Q1", "2024Q2", "2025Q3"])
def test_short_runs_draw_without_error(until, tmp_path):
    tables = _run("baseline_2024", until=until)
    paths = plots.make_figures(tables, tmp_path, workers=1)
    assert len(paths) == 2 * len(plots.FIGURES)
    for path in paths:
        assert path.stat().st_size > 0
        if path.suffix == ".svg":
            ET.parse(path)


def test_a_run_without_meetings_says_so(tmp_path):
    tables = _run("baseline_2024", until="2024Q1")
    assert tables["meetings"].empty
    fig = plots.fig_attendance(tables)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "no meeting yet" in texts


def test_a_dimension_never_decided(baseline_tables):
    tables = dict(baseline_tables)
    tables["items"] = baseline_tables["items"].query("dimension != 'autonomy'")
    fig = plots.fig_statement_strength(tables)
    panel = next(ax for ax in fig.axes if ax.get_title(loc="left") == "Strategic autonomy")
    assert [t.get_text() for t in panel.texts] == ["never on an agenda"]


def test_tables_read_back_from_parquet(baseline_tables, tmp_path):
    back = {}
    for name, df in baseline_tables.items():
        df.to_parquet(tmp_path / f"{name}.parquet")
        back[name] = pd.read_parquet(tmp_path / f"{name}.parquet")
    a = _pngs(baseline_tables, tmp_path / "a", workers=1)
    b = _pngs(back, tmp_path / "b", workers=1)
    assert a == b
