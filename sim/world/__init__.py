"""The world layer: the line of contact and the ground truth drawn on it.

- :mod:`~sim.world.network`: the line-of-contact graph (built in, synthetic,
  GraphML, node-link JSON, GeoJSON) and road distances;
- :mod:`~sim.world.loaded`: a scenario with its network, and the checks that
  need the graph (:func:`load_scenario`);
- :mod:`~sim.world.streams`: named random streams from one root seed;
- :mod:`~sim.world.violations`: ground-truth violations;
- :mod:`~sim.world.reporting`: the reports channels make of them.

May import: :mod:`sim.records`, :mod:`sim.scenario`. Never the engine or
anything above it: nothing here knows about desks, teams or SimPy.
"""

from __future__ import annotations

from .loaded import LoadedScenario, load_scenario, scenario_from_dict

__all__ = ["LoadedScenario", "load_scenario", "scenario_from_dict"]
