"""Faults: killed and interrupted commands, concurrent commands, full and read-only disks.

Nothing is left half-written, nothing stale is reused, no worker outlives its
parent, and every message says what really happened. The kill tests start
``cfsim`` in a subprocess, wait until it is working (its lock or its first
stored point exists), kill it, and check what the next command finds.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.cli import main
from sim.records.locks import clean_stale, folder_lock, lock_path

HOSTILE = Path(__file__).resolve().parent / "hostile"
CFSIM = [sys.executable, "-m", "sim"]

# processes killed and restarted: minutes of subprocesses, run by CI with the slow checks
pytestmark = pytest.mark.slow


def scenario(tmp: Path, horizon: str = "2d", name: str = "case.yaml", extra: str = "") -> Path:
    path = tmp / name
    path.write_text(f"extends: {HOSTILE / 'base.yaml'}\nhorizon: {horizon}\n{extra}")
    return path


def start(*args: str) -> subprocess.Popen:
    """``cfsim ARGS`` in a subprocess that takes Ctrl-C as a terminal would give it
    (a test runner's worker may ignore SIGINT, and children inherit that)."""
    return subprocess.Popen(
        [*CFSIM, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_for(predicate, seconds: float = 60.0) -> None:
    t0 = time.monotonic()
    while not predicate():
        assert time.monotonic() - t0 < seconds, "the command never got that far"
        time.sleep(0.02)


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(x) for x in text.split()]


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "zombie" not in status.lower()


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*"))


# --------------------------------------------------------------------------- run


def test_a_killed_run_leaves_nothing_and_the_next_run_into_its_folder_works(tmp_path, capsys):
    slow = scenario(tmp_path, "200d", extra="replications: 6\n")
    out = tmp_path / "results" / "mine"
    proc = start("run", str(slow), "--out", str(out), "-q", "-j", "1")
    wait_for(lock_path(out).exists)
    # a second command into the same folder is refused at once, naming the first
    code = main(["run", str(scenario(tmp_path)), "--out", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{out} is being written by another cfsim command (pid {proc.pid}" in err
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not out.exists()  # no half-written results
    assert main(["run", str(scenario(tmp_path)), "--out", str(out), "-q", "-j", "1"]) == 0
    assert (out / "summary.json").exists()
    assert hidden(out.parent) == []  # the dead run's lock is gone too


def test_what_a_killed_run_left_is_cleaned_on_the_next_start(tmp_path):
    root = tmp_path / "results"
    folder = root / "hostile"
    folder.mkdir(parents=True)
    # as a run killed while writing leaves it: its reserved folder, its partial copy, its lock
    (folder / "20250101-000000-s1").mkdir()
    partial = folder / ".20250101-000000-s1.partial-abcd1234"
    partial.mkdir()
    (partial / "reports.csv").write_text("half a table")
    lock_path(folder / "20250101-000000-s1").write_text("pid 1 on elsewhere\n")
    # and a run still going: its lock is held, so its partial copy is left alone
    running = folder / "20250101-000001-s1"
    (folder / ".20250101-000001-s1.partial-efgh5678").mkdir()
    with folder_lock(lock_path(running), str(running)):
        assert main(["run", str(scenario(tmp_path)), "--results-root", str(root), "-q"]) == 0
        left = sorted(p.name for p in folder.iterdir())
    new = [n for n in left if n.startswith("2")]
    assert len(new) == 1 and (folder / new[0] / "summary.json").exists()
    assert new[0] != "20250101-000000-s1"  # the dead run's reserved folder is gone
    assert sorted(set(left) - set(new)) == [
        ".20250101-000001-s1.lock",
        ".20250101-000001-s1.partial-efgh5678",
        "latest",  # the pointer to the newest whole run
    ]
    assert (folder / "latest").read_text().strip() == new[0]


def test_clean_stale_removes_only_what_nobody_holds(tmp_path):
    (tmp_path / ".a.partial-x").mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / ".b.partial-y").mkdir()
    (tmp_path / "keep").mkdir()
    (tmp_path / ".hidden-but-mine").write_text("x")
    with folder_lock(lock_path(tmp_path / "b"), "b"):
        removed = clean_stale(tmp_path)
    assert sorted(p.name for p in removed) == [".a.partial-x", "a"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".b.partial-y",
        ".hidden-but-mine",
        "keep",
    ]


# --------------------------------------------------------------------------- compare


def compare_pair(tmp: Path, horizon: str = "2d", rate: int = 30) -> tuple[Path, Path]:
    """Two configurations to compare; the second has ``rate`` violations a day."""
    a = scenario(tmp, horizon, "a.yaml")
    b = scenario(tmp, horizon, "b.yaml", f"violations: {{rate_per_day: {rate}}}\n")
    return a, b


def test_a_killed_compare_leaves_no_results_and_the_next_one_cleans_up(tmp_path):
    a, b = compare_pair(tmp_path, "6d", 120)  # slow enough to be caught in the second run
    root = tmp_path / "results"
    argv = ["compare", str(a), str(b), "-n", "2", "-j", "1", "--tables", "-q"]
    argv += ["--results-root", str(root)]
    proc = start(*argv)
    # the comparison and the first configuration's run are written: kill it in the second
    wait_for(lambda: any((p / "runs" / "hostile").is_dir() for p in root.rglob("*.partial-*")))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert list(root.rglob("comparison.json")) == list(root.rglob(".*/comparison.json"))
    # the next comparison of the same configurations (shorter, to be quick) cleans up
    a, b = compare_pair(tmp_path, "2d", 30)
    assert main(argv) == 0
    (out,) = root.rglob("comparison.json")
    assert {p.name for p in (out.parent / "runs").iterdir()} == {"hostile", "hostile-2"}
    assert hidden(root) == []  # the dead command's partial folder and lock are gone


def test_an_interrupted_compare_leaves_nothing_says_so_and_runs_again(
    tmp_path, capsys, monkeypatch
):
    import sim.cli.compare

    real = sim.cli.compare._write_runs

    def interrupted(args, argv, comp, loadeds, out):
        (out / "runs").mkdir()
        (out / "runs" / "half-written.csv").write_text("x")
        raise KeyboardInterrupt  # Ctrl-C while the runs are written

    a, b = compare_pair(tmp_path)
    root = tmp_path / "results"
    argv = ["compare", str(a), str(b), "-n", "2", "-j", "1", "--tables", "-q"]
    argv += ["--results-root", str(root)]
    monkeypatch.setattr(sim.cli.compare, "_write_runs", interrupted)
    assert main(argv) == 130
    assert "interrupted; nothing was written" in capsys.readouterr().err
    assert list(root.rglob("*")) == []  # true: nothing at all
    monkeypatch.setattr(sim.cli.compare, "_write_runs", real)
    assert main(argv) == 0  # the same command again is not refused
    (out,) = root.rglob("comparison.json")
    assert {p.name for p in (out.parent / "runs").iterdir()} == {"hostile", "hostile-2"}


# --------------------------------------------------------------------------- sweep


def test_a_killed_sweep_takes_its_workers_with_it_and_resumes(tmp_path, capsys):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        f"name: killed\nbase: {scenario(tmp_path, '8d')}\nreplications: 2\n"
        "grid:\n  teams.speed_kmh: [30, 40, 50]\n"
    )
    root = tmp_path / "results"
    points = root / "sweeps" / "killed" / "points"
    proc = start("sweep", str(sweep), "--results-root", str(root), "-q", "-j", "2")
    wait_for(lambda: points.exists() and any(points.glob("*.json")))
    workers = children(proc.pid)
    assert len(workers) == 2
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    t0 = time.monotonic()
    wait_for(lambda: not any(alive(w) for w in workers), seconds=5)
    assert time.monotonic() - t0 < 5  # no orphans computing on
    stored = len(list(points.glob("*.json")))
    (points / ".0123abcd.json.partial-x1y2").write_text('{"half": ')  # killed mid-write
    assert main(["sweep", str(sweep), "--results-root", str(root), "-j", "2"]) == 0
    assert hidden(points) == []
    out = capsys.readouterr().out
    assert f"{stored} point(s) reused from an earlier run" in out
    meta = json.loads((root / "sweeps" / "killed" / "sweep.json").read_text())
    assert meta["points"] == 3 and meta["points_reused"] == stored >= 1


def test_a_worker_exits_when_its_parent_is_gone(tmp_path):
    parent = subprocess.Popen(["sleep", "60"])
    code = (
        "import time\n"
        "from sim.analysis.parallel import watch_parent\n"
        f"watch_parent({parent.pid})\n"
        "time.sleep(60)\n"
    )
    worker = subprocess.Popen([sys.executable, "-c", code])
    time.sleep(0.5)
    assert worker.poll() is None  # alive while its parent is
    parent.kill()
    parent.wait()
    t0 = time.monotonic()
    worker.wait(timeout=10)
    assert time.monotonic() - t0 < 3
    assert worker.returncode == 1


# --------------------------------------------------------------------------- disks


def test_a_read_only_disk_is_found_before_simulating(tmp_path, capsys, monkeypatch):
    import sim.analysis.experiment
    import sim.records.locks

    def never(*args, **kwargs):
        raise AssertionError("simulated although the results could not be written")

    real_open = os.open

    def read_only(path, flags, *args):
        if str(path).endswith(".lock") and flags & os.O_CREAT:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(sim.analysis.experiment, "run", never)
    monkeypatch.setattr(sim.records.locks.os, "open", read_only)
    out = tmp_path / "out"
    code = main(["run", str(scenario(tmp_path)), "--out", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"could not write {tmp_path}: Read-only file system" in err
    assert "choose a folder you can write to" in err
    assert not out.exists()


def test_a_folder_without_write_permission_is_found_before_simulating(
    tmp_path, capsys, monkeypatch
):
    import sim.records.locks

    monkeypatch.setattr(sim.records.locks.os, "access", lambda path, mode: False)
    code = main(["run", str(scenario(tmp_path)), "--results-root", str(tmp_path / "r"), "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"cannot create {tmp_path / 'r' / 'hostile' / '<run id>'}" in err
    assert "is not writable" in err and "--results-root" in err
    assert not (tmp_path / "r").exists()


def test_a_full_disk_while_writing_figures_leaves_nothing(tmp_path, capsys, monkeypatch):
    import sim.output.plotting.style

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sim.output.plotting.style.Figure, "savefig", full)
    root = tmp_path / "results"
    argv = ["run", str(scenario(tmp_path)), "-j", "1", "-q", "--plots"]
    code = main([*argv, "--results-root", str(root)])
    err = capsys.readouterr().err
    assert code == 2
    assert "No space left on device" in err and "nothing was left there" in err
    assert "free some space" in err
    assert [p for p in root.rglob("*")] == []


def test_a_full_disk_while_storing_a_point_keeps_the_others(tmp_path, capsys, monkeypatch):
    import sim.analysis.sweep

    from sim.records.storage import write_failure

    calls = []
    real = sim.analysis.sweep.atomic_write

    def full_after_one(path, text):
        if Path(path).parent.name == "points":
            calls.append(path)
            if len(calls) > 1:
                no_space = OSError(errno.ENOSPC, "No space left on device")
                raise write_failure(path, no_space, "it was left as it was")
        return real(path, text)

    monkeypatch.setattr(sim.analysis.sweep, "atomic_write", full_after_one)
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        f"name: full\nbase: {scenario(tmp_path)}\nreplications: 2\n"
        "grid:\n  teams.speed_kmh: [30, 40, 50]\n"
    )
    root = tmp_path / "results"
    code = main(["sweep", str(sweep), "--results-root", str(root), "-q", "-j", "1"])
    err = capsys.readouterr().err
    assert code == 2 and "No space left on device" in err
    points = root / "sweeps" / "full" / "points"
    assert len(list(points.glob("*.json"))) == 1
    assert [p.name for p in points.iterdir() if p.name.startswith(".")] == []
    monkeypatch.setattr(sim.analysis.sweep, "atomic_write", real)
    assert main(["sweep", str(sweep), "--results-root", str(root), "-j", "1"]) == 0
    assert "1 point(s) reused" in capsys.readouterr().out


@pytest.mark.parametrize("option", ["--out", "--results-root"])
def test_a_sweep_name_or_folder_that_is_refused_writes_nothing(tmp_path, capsys, option):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        f"name: ../../escape\nbase: {scenario(tmp_path)}\nreplications: 2\n"
        "grid:\n  teams.speed_kmh: [30, 40]\n"
    )
    before = sorted(p.name for p in tmp_path.iterdir())
    code = main(["sweep", str(sweep), option, str(tmp_path / "r"), "-q"])
    assert code == 2 and "name: use letters, digits" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not (tmp_path.parent / "escape").exists()
