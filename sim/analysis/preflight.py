"""Every check made before anything runs, in one place: ``cfsim validate`` and the
commands that run (``run``, ``compare``, ``sweep``, ``optimize``) call the same
functions, so a file that validates does not fail once it runs.

A scenario file is read, merged and validated against the schema and its
network (:func:`sim.world.load_scenario`); a sweep or optimize file is read
and every point it makes is validated (:func:`sim.analysis.sweepfile.expand`),
with the optimize targets (:func:`sim.analysis.optimize.constraint_limits`).
Then the run is projected (:mod:`sim.analysis.projection`): refused when it
would need more memory than the limit, warned about when a queue cannot keep
up. Warnings (:attr:`Plan.warnings`) are allowed but probably not meant; the
CLI prints them before running.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..scenario.errors import ScenarioError
from ..scenario.yamlfile import YamlDoc
from ..world import LoadedScenario, load_scenario
from .parallel import default_workers
from .projection import default_max_memory, load_warnings, memory_refusal, project
from .sweepfile import OptimizeSpec, Point, SweepSpec, expand, load_sweep


@dataclass
class Plan:
    """A checked file, ready to run.

    Attributes
    ----------
    kind : str
        ``scenario``, ``sweep`` or ``optimize``.
    path : Path
    loaded : LoadedScenario or None
        The scenario (a scenario file).
    spec : SweepSpec or None
        The sweep or optimize file.
    points : list of Point
        Its points, each a validated scenario.
    limits : dict or None
        The optimize targets in model units.
    warnings : list of str
        Each naming the file and the key.
    peak_bytes : float
        The projected peak memory.
    """

    kind: str
    path: Path
    loaded: LoadedScenario | None = None
    spec: SweepSpec | None = None
    points: list[Point] = field(default_factory=list)
    limits: dict[str, tuple[str, float]] | None = None
    warnings: list[str] = field(default_factory=list)
    peak_bytes: float = 0.0


def file_kind(path: str | Path) -> str:
    """``scenario``, ``sweep`` or ``optimize``: what a YAML file holds (it is read
    safely; a file that cannot be read raises its :class:`ScenarioError`)."""
    doc = YamlDoc(Path(path))
    if "base" in doc.data:
        return "optimize" if "constraints" in doc.data else "sweep"
    return "scenario"


def check_loaded(
    loaded: LoadedScenario,
    *,
    replications: int | None = None,
    workers: int | None = None,
    max_memory: float | None = None,
    tables: bool = True,
    streamed: bool = True,
    what: str = "the run",
) -> tuple[list[str], float]:
    """The projection checks of a loaded scenario: its warnings and peak memory.

    Raises
    ------
    ScenarioError
        When the run would need more than ``max_memory`` bytes (default: half
        of this machine's memory).
    """
    n = loaded.scenario.replications if replications is None else replications
    w = default_workers() if workers is None else workers
    limit = default_max_memory() if max_memory is None else max_memory
    proj = project(loaded)
    refusal = memory_refusal(
        loaded,
        proj,
        replications=n,
        workers=w,
        limit=limit,
        tables=tables,
        streamed=streamed,
        what=what,
    )
    if refusal is not None:
        raise refusal
    return loaded.warnings + load_warnings(loaded), proj.peak_bytes(n, w, tables, streamed)


def plan_scenario(
    path: str | Path,
    *,
    replications: int | None = None,
    workers: int | None = None,
    max_memory: float | None = None,
    tables: bool = True,
    streamed: bool = True,
) -> Plan:
    """Read and check a scenario file as ``cfsim run`` would run it.

    Parameters
    ----------
    replications, workers : int, optional
        As the run will use them (default: the scenario's, every core).
    max_memory : float, optional
        Bytes (default: half of this machine's memory).
    tables : bool
        Whether every replication's tables are written (``run``).
    streamed : bool
        Whether they go to disk as they fill (not with ``--dask``: then they come
        back to this process whole).
    """
    loaded = load_scenario(path)
    warnings, peak = check_loaded(
        loaded,
        replications=replications,
        workers=workers,
        max_memory=max_memory,
        tables=tables,
        streamed=streamed,
    )
    return Plan("scenario", Path(path), loaded=loaded, warnings=warnings, peak_bytes=peak)


def plan_sweep(
    path: str | Path,
    kind: str = "sweep",
    *,
    workers: int | None = None,
    max_memory: float | None = None,
    tables: bool = False,
) -> Plan:
    """Read and check a sweep or optimize file and every point it makes.

    ``tables``: each worker also writes its replications' tables (``sweep --tables``).
    """
    spec, path = load_sweep(path, OptimizeSpec if kind == "optimize" else SweepSpec)
    from .optimize import constraint_limits  # it needs the engine; a scenario does not

    limits = constraint_limits(spec, path) if kind == "optimize" else None
    points = expand(spec, path)
    grouped: dict[str, list[int]] = {}
    peak = 0.0
    for p in points:
        try:
            found, need = check_loaded(
                p.loaded,
                replications=spec.replications,
                workers=workers,
                max_memory=max_memory,
                tables=tables,
                what=f"point {p.index} ({p.label})",
            )
        except ScenarioError as exc:
            raise ScenarioError(str(path), exc.path, exc.message) from None
        peak = max(peak, need)
        for w in found:
            grouped.setdefault(_without_source(w), []).append(p.index)
    warnings = [f"{path}: {_points(ks, len(points))}: {w}" for w, ks in grouped.items()]
    return Plan(
        kind, path, spec=spec, points=points, limits=limits, warnings=warnings, peak_bytes=peak
    )


def plan_file(
    path: str | Path, *, workers: int | None = None, max_memory: float | None = None
) -> Plan:
    """Check any file ``cfsim validate`` accepts, as the command that runs it would."""
    kind = file_kind(path)
    if kind == "scenario":
        return plan_scenario(path, workers=workers, max_memory=max_memory)
    return plan_sweep(path, kind, workers=workers, max_memory=max_memory)


_SOURCE = re.compile(r"^.*?(?:<dict>|point \d+)(?::\d+)?: ")


def _without_source(warning: str) -> str:
    """A point's warning without the point's own (generated) source."""
    return _SOURCE.sub("", warning, count=1)


def _points(indices: list[int], total: int) -> str:
    """``every point``, ``point 3`` or ``points 0, 1, 5``."""
    if len(indices) == total and total > 1:
        return "every point"
    shown = ", ".join(str(k) for k in indices[:12]) + (" ..." if len(indices) > 12 else "")
    return f"point{'s' if len(indices) > 1 else ''} {shown}"


def describe(plan: Plan) -> dict[str, Any]:
    """What a checked file holds, for ``cfsim validate``."""
    if plan.loaded is not None:
        s = plan.loaded.scenario
        return {
            "name": s.name,
            "nodes": plan.loaded.graph.number_of_nodes(),
            "teams": s.teams.total,
            "horizon_days": s.horizon / 1440,
        }
    return {"name": plan.spec.name, "points": len(plan.points)}
