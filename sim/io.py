"""Writing run results to disk: CSV tables, JSON summary, resolved scenario.

A run directory is written under a temporary name and renamed into place
only when complete, so a crash or Ctrl-C never leaves a half-written result.
Tables are written with fixed formatting, so the same scenario and seed give
byte-identical files.
"""

from __future__ import annotations

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
        "outcome": R.VIOLATION_OUTCOMES, "reason": R.UNVERIFIED_REASONS,
        "perpetrator": ("RU", "UA"), "affected": ("RU", "UA"), "attributed_to": ("RU", "UA"),
        "node": "nodes", "type": "types",
    },
    "reports": {
        "channel": R.CHANNELS, "sender": R.SENDERS, "desk": R.PARTIES,
        "state": R.REPORT_STATES, "node": "nodes", "type": "types",
    },
    "incidents": {
        "outcome": R.INCIDENT_OUTCOMES, "reason": R.INCIDENT_REASONS,
        "attribution": ("RU", "UA"), "attribution_correct": ("0", "1"), "node": "nodes",
    },
    "series": {},
}


def decoded(result, name: str) -> dict[str, list[Any]]:
    """A table of a :class:`~sim.experiment.RunResult` with names instead of codes.

    Codes of -1 (nothing, e.g. no attribution) become empty strings; NaN
    times stay NaN.
    """
    table = result.table(name)
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
        if v == int(v) and abs(v) < 1e15:
            return str(int(v))
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
    """``root/<scenario>/<UTC timestamp>-s<seed>``, made unique with a suffix."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    base = root / scenario_name / f"{stamp}-s{seed}"
    out, k = base, 2
    while out.exists():
        out = base.with_name(f"{base.name}-{k}")
        k += 1
    return out


def write_run(result, out_dir: Path, command: str | None = None) -> Path:
    """Write every file of a run to ``out_dir`` (created; must not exist yet).

    Files: ``scenario.yaml`` (resolved), ``metadata.json``, ``summary.json``,
    ``violations.csv``, ``reports.csv``, ``incidents.csv``, ``timeseries.csv``.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} already exists and is not empty; choose another --out")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        scen = result.scenario
        with open(tmp / "scenario.yaml", "w", encoding="utf-8") as fh:
            fh.write(f"# Resolved scenario '{scen.name}' as run (all defaults filled in).\n")
            yaml.safe_dump(scen.resolved(), fh, sort_keys=False, allow_unicode=True)
        meta = dict(result.metadata)
        meta.update({
            "command": command,
            "written_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "library_versions": _versions(),
            "time_unit": "minutes",
        })
        write_json(tmp / "metadata.json", meta)
        write_json(tmp / "summary.json", result.summary)
        for name in TABLES:
            write_csv(tmp / f"{name}.csv", decoded(result, name))
        write_csv(tmp / "timeseries.csv", decoded(result, "series"))
        if out_dir.exists():
            out_dir.rmdir()
        os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for pkg in ("simpy", "numpy", "networkx", "pydantic", "pyyaml"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "unknown"
    return out
