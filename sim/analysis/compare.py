"""Compare configurations with common random numbers and paired confidence intervals.

Every configuration runs the same replication numbers under the same root
seed, so replication *k* of each sees the same violations and reports, and
every entity they share gets the same draws (see :mod:`sim.world.streams`).
Differences are taken per replication and their mean gets a Student-t
interval: the paired design cancels the shared noise, so the interval on a
difference is much narrower than the two separate intervals suggest.

Guarantees (docs/experiments.md): each interval is a 95% interval on its
own; the significance marks control the family-wise error over all metrics
and configurations at 5% (Holm); with a precision target the number of
replications is fixed by Stein's two-stage rule on the paired difference,
so the reported interval keeps its coverage; a warning names every outcome
whose share moved, because a delay can look shorter only because fewer
incidents are measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..scenario.units import format_duration
from ..world import LoadedScenario
from .experiment import make_jobs, run_job
from .metrics import KEY_METRICS, METRIC_GROUPS, METRIC_KEYS, UNMEASURED_OUTCOMES
from .parallel import map_ordered
from .statistics import (
    holm,
    mean_ci,
    paired_difference,
    stein_interval,
    stein_replications,
    t_pvalue,
)


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

    def differences(self, c: int, metric: str) -> list[float]:
        """Per-replication ``metric`` of configuration ``c`` minus the reference's."""
        return [b - a for a, b in zip(self.values(0, metric), self.values(c, metric))]

    def significance(self) -> dict[tuple[str, int], bool]:
        """Holm-adjusted significance of every paired difference (metric, configuration),
        family-wise error 5% over all metrics and configurations."""
        tests = [(m, c) for m in METRIC_KEYS for c in range(1, len(self.names))]
        p = [t_pvalue(self.differences(c, m)) for m, c in tests]
        return dict(zip(tests, holm(p)))

    def difference_interval(self, c: int, metric: str) -> dict[str, float]:
        """The paired difference's 95% interval (Stein's two-stage interval for the
        metric that set the number of replications)."""
        n0 = self.metadata.get("first_stage")
        if n0 and metric == self.metadata.get("precision_metric"):
            return stein_interval(np.array(self.differences(c, metric)), n0)
        return paired_difference(self.values(0, metric), self.values(c, metric))

    def rows(self) -> list[dict[str, Any]]:
        """Tidy rows: one per metric and configuration, with the paired
        difference against the first configuration."""
        sig = self.significance()
        out = []
        for key, label, kind in KEY_METRICS:
            for c, name in enumerate(self.names):
                ci = mean_ci(self.values(c, key))
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
                    "diff_mean": None,
                    "diff_low": None,
                    "diff_high": None,
                    "significant": None,
                }
                if c > 0:
                    d = self.difference_interval(c, key)
                    row.update(
                        {
                            "diff_mean": d["mean"],
                            "diff_low": d["low"],
                            "diff_high": d["high"],
                            "significant": sig[(key, c)],
                        }
                    )
                out.append(row)
        return out

    def warnings(self, threshold: float = 0.01) -> list[str]:
        """Sentences naming every outcome that keeps incidents out of the delay
        measurements whose share moved by at least ``threshold`` against the
        reference (and significantly, Holm)."""
        sig = self.significance()
        return outcome_warnings(
            self.names, lambda c, m: self.values(c, m), lambda c, m: sig[(m, c)], threshold
        )

    def shift_rows(self) -> list[dict[str, Any]]:
        """Per desk and shift (shifts of the same name in every configuration):
        utilisation per officer on duty and mean wait, mean and 95% CI."""
        names = [
            {(p, s["shift"]) for p, rows in r["shifts"].items() for s in rows}
            for r in (pr[0] for pr in self.per_replication)
        ]
        common = set.intersection(*names) if names else set()
        out = []
        first = self.per_replication[0][0]["shifts"]
        for p, rows in first.items():
            for s in rows:
                if (p, s["shift"]) not in common:
                    continue
                for c, name in enumerate(self.names):
                    vals = {"utilisation": [], "mean_wait": [], "within_acknowledge": []}
                    for r in self.per_replication[c]:
                        row = next(x for x in r["shifts"][p] if x["shift"] == s["shift"])
                        for k in vals:
                            vals[k].append(row[k])
                    out.append(
                        {
                            "desk": p,
                            "shift": s["shift"],
                            "configuration": name,
                            **{f"{k}_mean": mean_ci(v)["mean"] for k, v in vals.items()},
                            **{
                                f"{k}_half_width": mean_ci(v)["half_width"] for k, v in vals.items()
                            },
                        }
                    )
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


