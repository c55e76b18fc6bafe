"""Rows estimated from independent replications of a validation scenario.

Each :class:`Row` names a scenario file with overrides, its own root seed,
the number of replications and the measured days of each; every replication
of every row is one job, so all rows run together on the workers. A
replication gives one value of the row's statistic (a mean over its
customers); the row's standard error is the spread of those values across
its independent replications (Student t with R − 1 degrees of freedom).
Replications are long (thousands of customers each, after a warm-up of
several relaxation times), so each value is close to normal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ... import records as R
from ...world import load_scenario
from ..desks import desk_stats
from ..experiment import Job, make_jobs, simulate
from ..parallel import map_ordered
from .checks import VALIDATION, Check, from_reps

_UA = R.PARTIES.index("UA")
_NO_TEAM = R.INCIDENT_REASONS.index("no_team_in_time")


@dataclass(frozen=True)
class Row:
    """A row estimated by replications of ``file`` with ``overrides``.

    ``statistic`` is a key of :func:`replication_statistics`; ``per_day`` is the
    arrival rate of the customers the statistic is over (for the size shown).
    """

    group: str
    case: str
    file: str
    overrides: dict[str, Any]
    seed: int
    reps: int
    days: float
    warmup_days: float
    statistic: str
    analytic: float
    unit: str
    per_day: float
    kind: str = "two-sided"
    wait: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def scenario_overrides(self) -> dict[str, Any]:
        return {
            **self.overrides,
            "seed": self.seed,
            "warmup": f"{self.warmup_days:g}d",
            "horizon": f"{self.warmup_days + self.days:g}d",
            "output": {"sample_interval": "1d"},
        }

    def size(self) -> str:
        each = self.per_day * self.days
        return f"{self.reps} × {each:,.0f}"


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if x.size else float("nan")


def replication_statistics(job: Job) -> dict[str, float]:
    """Every statistic a validation row may ask of one replication (run in a worker).

    Desk statistics are of the UA desk, over reports arriving after the warm-up:
    ``mean_wait`` and ``p_wait`` over reports taken in, ``mean_queue`` the time
    average, ``expired`` the share that expired and ``time_in_queue`` the mean
    time in queue of all (expired ones until they expired). ``wait_sev<k>``: the
    mean wait of severity-``k`` reports. Over incidents whose first report came
    after the warm-up: ``joint_wait`` the mean wait for the joint assessment
    (first report to finding, less the assessment itself), ``team_abandon`` the
    share closed unvisited after ``give_up_after``, ``team_wait`` the mean wait
    for a team (until dispatch, or until given up) and ``team_p_wait`` the share
    that waited at all.
    """
    prep, rep = simulate(job)
    warm = prep.scenario.warmup
    horizon = prep.scenario.horizon
    d = desk_stats(rep, warm)["UA"]
    r, i = rep.reports, rep.incidents
    mine = (r["arrival"] >= warm) & (r["desk"] == _UA)
    wait = (r["ack"] - r["arrival"])[mine]
    sev = r["severity"][mine]
    out = {
        "mean_wait": d["mean_wait"],
        "p_wait": d["p_wait"],
        "mean_queue": d["mean_queue"],
        "time_in_queue": d["mean_time_in_queue"],
        "expired": _mean((r["state"][mine] == R.REPORT_STATES.index("expired")).astype(float)),
    }
    for s in np.unique(sev):
        out[f"wait_sev{int(s)}"] = _mean(wait[(sev == s) & np.isfinite(wait)])
    inc = i["first_report"] >= warm
    found = inc & np.isfinite(i["finding"])
    out["joint_wait"] = _mean((i["finding"] - i["first_report"] - i["assessment_time"])[found])
    asked = inc & (i["created"] < horizon)
    stop = np.where(np.isfinite(i["dispatch"]), i["dispatch"], i["unserved"])
    stop = np.where(np.isfinite(stop), stop, horizon)[asked]
    team_wait = stop - i["created"][asked]
    out["team_abandon"] = _mean((i["reason"][asked] == _NO_TEAM).astype(float))
    out["team_wait"] = _mean(team_wait)
    out["team_p_wait"] = _mean((team_wait > 0).astype(float))
    return out


def run_rows(
    rows: list[Row],
    workers: int | None = None,
    statistics: Callable[[Job], dict[str, float]] = replication_statistics,
) -> list[Check]:
    """Every replication of every row on the workers; one :class:`Check` per row."""
    jobs: list[Job] = []
    owner: list[int] = []
    for k, row in enumerate(rows):
        loaded = load_scenario(VALIDATION / row.file, overrides=row.scenario_overrides())
        for job in make_jobs(loaded, row.seed, range(row.reps)):
            jobs.append(job)
            owner.append(k)
    # longest jobs first, so the workers finish together
    order = sorted(range(len(jobs)), key=lambda j: -rows[owner[j]].per_day * rows[owner[j]].days)
    done = map_ordered(statistics, [jobs[j] for j in order], workers=workers)
    values: list[list[float]] = [[] for _ in rows]
    for j, res in zip(order, done):
        values[owner[j]].append(res[rows[owner[j]].statistic])
    return [
        from_reps(
            row.group,
            row.case,
            row.analytic,
            values[k],
            row.unit,
            seed=row.seed,
            size=row.size(),
            wait=row.wait,
            kind=row.kind,
        )
        for k, row in enumerate(rows)
    ]


def days_for(customers: float, per_day: float) -> float:
    """Measured days that hold about ``customers`` arrivals at ``per_day``."""
    return math.ceil(customers / per_day)
