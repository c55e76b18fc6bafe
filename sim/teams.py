"""Joint monitoring teams: dispatch, travel within patrol hours, access, verification.

Teams wait at their base. A new incident gets the available team with the
shortest travel time (ties: lowest team number); with none available it
waits in a queue ordered by the priority rule and is closed unverified if no
team has been dispatched to it ``give_up_after`` after it was created (a team
already dispatched goes, even if it must wait for the patrol hours). A team prepares,
departs only when the whole trip fits into the patrol hours (otherwise it
waits for the next morning), may be denied access by the side holding the
site, verifies on site, and returns to base under the same rule.
"""

from __future__ import annotations

import bisect
from typing import Callable

import numpy as np
import simpy

from .center import Level


def next_departure(now: float, travel: float, window: tuple[float, float] | None) -> float:
    """Earliest time >= ``now`` to start a trip of ``travel`` minutes within patrol hours.

    ``window`` is ``(start, end)`` in minutes after midnight, every day; a trip
    must start and end inside one window. A trip longer than the window
    starts at the window's start. ``None`` means no restriction.

    Examples
    --------
    >>> next_departure(600.0, 60.0, (420.0, 1140.0))
    600.0
    >>> next_departure(1100.0, 60.0, (420.0, 1140.0))  # would arrive 19:20 -> next day 07:00
    1860.0
    >>> next_departure(60.0, 30.0, (420.0, 1140.0))
    420.0
    """
    if window is None:
        return now
    start, end = window
    day = (now // 1440.0) * 1440.0
    tod = now - day
    latest = end - travel
    if latest < start:
        latest = start  # the trip cannot fit: leave at the start of a window
    if tod <= start:
        return day + start
    if tod <= latest:
        return now
    return day + 1440.0 + start


class TeamPool:
    """All joint teams, their queue of incidents, and their missions.

    Parameters
    ----------
    env : simpy.Environment
    team_base : numpy.ndarray
        Base index (row of ``from_bases``) of each team.
    from_bases : numpy.ndarray
        Road km from each base to each node.
    speed_kmh : float
    window : tuple or None
        Patrol hours.
    severity_first : bool
    give_up_after : float or None
    max_travel_km : float or None
        Teams are not sent further than this (road km); None for no limit.
    prepare, verify_time : callable(incident) -> float
        Preparation and on-site durations of the mission to an incident.
    on_site : callable(incident, team) -> bool
        Called on arrival; returns True when access was granted and the
        team should spend the verification time on site.
    on_result : callable(incident)
        Called when the team's work on the incident is done (it then returns).
    on_gave_up : callable(incident)
        Called when an incident waited too long for a team.
    on_returned : callable(incident)
        Called when the team sent to an incident is back at its base.
    """

    def __init__(
        self,
        env: simpy.Environment,
        team_base: np.ndarray,
        from_bases: np.ndarray,
        *,
        speed_kmh: float,
        window: tuple[float, float] | None,
        severity_first: bool,
        give_up_after: float | None,
        max_travel_km: float | None,
        prepare: Callable[[int], float],
        verify_time: Callable[[int], float],
        on_dispatch: Callable[[int, int, float], None],
        on_depart: Callable[[int], None],
        on_site: Callable[[int, int], bool],
        on_result: Callable[[int], None],
        on_gave_up: Callable[[int], None],
        on_returned: Callable[[int], None],
        start: float,
        end: float,
    ):
        self.env = env
        self.team_base = team_base
        self.minutes = from_bases / speed_kmh * 60.0
        self.km = from_bases
        self.window = window
        self.severity_first = severity_first
        self.give_up_after = give_up_after
        self.prepare = prepare
        self.verify_time = verify_time
        self.on_dispatch = on_dispatch
        self.on_depart = on_depart
        self.on_site = on_site
        self.on_result = on_result
        self.on_gave_up = on_gave_up
        self.on_returned = on_returned
        self.max_minutes = np.inf if max_travel_km is None else max_travel_km / speed_kmh * 60.0
        self.in_range = (
            (self.minutes[team_base] <= self.max_minutes).any(axis=0)
            if team_base.size
            else np.zeros(from_bases.shape[1], dtype=bool)
        )
        self.idle = np.ones(team_base.size, dtype=bool)
        self.busy = Level(start, end)
        self.queue: list[tuple[float, int, int]] = []  # sorted by (priority key, sequence)
        self.waiting: dict[int, int] = {}  # incident -> node
        self.seq = 0

    @property
    def size(self) -> int:
        return int(self.team_base.size)

    def request(self, incident: int, node: int, severity: int) -> bool:
        """An incident needs a team; False if no team has it in range."""
        if not self.in_range[node]:
            return False
        team = self._nearest_idle(node)
        if team >= 0:
            self._send(team, incident, node)
            return True
        key = -float(severity) if self.severity_first else 0.0
        bisect.insort(self.queue, (key, self.seq, incident))
        self.seq += 1
        self.waiting[incident] = node
        if self.give_up_after is not None:
            self.env.process(self._give_up(incident))
        return True

    def _nearest_idle(self, node: int) -> int:
        if not self.idle.any():
            return -1
        times = np.where(self.idle, self.minutes[self.team_base, node], np.inf)
        team = int(np.argmin(times))
        return team if times[team] <= self.max_minutes else -1

    def _give_up(self, incident: int):
        yield self.env.timeout(self.give_up_after)
        if incident in self.waiting:
            del self.waiting[incident]
            self.queue = [q for q in self.queue if q[2] != incident]
            self.on_gave_up(incident)

    def _send(self, team: int, incident: int, node: int) -> None:
        self.idle[team] = False
        self.busy.add(self.env.now, 1)
        self.env.process(self._mission(team, incident, node))

    def _mission(self, team: int, incident: int, node: int):
        env = self.env
        base = self.team_base[team]
        travel = float(self.minutes[base, node])
        self.on_dispatch(incident, team, float(self.km[base, node]))
        yield env.timeout(self.prepare(incident))
        leave = next_departure(env.now, travel, self.window)
        if leave > env.now:
            yield env.timeout(leave - env.now)
        self.on_depart(incident)
        yield env.timeout(travel)
        if self.on_site(incident, team):
            yield env.timeout(self.verify_time(incident))
        self.on_result(incident)
        leave = next_departure(env.now, travel, self.window)
        if leave > env.now:
            yield env.timeout(leave - env.now)
        yield env.timeout(travel)
        self.on_returned(incident)
        self.idle[team] = True
        self.busy.add(env.now, -1)
        self._next(team)

    def _next(self, team: int) -> None:
        """A team is back: give it the first waiting incident (in priority order) in range."""
        reach = self.minutes[self.team_base[team]]
        for k, (_, _, incident) in enumerate(self.queue):
            node = self.waiting.get(incident)
            if node is None:
                continue
            if reach[node] <= self.max_minutes:
                del self.queue[k]
                del self.waiting[incident]
                self._send(team, incident, node)
                return
