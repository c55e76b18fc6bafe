"""Parameter sweeps, resumable and parallel.

Every point of a sweep (:mod:`sim.analysis.sweepfile`) runs the same
replications (common random numbers). Each point's per-replication summaries
are stored, atomically, as soon as the point completes; a re-run skips stored
points whose scenario, input files, seed, replications and package version
are unchanged (a fingerprint of all of them names the file), so an
interrupted sweep resumes and a changed base scenario or network file
invalidates what it changed. One sweep at a time writes to a results folder
(a lock, :func:`sim.records.locks.folder_lock`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

from ..records.version import __version__
from ..records.locks import LOCK, check_target, folder_lock
from ..records.storage import PARTIAL, atomic_write, csv_text, json_text, provenance
from .experiment import Job, make_jobs, run_job
from .compare import outcome_warnings
from .metrics import METRIC_KEYS, TIME_METRICS, UNMEASURED_OUTCOMES
from .sweepmetrics import check_metrics, sweep_metrics
from .parallel import map_ordered
from .statistics import holm, mean_ci, t_pvalue
from .sweepfile import Point, SweepSpec, expand


def fingerprint(point: Point, seed: int, replications: int, first: int = 0) -> str:
    """What a stored point result depends on: scenario, the content of every file it
    was made from (base scenario, the files it extends, network file), seed, which
    replications, version."""
    resolved = point.loaded.scenario.resolved()
    resolved.pop("name", None)
    what = {
        "scenario": resolved,
        "inputs": sorted(point.inputs.values()),
        "seed": seed,
        "replications": replications,
        "version": __version__,
    }
    if first:
        what["first_replication"] = first
    text = json.dumps(what, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


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
        atomic_write(
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
    first: int = 0,
    workers: int | None = None,
    dask: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    tables: str | None = None,
) -> tuple[list[list[dict[str, Any]]], int]:
    """Run (or load) every point; return per-point replication summaries and
    how many points were loaded from the store.

    With ``tables`` (``"parquet"`` or ``"csv"``) the workers also write every
    replication's tables in that format to
    ``<store>/../tables/<point>-<fingerprint>/rep-<k>/``.
    """
    results: dict[int, list[dict[str, Any]]] = {}
    fps = {p.index: fingerprint(p, seed, replications, first) for p in points}
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
        reps = range(first, first + replications)
        for job in make_jobs(p.loaded, seed, reps, tables_dir=tdir, table_format=tables or ""):
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
            per = [partial[idx][r] for r in range(first, first + replications)]
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
                **flat(point.params),
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


def point_warnings(labels: list[str], per_point: list[list[dict[str, Any]]]) -> list[str]:
    """Outcome warnings of every point against the first (paired over the common
    replications, Holm-adjusted over points and outcomes); see
    :func:`sim.analysis.compare.outcome_warnings`."""

    def values(c: int, m: str) -> list[float]:
        return [r["metrics"][m] for r in per_point[c]]

    tests = [(c, m) for c in range(1, len(labels)) for m in UNMEASURED_OUTCOMES]
    p = [t_pvalue([b - a for a, b in zip(values(0, m), values(c, m))]) for c, m in tests]
    sig = dict(zip(tests, holm(p)))
    return outcome_warnings(labels, values, lambda c, m: sig[(c, m)])


def shift_table(points: list[Point], per_point: list[list[dict[str, Any]]]) -> list[dict]:
    """Per point, desk and shift: mean utilisation per officer on duty, mean wait and
    share acknowledged within target over the replications."""
    out = []
    for p, per in zip(points, per_point):
        for desk, rows in per[0]["shifts"].items():
            for j, row in enumerate(rows):
                vals = [r["shifts"][desk][j] for r in per]
                out.append(
                    {
                        "point": p.index,
                        "label": p.label,
                        "desk": desk,
                        "shift": row["shift"],
                        **{
                            k: mean_ci([v[k] for v in vals])["mean"]
                            for k in ("utilisation", "mean_wait", "within_acknowledge")
                        },
                    }
                )
    return out


def flat(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in params.items()}


def check_claim(out_dir: Path, kind: str, name: str, what: str = "--out") -> None:
    """Refuse to mix results, writing nothing: ``out_dir`` must be absent, empty or
    hold the same sweep, and be writable (``what``: the option that chose it)."""
    out_dir = Path(out_dir)
    check_target(out_dir, what)
    marker = out_dir / ".cfsim"
    if marker.exists():
        other = marker.read_text(encoding="utf-8").strip()
        if other != f"{kind} {name}":
            raise FileExistsError(
                f"{out_dir} holds the results of {other!r}; choose another --out for "
                f"{kind} {name!r}"
            )
    elif out_dir.exists() and any(p.name != LOCK for p in out_dir.iterdir()):
        raise FileExistsError(
            f"{out_dir} is not empty and holds no sweep results; choose another --out"
        )


@contextlib.contextmanager
def claimed(out_dir: Path, kind: str, name: str) -> Iterator[None]:
    """``out_dir`` checked (:func:`check_claim`), marked as this sweep's and locked for
    the block: a second command writing to it is refused at once."""
    check_claim(out_dir, kind, name)
    with folder_lock(Path(out_dir) / LOCK, str(out_dir)):
        claim(out_dir, kind, name)
        # what a killed run was writing (a point, a table): with the lock held, nobody is
        for p in list(Path(out_dir).rglob(f".*{PARTIAL}*")):
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
        yield


def claim(out_dir: Path, kind: str, name: str) -> None:
    """Mark ``out_dir`` as this sweep's, checked again (:func:`check_claim`) with the
    lock held, since another command may have claimed it since the first check."""
    check_claim(out_dir, kind, name)
    marker = Path(out_dir) / ".cfsim"
    if not marker.exists():
        atomic_write(marker, f"{kind} {name}\n")


def spec_as_run(spec: SweepSpec, path: Path, seed: int) -> str:
    """The sweep file as run: base as an absolute path and the seed used, so it
    can be run again from the results directory."""
    data = spec.model_dump(mode="json")
    data["base"] = str((Path(path).parent / spec.base).resolve())
    data["seed"] = seed
    return yaml.safe_dump(data, sort_keys=False)


def sweep_seed(spec: SweepSpec, points: list[Point]) -> int:
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
    cols: list[str] = ["point", "label"]
    for r in rows:  # parameters first, whatever row first has them
        cols += [k for k in r if k not in cols and not _is_result_column(k)]
    for r in rows:
        cols += [k for k in r if k not in cols]
    table = {c: [r.get(c) if r.get(c) is not None else "" for r in rows] for c in cols}
    atomic_write(out_dir / f"{stem}.csv", csv_text(table))
    atomic_write(out_dir / f"{stem}.json", json_text({**meta, "rows": rows}, indent=1))


def run_sweep(
    spec: SweepSpec,
    sweep_path: Path,
    out_dir: Path,
    *,
    workers: int | None = None,
    dask: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    command: str | None = None,
    tables: str | None = None,
    points: list[Point] | None = None,
) -> dict[str, Any]:
    """Run a sweep into ``out_dir`` (resuming stored points); return its metadata.

    With ``tables`` (``"parquet"`` or ``"csv"``) every replication's tables are
    also written in that format, by the workers, under ``out_dir/tables/``.
    ``points``: the sweep's points, when already expanded
    (:func:`sim.analysis.sweepfile.expand`). Nothing is
    written before every point is checked; the folder is locked while the
    sweep runs."""
    check_metrics(spec.metrics, "metrics", str(sweep_path))
    points = expand(spec, sweep_path) if points is None else points
    with claimed(out_dir, "sweep", spec.name):
        return _sweep(spec, sweep_path, out_dir, points, workers, dask, progress, command, tables)


def _sweep(spec, sweep_path, out_dir, points, workers, dask, progress, command, tables):
    seed = sweep_seed(spec, points)
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
        "warnings": point_warnings([p.label for p in points], per_point),
        "shifts": shift_table(points, per_point),
        "sweep": spec.name,
        "file": str(sweep_path),
        "seed": seed,
        "replications": spec.replications,
        "points": len(points),
        "points_reused": reused,
        "parameters": list(points[0].params),
        "metrics": list(sweep_metrics(spec)),
        "version": __version__,
        **provenance(command),
    }
    atomic_write(out_dir / "sweep.yaml", spec_as_run(spec, sweep_path, seed))
    write_table(out_dir, "sweep", rows, meta)
    return {**meta, "rows": rows}
