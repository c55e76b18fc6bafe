"""One replication of the model: build, run with SimPy, and record.

:func:`run_replication` draws the violations and reports up front, runs the
center and the teams as SimPy processes until the horizon, and returns a
:class:`~sim.records.ReplicationResult` of plain tables. Nothing here does
I/O; see :mod:`sim.experiment` for running several replications and
:mod:`sim.io` for files.
"""

from __future__ import annotations

import bisect
import math
from typing import Callable

import numpy as np
import simpy

from . import records as R
from . import reporting, violations
from .center import Center, Desk, Level
from .network import Distances
from .loader import LoadedScenario
from .streams import stream
from .teams import TeamPool
from .violations import TypeTable

NAN = float("nan")
_RANK = {
    R.VIOLATION_OUTCOMES.index("never_reported"): 0,
    R.VIOLATION_OUTCOMES.index("reported_unverified"): 1,
    R.VIOLATION_OUTCOMES.index("verified"): 2,
    R.VIOLATION_OUTCOMES.index("attributed_correct"): 3,
    R.VIOLATION_OUTCOMES.index("attributed_incorrect"): 3,
}
_SIDE = {"RU": 0, "UA": 1}


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
        self.types = TypeTable.from_spec(scen.violations)
        teams = scen.teams
        team_base = []
        if teams.enabled:
            for b in teams.bases:
                team_base += [self.distances.base_nodes.index(b.node)] * b.count
        self.team_base = np.array(team_base, dtype=np.int64)
        self.staffing = [getattr(scen.center.desks, p).staffing() for p in R.PARTIES]


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
    scen = prep.scenario
    seed = scen.seed if seed is None else int(seed)
    return _Replication(prep, replication, seed, progress).run()


