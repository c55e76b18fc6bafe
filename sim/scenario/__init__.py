"""The description layer: what a scenario file may say, read and validated.

- :mod:`~sim.scenario.units`: durations and clock times at the YAML boundary;
- :mod:`~sim.scenario.distributions`: random durations that know their moments;
- :mod:`~sim.scenario.schema`: the frozen pydantic schema (:class:`Scenario`);
- :mod:`~sim.scenario.errors`: :class:`ScenarioError` and readable messages;
- :mod:`~sim.scenario.yamlfile`: one YAML file with the line of every key;
- :mod:`~sim.scenario.loader`: ``extends`` chains and validation;
- :mod:`~sim.scenario.docgen`: ``docs/scenarios.md`` from the schema.

May import: :mod:`sim.records`. Never the world, the engine or anything above:
a scenario is inert data. Loading a scenario *with its network* is
:func:`sim.world.load_scenario`.
"""

from __future__ import annotations

from .errors import ScenarioError, SourceMap
from .loader import read_scenario
from .schema import Scenario

__all__ = ["Scenario", "ScenarioError", "SourceMap", "read_scenario"]
