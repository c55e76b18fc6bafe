"""Ceasefire-monitoring coordination-center simulator.

Typical use from Python::

    import sim
    loaded = sim.load_scenario("scenarios/baseline.yaml")
    result = sim.run(loaded, seed=1, replications=3)
    result.summary["response"]["p90"]
"""

from __future__ import annotations

__version__ = "0.1.0"

from .loader import LoadedScenario, load_scenario, scenario_from_dict
from .scenario import Scenario, ScenarioError

__all__ = [
    "LoadedScenario",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "scenario_from_dict",
    "run",
    "__version__",
]


def run(scenario, seed=None, replications=None, progress=None, workers=None, dask=None):
    """Run a scenario's replications; see :func:`sim.experiment.run`."""
    from .experiment import run as _run

    return _run(
        scenario,
        seed=seed,
        replications=replications,
        progress=progress,
        workers=workers,
        dask=dask,
    )
