"""``cfsim validate`` (scenario, sweep and optimize files, without running them)
and ``cfsim check-model`` (the model against queueing theory)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import add_max_memory, add_workers, check_workers, error, warn


def validate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", help="scenario, sweep or optimize YAML files")
    add_workers(p)
    add_max_memory(p)


def validate_command(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Check scenario files, and sweep or optimize files (every point they make), with
    every check the command that runs them makes before running; 2 if any is invalid.

    Warnings (allowed, probably not meant) are printed on stderr and do not fail."""
    if not check_workers(args):
        return 2
    valid = [_validate_file(f, args) for f in args.files]  # every file, not up to the first bad
    return 0 if all(valid) else 2


def _validate_file(f: str, args: argparse.Namespace) -> bool:
    """Say whether one file is valid, and what it holds or what is wrong."""
    from ..analysis.preflight import describe, plan_file
    from ..analysis.projection import format_bytes
    from ..scenario import ScenarioError

    try:
        plan = plan_file(f, workers=args.workers, max_memory=args.max_memory)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return False
    warn(plan.warnings)
    d = describe(plan)
    memory = f"about {format_bytes(plan.peak_bytes)} of memory"
    if plan.kind == "scenario":
        print(
            f"ok: {f} ({d['name']}: {d['nodes']} nodes, {d['teams']} teams, horizon "
            f"{d['horizon_days']:g} d; needs {memory})"
        )
    else:
        print(
            f"ok: {f} ({plan.kind} {d['name']}: {d['points']} points, each a valid scenario; "
            f"needs {memory})"
        )
    return True


def project_validation_md() -> str | None:
    """``docs/validation.md`` if the current folder is this project's root, else None."""
    here = Path.cwd()
    if (here / "pyproject.toml").is_file() and (here / "sim" / "__init__.py").is_file():
        return "docs/validation.md"
    return None


def check_model_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--out",
        help="markdown file to write (default: docs/validation.md, only when run from the "
        "project's root folder; elsewhere --out is required)",
    )
    add_workers(p)


def check_model_command(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Run the analytic checks, write their table and print it; 1 if any fails."""
    from ..analysis.validation import markdown, run_all

    if not check_workers(args):
        return 2
    if args.out is None:
        args.out = project_validation_md()
        if args.out is None:
            return error(
                "check-model writes docs/validation.md only when run from the project's root "
                "folder; here, name the file to write with --out, e.g. --out validation.md"
            )
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
