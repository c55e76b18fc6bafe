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

from .records.version import __version__

_LAZY = {
    "Scenario": "scenario",
    "ScenarioError": "scenario",
    "LoadedScenario": "world",
    "load_scenario": "world",
    "scenario_from_dict": "world",
}


def __getattr__(name: str):
    # Loaded on first use, so ``import sim.<anything>`` stays cheap (cfsim start-up).
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
