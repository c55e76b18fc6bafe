"""Parameter sweeps and the staffing search, resumable and parallel.

A sweep file names a base scenario and either a grid of parameters (by key
path, e.g. ``teams.bases[0].count: [2, 4, 6]``) or a list of explicit
variants. Every point runs the same replications (common random numbers).
Each point's per-replication summaries are stored, atomically, as soon as the
point completes; a re-run skips stored points whose scenario, seed,
replications and package version are unchanged (a fingerprint of all four
names the file), so an interrupted sweep resumes and a changed base scenario
invalidates what it changed.

``optimize`` searches such a grid for the least total staff (desk officer
positions and team members, with costs) that meets service targets with 95%
confidence, evaluating points in order of cost.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Callable

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from . import __version__
from .compare import KEY_METRICS, METRIC_KEYS
from .distributions import _duration
from .experiment import Job, make_jobs, run_job
from .metrics import mean_ci
from .parallel import map_ordered
from .loader import (
    LoadedScenario,
    _Doc,
    _friendly,
    _loc_to_path,
    load_scenario,
    scenario_from_dict,
)
from .scenario import ScenarioError

# --------------------------------------------------------------------------- files


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class LinkedParameter(_Strict):
    """One parameter that sets several key paths to the same value."""

    paths: list[str] = Field(min_length=1)
    """Key paths set together, e.g. the night shift of all three desks."""
    values: list[Any] = Field(min_length=1)
    """Values to try."""


class Variant(_Strict):
    """An explicit point: a name and the key paths it sets."""

    name: str
    """Short name of the variant."""
    set: dict[str, Any] = Field(min_length=1)
    """Key path -> value."""


class SweepSpec(_Strict):
    """A sweep file."""

    name: str
    """Name; results go to ``results/sweeps/<name>/``."""
    description: str = ""
    """What the sweep asks."""
    base: str
    """Base scenario file, relative to the sweep file."""
    replications: int = Field(10, ge=2)
    """Replications per point (the same for every point)."""
    seed: int | None = Field(None, ge=0)
    """Root seed (default: the base scenario's)."""
    grid: dict[str, list[Any] | LinkedParameter] = {}
    """Parameters to vary: key path -> values, or a name -> {paths, values}; every
    combination is a point."""
    variants: list[Variant] = []
    """Explicit points instead of a grid."""

    @model_validator(mode="after")
    def _one(self) -> "SweepSpec":
        if bool(self.grid) == bool(self.variants):
            raise ValueError("give exactly one of grid or variants")
        names = [v.name for v in self.variants]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"variant names must differ; repeated: {', '.join(dup)}")
        for key, vals in self.grid.items():
            if isinstance(vals, list) and not vals:
                raise ValueError(f"grid.{key}: give at least one value")
        return self


class Constraint(_Strict):
    """A service target a configuration must meet with 95% confidence."""

    max: float | str | None = None
    """Upper limit (a duration for time metrics, a fraction for shares)."""
    min: float | str | None = None
    """Lower limit."""

    @model_validator(mode="after")
    def _one(self) -> "Constraint":
        if (self.max is None) == (self.min is None):
            raise ValueError("give exactly one of max or min")
        return self


class Costs(_Strict):
    """Relative cost of one desk officer position and one team member."""

    officer: float = Field(1.0, ge=0)
    """Cost of one officer position on a daily shift plan."""
    team_member: float = Field(1.0, ge=0)
    """Cost of one team member."""


class OptimizeSpec(SweepSpec):
    """A staffing search: a sweep grid plus targets and costs."""

    constraints: dict[str, Constraint] = Field(min_length=1)
    """Metric -> limit, e.g. ``response_p90: {max: 6h}``, ``verification_rate: {min: 0.7}``."""
    costs: Costs = Costs()
    """Costs used to rank configurations."""
    team_size: int = Field(6, ge=1)
    """Members per joint team."""
    max_points: int = Field(200, ge=1)
    """Stop after evaluating this many points."""


