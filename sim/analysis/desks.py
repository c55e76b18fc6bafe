"""Desk and team workload: utilisation, queues and waits, per desk, per shift and per hour.

A daily average hides a thin night shift: a desk 39% busy over the day can
be 80% busy per officer on duty at night. Every time average here is exact
(integrals recorded by the engine per part of the day, see
:class:`~sim.engine.monitor.BinnedLevel`); waits are over the reports that
arrived in that part of the day.
"""

from __future__ import annotations

import numpy as np

from .. import records as R
from ..records import ReplicationResult


def desk_stats(rep: ReplicationResult, warmup: float) -> dict[str, dict[str, float]]:
    """Per desk: utilisation, time-average queue length, mean wait and P(wait > 0).

    ``mean_wait`` and ``p_wait`` are over the reports taken in.
    ``mean_time_in_queue`` is over every report that arrived after the
    warm-up: those taken in, those that expired (until they expired) and
    those still waiting at the horizon (until the horizon); by Little's law
    ``mean_queue ≈ reports_per_minute × mean_time_in_queue``.
    """
    T = rep.totals["measured_minutes"]
    m = R.measured("reports", rep.reports, warmup)
    r = rep.reports
    out = {}
    for k, p in enumerate(R.PARTIES):
        tot = rep.totals["desks"][p]
        mask = m & (r["desk"] == k)
        wait = (r["ack"] - r["arrival"])[mask]
        taken = wait[np.isfinite(wait)]
        expired = r["state"][mask] == R.REPORT_STATES.index("expired")
        left_at = np.where(
            np.isfinite(r["ack"][mask]),
            r["ack"][mask],
            np.where(expired, r["state_time"][mask], rep.totals["horizon"]),
        )
        in_queue = left_at - r["arrival"][mask]
        out[p] = {
            "utilisation": tot["busy"] / tot["on_duty"] if tot["on_duty"] > 0 else float("nan"),
            "mean_queue": tot["queue"] / T if T > 0 else float("nan"),
            "mean_officers": tot["on_duty"] / T if T > 0 else float("nan"),
            "mean_wait": float(taken.mean()) if taken.size else float("nan"),
            "p_wait": float((taken > 0).mean()) if taken.size else float("nan"),
            "mean_time_in_queue": float(in_queue.mean()) if in_queue.size else float("nan"),
            "reports_per_minute": float(mask.sum()) / T if T > 0 else float("nan"),
            "reports": int(mask.sum()),
        }
    return out


def team_utilisation(rep: ReplicationResult) -> float:
    """Busy team-minutes over team-minutes in the measured period."""
    T = rep.totals["measured_minutes"]
    n = rep.totals["teams"]["count"]
    return rep.totals["teams"]["busy"] / (n * T) if n and T > 0 else float("nan")


def in_window(minute: np.ndarray, start: float, end: float) -> np.ndarray:
    """Whether minutes of the day lie in ``[start, end)`` (wrapping past midnight;
    ``start == end`` is the whole day).

    Examples
    --------
    >>> in_window(np.array([100.0, 1300.0, 700.0]), 1320, 360).tolist()
    [True, False, False]
    """
    if start == end:
        return np.ones(minute.shape, dtype=bool)
    if start < end:
        return (minute >= start) & (minute < end)
    return (minute >= start) | (minute < end)


def _desk_reports(rep, desk: int, mask) -> dict[str, np.ndarray]:
    """The measured reports of one desk: arrival, minute of the day and wait."""
    r = rep.reports
    sel = mask & (r["desk"] == desk)
    arrival = r["arrival"][sel]
    return {"arrival": arrival, "minute": arrival % 1440.0, "wait": r["ack"][sel] - arrival}


def _window_stats(rep, tot, reports: dict[str, np.ndarray], start: float, end: float, ack_target):
    """Utilisation and waits of one desk (``reports`` from :func:`_desk_reports`) over
    the minutes of the day in [start, end)."""
    edges = np.asarray(tot["bin_edges"], dtype=float)
    bins = in_window(edges[:-1], start, end)
    busy = float(np.asarray(tot["busy_by_bin"])[bins].sum())
    on_duty = float(np.asarray(tot["on_duty_by_bin"])[bins].sum())
    sel = in_window(reports["minute"], start, end)
    wait = reports["wait"][sel]
    taken = wait[np.isfinite(wait)]
    nan = float("nan")
    out = {
        "utilisation": busy / on_duty if on_duty > 0 else nan,
        "officers": on_duty / max(float(np.sum(np.diff(edges)[bins])), 1.0) / _days(rep),
        "reports": int(sel.sum()),
        "p_wait": float((taken > 0).mean()) if taken.size else nan,
        "mean_wait": float(taken.mean()) if taken.size else nan,
        "within_acknowledge": nan,
    }
    if ack_target is not None:
        arrival = reports["arrival"][sel]
        decidable = np.isfinite(wait) | (arrival + ack_target <= rep.totals["horizon"])
        ok = np.isfinite(wait) & (wait <= ack_target)
        out["within_acknowledge"] = float(ok[decidable].mean()) if decidable.any() else nan
    return out


def _days(rep: ReplicationResult) -> float:
    return max(rep.totals["measured_minutes"] / 1440.0, 1e-9)


def shift_stats(
    rep: ReplicationResult, warmup: float, ack_target: float | None
) -> dict[str, list[dict[str, object]]]:
    """Per desk and per shift of its plan: utilisation per officer on duty, mean
    officers on duty, P(wait), mean wait and the share acknowledged within
    ``ack_target`` (minutes), over the shift's hours of every measured day."""
    m = R.measured("reports", rep.reports, warmup)
    out = {}
    for k, p in enumerate(R.PARTIES):
        tot = rep.totals["desks"][p]
        rows = []
        reports = _desk_reports(rep, k, m)
        for sh in tot["shifts"]:
            row = {"shift": sh["name"], "start": sh["start"], "end": sh["end"]}
            row.update(_window_stats(rep, tot, reports, sh["start"], sh["end"], ack_target))
            rows.append(row)
        out[p] = rows
    return out


def hour_stats(
    rep: ReplicationResult, warmup: float, ack_target: float | None
) -> dict[str, list[dict[str, object]]]:
    """Like :func:`shift_stats`, for each hour of the day (24 rows per desk)."""
    m = R.measured("reports", rep.reports, warmup)
    out = {}
    for k, p in enumerate(R.PARTIES):
        tot = rep.totals["desks"][p]
        reports = _desk_reports(rep, k, m)
        out[p] = [
            {"hour": h, **_window_stats(rep, tot, reports, 60.0 * h, 60.0 * (h + 1), ack_target)}
            for h in range(24)
        ]
    return out
