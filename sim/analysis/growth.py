"""Queues that grew without bound during a run: a trend test on the time series.

A queue whose offered load exceeds its capacity does not settle: it grows
for as long as the run lasts (or until waiting work expires). The test
splits the measured period of each replication into thirds and calls a
queue *growing* when its mean length rises from each third to the next and
the last third's mean is at least :data:`FACTOR` times the first's plus
:data:`MARGIN` (one more item waiting), in more than half of the
replications. A stable queue, however busy, has three similar thirds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..records import ReplicationResult

QUEUES = {
    "queue_RU": "RU desk queue (reports)",
    "queue_UA": "UA desk queue (reports)",
    "queue_US": "US desk queue (reports)",
    "joint_waiting": "joint assessments waiting for officers",
    "teams_queue": "incidents waiting for a team",
}
"""Time-series columns tested, and what each counts."""
FACTOR = 1.5
MARGIN = 1.0


def thirds(time: np.ndarray, values: np.ndarray, warmup: float) -> tuple[float, float, float]:
    """Mean of ``values`` over each third of the samples at or after ``warmup``.

    Examples
    --------
    >>> t = np.arange(9.0)
    >>> thirds(t, t, 0.0)
    (1.0, 4.0, 7.0)
    """
    keep = time >= warmup
    parts = np.array_split(values[keep], 3)
    means = [float(p.mean()) if p.size else float("nan") for p in parts]
    return means[0], means[1], means[2]


def grew(first: float, middle: float, last: float) -> bool:
    """Whether three thirds' means show a queue growing without bound.

    Examples
    --------
    >>> grew(10.0, 40.0, 70.0), grew(3.1, 2.9, 3.2), grew(0.1, 0.2, 0.3)
    (True, False, False)
    """
    return bool(first < middle < last and last >= FACTOR * first + MARGIN)


def queue_growth(reps: list[ReplicationResult], warmup: float) -> dict[str, dict[str, Any]]:
    """The queues that grew without bound in most replications.

    Returns
    -------
    dict
        Time-series column -> ``label``, ``first_third`` and ``last_third`` (mean
        length over the replications) and ``replications`` (how many grew);
        only queues that grew in more than half of the replications.
    """
    out: dict[str, dict[str, Any]] = {}
    for column, label in QUEUES.items():
        rows = [
            thirds(rep.series["time"], rep.series[column], warmup)
            for rep in reps
            if column in rep.series and rep.series["time"].size >= 3
        ]
        growing = sum(grew(*r) for r in rows)
        if rows and growing * 2 > len(rows):
            out[column] = {
                "label": label,
                "first_third": float(np.mean([r[0] for r in rows])),
                "last_third": float(np.mean([r[2] for r in rows])),
                "replications": growing,
            }
    return out
