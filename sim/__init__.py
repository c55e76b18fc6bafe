"""Ceasefire-monitoring coordination-center simulator.

Typical use from Python::

    import sim
    loaded = sim.load_scenario("scenarios/baseline.yaml")
    result = sim.run(loaded, seed=1, replications=3)
    result.summary["delays"]["response"]["p90"]     # minutes

The package is layered (lowest first; a layer imports only those below it):
:mod:`sim.records`, :mod:`sim.scenario`, :mod:`sim.world`, :mod:`sim.engine`,
:mod:`sim.analysis`, :mod:`sim.output`, :mod:`sim.cli`. See docs/architecture.md.
"""

from __future__ import annotations

from .records.version import __version__  # noqa: E402
from .scenario import Scenario, ScenarioError  # noqa: E402
from .world import LoadedScenario, load_scenario, scenario_from_dict  # noqa: E402

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
    """Run a scenario's replications; see :func:`sim.analysis.experiment.run`."""
    from .analysis.experiment import run as run_scenario

    return run_scenario(
        scenario,
        seed=seed,
        replications=replications,
        progress=progress,
        workers=workers,
        dask=dask,
    )
