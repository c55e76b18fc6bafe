"""Writing run results to disk: CSV tables, JSON summary, resolved scenario.

A run directory is written under a temporary name and renamed into place
only when complete, so a crash or Ctrl-C never leaves a half-written result.
Tables are written with fixed formatting, so the same scenario and seed give
byte-identical files.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import platform
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from . import records as R

TABLES = ("violations", "reports", "incidents")

# Columns holding codes, and the names they stand for.
_DECODE: dict[str, dict[str, tuple[str, ...] | str]] = {
    "violations": {
        "outcome": R.VIOLATION_OUTCOMES,
        "reason": R.UNVERIFIED_REASONS,
        "perpetrator": ("RU", "UA"),
        "affected": ("RU", "UA"),
        "attributed_to": ("RU", "UA"),
        "node": "nodes",
        "type": "types",
    },
    "reports": {
        "channel": R.CHANNELS,
        "sender": R.SENDERS,
        "desk": R.PARTIES,
        "state": R.REPORT_STATES,
        "node": "nodes",
        "type": "types",
    },
    "incidents": {
        "outcome": R.INCIDENT_OUTCOMES,
        "reason": R.INCIDENT_REASONS,
        "base": "nodes",
        "attribution": ("RU", "UA"),
        "attribution_correct": ("0", "1"),
        "node": "nodes",
    },
    "series": {},
}


def decoded(result, name: str) -> dict[str, list[Any]]:
    """A table of a :class:`~sim.experiment.RunResult` with names instead of codes.

    Codes of -1 (nothing, e.g. no attribution) become empty strings; NaN
    times stay NaN.
    """
    table = result.table(name)
    start = {"violations": "time", "reports": "arrival", "incidents": "first_report"}.get(name)
    if start is not None and start in table:
        # 1 for the rows the summary counts (they start after the warm-up)
        table["measured"] = table[start] >= result.scenario.warmup
    first = result.replications[0] if result.replications else None
    lookups = {"nodes": first.nodes if first else [], "types": first.types if first else []}
    out: dict[str, list[Any]] = {}
    for col, values in table.items():
        names = _DECODE[name].get(col)
        if names is None:
            out[col] = values.tolist()
            continue
        names = lookups[names] if isinstance(names, str) else names
        out[col] = [names[v] if v >= 0 else "" for v in values.tolist()]
    return out


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return f"{v:.3f}"
    return str(v)


def write_csv(path: Path, columns: dict[str, list[Any]]) -> None:
    keys = list(columns)
    n = len(columns[keys[0]]) if keys else 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(keys)
        cols = [[_fmt(x) for x in columns[k]] for k in keys]
        w.writerows(zip(*cols) if n else [])


def _json_default(o: Any) -> Any:
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"cannot write {type(o).__name__} to JSON")


def _clean(o: Any) -> Any:
    """Replace NaN/inf by None so the JSON is standard."""
    if isinstance(o, dict):
        return {k: _clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_clean(v) for v in o]
    if isinstance(o, (float, np.floating)):
        f = float(o)
        return f if math.isfinite(f) else None
    if isinstance(o, np.integer):
        return int(o)
    return o


def write_json(path: Path, data: Any) -> None:
    path.write_text(
        json.dumps(_clean(data), indent=2, sort_keys=False, default=_json_default) + "\n",
        encoding="utf-8",
    )


def default_run_dir(root: Path, scenario_name: str, seed: int) -> Path:
    """Create and return ``root/<scenario>/<UTC timestamp>-s<seed>`` (empty).

    The directory is created here, exclusively, so two runs finishing in the
    same second get different directories (the second gets a ``-2`` suffix).
    """
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    base = Path(root) / scenario_name / f"{stamp}-s{seed}"
    base.parent.mkdir(parents=True, exist_ok=True)
    out, k = base, 2
    while True:
        try:
            out.mkdir()
            return out
        except FileExistsError:
            out = base.with_name(f"{base.name}-{k}")
            k += 1


def check_out_dir(out_dir: Path) -> None:
    """Fail early, before any work, if ``out_dir`` cannot receive results."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise FileExistsError(f"{out_dir} exists and is a file; choose a directory for --out")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} already exists and is not empty; choose another --out")


