"""Calibration: the acceptance rule, reproducible accepted sets, resume after a kill, and
replications that take their parameters from the accepted draws."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from latticesim.cli import main
from latticesim.sweeps import calibration, hindcast
from latticesim.sweeps.calibration import (
    CalibrationError,
    accept,
    accepted_draws,
    calibrate,
    calibrated_draws,
)
from latticesim.sweeps.calibration_report import central_draw, pinned, verdict
from latticesim.sweeps.designs import calibrated_draw
from latticesim.sweeps.store import open_sweep
from latticesim.sweeps.sweepfile import load_experiment

ROOT = Path(__file__).resolve().parents[2]
HINDCAST = ROOT / "scenarios" / "hindcast_2019.yaml"
SMOKE = ROOT / "experiments" / "smoke.yaml"
BUDGET = {"draws": 8, "replications": 2, "seed": 5, "min_accepted": 3}
ARGS = ["--draws", "8", "--replications", "2", "--seed", "5", "--min-accepted", "3"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """A tiny calibration run in process, uninterrupted."""
    out = tmp_path_factory.mktemp("calibration") / "reference"
    calibrate(out, HINDCAST, workers=1, **BUDGET)
    return out


def accepted(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "accepted.csv")


# --------------------------------------------------------------------- the rule


def draws_frame(joint, mean, replications=8) -> pd.DataFrame:
    n = len(joint)
    return pd.DataFrame(
        {
            "draw": np.arange(n),
            "joint_fitted": joint,
            "mean_fitted": mean,
            "replications": replications,
        }
    )


def test_accepts_the_draws_within_one_standard_error_of_the_best():
    # best 0.75 of 8 replications: se 0.153, so 0.625 is within and 0.5 is not
    frame = draws_frame([0.75, 0.625, 0.5, 0.0, 0.625], [0.9, 0.8, 0.9, 0.1, 0.7])
    acc = accept(frame, min_accepted=1)
    assert acc.within_one_se == 3
    assert list(acc.accepted) == [True, True, False, False, True]
    assert acc.tolerance == pytest.approx(0.375)


def test_accepts_at_least_min_accepted_and_every_draw_tied_with_the_last():
    frame = draws_frame([1.0, 0.5, 0.5, 0.5, 0.0], [1.0, 0.8, 0.6, 0.6, 0.5])
    acc = accept(frame, min_accepted=3)  # the third is tied with the fourth
    assert list(acc.accepted) == [True, True, True, True, False]
    assert acc.count == 4 and acc.tie_share == pytest.approx(0.6)
    with pytest.raises(CalibrationError, match="--min-accepted"):
        accept(frame, min_accepted=6)


def test_the_central_draw_is_the_accepted_draw_nearest_the_medians():
    names = list(hindcast.FREE_PARAMETERS)
    rows = []
    for k, level in enumerate([0.1, 0.5, 0.52, 0.9]):
        rows.append({"draw": 10 + k} | {n: _at(n, level) for n in names})
    frame = pd.DataFrame(rows)
    assert central_draw(frame) in (11, 12)
    assert central_draw(frame.iloc[[0, 3]]) == 10  # a tie goes to the lower number


def _at(name: str, level: float) -> float:
    lo, hi = hindcast.FREE_PARAMETERS[name]
    value = lo + level * (hi - lo)
    return round(value) if hindcast.is_whole(name) else value


def test_pinned_compares_interquartile_ranges():
    names = list(hindcast.FREE_PARAMETERS)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({n: [_at(n, u) for u in rng.random(400)] for n in names})
    first = names[0]
    keep = frame[first].between(*np.quantile(frame[first], [0.45, 0.55]))
    table = pinned(frame, keep).set_index("parameter")
    assert table.loc[first, "verdict"] == "pinned down"
    assert table.loc[first, "iqr_ratio"] < 0.2
    assert verdict(0.7) == "narrowed" and verdict(0.95) == "not pinned down"
    whole = next(n for n in names if hindcast.is_whole(n))
    lo, hi = hindcast.FREE_PARAMETERS[whole]
    frame[whole] = np.resize(np.arange(lo, hi + 1), len(frame))
    slight = ~((frame[whole] == hi) & (np.arange(len(frame)) % 3 == 0))  # hi a little rarer
    table = pinned(frame, slight).set_index("parameter")
    assert table.loc[whole, "verdict"] == "not pinned down"


def test_draws_cycle_through_the_accepted_set_and_depend_on_seed_and_replication_only():
    block = [calibrated_draw(3, r, 5) for r in range(5)]
    assert sorted(block) == [0, 1, 2, 3, 4]  # each draw once per block of five
    assert [calibrated_draw(3, r, 5) for r in range(12)][:5] == block
    assert [calibrated_draw(4, r, 5) for r in range(5)] != block


# --------------------------------------------------------------------- runs


def test_the_same_seed_gives_the_same_accepted_set(reference, tmp_path):
    again = tmp_path / "again"
    result = calibrate(again, HINDCAST, workers=2, figures=False, **BUDGET)  # a pool
    pd.testing.assert_frame_equal(accepted(again), accepted(reference))
    assert result.acceptance.count == len(accepted(reference)) >= BUDGET["min_accepted"]
    draws = pd.read_parquet(reference / "draws.parquet")
    assert len(draws) == BUDGET["draws"]
    for p in hindcast.PATTERNS:
        assert draws[f"share_{p.key}"].between(0, 1).all()
    for name, (lo, hi) in hindcast.FREE_PARAMETERS.items():
        assert draws[name].between(lo, hi).all()
    summary = (reference / "summary.md").read_text()
    assert "latticesim calibrate" in summary and "pinned down" in summary.lower()
    for png in ("marginals.png", "pairs.png"):
        assert (reference / png).stat().st_size > 10_000
    other = calibration.plan(HINDCAST, BUDGET["draws"], BUDGET["replications"], seed=6)
    assert [p[0] for p in other.points] != list(draws["watering"])


def test_a_calibration_killed_with_sigkill_resumes_to_the_same_accepted_set(reference, tmp_path):
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "latticesim.cli", "calibrate", str(HINDCAST), "--out", str(out)]
    cmd += [*ARGS, "--workers", "1", "--quiet"]
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen(cmd, start_new_session=True, stderr=subprocess.PIPE, env=env)
    parts = out / "sweep" / "runs"
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if parts.is_dir() and any(parts.glob("part-*.parquet")):
                break
            time.sleep(0.002)
        assert proc.poll() is None, proc.stderr.read().decode()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    done_before = len(open_sweep(out / "sweep").runs())
    assert 1 <= done_before < 16
    assert not (out / "accepted.csv").exists()
    assert main(["calibrate", str(HINDCAST), "--out", str(out), *ARGS, "--quiet"]) == 0
    pd.testing.assert_frame_equal(accepted(out), accepted(reference))
    assert list(open_sweep(out / "sweep").runs()["run_id"]) == list(range(16))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--draws", "0"], "--draws: must be at least 1"),
        (["--replications", "-1"], "--replications: must be at least 1"),
        (["--draws", "5", "--min-accepted", "9"], "--min-accepted: must be between 1"),
        (["--workers", "0"], "--workers: must be at least 1"),
        (["--seed", "-2"], "--seed: must be 0 or more"),
    ],
)
def test_bad_flags_get_one_line(args, message, tmp_path, capsys):
    assert main(["calibrate", "--out", str(tmp_path / "c"), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_bad_folders_and_sets_get_one_line(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["calibrate", "--out", str(tmp_path), "--draws", "3", "--min-accepted", "1"]) == 2
    assert main(["calibrate", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "c")]) == 2
    missing = str(tmp_path / "missing.csv")
    assert main(["sweep", str(SMOKE), "--out", str(tmp_path / "s"), "--calibrated", missing]) == 2
    base, pivot = ROOT / "scenarios" / "baseline_2024.yaml", ROOT / "scenarios" / "us_pivot.yaml"
    cmp = ["compare", str(base), str(pivot), "--out", str(tmp_path / "cmp")]
    assert main([*cmp, "--calibrated", missing]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 4
    assert "notes.txt" in err[0] and "nope.yaml" in err[1]
    assert all("--calibrated" in line and "missing.csv" in line for line in err[2:])
    assert not (tmp_path / "s").exists() and not (tmp_path / "cmp").exists()


# --------------------------------------------------------------------- --calibrated


def test_calibrated_sweeps_take_each_replications_parameters_from_the_accepted_set(
    reference, tmp_path
):
    csv = reference / "accepted.csv"
    out = tmp_path / "sweep"
    assert main(["sweep", str(SMOKE), "--out", str(out), "--calibrated", str(csv)]) == 0
    data = open_sweep(out)
    runs = data.runs()
    table = accepted_draws(csv)
    for row in runs.to_dict("records"):
        drawn = table.iloc[row["calibrated_draw"]]
        for name in hindcast.FREE_PARAMETERS:
            assert row[name] == pytest.approx(drawn[name])
        assert row["calibrated_draw"] == calibrated_draw(7, row["replication"], len(table))
    assert data.manifest["calibrated"]["draws"] == len(table)
    assert data.manifest["calibrated"]["source"] == str(csv)
    plain = tmp_path / "plain"
    assert main(["sweep", str(SMOKE), "--out", str(plain), "--quiet"]) == 0
    outcomes = ["share_nato_end", "nato_china_text"]
    assert not open_sweep(plain).runs()[outcomes].equals(runs[outcomes])


def test_a_sweep_design_named_calibrated_draws_from_the_shipped_set(
    reference, tmp_path, monkeypatch
):
    monkeypatch.setattr(calibration, "CALIBRATED_CSV", reference / "accepted.csv")
    text = SMOKE.read_text().replace("replications: 2", "replications: 2\ndesign: calibrated")
    sweep_file = tmp_path / "smoke_calibrated.yaml"
    sweep_file.write_text(text.replace("../scenarios/", f"{ROOT}/scenarios/"))
    exp = load_experiment(sweep_file)
    assert exp.design == "calibrated" and exp.n_points == 4
    assert exp.calibrated is not None and len(exp.calibrated.rows) == len(accepted(reference))
    assert "accepted parameter draws" in exp.describe()


def test_calibrated_comparisons_say_so_and_pair_the_draws(reference, tmp_path, capsys):
    out = tmp_path / "cmp"
    base, pivot = ROOT / "scenarios" / "baseline_2024.yaml", ROOT / "scenarios" / "us_pivot.yaml"
    args = ["compare", str(base), str(pivot), "--replications", "2", "--until", "2025Q2"]
    args += ["--out", str(out), "--workers", "1", "--quiet"]
    assert main([*args, "--calibrated", str(reference / "accepted.csv")]) == 0
    manifest = json.loads((out / "compare.json").read_text())
    assert manifest["calibrated"]["draws"] == len(accepted(reference))
    assert "replications over" in (out / "compare.md").read_text()
    arms = [open_sweep(d).runs() for d in sorted((out / "arms").iterdir())]
    assert list(arms[0]["calibrated_draw"]) == list(arms[1]["calibrated_draw"])


def test_the_shipped_accepted_set_loads_with_every_free_parameter():
    draws = calibrated_draws()
    assert len(draws.rows) >= calibration.MIN_ACCEPTED
    assert draws.names == tuple(hindcast.FREE_PARAMETERS)
    for k, name in enumerate(draws.names):
        lo, hi = hindcast.FREE_PARAMETERS[name]
        assert all(lo <= row[k] <= hi for row in draws.rows)
