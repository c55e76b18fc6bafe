"""One replication of the model: the world window by window, the SimPy engine, the records.

:func:`run_replication` draws the violations and reports a window at a time
(:mod:`sim.world.feed`), runs the center (:mod:`sim.engine.center`) and the
teams (:mod:`sim.engine.teams`) as SimPy processes until the horizon, and
hands every finished violation, report and incident to a recorder as soon as
its block is finished (:mod:`sim.engine.blocks`), so memory does not grow
with the horizon. :class:`Replication` is what happens to an incident
between the desks and the teams: it receives their events, merges reports
into incidents, decides who verifies what, and settles every violation's
outcome. Nothing here does I/O; the recorder does.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import simpy

from .. import records as R
from ..records.recorders import MemoryRecorder
from ..scenario.findings import meeting_times
from ..world.feed import WorldFeed
from ..world.loaded import LoadedScenario
from .blocks import BLOCK, BLOCK_BITS, MASK, Blocks
from .center import Center, CenterConfig, desk_totals
from .claims import CLAIM_SCHEMA, Claims, release_times
from .disputes import DisputeLadder, LevelPlan
from .findings import NOT_CONFIRMED, Agreement, Grader
from .incidents import (
    INCIDENT_SCHEMA,
    Incident,
    OpenIncidents,
    close_open,
    close_unsettled,
    incident_row,
    rows_table,
)
from .monitor import Level
from .prepared import REPORT_SCHEMA, SERIES, Draws, Prepared
from .series import Sampler
from .shifts import ShiftChange
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
_VOUT = {name: k for k, name in enumerate(R.VIOLATION_OUTCOMES)}
_WHY = {name: k for k, name in enumerate(R.UNVERIFIED_REASONS)}
_NOT_VERIFIED = R.INCIDENT_OUTCOMES.index("not_verified")
_UNVERIFIED = R.VIOLATION_OUTCOMES.index("reported_unverified")
_OUT_OF_RANGE = R.INCIDENT_REASONS.index("out_of_range")
_TECHNICAL = R.CHANNELS.index("technical")


def run_replication(
    loaded: LoadedScenario | Prepared,
    replication: int = 0,
    seed: int | None = None,
    progress: Callable[[float], None] | None = None,
    recorder: Any = None,
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
    recorder : optional
        Where finished rows go (:mod:`sim.records.recorders`); by default they
        are kept in memory.

    Returns
    -------
    ReplicationResult
    """
    prep = loaded if isinstance(loaded, Prepared) else Prepared(loaded)
    seed = prep.scenario.seed if seed is None else int(seed)
    return Replication(prep, replication, seed, progress, recorder).run()


