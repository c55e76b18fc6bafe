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
    key: int  # the lead report's key
    severity: int
    affected: int  # side code of the party holding the site
    first_report: float  # the earliest arrival among its reports
    assessment_time: float  # the lead report's draws
    prepare_time: float
    on_site_time: float
    u_access: float
    reports: list[int] = field(default_factory=list)
    violations: list[int] = field(default_factory=list)  # per report: its violation, -1 if false
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
    technical: bool = False  # a technical-channel report of a real violation is in it
    strength: float = 0.0  # evidence strength of the finding (0 to 1)
    grade: int = -1  # FINDING_GRADES: what the evidence supports
    final_grade: int = -1  # ... and what the desks agreed (disputed if they did not)
    direction: int = -1  # the side the finding names (attribution or direction of fire)
    dissent: list[bool] = field(default_factory=lambda: [False, False, False])
    quorum: int = 0  # desks that took part in the joint assessment
    absent: int = -1  # the desk that was not there (emergency quorum), to review later
    review: float = NAN
    disputed: float = NAN
    dispute_level: int = -1  # the ladder level that settled it
    dispute_closed: float = NAN
    in_dispute: bool = False  # referred and not settled yet


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


INCIDENT_SCHEMA = {
    "incident": np.int64,
    "node": np.int64,
    "event_time": np.float64,
    "first_report": np.float64,
    "created": np.float64,
    "lead_report": np.int64,
    "key": np.uint64,
    "n_reports": np.int64,
    "n_violations": np.int64,
    "severity": np.int64,
    "team": np.int64,
    "base": np.int64,
    "travel_km": np.float64,
    "dispatch": np.float64,
    "depart": np.float64,
    "on_site": np.float64,
    "access_denied": np.bool_,
    "n_verified": np.int64,
    "finding": np.float64,
    "returned": np.float64,
    "unserved": np.float64,
    "outcome": np.int64,
    "reason": np.int64,
    "attribution": np.int64,
    "attribution_correct": np.int64,
    "assessment_time": np.float64,
    "prepare_time": np.float64,
    "on_site_time": np.float64,
    "grade": np.int64,
    "final_grade": np.int64,
    "direction": np.int64,
    "dissent_RU": np.bool_,
    "dissent_UA": np.bool_,
    "dissent_US": np.bool_,
    "quorum": np.int64,
    "review": np.float64,
    "disputed": np.float64,
    "dispute_level": np.int64,
    "dispute_closed": np.float64,
}


def incident_row(x: Incident) -> tuple:
    """A finished incident as one row of values in :data:`INCIDENT_SCHEMA` order."""
    return (
        x.id,
        x.node,
        x.event_time,
        x.first_report,
        x.created,
        x.lead,
        x.key,
        len(x.reports),
        len({v for v in x.violations if v >= 0}),
        x.severity,
        x.team,
        x.base,
        x.km,
        x.dispatch,
        x.depart,
        x.on_site,
        x.denied,
        sum(ok for ok, _ in (x.checked or {}).values()),
        x.finding,
        x.returned,
        x.unserved,
        x.outcome,
        x.reason,
        x.attribution,
        x.attribution_correct,
        x.assessment_time,
        x.prepare_time,
        x.on_site_time,
        x.grade,
        x.final_grade,
        x.direction,
        *x.dissent,
        x.quorum,
        x.review,
        x.disputed,
        x.dispute_level,
        x.dispute_closed,
    )


def rows_table(rows: list[tuple]) -> R.Table:
    """Rows of :func:`incident_row` as table columns."""
    if not rows:
        return {c: np.zeros(0, dtype=d) for c, d in INCIDENT_SCHEMA.items()}
    cols = zip(*rows)
    return {c: np.array(v, dtype=d) for (c, d), v in zip(INCIDENT_SCHEMA.items(), cols)}


def close_open(inc: Incident) -> None:
    """An incident still open at the horizon: ``open_at_end`` (keeping a reason it
    already has, e.g. ``below_min_severity`` while waiting for its assessment)."""
    inc.outcome = R.INCIDENT_OUTCOMES.index("open_at_end")
    if inc.reason == 0:
        inc.reason = R.INCIDENT_REASONS.index("open_at_end")


def close_unsettled(inc: Incident) -> None:
    """An incident with its finding at the horizon whose agreement is still pending: a
    dispute not yet settled stays disputed; a finding awaiting the absent desk's review
    keeps its grade."""
    if inc.final_grade < 0:
        inc.final_grade = R.FINDING_GRADES.index("disputed") if inc.in_dispute else inc.grade