# --------------------------------------------------------------------------- key paths

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(path: str) -> list[str | int]:
    """Split ``a.b[1].c`` into ``["a", "b", 1, "c"]``.

    Examples
    --------
    >>> parse_path("teams.bases[0].count")
    ['teams', 'bases', 0, 'count']
    """
    out: list[str | int] = []
    pos = 0
    for m in _TOKEN.finditer(path):
        gap = path[pos : m.start()]
        if gap not in ("", "."):
            raise ValueError(f"cannot read the key path {path!r}")
        out.append(int(m.group(2)) if m.group(2) is not None else m.group(1))
        pos = m.end()
    if not out or path[pos:] not in ("",):
        raise ValueError(f"cannot read the key path {path!r}")
    return out


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at a key path inside nested dicts and lists (in place).

    Every step but the last must exist; the last may add a new key to a
    mapping (the scenario check then says whether it is allowed).
    """
    parts = parse_path(path)
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = _loc_to_path(tuple(parts[:i])) or "the scenario"
        if isinstance(part, int):
            if not isinstance(node, list):
                raise ValueError(f"{where} is not a list")
            if part >= len(node):
                raise ValueError(f"{where} has only {len(node)} item(s) (indices start at 0)")
        else:
            if not isinstance(node, dict):
                raise ValueError(f"{where} is not a mapping")
            if part not in node and not last:
                keys = ", ".join(sorted(map(str, node)))
                raise ValueError(f"{part!r} is not a key of {where} (keys: {keys})")
        if last:
            node[part] = value
        else:
            node = node[part]


# --------------------------------------------------------------------------- points


class Point:
    """One configuration of a sweep: its parameters and validated scenario."""

    def __init__(self, index: int, label: str, params: dict[str, Any], loaded: LoadedScenario):
        self.index = index
        self.label = label
        self.params = params
        self.loaded = loaded


def load_sweep(path: str | Path, kind: type[SweepSpec] = SweepSpec) -> tuple[SweepSpec, Path]:
    """Read and validate a sweep (or optimize) file."""
    path = Path(path)
    doc = _Doc(path)
    try:
        spec = kind.model_validate(doc.data)
    except ValidationError as exc:
        e = exc.errors()[0]
        loc = tuple(e["loc"])
        probe = loc
        while probe and probe not in doc.lines:
            probe = probe[:-1]
        raise ScenarioError(
            str(path), _loc_to_path(loc), _friendly(e), doc.lines.get(probe)
        ) from None
    return spec, path


def expand(spec: SweepSpec, sweep_path: Path) -> list[Point]:
    """The points of a sweep, each a validated scenario."""
    base_path = Path(os.path.normpath(sweep_path.parent / spec.base))
    if not base_path.exists():
        raise ScenarioError(
            str(sweep_path), "base", f"the base scenario {base_path} does not exist"
        )
    base = load_scenario(base_path)
    resolved = base.scenario.resolved()
    combos: list[tuple[str, dict[str, Any], dict[str, tuple[str, Any]]]] = []
    if spec.grid:
        names = list(spec.grid)
        value_lists = [
            v.values if isinstance(v, LinkedParameter) else v for v in spec.grid.values()
        ]
        for values in itertools.product(*value_lists):
            params = dict(zip(names, values))
            sets: dict[str, tuple[str, Any]] = {}  # path -> (sweep key, value)
            for name, value in params.items():
                p = spec.grid[name]
                for path in p.paths if isinstance(p, LinkedParameter) else [name]:
                    sets[path] = (f"grid.{name}", value)
            label = ", ".join(f"{k}={v}" for k, v in params.items())
            combos.append((label, params, sets))
    else:
        for k, v in enumerate(spec.variants):
            sets = {path: (f"variants[{k}].set.{path}", val) for path, val in v.set.items()}
            combos.append((v.name, {"variant": v.name, **v.set}, sets))
    points = []
    for k, (label, params, sets) in enumerate(combos):
        data = copy.deepcopy(resolved)
        for path, (key, value) in sets.items():
            try:
                set_path(data, path, value)
            except ValueError as exc:
                where = key if key.endswith(path) else f"{key} ({path})"
                raise ScenarioError(str(sweep_path), where, str(exc)) from None
        data["name"] = f"{spec.name}-{k:03d}"
        data["replications"] = spec.replications
        if spec.seed is not None:
            data["seed"] = spec.seed
        try:
            loaded = scenario_from_dict(data, base_path.parent)
        except ScenarioError as exc:
            raise ScenarioError(
                str(sweep_path),
                exc.path,
                f"point {k} ({label}) is not a valid scenario: {exc.message}",
            ) from None
        points.append(Point(k, label, params, loaded))
    return points


def fingerprint(point: Point, seed: int, replications: int) -> str:
    """What a stored point result depends on: scenario, seed, replications, version."""
    resolved = point.loaded.scenario.resolved()
    resolved.pop("name", None)
    text = json.dumps(
        {"scenario": resolved, "seed": seed, "replications": replications, "version": __version__},
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; results are for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Store:
    """Completed points on disk: ``<dir>/points/<fingerprint>.json``."""

    def __init__(self, directory: Path):
        self.dir = Path(directory) / "points"

    def path(self, fp: str) -> Path:
        return self.dir / f"{fp}.json"

    def load(self, fp: str) -> list[dict[str, Any]] | None:
        p = self.path(fp)
        if not p.exists():
            return None
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None  # a damaged file is recomputed
        return data.get("per_replication") if data.get("fingerprint") == fp else None

    def save(self, fp: str, point: Point, per_rep: list[dict[str, Any]]) -> None:
        _atomic_write(
            self.path(fp),
            json.dumps(
                {
                    "fingerprint": fp,
                    "label": point.label,
                    "params": point.params,
                    "per_replication": per_rep,
                },
                default=float,
            )
            + "\n",
        )


def run_points(
    points: list[Point],
    store: Store,
    *,
    seed: int,
    replications: int,
    workers: int | None = None,
    dask: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    tables: bool = False,
) -> tuple[list[list[dict[str, Any]]], int]:
    """Run (or load) every point; return per-point replication summaries and
    how many points were loaded from the store.

    With ``tables`` the workers also write every replication's tables to
    ``<store>/../tables/<point>-<fingerprint>/rep-<k>/``.
    """
    results: dict[int, list[dict[str, Any]]] = {}
    fps = {p.index: fingerprint(p, seed, replications) for p in points}
    todo = []
    for p in points:
        stored = store.load(fps[p.index])
        if stored is not None and len(stored) == replications:
            results[p.index] = stored
        else:
            todo.append(p)
    reused = len(points) - len(todo)
    jobs: list[Job] = []
    owner: list[int] = []
    for p in todo:
        tdir = store.dir.parent / "tables" / f"{p.index:03d}-{fps[p.index]}" if tables else None
        for job in make_jobs(p.loaded, seed, range(replications), tables_dir=tdir):
            jobs.append(job)
            owner.append(p.index)
    partial: dict[int, dict[int, dict[str, Any]]] = {p.index: {} for p in todo}
    by_index = {p.index: p for p in points}
    done_points = [reused]
    count = [0]

    def finished(k: int, res: dict[str, Any]) -> None:
        idx = owner[k]
        partial[idx][res["replication"]] = res
        count[0] += 1
        if len(partial[idx]) == replications:
            per = [partial[idx][r] for r in range(replications)]
            store.save(fps[idx], by_index[idx], per)
            results[idx] = per
            done_points[0] += 1
        if progress is not None:
            progress(count[0], len(jobs), f" ({done_points[0]}/{len(points)} points)")

    map_ordered(run_job, jobs, workers=workers, dask=dask, on_result=finished)
    return [results[p.index] for p in points], reused


def point_rows(
    point: Point, per_rep: list[dict[str, Any]], metrics: tuple[str, ...] = METRIC_KEYS
) -> list[dict[str, Any]]:
    """Tidy rows of one point: one per metric with mean and 95% CI."""
    rows = []
    for key in metrics:
        ci = mean_ci([r["metrics"][key] for r in per_rep])
        rows.append(
            {
                "point": point.index,
                "label": point.label,
                **_flat(point.params),
                "metric": key,
                "unit": "minutes" if key in TIME_METRICS else "fraction",
                "mean": ci["mean"],
                "low": ci["low"],
                "high": ci["high"],
                "half_width": ci["half_width"],
                "n": ci["n"],
            }
        )
    return rows


def _flat(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in params.items()}


# --------------------------------------------------------------------------- optimize

TIME_METRICS = {k for k, _, kind in KEY_METRICS if kind == "time"}


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
        return _duration(raw)
    value = float(raw)
    if not 0 <= value <= 1:
        raise ValueError(f"{metric}: a share limit is a fraction between 0 and 1, got {raw!r}")
    return value


def meets(per_rep: list[dict[str, Any]], metric: str, side: str, lim: float) -> bool:
    """True when one constraint holds at 95% confidence (the whole CI inside the limit)."""
    ci = mean_ci([r["metrics"][metric] for r in per_rep])
    if ci["n"] < 2:
        return False
    return bool(ci["high"] <= lim) if side == "max" else bool(ci["low"] >= lim)


def feasible(per_rep: list[dict[str, Any]], limits: dict[str, tuple[str, float]]) -> bool:
    """True when every constraint holds at 95% confidence."""
    return all(meets(per_rep, m, side, lim) for m, (side, lim) in limits.items())


def optimize_order(points: list[Point], spec: OptimizeSpec) -> list[tuple[float, Point]]:
    """Points with their cost, cheapest first (ties keep grid order)."""
    out = []
    for p in points:
        s = staff(p.loaded, spec.team_size)
        cost = spec.costs.officer * s["officers"] + spec.costs.team_member * s["team_members"]
        out.append((cost, p))
    out.sort(key=lambda cp: cp[0])
    return out


def _claim(out_dir: Path, kind: str, name: str) -> None:
    """Refuse to mix results: ``out_dir`` must be empty or hold the same sweep."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise FileExistsError(f"{out_dir} exists and is a file; choose a directory for --out")
    marker = out_dir / ".cfsim"
    if marker.exists():
        other = marker.read_text(encoding="utf-8").strip()
        if other != f"{kind} {name}":
            raise FileExistsError(
                f"{out_dir} holds the results of {other!r}; choose another --out for "
                f"{kind} {name!r}"
            )
    elif out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(
            f"{out_dir} is not empty and holds no sweep results; choose another --out"
        )
    else:
        _atomic_write(marker, f"{kind} {name}\n")