class Replication:
    """One replication: the world window by window, the engine, and the incidents between.

    It is the sink of the center's and the teams' events (see
    :class:`~sim.engine.center.CenterSink` and :class:`~sim.engine.teams.TeamSink`).
    """

    def __init__(self, prep: Prepared, rep: int, seed: int, progress=None, recorder=None):
        self.prep = prep
        self.scen = scen = prep.scenario
        self.rep = rep
        self.seed = seed
        self.progress = progress
        self.horizon = scen.horizon
        self.warmup = scen.warmup
        self.recorder = recorder if recorder is not None else MemoryRecorder()
        self.feed = WorldFeed(scen, prep.violations, prep.graph, prep.nodes, seed, rep)
        self.draws = Draws(scen, seed, rep)
        self.reports = Blocks("reports", REPORT_SCHEMA, self.recorder, _RDRAWS)
        self.violations = Blocks(
            "violations", prep.violation_schema, self.recorder, ("pending", "expired", *_VDRAWS)
        )
        self.incidents: dict[int, Incident] = {}  # open (not finished), by id
        self.n_incidents = 0
        self.finished: dict[int, tuple] = {}  # finished, waiting for earlier ids to finish
        self.inc_written = 0  # incidents written out (all ids below)
        self.rows_out: list[tuple] = []  # finished in id order, not yet written
        self.open = OpenIncidents(prep.distances.near, scen.center.merging.window)
        m = scen.center.merging
        self.merging = m.enabled
        self.assessment = scen.center.assessment.enabled
        grader = Grader(scen.findings, prep.types.names, seed, rep)
        self.agreement = Agreement(grader, self.assessment, {}, self._violation_facts)
        self.agreement.done = self._maybe_done
        self.remote_confirm = scen.findings.remote.confirm > 0
        self.ladder: DisputeLadder | None = None
        self.claims = None
        self.strikes: list[dict[str, np.ndarray]] = []  # moratorium candidates, window by window
        if scen.moratorium is not None:
            strike = prep.types.names.index("long_range_strike")
            self.claims = Claims(
                scen.moratorium, prep.graph, prep.nodes, strike, scen.horizon, seed, rep
            )
        self.false_detection = scen.center.triage.false_detection
        self.min_severity = scen.teams.min_severity
        self.access_denial = [scen.teams.access_denial.get(s, 0.0) for s in R.SIDES]

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
                two_of_three=scen.findings.quorum == "two_of_three",
            ),
            self,
        )
        self.agreement.assessed_by = self.center.assessed_by
        for w in scen.walkouts:
            env.process(self.center.walkout(R.PARTIES.index(w.party), w.start, w.end))
        self._ladder(env, start, end)
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
        env.process(self._world())
        env.process(self.center.shift_process())
        self.sampler = Sampler(self)
        env.process(self.sampler.run())
        env.run(until=self.horizon)
        self.center.catch_up()
        self.center.expire_due()
        return self._finish()

    # ------------------------------------------------------------------ the world
    def _world(self):
        """Draw the world a window at a time, just before the window starts."""
        feed, env = self.feed, self.env
        while not feed.done:
            end, v, r = feed.next_window()
            self._add_violations(v)
            for w in self.scen.walkouts:  # reports to a desk that walked out go to the US desk
                if w.reports == "US":
                    away = (r["desk"] == R.PARTIES.index(w.party)) & (r["arrival"] >= w.start)
                    r["desk"][away & (r["arrival"] < w.end)] = R.PARTIES.index("US")
            self._add_reports(r)
            if r["arrival"].size:
                self.center.feed(
                    r["report"].tolist(),
                    r["arrival"].tolist(),
                    r["desk"].tolist(),
                    r["severity"].tolist(),
                    self._triage_times,
                )
            if end < self.horizon:
                # before anything else at ``end``: the next window's reports may arrive then
                yield ShiftChange(env, end - env.now)

    def _add_violations(self, v: dict[str, np.ndarray]) -> None:
        n = v["time"].size
        if n == 0:
            return
        none = v["n_reports"] == 0
        cols = {k: v[k] for k in self.prep.violation_schema if k in v}
        cols["outcome"] = np.where(none, _VOUT["never_reported"], -1)
        cols["reason"] = np.zeros(n, dtype=np.int64)
        cols["outcome_time"] = np.full(n, NAN)
        cols["attributed_to"] = np.full(n, -1, dtype=np.int64)
        cols["pending"] = v["n_reports"]
        cols["expired"] = np.zeros(n, dtype=np.int64)
        cols.update(self.draws.violations(v["key"]))
        if self.claims is not None:
            self.strikes.append(self.claims.candidates(cols))
        self.violations.append(cols, pending=~none)

    def _add_reports(self, r: dict[str, np.ndarray]) -> None:
        n = r["arrival"].size
        if n == 0:
            self._triage_times = []
            return
        d = self.draws.reports(r["key"])
        self._triage_times = d["triage_time"].tolist()
        cols = dict(r)
        cols.update(d)
        cols["ack"] = np.full(n, NAN)
        cols["triage_shift"] = np.full(n, -1, dtype=np.int64)
        cols["triaged"] = np.full(n, NAN)
        cols["incident"] = np.full(n, -1, dtype=np.int64)
        cols["state"] = np.full(n, -1, dtype=np.int64)
        cols["state_time"] = np.full(n, NAN)
        self.reports.append(cols)

    # ------------------------------------------------------------------ center events
    def report_started(self, rid: int, group: int) -> None:
        b = self.reports.blocks[rid >> BLOCK_BITS]
        j = rid & MASK
        b.ack[j] = self.env.now
        b.triage_shift[j] = group

    def report_expired(self, rid: int, when: float) -> None:
        b = self.reports.blocks[rid >> BLOCK_BITS]
        j = rid & MASK
        b.state[j] = _STATE["expired"]
        b.state_time[j] = when
        vid = b.violation[j]
        self.reports.final(rid)
        if vid >= 0:
            vb = self.violations.blocks[vid >> BLOCK_BITS]
            vb.expired[vid & MASK] += 1
            self._settled(vid)

    def report_triaged(self, rid: int) -> None:
        now = self.env.now
        b = self.reports.blocks[rid >> BLOCK_BITS]
        j = rid & MASK
        b.triaged[j] = now
        if b.false[j] and b.u_false[j] < self.false_detection:
            b.state[j] = _STATE["false_recognised"]
            b.state_time[j] = now
            self.reports.final(rid)
            return
        node = b.node[j]
        if self.merging:
            found = self.open.find(node, b.event_time[j])
            if found >= 0:
                self._attach(rid, b, j, self.incidents[found])
                b.state[j] = _STATE["merged"]
                b.state_time[j] = now
                self.reports.final(rid)
                return
        sev = b.severity[j]
        if not self.use_teams:
            reason = "teams_off"
        elif sev < self.min_severity:
            reason = "below_min_severity"
        elif not self.teams.in_range[node]:
            reason = "out_of_range"
        else:
            reason = ""
        if reason and not self.assessment and not self.remote_confirm:
            # no team, no assessment, no remote means: the finding is made at once
            self._instant_finding(rid, b, j, _REASON[reason], now)
            return
        inc = self._new_incident(rid, b, j)
        if not reason:
            self.teams.request(self._mission(inc), inc.severity)
        else:
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
        self.agreement.agree(inc, now)
        self._maybe_done(inc)

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
        if inc.u_access < self._access_denial(inc.affected):
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
        inc = self.incidents[m.incident]
        inc.returned = self.env.now
        self._maybe_done(inc)

    def team_not_in_time(self, incident: int) -> None:
        inc = self.incidents[incident]
        inc.reason = _REASON["no_team_in_time"]
        inc.unserved = self.env.now
        self._assess(inc)

    # ------------------------------------------------------------------ incidents
    def _mission(self, inc: Incident) -> Mission:
        return Mission(
            team=-1,
            incident=inc.id,
            node=inc.node,
            prepare=inc.prepare_time,
            on_site=inc.on_site_time,
        )

    def _assess(self, inc: Incident) -> None:
        self.center.assess(inc.id, inc.severity, inc.assessment_time)

    def _new_incident(self, rid: int, b: Any, j: int) -> Incident:
        vid = b.violation[j]
        if vid >= 0:
            affected = self.violations.blocks[vid >> BLOCK_BITS].affected[vid & MASK]
        else:
            affected = b.sender[j]
        inc = Incident(
            id=self.n_incidents,
            node=b.node[j],
            event_time=b.event_time[j],
            created=self.env.now,
            lead=rid,
            key=b.key[j],
            severity=b.severity[j],
            affected=affected,
            first_report=b.arrival[j],
            assessment_time=b.assess_time[j],
            prepare_time=b.prep_time[j],
            on_site_time=b.onsite_time[j],
            u_access=b.u_access[j],
            reports=[rid],
            violations=[vid],
            technical=vid >= 0 and b.channel[j] == _TECHNICAL,
        )
        self.n_incidents += 1
        self.incidents[inc.id] = inc
        b.incident[j] = inc.id
        self.open.add(inc)
        self.open_level.add(self.env.now, 1)
        return inc

    def _instant_finding(self, rid: int, b: Any, j: int, reason: int, now: float) -> None:
        """An incident whose finding is made as it opens (no team, no joint assessment):
        the same row, lead report state and violation outcome as the general path,
        without the bookkeeping of an open incident."""
        iid = self.n_incidents
        self.n_incidents += 1
        vid = b.violation[j]
        b.incident[j] = iid
        b.state[j] = _STATE["led_to_finding"]
        b.state_time[j] = now
        row = (
            iid, b.node[j], b.event_time[j], b.arrival[j], now, rid, b.key[j], 1,
            1 if vid >= 0 else 0, b.severity[j], -1, -1, NAN, NAN, NAN, NAN, False, 0, now,
            NAN, now if reason == _OUT_OF_RANGE else NAN, _NOT_VERIFIED, reason, -1, -1,
            b.assess_time[j], b.prep_time[j], b.onsite_time[j],
            NOT_CONFIRMED, NOT_CONFIRMED, -1, False, False, False, 0, NAN, NAN, -1, NAN,
        )  # fmt: skip
        self.reports.final(rid)
        if vid >= 0:
            vb = self.violations.blocks[vid >> BLOCK_BITS]
            k = vid & MASK
            if vb.outcome[k] < 0:  # the first finding about it ("unverified" never outranks)
                vb.outcome[k] = _UNVERIFIED
                vb.reason[k] = _WHY[R.INCIDENT_REASONS[reason]]
                vb.outcome_time[k] = now
            self._settled(vid)
        self._finished(iid, row)

    def _attach(self, rid: int, b: Any, j: int, inc: Incident) -> None:
        inc.reports.append(rid)
        inc.violations.append(b.violation[j])
        if b.violation[j] >= 0 and b.channel[j] == _TECHNICAL:
            inc.technical = True
        if b.arrival[j] < inc.first_report:
            inc.first_report = b.arrival[j]
        b.incident[j] = inc.id
        sev = b.severity[j]
        if sev > inc.severity:
            inc.severity = sev
            # A more severe report can turn an incident assessed without a team
            # into one that needs a team, if its assessment has not started.
            if (
                inc.reason == _REASON["below_min_severity"]
                and self.use_teams
                and sev >= self.min_severity
                and self.teams.in_range[inc.node]
                and self.center.withdraw(inc.id)
            ):
                inc.reason = 0
                self.teams.request(self._mission(inc), sev)

    def _verify(self, inc: Incident) -> dict[int, tuple[bool, int]]:
        """Check every violation reported in the incident: verified, and attributed to whom."""
        v = self.scen.teams.verification
        types = self.prep.types
        checked: dict[int, tuple[bool, int]] = {}
        for vid in inc.violations:
            if vid < 0 or vid in checked:
                continue
            vb = self.violations.blocks[vid >> BLOCK_BITS]
            k = vid & MASK
            ty = vb.type[k]
            age = inc.on_site - vb.time[k]
            p = v.base_probability * 0.5 ** (age / types.half_life[ty])
            if vb.u_verify[k] < p:
                inc.strength = max(inc.strength, p)
                if vb.u_attributable[k] < types.attributable[ty]:
                    truth = vb.perpetrator[k]
                    attr = truth if vb.u_attribution[k] < v.attribution_accuracy else 1 - truth
                else:
                    attr = -1
                checked[vid] = (True, attr)
            else:
                checked[vid] = (False, -1)
        return checked

    def _record_finding(self, inc: Incident, now: float) -> None:
        """The finding's outcome for the incident, its lead report and its violations."""
        checked = inc.checked or {}
        verified = [vid for vid, (ok, _) in checked.items() if ok]
        all_false = all(vid < 0 for vid in inc.violations)
        if verified:
            inc.outcome = R.INCIDENT_OUTCOMES.index("verified")
            inc.reason = 0
            for vid in verified:
                attr = checked[vid][1]
                if attr >= 0:
                    truth = self.violations.blocks[vid >> BLOCK_BITS].perpetrator[vid & MASK]
                    inc.attribution = attr
                    inc.attribution_correct = int(attr == truth)
                    break
        elif all_false and inc.checked is not None:
            inc.outcome = R.INCIDENT_OUTCOMES.index("unfounded")
        else:
            inc.outcome = R.INCIDENT_OUTCOMES.index("not_verified")
        self.agreement.grade(inc, verified, bool(verified))  # before its violations settle
        unfounded = inc.outcome == R.INCIDENT_OUTCOMES.index("unfounded")
        lead = inc.lead
        lb = self.reports.blocks[lead >> BLOCK_BITS]
        lb.state[lead & MASK] = _STATE["false_recognised" if unfounded else "led_to_finding"]
        lb.state_time[lead & MASK] = now
        self.reports.final(lead)
        reason_name = R.INCIDENT_REASONS[inc.reason]
        visited = inc.checked is not None
        for vid in inc.violations:
            if vid < 0:
                continue
            if vid in checked:
                ok, attr = checked[vid]
                if not ok:
                    self._settle(vid, "reported_unverified", "evidence_decayed", now, -1)
                elif attr < 0:
                    self._settle(vid, "verified", "", now, -1)
                else:
                    vb = self.violations.blocks[vid >> BLOCK_BITS]
                    right = attr == vb.perpetrator[vid & MASK]
                    outcome = "attributed_correct" if right else "attributed_incorrect"
                    self._settle(vid, outcome, "", now, attr)
            elif visited:
                self._settle(vid, "reported_unverified", "visited_before_report", now, -1)
            else:
                self._settle(vid, "reported_unverified", reason_name, now, -1)
            self._settled(vid)

    def _settle(self, vid: int, outcome: str, reason: str, now: float, attr: int) -> None:
        code = _VOUT[outcome]
        vb = self.violations.blocks[vid >> BLOCK_BITS]
        k = vid & MASK
        current = vb.outcome[k]
        # attributed (either way) > verified > unverified; the first of equals stands
        if current < 0 or _RANK[code] > _RANK[current]:
            vb.outcome[k] = code
            vb.reason[k] = _WHY[reason]
            vb.outcome_time[k] = now
            vb.attributed_to[k] = attr

    def _settled(self, vid: int) -> None:
        """One report of violation ``vid`` is done (expired, or its incident's finding made)."""
        vb = self.violations.blocks[vid >> BLOCK_BITS]
        k = vid & MASK
        vb.pending[k] -= 1
        if vb.pending[k] == 0:
            if vb.outcome[k] < 0:  # every report of it expired
                vb.outcome[k] = _VOUT["reported_unverified"]
                vb.reason[k] = _WHY["expired"]
            self.violations.final(vid)

    def _maybe_done(self, inc: Incident) -> None:
        """Finish ``inc`` if its finding is made and agreed (or left disputed), the
        desk that missed its assessment has reviewed it, and its team is back."""
        if inc.finding != inc.finding or (inc.team >= 0 and inc.returned != inc.returned):
            return
        if inc.in_dispute or (inc.absent >= 0 and inc.review != inc.review):
            return
        self._incident_done(inc)

    def _violation_facts(self, vid: int) -> tuple[int, int, int]:
        """A violation's key, type and perpetrator (it is in memory: not yet settled)."""
        vb = self.violations.blocks[vid >> BLOCK_BITS]
        k = vid & MASK
        return vb.key[k], vb.type[k], vb.perpetrator[k]

    def _access_denial(self, side: int) -> float:
        """The chance that ``side`` refuses a team access now (1 while it has walked out
        of the center and withdrawn its cooperation)."""
        now = self.env.now
        for w in self.scen.walkouts:
            if w.access == "withdrawn" and R.SIDES.index(w.party) == side:
                if w.start <= now < w.end:
                    return 1.0
        return self.access_denial[side]

    def _ladder(self, env, start: float, end: float) -> None:
        """The dispute ladder's levels as processes (none: disputes stay disputed)."""
        levels = self.scen.findings.ladder
        if not levels:
            return
        cal = self.scen.calendar  # day 0's weekday: the calendar's, else a Monday
        first = cal.start.weekday() if cal is not None else 0
        plans = [
            LevelPlan(lv.name, tuple(meeting_times(lv.meets, self.horizon, first)), lv.capacity,
                      lv.resolves)
            for lv in levels
        ]  # fmt: skip
        self.ladder = DisputeLadder(env, plans, self.agreement.g.ladder_uniform, self, start, end)
        self.agreement.ladder = self.ladder

    # ------------------------------------------------------------------ agreement events
    def dispute_settled(self, incident: int, level: int) -> None:
        self.agreement.settled(self.incidents[incident], level, self.env.now)

    def dispute_unsettled(self, incident: int) -> None:
        self.agreement.unsettled(self.incidents[incident], self.env.now)

    def desk_on_duty(self, desk: int) -> None:
        self.agreement.desk_on_duty(desk, self.env.now)

    def _incident_done(self, inc: Incident) -> None:
        """An incident with its finding made and its team back."""
        del self.incidents[inc.id]
        self._finished(inc.id, incident_row(inc))

    def _finished(self, iid: int, row: tuple) -> None:
        """A finished incident's row: incidents are written in id order, a block at a time."""
        out = self.rows_out
        if iid == self.inc_written:
            out.append(row)
            self.inc_written += 1
        else:
            self.finished[iid] = row
        finished = self.finished
        while finished and self.inc_written in finished:
            out.append(finished.pop(self.inc_written))
            self.inc_written += 1
        if len(out) >= BLOCK:
            self.recorder.write("incidents", rows_table(out))
            self.rows_out = []

    # ------------------------------------------------------------------ time series
    # ------------------------------------------------------------------ finish
    def _close_reports(self, b: Any) -> None:
        for j in range(b.n):
            if b.state[j] < 0:
                b.state[j] = _STATE["open_at_end"]

    def _close_violations(self, b: Any) -> None:
        for k in range(b.n):
            if b.pending[k] > 0 and b.outcome[k] < 0:
                b.outcome[k] = _VOUT["reported_unverified"]
                live = b.n_reports[k] - b.expired[k]
                b.reason[k] = _WHY["open_at_end" if live > 0 else "expired"]

    def _finish(self) -> R.ReplicationResult:
        now = self.horizon
        self.reports.close(self._close_reports)
        self.violations.close(self._close_violations)
        for inc in self.incidents.values():
            if inc.outcome < 0:  # no finding yet (else: its team is still driving back)
                close_open(inc)
            else:
                close_unsettled(inc)
            self.finished[inc.id] = incident_row(inc)
        rest = self.rows_out + [self.finished[i] for i in sorted(self.finished)]
        if rest:
            self.recorder.write("incidents", rows_table(rest))
        self.sampler.flush()
        if self.claims is not None:
            self.recorder.write("claims", self.claims.table(self.strikes))
        tables = self.recorder.tables(
            {
                "violations": self.prep.violation_schema,
                "reports": REPORT_SCHEMA,
                "incidents": INCIDENT_SCHEMA,
                "series": dict.fromkeys(SERIES, np.float64),
                "claims": CLAIM_SCHEMA,
            }
        )
        totals = {
            "horizon": self.horizon,
            "measured_minutes": self.horizon - self.warmup,
            "desks": desk_totals(self.desks, tables["reports"], self.warmup, now),
            "teams": {"busy": self.teams.busy.close(now), "count": self.teams.size},
            "incidents_open": self.open_level.close(now),
            "ladder": [] if self.ladder is None else self.ladder.totals(now, now - self.warmup),
            "released": (
                {}
                if self.claims is None
                else release_times(tables["claims"], self.scen.moratorium.release_after)
            ),
        }
        return R.ReplicationResult(
            replication=self.rep,
            seed=self.seed,
            violations=tables["violations"],
            reports=tables["reports"],
            incidents=tables["incidents"],
            series=tables["series"],
            totals=totals,
            types=tuple(self.prep.types.names),
            nodes=tuple(self.prep.nodes),
            claims=tables["claims"],
        )


_RDRAWS = ("u_false", "assess_time", "prep_time", "onsite_time", "u_access")
_VDRAWS = ("u_verify", "u_attributable", "u_attribution")
