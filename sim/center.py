"""The coordination center: national desks in shifts, triage and joint assessment.

Each desk (RU, UA, US) has a daily staffing level from its shift plan. A
report waits in the queue of the desk it was sent to, ordered by the
priority rule, until an officer on duty is free; the officer takes it in and
triages it. A joint assessment needs one officer of each desk at the same
moment. It is acquired without deadlock by one coordinator: while every desk
has someone on duty, waiting joint work goes before intake, and as officers
free up they are reserved, desk by desk, for the assessment at the head of
the joint queue; when all three are reserved it starts. Only the coordinator
holds partial reservations, and only for one assessment at a time, so no
circular wait can form. While some desk has nobody on duty no officer is
reserved (the assessment could not start), and reservations made before a
desk went off duty are released, so intake goes on.

Officers finish the work in hand when their shift ends (no pre-emption).
"""

from __future__ import annotations

import heapq
from typing import Callable

import numpy as np
import simpy

PARTIES = ("RU", "UA", "US")


class _ShiftChange(simpy.events.Event):
    """A timeout processed before ordinary events at the same instant.

    A shift change at 06:00 must take effect before work that would start at
    06:00, so an officer whose shift ends at 06:00 takes no new report then.
    SimPy orders simultaneous events by priority, then by scheduling order;
    this event uses the urgent priority (as SimPy's own process start does).
    """

    def __init__(self, env: simpy.Environment, delay: float):
        super().__init__(env)
        self._ok = True
        self._value = None
        env.schedule(self, simpy.core.URGENT, delay)


class Level:
    """A piecewise-constant quantity with its exact time integral over a window.

    Parameters
    ----------
    start, end : float
        The measured window (warm-up end and horizon), minutes.
    """

    __slots__ = ("value", "last", "area", "start", "end")

    def __init__(self, start: float, end: float, value: float = 0.0):
        self.value = value
        self.last = 0.0
        self.area = 0.0
        self.start = start
        self.end = end

    def set(self, now: float, value: float) -> None:
        a = self.last if self.last > self.start else self.start
        b = now if now < self.end else self.end
        if b > a:
            self.area += self.value * (b - a)
        self.last = now
        self.value = value

    def add(self, now: float, delta: float) -> None:
        self.set(now, self.value + delta)

    def close(self, now: float) -> float:
        self.set(now, self.value)
        return self.area


