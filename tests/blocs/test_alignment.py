"""Blocs implied by the model's state: the propensity mapping and the tracked split."""

import numpy as np
import pytest

from latticesim import simulate
from latticesim.blocs import alignment
from latticesim.blocs.heuristic import descend
from latticesim.blocs.theory import energy, frustration_change
from latticesim.cli import main


def test_propensity_mapping_known_values():
    pos = np.array([[0.2, 0.8], [0.2, 0.8], [0.45, 0.8], [0.7, 0.8]])
    sal = np.ones_like(pos)
    invited = np.zeros((4, 1))
    p = alignment.propensities(pos, sal, invited)
    # distances (mean over two dimensions): 0, 0.125, 0.25 from actor 0
    assert p[0, 1] == pytest.approx(1.0)
    assert p[0, 2] == pytest.approx(0.5)
    assert p[0, 3] == pytest.approx(0.0)
    assert np.allclose(p, p.T) and np.all(np.diag(p) == 0)
    shared = alignment.propensities(pos, sal, np.ones((4, 1)))
    assert shared[0, 3] == pytest.approx(alignment.MEMBERSHIP_WEIGHT)


def test_salience_weights_the_distance():
    pos = np.array([[0.0, 0.0], [1.0, 0.0]])
    caring = alignment.salience_weighted_distance(pos, np.array([[1.0, 0.0], [1.0, 0.0]]))
    indifferent = alignment.salience_weighted_distance(pos, np.array([[0.0, 1.0], [0.0, 1.0]]))
    assert caring[0, 1] == pytest.approx(1.0) and indifferent[0, 1] == pytest.approx(0.0)


def test_following_the_split_never_raises_energy():
    rng = np.random.default_rng(5)
    sizes = rng.uniform(0.1, 1, 12)
    pos = rng.random((12, 3))
    p = alignment.propensities(pos, np.ones((12, 3)), np.zeros((12, 1)))
    start = rng.integers(0, 2, 12).astype(np.int8)
    end, e = alignment.follow_split(sizes, p, start, anchor=0)
    assert end[0] == 0
    assert e == pytest.approx(energy(sizes, p, end))
    assert e <= energy(sizes, p, start) + 1e-12
    # the same local minimum the checked, general-purpose descent reaches
    assert np.array_equal(alignment.orient(descend(sizes, p, start), 0), end)
    # a local minimum: no single actor lowers its frustration by switching
    assert np.all(frustration_change(sizes, p, end) >= -1e-12)


def test_run_records_the_split_and_its_energy(baseline):
    t = simulate(baseline, 2, until="2025Q4").recorder.frames()
    m, a = t["model"], t["actors"]
    assert m["bloc_energy"].notna().all() and (m["bloc_energy"] < 0).all()
    last = a[a["date"] == "2025Q4"]
    assert last.loc[last.actor == "United States", "bloc"].item() == 0
    side_b = set(last.loc[last.bloc == 1, "actor"])
    assert set(m["bloc_b"].iloc[-1].split("; ")) == side_b
    assert {"China", "Russia", "North Korea"} <= side_b


def test_blocs_command_on_run_folder_scenario_and_csv(tmp_path, capsys):
    out = tmp_path / "run"
    assert (
        main(
            [
                "run",
                "scenarios/baseline_2024.yaml",
                "--out",
                str(out),
                "--quiet",
                "--no-figures",
                "--until",
                "2025Q2",
            ]
        )
        == 0
    )
    assert main(["blocs", str(out), "--date", "2024Q4"]) == 0
    text = capsys.readouterr().out
    assert "2024Q4" in text and "The run's split" in text
    assert (
        main(
            [
                "blocs",
                "--sizes",
                "tests/data/blocs/sizes.csv",
                "--pairs",
                "tests/data/blocs/pairs.csv",
            ]
        )
        == 0
    )
    assert "exact enumeration of 4 actors" in capsys.readouterr().out
    assert main(["blocs", str(out), "--date", "2031Q1"]) == 2
    assert "not in the run" in capsys.readouterr().err


def test_distance_and_propensities_are_bit_for_bit_the_formula():
    # The in-place versions must give the numbers the plain formula gives: the blocs
    # a run records depend on them.
    rng = np.random.default_rng(2)
    pos, sal = rng.random((15, 5)), rng.random((15, 5))
    sal[4] = 0.0  # an actor that cares about nothing
    num = np.zeros((15, 15))
    for d in range(5):
        num += np.abs(pos[:, None, d] - pos[None, :, d]) * (sal[:, None, d] + sal[None, :, d])
    total = sal.sum(axis=1)
    dist = num / np.maximum(total[:, None] + total[None, :], 1e-12)
    assert np.array_equal(alignment.salience_weighted_distance(pos, sal), dist)
    invited = rng.random((15, 4)) < 0.5
    p = 1.0 - dist / alignment.PROPENSITY_SCALE
    p = p + alignment.MEMBERSHIP_WEIGHT * alignment.shared_forums(invited)
    np.fill_diagonal(p, 0.0)
    assert np.array_equal(alignment.propensities(pos, sal, invited), np.clip(p, -1.0, 1.0))
