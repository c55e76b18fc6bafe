"""The staffing search: the least staff that meets service targets.

``optimize`` searches a sweep grid for the least total staff (desk officer
positions and team members, with costs) that meets service targets,
evaluating points in order of cost. A point meets the targets when every
constraint's one-sided confidence bound is inside its limit, each at level
``1 - 0.05 / k`` for ``k`` constraints (Bonferroni), so that all hold together
with 95% confidence. Because the cheapest point that passes is the one whose
replications happened to look best (the winner's curse), it is run again on
fresh, independent replications and reported only if it passes again; if
not, the next cheapest point that passed is confirmed in its place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ..records.version import __version__
from ..records.storage import atomic_write, provenance
from ..scenario.errors import ScenarioError
from ..scenario.units import parse_duration
from ..world import LoadedScenario
from .metrics import METRIC_KEYS, TIME_METRICS, UNMEASURED_OUTCOMES
from .statistics import mean_ci, one_sided_bound
from .sweep import (
    Store,
    claimed,
    flat,
    point_warnings,
    run_points,
    spec_as_run,
    sweep_seed,
    write_table,
)
from .sweepfile import OptimizeSpec, Point, expand
from .sweepmetrics import check_metrics, unconstrained

# --------------------------------------------------------------------------- optimize


def staff(loaded: LoadedScenario, team_size: int) -> dict[str, int]:
    """Officer positions on the daily shift plans and team members of a scenario."""
    scen = loaded.scenario
    officers = 0
    for party in ("RU", "UA", "US"):
        desk = getattr(scen.center.desks, party)
        if desk.officers is not None:
            officers += desk.officers * 3  # round the clock: three 8-hour positions
        else:
            officers += sum(s.officers for s in desk.shifts or [])
    teams = scen.teams.total if scen.teams.enabled else 0
    return {"officers": officers, "team_members": teams * team_size}


def limit_value(metric: str, raw: float | str) -> float:
    """A constraint limit in model units (minutes for time metrics)."""
    if metric in TIME_METRICS:
        return parse_duration(raw)
    value = float(raw)
    if not 0 <= value <= 1:
        raise ValueError(f"{metric}: a share limit is a fraction between 0 and 1, got {raw!r}")
    return value


def alpha_per_constraint(limits: dict[str, tuple[str, float]], alpha: float = 0.05) -> float:
    """Bonferroni's share of the error rate for each of the constraints."""
    return alpha / max(len(limits), 1)


def bound(per_rep: list[dict[str, Any]], metric: str, side: str, alpha: float) -> float:
    """The one-sided ``1 - alpha`` bound of a constraint's metric (upper for max)."""
    return one_sided_bound([r["metrics"][metric] for r in per_rep], side, alpha)


def meets(per_rep: list[dict[str, Any]], metric: str, side: str, lim: float, alpha: float) -> bool:
    """True when one constraint's one-sided ``1 - alpha`` bound is inside its limit."""
    b = bound(per_rep, metric, side, alpha)
    if b != b:
        return False
    return bool(b <= lim) if side == "max" else bool(b >= lim)


def feasible(per_rep: list[dict[str, Any]], limits: dict[str, tuple[str, float]]) -> bool:
    """True when every constraint holds, jointly with 95% confidence (Bonferroni)."""
    a = alpha_per_constraint(limits)
    return all(meets(per_rep, m, side, lim, a) for m, (side, lim) in limits.items())


def optimize_order(points: list[Point], spec: OptimizeSpec) -> list[tuple[float, Point]]:
    """Points with their cost, cheapest first (ties keep grid order)."""
    out = []
    for p in points:
        s = staff(p.loaded, spec.team_size)
        cost = spec.costs.officer * s["officers"] + spec.costs.team_member * s["team_members"]
        out.append((cost, p))
    out.sort(key=lambda cp: cp[0])
    return out


def constraint_limits(spec: OptimizeSpec, path: Path) -> dict[str, tuple[str, float]]:
    """Each constraint as ``metric -> (side, limit in model units)``; bad ones are refused."""
    for metric in spec.constraints:
        if metric not in METRIC_KEYS:
            raise ScenarioError(
                str(path),
                f"constraints.{metric}",
                f"unknown metric; expected one of {', '.join(METRIC_KEYS)}",
            )
    limits: dict[str, tuple[str, float]] = {}
    for metric, c in spec.constraints.items():
        side = "max" if c.max is not None else "min"
        try:
            limits[metric] = (side, limit_value(metric, getattr(c, side)))
        except ValueError as exc:
            raise ScenarioError(str(path), f"constraints.{metric}.{side}", str(exc)) from None
    return limits


