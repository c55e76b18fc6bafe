"""The coordination center: national desks in shifts, triage and joint assessment.

Each desk (RU, UA, US) has a daily staffing level from its shift plan. A
report waits in the queue of the desk it was sent to, ordered by the
priority rule, until an officer on duty is free; the officer takes it in and
triages it (:meth:`Center.officer_done`: what a desk officer does). A
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
from collections import deque
from dataclasses import dataclass
from functools import partial
from typing import Protocol

import numpy as np
import simpy

from ..records import PARTIES, REPORT_STATES
from .monitor import BinnedLevel, Level, interval_integrals
from .shifts import ShiftChange

_EXPIRED = REPORT_STATES.index("expired")


def delay_until(now: float, t: float) -> float:
    """The delay after which a timeout set at ``now`` fires at ``t`` or later (minutes).

    ``now + (t - now)`` can round to just below ``t`` (when ``now < t / 2``); a
    wake-up meant for an arrival at ``t`` would then come before it, find it not
    yet arrived and never be set again, leaving the desk idle for good.

    Examples
    --------
    >>> now, t = 11.015475896001485, 29.574003068670915
    >>> now + (t - now) < t, now + delay_until(now, t) >= t
    (True, True)
    """
    delay = t - now
    while now + delay < t:
        delay = math.nextafter(delay, math.inf)
    return delay


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
    two_of_three : bool
        Quorum rule: while a desk has nobody on duty, the two staffed desks may
        assess (an emergency quorum) instead of waiting for all three.
    """

    severity_first: bool
    max_wait: float | None
    assessment: bool
    two_of_three: bool = False


class CenterSink(Protocol):
    """What the center tells the rest of the model."""

    def report_started(self, rid: int, group: int) -> None:
        """An officer of shift ``group`` starts triaging report ``rid`` (now)."""

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
        self.on_count = self.scheduled()  # officers on duty now (kept by shift_changed)
        self.on_duty = BinnedLevel(start, end, self.edges, float(self.on_count))
        # officers held by joint assessments (triage time is integrated from the
        # reports table afterwards, see :func:`~sim.engine.monitor.interval_integrals`)
        self.joint_busy = BinnedLevel(start, end, self.edges)
        self.queued = 0  # reports waiting in the queue now
        self.heap: list[tuple[float, int]] = []  # (priority key, report id)
        self.served = 0
        self.suspended = False  # walked out: nobody on duty whatever the shift plan
        self.free = self._count_free()

    def scheduled(self) -> int:
        """Officers whose shift is on duty now."""
        return sum(g.size for g in self.groups if g.on)

    def _count_free(self) -> int:
        """Officers on duty and not busy (outgoing officers finishing work do not count)."""
        return sum(g.size - g.busy for g in self.groups if g.on and g.busy < g.size)

    def shift_changed(self, now: float) -> None:
        """Shifts started or ended now: recount officers on duty and free."""
        self.on_count = self.scheduled()
        self.on_duty.set(now, float(self.on_count))
        self.free = self._count_free()

    def take(self, now: float) -> int:
        """A free on-duty officer starts work: the index of their shift group.

        The officer comes from the on-duty shift that stays longest (ties: the
        first in the plan), so work rarely spills over a shift's end.
        """
        groups = self.groups
        if len(groups) == 1:
            best = 0
        else:
            minute = now % 1440.0
            best, best_left = -1, -1.0
            for k, g in enumerate(groups):
                if g.on and g.busy < g.size:
                    left = g.left(minute)
                    if left > best_left:
                        best, best_left = k, left
        groups[best].busy += 1
        self.free -= 1
        return best

    def release(self, group: int, now: float) -> None:
        """An officer of ``group`` finishes work (and leaves if their shift is over)."""
        g = self.groups[group]
        g.busy -= 1
        if g.on:
            self.free += 1

    def busy(self) -> int:
        """Officers busy now (triage or joint work, outgoing officers included)."""
        return sum(g.busy for g in self.groups)


