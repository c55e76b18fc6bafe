"""One replication of the model: build, run with SimPy, and record.

:func:`run_replication` draws the violations and reports up front, runs the
center (:mod:`sim.engine.center`) and the teams (:mod:`sim.engine.teams`) as
SimPy processes until the horizon, and returns a
:class:`~sim.records.ReplicationResult` of plain tables. :class:`Replication`
is what happens to an incident between them: it receives the center's and
the teams' events, merges reports into incidents, decides who verifies
what, and settles every violation's outcome. Nothing here does I/O.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import simpy

from .. import records as R
from ..world.loaded import LoadedScenario
from ..world.network import Distances
from ..world.reporting import ReportSource
from ..world.streams import Stream
from ..world.violations import ViolationModel, ViolationSource
from .center import Center, CenterConfig, Desk, ReportColumns, ShiftGroup
from .incidents import Incident, OpenIncidents, incident_table
from .monitor import Level
from .teams import Mission, TeamConfig, TeamPool

NAN = float("nan")
# attributed (either way) > verified > unverified > never reported
_RANK = {
    R.VIOLATION_OUTCOMES.index("never_reported"): 0,
    R.VIOLATION_OUTCOMES.index("reported_unverified"): 1,
    R.VIOLATION_OUTCOMES.index("verified"): 2,
    R.VIOLATION_OUTCOMES.index("attributed_correct"): 3,
    R.VIOLATION_OUTCOMES.index("attributed_incorrect"): 3,
}
_REASON = {name: k for k, name in enumerate(R.INCIDENT_REASONS)}
_STATE = {name: k for k, name in enumerate(R.REPORT_STATES)}


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


def run_replication(
    loaded: LoadedScenario | Prepared,
    replication: int = 0,
    seed: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> R.ReplicationResult:
    """Simulate one replication.

    Parameters
    ----------
    loaded : LoadedScenario or Prepared
        The scenario (``Prepared`` saves recomputing distances).
    replication : int
        Replication number; selects the random streams.
    seed : int, optional
        Root seed; defaults to the scenario's.
    progress : callable(now), optional
        Called about once per simulated day with the simulation time.

    Returns
    -------
    ReplicationResult
    """
    prep = loaded if isinstance(loaded, Prepared) else Prepared(loaded)
    seed = prep.scenario.seed if seed is None else int(seed)
    return Replication(prep, replication, seed, progress).run()


class Draws:
    """Everything the center and the teams draw, keyed by the entity it is about.

    Per report (by its key; an incident uses its first report's draws) or per
    violation (by its key), each quantity from its own stream, so that two
    configurations give an entity they share the same draws (common random
    numbers) whatever order things happen in, and a changed parameter changes
    only the draws of its own quantity.
    """

    def __init__(self, scen, seed: int, rep: int, report_keys: np.ndarray, violation_keys):
        def s(name: str) -> Stream:
            return Stream(seed, rep, name)

        c, t = scen.center, scen.teams
        self.triage_time = s("center.triage_time").sample(c.triage.time, report_keys)
        self.u_false = s("center.false_detection").uniform(report_keys)
        self.assess_time = s("center.assessment_time").sample(c.assessment.time, report_keys)
        self.prep_time = s("teams.prepare").sample(t.prepare, report_keys)
        self.onsite_time = s("teams.on_site").sample(t.verification.time, report_keys)
        self.u_access = s("teams.access").uniform(report_keys)
        self.u_verify = (
            np.column_stack(
                [
                    s(name).uniform(violation_keys)
                    for name in ("teams.verify", "teams.attributable", "teams.attribution")
                ]
            )
            if len(violation_keys)
            else np.zeros((0, 3))
        )


class Replication:
    """One replication: the world drawn up front, the engine, and the incidents between.

    It is the sink of the center's and the teams' events (see
    :class:`~sim.engine.center.CenterSink` and :class:`~sim.engine.teams.TeamSink`).
    """

    def __init__(self, prep: Prepared, rep: int, seed: int, progress=None):
        self.prep = prep
        self.scen = scen = prep.scenario
        self.rep = rep
        self.seed = seed
        self.progress = progress
        self.horizon = scen.horizon
        self.warmup = scen.warmup

        source = ViolationSource(prep.violations, seed, rep, scen.horizon)
        self.vio = source.until(scen.horizon)
        reports = ReportSource(
            scen.reporting, scen.violations, prep.graph, prep.nodes, seed, rep, scen.horizon
        )
        self.rep_tab = reports.table(
            reports.of_violations(self.vio) + reports.false_reports(scen.horizon)
        )
        m = self.rep_tab["arrival"].size
        n = self.vio["time"].size
        self.draws = Draws(scen, seed, rep, self.rep_tab["key"], self.vio["key"])
        # Report state.
        self.ack = np.full(m, NAN)
        self.triage_shift = np.full(m, -1, dtype=np.int64)
        self.triaged = np.full(m, NAN)
        self.r_incident = np.full(m, -1, dtype=np.int64)
        self.r_state = np.full(m, -1, dtype=np.int64)
        self.r_end = np.full(m, NAN)
        # Violation state.
        self.v_outcome = np.full(n, -1, dtype=np.int64)
        self.v_reason = np.zeros(n, dtype=np.int64)
        self.v_time = np.full(n, NAN)
        self.v_attr = np.full(n, -1, dtype=np.int64)
        self.incidents: list[Incident] = []
        self.open = OpenIncidents(prep.distances.near, scen.center.merging.window)

    # ------------------------------------------------------------------ run
    def run(self) -> R.ReplicationResult:
        scen = self.scen
        env = self.env = simpy.Environment()
        start, end = self.warmup, self.horizon
        self.desks = [self.prep.desk(i, start, end) for i in range(3)]
        c = scen.center
        self.center = Center(
            env,
            self.desks,
            CenterConfig(
                severity_first=c.priority == "severity",
                max_wait=c.triage.max_wait,
                assessment=c.assessment.enabled,
            ),
            ReportColumns(
                arrival=self.rep_tab["arrival"],
                desk=self.rep_tab["desk"],
                severity=self.rep_tab["severity"],
                triage_time=self.draws.triage_time,
                ack=self.ack,
                shift=self.triage_shift,
            ),
            self,
        )
        t = scen.teams
        window = None if t.patrol_hours is None else (t.patrol_hours.start, t.patrol_hours.end)
        self.teams = TeamPool(
            env,
            TeamConfig(
                team_base=self.prep.team_base,
                from_bases=self.prep.distances.from_bases,
                speed_kmh=t.speed_kmh,
                window=window,
                severity_first=c.priority == "severity",
                give_up_after=t.give_up_after,
                max_travel_km=t.max_travel_km,
            ),
            self,
            start,
            end,
        )
        self.use_teams = t.enabled and self.teams.size > 0
        self.open_level = Level(start, end)
        env.process(self.center.shift_process())
        env.process(self._arrivals())
        series = self._series_buffers()
        env.process(self._sampler(series))
        env.run(until=self.horizon)
        self.center.expire_due()
        return self._finish(series)

    def _arrivals(self):
        env = self.env
        arrival = self.rep_tab["arrival"]
        receive = self.center.receive
        for rid in range(arrival.size):
            wait = arrival[rid] - env.now
            if wait > 0:
                yield env.timeout(wait)
            receive(rid)

    # ------------------------------------------------------------------ center events
    def report_expired(self, rid: int, when: float) -> None:
        self.r_state[rid] = _STATE["expired"]
        self.r_end[rid] = when

    def report_triaged(self, rid: int) -> None:
        now = self.env.now
        self.triaged[rid] = now
        r = self.rep_tab
        c = self.scen.center
        if r["false"][rid] and self.draws.u_false[rid] < c.triage.false_detection:
            self.r_state[rid] = _STATE["false_recognised"]
            self.r_end[rid] = now
            return
        node = int(r["node"][rid])
        if c.merging.enabled:
            found = self.open.find(node, r["event_time"][rid])
            if found >= 0:
                self._attach(rid, self.incidents[found])
                self.r_state[rid] = _STATE["merged"]
                self.r_end[rid] = now
                return
        inc = self._new_incident(rid, node)
        if not self.use_teams:
            reason = "teams_off"
        elif inc.severity < self.scen.teams.min_severity:
            reason = "below_min_severity"
        elif not self.teams.request(self._mission(inc), inc.severity):
            reason = "out_of_range"
        else:
            reason = ""
        if reason:
            inc.reason = _REASON[reason]
            if reason == "out_of_range":
                inc.unserved = now
            self._assess(inc)

    def incident_assessed(self, incident: int) -> None:
        now = self.env.now
        inc = self.incidents[incident]
        inc.finding = now
        self.open.remove(inc)
        self.open_level.add(now, -1)
        self._record_finding(inc, now)

    # ------------------------------------------------------------------ team events
    def team_dispatched(self, m: Mission) -> None:
        inc = self.incidents[m.incident]
        inc.team, inc.km, inc.dispatch = m.team, m.km, self.env.now
        base_node = self.prep.distances.base_nodes[self.prep.team_base[m.team]]
        inc.base = self.prep.distances.index[base_node]

    def team_departed(self, m: Mission) -> None:
        self.incidents[m.incident].depart = self.env.now

    def team_arrived(self, m: Mission) -> bool:
        inc = self.incidents[m.incident]
        inc.on_site = self.env.now
        side = R.SIDES[inc.affected]
        p = self.scen.teams.access_denial.get(side, 0.0)
        if self.draws.u_access[inc.lead] < p:
            inc.denied = True
            inc.reason = _REASON["access_denied"]
            return False
        return True

    def team_done_on_site(self, m: Mission) -> None:
        inc = self.incidents[m.incident]
        if not inc.denied:
            inc.checked = self._verify(inc)
            if not any(ok for ok, _ in inc.checked.values()):
                inc.reason = _REASON["no_evidence"]
        self._assess(inc)

    def team_returned(self, m: Mission) -> None:
        self.incidents[m.incident].returned = self.env.now

    def team_not_in_time(self, incident: int) -> None:
        inc = self.incidents[incident]
        inc.reason = _REASON["no_team_in_time"]
        inc.unserved = self.env.now
        self._assess(inc)

    # ------------------------------------------------------------------ incidents
    def _mission(self, inc: Incident) -> Mission:
        d = self.draws
        return Mission(
            team=-1,
            incident=inc.id,
            node=inc.node,
            prepare=float(d.prep_time[inc.lead]),
            on_site=float(d.onsite_time[inc.lead]),
        )

    def _assess(self, inc: Incident) -> None:
        self.center.assess(inc.id, inc.severity, float(self.draws.assess_time[inc.lead]))

    def _new_incident(self, rid: int, node: int) -> Incident:
        r = self.rep_tab
        vid = int(r["violation"][rid])
        affected = int(self.vio["affected"][vid]) if vid >= 0 else int(r["sender"][rid])
        inc = Incident(
            id=len(self.incidents),
            node=node,
            event_time=float(r["event_time"][rid]),
            created=self.env.now,
            lead=rid,
            severity=int(r["severity"][rid]),
            affected=affected,
            reports=[rid],
        )
        self.incidents.append(inc)
        self.r_incident[rid] = inc.id
        self.open.add(inc)
        self.open_level.add(self.env.now, 1)
        return inc

    def _attach(self, rid: int, inc: Incident) -> None:
        inc.reports.append(rid)
        self.r_incident[rid] = inc.id
        sev = int(self.rep_tab["severity"][rid])
        if sev > inc.severity:
            inc.severity = sev
            # A more severe report can turn an incident assessed without a team
            # into one that needs a team, if its assessment has not started.
            if (
                inc.reason == _REASON["below_min_severity"]
                and self.use_teams
                and sev >= self.scen.teams.min_severity
                and self.teams.in_range[inc.node]
                and self.center.withdraw(inc.id)
            ):
                inc.reason = 0
                self.teams.request(self._mission(inc), sev)

    def _verify(self, inc: Incident) -> dict[int, tuple[bool, int]]:
        """Check every violation reported in the incident: verified, and attributed to whom."""
        v = self.scen.teams.verification
        vio, types, u_verify = self.vio, self.prep.types, self.draws.u_verify
        checked: dict[int, tuple[bool, int]] = {}
        for rid in inc.reports:
            vid = int(self.rep_tab["violation"][rid])
            if vid < 0 or vid in checked:
                continue
            ty = vio["type"][vid]
            age = inc.on_site - vio["time"][vid]
            p = v.base_probability * 0.5 ** (age / types.half_life[ty])
            u = u_verify[vid]
            if u[0] < p:
                if u[1] < types.attributable[ty]:
                    truth = int(vio["perpetrator"][vid])
                    attr = truth if u[2] < v.attribution_accuracy else 1 - truth
                else:
                    attr = -1
                checked[vid] = (True, attr)
            else:
                checked[vid] = (False, -1)
        return checked

    def _record_finding(self, inc: Incident, now: float) -> None:
        """The finding's outcome for the incident, its lead report and its violations."""
        r = self.rep_tab
        checked = inc.checked or {}
        verified = [vid for vid, (ok, _) in checked.items() if ok]
        all_false = all(r["false"][rid] for rid in inc.reports)
        if verified:
            inc.outcome = R.INCIDENT_OUTCOMES.index("verified")
            inc.reason = 0
            for vid in verified:
                attr = checked[vid][1]
                if attr >= 0:
                    inc.attribution = attr
                    inc.attribution_correct = int(attr == self.vio["perpetrator"][vid])
                    break
        elif all_false and inc.checked is not None:
            inc.outcome = R.INCIDENT_OUTCOMES.index("unfounded")
        else:
            inc.outcome = R.INCIDENT_OUTCOMES.index("not_verified")
        unfounded = inc.outcome == R.INCIDENT_OUTCOMES.index("unfounded")
        self.r_state[inc.lead] = _STATE["false_recognised" if unfounded else "led_to_finding"]
        self.r_end[inc.lead] = now
        reason_name = R.INCIDENT_REASONS[inc.reason]
        visited = inc.checked is not None
        for rid in inc.reports:
            vid = int(r["violation"][rid])
            if vid < 0:
                continue
            if vid in checked:
                ok, attr = checked[vid]
                if not ok:
                    self._settle(vid, "reported_unverified", "evidence_decayed", now, -1)
                elif attr < 0:
                    self._settle(vid, "verified", "", now, -1)
                elif attr == self.vio["perpetrator"][vid]:
                    self._settle(vid, "attributed_correct", "", now, attr)
                else:
                    self._settle(vid, "attributed_incorrect", "", now, attr)
            elif visited:
                self._settle(vid, "reported_unverified", "visited_before_report", now, -1)
            else:
                self._settle(vid, "reported_unverified", reason_name, now, -1)

    def _settle(self, vid: int, outcome: str, reason: str, now: float, attr: int) -> None:
        code = R.VIOLATION_OUTCOMES.index(outcome)
        current = int(self.v_outcome[vid])
        # attributed (either way) > verified > unverified; the first of equals stands
        if current < 0 or _RANK[code] > _RANK[current]:
            self.v_outcome[vid] = code
            self.v_reason[vid] = R.UNVERIFIED_REASONS.index(reason)
            self.v_time[vid] = now
            self.v_attr[vid] = attr

    # ------------------------------------------------------------------ time series
    def _series_buffers(self) -> dict[str, np.ndarray]:
        # samples at 0, step, 2 step, ... strictly before the horizon
        k = int(np.ceil(self.horizon / self.scen.output.sample_interval))
        cols = ["time"]
        for p in R.PARTIES:
            cols += [f"queue_{p}", f"busy_{p}", f"on_duty_{p}"]
        cols += ["joint_waiting", "teams_busy", "teams_queue", "incidents_open"]
        return {c: np.zeros(k) for c in cols}

    def _sampler(self, series: dict[str, np.ndarray]):
        env = self.env
        step = self.scen.output.sample_interval
        next_progress = 1440.0
        for i in range(series["time"].size):
            t = i * step
            if t > env.now:
                yield env.timeout(t - env.now)
            series["time"][i] = t
            for d in self.desks:
                series[f"queue_{d.name}"][i] = d.queued.value
                series[f"busy_{d.name}"][i] = d.busy.value
                series[f"on_duty_{d.name}"][i] = d.on_duty.value
            series["joint_waiting"][i] = self.center.joint_waiting.value
            series["teams_busy"][i] = self.teams.busy.value
            series["teams_queue"][i] = len(self.teams.waiting)
            series["incidents_open"][i] = self.open_level.value
            if self.progress is not None and t >= next_progress:
                self.progress(t)
                next_progress = t + 1440.0

    # ------------------------------------------------------------------ finish
    def _violation_table(self) -> R.Table:
        r = self.rep_tab
        n = self.vio["time"].size
        arrived = np.zeros(n, dtype=np.int64)
        true = r["violation"] >= 0
        np.add.at(arrived, r["violation"][true], 1)
        live = np.zeros_like(arrived)
        not_expired = (self.r_state[true] != _STATE["expired"]).astype(np.int64)
        np.add.at(live, r["violation"][true], not_expired)
        # Violations with no finding.
        none = self.v_outcome < 0
        self.v_outcome[none & (arrived == 0)] = R.VIOLATION_OUTCOMES.index("never_reported")
        unver = none & (arrived > 0)
        self.v_outcome[unver] = R.VIOLATION_OUTCOMES.index("reported_unverified")
        self.v_reason[unver & (live == 0)] = R.UNVERIFIED_REASONS.index("expired")
        self.v_reason[unver & (live > 0)] = R.UNVERIFIED_REASONS.index("open_at_end")
        first_report = np.full(n, NAN)
        if true.any():
            order = np.argsort(r["arrival"][true], kind="stable")
            vids = r["violation"][true][order]
            arr = r["arrival"][true][order]
            _, first_idx = np.unique(vids, return_index=True)
            first_report[vids[first_idx]] = arr[first_idx]
        return {
            **self.vio,
            "n_reports": arrived,
            "first_report": first_report,
            "outcome": self.v_outcome,
            "reason": self.v_reason,
            "outcome_time": self.v_time,
            "attributed_to": self.v_attr,
        }

    def _finish(self, series: dict[str, np.ndarray]) -> R.ReplicationResult:
        now = self.horizon
        self.r_state[self.r_state < 0] = _STATE["open_at_end"]
        reports_tab = {
            **self.rep_tab,
            "triage_time": self.draws.triage_time,
            "ack": self.ack,
            "triage_shift": self.triage_shift,
            "triaged": self.triaged,
            "incident": self.r_incident,
            "state": self.r_state,
            "state_time": self.r_end,
        }
        totals = {
            "horizon": self.horizon,
            "measured_minutes": self.horizon - self.warmup,
            "desks": {
                d.name: {
                    "busy": d.busy.close(now),
                    "on_duty": d.on_duty.close(now),
                    "queue": d.queued.close(now),
                    "served": d.served,
                    "bin_edges": list(d.edges),
                    "busy_by_bin": [float(x) for x in d.busy.by_bin],
                    "on_duty_by_bin": [float(x) for x in d.on_duty.by_bin],
                    "shifts": [
                        {"name": g.name, "start": g.start, "end": g.end, "officers": g.size}
                        for g in d.groups
                    ],
                }
                for d in self.desks
            },
            "teams": {"busy": self.teams.busy.close(now), "count": self.teams.size},
            "incidents_open": self.open_level.close(now),
        }
        return R.ReplicationResult(
            replication=self.rep,
            seed=self.seed,
            violations=self._violation_table(),
            reports=reports_tab,
            incidents=incident_table(self.incidents, self.rep_tab, self.draws),
            series=series,
            totals=totals,
            types=tuple(self.prep.types.names),
            nodes=tuple(self.prep.nodes),
        )
