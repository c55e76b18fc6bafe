"""Run independent jobs in order-independent parallel: in-process, on local
cores, or on a Dask cluster.

Every job carries everything it needs (the resolved scenario as JSON, the
replication number, the seed), so a result never depends on which worker ran
it or when it finished; results come back in job order.

Worker processes die with the process that started them, however it dies
(:func:`watch_parent`): a killed sweep leaves no orphans computing on.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, Callable, Sequence

from ..records.locks import forget_inherited_locks

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5
"""How often a worker checks that its parent is alive (where the kernel cannot tell it)."""


class ExecutionError(RuntimeError):
    """The execution back-end could not be used (e.g. Dask not installed or unreachable)."""


def watch_parent(parent: int) -> None:
    """In a worker process: exit as soon as the process ``parent`` is gone.

    On Linux the kernel sends the worker SIGTERM when its parent dies
    (``prctl(PR_SET_PDEATHSIG)``); everywhere a daemon thread also checks every
    :data:`WATCH_SECONDS` that the worker has not been handed to another
    parent. The worker also lets go of the parent's output locks, so that
    they are released when the parent dies.
    """
    forget_inherited_locks()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no usable libc
            pass
    original = os.getppid()  # the parent, or a fork server that dies with it
    if not _alive(parent):  # died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(WATCH_SECONDS)
            if os.getppid() != original or not _alive(parent):
                os._exit(1)

    threading.Thread(target=watch, name="cfsim-parent-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's process has the number
        return True
    return True


def default_workers() -> int:
    """Usable CPU cores of this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def map_ordered(
    fn: Callable[[Any], Any],
    jobs: Sequence[Any],
    *,
    workers: int | None = None,
    dask: str | None = None,
    on_result: Callable[[int, Any], None] | None = None,
) -> list[Any]:
    """Apply ``fn`` to every job and return the results in job order.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled to the workers).
    jobs : sequence
        Picklable job descriptions.
    workers : int, optional
        Local worker processes; default all usable cores; 1 runs in this
        process. With ``dask="local"`` the number of Dask workers.
    dask : str, optional
        ``"local"`` to start a Dask ``LocalCluster``, or a scheduler address
        such as ``"tcp://scheduler:8786"``.
    on_result : callable(index, result), optional
        Called in this process as each job finishes (in finishing order),
        e.g. to store results or show progress.
    """
    jobs = list(jobs)
    if not jobs:
        return []
    if dask is not None:
        return _map_dask(fn, jobs, dask, workers, on_result)
    n = default_workers() if workers is None else max(1, int(workers))
    n = min(n, len(jobs))
    if n == 1:
        out = []
        for k, job in enumerate(jobs):
            res = fn(job)
            out.append(res)
            if on_result is not None:
                on_result(k, res)
        return out
    results: list[Any] = [None] * len(jobs)
    with ProcessPoolExecutor(
        max_workers=n, initializer=watch_parent, initargs=(os.getpid(),)
    ) as pool:
        futures = {pool.submit(fn, job): k for k, job in enumerate(jobs)}
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=lambda f: futures[f]):
                    k = futures[fut]
                    results[k] = fut.result()
                    if on_result is not None:
                        on_result(k, results[k])
        except BaseException:
            for fut in pending:
                fut.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return results


def _connect(client_cls, address: str, deadline: float = 20.0):
    """Connect to a scheduler, giving up after ``deadline`` seconds whatever happens.

    ``Client(timeout=...)`` bounds only the TCP connect; a listener that is
    not a Dask scheduler can stall the handshake for ever, so the connection
    is made in a daemon thread and abandoned if it does not finish in time.
    """
    box: dict[str, Any] = {}

    def connect() -> None:
        try:
            box["client"] = client_cls(address, timeout="10s")
        except BaseException as exc:  # reported below, in the caller's thread
            box["error"] = exc

    t = threading.Thread(target=connect, daemon=True)
    t.start()
    t.join(deadline)
    if "client" in box:
        return box["client"]
    why = f"{box['error']}" if "error" in box else f"no answer within {deadline:g} s"
    raise ExecutionError(
        f"cannot use the Dask scheduler at {address}: {why}. Expected the address of a "
        "running dask-scheduler, such as tcp://scheduler:8786, or 'local'"
    )


def _map_dask(fn, jobs, address, workers, on_result):
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ExecutionError(
            "Dask is not installed; install it with: pip install 'ceasefire-sim[dask]'"
        ) from None
    cluster = None
    try:
        if address == "local":
            n = default_workers() if workers is None else max(1, int(workers))
            cluster = LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
        else:
            client = _connect(Client, address)
        with client:
            futures = client.map(fn, jobs, pure=False)
            index = {f.key: k for k, f in enumerate(futures)}
            results: list[Any] = [None] * len(jobs)
            for fut in as_completed(futures):
                k = index[fut.key]
                results[k] = fut.result()
                fut.release()
                if on_result is not None:
                    on_result(k, results[k])
            return results
    finally:
        if cluster is not None:
            cluster.close()