def change_points(staffing: list[int]) -> list[tuple[int, int]]:
    """Minutes of the day where the staffing level changes, with the new level.

    Examples
    --------
    >>> change_points([1] * 480 + [3] * 720 + [1] * 240)
    [(0, 1), (480, 3), (1200, 1)]
    """
    out = [(0, staffing[0])]
    for m in range(1, 1440):
        if staffing[m] != staffing[m - 1]:
            out.append((m, staffing[m]))
    return out


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
    severity_first : bool
        Priority rule: most severe first (ties first come first served).
    triage_time : numpy.ndarray
        Pre-drawn triage duration per report (minutes).
    arrival : numpy.ndarray
        Report arrival times.
    severity : numpy.ndarray
        Reported severity per report.
    max_wait : float or None
        Reports waiting longer expire.
    on_triaged : callable(report)
        Called when a report's triage ends.
    on_expired : callable(report, time)
        Called when a report expires in the queue.
    assessment_time : callable(incident) -> float, or None
        The duration of an incident's joint assessment; None disables it.
    on_assessed : callable(incident)
        Called when a joint assessment ends.
    ack : numpy.ndarray
        Written: the time each report's triage starts.
    """

    def __init__(
        self,
        env: simpy.Environment,
        desks: list[Desk],
        *,
        severity_first: bool,
        triage_time: np.ndarray,
        arrival: np.ndarray,
        severity: np.ndarray,
        max_wait: float | None,
        on_triaged: Callable[[int], None],
        on_expired: Callable[[int, float], None],
        assessment_time: Callable[[int], float] | None,
        on_assessed: Callable[[int], None],
        ack: np.ndarray,
        desk_of: np.ndarray,
    ):
        self.env = env
        self.desks = desks
        self.severity_first = severity_first
        self.triage_time = triage_time
        self.arrival = arrival
        self.severity = severity
        self.max_wait = max_wait
        self.on_triaged = on_triaged
        self.on_expired = on_expired
        self.assessment_time = assessment_time
        self.on_assessed = on_assessed
        self.ack = ack
        self.desk_of = desk_of
        self.in_queue = np.zeros(arrival.size, dtype=bool)
        self.pending_pos = 0
        self.joint: list[tuple[float, int, int]] = []
        self.joint_seq = 0
        self.reserved = [False, False, False]
        self.joint_waiting = Level(desks[0].busy.start, desks[0].busy.end)

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
                    yield _ShiftChange(env, t - env.now)
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
        desk = self.desks[self.desk_of[rid]]
        key = -float(self.severity[rid]) if self.severity_first else 0.0
        heapq.heappush(desk.heap, (key, rid))
        self.in_queue[rid] = True
        desk.queued.add(self.env.now, 1)
        self.dispatch(desk)  # expires overdue reports first

    def expire_due(self) -> None:
        """Expire every queued report whose wait exceeded ``max_wait`` by now.

        Reports are checked in arrival order, so the deadline order is the
        arrival order; the queue-length integral is corrected back to the
        exact deadline.
        """
        if self.max_wait is None:
            return
        now = self.env.now
        pos = self.pending_pos
        n_arrived = self.arrival.size
        while pos < n_arrived:
            deadline = self.arrival[pos] + self.max_wait
            if deadline >= now:
                break
            if self.in_queue[pos]:
                self.in_queue[pos] = False
                desk = self.desks[self.desk_of[pos]]
                q = desk.queued
                lo = max(deadline, q.start)
                hi = min(now, q.end)
                q.add(now, -1)
                if hi > lo:
                    q.area -= hi - lo
                self.on_expired(pos, deadline)
            pos += 1
        self.pending_pos = pos

    def dispatch(self, desk: Desk) -> None:
        """Give free officers of ``desk`` their next work."""
        env = self.env
        self.expire_due()
        while desk.free > 0:
            if self.joint and not self.reserved[desk.code] and self._all_staffed():
                self.reserved[desk.code] = True
                desk.busy.add(env.now, 1)
                if all(self.reserved):
                    self._start_joint()
                    # the other desks' free officers can reserve for the next one now
                    for other in self.desks:
                        if other is not desk:
                            self.dispatch(other)
                continue
            if not desk.heap:
                return
            _, rid = heapq.heappop(desk.heap)
            if not self.in_queue[rid]:
                continue  # expired while waiting
            self.in_queue[rid] = False
            desk.queued.add(env.now, -1)
            desk.busy.add(env.now, 1)
            self.ack[rid] = env.now
            env.process(self._triage(desk, rid))

    def _triage(self, desk: Desk, rid: int):
        yield self.env.timeout(self.triage_time[rid])
        desk.served += 1
        desk.busy.add(self.env.now, -1)
        self.on_triaged(rid)
        self.dispatch(desk)

    # ------------------------------------------------------------------ joint work
    def assess(self, incident: int, severity: int) -> None:
        """Queue a joint assessment of ``incident`` (or finish at once if disabled)."""
        if self.assessment_time is None:
            self.on_assessed(incident)
            return
        key = -float(severity) if self.severity_first else 0.0
        heapq.heappush(self.joint, (key, self.joint_seq, incident))
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

    def _release_reservations(self) -> None:
        for desk in self.desks:
            if self.reserved[desk.code]:
                self.reserved[desk.code] = False
                desk.busy.add(self.env.now, -1)

    def _start_joint(self) -> None:
        _, _, incident = heapq.heappop(self.joint)
        self.joint_waiting.add(self.env.now, -1)
        self.reserved = [False, False, False]
        self.env.process(self._joint(incident))

    def _joint(self, incident: int):
        yield self.env.timeout(self.assessment_time(incident))
        for desk in self.desks:
            desk.busy.add(self.env.now, -1)
        self.on_assessed(incident)
        for desk in self.desks:
            self.dispatch(desk)
