"""Command-line interface: ``cfsim run``, ``compare``, ``sweep``, ``optimize``,
``fit``, ``plot``, ``report``, ``validate``, ``check-model``.

The CLI is thin: it parses arguments, calls library functions and turns
known errors into messages a non-programmer can act on (exit 2 for bad
input). ``--debug`` shows the full traceback instead.

- :data:`COMMANDS`: the table of sub-commands, each a :class:`~sim.cli.common.Command`;
- :mod:`~sim.cli.run`, :mod:`~sim.cli.compare`, :mod:`~sim.cli.sweep` (sweep and
  optimize), :mod:`~sim.cli.fit` (fit), :mod:`~sim.cli.figures` (plot, report,
  daily), :mod:`~sim.cli.check` (validate, check-model): each command's arguments
  and handler;
- :mod:`~sim.cli.common`: shared options, error messages and ``--plots``.

The modules import only the standard library at the top; a handler imports
what it needs when it runs, so that ``cfsim --help`` and ``cfsim validate``
do not load the engine, matplotlib or Dask.

May import: every layer below it (:mod:`sim.records`, :mod:`sim.scenario`,
:mod:`sim.world`, :mod:`sim.engine`, :mod:`sim.analysis`, :mod:`sim.output`);
nothing imports the CLI.
"""

from __future__ import annotations

import argparse
import sys

from ..records.version import __version__
from . import check, compare, figures, fit, run, sweep
from .common import Command, error, known_errors

# In the order of ``cfsim --help``.
COMMANDS: tuple[Command, ...] = (
    Command("run", "run a scenario file and write results", run.run_arguments, run.run_command),
    Command(
        "compare",
        "compare configurations over the same replications (paired CIs)",
        compare.compare_arguments,
        compare.compare_command,
    ),
    Command(
        "sweep",
        "run a sweep file: a grid of parameters or a list of variants",
        sweep.sweep_arguments,
        sweep.sweep_command,
    ),
    Command(
        "optimize",
        "find the least staff that meets service targets (an optimize file)",
        sweep.optimize_arguments,
        sweep.optimize_command,
    ),
    Command(
        "daily",
        "write the daily report of one simulated day of a run (HTML and Markdown)",
        figures.daily_arguments,
        figures.daily_command,
    ),
    Command(
        "fit",
        "estimate violations (regimes, hot spots, profiles) from an event log; check the fit",
        fit.fit_arguments,
        fit.fit_command,
    ),
    Command(
        "check-model",
        "run the analytic validation checks and write the table (docs/validation.md)",
        check.check_model_arguments,
        check.check_model_command,
    ),
    Command(
        "plot",
        "make figures from saved results (a run, comparison, sweep or optimize)",
        figures.plot_arguments,
        figures.plot_command,
    ),
    Command(
        "report",
        "write report.html: one self-contained page with summary and figures",
        figures.report_arguments,
        figures.report_command,
    ),
    Command(
        "validate",
        "check scenario files without running them",
        check.validate_arguments,
        check.validate_command,
    ),
)


def build_parser() -> argparse.ArgumentParser:
    """The ``cfsim`` parser: the global options, then one sub-parser per command."""
    p = argparse.ArgumentParser(
        prog="cfsim",
        description="Simulate a trilateral ceasefire-monitoring coordination center.",
    )
    p.add_argument("--version", action="version", version=f"cfsim {__version__}")
    p.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_arguments(sub.add_parser(command.name, help=command.help))
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code.

    0 ok, 2 bad input (a one-line message; ``--debug`` raises instead),
    1 failure (a check-model check or an optimize target not met), 130 interrupted.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    handle = {c.name: c.handle for c in COMMANDS}[args.command]
    try:
        return handle(args, argv)
    except KeyboardInterrupt:
        # run and compare write their folder whole or not at all; plot writes figure by figure
        kept = "the figures written before it were kept" if args.command == "plot" else None
        print(f"\ninterrupted; {kept or 'nothing was written'}", file=sys.stderr)
        return 130
    except known_errors() as exc:  # evaluated only once something was raised
        if args.debug:
            raise
        return error(exc)


def console() -> int:
    """``cfsim`` as installed: :func:`main` in a process of its own.

    pyarrow imports pandas, when it is installed, at its first conversion of an
    array: some 40 MB and a third of a second that no command uses. The
    command-line process tells the import system that pandas is not there; a
    Python session calling :func:`main` or the library imports what it likes.
    """
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, _WithoutPandas())
    return main()


class _WithoutPandas:
    """An import finder that says pandas is not installed."""

    def find_spec(self, name: str, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError("pandas is not used by cfsim", name=name)
        return None
