"""The engine layer: the SimPy model of the center and the teams.

- :mod:`~sim.engine.monitor`: exact time integrals (:class:`Level`);
- :mod:`~sim.engine.shifts`: shift changes that beat ordinary work;
- :mod:`~sim.engine.center`: desks, triage and the joint assessment
  (what a desk officer does);
- :mod:`~sim.engine.teams`: dispatch, patrol hours and missions (what a team does);
- :mod:`~sim.engine.incidents`: incidents, merging and their table;
- :mod:`~sim.engine.blocks`: finished rows in blocks, handed to a recorder;
- :mod:`~sim.engine.prepared`: the prepared scenario, keyed draws, table schemas;
- :mod:`~sim.engine.replication`: one replication, from drawn world to records.

May import: :mod:`sim.records`, :mod:`sim.scenario`, :mod:`sim.world`. The
only layer that imports SimPy; nothing here does I/O.
"""

from __future__ import annotations

from .replication import Prepared, run_replication

__all__ = ["Prepared", "run_replication"]
