"""Sweeps: files, designs, seeds, executors, the Parquet store, resume and failures."""

import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from latticesim.cli import main
from latticesim.outputs.runs import simulate
from latticesim.sweeps import executors, experiment, worker
from latticesim.sweeps.designs import frange, grid_points, replication_seed
from latticesim.sweeps.experiment import Experiment, SweepRunError
from latticesim.sweeps.paths import apply_overrides, parse_path
from latticesim.sweeps.runner import run_sweep
from latticesim.sweeps.store import SweepStore, open_sweep
from latticesim.sweeps.sweepfile import SweepError, load_experiment

ROOT = Path(__file__).resolve().parents[2]
PIVOT = ROOT / "scenarios" / "us_pivot.yaml"
BASELINE = ROOT / "scenarios" / "baseline_2024.yaml"
BAD = Path(__file__).resolve().parents[1] / "bad_sweeps"
LINE_RE = re.compile(r"^[^\n]+:\d+:\d+: [^\n]+$")


def write_sweep(folder: Path, name: str = "tiny", body: str | None = None, **top) -> Path:
    """A small sweep file over the US pivot, short horizon, two replications."""
    lines = [f"name: {name}", f"scenario: {PIVOT}"]
    settings = {"seed": 11, "replications": 2, "until": "2025Q4", **top}
    lines += [f"{k}: {v}" for k, v in settings.items()]
    lines.append(
        body
        or """parameters:
  pivot:
    path: [events.0.amount, events.0.resources]
    values: [0.0, 0.3]
  actors.France.tolerance: [0.15, 0.35]
metrics:
  every: 2
  series: [coordination_index, leading_platform, share_NATO]
  outcomes:
    share_nato_end: {column: share_NATO, stat: mean, last: 4}
    nato_leads: {column: leading_platform, equals: NATO, stat: mean}
    nato_china: {table: meetings, forum: NATO, column: strength_china_stance}
    founded: {table: log, kind: forum_founded, stat: count}
"""
    )
    path = folder / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def tables(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    data = open_sweep(folder)
    return data.runs().drop(columns="elapsed_s"), data.series()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    return load_experiment(write_sweep(folder))


@pytest.fixture(scope="module")
def reference(tiny, tmp_path_factory):
    """The tiny sweep run in process, once: what every other executor must reproduce."""
    out = tmp_path_factory.mktemp("ref") / "sweep"
    summary = run_sweep(tiny, out, workers=1, chunk_size=3)
    assert summary.complete and summary.ran == tiny.n_runs == 8
    return out


# --------------------------------------------------------------------- pure functions


def test_replication_seed_is_the_spawned_child_and_ignores_everything_else():
    children = np.random.SeedSequence(42).spawn(5)
    for r, child in enumerate(children):
        expected = int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
        assert replication_seed(42, r) == expected
    seeds = [replication_seed(42, r) for r in range(50)]
    assert len(set(seeds)) == 50 and all(0 <= s < 2**63 for s in seeds)
    assert replication_seed(43, 0) != replication_seed(42, 0)


def test_every_point_of_a_sweep_reuses_the_replications_seeds(tiny):
    by_point = {}
    for run_id in range(tiny.n_runs):
        point, replication, seed, _ = tiny.run(run_id)
        assert seed == replication_seed(tiny.seed, replication)
        by_point.setdefault(point, []).append(seed)
    assert len({tuple(v) for v in by_point.values()}) == 1


def test_frange_includes_the_end_without_float_drift():
    assert frange(0.1, 0.4, 0.1) == [0.1, 0.2, 0.3, 0.4]
    assert frange(0, 1, 0.25) == [0, 0.25, 0.5, 0.75, 1.0]
    assert frange(0.2, 0.2, 0.1) == [0.2]
    with pytest.raises(ValueError):
        frange(0, 1, 0)


@given(
    start=st.floats(-5, 5, allow_nan=False),
    span=st.floats(0, 5, allow_nan=False),
    step=st.floats(0.01, 2, allow_nan=False),
)
def test_frange_stays_in_range_with_even_steps(start, span, step):
    values = frange(start, start + span, step)
    assert values[0] == pytest.approx(start)
    assert values[-1] <= start + span + 1e-9
    assert values[-1] + step > start + span - 1e-6
    assert np.allclose(np.diff(values), step, atol=1e-9)


def test_grid_points_vary_the_first_parameter_slowest():
    assert grid_points([[1, 2], ["a", "b"]]) == [(1, "a"), (1, "b"), (2, "a"), (2, "b")]
    assert grid_points([]) == [()]


def test_parse_path_reads_names_with_spaces_indices_and_quotes():
    assert parse_path("actors.United States.commitment") == (
        "actors",
        "United States",
        "commitment",
    )
    assert parse_path("events[0].amount") == ("events", 0, "amount")
    assert parse_path("events.1.amount") == ("events", 1, "amount")
    assert parse_path('forums."A.B".standing') == ("forums", "A.B", "standing")
    assert parse_path("actors.France.position.global_reach")[-1] == "global_reach"
    for bad in ["", "actors..France", "events[x].amount", "a.b]"]:
        with pytest.raises(ValueError, match="parameter path"):
            parse_path(bad)


def test_apply_overrides_sets_each_kind_of_path_and_leaves_the_base_alone(pivot):
    base = pivot.model_dump(mode="json", by_alias=True)
    before = json.dumps(base, sort_keys=True)
    spec = apply_overrides(
        base,
        [
            (("parameters", "watering"), 0.45),
            (("adversaries", "China", "support"), 0.9),
            (("actors", "France", "tolerance"), 0.12),
            (("actors", "United States", "commitment"), 0.5),
            (("actors", "France", "position", "global_reach"), 0.05),
            (("events", 0, "amount"), 0.33),
            (("forums", "NATO", "standing"), 0.7),
        ],
    )
    assert spec.parameters.watering == 0.45
    assert spec.adversaries["China"].support == 0.9
    assert spec.actors["France"].tolerance == 0.12
    assert spec.actors["United States"].commitment == 0.5
    assert spec.actors["France"].position["global_reach"] == 0.05
    assert spec.events[0].amount == 0.33 and spec.events[1].amount == pivot.events[1].amount
    assert spec.forums["NATO"].standing == 0.7
    assert json.dumps(base, sort_keys=True) == before


# --------------------------------------------------------------------- sweep files


@pytest.mark.parametrize(
    "path", sorted((ROOT / "experiments").glob("*.yaml")), ids=lambda p: p.stem
)
def test_shipped_sweep_files_load(path):
    exp = load_experiment(path)
    assert exp.n_runs >= 8 and exp.parameters and exp.metrics.outcomes


def test_the_three_sweeps_of_the_issue_vary_what_they_say():
    pivot = load_experiment(ROOT / "experiments" / "pivot_by_france_tolerance.yaml")
    assert [p.name for p in pivot.parameters] == ["pivot", "france_tolerance"]
    assert pivot.parameters[1].values == (0.1, 0.2, 0.3, 0.4)
    assert len(pivot.parameters[0].paths) == 4
    china = load_experiment(ROOT / "experiments" / "china_support_by_us_commitment.yaml")
    assert china.parameters[0].paths == (("adversaries", "China", "support"),)
    assert china.parameters[1].paths == (("actors", "United States", "commitment"),)
    sobol = load_experiment(ROOT / "experiments" / "sobol_main_parameters.yaml")
    assert sobol.design == "sobol" and sobol.n_points == 64 * (8 + 2)


@pytest.mark.parametrize("path", sorted(BAD.glob("*.yaml")), ids=lambda p: p.stem)
def test_a_bad_sweep_file_gets_one_clear_line(path, monkeypatch, capsys):
    expect = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")
    monkeypatch.chdir(ROOT)
    shown = str(path.relative_to(ROOT))
    assert main(["sweep", shown, "--dry-run"]) == 2
    err = capsys.readouterr().err.rstrip("\n")
    assert "\n" not in err and "Traceback" not in err
    assert LINE_RE.match(err)
    assert err == (shown + expect if expect.startswith(":") else expect)


def test_a_file_lacking_both_required_keys_gets_both_hints_in_one_line(tmp_path):
    path = tmp_path / "bare.yaml"
    path.write_text("replications: 2\n", encoding="utf-8")
    with pytest.raises(SweepError) as caught:
        load_experiment(path)
    assert str(caught.value) == (
        f"{path}:1:1: required scenario and parameters are missing; "
        "name the scenario file to sweep and say what to vary"
    )


def test_strict_settings_still_take_what_the_format_allows(tmp_path):
    body = """design: {type: sobol, samples: 4, second_order: %s}
parameters:
  watering: {path: parameters.watering, min: 0, max: 0.5}
"""
    exp = load_experiment(write_sweep(tmp_path, "a", body % "true", seed=3.0, description=""))
    assert (exp.seed, exp.description, exp.design_options["second_order"]) == (3, "", True)
    assert exp.parameters[0].low == 0.0 and isinstance(exp.parameters[0].low, float)
    off = load_experiment(write_sweep(tmp_path, "b", body % "false", until="2025Q2"))
    assert (off.until, off.design_options["second_order"], off.name) == ("2025Q2", False, "b")


def test_sampled_designs_have_the_size_and_ranges_they_promise(tmp_path):
    body = """design: {type: %s}
parameters:
  watering: {path: parameters.watering, min: 0.1, max: 0.5}
  rounds: {path: parameters.max_rounds, min: 1, max: 3}
"""
    lhs = load_experiment(write_sweep(tmp_path, "lhs", body % "lhs, samples: 30"))
    sobol = load_experiment(write_sweep(tmp_path, "sob", body % "sobol, samples: 16"))
    morris = load_experiment(write_sweep(tmp_path, "mor", body % "morris, trajectories: 5"))
    assert (lhs.n_points, sobol.n_points, morris.n_points) == (30, 16 * 4, 5 * 3)
    for exp in (lhs, sobol, morris):
        watering = np.array([p[0] for p in exp.points])
        rounds = [p[1] for p in exp.points]
        assert watering.min() >= 0.1 and watering.max() <= 0.5
        assert all(isinstance(r, int) for r in rounds) and set(rounds) <= {1, 2, 3}
        assert exp.runs_schema().field("rounds").type == "int64"
    assert set(p[1] for p in lhs.points) == {1, 2, 3}
    again = load_experiment(write_sweep(tmp_path, "lhs", body % "lhs, samples: 30"))
    assert again.points == lhs.points  # the design is part of what resume checks


def test_dry_run_says_the_plan(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["sweep", "experiments/smoke.yaml", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "4 points x 2 replications = 8 runs" in out and "root seed 7" in out


# --------------------------------------------------------------------- results


def test_outcomes_and_series_are_what_a_direct_run_gives(tiny, reference):
    runs, series = tables(reference)
    assert list(runs["run_id"]) == list(range(8)) and (runs["status"] == "ok").all()
    row = runs.iloc[5]
    point, replication, seed, values = tiny.run(5)
    assert (row["point"], row["replication"], row["seed"]) == (point, replication, seed)
    assert (row["pivot"], row["actors.France.tolerance"]) == values
    base = tiny.spec.model_dump(mode="json", by_alias=True)
    spec = apply_overrides(
        base,
        [
            (("events", 0, "amount"), values[0]),
            (("events", 0, "resources"), values[0]),
            (("actors", "France", "tolerance"), values[1]),
        ],
    )
    t = simulate(spec, seed, until="2025Q4", record_actors=False).recorder.frames()
    model, meetings, log = t["model"], t["meetings"], t["log"]
    assert row["share_nato_end"] == pytest.approx(model["share_NATO"].tail(4).mean())
    assert row["nato_leads"] == pytest.approx((model["leading_platform"] == "NATO").mean())
    nato = meetings[(meetings["forum"] == "NATO") & meetings["met"]]
    assert row["nato_china"] == pytest.approx(nato["strength_china_stance"].mean())
    assert row["founded"] == (log["kind"] == "forum_founded").sum()
    mine = series[series["run_id"] == 5]
    assert list(mine["date"]) == ["2024Q2", "2024Q4", "2025Q2", "2025Q4"]
    expected = model.set_index("date").loc[list(mine["date"]), "coordination_index"]
    assert np.allclose(mine["coordination_index"], expected)
    assert list(mine["leading_platform"]) == list(
        model.set_index("date").loc[list(mine["date"]), "leading_platform"]
    )


_METRICS = [
    experiment.Metrics(
        ("coordination_index", "leading_platform", "share_NATO"),
        4,
        (
            experiment.Outcome("end", column="share_NATO", stat="mean", last=4),
            experiment.Outcome("leads", column="leading_platform", equals="NATO", stat="mean"),
            experiment.Outcome("first", column="linkage", stat="first", start="2025Q1"),
            experiment.Outcome("change", column="coordination_index", stat="change", end="2027Q2"),
            experiment.Outcome(
                "top", column="linkage_pairs", stat="max", start="2026Q1", end="2026Q4"
            ),
            experiment.Outcome("held", table="meetings", stat="count", forum="NATO"),
            experiment.Outcome("founded", table="log", kind="forum_founded"),
        ),
        frozenset({"leading_platform"}),
    ),
    experiment.Metrics(("linkage",), 40, (experiment.Outcome("last", column="share_G7"),)),
    experiment.Metrics(
        ("bloc_energy", "n_forums"), 3, (experiment.Outcome("e", column="bloc_energy"),)
    ),
    experiment.Metrics(("share_NATO",), 1, ()),
    # no meetings kept, rows every other year: the texts and the lead followed all along
    experiment.Metrics(
        ("joint_coordination", "leading_platform"),
        8,
        (experiment.Outcome("joint", column="joint_coordination", stat="mean", last=4),),
        frozenset({"leading_platform"}),
    ),
]


@pytest.mark.parametrize("metrics", _METRICS)
def test_a_sweep_run_measures_what_a_full_run_measures(baseline, metrics):
    # A sweep's run skips the rows and the bloc tracking its metrics never read; what it
    # measures must be exactly what the full run gives.
    for seed in (1, 2):
        full = worker.measure(simulate(baseline, seed, record_actors=False), metrics)
        lean = worker.measure(worker.sweep_run(baseline, seed, None, metrics), metrics)
        assert repr(lean) == repr(full)


def test_a_sweep_reads_only_the_quarters_and_blocs_it_needs(baseline):
    keep_last = experiment.Metrics(("linkage",), 40, (experiment.Outcome("x", column="linkage"),))
    assert keep_last.steps_read(40, baseline.start_quarter) == {40}
    assert not keep_last.needs_blocs
    outcomes = tuple(o for o in _METRICS[0].outcomes if o.name in ("end", "first", "change"))
    yearly = experiment.Metrics(("share_NATO",), 4, outcomes)
    # the kept series (every 4th quarter back from the last), the mean of the last 4,
    # the first quarter from 2025Q1 (5), and both ends of 2024Q1-2027Q2 (1, 14)
    expected = set(range(4, 41, 4)) | {37, 38, 39} | {5} | {1, 14}
    assert yearly.steps_read(40, baseline.start_quarter) == expected
    assert _METRICS[2].needs_blocs
    model = worker.sweep_run(baseline, 1, "2025Q4", keep_last)
    rows = model.recorder.model_rows
    assert [r["step"] for r in rows] == list(range(1, 9))
    assert "linkage" in rows[-1] and "linkage" not in rows[0]
    assert not model.track_blocs


def test_sweep_folder_has_manifest_design_and_parts(tiny, reference):
    manifest = json.loads((reference / "sweep.json").read_text())
    assert manifest["experiment"]["sha256"] == tiny.sha256
    assert manifest["scenario"]["sha256"] == tiny.scenario_sha256
    assert manifest["seed"] == 11 and manifest["runs_planned"] == 8
    assert manifest["status"] == manifest["status"] | {"runs_done": 8, "complete": True}
    assert manifest["latticesim_version"]
    design = open_sweep(reference).design()
    assert len(design) == 4 and list(design.columns[:2]) == ["point", "pivot"]
    parts = sorted(p.name for p in (reference / "runs").iterdir())
    assert parts == sorted(p.name for p in (reference / "series").iterdir())
    assert parts == ["part-000000.parquet", "part-000001.parquet", "part-000002.parquet"]


def test_results_are_identical_in_process_and_with_two_workers(tiny, reference, tmp_path):
    run_sweep(tiny, tmp_path / "pool", workers=2, chunk_size=2)
    runs, series = tables(tmp_path / "pool")
    pd.testing.assert_frame_equal(runs, tables(reference)[0])
    pd.testing.assert_frame_equal(series, tables(reference)[1])


def test_results_are_identical_with_workers_started_as_on_windows(
    tiny, reference, tmp_path, monkeypatch
):
    # Windows has only "spawn": each worker imports the package anew, nothing inherited
    monkeypatch.setattr(executors, "start_method", lambda: "spawn")
    run_sweep(tiny, tmp_path / "spawn", workers=2, chunk_size=4)
    runs, series = tables(tmp_path / "spawn")
    pd.testing.assert_frame_equal(runs, tables(reference)[0])
    pd.testing.assert_frame_equal(series, tables(reference)[1])


def test_workers_start_from_a_fork_server_only_where_there_is_one(monkeypatch):
    assert executors.start_method() == "forkserver"  # Linux
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert executors.start_method() == "spawn"


def test_results_are_identical_on_a_dask_local_cluster(tiny, reference, tmp_path):
    pytest.importorskip("distributed")
    run_sweep(tiny, tmp_path / "dask", workers=2, scheduler="local", chunk_size=1)
    runs, series = tables(tmp_path / "dask")
    pd.testing.assert_frame_equal(runs, tables(reference)[0])
    pd.testing.assert_frame_equal(series, tables(reference)[1])


def test_results_do_not_depend_on_the_chunk_size(tiny, reference, tmp_path):
    run_sweep(tiny, tmp_path / "one", workers=1, chunk_size=1)
    run_sweep(tiny, tmp_path / "all", workers=1, chunk_size=100)
    for name in ("one", "all"):
        runs, series = tables(tmp_path / name)
        pd.testing.assert_frame_equal(runs, tables(reference)[0])
        pd.testing.assert_frame_equal(series, tables(reference)[1])
    assert len(list((tmp_path / "one" / "runs").iterdir())) == 8


# --------------------------------------------------------------------- resume


def test_a_sweep_killed_with_sigkill_resumes_to_exactly_the_planned_runs(tmp_path):
    sweep_file = write_sweep(tmp_path, "killed", replications=10, until="2026Q4")
    exp = load_experiment(sweep_file)
    assert exp.n_runs == 40
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "latticesim.cli",
        "sweep",
        str(sweep_file),
        "--out",
        str(out),
        "--workers",
        "2",
        "--chunk-size",
        "2",
        "--quiet",
    ]
    proc = subprocess.Popen(cmd, start_new_session=True, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list((out / "runs").glob("part-*.parquet"))) >= 2:
                break
            time.sleep(0.005)
        assert proc.poll() is None, proc.stderr.read().decode()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep, its fork server and its workers
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    done_before = len(open_sweep(out).runs())
    assert 4 <= done_before < 40
    summary = run_sweep(exp, out, workers=1)
    assert summary.done_before == done_before
    assert summary.ran == 40 - done_before and summary.complete
    runs, series = tables(out)
    assert list(runs["run_id"]) == list(range(40))  # each planned run, once
    assert not series.duplicated(["run_id", "step"]).any()
    assert set(series["run_id"]) == set(range(40))
    assert not [p for p in out.rglob(".*") if p.name != ".lock"]  # no temporary left
    reference = tmp_path / "reference"
    run_sweep(exp, reference, workers=1)
    pd.testing.assert_frame_equal(runs, tables(reference)[0])
    pd.testing.assert_frame_equal(series, tables(reference)[1])


def test_a_chunk_interrupted_between_its_parts_is_run_again_once(tiny, reference, tmp_path):
    out = tmp_path / "sweep"
    run_sweep(tiny, out, workers=1, chunk_size=3)
    # What a kill leaves between the two renames (series part written, runs part not)
    # and during a write (a temporary file).
    last = sorted((out / "runs").iterdir())[-1]
    last.unlink()
    (out / "series" / ".part-000009.parquet.tmp-123").write_bytes(b"half a file")
    assert len(open_sweep(out).runs()) == 6
    summary = run_sweep(tiny, out, workers=1, chunk_size=3)
    assert (summary.done_before, summary.ran) == (6, 2)
    runs, series = tables(out)
    pd.testing.assert_frame_equal(runs, tables(reference)[0])
    pd.testing.assert_frame_equal(series, tables(reference)[1])
    again = run_sweep(tiny, out, workers=1)
    assert (again.done_before, again.ran) == (8, 0)


def test_resuming_into_another_experiments_folder_is_refused(tiny, reference, tmp_path, capsys):
    other = write_sweep(tmp_path, "other", seed=12)
    assert main(["sweep", str(other), "--out", str(reference), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "holds a different experiment (tiny" in err
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(SweepRunError, match="not a sweep folder"):
        run_sweep(tiny, foreign, workers=1)


def test_two_sweeps_cannot_write_one_folder_at_once(tiny, tmp_path):
    out = tmp_path / "sweep"
    store = SweepStore.open(out, tiny)
    try:
        with pytest.raises(SweepRunError, match="another sweep is writing"):
            run_sweep(tiny, out, workers=1)
    finally:
        store.close()
    assert run_sweep(tiny, out, workers=1).complete


# --------------------------------------------------------------------- failures


def _flaky(real):
    """A sweep's run, except that France's tolerance 0.35 makes the model raise."""

    def run(spec, seed, *args, **kwargs):
        tolerance = spec.actors.get("France")
        if tolerance is not None and tolerance.tolerance == 0.35:
            raise ValueError("France cannot hold tolerance 0.35\nsecond line")
        return real(spec, seed, *args, **kwargs)

    return run


def _check_failures(out: Path, reference: Path) -> None:
    runs, series = tables(out)
    failed = runs[runs["status"] == "failed"]
    assert list(failed["run_id"]) == [2, 3, 6, 7]
    for error in failed["error"]:
        assert error.startswith("ValueError: France cannot hold tolerance 0.35 (at ")
        assert "\n" not in error and "second line" not in error
    assert failed["share_nato_end"].isna().all()
    assert set(series["run_id"]) == {0, 1, 4, 5}
    ok = runs[runs["status"] == "ok"]
    ref_runs, ref_series = tables(reference)
    pd.testing.assert_frame_equal(ok, ref_runs[ref_runs["status"] == "ok"].loc[ok.index])
    assert ok["error"].isna().all()


def test_a_run_that_raises_is_recorded_and_the_others_finish(
    tiny, reference, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(worker, "sweep_run", _flaky(worker.sweep_run))
    summary = run_sweep(tiny, tmp_path / "sweep", workers=1, chunk_size=3, progress=True)
    assert summary.complete and summary.failed == 4 and summary.ran == 8
    assert "4 failed" in summary.line()
    bar = capsys.readouterr().err
    assert "8/8" in bar and "failed 4" in bar
    _check_failures(tmp_path / "sweep", reference)
    # A failed run is done: resuming does not run it again.
    monkeypatch.undo()
    again = run_sweep(tiny, tmp_path / "sweep", workers=1)
    assert again.ran == 0 and again.failed_before == 4


def _install_flaky() -> None:
    worker.sweep_run = _flaky(worker.sweep_run)


def test_a_run_that_raises_in_a_process_pool_is_recorded_too(tiny, reference, tmp_path):
    # Each worker patches its own copy of the module, so the failure happens in real
    # worker processes, as a bug in the model would.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(2, mp_context=context, initializer=_install_flaky) as pool:
        summary = run_sweep(tiny, tmp_path / "sweep", executor=pool, workers=2, chunk_size=2)
    assert summary.failed == 4
    _check_failures(tmp_path / "sweep", reference)


def test_a_task_that_dies_stops_the_sweep_with_one_line_and_keeps_what_was_written(tiny, tmp_path):
    class Dying(executors.InProcessExecutor):
        calls = 0

        def submit(self, fn, /, *args, **kwargs):
            Dying.calls += 1
            if Dying.calls == 3:
                raise_in = Future()
                raise_in.set_exception(OSError("worker lost"))
                return raise_in
            return super().submit(fn, *args, **kwargs)

    out = tmp_path / "sweep"
    with pytest.raises(SweepRunError, match=r"a task stopped \(OSError: worker lost"):
        run_sweep(tiny, out, executor=Dying(), chunk_size=2)
    assert len(open_sweep(out).runs()) == 4
    assert run_sweep(tiny, out, workers=1).ran == 4


def test_experiment_single_runs_one_scenario_many_times(baseline, tmp_path):
    metrics = experiment.Metrics(
        ("share_NATO",), 8, (experiment.Outcome("s", column="share_NATO"),)
    )
    exp = Experiment.single(baseline, 3, seed=5, metrics=metrics, until="2025Q4")
    assert exp.n_runs == 3 and exp.points == [()]
    run_sweep(exp, tmp_path / "s", workers=1)
    runs = open_sweep(tmp_path / "s").runs()
    assert list(runs["seed"]) == [replication_seed(5, r) for r in range(3)]


def test_dask_is_imported_only_for_a_scheduler(tmp_path):
    code = (
        "import sys\n"
        "from latticesim.sweeps.runner import run_sweep\n"
        f"run_sweep({str(ROOT / 'experiments' / 'smoke.yaml')!r}, {str(tmp_path / 'out')!r},"
        " workers=1)\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)


def test_a_plan_beyond_a_million_runs_needs_allow_large(tmp_path):
    path = tmp_path / "large.yaml"
    path.write_text(
        f"scenario: {ROOT / 'scenarios' / 'us_pivot.yaml'}\n"
        "replications: 200001\n"
        "parameters:\n"
        "  watering: {path: parameters.watering, from: 0.1, to: 0.5, step: 0.1}\n",
        encoding="utf-8",
    )
    with pytest.raises(SweepError, match="need --allow-large"):
        load_experiment(path)
    assert load_experiment(path, allow_large=True).n_runs == 1_000_005


def test_a_sweep_killed_before_its_manifest_was_written_starts_again(tmp_path):
    exp = load_experiment(write_sweep(tmp_path, replications=1, until="2024Q4"))
    out = tmp_path / "started"
    (out / "runs").mkdir(parents=True)
    (out / "design.parquet").write_bytes(b"half a design")
    (out / ".sweep.json.tmp-1").write_text("{")
    summary = run_sweep(exp, out, workers=1)
    assert summary.ran == exp.n_runs
    assert json.loads((out / "sweep.json").read_text())["status"]["complete"]


def test_a_sweep_folder_that_cannot_be_written_is_one_line(tmp_path):
    exp = load_experiment(write_sweep(tmp_path, replications=1, until="2024Q4"))
    (tmp_path / "file").write_text("x")
    with pytest.raises(SweepRunError, match=r"cannot write the sweep folder here \("):
        run_sweep(exp, tmp_path / "file" / "sweep", workers=1)


def test_a_sweep_named_by_a_file_whose_name_cannot_be_a_folder_needs_a_name(tmp_path):
    text = write_sweep(tmp_path).read_text(encoding="utf-8").replace("name: tiny\n", "")
    path = tmp_path / "..yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SweepError, match=r"the file's name '\.' is the sweep's name.*add name:"):
        load_experiment(path)
