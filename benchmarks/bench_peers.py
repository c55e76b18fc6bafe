"""Benchmark against peers: the same M/M/5 queue in cfsim, idiomatic SimPy and Ciw.

``benchmarks/mm5.yaml`` reduces the full model to an M/M/5 queue at
utilisation 0.9 (about 200,000 reports over 618 days, no merging, no joint
assessment, no teams). This script runs, as separate whole processes,

- ``cfsim run benchmarks/mm5.yaml`` (start-up, simulation, summary and the
  four Parquet tables written: everything a user waits for);
- the same run cut to one simulated day (``cfsim-1d``): what a run costs
  whatever its length;
- the same queue in idiomatic SimPy (``peers/simpy_mmc.py``);
- the same queue in SimPy at its leanest (``peers/simpy_lean.py``: callbacks,
  no processes, no records but the waits): the floor of SimPy's event loop;
- the same queue in Ciw (``peers/ciw_mmc.py``) when Ciw is installed;

alternating them ``--rounds`` times so that a noisy machine slows all of them
alike, and prints each one's median and best wall time, its peak resident
memory (from ``wait4``, per process) and cfsim's ratio to SimPy. It also
checks that cfsim's waits are the same, report by report, as those of the
reference run recorded in ``mm5_waits.sha256`` (same seed, same waits).

Usage::

    python benchmarks/bench_peers.py [--rounds 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUEUE = ["--servers", "5", "--rho", "0.9", "--service", "20", "--days", "618"]
TARGET_RATIO = 0.5  # cfsim time / idiomatic SimPy time
TARGET_MB = 100.0  # cfsim peak memory


def cfsim_command(out: Path, scenario: Path = HERE / "mm5.yaml") -> list[str]:
    script = Path(sys.executable).with_name("cfsim")
    main = "import sys; from sim.cli import main; sys.exit(main())"
    head = [str(script)] if script.exists() else [sys.executable, "-c", main]
    return head + ["run", str(scenario), "-q", "-j", "1", "--out", str(out)]


def one_day_scenario(folder: Path) -> Path:
    """The benchmark's scenario cut to one simulated day: what a run costs before
    the queue (start-up, checks, summary, tables)."""
    path = folder / "mm5_1d.yaml"
    path.write_text(f"extends: {json.dumps(str(HERE / 'mm5.yaml'))}\nhorizon: 1d\n")
    return path


def measure(cmd: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system), peak resident memory (MB) and
    standard output of one process. CPU time is what a loaded machine distorts
    least: waiting for a core does not count."""
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        pid = os.posix_spawn(
            cmd[0],
            cmd,
            dict(os.environ),
            file_actions=[
                (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
            ],
        )
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"benchmark process failed: {' '.join(cmd)}")
        out.seek(0)
        text = out.read().decode()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, text


def waits_digest(run_dir: Path) -> tuple[str, float, int]:
    """SHA-256 of every report's wait (ack - arrival, float64, report order), their
    mean and count."""
    import numpy as np
    import pyarrow.parquet as pq

    t = pq.read_table(run_dir / "reports.parquet", columns=["arrival", "ack"])
    arrival = t.column("arrival").to_numpy(zero_copy_only=False).astype("<f8")
    ack = t.column("ack").to_numpy(zero_copy_only=False).astype("<f8")  # null -> NaN
    waits = ack - arrival
    return hashlib.sha256(waits.tobytes()).hexdigest(), float(np.nanmean(waits)), waits.size


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="alternations (default 3)")
    ap.add_argument("--json", help="also write the measurements to this JSON file")
    args = ap.parse_args(argv)

    peers = {
        "simpy": [sys.executable, str(HERE / "peers" / "simpy_mmc.py"), *QUEUE],
        "lean": [sys.executable, str(HERE / "peers" / "simpy_lean.py"), *QUEUE],
    }
    if importlib.util.find_spec("ciw") is not None:
        peers["ciw"] = [sys.executable, str(HERE / "peers" / "ciw_mmc.py"), *QUEUE]
    times: dict[str, list[float]] = {"cfsim": [], "cfsim-1d": [], **{p: [] for p in peers}}
    cpu: dict[str, list[float]] = {k: [] for k in times}
    memory: dict[str, list[float]] = {k: [] for k in times}
    printed: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            out = Path(tmp) / f"run{r}"
            fixed = cfsim_command(Path(tmp) / f"day{r}", one_day_scenario(Path(tmp)))
            for name, cmd in [("cfsim", cfsim_command(out)), ("cfsim-1d", fixed), *peers.items()]:
                wall, used, mb, text = measure(cmd)
                times[name].append(wall)
                cpu[name].append(used)
                memory[name].append(mb)
                printed[name] = text.strip()
                print(
                    f"round {r + 1}: {name:8s} {wall:6.2f} s  cpu {used:6.2f} s  {mb:6.0f} MB",
                    file=sys.stderr,
                )
        digest, mean_wait, n = waits_digest(Path(tmp) / "run0")
    reference = (HERE / "mm5_waits.sha256").read_text().split()[0]
    median = {k: statistics.median(v) for k, v in times.items()}
    median_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    ratio = median["cfsim"] / median["simpy"]
    cpu_ratio = median_cpu["cfsim"] / median_cpu["simpy"]
    peak = max(memory["cfsim"])
    print(f"M/M/5 at utilisation 0.9, 618 days; {args.rounds} alternating rounds, whole processes")
    head = ("median s", "best s", "vs SimPy", "cpu s", "vs SimPy", "peak MB")
    print(f"{'':9s}" + "".join(f"{h:>10s}" for h in head))
    for k in times:
        print(
            f"{k:9s}{median[k]:10.2f}{min(times[k]):10.2f}{median[k] / median['simpy']:9.2f}x"
            f"{median_cpu[k]:10.2f}{median_cpu[k] / median_cpu['simpy']:9.2f}x"
            f"{max(memory[k]):10.0f}"
        )
    floor = median["lean"] / median["simpy"]
    left = TARGET_RATIO * median["simpy"] - median["lean"]
    print(
        f"SimPy's leanest loop alone takes {floor:.2f}x idiomatic SimPy: a {TARGET_RATIO}x target "
        f"leaves {left:.2f} s beyond it for start-up, records, summary and tables"
    )
    print(f"cfsim: {n} reports, mean wait {mean_wait:.3f} min")
    for k in peers:
        print(f"{k}: {printed[k]}")
    same = digest == reference
    print(f"same waits as the reference run (mm5_waits.sha256): {'yes' if same else 'NO'}")
    print(
        f"targets: time <= {TARGET_RATIO}x SimPy: {'met' if ratio <= TARGET_RATIO else 'not met'} "
        f"({ratio:.2f}x wall, {cpu_ratio:.2f}x CPU); peak <= {TARGET_MB:.0f} MB: "
        f"{'met' if peak <= TARGET_MB else 'not met'} ({peak:.0f} MB)"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "times": times,
                    "cpu": cpu,
                    "peak_mb": memory,
                    "ratio": ratio,
                    "cpu_ratio": cpu_ratio,
                    "same_waits": same,
                },
                indent=1,
            )
        )
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