def _spec_as_run(spec: SweepSpec, path: Path, seed: int) -> str:
    """The sweep file as run: base as an absolute path and the seed used, so it
    can be run again from the results directory."""
    data = spec.model_dump(mode="json")
    data["base"] = str((Path(path).parent / spec.base).resolve())
    data["seed"] = seed
    return yaml.safe_dump(data, sort_keys=False)


def _seed(spec: SweepSpec, points: list[Point]) -> int:
    return spec.seed if spec.seed is not None else points[0].loaded.scenario.seed


_FIXED_COLUMNS = {
    "point",
    "label",
    "metric",
    "unit",
    "mean",
    "low",
    "high",
    "half_width",
    "n",
    "cost",
    "officers",
    "team_members",
    "feasible",
}


def _is_result_column(key: str) -> bool:
    return key in _FIXED_COLUMNS or key.endswith(("_mean", "_low", "_high", "_ok"))


def write_table(out_dir: Path, stem: str, rows: list[dict[str, Any]], meta: dict[str, Any]) -> None:
    """``<stem>.csv`` (tidy rows) and ``<stem>.json`` (metadata and rows), each atomically."""
    import csv
    import io as _io

    from .io import _clean, _fmt

    cols: list[str] = ["point", "label"]
    for r in rows:  # parameters first, whatever row first has them
        cols += [k for k in r if k not in cols and not _is_result_column(k)]
    for r in rows:
        cols += [k for k in r if k not in cols]
    buf = _io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow([_fmt(r.get(c, "")) if r.get(c) is not None else "" for c in cols])
    _atomic_write(out_dir / f"{stem}.csv", buf.getvalue())
    _atomic_write(
        out_dir / f"{stem}.json",
        json.dumps(_clean({**meta, "rows": rows}), indent=1, default=str) + "\n",
    )