def check_comparable(loadeds: list[LoadedScenario]) -> None:
    """Refuse configurations that do not measure the same period (horizon and warm-up).

    Raises
    ------
    CompareError
    """
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
        Run as many replications as Stein's two-stage rule says every paired
        difference of ``metric`` needs for a 95% half-width of ``precision`` ×
        |the reference's mean| (``replications`` are the first stage), at most
        ``max_replications``.
    progress : callable(done, total), optional
        Called as replications finish.
    """
    if len(loadeds) < 1:
        raise ValueError("compare needs at least one configuration")
    check_comparable(loadeds)
    if metric not in METRIC_KEYS:
        raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRIC_KEYS)}")
    seed = loadeds[0].scenario.seed if seed is None else int(seed)
    names = unique_names(loadeds)
    per: list[list[dict[str, Any]]] = [[] for _ in loadeds]
    comp = Comparison(names, seed, per)
    runner = _Runner(loadeds, seed, per, workers, dask, progress)
    runner.run(replications)
    plan = None
    if precision is not None and len(loadeds) > 1:
        plan = precision_plan(comp, metric, precision)
        total = min(max(plan["needed"], replications), max_replications)
        runner.run(total - replications)
    comp.metadata = {
        "seed": seed,
        "replications": runner.done,
        "precision": precision,
        "precision_metric": metric if plan else None,
        "first_stage": replications if plan else None,
        "precision_target": plan["half_width"] if plan else None,
        "precision_reached": (runner.done >= plan["needed"]) if plan else None,
        "configurations": [
            {"name": n, "scenario": ld.scenario.name, "file": str(ld.path) if ld.path else None}
            for n, ld in zip(names, loadeds)
        ],
    }
    return comp


def outcome_warnings(names, values, significant, threshold: float = 0.01) -> list[str]:
    """Warnings in words when an outcome that removes incidents from the delays moved.

    ``values(c, metric)`` are configuration ``c``'s per-replication values and
    ``significant(c, metric)`` whether its paired difference is significant.
    """
    labels = {k: label for k, label, _ in KEY_METRICS}
    out = []
    for c in range(1, len(names)):
        for m in UNMEASURED_OUTCOMES:
            a = mean_ci(values(0, m))["mean"]
            b = mean_ci(values(c, m))["mean"]
            if not (significant(c, m) and abs(b - a) >= threshold):
                continue
            what = labels[m].removeprefix("Incidents ").lower()
            move = "rose" if b > a else "fell"
            effect = "fewer" if b > a else "more"
            out.append(
                f"{names[c]}: incidents {what} {move} from {100 * a:.1f}% to {100 * b:.1f}% "
                f"(vs {names[0]}): its response times come from {effect} visits, so compare "
                "the outcome counts before the times."
            )
    return out


def precision_plan(comp: Comparison, metric: str, precision: float) -> dict[str, float]:
    """Replications needed (Stein's rule on the first stage) for every paired difference
    of ``metric`` to have a 95% half-width of ``precision`` × |the reference's mean|."""
    ref = mean_ci(comp.values(0, metric))["mean"]
    target = precision * abs(ref) if ref == ref and ref != 0 else float("nan")
    needed = 0
    for c in range(1, len(comp.names)):
        needed = max(needed, stein_replications(np.array(comp.differences(c, metric)), target))
    return {"half_width": target, "needed": needed}


class _Runner:
    """Runs further replications of every configuration, appending their results."""

    def __init__(self, loadeds, seed, per, workers, dask, progress):
        self.loadeds, self.seed, self.per = loadeds, seed, per
        self.workers, self.dask, self.progress = workers, dask, progress
        self.done = 0

    def run(self, more: int) -> None:
        if more <= 0:
            return
        reps = range(self.done, self.done + more)
        jobs, owner = [], []
        for c, ld in enumerate(self.loadeds):
            for job in make_jobs(ld, self.seed, reps):
                jobs.append(job)
                owner.append(c)
        before = self.done * len(self.loadeds)  # replications already run
        tick = _Ticker(before + len(jobs), self.progress, done=before)
        results = map_ordered(run_job, jobs, workers=self.workers, dask=self.dask, on_result=tick)
        for c, res in zip(owner, results):
            self.per[c].append(res)
        self.done += more


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
    """A text table: value [95% CI] per configuration, and the paired difference
    against the first configuration (``*``: significant, Holm-adjusted), grouped
    by theme; then the per-shift desk load and any warning about outcomes."""
    rows = comp.rows()
    by = {(r["metric"], r["configuration"]): r for r in rows}
    kinds = {k: kind for k, _, kind in KEY_METRICS}
    labels = {k: label for k, label, _ in KEY_METRICS}
    names = comp.names
    width = max(24, *(len(n) + 2 for n in names))
    lines = [
        f"{len(names)} configurations, {comp.replications} replications each, seed {comp.seed}, "
        "common random numbers",
        f"mean [95% CI]; Δ = paired difference vs {names[0]} [95% CI]; * = significant "
        "(Holm-adjusted over all rows, family-wise 5%)",
    ]
    head = f"{'metric':<44}" + "".join(f"{n:>{width}}" for n in names)
    head += "".join(f"{'Δ ' + n:>{width}}" for n in names[1:])
    for group, keys in METRIC_GROUPS:
        lines += ["", group, head]
        for key in keys:
            scale, unit = _scale(kinds[key], [by[(key, n)]["mean"] for n in names])
            cells = [
                _cell(by[(key, n)]["mean"], by[(key, n)]["low"], by[(key, n)]["high"], scale)
                for n in names
            ]
            diffs = []
            for n in names[1:]:
                r = by[(key, n)]
                d = _cell(r["diff_mean"], r["diff_low"], r["diff_high"], scale)
                diffs.append(d + (" *" if r["significant"] else "  "))
            lines.append(
                f"{labels[key] + ' (' + unit + ')':<44}"
                + "".join(f"{c:>{width}}" for c in cells)
                + "".join(f"{d:>{width}}" for d in diffs)
            )
    lines += _shift_lines(comp, names, width)
    warn = comp.warnings()
    if warn:
        lines += ["", "Outcome mix moved (delays above measure different incidents):"]
        lines += [f"  ! {w}" for w in warn]
    return "\n".join(lines)


def _shift_lines(comp: Comparison, names: list[str], width: int) -> list[str]:
    shifts = comp.shift_rows()
    if not shifts:
        return []
    lines = ["", "Desk load per shift: utilisation per officer on duty (%), mean wait (min)"]
    lines.append(f"{'desk and shift':<44}" + "".join(f"{n:>{width}}" for n in names))
    by = {(r["desk"], r["shift"], r["configuration"]): r for r in shifts}
    seen = []
    for r in shifts:
        if (r["desk"], r["shift"]) not in seen:
            seen.append((r["desk"], r["shift"]))
    for desk, shift in seen:
        cells = []
        for n in names:
            r = by[(desk, shift, n)]
            u, w = r["utilisation_mean"], r["mean_wait_mean"]
            cells.append(
                ("-" if u != u else f"{100 * u:.1f}%") + " / " + ("-" if w != w else f"{w:.0f}")
            )
        lines.append(f"{desk + ' ' + shift:<44}" + "".join(f"{c:>{width}}" for c in cells))
    return lines
