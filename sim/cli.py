"""Command-line interface: ``cfsim run``, ``cfsim validate``.

The CLI is thin: it parses arguments, calls library functions and turns
known errors into messages a non-programmer can act on (exit 2 for bad
input). ``--debug`` shows the full traceback instead.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from . import __version__
from .scenario import ScenarioError, load_scenario


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cfsim",
        description="Simulate a trilateral ceasefire-monitoring coordination center.",
    )
    p.add_argument("--version", action="version", version=f"cfsim {__version__}")
    p.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    r = sub.add_parser("run", help="run a scenario file and write results")
    r.add_argument("scenario", help="scenario YAML file")
    r.add_argument("--seed", type=int, help="root seed (default: the scenario's seed)")
    r.add_argument("--replications", "-n", type=int,
                   help="number of replications (default: the scenario's)")
    r.add_argument("--out", help="result directory (default: results/<scenario>/<run-id>)")
    r.add_argument("--results-root", default="results",
                   help="where default result directories go (default: results)")
    r.add_argument("--quiet", "-q", action="store_true", help="print no summary or progress")

    v = sub.add_parser("validate", help="check scenario files without running them")
    v.add_argument("files", nargs="+", help="scenario YAML files")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code (0 ok, 2 bad input, 1 failure)."""
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 2
    try:
        if args.command == "run":
            return _run(args, argv)
        if args.command == "validate":
            return _validate(args)
    except ScenarioError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (FileExistsError, PermissionError) as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; nothing was written", file=sys.stderr)
        return 130
    return 2


def _run(args, argv) -> int:
    from .console import Progress, format_summary
    from .experiment import run
    from .io import default_run_dir, write_run

    if args.replications is not None and args.replications < 1:
        print("error: --replications must be at least 1", file=sys.stderr)
        return 2
    if args.seed is not None and args.seed < 0:
        print("error: --seed must be >= 0", file=sys.stderr)
        return 2
    loaded = load_scenario(args.scenario)
    progress = None if args.quiet else Progress()
    result = run(loaded, seed=args.seed, replications=args.replications, progress=progress)
    if progress is not None:
        progress.finish()
    out = Path(args.out) if args.out else default_run_dir(
        Path(args.results_root), loaded.scenario.name, result.seed
    )
    command = "cfsim " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
    write_run(result, out, command=command)
    if not args.quiet:
        print(format_summary(result.summary, result.metadata))
        print(f"\nResults written to {out}/ ({result.metadata['wall_seconds']:.1f} s)")
    return 0


def _validate(args) -> int:
    bad = 0
    for f in args.files:
        try:
            loaded = load_scenario(f)
        except ScenarioError as exc:
            print(f"error: {exc}", file=sys.stderr)
            bad += 1
            continue
        s = loaded.scenario
        print(f"ok: {f} ({s.name}: {loaded.graph.number_of_nodes()} nodes, "
              f"{s.teams.total} teams, horizon {s.horizon / 1440:g} d)")
    return 2 if bad else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