@contextlib.contextmanager
def atomic_dir(out_dir: Path):
    """Yield a temporary directory that becomes ``out_dir`` only on success.

    ``out_dir`` must not exist or be empty. On any error (or Ctrl-C) the
    temporary directory is removed and ``out_dir`` is left as it was.
    """
    out_dir = Path(out_dir)
    check_out_dir(out_dir)
    reserved = out_dir.exists()  # an empty directory made by default_run_dir
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; results are for sharing
    try:
        yield tmp
        os.replace(tmp, out_dir)  # atomic; replaces an empty reserved directory
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if reserved and out_dir.is_dir() and not any(out_dir.iterdir()):
            out_dir.rmdir()
        raise


def provenance(command: str | None) -> dict[str, Any]:
    """Where a result came from: command, time, Python and library versions."""
    return {
        "command": command,
        "written_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "library_versions": _versions(),
        "time_unit": "minutes",
    }


def write_run(result, out_dir: Path, command: str | None = None) -> Path:
    """Write every file of a run to ``out_dir`` (created; must not exist yet).

    Files: ``scenario.yaml`` (resolved), ``metadata.json``, ``summary.json``,
    ``violations.csv``, ``reports.csv``, ``incidents.csv``, ``timeseries.csv``.
    """
    with atomic_dir(out_dir) as tmp:
        # The scenario as run: with the seed and replications actually used.
        scen = result.scenario.model_copy(
            update={"seed": result.seed, "replications": len(result.replications)}
        )
        write_scenario(tmp / "scenario.yaml", scen)
        write_network(tmp / "network.json", result.loaded.graph)
        write_json(tmp / "metadata.json", {**result.metadata, **provenance(command)})
        write_json(tmp / "summary.json", result.summary)
        for name in TABLES:
            write_csv(tmp / f"{name}.csv", decoded(result, name))
        write_csv(tmp / "timeseries.csv", decoded(result, "series"))
    return Path(out_dir)


def write_replication_tables(result, out_dir: Path) -> None:
    """The tables of a one-replication result, written atomically to ``out_dir``
    (replaced if it exists, so a re-run job leaves one complete copy)."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for name in TABLES:
            write_csv(tmp / f"{name}.csv", decoded(result, name))
        write_csv(tmp / "timeseries.csv", decoded(result, "series"))
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_network(path: Path, graph) -> None:
    """The network the run used, as node-link JSON (loadable with ``network.file``)."""
    import networkx as nx

    data = nx.node_link_data(graph, edges="edges")
    path.write_text(json.dumps(data, indent=1, default=_json_default) + "\n", encoding="utf-8")


def write_scenario(path: Path, scen) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"# Resolved scenario '{scen.name}' as run (all defaults filled in).\n")
        yaml.safe_dump(scen.resolved(), fh, sort_keys=False, allow_unicode=True)


def write_comparison(comp, loadeds, out_dir: Path, command: str | None = None) -> Path:
    """Write ``comparison.csv`` (tidy rows), ``comparison.json`` (rows, metadata and
    per-replication metrics) and each resolved scenario."""
    from .compare import METRIC_KEYS

    rows = comp.rows()
    with atomic_dir(out_dir) as tmp:
        cols = list(rows[0]) if rows else []
        write_csv(tmp / "comparison.csv", {k: [_none(r[k]) for r in rows] for k in cols})
        per = {
            name: {m: [r["metrics"][m] for r in comp.per_replication[c]] for m in METRIC_KEYS}
            for c, name in enumerate(comp.names)
        }
        write_json(
            tmp / "comparison.json",
            {
                **comp.metadata,
                "version": _package_version(),
                **provenance(command),
                "rows": rows,
                "per_replication": per,
            },
        )
        for name, ld in zip(comp.names, loadeds):
            write_scenario(tmp / f"scenario-{name}.yaml", ld.scenario)
    return Path(out_dir)


def _none(v: Any) -> Any:
    return float("nan") if v is None else v


def _package_version() -> str:
    from . import __version__

    return __version__


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for pkg in ("simpy", "numpy", "networkx", "pydantic", "pyyaml"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "unknown"
    return out