def run_sweep(
    spec: SweepSpec,
    sweep_path: Path,
    out_dir: Path,
    *,
    workers: int | None = None,
    dask: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    command: str | None = None,
    tables: bool = False,
) -> dict[str, Any]:
    """Run a sweep into ``out_dir`` (resuming stored points); return its metadata.

    With ``tables`` every replication's tables are also written, by the
    workers, under ``out_dir/tables/``."""
    from .io import provenance

    _claim(out_dir, "sweep", spec.name)
    points = expand(spec, sweep_path)
    seed = _seed(spec, points)
    per_point, reused = run_points(
        points,
        Store(out_dir),
        seed=seed,
        replications=spec.replications,
        workers=workers,
        dask=dask,
        progress=progress,
        tables=tables,
    )
    rows = [row for p, per in zip(points, per_point) for row in point_rows(p, per)]
    meta = {
        "sweep": spec.name,
        "file": str(sweep_path),
        "seed": seed,
        "replications": spec.replications,
        "points": len(points),
        "points_reused": reused,
        "parameters": list(points[0].params),
        "version": __version__,
        **provenance(command),
    }
    _atomic_write(out_dir / "sweep.yaml", _spec_as_run(spec, sweep_path, seed))
    write_table(out_dir, "sweep", rows, meta)
    return {**meta, "rows": rows}


