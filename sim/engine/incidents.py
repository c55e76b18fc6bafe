"""Incidents: the center's working objects, the open-incident index for merging, the table.

An incident is opened by the first triaged report that matches no open
incident; later matching reports merge into it. It stays open for merging
until its finding.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

import numpy as np

from .. import records as R

NAN = float("nan")


@dataclass(slots=True)
class Incident:
    """One incident as it moves through the center and the teams.

    Times are minutes (NaN until the event happens); codes index the
    vocabulary of :mod:`sim.records.codes` (-1: none).
    """

    id: int
    node: int
    event_time: float
    created: float
    lead: int  # the report that opened it; its draws are the incident's
    severity: int
    affected: int  # side code of the party holding the site
    reports: list[int] = field(default_factory=list)
    team: int = -1
    base: int = -1
    km: float = NAN
    dispatch: float = NAN
    depart: float = NAN
    on_site: float = NAN
    returned: float = NAN
    unserved: float = NAN  # when it stopped waiting for a team that never came
    denied: bool = False
    checked: dict[int, tuple[bool, int]] | None = None  # violation -> (verified, attributed to)
    reason: int = 0
    finding: float = NAN
    outcome: int = -1
    attribution: int = -1
    attribution_correct: int = -1


class OpenIncidents:
    """Open incidents by node, sorted by claimed event time, for merging.

    Parameters
    ----------
    near : list of numpy.ndarray
        ``near[j]``: the nodes within the merge distance of node ``j``.
    window : float
        Largest difference of claimed times that still merges (minutes).
    """

    def __init__(self, near: list[np.ndarray], window: float):
        self.near = near
        self.window = window
        self.at: dict[int, list[tuple[float, int]]] = {}

    def add(self, inc: Incident) -> None:
        bisect.insort(self.at.setdefault(inc.node, []), (inc.event_time, inc.id))

    def remove(self, inc: Incident) -> None:
        lst = self.at[inc.node]
        del lst[bisect.bisect_left(lst, (inc.event_time, inc.id))]

    def find(self, node: int, event_time: float) -> int:
        """The earliest-opened incident a report at ``node`` claiming ``event_time``
        merges into, or -1."""
        best = -1
        lo_key, hi_key = (event_time - self.window, -1), (event_time + self.window, math.inf)
        for j in self.near[node]:
            lst = self.at.get(int(j))
            if not lst:
                continue
            for _, inc in lst[bisect.bisect_left(lst, lo_key) : bisect.bisect_right(lst, hi_key)]:
                if best < 0 or inc < best:
                    best = inc
        return best


def incident_table(incidents: list[Incident], reports: R.Table, draws) -> R.Table:
    """The incidents table (one row per incident; see docs/outputs.md).

    ``draws`` holds the per-report draws; an incident's are its first report's.
    """
    k = len(incidents)
    arrival, violation = reports["arrival"], reports["violation"]
    lead = np.array([x.lead for x in incidents], dtype=np.int64)

    def col(name: str, dtype=float) -> np.ndarray:
        return (
            np.array([getattr(x, name) for x in incidents], dtype=dtype)
            if k
            else np.zeros(0, dtype)
        )

    outcome = col("outcome", np.int64)
    reason = col("reason", np.int64)
    still = outcome < 0
    outcome[still] = R.INCIDENT_OUTCOMES.index("open_at_end")
    # an open incident keeps a reason it already has (e.g. below_min_severity)
    reason[still & (reason == 0)] = R.INCIDENT_REASONS.index("open_at_end")
    first = np.array([arrival[x.reports].min() for x in incidents]) if k else np.zeros(0)
    n_true = np.array(
        [len({int(v) for v in violation[x.reports] if v >= 0}) for x in incidents], dtype=np.int64
    )
    n_ver = np.array(
        [sum(ok for ok, _ in (x.checked or {}).values()) for x in incidents], dtype=np.int64
    )
    return {
        "incident": np.arange(k, dtype=np.int64),
        "node": col("node", np.int64),
        "event_time": col("event_time"),
        "first_report": first,
        "created": col("created"),
        "lead_report": lead,
        "key": reports["key"][lead],
        "n_reports": np.array([len(x.reports) for x in incidents], dtype=np.int64),
        "n_violations": n_true,
        "severity": col("severity", np.int64),
        "team": col("team", np.int64),
        "base": col("base", np.int64),
        "travel_km": col("km"),
        "dispatch": col("dispatch"),
        "depart": col("depart"),
        "on_site": col("on_site"),
        "access_denied": col("denied", bool),
        "n_verified": n_ver,
        "finding": col("finding"),
        "returned": col("returned"),
        "unserved": col("unserved"),
        "outcome": outcome,
        "reason": reason,
        "attribution": col("attribution", np.int64),
        "attribution_correct": col("attribution_correct", np.int64),
        "assessment_time": draws.assess_time[lead],
        "prepare_time": draws.prep_time[lead],
        "on_site_time": draws.onsite_time[lead],
    }
