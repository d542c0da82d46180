"""Shared fixtures: the shipped scenarios, loaded once."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from latticesim import load_scenario, simulate

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def baseline():
    return load_scenario(SCENARIOS / "baseline_2024.yaml")


@pytest.fixture(scope="session")
def pivot():
    return load_scenario(SCENARIOS / "us_pivot.yaml")


def scenario_tables(name: str, seed: int = 1, until: str | None = None) -> dict[str, pd.DataFrame]:
    """Run a shipped scenario (fresh tables each call, so a test may change them)."""
    spec = load_scenario(SCENARIOS / f"{name}.yaml")
    return simulate(spec, seed, until=until).recorder.frames()


def every_item_blocked(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The same run as if France had blocked every text on every agenda."""
    items = tables["items"].copy()
    items["adopted"] = False
    items["strength"] = np.nan
    items["blockers"] = [["France"]] * len(items)
    return {**tables, "items": items}
