"""Reading sweeps: figures, Sobol and Morris indices, DuckDB queries, the EMA export."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from latticesim.cli import main
from latticesim.sweeps.analysis import plot_sweep, sensitivity
from latticesim.sweeps.ema import save_ema, to_ema
from latticesim.sweeps.experiment import SweepRunError
from latticesim.sweeps.plotting import levels
from latticesim.sweeps.queries import connect, query
from latticesim.sweeps.runner import run_sweep
from latticesim.sweeps.store import open_sweep
from latticesim.sweeps.sweepfile import load_experiment

ROOT = Path(__file__).resolve().parents[2]
PIVOT = ROOT / "scenarios" / "us_pivot.yaml"
SERIES = "series: [coordination_index, leading_platform, share_NATO, linkage]"
OUTCOMES = """  outcomes:
    share_nato_end: {column: share_NATO, stat: mean, last: 4}
    linkage_end: {column: linkage, stat: mean, last: 4}
"""


def sweep(
    folder: Path, name: str, design: str, parameters: str, reps: int = 2, every: int = 2
) -> Path:
    text = f"""name: {name}
scenario: {PIVOT}
seed: 5
replications: {reps}
until: 2025Q4
design: {design}
parameters:
{parameters}
metrics:
  every: {every}
  {SERIES}
{OUTCOMES}"""
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    out = folder / name
    run_sweep(load_experiment(path), out, workers=1)
    return out


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    params = """  pivot: {path: events.0.amount, values: [0.0, 0.2, 0.4]}
  tolerance: {path: actors.France.tolerance, values: [0.15, 0.35]}"""
    return sweep(tmp_path_factory.mktemp("grid"), "grid", "grid", params)


@pytest.fixture(scope="module")
def sobol(tmp_path_factory):
    params = """  watering: {path: parameters.watering, min: 0.1, max: 0.6}
  china_support: {path: adversaries.China.support, min: 0.0, max: 1.0}
  noise: {path: parameters.attendance_noise, min: 0.01, max: 0.2}"""
    design = "{type: sobol, samples: 8}"
    return sweep(tmp_path_factory.mktemp("sobol"), "sobol", design, params, reps=1)


def test_levels_keep_few_values_and_bin_many():
    few = levels(pd.Series([0.3, 0.1, 0.3, 0.2]))
    assert list(few.cat.categories) == ["0.1", "0.2", "0.3"] and few.iloc[0] == "0.3"
    many = levels(pd.Series(np.linspace(0, 1, 40)))
    assert len(many.cat.categories) == 4 and many.value_counts().min() == 10
    assert many.cat.categories[0].startswith("0 to ")


def test_plot_draws_envelopes_and_heatmaps_of_a_grid(grid, capsys):
    assert main(["plot", str(grid)]) == 0
    assert "figures in" in capsys.readouterr().out
    names = {p.name for p in (grid / "figures").iterdir()}
    for stem in ("envelopes_pivot", "envelopes_tolerance", "heatmap_pivot_tolerance"):
        assert {f"{stem}.png", f"{stem}.svg"} <= names
    assert (grid / "figures" / "heatmap_pivot_tolerance.png").stat().st_size > 10_000


def test_sobol_indices_come_with_confidence_intervals(sobol, tmp_path):
    indices = sensitivity(open_sweep(sobol))
    assert set(indices["outcome"]) == {"share_nato_end", "linkage_end"}
    assert list(indices["parameter"].unique()) == ["watering", "china_support", "noise"]
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(indices.columns)
    assert (indices["ST_conf"] > 0).all() and indices["method"].eq("sobol").all()
    files = plot_sweep(sobol, tmp_path / "figs")
    names = {p.name for p in files}
    assert {"sensitivity.csv", "sensitivity.png", "sensitivity.svg"} <= names
    csv = pd.read_csv(tmp_path / "figs" / "sensitivity.csv")
    assert len(csv) == 6


def test_morris_effects_of_a_morris_design(tmp_path):
    params = """  watering: {path: parameters.watering, min: 0.1, max: 0.6}
  china_support: {path: adversaries.China.support, min: 0.0, max: 1.0}"""
    out = sweep(tmp_path, "morris", "{type: morris, trajectories: 4}", params, reps=1, every=99)
    indices = sensitivity(open_sweep(out))
    assert {"mu", "mu_star", "mu_star_conf", "sigma"} <= set(indices.columns)
    assert len(indices) == 4 and indices["method"].eq("morris").all()
    assert (indices["mu_star"] >= 0).all()
    # Only the last quarter kept: envelopes become a median and band per level.
    assert open_sweep(out).series()["date"].unique().tolist() == ["2025Q4"]
    names = {p.name for p in plot_sweep(out)}
    assert {
        "envelopes_watering.png",
        "sensitivity.png",
        "heatmap_watering_china_support.png",
    } <= names


def test_duckdb_and_pandas_give_the_same_answers(grid):
    data = open_sweep(grid)
    runs = data.runs()
    by_pandas = runs.groupby("pivot")["share_nato_end"].mean()
    sql = 'SELECT "pivot", avg(share_nato_end) AS m FROM runs GROUP BY 1 ORDER BY 1'
    by_sql = query(grid, sql)  # PIVOT is an SQL keyword: the column name goes in quotes
    assert np.allclose(by_sql["m"], by_pandas.to_numpy())
    con = connect(grid)
    (n,) = con.execute("SELECT count(*) FROM series").fetchall()[0]
    joined = con.sql(
        "SELECT r.tolerance, avg(s.coordination_index) FROM series s JOIN runs r USING (run_id) "
        "GROUP BY 1 ORDER BY 1"
    ).fetchall()
    con.close()
    assert n == len(data.series()) and len(joined) == 2
    assert len(query(grid, "SELECT * FROM design")) == 6


def test_queries_never_see_what_an_interrupted_chunk_left(grid, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(grid, copy)
    orphan = sorted((copy / "runs").iterdir())[-1]
    orphan.unlink()  # its series part stays, as after a kill between the two renames
    data = open_sweep(copy)
    runs = data.runs()
    assert set(data.series()["run_id"]) == set(runs["run_id"])
    n = query(copy, "SELECT count(DISTINCT run_id) AS n FROM series")["n"].iloc[0]
    assert n == len(runs) < 12


def test_to_ema_has_experiments_and_outcomes_in_emas_form(grid):
    experiments, outcomes = to_ema(grid)
    runs = open_sweep(grid).runs(ok_only=True)
    assert list(experiments.columns) == ["pivot", "tolerance", "scenario", "policy", "model"]
    assert len(experiments) == len(runs) == 12
    assert experiments["model"].eq("us_pivot").all()
    assert outcomes["share_nato_end"].shape == (12,)
    assert outcomes["coordination_index"].shape == (12, 4)
    assert "leading_platform" not in outcomes  # text is not an EMA outcome
    assert np.allclose(outcomes["TIME"][0], [2024.25, 2024.75, 2025.25, 2025.75])
    assert np.allclose(outcomes["share_nato_end"], runs["share_nato_end"])


def test_ema_export_loads_in_ema_workbench_and_prim_finds_a_box(grid, tmp_path):
    ema = pytest.importorskip(
        "ema_workbench",
        reason="EMA Workbench is an optional extra (pip install ema_workbench); "
        "the export is tested where it is installed",
    )
    from ema_workbench.analysis import prim

    path = save_ema(grid, tmp_path / "grid.tar.gz")
    experiments, outcomes = ema.load_results(str(path))
    assert len(experiments) == 12 and outcomes["coordination_index"].shape == (12, 4)
    y = outcomes["share_nato_end"] > np.median(outcomes["share_nato_end"])
    box = prim.Prim(experiments, y).find_box()
    assert box.coverage > 0 and box.density > y.mean()
    assert set(box.box_lim.columns) <= {"pivot", "tolerance"}


def test_save_ema_says_what_to_install_when_ema_is_missing(grid, tmp_path, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_ema(name, *args, **kwargs):
        if name.startswith("ema_workbench"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ema)
    with pytest.raises(SweepRunError, match="pip install ema_workbench"):
        save_ema(grid, tmp_path / "x.tar.gz")


def test_plot_of_a_folder_that_is_not_a_sweep_is_one_line(tmp_path, capsys):
    assert main(["plot", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"{tmp_path}: not a sweep folder (no sweep.json)"
