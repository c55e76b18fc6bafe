"""``cfsim validate`` (scenario, sweep and optimize files, without running them)
and ``cfsim check-model`` (the model against queueing theory)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import add_workers, check_workers


def validate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", help="scenario YAML files")


def validate_command(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Check scenario files, and sweep or optimize files (every point they make);
    2 if any is invalid."""
    valid = [_validate_file(f) for f in args.files]  # every file, not up to the first bad one
    return 0 if all(valid) else 2


def _validate_file(f: str) -> bool:
    """Say whether one file is valid, and what it holds or what is wrong."""
    import yaml

    from ..scenario import ScenarioError
    from ..scenario.yamlfile import LOADER
    from ..world import load_scenario

    try:
        try:
            head = yaml.load(Path(f).read_text(encoding="utf-8"), Loader=LOADER)
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            head = None  # load_scenario reports it properly
        if isinstance(head, dict) and "base" in head:
            from ..analysis.sweepfile import OptimizeSpec, SweepSpec, expand, load_sweep

            kind = OptimizeSpec if "constraints" in head else SweepSpec
            spec, path = load_sweep(f, kind)
            points = expand(spec, path)
            what = "optimize" if kind is OptimizeSpec else "sweep"
            print(f"ok: {f} ({what} {spec.name}: {len(points)} points, each a valid scenario)")
            return True
        loaded = load_scenario(f)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return False
    s = loaded.scenario
    print(
        f"ok: {f} ({s.name}: {loaded.graph.number_of_nodes()} nodes, "
        f"{s.teams.total} teams, horizon {s.horizon / 1440:g} d)"
    )
    return True


def check_model_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--out",
        default="docs/validation.md",
        help="markdown file to write (default docs/validation.md)",
    )
    add_workers(p)


def check_model_command(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Run the analytic checks, write their table and print it; 1 if any fails."""
    from ..analysis.validation import markdown, run_all

    if not check_workers(args):
        return 2
    checks = run_all(
        workers=args.workers,
        progress=lambda name: print(f"running {name} checks ...", file=sys.stderr),
    )
    text = markdown(checks)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    width = max(len(c.case) for c in checks)
    for c in checks:
        cells = c.cells()
        case, analytic, simulated, tolerance, verdict = (cells[i] for i in (0, 1, 2, 3, 6))
        print(f"{case:<{width}}  {analytic:>12}  {simulated:>12}  {tolerance:>22}  {verdict}")
    failed = [c for c in checks if not c.passed]
    print(
        f"\n{len(checks) - len(failed)} of {len(checks)} checks pass; table written to {args.out}"
    )
    return 1 if failed else 0
