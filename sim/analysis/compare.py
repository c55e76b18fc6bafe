"""Compare configurations with common random numbers and paired confidence intervals.

Every configuration runs the same replication numbers under the same root
seed, so replication *k* of each sees the same violations and reports (their
streams do not depend on staffing or teams). Differences are taken per
replication and their mean gets a Student-t interval: the paired design
cancels the shared noise, so the interval on a difference is much narrower
than the two separate intervals suggest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from ..scenario.units import format_duration
from ..world import LoadedScenario
from .experiment import make_jobs, run_job
from .metrics import KEY_METRICS, METRIC_KEYS
from .parallel import map_ordered
from .statistics import mean_ci, paired_difference


class CompareError(ValueError):
    """Configurations that cannot be compared with each other."""


@dataclass
class Comparison:
    """Per-replication metrics of several configurations and their comparison.

    Attributes
    ----------
    names : list of str
        Configuration names (scenario names, made unique).
    seed : int
    per_replication : list of list of dict
        ``per_replication[c][k]`` is the compact result of replication ``k``
        of configuration ``c``.
    """

    names: list[str]
    seed: int
    per_replication: list[list[dict[str, Any]]]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def replications(self) -> int:
        return len(self.per_replication[0]) if self.per_replication else 0

    def values(self, c: int, metric: str) -> list[float]:
        return [r["metrics"][metric] for r in self.per_replication[c]]

    def rows(self) -> list[dict[str, Any]]:
        """Tidy rows: one per metric and configuration, with the paired
        difference against the first configuration."""
        out = []
        for key, label, kind in KEY_METRICS:
            base = self.values(0, key)
            for c, name in enumerate(self.names):
                vals = self.values(c, key)
                ci = mean_ci(vals)
                row = {
                    "metric": key,
                    "label": label,
                    "unit": "minutes" if kind == "time" else "fraction",
                    "configuration": name,
                    "mean": ci["mean"],
                    "low": ci["low"],
                    "high": ci["high"],
                    "half_width": ci["half_width"],
                    "n": ci["n"],
                }
                if c == 0:
                    row.update(
                        {
                            "diff_mean": None,
                            "diff_low": None,
                            "diff_high": None,
                            "significant": None,
                        }
                    )
                else:
                    d = paired_difference(base, vals)
                    row.update(
                        {
                            "diff_mean": d["mean"],
                            "diff_low": d["low"],
                            "diff_high": d["high"],
                            "significant": d["significant"],
                        }
                    )
                out.append(row)
        return out

    def relative_half_width(self, metric: str) -> list[float]:
        """CI half-width / |mean| of ``metric`` for every configuration."""
        out = []
        for c in range(len(self.names)):
            ci = mean_ci(self.values(c, metric))
            m, h = ci["mean"], ci["half_width"]
            out.append(h / abs(m) if m == m and h == h and m != 0 else math.inf)
        return out


class _Ticker:
    """Counts finished jobs for a progress callback."""

    def __init__(self, total: int, progress: Callable[[int, int], None] | None, done: int = 0):
        self.total, self.done, self.progress = total, done, progress

    def __call__(self, _k: int, _result: Any) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)


def unique_names(loadeds: list[LoadedScenario]) -> list[str]:
    names: list[str] = []
    for ld in loadeds:
        base = ld.scenario.name
        name, k = base, 2
        while name in names:
            name, k = f"{base}-{k}", k + 1
        names.append(name)
    return names


def compare(
    loadeds: list[LoadedScenario],
    *,
    replications: int = 10,
    seed: int | None = None,
    workers: int | None = None,
    dask: str | None = None,
    precision: float | None = None,
    metric: str = "response_mean",
    max_replications: int = 200,
    progress: Callable[[int, int], None] | None = None,
) -> Comparison:
    """Run every configuration over the same replications and compare them.

    Parameters
    ----------
    loadeds : list of LoadedScenario
        Two or more configurations; the first is the reference.
    replications : int
        Replications per configuration (the first batch when ``precision``).
    seed : int, optional
        Root seed shared by all configurations (default: the first one's).
    workers, dask
        Execution (see :func:`sim.parallel.map_ordered`).
    precision : float, optional
        Keep adding replications until the 95% CI half-width of ``metric``
        is below ``precision`` × |mean| for every configuration, or
        ``max_replications`` is reached.
    progress : callable(done, total), optional
        Called as replications finish.
    """
    if len(loadeds) < 1:
        raise ValueError("compare needs at least one configuration")
    ref = loadeds[0].scenario
    for ld in loadeds[1:]:
        s = ld.scenario
        if (s.horizon, s.warmup) != (ref.horizon, ref.warmup):
            raise CompareError(
                f"{ld.path or s.name} has horizon {format_duration(s.horizon)} and warm-up "
                f"{format_duration(s.warmup)}, but {loadeds[0].path or ref.name} has "
                f"{format_duration(ref.horizon)} and {format_duration(ref.warmup)}; "
                "configurations compared must measure the same period"
            )
    if metric not in METRIC_KEYS:
        raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRIC_KEYS)}")
    seed = loadeds[0].scenario.seed if seed is None else int(seed)
    names = unique_names(loadeds)
    per: list[list[dict[str, Any]]] = [[] for _ in loadeds]
    n_done = 0
    batch = replications
    comp = Comparison(names, seed, per)
    while True:
        reps = range(n_done, n_done + batch)
        jobs, owner = [], []
        for c, ld in enumerate(loadeds):
            for job in make_jobs(ld, seed, reps):
                jobs.append(job)
                owner.append(c)
        before = n_done * len(loadeds)  # replications already run in earlier batches
        tick = _Ticker(before + len(jobs), progress, done=before)
        results = map_ordered(run_job, jobs, workers=workers, dask=dask, on_result=tick)
        for c, res in zip(owner, results):
            per[c].append(res)
        n_done += batch
        if precision is None:
            break
        worst = max(comp.relative_half_width(metric))
        if worst <= precision or n_done >= max_replications:
            break
        # Enough for the worst configuration if the half-width shrinks as 1/sqrt(n).
        need = math.ceil(n_done * (worst / precision) ** 2) if math.isfinite(worst) else 2 * n_done
        batch = int(min(max(need - n_done, 2), max_replications - n_done))
    comp.metadata = {
        "seed": seed,
        "replications": n_done,
        "precision": precision,
        "precision_metric": metric if precision is not None else None,
        "precision_reached": (max(comp.relative_half_width(metric)) <= precision)
        if precision is not None
        else None,
        "configurations": [
            {"name": n, "scenario": ld.scenario.name, "file": str(ld.path) if ld.path else None}
            for n, ld in zip(names, loadeds)
        ],
    }
    return comp


def _cell(mean: float, low: float, high: float, scale: float) -> str:
    """``mean [low, high]`` times ``scale``, one decimal, without a "-0.0"."""
    if mean is None or mean != mean:
        return "-"

    def f(x: float) -> str:
        return f"{x * scale + 0.0:.1f}".replace("-0.0", "0.0")

    s = f(mean)
    if low == low and high == high:
        s += f" [{f(low)}, {f(high)}]"
    return s


def _scale(kind: str, means: list[float]) -> tuple[float, str]:
    """Display scale and unit of a metric row: shares in %, times in min or h."""
    if kind != "time":
        return 100.0, "%"
    finite = [abs(m) for m in means if m == m]
    return (1.0, "min") if finite and max(finite) < 120 else (1 / 60.0, "h")


def format_comparison(comp: Comparison) -> str:
    """A text table: value [95% CI] per configuration, and the paired
    difference against the first configuration (``*`` marks significance)."""
    rows = comp.rows()
    by = {(r["metric"], r["configuration"]): r for r in rows}
    names = comp.names
    width = max(24, *(len(n) + 2 for n in names))
    lines = [
        f"{len(names)} configurations, {comp.replications} replications each, seed {comp.seed}, "
        "common random numbers",
        f"mean [95% CI]; Δ = paired difference vs {names[0]} [95% CI]; * = significant at 5%",
        "",
    ]
    head = f"{'metric':<34}" + "".join(f"{n:>{width}}" for n in names)
    head += "".join(f"{'Δ ' + n:>{width}}" for n in names[1:])
    lines.append(head)
    for key, label, kind in KEY_METRICS:
        scale, unit = _scale(kind, [by[(key, n)]["mean"] for n in names])
        cells = []
        for n in names:
            r = by[(key, n)]
            cells.append(_cell(r["mean"], r["low"], r["high"], scale))
        diffs = []
        for n in names[1:]:
            r = by[(key, n)]
            d = _cell(r["diff_mean"], r["diff_low"], r["diff_high"], scale)
            diffs.append(d + (" *" if r["significant"] else "  "))
        lines.append(
            f"{label + ' (' + unit + ')':<34}"
            + "".join(f"{c:>{width}}" for c in cells)
            + "".join(f"{d:>{width}}" for d in diffs)
        )
    return "\n".join(lines)
