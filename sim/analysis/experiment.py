"""Run a scenario's replications and summarise them (no file I/O).

Results are sorted by replication number and every replication draws from
its own streams, so the numbers never depend on the order in which work
finishes.
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..records.version import __version__
from .. import records as R
from ..engine import Prepared, run_replication
from ..records import ReplicationResult
from ..records.recorders import ParquetRecorder
from ..world import LoadedScenario, load_scenario
from .desks import shift_stats
from .metrics import measured, outcome_counts, replication_metrics, summarise
from .parallel import map_ordered

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
            k = R.rows(t)
            parts.append({"replication": np.full(k, rep.replication, dtype=np.int64), **t})
        return R.concat(parts)

    def decoded(self, name: str) -> dict[str, list[Any]]:
        """One table of all replications with names instead of codes and a
        ``measured`` column (see :func:`sim.records.decode`)."""
        first = self.replications[0] if self.replications else None
        cal = self.scenario.calendar
        return R.decode(
            name,
            self.table(name),
            nodes=first.nodes if first else (),
            types=first.types if first else (),
            warmup=self.scenario.warmup,
            dates=cal.iso if cal is not None else None,
        )

    def records(self, name: str) -> list[dict[str, Any]]:
        """One table as a list of dicts with names instead of codes (for notebooks)."""
        cols = self.decoded(name)
        keys = list(cols)
        n = len(cols[keys[0]]) if keys else 0
        return [{k: cols[k][j] for k in keys} for j in range(n)]


@dataclass(frozen=True)
class Job:
    """One replication to run anywhere: everything it needs, nothing more.

    Attributes
    ----------
    scenario_json : str
        The resolved scenario (``Scenario.resolved()`` as JSON).
    network_json : str
        The scenario's network, already built (node-link JSON): workers never
        read network files themselves.
    base_dir : str
        Directory that relative paths in the scenario are resolved against.
    replication, seed : int
    full : bool
        Return the whole :class:`ReplicationResult` instead of a compact summary.
    parts_dir : str or None
        Write the replication's tables as it runs, to Parquet files under
        ``parts_dir/rep-<k>/`` (from the worker, so they never travel back and
        never sit whole in memory); a full result then reads them from there.
    tables_dir : str or None
        Also write the replication's finished tables, as users read them, to
        ``tables_dir/rep-<k>/`` in ``table_format`` (``parquet`` or ``csv``).
    """

    scenario_json: str
    network_json: str
    base_dir: str
    replication: int
    seed: int
    full: bool = False
    parts_dir: str | None = None
    tables_dir: str | None = None
    table_format: str = "parquet"


@functools.lru_cache(maxsize=16)
def _prepared(scenario_json: str, network_json: str, base_dir: str) -> Prepared:
    from ..scenario.schema import Scenario
    from ..world.network import from_node_link_json

    scen = Scenario.model_validate(json.loads(scenario_json))
    graph = from_node_link_json(network_json)
    loaded = LoadedScenario(scen, graph, None, Path(base_dir))
    if scen.violations.replay is not None:  # the event log, read where the worker runs
        from ..scenario.errors import SourceMap
        from ..world.loaded import read_replay

        sources = SourceMap(scen.name)
        loaded.replay, loaded.replay_minutes = read_replay(scen, graph, sources, Path(base_dir))
    return Prepared(loaded)


def parts_of(parts_dir: str | Path, replication: int) -> Path:
    """Where replication ``replication`` writes its tables under ``parts_dir``."""
    return Path(parts_dir) / f"rep-{replication:03d}"


def compact(rep: ReplicationResult, scenario) -> dict[str, Any]:
    """The per-replication key metrics and outcome counts: what experiments keep."""
    m = measured(rep, scenario.warmup)
    return {
        "replication": rep.replication,
        "metrics": replication_metrics(rep, scenario.warmup, scenario.targets),
        "counts": outcome_counts(rep, scenario.warmup),
        "shifts": shift_stats(rep, scenario.warmup, scenario.targets.acknowledge),
        "violations": int(m["violations"].sum()),
        "reports": int(m["reports"].sum()),
        "incidents": int(m["incidents"].sum()),
    }


def simulate(job: Job) -> tuple[Prepared, ReplicationResult]:
    """The job's prepared scenario (cached per process) and its replication."""
    prep = _prepared(job.scenario_json, job.network_json, job.base_dir)
    recorder = None
    if job.parts_dir is not None:
        recorder = ParquetRecorder(parts_of(job.parts_dir, job.replication))
    return prep, run_replication(prep, job.replication, job.seed, recorder=recorder)


