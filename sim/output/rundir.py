"""Writing run results to disk: tables (Parquet or CSV), JSON summary, resolved scenario.

A run directory is written under a temporary name and renamed into place
only when complete, so a crash, a full disk or Ctrl-C never leaves a
half-written result; everything a command writes into it (a comparison's
runs, the figures) goes in before the rename. Before any work the folder is
checked and locked (:func:`claimed_run_dir`), and what a killed run left
beside it is removed. Tables are written batch by batch with full float
precision, so they load back to the same numbers and the same scenario and
seed give the same files.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

from ..records.version import __version__
from ..analysis.metrics import METRIC_KEYS
from ..records.files import write_tables
from ..records.locks import check_target, clean_stale, folder_lock, lock_path
from ..records.storage import (
    atomic_dir,
    check_out_dir,
    json_default,
    provenance,
    write_csv,
    write_json,
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


RUN_ID_LENGTH = 26
"""Characters of a run id such as ``20260124-101500-s20260124-2``."""


@contextlib.contextmanager
def claimed_run_dir(out: Path | None, root: Path, name: str, seed: int) -> Iterator[Path]:
    """The folder a run or comparison writes to, ready before any work, locked for the block.

    ``out`` (``--out``), or a new ``root/<name>/<run id>`` (:func:`default_run_dir`).
    First the folder is checked (not a file, writable, a name that fits, and
    for ``--out`` empty), then what killed runs left beside it is removed
    (:func:`sim.records.locks.clean_stale`), then it is locked: a second
    command writing to the same folder is refused at once. A default folder
    that is still empty at the end (a failure, Ctrl-C) is removed.

    Raises
    ------
    OutputError, FileExistsError
    """
    target = out if out is not None else Path(root) / name / ("x" * RUN_ID_LENGTH)
    if out is not None:
        check_target(target, "--out")
    else:
        check_target(target, "--results-root", str(Path(root) / name / "<run id>"))
    if out is not None:
        check_out_dir(out)
    clean_stale(target.parent)
    made = [p for p in (target.parent, target.parent.parent) if not p.exists()]
    folder = Path(out) if out is not None else default_run_dir(Path(root), name, seed)
    try:
        with folder_lock(lock_path(folder), str(folder)):
            yield folder
    finally:
        for p in ([folder] if out is None else []) + made:  # what this call made, if empty
            if p.is_dir() and not any(p.iterdir()):
                p.rmdir()


def write_run(
    result,
    out_dir: Path,
    command: str | None = None,
    table_format: str = "parquet",
    extra: Callable[[Path], None] | None = None,
) -> Path:
    """Write every file of a run to ``out_dir`` (created; must not exist yet).

    Files: ``scenario.yaml`` (resolved), ``network.json``, ``metadata.json``,
    ``summary.json`` and the tables ``violations``, ``reports``, ``incidents``,
    ``timeseries``, ``claims`` as ``.parquet`` (default) or ``.csv``
    (``table_format``); ``extra(folder)`` may add more (figures) before the
    folder appears.
    """
    with atomic_dir(out_dir) as tmp:
        # The scenario as run: with the seed and replications actually used.
        scen = result.scenario.model_copy(
            update={"seed": result.seed, "replications": len(result.replications)}
        )
        write_scenario(tmp / "scenario.yaml", scen)
        write_network(tmp / "network.json", result.loaded.graph)
        write_json(
            tmp / "metadata.json",
            {**result.metadata, "table_format": table_format, **provenance(command)},
        )
        write_json(tmp / "summary.json", result.summary)
        cal = result.scenario.calendar
        dates = cal.iso if cal is not None else None
        write_tables(tmp, result.replications, result.scenario.warmup, table_format, dates)
        if extra is not None:
            extra(tmp)
    return Path(out_dir)


def write_network(path: Path, graph) -> None:
    """The network the run used, as node-link JSON (loadable with ``network.file``)."""
    import networkx as nx

    data = nx.node_link_data(graph, edges="edges")
    path.write_text(json.dumps(data, indent=1, default=json_default) + "\n", encoding="utf-8")


def write_scenario(path: Path, scen) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"# Resolved scenario '{scen.name}' as run (all defaults filled in).\n")
        yaml.safe_dump(scen.resolved(), fh, sort_keys=False, allow_unicode=True)


def write_comparison(
    comp,
    loadeds,
    out_dir: Path,
    command: str | None = None,
    extra: Callable[[Path], None] | None = None,
) -> Path:
    """Write ``comparison.csv`` (tidy rows), ``comparison.json`` (rows, metadata and
    per-replication metrics) and each resolved scenario; ``extra(folder)`` may add
    more (each configuration's run, the figures) before the folder appears, so an
    interrupted comparison leaves nothing."""
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
                "version": __version__,
                **provenance(command),
                "rows": rows,
                "warnings": comp.warnings(),
                "shifts": comp.shift_rows(),
                "counts": {
                    name: [r["counts"] for r in comp.per_replication[c]]
                    for c, name in enumerate(comp.names)
                },
                "per_replication": per,
            },
        )
        for name, ld in zip(comp.names, loadeds):
            write_scenario(tmp / f"scenario-{name}.yaml", ld.scenario)
        if extra is not None:
            extra(tmp)
    return Path(out_dir)


def _none(v: Any) -> Any:
    return float("nan") if v is None else v
