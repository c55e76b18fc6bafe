"""The desks against queueing theory: Erlang C, M/M/1, M/D/1, Cobham, Little's law."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ... import records as R
from ...world import load_scenario
from ..experiment import Job, make_jobs, simulate
from ..metrics import desk_stats
from ..parallel import map_ordered
from ..statistics import mean_ci, t_quantile
from ..theory import cobham_waits, erlang_c, mmc_wait, pk_wait
from .checks import ROOT, TOLERANCE_SE, VALIDATION, Check, at_most, from_reps


def _queue_stats(job: Job) -> dict[str, Any]:
    """Per-replication queue statistics of the UA desk (run in a worker)."""
    prep, rep = simulate(job)
    warm = prep.scenario.warmup
    d = desk_stats(rep, warm)["UA"]
    r = rep.reports
    m = (r["arrival"] >= warm) & np.isfinite(r["ack"]) & (r["desk"] == R.PARTIES.index("UA"))
    wait = (r["ack"] - r["arrival"])[m]
    by_sev = {
        int(s): float(wait[r["severity"][m] == s].mean()) for s in np.unique(r["severity"][m])
    }
    return {
        "mean_wait": d["mean_wait"],
        "p_wait": d["p_wait"],
        "mean_queue": d["mean_queue"],
        "by_severity": by_sev,
    }


def _run_queue(path: Path, overrides: dict[str, Any], reps: int, workers) -> list[dict]:
    loaded = load_scenario(path, overrides=overrides)
    jobs = make_jobs(loaded, loaded.scenario.seed, range(reps))
    return map_ordered(_queue_stats, jobs, workers=workers)


# long: one table of cases (file, overrides, rows), read top to bottom
def queue_cases() -> list[tuple[str, dict[str, Any], list[tuple[str, str, float, Any, str]]]]:
    """The queueing cases: (scenario file, overrides, [(group, case, analytic value,
    statistic, unit), ...])."""
    mu = 1 / 20.0  # per minute: 20-minute triage
    erlang, single, cobham = "M/M/c (Erlang C)", "M/M/1, M/D/1", "Priority M/M/c (Cobham)"
    # (scenario file, overrides, [(group, case, analytic value, statistic, unit), ...])
    runs: list[tuple[str, dict[str, Any], list[tuple[str, str, float, Any, str]]]] = []
    for c, rho in [(1, 0.5), (2, 0.8), (3, 0.9), (5, 0.95)]:
        lam = rho * c * mu
        over = {
            "violations": {"rate_per_day": lam * 1440},
            "center": {"desks": {"UA": {"officers": c}}},
            "horizon": "200d" if rho >= 0.95 else "120d",
        }
        tag = f"M/M/{c}, ρ = {rho}"
        runs.append(
            (
                "mmc.yaml",
                over,
                [
                    (
                        erlang,
                        f"{tag}: mean wait in queue",
                        mmc_wait(c, lam, mu),
                        "mean_wait",
                        "min",
                    ),
                    (
                        erlang,
                        f"{tag}: probability of waiting",
                        erlang_c(c, lam / mu),
                        "p_wait",
                        "%",
                    ),
                ],
            )
        )
    lam3, lam1, lam2 = 0.8 * 3 * mu, 0.8 * mu, 0.8 * 2 * mu
    shifts = "M/M/3, ρ = 0.8, three shifts of 3"
    w_hi, w_lo = cobham_waits(2, [0.3 * lam2, 0.7 * lam2], mu)
    runs += [
        (
            "mmc_shifts.yaml",
            {},
            [
                (
                    erlang,
                    f"{shifts}: mean wait ≤ Erlang C",
                    mmc_wait(3, lam3, mu),
                    "mean_wait",
                    "min",
                ),
                (erlang, f"{shifts}: P(wait) ≤ Erlang C", erlang_c(3, lam3 / mu), "p_wait", "%"),
            ],
        ),
        (
            "mm1.yaml",
            {},
            [
                (
                    single,
                    "M/M/1, ρ = 0.8: mean wait in queue",
                    mmc_wait(1, lam1, mu),
                    "mean_wait",
                    "min",
                ),
                (single, "M/M/1, ρ = 0.8: mean queue length", 0.8**2 / 0.2, "mean_queue", ""),
            ],
        ),
        (
            "md1.yaml",
            {},
            [
                (
                    single,
                    "M/D/1, ρ = 0.8: mean wait in queue (P-K)",
                    pk_wait(lam1, 20.0, 0.0),
                    "mean_wait",
                    "min",
                ),
            ],
        ),
        (
            "priority.yaml",
            {},
            [
                (
                    cobham,
                    "M/M/2, ρ = 0.8: severe class (30 %) wait",
                    w_hi,
                    lambda x: x["by_severity"][3],
                    "min",
                ),
                (
                    cobham,
                    "M/M/2, ρ = 0.8: routine class (70 %) wait",
                    w_lo,
                    lambda x: x["by_severity"][1],
                    "min",
                ),
            ],
        ),
    ]
    return runs


def queueing_checks(workers: int | None = None, reps: int = 10) -> list[Check]:
    """M/M/c, M/M/1, M/D/1, shift-plan M/M/c and two-class priority checks."""
    runs = queue_cases()
    out: list[Check] = []
    for file, over, rows in runs:
        res = _run_queue(VALIDATION / file, over, reps, workers)
        for group, case, analytic, stat, unit in rows:
            get = stat if callable(stat) else (lambda x, k=stat: x[k])
            judge = at_most if "≤" in case else from_reps
            out.append(judge(group, case, analytic, [get(x) for x in res], unit))
    return out


def _little_job(job: Job) -> dict[str, Any]:
    prep, rep = simulate(job)
    return desk_stats(rep, prep.scenario.warmup)


def littles_law_checks(workers: int | None = None, reps: int = 5) -> list[Check]:
    """Little's law per desk on the full baseline: L = λ W.

    L is the time-average queue length; λ W is arrivals per minute times the
    mean time in queue (expired reports until they expired, reports still
    waiting until the horizon). Reports queued across the warm-up boundary or
    at the horizon make the two differ by boundary terms of order 1/T; the
    check is on their paired difference.
    """
    loaded = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    res = map_ordered(
        _little_job, make_jobs(loaded, loaded.scenario.seed, range(reps)), workers=workers
    )
    out = []
    for p in R.PARTIES:
        lam_w = [x[p]["reports_per_minute"] * x[p]["mean_time_in_queue"] for x in res]
        big_l = [x[p]["mean_queue"] for x in res]
        diff = mean_ci([a - b for a, b in zip(big_l, lam_w)])
        se = diff["half_width"] / t_quantile(0.975, diff["n"] - 1)
        ci = mean_ci(big_l)
        passed = bool(abs(diff["mean"]) <= TOLERANCE_SE * se + 0.01 * abs(ci["mean"]))
        out.append(
            Check(
                "Little's law (baseline)",
                f"{p} desk: L (time average) vs λ·W",
                float(np.mean(lam_w)),
                ci["mean"],
                ci["low"],
                ci["high"],
                "",
                passed,
                "paired, 1 % boundary allowance",
            )
        )
    return out