def run_job(job: Job) -> ReplicationResult | dict[str, Any]:
    """Run one replication (in whichever process receives the job)."""
    if job.tables_dir is None:
        prep, rep = simulate(job)
        return rep if job.full else compact(rep, prep.scenario)
    import shutil

    from ..records.files import write_tables
    from ..records.storage import atomic_dir

    target = Path(job.tables_dir) / f"rep-{job.replication:03d}"
    parts = Path(job.tables_dir) / f".parts-{job.replication:03d}"
    shutil.rmtree(parts, ignore_errors=True)
    try:
        prep, rep = simulate(replace(job, parts_dir=str(parts), full=False))
        with atomic_dir(target, replace=True) as tmp:
            cal = prep.scenario.calendar
            dates = cal.iso if cal is not None else None
            write_tables(tmp, [rep], prep.scenario.warmup, job.table_format, dates)
        return compact(rep, prep.scenario)
    finally:
        shutil.rmtree(parts, ignore_errors=True)


def make_jobs(
    loaded: LoadedScenario,
    seed: int,
    replications: range | list[int],
    full: bool = False,
    parts_dir: str | Path | None = None,
    tables_dir: str | Path | None = None,
    table_format: str = "parquet",
) -> list[Job]:
    """Jobs for the given replication numbers of one scenario.

    With ``parts_dir`` each job writes its replication's tables under
    ``parts_dir/rep-<k>/`` as it runs; with ``tables_dir`` it also writes the
    finished tables, as users read them, under ``tables_dir/rep-<k>/`` (see
    :class:`Job`). Either way they are written by the worker and never travel back.
    """
    from ..world.network import to_node_link_json

    text = json.dumps(loaded.scenario.resolved(), sort_keys=True)
    network = to_node_link_json(loaded.graph)
    base = str(Path(loaded.base_dir).resolve())
    parts = None if parts_dir is None else str(Path(parts_dir).resolve())
    tables = None if tables_dir is None else str(Path(tables_dir).resolve())
    return [
        Job(text, network, base, int(k), int(seed), full, parts, tables, table_format)
        for k in replications
    ]


def run(
    scenario: LoadedScenario | str | Path,
    seed: int | None = None,
    replications: int | None = None,
    progress: ProgressFn | None = None,
    workers: int | None = None,
    dask: str | None = None,
    parts_dir: str | Path | None = None,
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
        ``progress(replication, replications, now, horizon)``: about once
        per simulated day when running in this process, once per finished
        replication otherwise.
    workers : int or None
        Worker processes (None: all cores; 1: in this process, with progress
        inside each replication).
    dask : str, optional
        ``"local"`` or a Dask scheduler address (see :mod:`sim.analysis.parallel`).
    parts_dir : str or Path, optional
        Write each replication's tables to Parquet files under this directory
        as it runs instead of keeping them in memory (memory then stays flat
        whatever the horizon); the result's tables read them from there.

    Returns
    -------
    RunResult
        Identical whatever ``workers`` and ``dask`` are.
    """
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    scen = loaded.scenario
    seed = scen.seed if seed is None else int(seed)
    n = scen.replications if replications is None else int(replications)
    if n < 1:
        raise ValueError("replications must be at least 1")
    t0 = time.perf_counter()
    serial = dask is None and (workers == 1 or n == 1)
    if serial:
        prep = Prepared(loaded)
        reps = []
        for k in range(n):
            cb = None
            if progress is not None:

                def cb(now: float, k: int = k) -> None:
                    progress(k, n, now, scen.horizon)

            recorder = None if parts_dir is None else ParquetRecorder(parts_of(parts_dir, k))
            reps.append(run_replication(prep, k, seed, cb, recorder))
    else:
        done = [0]

        def finished(_k: int, _res: Any) -> None:
            done[0] += 1
            if progress is not None:
                progress(done[0] - 1, n, scen.horizon, scen.horizon)

        reps = map_ordered(
            run_job,
            make_jobs(loaded, seed, range(n), full=True, parts_dir=parts_dir),
            workers=workers,
            dask=dask,
            on_result=finished,
        )
    summary = summarise(reps, scen)
    wall = time.perf_counter() - t0
    meta = {
        "scenario": scen.name,
        "scenario_file": str(loaded.path) if loaded.path else None,
        "seed": seed,
        "replications": n,
        "horizon_minutes": scen.horizon,
        "warmup_minutes": scen.warmup,
        "calendar": scen.calendar.describe() if scen.calendar is not None else None,
        "package": "ceasefire-sim",
        "version": __version__,
        "wall_seconds": round(wall, 3),
        "violations_all": int(sum(r.violations["time"].size for r in reps)),
        "reports_all": int(sum(r.reports["arrival"].size for r in reps)),
    }
    return RunResult(loaded, seed, reps, summary, meta)
