"""Shared fixtures: the shipped scenarios, loaded once."""

from pathlib import Path

import pytest

from latticesim import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def baseline():
    return load_scenario(SCENARIOS / "baseline_2024.yaml")


@pytest.fixture(scope="session")
def pivot():
    return load_scenario(SCENARIOS / "us_pivot.yaml")
