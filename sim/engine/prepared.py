"""What a replication starts from: the prepared scenario, its draws and its table schemas.

:class:`Prepared` is computed once per scenario and shared by its
replications (distances, the violation model, shift plans). :class:`Draws`
gives every report and violation its random quantities, each from its own
keyed stream, so two configurations draw the same for an entity they share.
The schemas name and type the columns of the tables a replication writes.
"""

from __future__ import annotations

import numpy as np

from .. import records as R
from ..world.loaded import LoadedScenario
from ..world.network import Distances
from ..world.streams import Stream
from ..world.violations import ViolationModel
from .center import Desk, ShiftGroup

REPORT_SCHEMA = {
    "report": np.int64,
    "key": np.uint64,
    "arrival": np.float64,
    "violation": np.int64,
    "channel": np.int64,
    "sender": np.int64,
    "desk": np.int64,
    "node": np.int64,
    "event_time": np.float64,
    "type": np.int64,
    "severity": np.int64,
    "false": np.bool_,
    "triage_time": np.float64,
    "ack": np.float64,
    "triage_shift": np.int64,
    "triaged": np.float64,
    "incident": np.int64,
    "state": np.int64,
    "state_time": np.float64,
}
VIOLATION_SCHEMA = {
    "violation": np.int64,
    "key": np.uint64,
    "time": np.float64,
    "node": np.int64,
    "type": np.int64,
    "severity": np.int64,
    "perpetrator": np.int64,
    "affected": np.int64,
    "parent": np.int64,
    "strike": np.bool_,
    "n_reports": np.int64,
    "first_report": np.float64,
    "outcome": np.int64,
    "reason": np.int64,
    "outcome_time": np.float64,
    "attributed_to": np.int64,
}
# with sizes (a type, a scripted violation or a replayed log gives them): ``size``
# right after ``strike``, as docs/outputs.md lists the columns
_AT = list(VIOLATION_SCHEMA).index("strike") + 1
SIZED_VIOLATION_SCHEMA = dict(
    [
        *list(VIOLATION_SCHEMA.items())[:_AT],
        ("size", np.int64),
        *list(VIOLATION_SCHEMA.items())[_AT:],
    ]
)
SERIES = ["time"]
for _p in R.PARTIES:
    SERIES += [f"queue_{_p}", f"busy_{_p}", f"on_duty_{_p}"]
SERIES += ["joint_waiting", "teams_busy", "teams_queue", "incidents_open"]


class Prepared:
    """What is computed once per scenario and shared by its replications."""

    def __init__(self, loaded: LoadedScenario):
        scen = loaded.scenario
        self.loaded = loaded
        self.scenario = scen
        self.graph = loaded.graph
        base_nodes = [b.node for b in scen.teams.bases]
        self.distances = Distances(self.graph, base_nodes, scen.center.merging.max_distance_km)
        self.nodes = self.distances.nodes
        self.violations = ViolationModel(
            scen.violations,
            self.graph,
            self.nodes,
            scen.calendar,
            loaded.replay,
            loaded.replay_minutes,
        )
        self.types = self.violations.types
        self.violation_schema = (
            SIZED_VIOLATION_SCHEMA if scen.violations.sized else VIOLATION_SCHEMA
        )
        teams = scen.teams
        team_base = []
        if teams.enabled:
            for b in teams.bases:
                team_base += [self.distances.base_nodes.index(b.node)] * b.count
        self.team_base = np.array(team_base, dtype=np.int64)
        self.plans = [getattr(scen.center.desks, p).plan() for p in R.PARTIES]

    def desk(self, code: int, start: float, end: float) -> Desk:
        """A fresh desk ``code`` (index into ``PARTIES``) with its shift plan."""
        groups = [
            ShiftGroup(s.label, int(s.start) % 1440, int(s.end) % 1440, s.officers)
            for s in self.plans[code]
        ]
        return Desk(code, groups, start, end)


class Draws:
    """What the center and the teams draw for a window's reports and violations.

    Each quantity from its own stream, keyed by the entity it is about (an
    incident uses its first report's draws), so that two configurations give
    an entity they share the same draws (common random numbers) whatever order
    things happen in, and a changed parameter changes only its own draws.
    """

    def __init__(self, scen, seed: int, rep: int):
        names = (
            "center.triage_time",
            "center.false_detection",
            "center.assessment_time",
            "teams.prepare",
            "teams.on_site",
            "teams.access",
            "teams.verify",
            "teams.attributable",
            "teams.attribution",
        )
        self.s = {n: Stream(seed, rep, n) for n in names}
        self.scen = scen

    def reports(self, keys: np.ndarray) -> dict[str, np.ndarray]:
        c, t, s = self.scen.center, self.scen.teams, self.s
        n = keys.size
        none = np.full(n, np.nan)  # not drawn: the quantity is not used in this scenario
        uses_teams = t.enabled and any(b.count for b in t.bases)
        return {
            "triage_time": s["center.triage_time"].sample(c.triage.time, keys),
            "u_false": s["center.false_detection"].uniform(keys),
            "assess_time": (
                s["center.assessment_time"].sample(c.assessment.time, keys)
                if c.assessment.enabled
                else none
            ),
            "prep_time": s["teams.prepare"].sample(t.prepare, keys) if uses_teams else none,
            "onsite_time": (
                s["teams.on_site"].sample(t.verification.time, keys) if uses_teams else none
            ),
            "u_access": s["teams.access"].uniform(keys) if uses_teams else np.ones(n),
        }

    def violations(self, keys: np.ndarray) -> dict[str, np.ndarray]:
        s = self.s
        return {
            "u_verify": s["teams.verify"].uniform(keys),
            "u_attributable": s["teams.attributable"].uniform(keys),
            "u_attribution": s["teams.attribution"].uniform(keys),
        }
