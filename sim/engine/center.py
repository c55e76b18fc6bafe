"""The coordination center: national desks in shifts, triage and joint assessment.

Each desk (RU, UA, US) has a daily staffing level from its shift plan. A
report waits in the queue of the desk it was sent to, ordered by the
priority rule, until an officer on duty is free; the officer takes it in and
triages it (:meth:`Center.officer_triages`: what a desk officer does). A
joint assessment needs one officer of each desk at the same moment. It is
acquired without deadlock by one coordinator: while every desk has someone
on duty, waiting joint work goes before intake, and as officers free up they
are reserved, desk by desk, for the assessment at the head of the joint
queue; when all three are reserved it starts. Only the coordinator holds
partial reservations, and only for one assessment at a time, so no circular
wait can form. While some desk has nobody on duty no officer is reserved
(the assessment could not start), and reservations made before a desk went
off duty are released, so intake goes on.

Officers finish the work in hand when their shift ends (no pre-emption).
The center reports what happens through one :class:`CenterSink`.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import simpy

from ..records import PARTIES
from .monitor import Level
from .shifts import ShiftChange, change_points


@dataclass(frozen=True)
class CenterConfig:
    """How the center works, from ``center`` in the scenario.

    Attributes
    ----------
    severity_first : bool
        Priority rule: most severe first (ties first come first served).
    max_wait : float or None
        Reports waiting longer for triage expire (minutes).
    assessment : bool
        Whether findings need a joint assessment.
    """

    severity_first: bool
    max_wait: float | None
    assessment: bool


@dataclass(frozen=True)
class ReportColumns:
    """What the center reads about each report (indexed by report id) and writes.

    Attributes
    ----------
    arrival : numpy.ndarray
        Arrival times, sorted.
    desk : numpy.ndarray
        Desk code (index into ``PARTIES``).
    severity : numpy.ndarray
        Reported severity.
    triage_time : numpy.ndarray
        Officer time to triage it (minutes).
    ack : numpy.ndarray
        Written: the time its triage starts (NaN until then).
    """

    arrival: np.ndarray
    desk: np.ndarray
    severity: np.ndarray
    triage_time: np.ndarray
    ack: np.ndarray


class CenterSink(Protocol):
    """What the center tells the rest of the model."""

    def report_expired(self, rid: int, when: float) -> None:
        """Report ``rid`` waited longer than ``max_wait``; it left the queue at ``when``."""

    def report_triaged(self, rid: int) -> None:
        """An officer finished triaging report ``rid`` (now)."""

    def incident_assessed(self, incident: int) -> None:
        """The joint assessment of ``incident`` ended (now)."""


class Desk:
    """One national desk: its queue, officers on duty and busy officers."""

    def __init__(self, code: int, staffing: list[int], start: float, end: float):
        self.code = code
        self.name = PARTIES[code]
        self.changes = change_points(staffing)
        self.on_duty = Level(start, end, float(staffing[0]))
        self.busy = Level(start, end)
        self.queued = Level(start, end)
        self.heap: list[tuple[float, int]] = []  # (priority key, report id)
        self.served = 0

    @property
    def free(self) -> int:
        return int(self.on_duty.value - self.busy.value)


class Center:
    """Desks, their queues, and the joint-assessment coordinator.

    Parameters
    ----------
    env : simpy.Environment
    desks : list of Desk
        RU, UA and US, in that order.
    config : CenterConfig
    reports : ReportColumns
    sink : CenterSink
    """

    def __init__(
        self,
        env: simpy.Environment,
        desks: list[Desk],
        config: CenterConfig,
        reports: ReportColumns,
        sink: CenterSink,
    ):
        self.env = env
        self.desks = desks
        self.config = config
        self.reports = reports
        self.sink = sink
        self.in_queue = np.zeros(reports.arrival.size, dtype=bool)
        self.pending_pos = 0
        # (priority key, sequence, incident, duration)
        self.joint: list[tuple[float, int, int, float]] = []
        self.joint_seq = 0
        self.reserved = [False, False, False]
        self.joint_waiting = Level(desks[0].busy.start, desks[0].busy.end)

    def _key(self, severity: float) -> float:
        return -float(severity) if self.config.severity_first else 0.0

    # ------------------------------------------------------------------ shifts
    def shift_process(self):
        """Apply every desk's daily staffing changes, day after day.

        Changes at the same minute are applied to all desks before any work
        is handed out, so no desk acts on another desk's outdated staffing.
        """
        env = self.env
        minutes = sorted({m for d in self.desks for m, _ in d.changes})
        level_at = [dict(d.changes) for d in self.desks]
        day = 0.0
        while True:
            for minute in minutes:
                t = day + minute
                if t > env.now:
                    yield ShiftChange(env, t - env.now)
                changed = [d for d, lv in zip(self.desks, level_at) if minute in lv]
                for d in changed:
                    d.on_duty.set(env.now, float(level_at[d.code][minute]))
                if self.joint and not self._all_staffed():
                    self._release_reservations()
                for d in self.desks if self.joint else changed:
                    self.dispatch(d)
            day += 1440.0

    # ------------------------------------------------------------------ intake
    def receive(self, rid: int) -> None:
        """A report arrives at its desk."""
        desk = self.desks[self.reports.desk[rid]]
        heapq.heappush(desk.heap, (self._key(self.reports.severity[rid]), rid))
        self.in_queue[rid] = True
        desk.queued.add(self.env.now, 1)
        self.dispatch(desk)  # expires overdue reports first

    def expire_due(self) -> None:
        """Expire every queued report whose wait exceeded ``max_wait`` by now.

        Reports are checked in arrival order, so the deadline order is the
        arrival order; the queue-length integral is corrected back to the
        exact deadline.
        """
        max_wait = self.config.max_wait
        if max_wait is None:
            return
        now = self.env.now
        arrival = self.reports.arrival
        pos = self.pending_pos
        while pos < arrival.size:
            deadline = arrival[pos] + max_wait
            if deadline >= now:
                break
            if self.in_queue[pos]:
                self.in_queue[pos] = False
                q = self.desks[self.reports.desk[pos]].queued
                lo = max(deadline, q.start)
                hi = min(now, q.end)
                q.add(now, -1)
                if hi > lo:
                    q.area -= hi - lo
                self.sink.report_expired(pos, deadline)
            pos += 1
        self.pending_pos = pos

    def dispatch(self, desk: Desk) -> None:
        """Give free officers of ``desk`` their next work: joint work first, then intake."""
        env = self.env
        self.expire_due()
        while desk.free > 0:
            if self.joint and not self.reserved[desk.code] and self._all_staffed():
                self._reserve(desk)
                continue
            if not desk.heap:
                return
            _, rid = heapq.heappop(desk.heap)
            if not self.in_queue[rid]:
                continue  # expired while waiting
            self.in_queue[rid] = False
            desk.queued.add(env.now, -1)
            desk.busy.add(env.now, 1)
            self.reports.ack[rid] = env.now
            env.process(self.officer_triages(desk, rid))

    def officer_triages(self, desk: Desk, rid: int):
        """What a desk officer does with a report: triage it, then take the next work."""
        yield self.env.timeout(self.reports.triage_time[rid])
        desk.served += 1
        desk.busy.add(self.env.now, -1)
        self.sink.report_triaged(rid)
        self.dispatch(desk)

    # ------------------------------------------------------------------ joint work
    def assess(self, incident: int, severity: int, duration: float) -> None:
        """Queue a joint assessment of ``incident`` (or finish at once if disabled)."""
        if not self.config.assessment:
            self.sink.incident_assessed(incident)
            return
        heapq.heappush(self.joint, (self._key(severity), self.joint_seq, incident, duration))
        self.joint_seq += 1
        self.joint_waiting.add(self.env.now, 1)
        for desk in self.desks:
            self.dispatch(desk)

    def withdraw(self, incident: int) -> bool:
        """Take a waiting joint assessment back (e.g. the incident now needs a team).

        Returns False if the assessment is not waiting (already started or done).
        """
        for k, item in enumerate(self.joint):
            if item[2] == incident:
                self.joint[k] = self.joint[-1]
                self.joint.pop()
                heapq.heapify(self.joint)
                self.joint_waiting.add(self.env.now, -1)
                if not self.joint:  # nothing left to reserve officers for
                    self._release_reservations()
                    for desk in self.desks:
                        self.dispatch(desk)
                return True
        return False

    def _all_staffed(self) -> bool:
        return all(d.on_duty.value > 0 for d in self.desks)

    def _reserve(self, desk: Desk) -> None:
        self.reserved[desk.code] = True
        desk.busy.add(self.env.now, 1)
        if all(self.reserved):
            self._start_joint()
            # the other desks' free officers can reserve for the next one now
            for other in self.desks:
                if other is not desk:
                    self.dispatch(other)

    def _release_reservations(self) -> None:
        for desk in self.desks:
            if self.reserved[desk.code]:
                self.reserved[desk.code] = False
                desk.busy.add(self.env.now, -1)

    def _start_joint(self) -> None:
        _, _, incident, duration = heapq.heappop(self.joint)
        self.joint_waiting.add(self.env.now, -1)
        self.reserved = [False, False, False]
        self.env.process(self.officers_assess(incident, duration))

    def officers_assess(self, incident: int, duration: float):
        """What three officers (one per desk) do together: assess an incident."""
        yield self.env.timeout(duration)
        for desk in self.desks:
            desk.busy.add(self.env.now, -1)
        self.sink.incident_assessed(incident)
        for desk in self.desks:
            self.dispatch(desk)
