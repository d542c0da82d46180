"""latticesim: an agent-based model of security-policy coordination across forums.

States and institutions with alignment preferences meet in overlapping forums (NATO and
its Indo-Pacific partners, the EU, the G7, the Quad...) under decision rules; scenario
files change the world; runs are stored as tables, a chronicle and figures.

Quick use from Python::

    import latticesim
    result = latticesim.run("scenarios/us_pivot.yaml", seed=1)
    result.model.plot(x="date", y="coordination_index")
"""

from latticesim.model.agents import Actor, Adversary
from latticesim.model.forums import Forum
from latticesim.model.model import LatticeModel
from latticesim.outputs.runs import RunResult, package_version, run, simulate
from latticesim.scenario.loading import load_scenario
from latticesim.scenario.messages import ScenarioError
from latticesim.scenario.schema import LatticeScenario, ScenarioSpec

__version__ = package_version()

__all__ = [
    "Actor",
    "Adversary",
    "Forum",
    "LatticeModel",
    "LatticeScenario",
    "RunResult",
    "ScenarioError",
    "ScenarioSpec",
    "__version__",
    "load_scenario",
    "run",
    "simulate",
]
