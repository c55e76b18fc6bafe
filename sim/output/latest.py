"""The ``latest`` pointer: which run of a scenario (or comparison) is the newest.

``cfsim run`` writes ``results/<scenario>/<run-id>/`` and then
``results/<scenario>/latest``, a one-line text file naming that run
(a file rather than a symlink, so it works on every file system and survives
copying the folder). ``cfsim plot`` and ``cfsim report`` given the
scenario's folder use the run ``latest`` names, or the newest run in it.
"""

from __future__ import annotations

from pathlib import Path

from ..records.storage import atomic_write

LATEST = "latest"
# Files that make a folder a result directory of its own (see results.detect).
RESULT_FILES = ("summary.json", "comparison.json", "sweep.json", "frontier.json")


def mark_latest(run_dir: str | Path) -> Path:
    """Write ``<parent>/latest`` naming ``run_dir``; return the pointer's path."""
    run_dir = Path(run_dir)
    pointer = run_dir.parent / LATEST
    atomic_write(pointer, run_dir.name + "\n")
    return pointer


def is_results(d: Path) -> bool:
    return d.is_dir() and any((d / f).exists() for f in RESULT_FILES)


def newest_run(folder: str | Path) -> Path | None:
    """The run a scenario's folder points at: the one ``latest`` names if it still
    exists, else the newest result directory in it (run ids start with their UTC
    time, so the newest sorts last; ties go to the last modified); None if ``folder``
    is itself a result directory or holds none."""
    folder = Path(folder)
    if not folder.is_dir() or is_results(folder):
        return None
    pointer = folder / LATEST
    if pointer.is_file():
        named = folder / pointer.read_text(encoding="utf-8").strip()
        if named.name and is_results(named):
            return named
    runs = [d for d in folder.iterdir() if is_results(d)]
    if not runs:
        return None
    return max(runs, key=lambda d: (d.name, d.stat().st_mtime))
