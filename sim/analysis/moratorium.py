"""The strike moratorium in the summary: claims, their verdicts, the reciprocal release."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import records as R
from ..records import ReplicationResult

REAL = R.CLAIM_KINDS.index("real")


def moratorium_summary(reps: list[ReplicationResult], scenario) -> dict[str, Any] | None:
    """Claims pooled over replications (by claimant and kind: sent, verified by the
    horizon, confirmed), the real violations (strikes on covered sites during the
    moratorium) and the share of them claimed and confirmed, the median days from
    a claim's batch to its verdict, and the reciprocal release: per side, the share
    of replications in which it was released and the mean day of its release."""
    spec = scenario.moratorium
    if spec is None:
        return None
    rows: dict[str, dict[str, dict[str, int]]] = {}
    waits, real_events, real_claimed, real_confirmed = [], 0, 0, 0
    for rep in reps:
        c = rep.claims
        for side_code, side in enumerate(R.SIDES):
            for kind_code, kind in enumerate(R.CLAIM_KINDS):
                sel = (c["claimant"] == side_code) & (c["kind"] == kind_code)
                cell = rows.setdefault(side, {}).setdefault(
                    kind, {"sent": 0, "verified": 0, "confirmed": 0}
                )
                cell["sent"] += int(sel.sum())
                cell["verified"] += int(np.isfinite(c["verdict"][sel]).sum())
                cell["confirmed"] += int(c["confirmed"][sel].sum())
        done = np.isfinite(c["verdict"])
        waits.append((c["verdict"] - c["batch"])[done])
        real = c["kind"] == REAL
        real_claimed += int(real.sum())
        real_confirmed += int((real & c["confirmed"]).sum())
        real_events += _real_violations(rep, spec)
    w = np.concatenate(waits) if waits else np.zeros(0)
    released = {}
    for side in R.SIDES:
        times = [rep.totals.get("released", {}).get(side, np.nan) for rep in reps]
        hit = [t for t in times if t == t]
        released[side] = {
            "share_of_replications": len(hit) / len(reps) if reps else np.nan,
            "mean_day": float(np.mean(hit)) / 1440.0 if hit else np.nan,
        }
    return {
        "start_day": spec.start / 1440.0,
        "end_day": (spec.end if spec.duration is not None else scenario.horizon) / 1440.0,
        "claims": rows,
        "real_violations": real_events,
        "real_claimed": real_claimed,
        "real_confirmed": real_confirmed,
        "median_days_to_verdict": float(np.median(w)) / 1440.0 if w.size else np.nan,
        "released": released,
    }


def _real_violations(rep: ReplicationResult, spec) -> int:
    """Strikes on covered protected sites during the moratorium (ground truth)."""
    v = rep.violations
    strike = rep.types.index("long_range_strike")
    covered = np.array(
        [k for k, n in enumerate(rep.nodes) if n in _covered_nodes(rep, spec)], dtype=np.int64
    )
    sel = (
        (v["type"] == strike)
        & (v["time"] >= spec.start)
        & (v["time"] < min(spec.end, rep.totals["horizon"]))
        & np.isin(v["node"], covered)
    )
    return int(sel.sum())


def _covered_nodes(rep: ReplicationResult, spec) -> set[str]:
    classes = set(spec.classes)
    return {s.node or s.id for s in spec.sites if s.site_class in classes}
