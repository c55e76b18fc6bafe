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

Shift handover follows Ciw's semantics: each shift of the plan is a group
of officers; an officer whose shift ends finishes the work in hand and then
leaves, and the incoming shift is fully available from its first minute
(a busy outgoing officer never occupies an incoming officer's place). New
work goes to the on-duty shift that stays longest. The center reports what
happens through one :class:`CenterSink`.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import simpy

from ..records import PARTIES
from .monitor import BinnedLevel, Level
from .shifts import ShiftChange


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
    shift : numpy.ndarray
        Written: the index (in its desk's plan) of the shift whose officer triages it.
    """

    arrival: np.ndarray
    desk: np.ndarray
    severity: np.ndarray
    triage_time: np.ndarray
    ack: np.ndarray
    shift: np.ndarray


class CenterSink(Protocol):
    """What the center tells the rest of the model."""

    def report_expired(self, rid: int, when: float) -> None:
        """Report ``rid`` waited longer than ``max_wait``; it left the queue at ``when``."""

    def report_triaged(self, rid: int) -> None:
        """An officer finished triaging report ``rid`` (now)."""

    def incident_assessed(self, incident: int) -> None:
        """The joint assessment of ``incident`` ended (now)."""


@dataclass(slots=True)
class ShiftGroup:
    """The officers of one shift of a desk's plan.

    Attributes
    ----------
    name : str
    start, end : int
        Minutes of the day; equal for a 24-hour shift.
    size : int
        Officers on this shift.
    on : bool
        Whether the shift is on duty now.
    busy : int
        Its officers busy now (after the shift ended: still finishing their work).
    """

    name: str
    start: int
    end: int
    size: int
    on: bool = False
    busy: int = 0

    def covers(self, minute: float) -> bool:
        """Whether minute-of-day ``minute`` is within the shift."""
        a, b = self.start, self.end
        if a == b:
            return True
        return a <= minute < b if a < b else (minute >= a or minute < b)

    def left(self, minute: float) -> float:
        """Minutes until the shift ends, from minute-of-day ``minute`` (inf: 24 hours)."""
        if self.start == self.end:
            return math.inf
        return (self.end - minute) % 1440.0


def bin_edges(groups: list[ShiftGroup]) -> list[int]:
    """Minutes of the day that split it into hours and at every shift boundary.

    Examples
    --------
    >>> bin_edges([ShiftGroup("night", 1350, 360, 1)])[:4]
    [0, 60, 120, 180]
    >>> 1350 in bin_edges([ShiftGroup("night", 1350, 360, 1)])
    True
    """
    edges = set(range(0, 1441, 60))
    for g in groups:
        edges |= {g.start % 1440, g.end % 1440}
    return sorted(edges)


class Desk:
    """One national desk: its queue, its shifts, officers on duty and busy officers.

    Parameters
    ----------
    code : int
        Index into ``PARTIES``.
    groups : list of ShiftGroup
        The shift plan (a single 24-hour group for ``officers: N``).
    start, end : float
        The measured window.
    """

    def __init__(self, code: int, groups: list[ShiftGroup], start: float, end: float):
        self.code = code
        self.name = PARTIES[code]
        self.groups = groups
        for g in groups:
            g.on = g.covers(0.0)
        self.edges = bin_edges(groups)
        self.on_duty = BinnedLevel(start, end, self.edges, float(self.scheduled()))
        self.busy = BinnedLevel(start, end, self.edges)
        self.queued = Level(start, end)
        self.heap: list[tuple[float, int]] = []  # (priority key, report id)
        self.served = 0

    def scheduled(self) -> int:
        """Officers whose shift is on duty now."""
        return sum(g.size for g in self.groups if g.on)

    @property
    def free(self) -> int:
        """Officers on duty and not busy (outgoing officers finishing work do not count)."""
        return sum(g.size - g.busy for g in self.groups if g.on and g.busy < g.size)

    def take(self, now: float) -> int:
        """A free on-duty officer starts work: the index of their shift group.

        The officer comes from the on-duty shift that stays longest (ties: the
        first in the plan), so work rarely spills over a shift's end.
        """
        minute = now % 1440.0
        best, best_left = -1, -1.0
        for k, g in enumerate(self.groups):
            if g.on and g.busy < g.size:
                left = g.left(minute)
                if left > best_left:
                    best, best_left = k, left
        self.groups[best].busy += 1
        self.busy.add(now, 1)
        return best

    def release(self, group: int, now: float) -> None:
        """An officer of ``group`` finishes work (and leaves if their shift is over)."""
        self.groups[group].busy -= 1
        self.busy.add(now, -1)


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
        self.reserved = [-1, -1, -1]  # per desk: the shift group of the reserved officer
        self.joint_waiting = Level(desks[0].busy.start, desks[0].busy.end)

    def _key(self, severity: float) -> float:
        return -float(severity) if self.config.severity_first else 0.0

    # ------------------------------------------------------------------ shifts
    def shift_process(self):
        """Start and end every desk's shifts, day after day.

        Changes at the same minute are applied to all desks before any work
        is handed out, so no desk acts on another desk's outdated staffing.
        An officer reserved for a joint assessment whose shift ends is released.
        """
        env = self.env
        minutes = sorted(
            {
                m % 1440
                for d in self.desks
                for g in d.groups
                if g.start != g.end
                for m in (g.start, g.end)
            }
        )
        if not minutes:
            return
        day = 0.0
        while True:
            for minute in minutes:
                t = day + minute
                if t > env.now:
                    yield ShiftChange(env, t - env.now)
                for d in self.desks:
                    changed = False
                    for g in d.groups:
                        on = g.covers(float(minute))
                        if on != g.on:
                            g.on, changed = on, True
                    if changed:
                        d.on_duty.set(env.now, float(d.scheduled()))
                        held = self.reserved[d.code]
                        if held >= 0 and not d.groups[held].on:
                            self._release(d)
                if self.joint and not self._all_staffed():
                    self._release_reservations()
                for d in self.desks:
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
            if self.joint and self.reserved[desk.code] < 0 and self._all_staffed():
                self._reserve(desk)
                continue
            if not desk.heap:
                return
            _, rid = heapq.heappop(desk.heap)
            if not self.in_queue[rid]:
                continue  # expired while waiting
            self.in_queue[rid] = False
            desk.queued.add(env.now, -1)
            group = desk.take(env.now)
            self.reports.ack[rid] = env.now
            self.reports.shift[rid] = group
            env.process(self.officer_triages(desk, group, rid))

    def officer_triages(self, desk: Desk, group: int, rid: int):
        """What a desk officer does with a report: triage it, then take the next work
        (or leave, if their shift has ended)."""
        yield self.env.timeout(self.reports.triage_time[rid])
        desk.served += 1
        desk.release(group, self.env.now)
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
        return all(d.scheduled() > 0 for d in self.desks)

    def _reserve(self, desk: Desk) -> None:
        self.reserved[desk.code] = desk.take(self.env.now)
        if all(r >= 0 for r in self.reserved):
            self._start_joint()
            # the other desks' free officers can reserve for the next one now
            for other in self.desks:
                if other is not desk:
                    self.dispatch(other)

    def _release(self, desk: Desk) -> None:
        desk.release(self.reserved[desk.code], self.env.now)
        self.reserved[desk.code] = -1

    def _release_reservations(self) -> None:
        for desk in self.desks:
            if self.reserved[desk.code] >= 0:
                self._release(desk)

    def _start_joint(self) -> None:
        _, _, incident, duration = heapq.heappop(self.joint)
        self.joint_waiting.add(self.env.now, -1)
        groups, self.reserved = self.reserved, [-1, -1, -1]
        self.env.process(self.officers_assess(incident, duration, groups))

    def officers_assess(self, incident: int, duration: float, groups: list[int]):
        """What three officers (one per desk) do together: assess an incident."""
        yield self.env.timeout(duration)
        for desk in self.desks:
            desk.release(groups[desk.code], self.env.now)
        self.sink.incident_assessed(incident)
        for desk in self.desks:
            self.dispatch(desk)
