"""What the teaching notes claim about coordination holds on 30 paired seeds.

The table "Coordination: what the notes claim" in docs/scenarios/README.md gives each
scenario's paired effect on joint coordination and on the coordination index (ODD 7.10)
and the direction its note claims; ``experiments/coordination_effects.py`` writes it.
Each claimed direction must hold with the 95% interval clear of zero.
"""

import importlib.util
import math
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _experiment(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "experiments" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


effects = _experiment("coordination_effects")
CLAIMS = effects.claims()


def test_the_notes_claim_effects_on_both_measures():
    # the table is read, and the scenarios the notes say move coordination are in it
    claimed = {m: {n for n, c in CLAIMS.items() if m in c} for m in effects.MEASURES}
    assert {"us_pivot", "france_autonomy"} <= claimed["joint_coordination"]
    assert "us_pivot" in claimed["coordination_index"]
    assert all((ROOT / "scenarios" / f"{name}.yaml").exists() for name in CLAIMS)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(n for n, c in CLAIMS.items() if c))
def test_each_claimed_effect_is_in_its_direction_and_beyond_its_interval(name):
    _, found = effects.effects(name, seeds=30)
    for measure, sign in CLAIMS[name].items():
        mean, lo, hi = found[measure]
        assert not math.isnan(lo), f"{name}: {measure} has no interval"
        ok = lo > 0 if sign > 0 else hi < 0
        assert ok, f"{name}: {measure} {mean:+.4f} [{lo:+.4f}, {hi:+.4f}], claimed {sign:+d}"
