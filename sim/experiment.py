"""Run a scenario's replications and summarise them (no file I/O).

Results are sorted by replication number and every replication draws from
its own streams, so the numbers never depend on the order in which work
finishes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from . import __version__
from . import records as R
from .metrics import summarise
from .model import Prepared, run_replication
from .records import ReplicationResult
from .scenario import LoadedScenario, load_scenario

ProgressFn = Callable[[int, int, float, float], None]
"""``progress(replication, replications, now, horizon)``."""


@dataclass
class RunResult:
    """The result of running a scenario: replications, summary and provenance.

    Attributes
    ----------
    loaded : LoadedScenario
    seed : int
    replications : list of ReplicationResult
        Sorted by replication number.
    summary : dict
        From :func:`sim.metrics.summarise`.
    metadata : dict
        Seed, package version, replications, wall time.
    """

    loaded: LoadedScenario
    seed: int
    replications: list[ReplicationResult]
    summary: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def scenario(self):
        return self.loaded.scenario

    def table(self, name: str) -> dict[str, np.ndarray]:
        """One table (``violations``, ``reports``, ``incidents``, ``series``) of all
        replications, with a ``replication`` column first.
        """
        parts = []
        for rep in self.replications:
            t = getattr(rep, name)
            k = next(iter(t.values())).size if t else 0
            parts.append({"replication": np.full(k, rep.replication, dtype=np.int64), **t})
        return R.concat(parts)

    def records(self, name: str) -> list[dict[str, Any]]:
        """One table as a list of dicts with names instead of codes (for notebooks)."""
        from .io import decoded

        cols = decoded(self, name)
        keys = list(cols)
        n = len(cols[keys[0]]) if keys else 0
        return [{k: cols[k][j] for k in keys} for j in range(n)]


def run(
    scenario: LoadedScenario | str | Path,
    seed: int | None = None,
    replications: int | None = None,
    progress: ProgressFn | None = None,
) -> RunResult:
    """Run every replication of a scenario and summarise.

    Parameters
    ----------
    scenario : LoadedScenario or path
    seed : int, optional
        Root seed; defaults to the scenario's ``seed``.
    replications : int, optional
        Defaults to the scenario's ``replications``.
    progress : callable, optional
        ``progress(replication, replications, now, horizon)`` about once per
        simulated day.

    Returns
    -------
    RunResult
    """
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    scen = loaded.scenario
    seed = scen.seed if seed is None else int(seed)
    n = scen.replications if replications is None else int(replications)
    if n < 1:
        raise ValueError("replications must be at least 1")
    t0 = time.perf_counter()
    prep = Prepared(loaded)
    reps = []
    for k in range(n):
        cb = None
        if progress is not None:
            def cb(now: float, k: int = k) -> None:
                progress(k, n, now, scen.horizon)
        reps.append(run_replication(prep, k, seed, cb))
    summary = summarise(reps, scen)
    wall = time.perf_counter() - t0
    meta = {
        "scenario": scen.name,
        "scenario_file": str(loaded.path) if loaded.path else None,
        "seed": seed,
        "replications": n,
        "horizon_minutes": scen.horizon,
        "warmup_minutes": scen.warmup,
        "package": "ceasefire-sim",
        "version": __version__,
        "wall_seconds": round(wall, 3),
        "reports": int(sum(r.reports["arrival"].size for r in reps)),
        "violations": int(sum(r.violations["time"].size for r in reps)),
    }
    return RunResult(loaded, seed, reps, summary, meta)