class Center:
    """Desks, their queues, and the joint-assessment coordinator.

    Parameters
    ----------
    env : simpy.Environment
    desks : list of Desk
        RU, UA and US, in that order.
    config : CenterConfig
    sink : CenterSink
        Told when triage starts and ends, when a report expires and when an
        assessment ends.
    """

    def __init__(
        self,
        env: simpy.Environment,
        desks: list[Desk],
        config: CenterConfig,
        sink: CenterSink,
    ):
        self.env = env
        self.desks = desks
        self.config = config
        self.sink = sink
        self.severity_first = config.severity_first
        self.max_wait = config.max_wait
        self.waiting: dict[int, float] = {}  # queued report -> its triage time
        self.deadlines: deque[tuple[float, int, int]] = deque()  # (deadline, report, desk)
        # per desk: reports still to arrive, (arrival, report, severity, triage time)
        self.intake: list[deque[tuple[float, int, int, float]]] = [deque() for _ in desks]
        self.next_arrival = math.inf
        self.wake_at = math.inf
        # (priority key, sequence, incident, duration)
        self.joint: list[tuple[float, int, int, float]] = []
        self.assessed_by: dict[int, tuple[int, ...]] = {}  # incident -> desks that assessed it
        self.joint_seq = 0
        self.reserved = [-1, -1, -1]  # per desk: the shift group of the reserved officer
        self.joint_waiting = Level(desks[0].on_duty.start, desks[0].on_duty.end)

    def _key(self, severity: float) -> float:
        return -float(severity) if self.severity_first else 0.0

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
                self._restaff(float(minute))
            day += 1440.0

    def _restaff(self, minute: float) -> None:
        """Put on duty the shifts that cover ``minute`` (none at a suspended desk), then
        hand out work. An officer reserved for a joint assessment whose shift ended
        (or whose desk walked out) is released."""
        now = self.env.now
        back = []
        for d in self.desks:
            changed = False
            for g in d.groups:
                on = g.covers(minute) and not d.suspended
                if on != g.on:
                    g.on, changed = on, True
            if changed:
                was = d.on_count
                d.shift_changed(now)
                held = self.reserved[d.code]
                if held >= 0 and not d.groups[held].on:
                    self._release(d)
                if was == 0 and d.on_count > 0:
                    back.append(d.code)
        if self.joint:
            if not self._can_start():
                self._release_reservations()
            else:
                self._start_if_reserved()
        on_duty = getattr(self.sink, "desk_on_duty", None)
        for code in back:
            if on_duty is not None:
                on_duty(code)
        for d in self.desks:
            self.dispatch(d)

    def walkout(self, code: int, start: float, end: float):
        """Desk ``code`` leaves at ``start`` and comes back at ``end`` (inf: never);
        officers at work finish what they hold, as at the end of a shift."""
        env = self.env
        if start > env.now:
            yield ShiftChange(env, start - env.now)
        self.desks[code].suspended = True
        self._restaff(env.now % 1440.0)
        if end < math.inf:
            yield ShiftChange(env, end - env.now)
            self.desks[code].suspended = False
            self._restaff(env.now % 1440.0)

    # ------------------------------------------------------------------ intake
    def feed(
        self,
        rid: list[int],
        arrival: list[float],
        desk: list[int],
        severity: list[int],
        triage_time: list[float],
    ) -> None:
        """Reports that will arrive (in arrival order): each joins its desk's queue at its
        arrival time (see :meth:`catch_up`)."""  # fmt: skip
        for k, d in enumerate(desk):
            self.intake[d].append((arrival[k], rid[k], severity[k], triage_time[k]))
        self._next_arrival()
        self._arm()

    def _next_arrival(self) -> None:
        first = math.inf
        for q in self.intake:
            if q and q[0][0] < first:
                first = q[0][0]
        self.next_arrival = first

    def catch_up(self) -> None:
        """Every report that has arrived by now joins its desk's queue.

        A desk with a free officer is woken at each arrival (:meth:`_arm`), so a
        report joins the queue of a desk with nobody free only when something
        next happens there; its time in the queue still counts from its own
        arrival (the queue-length integral is computed from the reports' times,
        see :func:`~sim.engine.monitor.interval_integrals`). Reports arriving at
        an instant are queued before anyone picks work at that instant.
        """
        now = self.env.now
        if self.next_arrival > now:
            return
        key = self.severity_first
        waiting, max_wait = self.waiting, self.max_wait
        due = []
        for d, q in zip(self.desks, self.intake):
            heap = d.heap
            while q and q[0][0] <= now:
                arrival, rid, severity, triage_time = q.popleft()
                heapq.heappush(heap, (-float(severity) if key else 0.0, rid))
                waiting[rid] = triage_time
                if max_wait is not None:
                    due.append((arrival + max_wait, rid, d.code))
                d.queued += 1
        # Desk by desk the deadlines are not in time order; every one of them is later
        # than those already waiting (their reports arrived after the last catch-up).
        due.sort()
        self.deadlines.extend(due)
        self._next_arrival()

    def _arm(self) -> None:
        """Wake at the next arrival at a desk with a free officer (none needed elsewhere:
        a busy desk queues its arrivals when it next does something)."""
        wake = math.inf
        for d, q in zip(self.desks, self.intake):
            if q and d.free > 0 and q[0][0] < wake:
                wake = q[0][0]
        if wake < self.wake_at:
            self.wake_at = wake
            ev = self.env.timeout(delay_until(self.env.now, wake))
            ev.callbacks.append(self._wake)

    def _wake(self, _event) -> None:
        if self.env.now >= self.wake_at:
            self.wake_at = math.inf
        self.catch_up()
        for d in self.desks:
            if d.heap:  # only a desk with reports waiting has new work (dispatch: free ones)
                self.dispatch(d)
        self._arm()

    def expire_due(self) -> None:
        """Expire every queued report whose wait exceeded ``max_wait`` by now.

        Reports are checked in arrival order, so the deadline order is the
        arrival order; each leaves the queue at its exact deadline.
        """
        deadlines = self.deadlines
        if not deadlines:
            return
        now = self.env.now
        while deadlines and deadlines[0][0] < now:
            deadline, rid, desk = deadlines.popleft()
            if self.waiting.pop(rid, None) is None:
                continue  # taken in before its deadline
            self.desks[desk].queued -= 1
            self.sink.report_expired(rid, deadline)

    def dispatch(self, desk: Desk) -> None:
        """Give free officers of ``desk`` their next work: joint work first, then intake."""
        if desk.free <= 0:
            return  # nobody to give work to (arrivals queue when the desk next acts)
        env = self.env
        now = env.now
        if self.next_arrival <= now:
            self.catch_up()
        if self.deadlines:
            self.expire_due()
        heap, waiting, joint = desk.heap, self.waiting, self.joint
        done = self._triage_done
        while desk.free > 0:
            if joint and self.reserved[desk.code] < 0 and self._can_start():
                self._reserve(desk)
                continue
            if not heap:
                break
            rid = heapq.heappop(heap)[1]
            triage_time = waiting.pop(rid, None)
            if triage_time is None:
                continue  # expired while waiting
            desk.queued -= 1
            group = desk.take(now)
            self.sink.report_started(rid, group)
            env.timeout(triage_time, (desk, group, rid)).callbacks.append(done)
        q = self.intake[desk.code]
        if desk.free > 0 and q and q[0][0] < self.wake_at:
            self._arm()

    def _triage_done(self, event: simpy.Event) -> None:
        self.officer_done(*event.value)

    def officer_done(self, desk: Desk, group: int, rid: int) -> None:
        """What a desk officer does when a triage ends: hand the report on, then take
        the next work (or leave, if their shift has ended)."""
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

    def _can_start(self) -> bool:
        """Whether a joint assessment can be held now: every desk has someone on duty,
        or (emergency quorum) two do."""
        d0, d1, d2 = self.desks
        staffed = (d0.on_count > 0) + (d1.on_count > 0) + (d2.on_count > 0)
        return staffed == 3 or (staffed == 2 and self.config.two_of_three)

    def _reserve(self, desk: Desk) -> None:
        self.reserved[desk.code] = desk.take(self.env.now)
        desk.joint_busy.add(self.env.now, 1)
        if self._start_if_reserved():
            # the other desks' free officers can reserve for the next one now
            for other in self.desks:
                if other is not desk:
                    self.dispatch(other)

    def _start_if_reserved(self) -> bool:
        """Start the assessment at the head of the joint queue if an officer of every
        staffed desk is reserved for it."""
        if not self.joint or not self._can_start():
            return False
        if any(r < 0 and d.on_count > 0 for r, d in zip(self.reserved, self.desks)):
            return False
        self._start_joint()
        return True

    def _release(self, desk: Desk) -> None:
        desk.release(self.reserved[desk.code], self.env.now)
        desk.joint_busy.add(self.env.now, -1)
        self.reserved[desk.code] = -1

    def _release_reservations(self) -> None:
        for desk in self.desks:
            if self.reserved[desk.code] >= 0:
                self._release(desk)

    def _start_joint(self) -> None:
        _, _, incident, duration = heapq.heappop(self.joint)
        self.joint_waiting.add(self.env.now, -1)
        groups, self.reserved = self.reserved, [-1, -1, -1]
        self.assessed_by[incident] = tuple(k for k, g in enumerate(groups) if g >= 0)
        done = self.env.timeout(duration)
        done.callbacks.append(partial(self.officers_assessed, incident, groups))

    def officers_assessed(self, incident: int, groups: list[int], _event=None) -> None:
        """What three officers (one per desk) do when their joint assessment ends:
        record the finding and return to work."""
        for desk in self.desks:
            if groups[desk.code] >= 0:
                desk.release(groups[desk.code], self.env.now)
                desk.joint_busy.add(self.env.now, -1)
        self.sink.incident_assessed(incident)
        for desk in self.desks:
            self.dispatch(desk)


