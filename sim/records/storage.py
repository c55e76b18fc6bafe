"""Plain data on disk: atomic files and directories, small CSV summaries, standard JSON.

Every file the package writes goes through here. A file or directory is
written under a temporary name beside its target and renamed into place only
when complete, so a crash, a full disk or Ctrl-C never leaves a half-written
result; a write that fails (a full disk, a read-only mount) removes what it
had written and raises :class:`OutputError`, which says so. Cells are
formatted one fixed way, so the same data always give the same bytes. Input
files are read through :func:`read_input`: regular files of bounded size only.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import math
import os
import platform
import shutil
import stat
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


class InputFileError(ValueError):
    """An input file cannot be read safely; the message says why, for the user.

    ``reason`` is the message without the file's name (``is a directory, ...``).
    """

    def __init__(self, path: Path, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path} {reason}")


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def read_input(path: str | Path, max_bytes: int, what: str = "a file") -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, or :class:`InputFileError`.

    The file is opened without blocking and checked before reading, so a
    directory, a named pipe or a device given by mistake is refused at once
    instead of hanging, and a huge file is refused before it is read.

    Parameters
    ----------
    path : str or Path
    max_bytes : int
        The largest size accepted.
    what : str
        What the file should be, for messages (``"a scenario file (YAML)"``).
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputFileError(path, f"does not exist; expected {what}") from None
    except OSError as exc:
        raise InputFileError(path, f"cannot be opened ({exc.strerror}); expected {what}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = next((k for test, k in _KINDS if test(mode)), "a special file")
        raise InputFileError(path, f"is {kind}, not a regular file; expected {what}")
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise InputFileError(path, f"cannot be read ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise InputFileError(
            path, f"is larger than {max_bytes / 2**20:g} MB; expected {what} of at most that size"
        )
    return data


class OutputError(Exception):
    """Results cannot be written where asked; the message says why and what to do."""


PARTIAL = ".partial-"
"""Marks a directory being written: ``.<name>.partial-XXXXXXXX`` beside ``<name>``."""


def write_failure(target: str | Path, exc: OSError, left: str) -> OutputError:
    """An :class:`OutputError` for a write to ``target`` that failed with ``exc``;
    ``left`` says what was left behind."""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        advice = "free some space or write elsewhere (--out), then run again"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        advice = "choose a folder you can write to (--out or --results-root), then run again"
    else:
        advice = "check the folder, then run again"
    where = f" ({exc.filename})" if exc.filename else ""
    return OutputError(f"could not write {target}: {reason}{where}; {left}. Expected to {advice}")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` (UTF-8) so that readers see the old file or the whole new one."""
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{PARTIAL}", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; results are for sharing
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise write_failure(path, exc, "it was left as it was") from exc
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise


def check_out_dir(out_dir: str | Path) -> None:
    """Fail early, before any work, if ``out_dir`` cannot receive results."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise FileExistsError(f"{out_dir} exists and is a file; choose a directory for --out")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} already exists and is not empty; choose another --out")


@contextlib.contextmanager
def atomic_dir(out_dir: str | Path, *, replace: bool = False) -> Iterator[Path]:
    """Yield a temporary directory that becomes ``out_dir`` only on success.

    Without ``replace``, ``out_dir`` must not exist or be empty; with it, an
    existing ``out_dir`` is replaced by the new one. On any error (or
    Ctrl-C) the temporary directory is removed and ``out_dir`` is left as it
    was.
    """
    out_dir = Path(out_dir)
    if not replace:
        check_out_dir(out_dir)
    reserved = out_dir.exists() and not replace  # an empty directory made by the caller
    tmp = None

    def clean() -> None:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if reserved and out_dir.is_dir() and not any(out_dir.iterdir()):
            out_dir.rmdir()

    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}{PARTIAL}", dir=out_dir.parent))
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; results are for sharing
        yield tmp
        if replace and out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)  # atomic; replaces an empty reserved directory
    except OSError as exc:
        clean()
        raise write_failure(out_dir, exc, "nothing was left there") from exc
    except OutputError as exc:
        clean()  # a write inside failed: nothing of the folder is left, whatever it said
        if isinstance(exc.__cause__, OSError):
            raise write_failure(out_dir, exc.__cause__, "nothing was left there") from exc
        raise
    except BaseException:
        clean()
        raise


def format_cell(v: Any) -> str:
    """One table cell as text: booleans as 0/1, floats with the fewest digits that read
    back as the same number, NaN empty.

    Examples
    --------
    >>> [format_cell(x) for x in (True, 1.23456, 0.1 + 0.2, float("nan"), 7, "S1")]
    ['1', '1.23456', '0.30000000000000004', '', '7', 'S1']
    """
    import numpy as np

    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (float, np.floating)):
        if math.isnan(v):
            return ""
        return repr(float(v))
    return str(v)


def csv_text(columns: dict[str, list[Any]]) -> str:
    """A table (column name to list of cells) as CSV text."""
    buf = io.StringIO()
    write_csv_to(buf, columns)
    return buf.getvalue()


def write_csv_to(fh, columns: dict[str, list[Any]]) -> None:
    keys = list(columns)
    n = len(columns[keys[0]]) if keys else 0
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(keys)
    cols = [[format_cell(x) for x in columns[k]] for k in keys]
    w.writerows(zip(*cols) if n else [])


def write_csv(path: str | Path, columns: dict[str, list[Any]]) -> None:
    """Write a table (column name to list of cells) as CSV to ``path``."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        write_csv_to(fh, columns)


