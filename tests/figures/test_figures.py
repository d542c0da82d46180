"""Figures of real runs: every figure written, valid, distinct, and robust to odd runs."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from PIL import Image

from conftest import every_item_blocked, scenario_tables
from latticesim.figures import render
from latticesim.figures.attendance import fig_attendance
from latticesim.figures.burden import fig_burden
from latticesim.figures.layout import STYLE
from latticesim.figures.leading_platform import fig_leading_platform
from latticesim.figures.palettes import FORUM_COLOURS, forum_colours
from latticesim.figures.positions import fig_positions
from latticesim.figures.reading import dimensions, first_seen
from latticesim.figures.statement_strength import fig_statement_strength
from latticesim.outputs.runs import simulate
from latticesim.scenario.loading import load_scenario
from latticesim.seminar import panels
from latticesim.world.actors import actor_names
from latticesim.world.names import dimension_label, short_name

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
    return out, render.make_figures(baseline_tables, out, title="baseline_2024 (seed 1)")


def _pngs(tables, out: Path, **kwargs) -> dict[str, bytes]:
    paths = render.make_figures(tables, out, formats=("png",), **kwargs)
    return {p.stem: p.read_bytes() for p in paths}


# ------------------------------------------------------------------------ files
def test_every_figure_is_written_in_both_formats(written):
    out, paths = written
    assert [p.name for p in paths] == [f"{n}.{f}" for n in render.FIGURES for f in ("png", "svg")]
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
    for name, func in render.FIGURES.items():
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
    a = render.make_figures(baseline_tables, tmp_path / "a", formats=("svg",), workers=1)
    b = render.make_figures(baseline_tables, tmp_path / "b", formats=("svg",), workers=1)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def _pixels(fig: Figure) -> np.ndarray:
    fig.set_dpi(150)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("name", list(render.FIGURES))
def test_files_draw_ticks_as_the_live_axes_do(pivot_tables, name):
    # make_figures fixes each axis's ticks once instead of letting matplotlib re-place
    # them at every draw; the pixels must not change (a new matplotlib might place
    # ticks or axis labels differently, and this would catch it)
    with mpl.rc_context(STYLE):
        live = render.FIGURES[name](pivot_tables, subtitle="us_pivot (seed 1)")
        fixed = render.FIGURES[name](pivot_tables, subtitle="us_pivot (seed 1)")
        render._freeze_ticks(fixed)
        assert np.array_equal(_pixels(live), _pixels(fixed))


def test_png_files_hold_the_drawn_pixels(baseline_tables, tmp_path):
    with mpl.rc_context(STYLE):
        fig = fig_burden(baseline_tables)
        drawn = _pixels(fig)
    render._write_png(drawn, tmp_path / "burden.png")
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
    a = _pngs(baseline_tables, tmp_path / "a", workers=1)
    b = _pngs(every_item_blocked(baseline_tables), tmp_path / "b", workers=1)
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
    base = forum_colours(first_seen(baseline_tables))
    pivot = forum_colours(first_seen(pivot_tables))
    for name, colour in FORUM_COLOURS.items():
        if name in base:
            assert base[name] == colour
    assert base["NATO"] == pivot["NATO"] == FORUM_COLOURS["NATO"]
    assert list(base) == [f for f in FORUM_COLOURS if f in base]
    founded = set(baseline_tables["log"].query("kind == 'forum_founded'")["subject"])
    assert founded <= set(base)


def test_unknown_forums_take_spare_colours(baseline_tables):
    tables = _rename_forum(baseline_tables, "Quad", "Quad Plus")
    colours = forum_colours(first_seen(tables))
    assert "Quad" not in colours
    assert colours["Quad Plus"] not in FORUM_COLOURS.values()
    assert len(set(colours.values())) == len(colours)
    assert colours["NATO"] == FORUM_COLOURS["NATO"]
    assert list(colours)[-1] == "Quad Plus"  # new forums come after the familiar ones
    fig = fig_leading_platform(tables)
    assert fig.axes


def test_the_dashboard_gives_each_forum_the_colour_of_the_report():
    # forums founded during a run take spare colours; the dashboard's panels and the
    # run's figures must agree on them, or a forum changes colour between the two (in
    # this run two forums are founded in one quarter)
    spec = load_scenario(SCENARIOS / "spoilers.yaml")
    # eager founders, and conveners who misjudge the room: forums are founded often
    spec.parameters.found_after = 1
    spec.parameters.found_probability = 1.0
    spec.parameters.drafting_error = 1.0
    for seed in range(20):  # the first seed in which two forums are founded in one quarter
        model = simulate(spec, seed)
        tables = model.recorder.frames()
        founded = tables["log"].query("kind == 'forum_founded'")
        if founded["step"].duplicated().any():
            break
    assert founded["step"].duplicated().any() and not set(founded["subject"]) & set(FORUM_COLOURS)
    report = forum_colours(first_seen(tables))
    live = panels.StandingFigure(model).update()
    drawn = {line.get_label(): to_hex(line.get_color()) for line in live.data.get_lines()}
    assert set(founded["subject"]) <= set(drawn)
    assert drawn == {f: report[f] for f in drawn}
    assert len(set(drawn.values())) == len(drawn)


def test_every_actor_has_a_label_that_fits_the_lattice():
    labels = [short_name(a) for a in actor_names()]
    assert max(len(label) for label in labels) <= 12
    assert len(set(labels)) == len(labels)
    assert short_name("European Union (institution)") == "EU"


def test_dimension_panels_are_titled_for_people(baseline_tables):
    dims = dimensions(baseline_tables)
    assert dims[:2] == ["china_stance", "global_reach"]
    fig = fig_positions(baseline_tables)
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    assert titles == [dimension_label(d) for d in dims]
    assert "NATO's global reach" in titles


# ------------------------------------------------------------------- edge cases
@pytest.mark.parametrize("until", ["2024Q1", "2024Q2", "2025Q3"])
def test_short_runs_draw_without_error(until, tmp_path):
    tables = _run("baseline_2024", until=until)
    paths = render.make_figures(tables, tmp_path, workers=1)
    assert len(paths) == 2 * len(render.FIGURES)
    for path in paths:
        assert path.stat().st_size > 0
        if path.suffix == ".svg":
            ET.parse(path)


def test_a_run_without_meetings_says_so(tmp_path):
    tables = _run("baseline_2024", until="2024Q1")
    assert tables["meetings"].empty
    fig = fig_attendance(tables)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "no meeting yet" in texts


def test_a_dimension_never_decided(baseline_tables):
    tables = dict(baseline_tables)
    tables["items"] = baseline_tables["items"].query("dimension != 'autonomy'")
    fig = fig_statement_strength(tables)
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
