"""Output folders: checked before any work, locked while written, cleaned after a crash.

Before a command simulates anything, :func:`check_target` makes sure its
result folder can be written (not a file, a writable parent, names the file
system accepts). While it runs, :func:`folder_lock` holds a lock beside the
folder (``.<name>.lock``, an advisory ``flock``), so a second command writing
to the same folder is refused at once with the holder's process id; the
kernel releases the lock when its holder dies, however it dies. On start,
:func:`clean_stale` removes what a killed run left in the folder's parent:
partial folders (``.<name>.partial-*``), their reserved empty folder and
lock files nobody holds.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import socket
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from .storage import PARTIAL, OutputError, write_failure

LOCK = ".lock"
NAME_MAX = 255
"""The longest file name in bytes on common file systems (ext4, XFS, APFS, NTFS)."""
PATH_MAX = 4096
SUFFIX_ROOM = len(PARTIAL) + 10
"""Room a result folder's name needs for the temporary name it is written under."""

_HELD: set[int] = set()  # lock descriptors held by this process


class FolderBusy(OutputError):
    """Another command holds the lock of a result folder."""


def check_target(target: str | Path, what: str = "--out", shown: str | None = None) -> None:
    """Refuse, before any work, a result folder that cannot be written.

    The folder may exist (then it must be a directory) or not (then its
    nearest existing parent must be a writable directory); every name on the
    way must fit the file system with room for the temporary name. ``what``
    is the option that chose the folder and ``shown`` the folder as the user
    should read it, for messages.

    Raises
    ------
    OutputError
    """
    target = Path(target)
    shown = shown or str(target)
    full = Path(os.path.abspath(target))
    for part in full.parts:
        if len(part.encode("utf-8")) + (SUFFIX_ROOM if part == full.name else 0) > NAME_MAX:
            raise OutputError(
                f"the folder name {part[:40]}... in {what} is {len(part.encode())} bytes long; "
                f"expected a name of at most {NAME_MAX - SUFFIX_ROOM} bytes"
            )
    if len(str(full).encode("utf-8")) + NAME_MAX > PATH_MAX:
        raise OutputError(f"the path of {what} is too long; expected a shorter one")
    probe = full
    while not probe.exists():
        if probe.is_symlink():
            raise OutputError(f"{probe} is a broken link; expected a folder for {what}")
        probe = probe.parent
    if not probe.is_dir():
        raise OutputError(
            f"{probe} exists and is a file; expected a folder for {what} (the results would "
            f"go to {shown})"
        )
    if probe == full:
        return
    if not os.access(probe, os.W_OK | os.X_OK):
        reason = "it is on a read-only file system" if _read_only(probe) else "permission denied"
        raise OutputError(
            f"cannot create {shown}: {probe} is not writable ({reason}); expected a folder "
            f"you can write to for {what}"
        )


def _read_only(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:  # pragma: no cover
        return False


def lock_path(folder: str | Path) -> Path:
    """The lock file of a result folder: ``.<name>.lock`` beside it."""
    folder = Path(folder)
    return folder.parent / f".{folder.name}{LOCK}"


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    return text or "a process that has not said which"


def _try_lock(path: Path) -> int | None:
    """A descriptor holding the exclusive lock on ``path``, or None if another holds it."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # its last holder removed it between our open and lock: again


def _release(fd: int, path: Path) -> None:
    try:
        if os.stat(path).st_ino == os.fstat(fd).st_ino:
            path.unlink()
    except OSError:
        pass
    _HELD.discard(fd)
    os.close(fd)


@contextlib.contextmanager
def folder_lock(path: str | Path, what: str) -> Iterator[None]:
    """Hold the exclusive lock ``path`` for the block; refuse at once if it is held.

    Parameters
    ----------
    path : str or Path
        The lock file (created, removed at the end).
    what : str
        The folder it protects, for the message.

    Raises
    ------
    FolderBusy
        When another process holds it.
    OutputError
        When it cannot be created (a read-only or full file system).
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = _try_lock(path)
    except OSError as exc:
        raise write_failure(path.parent, exc, "nothing was written") from exc
    if fd is None:
        raise FolderBusy(
            f"{what} is being written by another cfsim command ({_holder(path)}); expected "
            "one command per folder: wait for it to finish or choose another --out"
        )
    _HELD.add(fd)
    try:
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()} since {stamp}\n".encode())
    except OSError as exc:
        _release(fd, path)
        raise write_failure(path.parent, exc, "nothing was written") from exc
    try:
        yield
    finally:
        _release(fd, path)


def forget_inherited_locks() -> None:
    """In a forked worker: close the lock descriptors inherited from the parent, so
    that the parent's locks die with the parent even while workers live on."""
    for fd in list(_HELD):
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


def clean_stale(parent: str | Path) -> list[Path]:
    """Remove what killed commands left in ``parent``; return what was removed.

    A partial folder ``.<name>.partial-*``, the empty folder ``<name>``
    reserved for it and the lock file ``.<name>.lock`` are removed when no
    running command holds that lock. Nothing else is touched.
    """
    parent = Path(parent)
    removed: list[Path] = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    names = set()
    for p in entries:
        n = p.name
        if n.startswith(".") and PARTIAL in n:
            names.add(n[1 : n.rindex(PARTIAL)])
        elif n.startswith(".") and n.endswith(LOCK) and len(n) > len(LOCK) + 1:
            names.add(n[1 : -len(LOCK)])
    for name in sorted(names):
        lock = parent / f".{name}{LOCK}"
        try:
            fd = _try_lock(lock)
        except OSError:
            continue
        if fd is None:
            continue  # a running command's
        try:
            for p in parent.glob(f".{_glob_escape(name)}{PARTIAL}*"):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
            reserved = parent / name
            if reserved.is_dir() and not any(reserved.iterdir()):
                reserved.rmdir()
                removed.append(reserved)
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ENOTEMPTY):
                raise
        finally:
            _release(fd, lock)
    return removed


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)