def json_default(o: Any) -> Any:
    """``json.dumps(default=...)`` for numpy scalars and arrays."""
    import numpy as np

    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"cannot write {type(o).__name__} to JSON")


def plain(o: Any) -> Any:
    """Replace NaN/inf by None and numpy scalars by Python ones, so the JSON is standard.

    Examples
    --------
    >>> import numpy as np
    >>> plain({"a": [1.0, float("nan")], "b": np.int64(3)})
    {'a': [1.0, None], 'b': 3}
    """
    import numpy as np

    if isinstance(o, dict):
        return {k: plain(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [plain(v) for v in o]
    if isinstance(o, (float, np.floating)):
        f = float(o)
        return f if math.isfinite(f) else None
    if isinstance(o, np.integer):
        return int(o)
    return o


def json_text(data: Any, indent: int = 2) -> str:
    """Standard JSON text of plain data (NaN as null), ending in a newline."""
    return json.dumps(plain(data), indent=indent, default=json_default) + "\n"


def same_data(a: Any, b: Any) -> bool:
    """Whether two results are the same plain data, NaN equal to NaN.

    ``==`` on summaries is False whenever they hold NaN (a metric with no
    observations), even for a result and its own copy.

    Examples
    --------
    >>> same_data({"x": [float("nan"), 1.0]}, {"x": [float("nan"), 1.0]})
    True
    >>> same_data({"x": 1.0}, {"x": 1.5})
    False
    """

    def text(x: Any) -> str:
        return json.dumps(plain(x), sort_keys=True, default=json_default)

    return text(a) == text(b)


def write_json(path: str | Path, data: Any) -> None:
    Path(path).write_text(json_text(data), encoding="utf-8")


def provenance(command: str | None) -> dict[str, Any]:
    """Where a result came from: command, time, Python and library versions."""
    from importlib import metadata

    versions = {}
    for pkg in ("simpy", "numpy", "networkx", "pydantic", "pyyaml"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "unknown"
    return {
        "command": command,
        "written_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "library_versions": versions,
        "time_unit": "minutes",
    }


# --------------------------------------------------------------------------- Parquet


def arrow_table(columns: dict[str, np.ndarray]):
    """numpy columns as a pyarrow Table (no conversion of values: floats exact, NaN kept)."""

    import pyarrow as pa

    return pa.table({k: pa.array(v) for k, v in columns.items()})


def parquet_writer(path: str | Path, schema):
    """A Parquet writer for scratch files read back once by this package: fast
    (lz4, no dictionary pages, no statistics) rather than small."""
    import pyarrow.parquet as pq

    return pq.ParquetWriter(
        path, schema, compression="lz4", use_dictionary=False, write_statistics=False
    )


def read_columns(path: str | Path, columns: list[str] | None = None) -> dict[str, np.ndarray]:
    """Columns of a Parquet file as numpy arrays (all if ``columns`` is None)."""

    import pyarrow.parquet as pq

    # ParquetFile.read, not pq.read_table: the latter builds a dataset (and imports
    # pyarrow.dataset) for every call, a few milliseconds per column read back.
    data = pq.ParquetFile(path, memory_map=True).read(columns=columns)
    return {name: data.column(name).to_numpy() for name in data.column_names}