def run_optimize(
    spec: OptimizeSpec,
    path: Path,
    out_dir: Path,
    *,
    workers: int | None = None,
    dask: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    command: str | None = None,
) -> dict[str, Any]:
    """Find the cheapest grid point meeting every constraint at 95% confidence.

    Points are evaluated cheapest first, in batches of ``workers`` (at least
    2); the search stops once a feasible point is found and every point of
    the same or lower cost has been evaluated, or after ``max_points``.
    Returns the metadata with ``best`` (or None) and the explored ``frontier``.
    """
    from .io import provenance

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
    _claim(out_dir, "optimize", spec.name)
    points = expand(spec, path)
    seed = _seed(spec, points)
    ordered = optimize_order(points, spec)
    store = Store(out_dir)
    batch = max(2, workers or 2)
    evaluated: list[tuple[float, Point, list[dict[str, Any]], bool]] = []
    best_cost = None
    pos = 0
    while pos < len(ordered) and len(evaluated) < spec.max_points:
        chunk = ordered[pos : pos + min(batch, spec.max_points - len(evaluated))]
        if best_cost is not None:
            chunk = [cp for cp in chunk if cp[0] <= best_cost]
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
        for (cost, p), per in zip(chunk, per_point):
            ok = feasible(per, limits)
            evaluated.append((cost, p, per, ok))
            if ok and (best_cost is None or cost < best_cost):
                best_cost = cost
    frontier = []
    for cost, p, per, ok in evaluated:
        s = staff(p.loaded, spec.team_size)
        row = {
            "point": p.index,
            "label": p.label,
            **_flat(p.params),
            "cost": cost,
            **s,
            "feasible": ok,
        }
        for metric in spec.constraints:
            ci = mean_ci([r["metrics"][metric] for r in per])
            row.update(
                {
                    f"{metric}_mean": ci["mean"],
                    f"{metric}_low": ci["low"],
                    f"{metric}_high": ci["high"],
                    f"{metric}_ok": meets(per, metric, *limits[metric]),
                }
            )
        frontier.append(row)
    best = min(
        (r for r in frontier if r["feasible"]), key=lambda r: (r["cost"], r["point"]), default=None
    )
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
        "best": best,
        "version": __version__,
        **provenance(command),
    }
    _atomic_write(out_dir / "optimize.yaml", _spec_as_run(spec, path, seed))
    write_table(out_dir, "frontier", frontier, meta)
    return {**meta, "frontier": frontier}