def frontier_row(
    spec: OptimizeSpec,
    limits: dict[str, tuple[str, float]],
    cost: float,
    p: Point,
    per: list[dict[str, Any]],
    ok: bool,
) -> dict[str, Any]:
    """One evaluated point: parameters, cost, staff and each constraint's interval."""
    row = {
        "point": p.index,
        "label": p.label,
        **flat(p.params),
        "cost": cost,
        **staff(p.loaded, spec.team_size),
        "feasible": ok,
    }
    for m in UNMEASURED_OUTCOMES:  # what each point leaves out of its delays
        row[f"{m}_mean"] = mean_ci([r["metrics"][m] for r in per])["mean"]
    a = alpha_per_constraint(limits)
    for metric in spec.constraints:
        ci = mean_ci([r["metrics"][metric] for r in per])
        side, lim = limits[metric]
        row.update(
            {
                f"{metric}_mean": ci["mean"],
                f"{metric}_low": ci["low"],
                f"{metric}_high": ci["high"],
                f"{metric}_bound": bound(per, metric, side, a),
                f"{metric}_ok": meets(per, metric, side, lim, a),
            }
        )
    for metric in spec.metrics:  # the metrics the user asked to see beside the constraints
        if f"{metric}_mean" not in row:
            ci = mean_ci([r["metrics"][metric] for r in per])
            row.update({f"{metric}_{k}": ci[k] for k in ("mean", "low", "high")})
    return row


def confirm(spec, limits, cost, point, searched, store, seed, workers, dask, progress):
    """Run a point that passed the search again on fresh replications (numbers n to
    2n - 1, independent of the search): its frontier row with a ``confirmation``
    block (the fresh replications' row), and whether it passed again."""
    (fresh,), _ = run_points(
        [point],
        store,
        seed=seed,
        replications=spec.replications,
        first=spec.replications,
        workers=workers,
        dask=dask,
        progress=progress,
    )
    row = frontier_row(spec, limits, cost, point, searched, True)
    row["confirmation"] = frontier_row(spec, limits, cost, point, fresh, feasible(fresh, limits))
    return row, row["confirmation"]["feasible"]


def run_optimize(
    spec: OptimizeSpec,
    path: Path,
    out_dir: Path,
    *,
    workers: int | None = None,
    dask: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    command: str | None = None,
    points: list[Point] | None = None,
) -> dict[str, Any]:
    """Find the cheapest grid point meeting every constraint at 95% confidence.

    Points are evaluated cheapest first, in batches of ``workers`` (at least
    2); the search stops once a feasible point is found and every point of
    the same or lower cost has been evaluated, or after ``max_points``.
    Returns the metadata with ``best`` (or None) and the explored ``frontier``.
    ``points``: the grid's points, when already expanded. Nothing is written
    before every point and target is checked; the folder is locked while the
    search runs.
    """
    limits = constraint_limits(spec, path)
    check_metrics(spec.metrics, "metrics", str(path))
    points = expand(spec, path) if points is None else points
    with claimed(out_dir, "optimize", spec.name):
        return _search(spec, path, out_dir, points, limits, workers, dask, progress, command)


def _search(spec, path, out_dir, points, limits, workers, dask, progress, command):
    seed = sweep_seed(spec, points)
    ordered = optimize_order(points, spec)
    store = Store(out_dir)
    batch = max(2, workers or 2)
    evaluated: list[tuple[float, Point, list[dict[str, Any]], bool]] = []
    best, rejected = None, []
    pos = 0
    while pos < len(ordered) and len(evaluated) < spec.max_points:
        chunk = ordered[pos : pos + min(batch, spec.max_points - len(evaluated))]
        if best is not None:
            chunk = [cp for cp in chunk if cp[0] <= best["cost"]]
            if not chunk:
                break
        pos += len(chunk)
        per_point, _ = run_points(
            [p for _, p in chunk],
            store,
            seed=seed,
            replications=spec.replications,
            workers=workers,
            dask=dask,
            progress=progress,
        )
        passed = []
        for (cost, p), per in zip(chunk, per_point):
            ok = feasible(per, limits)
            evaluated.append((cost, p, per, ok))
            if ok:
                passed.append((cost, p, per))
        # the cheapest that passed is confirmed on fresh replications; one that fails
        # is not recommended and the search goes on
        for cost, p, per in sorted(passed, key=lambda x: (x[0], x[1].index)):
            if best is not None and (cost, p.index) >= (best["cost"], best["point"]):
                break
            row, ok = confirm(spec, limits, cost, p, per, store, seed, workers, dask, progress)
            if ok:
                best = row
                break
            rejected.append(row)
    frontier = [frontier_row(spec, limits, *e) for e in evaluated]
    meta = {
        "optimize": spec.name,
        "file": str(path),
        "seed": seed,
        "replications": spec.replications,
        "grid_points": len(points),
        "evaluated": len(evaluated),
        "constraints": {m: {lim[0]: lim[1]} for m, lim in limits.items()},
        "costs": spec.costs.model_dump(),
        "team_size": spec.team_size,
        "alpha_per_constraint": alpha_per_constraint(limits),
        "warnings": point_warnings([e[1].label for e in evaluated], [e[2] for e in evaluated]),
        "best": best,
        "metrics": list(dict.fromkeys(spec.metrics)),
        "unconstrained": unconstrained(spec, best),
        "not_confirmed": rejected,
        "version": __version__,
        **provenance(command),
    }
    atomic_write(out_dir / "optimize.yaml", spec_as_run(spec, path, seed))
    write_table(out_dir, "frontier", frontier, meta)
    return {**meta, "frontier": frontier}