class _Replication:
    def __init__(self, prep: Prepared, rep: int, seed: int, progress):
        self.prep = prep
        self.scen = scen = prep.scenario
        self.rep = rep
        self.seed = seed
        self.progress = progress
        self.horizon = scen.horizon
        self.warmup = scen.warmup

        def rng(name: str) -> np.random.Generator:
            return stream(seed, rep, name)

        g, nodes = prep.graph, prep.nodes
        self.vio = violations.generate(
            scen.violations,
            g,
            nodes,
            scen.horizon,
            rng("violations.background"),
            rng("violations.escalation"),
            rng("violations.strikes"),
        )
        rngs = {name: rng(f"reporting.{name}") for name in R.CHANNELS}
        self.rep_tab = reporting.generate(
            scen.reporting, scen.violations, self.vio, g, nodes, scen.horizon, rngs
        )
        m = self.rep_tab["arrival"].size
        n = self.vio["time"].size
        # Everything the center and the teams draw is drawn here, per report
        # (keyed by the incident's first report) or per violation, so that two
        # configurations give the same report or violation the same draws
        # (common random numbers) whatever order things happen in.
        tri = rng("center.triage")
        self.triage_time = scen.center.triage.time.sample(tri, m)
        self.u_false = tri.random(m)
        self.assess_time = scen.center.assessment.time.sample(rng("center.assessment"), m)
        t = scen.teams
        tm = rng("teams.times")
        self.prep_time = t.prepare.sample(tm, m)
        self.onsite_time = t.verification.time.sample(tm, m)
        self.u_access = rng("teams.access").random(m)
        self.u_verify = rng("teams.verification").random((n, 3))

        # Report state.
        self.ack = np.full(m, NAN)
        self.triaged = np.full(m, NAN)
        self.r_incident = np.full(m, -1, dtype=np.int64)
        self.r_state = np.full(m, -1, dtype=np.int64)
        self.r_end = np.full(m, NAN)
        # Violation state.
        self.v_outcome = np.full(n, -1, dtype=np.int64)
        self.v_reason = np.zeros(n, dtype=np.int64)
        self.v_time = np.full(n, NAN)
        self.v_attr = np.full(n, -1, dtype=np.int64)
        # Incidents (grown as they are created).
        self.inc: list[dict] = []
        # open incidents by node, as (event_time, incident) sorted by event time
        self.open_at: dict[int, list[tuple[float, int]]] = {}

    # ------------------------------------------------------------------ run
    def run(self) -> R.ReplicationResult:
        scen = self.scen
        env = self.env = simpy.Environment()
        start, end = self.warmup, self.horizon
        desks = [Desk(i, self.prep.staffing[i], start, end) for i in range(3)]
        self.desks = desks
        inc = self.inc

        def lead(i: int) -> int:
            return inc[i]["lead"]

        assess_time = (
            (lambda i: float(self.assess_time[lead(i)])) if scen.center.assessment.enabled else None
        )
        self.center = Center(
            env,
            desks,
            severity_first=scen.center.priority == "severity",
            triage_time=self.triage_time,
            arrival=self.rep_tab["arrival"],
            severity=self.rep_tab["severity"],
            max_wait=scen.center.triage.max_wait,
            on_triaged=self._triaged,
            on_expired=self._expired,
            assessment_time=assess_time,
            on_assessed=self._assessed,
            ack=self.ack,
            desk_of=self.rep_tab["desk"],
        )
        t = scen.teams
        window = None if t.patrol_hours is None else (t.patrol_hours.start, t.patrol_hours.end)
        self.teams = TeamPool(
            env,
            self.prep.team_base,
            self.prep.distances.from_bases,
            speed_kmh=t.speed_kmh,
            window=window,
            severity_first=scen.center.priority == "severity",
            give_up_after=t.give_up_after,
            max_travel_km=t.max_travel_km,
            prepare=lambda i: float(self.prep_time[lead(i)]),
            verify_time=lambda i: float(self.onsite_time[lead(i)]),
            on_dispatch=self._dispatched,
            on_depart=self._departed,
            on_site=self._on_site,
            on_result=self._team_result,
            on_gave_up=self._gave_up,
            on_returned=self._returned,
            start=start,
            end=end,
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

    # ------------------------------------------------------------------ center callbacks
    def _expired(self, rid: int, when: float) -> None:
        self.r_state[rid] = R.REPORT_STATES.index("expired")
        self.r_end[rid] = when

    def _triaged(self, rid: int) -> None:
        now = self.env.now
        self.triaged[rid] = now
        r = self.rep_tab
        c = self.scen.center
        if r["false"][rid] and self.u_false[rid] < c.triage.false_detection:
            self.r_state[rid] = R.REPORT_STATES.index("false_recognised")
            self.r_end[rid] = now
            return
        node = int(r["node"][rid])
        if c.merging.enabled:
            inc = self._find_open(node, r["event_time"][rid])
            if inc >= 0:
                self._attach(rid, inc)
                self.r_state[rid] = R.REPORT_STATES.index("merged")
                self.r_end[rid] = now
                return
        inc = self._new_incident(rid, node)
        sev = self.inc[inc]["severity"]
        if not self.use_teams:
            reason = "teams_off"
        elif sev < self.scen.teams.min_severity:
            reason = "below_min_severity"
        elif not self.teams.request(inc, node, sev):
            reason = "out_of_range"
        else:
            reason = ""
        if reason:
            self.inc[inc]["reason"] = R.INCIDENT_REASONS.index(reason)
            self.center.assess(inc, sev)

    def _find_open(self, node: int, event_time: float) -> int:
        window = self.scen.center.merging.window
        best = -1
        lo_key, hi_key = (event_time - window, -1), (event_time + window, math.inf)
        for j in self.prep.distances.near[node]:
            lst = self.open_at.get(int(j))
            if not lst:
                continue
            for _, inc in lst[bisect.bisect_left(lst, lo_key) : bisect.bisect_right(lst, hi_key)]:
                if best < 0 or inc < best:
                    best = inc
        return best

    def _attach(self, rid: int, inc: int) -> None:
        rec = self.inc[inc]
        rec["reports"].append(rid)
        self.r_incident[rid] = inc
        sev = int(self.rep_tab["severity"][rid])
        if sev > rec["severity"]:
            rec["severity"] = sev
            # A more severe report can turn an incident assessed without a team
            # into one that needs a team, if its assessment has not started.
            if (
                rec["reason"] == R.INCIDENT_REASONS.index("below_min_severity")
                and self.use_teams
                and sev >= self.scen.teams.min_severity
                and self.teams.in_range[rec["node"]]
                and self.center.withdraw(inc)
            ):
                rec["reason"] = 0
                self.teams.request(inc, rec["node"], sev)

    def _new_incident(self, rid: int, node: int) -> int:
        r = self.rep_tab
        inc = len(self.inc)
        vid = int(r["violation"][rid])
        affected = int(self.vio["affected"][vid]) if vid >= 0 else int(r["sender"][rid])
        self.inc.append(
            {
                "node": node,
                "event_time": float(r["event_time"][rid]),
                "created": self.env.now,
                "lead": rid,
                "severity": int(r["severity"][rid]),
                "reports": [rid],
                "affected": affected,
                "team": -1,
                "base": -1,
                "returned": NAN,
                "km": NAN,
                "dispatch": NAN,
                "depart": NAN,
                "on_site": NAN,
                "denied": False,
                "checked": None,
                "reason": 0,
                "finding": NAN,
                "outcome": -1,
                "attribution": -1,
                "attr_correct": -1,
            }
        )
        self.r_incident[rid] = inc
        bisect.insort(self.open_at.setdefault(node, []), (float(r["event_time"][rid]), inc))
        self.open_level.add(self.env.now, 1)
        return inc

    # ------------------------------------------------------------------ team callbacks
    def _dispatched(self, inc: int, team: int, km: float) -> None:
        rec = self.inc[inc]
        rec["team"], rec["km"], rec["dispatch"] = team, km, self.env.now
        base_node = self.prep.distances.base_nodes[self.prep.team_base[team]]
        rec["base"] = self.prep.distances.index[base_node]

    def _returned(self, inc: int) -> None:
        self.inc[inc]["returned"] = self.env.now

    def _departed(self, inc: int) -> None:
        self.inc[inc]["depart"] = self.env.now

    def _on_site(self, inc: int, team: int) -> bool:
        rec = self.inc[inc]
        rec["on_site"] = self.env.now
        side = "RU" if rec["affected"] == 0 else "UA"
        p = self.scen.teams.access_denial.get(side, 0.0)
        if self.u_access[rec["lead"]] < p:
            rec["denied"] = True
            rec["reason"] = R.INCIDENT_REASONS.index("access_denied")
            return False
        return True

    def _team_result(self, inc: int) -> None:
        rec = self.inc[inc]
        if not rec["denied"]:
            v = self.scen.teams.verification
            vio = self.vio
            types = self.prep.types
            checked = {}
            for rid in rec["reports"]:
                vid = int(self.rep_tab["violation"][rid])
                if vid < 0 or vid in checked:
                    continue
                ty = vio["type"][vid]
                age = rec["on_site"] - vio["time"][vid]
                p = v.base_probability * 0.5 ** (age / types.half_life[ty])
                u = self.u_verify[vid]
                if u[0] < p:
                    if u[1] < types.attributable[ty]:
                        truth = int(vio["perpetrator"][vid])
                        attr = truth if u[2] < v.attribution_accuracy else 1 - truth
                    else:
                        attr = -1
                    checked[vid] = (True, attr)
                else:
                    checked[vid] = (False, -1)
            rec["checked"] = checked
            if not any(ok for ok, _ in checked.values()):
                rec["reason"] = R.INCIDENT_REASONS.index("no_evidence")
        self.center.assess(inc, rec["severity"])

    def _gave_up(self, inc: int) -> None:
        rec = self.inc[inc]
        rec["reason"] = R.INCIDENT_REASONS.index("no_team_in_time")
        self.center.assess(inc, rec["severity"])

    # ------------------------------------------------------------------ findings
    def _assessed(self, inc: int) -> None:
        now = self.env.now
        rec = self.inc[inc]
        rec["finding"] = now
        lst = self.open_at[rec["node"]]
        del lst[bisect.bisect_left(lst, (rec["event_time"], inc))]
        self.open_level.add(now, -1)
        r = self.rep_tab
        checked = rec["checked"] or {}
        verified = [vid for vid, (ok, _) in checked.items() if ok]
        all_false = all(r["false"][rid] for rid in rec["reports"])
        lead = rec["lead"]
        if verified:
            rec["outcome"] = R.INCIDENT_OUTCOMES.index("verified")
            rec["reason"] = 0
            for vid in verified:
                attr = checked[vid][1]
                if attr >= 0:
                    rec["attribution"] = attr
                    rec["attr_correct"] = int(attr == self.vio["perpetrator"][vid])
                    break
        elif all_false and rec["checked"] is not None:
            rec["outcome"] = R.INCIDENT_OUTCOMES.index("unfounded")
        else:
            rec["outcome"] = R.INCIDENT_OUTCOMES.index("not_verified")
        self.r_state[lead] = R.REPORT_STATES.index(
            "false_recognised"
            if rec["outcome"] == R.INCIDENT_OUTCOMES.index("unfounded")
            else "led_to_finding"
        )
        self.r_end[lead] = now
        reason_name = R.INCIDENT_REASONS[rec["reason"]]
        visited = rec["checked"] is not None
        for rid in rec["reports"]:
            vid = int(r["violation"][rid])
            if vid < 0:
                continue
            if vid in checked:
                ok, attr = checked[vid]
                if ok:
                    if attr < 0:
                        self._settle(vid, "verified", "", now, -1)
                    elif attr == self.vio["perpetrator"][vid]:
                        self._settle(vid, "attributed_correct", "", now, attr)
                    else:
                        self._settle(vid, "attributed_incorrect", "", now, attr)
                else:
                    self._settle(vid, "reported_unverified", "evidence_decayed", now, -1)
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
    def _finish(self, series: dict[str, np.ndarray]) -> R.ReplicationResult:
        now = self.horizon
        r = self.rep_tab
        open_state = R.REPORT_STATES.index("open_at_end")
        self.r_state[self.r_state < 0] = open_state
        # Violations with no finding.
        arrived = np.zeros(self.vio["time"].size, dtype=np.int64)
        true = r["violation"] >= 0
        np.add.at(arrived, r["violation"][true], 1)
        expired_code = R.REPORT_STATES.index("expired")
        live = np.zeros_like(arrived)
        np.add.at(live, r["violation"][true], (self.r_state[true] != expired_code).astype(np.int64))
        none = self.v_outcome < 0
        self.v_outcome[none & (arrived == 0)] = R.VIOLATION_OUTCOMES.index("never_reported")
        unver = none & (arrived > 0)
        self.v_outcome[unver] = R.VIOLATION_OUTCOMES.index("reported_unverified")
        self.v_reason[unver & (live == 0)] = R.UNVERIFIED_REASONS.index("expired")
        self.v_reason[unver & (live > 0)] = R.UNVERIFIED_REASONS.index("open_at_end")

        first_report = np.full(self.vio["time"].size, NAN)
        if true.any():
            order = np.argsort(r["arrival"][true], kind="stable")
            vids = r["violation"][true][order]
            arr = r["arrival"][true][order]
            _, first_idx = np.unique(vids, return_index=True)
            first_report[vids[first_idx]] = arr[first_idx]

        violations_tab = {
            **self.vio,
            "n_reports": arrived,
            "first_report": first_report,
            "outcome": self.v_outcome,
            "reason": self.v_reason,
            "outcome_time": self.v_time,
            "attributed_to": self.v_attr,
        }
        reports_tab = {
            **r,
            "triage_time": self.triage_time,
            "ack": self.ack,
            "triaged": self.triaged,
            "incident": self.r_incident,
            "state": self.r_state,
            "state_time": self.r_end,
        }
        incidents_tab = self._incident_table(now)
        totals = {
            "horizon": self.horizon,
            "measured_minutes": self.horizon - self.warmup,
            "desks": {
                d.name: {
                    "busy": d.busy.close(now),
                    "on_duty": d.on_duty.close(now),
                    "queue": d.queued.close(now),
                    "served": d.served,
                }
                for d in self.desks
            },
            "teams": {"busy": self.teams.busy.close(now), "count": self.teams.size},
            "incidents_open": self.open_level.close(now),
        }
        return R.ReplicationResult(
            replication=self.rep,
            seed=self.seed,
            violations=violations_tab,
            reports=reports_tab,
            incidents=incidents_tab,
            series=series,
            totals=totals,
            types=list(self.prep.types.names),
            nodes=list(self.prep.nodes),
        )

    def _incident_table(self, now: float) -> dict[str, np.ndarray]:
        arrival = self.rep_tab["arrival"]
        inc = self.inc
        k = len(inc)

        def col(key, dtype=float):
            return np.array([x[key] for x in inc], dtype=dtype) if k else np.zeros(0, dtype)

        outcome = col("outcome", np.int64)
        reason = col("reason", np.int64)
        still = outcome < 0
        outcome[still] = R.INCIDENT_OUTCOMES.index("open_at_end")
        # an open incident keeps a reason it already has (e.g. below_min_severity)
        reason[still & (reason == 0)] = R.INCIDENT_REASONS.index("open_at_end")
        first = np.array([arrival[x["reports"]].min() for x in inc]) if k else np.zeros(0)
        n_true = (
            np.array(
                [
                    len({int(v) for v in self.rep_tab["violation"][x["reports"]] if v >= 0})
                    for x in inc
                ],
                dtype=np.int64,
            )
            if k
            else np.zeros(0, np.int64)
        )
        n_ver = (
            np.array(
                [sum(ok for ok, _ in (x["checked"] or {}).values()) for x in inc], dtype=np.int64
            )
            if k
            else np.zeros(0, np.int64)
        )
        return {
            "incident": np.arange(k, dtype=np.int64),
            "node": col("node", np.int64),
            "event_time": col("event_time"),
            "first_report": first,
            "created": col("created"),
            "lead_report": col("lead", np.int64),
            "n_reports": np.array([len(x["reports"]) for x in inc], dtype=np.int64),
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
            "outcome": outcome,
            "reason": reason,
            "attribution": col("attribution", np.int64),
            "attribution_correct": col("attr_correct", np.int64),
        }