def desk_totals(desks: list[Desk], reports, start: float, now: float) -> dict[str, dict]:
    """Per desk, from the reports table of a replication that ended at ``now``: time
    integrals of officers on duty, officers busy and reports
    waiting over the measured window, in total and by time of day. Triage and
    queueing are integrated from the reports' times (the engine does not track
    them as it goes); joint work and staffing were integrated as they changed."""
    desk, arrival, ack = reports["desk"], reports["arrival"], reports["ack"]
    triaged, state, state_time = reports["triaged"], reports["state"], reports["state_time"]
    started = np.isfinite(ack)
    # a report leaves the queue when taken in, when it expires, or at the horizon
    left = np.where(started, ack, np.where(state == _EXPIRED, state_time, now))
    busy_until = np.where(np.isfinite(triaged), triaged, now)
    out = {}
    for d in desks:
        mine = desk == d.code
        work = mine & started
        busy, busy_by_bin = interval_integrals(ack[work], busy_until[work], start, now, d.edges)
        queue, _ = interval_integrals(arrival[mine], left[mine], start, now, [0, 1440])
        out[d.name] = {
            "busy": d.joint_busy.close(now) + busy,
            "on_duty": d.on_duty.close(now),
            "queue": queue,
            "served": d.served,
            "bin_edges": list(d.edges),
            "busy_by_bin": [a + b for a, b in zip(d.joint_busy.by_bin, busy_by_bin)],
            "on_duty_by_bin": [float(x) for x in d.on_duty.by_bin],
            "shifts": [
                {"name": g.name, "start": g.start, "end": g.end, "officers": g.size}
                for g in d.groups
            ],
        }
    return out
