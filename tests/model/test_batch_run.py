"""Mesa's own tools on the model: ``mesa.batch_run`` and the model built from keywords.

The rows ``mesa.batch_run`` returns are the model table of :func:`simulate` for the same
scenario, parameter value and seed, number for number.
"""

import mesa
import pandas as pd
import pydantic
import pytest

from conftest import SCENARIOS
from latticesim import LatticeModel, LatticeScenario, load_scenario, simulate

BASELINE = str(SCENARIOS / "baseline_2024.yaml")


def with_watering(spec, watering):
    """The scenario with one parameter changed, set the way a script would set it."""
    params = spec.parameters.model_copy(update={"watering": watering})
    return spec.model_copy(update={"parameters": params})


def test_batch_run_returns_the_model_table_of_each_run(baseline):
    rows = mesa.batch_run(
        LatticeModel,
        parameters={"scenario_file": BASELINE, "watering": [0.2, 0.6]},
        rng=[1, 2],
        max_steps=8,
        data_collection_period=1,
        display_progress=False,
    )
    got = pd.DataFrame(rows)
    assert len(got) == 2 * 2 * 8
    for (seed, watering), run in got.groupby(["rng", "watering"]):
        table = simulate(with_watering(baseline, watering), seed, until="2025Q4")
        want = table.recorder.frames()["model"]
        assert list(run["Step"]) == [float(s) for s in want["step"]]
        pd.testing.assert_frame_equal(run[list(want.columns)].reset_index(drop=True), want)
    # the parameter is felt: the runs of one seed differ between its two values
    one_seed = got[got["rng"] == 1].set_index(["watering", "step"])["coordination_index"]
    assert not one_seed.loc[0.2].equals(one_seed.loc[0.6])


def test_the_collector_adds_the_columns_of_forums_founded_during_a_run():
    spec = load_scenario(SCENARIOS / "spoilers.yaml")
    for seed in range(20):  # the first seed in which a forum is founded during the run
        model = LatticeModel(spec=spec, rng=seed)
        model.run()
        table = model.recorder.frames()["model"]
        late = [c for c in table.columns if table[c].isna().any() and c.startswith("share_")]
        if late:
            break
    assert late  # the scenario founds forums during the run
    collected = model.datacollector.get_model_vars_dataframe()
    pd.testing.assert_frame_equal(collected, table)
    assert model.datacollector._collection_steps == [float(s) for s in table["step"]]


def test_a_model_built_from_keywords_runs_as_one_built_from_a_typed_scenario(baseline):
    typed = LatticeModel(LatticeScenario(spec=baseline, rng=3))
    keywords = LatticeModel(scenario_file=BASELINE, rng=3)
    typed.run_for(6)
    keywords.run_for(6)
    assert typed.quarters_run == keywords.quarters_run == 6
    assert str(keywords.quarter) == str(typed.quarter) == "2025Q2"
    pd.testing.assert_frame_equal(
        keywords.recorder.frames()["model"], typed.recorder.frames()["model"]
    )
    assert typed.datacollector is None  # runs and sweeps collect nothing they do not read
    asked = LatticeModel(LatticeScenario(spec=baseline, rng=3), collect=True)
    asked.run_for(2)
    assert len(asked.datacollector.get_model_vars_dataframe()) == 2


def test_keywords_are_checked(baseline):
    with pytest.raises(TypeError, match="did you mean 'watering'"):
        LatticeModel(scenario_file=BASELINE, rng=1, waterin=0.3)
    with pytest.raises(pydantic.ValidationError):
        LatticeModel(scenario_file=BASELINE, rng=1, watering=1.5)
    with pytest.raises(TypeError, match="needs one scenario"):
        LatticeModel(rng=1)
    with pytest.raises(TypeError, match="needs one scenario"):
        LatticeModel(scenario_file=BASELINE, spec=baseline)
    with pytest.raises(TypeError, match="not both"):
        LatticeModel(LatticeScenario(spec=baseline, rng=1), watering=0.3)
    with pytest.raises(ValueError, match="rng"):  # Mesa's own check
        LatticeModel(LatticeScenario(spec=baseline, rng=1), rng=2)


def test_until_cuts_a_keyword_run_short(baseline):
    model = LatticeModel(spec=baseline, rng=1, until="2024Q4")
    model.run()
    assert model.quarters_run == 4 and not model.running
