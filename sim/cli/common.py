"""What every sub-command shares: its record in the command table, the common
options, error messages and the figures written after a run (``--plots``).

Like the command modules, this one imports only the standard library at the
top, so that building the parser (``cfsim --help``) loads nothing of the model.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

Handler = Callable[[argparse.Namespace, list[str] | None], int]


@dataclass(frozen=True, slots=True)
class Command:
    """One sub-command of ``cfsim``.

    Attributes
    ----------
    name : str
        What the user types, e.g. ``run``.
    help : str
        One line for ``cfsim --help``.
    add_arguments : callable
        Adds the sub-command's arguments to its ``argparse`` parser.
    handle : callable
        ``handle(args, argv) -> int``: does the work and returns the exit code;
        ``argv`` is the command line as given to :func:`sim.cli.main`.
    """

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    handle: Handler


def error(message: object) -> int:
    """Print ``error: message`` on stderr and return 2, the exit code for bad input."""
    print(f"error: {message}", file=sys.stderr)
    return 2


def known_errors() -> tuple[type[BaseException], ...]:
    """The errors that are the user's to fix: shown as one line, exit code 2.

    A function, so that these imports (the engine among them) happen only
    when an error is being reported.
    """
    from ..analysis.compare import CompareError
    from ..analysis.parallel import ExecutionError
    from ..records.storage import OutputError
    from ..scenario import ScenarioError

    return (
        ScenarioError,
        OutputError,
        FileExistsError,
        PermissionError,
        ExecutionError,
        CompareError,
    )


def warn(warnings: list[str]) -> None:
    """Print each warning on stderr as ``warning: ...`` (they never stop a command)."""
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)


def command_line(argv: list[str] | None) -> str:
    """The command as typed, recorded with the results so that they can be remade."""
    return "cfsim " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))


def check_workers(args: argparse.Namespace) -> bool:
    """False, after saying why, if ``--workers`` is below 1."""
    if args.workers is not None and args.workers < 1:
        error("--workers must be at least 1")
        return False
    return True


# ---------------------------------------------------------------- options


def add_quiet(p: argparse.ArgumentParser, text: str = "print no summary or progress") -> None:
    p.add_argument("--quiet", "-q", action="store_true", help=text)


def add_results_root(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--results-root",
        default="results",
        help="where default result directories go (default: results)",
    )


def add_plots(p: argparse.ArgumentParser, extra: str = "") -> None:
    """``--plots``; ``extra`` is appended to the directory in the help text."""
    p.add_argument(
        "--plots",
        action="store_true",
        help=f"also write every figure (PNG) under <out>/figures/{extra}; "
        "cfsim plot makes them later from the saved results",
    )


def memory_size(text: str) -> float:
    """``--max-memory`` as bytes (argparse type)."""
    from ..analysis.projection import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_max_memory(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--max-memory",
        type=memory_size,
        metavar="SIZE",
        help="refuse, before running, work projected to need more memory than this, "
        "e.g. 8GB or 500MB (default: half of this machine's memory)",
    )


def add_workers(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", "-j", type=int, help="worker processes (default: all cores)")


def add_execution(p: argparse.ArgumentParser) -> None:
    """``--workers`` and ``--dask``: where the replications run."""
    add_workers(p)
    p.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run on Dask: 'local' starts a LocalCluster, or a scheduler address "
        "such as tcp://scheduler:8786 (needs ceasefire-sim[dask])",
    )


def add_table_format(p: argparse.ArgumentParser, what: str = "the run's tables") -> None:
    """``--format``: how tables are written."""
    p.add_argument(
        "--format",
        choices=("parquet", "csv"),
        default="parquet",
        help=f"file format of {what} (default parquet; both load back exactly)",
    )


@contextmanager
def table_parts(args: argparse.Namespace, out: Path) -> Iterator[Path | None]:
    """A scratch directory beside the result folder ``out`` where replications write
    their tables as they run (so memory stays flat), removed afterwards; None with
    ``--dask``, whose workers may not share this disk. It is named as a partial of
    ``out`` (``.<out>.partial-parts-*``), so what a killed run left is cleaned like
    the rest of it (:func:`sim.records.locks.clean_stale`)."""
    if getattr(args, "dask", None):
        yield None
        return
    from ..records.storage import PARTIAL

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{out.name}{PARTIAL}parts-"
    parts = Path(tempfile.mkdtemp(prefix=prefix, dir=out.parent))
    try:
        yield parts
    finally:
        shutil.rmtree(parts, ignore_errors=True)


# ---------------------------------------------------------------- figures


class FigureWriter:
    """Writes the figures into a result folder while it is being written (``--plots``
    on ``run`` and ``compare``), so results and figures appear together; a figure
    that cannot be made does not lose the results: :meth:`report` says so.

    Parameters
    ----------
    args : argparse.Namespace
        ``debug`` and ``quiet`` are read.
    shown : Path
        The folder's final name, for messages.
    makers : callable, optional
        Returns the figure makers, for results still in memory; by default
        they are read back from the folder.
    """

    def __init__(self, args: argparse.Namespace, shown: Path, makers=None):
        self.args = args
        self.shown = shown
        self.makers = makers
        self.files: list[Path] = []
        self.problem: Exception | None = None

    def __call__(self, folder: Path) -> None:
        from ..output.plotting import make_figures
        from ..output.results import ResultsError

        try:
            self.files = make_figures(folder, makers=self.makers() if self.makers else None)
        except ResultsError as exc:
            if self.args.debug:
                raise
            self.problem = exc

    def report(self) -> int:
        """Say what was written; 2 if the figures could not be made."""
        if self.problem is not None:
            return error(f"the results are saved, but not the figures: {self.problem}")
        if not self.args.quiet:
            noun = "figure" if len(self.files) == 1 else "figures"
            print(
                f"{len(self.files)} {noun} written to {self.shown / 'figures'}/; "
                f"a report: cfsim report {self.shown}"
            )
        return 0


def write_figures(args: argparse.Namespace, out: Path, makers=None) -> int:
    """Every figure of the results in ``out`` (``--plots``); 2 if they cannot be made.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line; ``debug`` and ``quiet`` are read.
    out : Path
        The result directory; figures go to ``out/figures``.
    makers : callable, optional
        Returns the figure makers, for results still in memory; by default
        they are read back from ``out``.
    """
    from ..output.plotting import make_figures
    from ..output.results import ResultsError

    try:
        files = make_figures(out, makers=makers() if makers else None)
    except ResultsError as exc:
        if args.debug:
            raise
        return error(f"the results are saved, but not the figures: {exc}")
    if not args.quiet:
        noun = "figure" if len(files) == 1 else "figures"
        print(f"{len(files)} {noun} written to {out / 'figures'}/; a report: cfsim report {out}")
    return 0
