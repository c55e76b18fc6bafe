"""Joint monitoring teams: dispatch, travel within patrol hours, access, verification.

Teams wait at their base. A new incident gets the available team with the
shortest travel time (ties: lowest team number); with none available it
waits in a queue ordered by the priority rule and is closed unverified if no
team has been dispatched to it ``give_up_after`` after it was created (a team
already dispatched goes, even if it must wait for the patrol hours). A team
prepares, departs only when the whole trip fits into the patrol hours
(otherwise it waits for the next morning), may be denied access by the side
holding the site, verifies on site, and returns to base under the same rule:
:meth:`TeamPool.team_mission` is what a team does. The pool reports what
happens through one :class:`TeamSink`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import simpy

from ..world.patrol import next_departure
from .monitor import Level


@dataclass(frozen=True)
class TeamConfig:
    """The teams and how they work, from ``teams`` in the scenario.

    Attributes
    ----------
    team_base : numpy.ndarray
        Base index (row of ``from_bases``) of each team.
    from_bases : numpy.ndarray
        Road km from each base to each node.
    speed_kmh : float
    window : tuple or None
        Patrol hours ``(start, end)`` in minutes after midnight.
    severity_first : bool
        Priority rule of the waiting queue.
    give_up_after : float or None
        Minutes an incident may wait for a team.
    max_travel_km : float or None
        Teams are not sent further than this (road km); None for no limit.
    """

    team_base: np.ndarray
    from_bases: np.ndarray
    speed_kmh: float
    window: tuple[float, float] | None
    severity_first: bool
    give_up_after: float | None
    max_travel_km: float | None


@dataclass(slots=True)
class Mission:
    """One team's trip to one incident.

    Attributes
    ----------
    team, incident, node : int
    prepare, on_site : float
        Minutes to prepare before leaving and to spend on site.
    travel : float
        Minutes of driving each way.
    km : float
        Road km each way.
    """

    team: int
    incident: int
    node: int
    prepare: float
    on_site: float
    travel: float = 0.0
    km: float = 0.0


class TeamSink(Protocol):
    """What the teams tell the rest of the model."""

    def team_dispatched(self, mission: Mission) -> None:
        """A team was assigned to the mission's incident (now)."""

    def team_departed(self, mission: Mission) -> None:
        """The team left its base (now)."""

    def team_arrived(self, mission: Mission) -> bool:
        """The team is on site (now); return True when access is granted."""

    def team_done_on_site(self, mission: Mission) -> None:
        """The team's work on the incident is done (now); it returns to base."""

    def team_returned(self, mission: Mission) -> None:
        """The team is back at its base (now)."""

    def team_not_in_time(self, incident: int) -> None:
        """No team was dispatched to ``incident`` within ``give_up_after``."""


class TeamPool:
    """All joint teams, their queue of incidents, and their missions.

    Parameters
    ----------
    env : simpy.Environment
    config : TeamConfig
    sink : TeamSink
    start, end : float
        The measured window (for the busy-team integral).
    """

    def __init__(
        self,
        env: simpy.Environment,
        config: TeamConfig,
        sink: TeamSink,
        start: float,
        end: float,
    ):
        self.env = env
        self.config = config
        self.sink = sink
        self.team_base = config.team_base
        self.minutes = config.from_bases / config.speed_kmh * 60.0
        self.km = config.from_bases
        self.max_minutes = (
            np.inf
            if config.max_travel_km is None
            else config.max_travel_km / config.speed_kmh * 60.0
        )
        self.in_range = (
            (self.minutes[self.team_base] <= self.max_minutes).any(axis=0)
            if self.team_base.size
            else np.zeros(config.from_bases.shape[1], dtype=bool)
        )
        self.idle = np.ones(self.team_base.size, dtype=bool)
        self.busy = Level(start, end)
        self.queue: list[tuple[float, int, int]] = []  # sorted by (priority key, sequence)
        self.waiting: dict[int, Mission] = {}  # incident -> the mission it waits for
        self.seq = 0

    @property
    def size(self) -> int:
        return int(self.team_base.size)

    def request(self, mission: Mission, severity: int) -> bool:
        """An incident needs a team; False if no team has it in range.

        ``mission`` gives the incident, node and durations; the pool fills in
        the team and the travel.
        """
        if not self.in_range[mission.node]:
            return False
        team = self._nearest_idle(mission.node)
        if team >= 0:
            self._send(team, mission)
            return True
        key = -float(severity) if self.config.severity_first else 0.0
        bisect.insort(self.queue, (key, self.seq, mission.incident))
        self.seq += 1
        self.waiting[mission.incident] = mission
        if self.config.give_up_after is not None:
            self.env.process(self._give_up(mission.incident))
        return True

    def _nearest_idle(self, node: int) -> int:
        if not self.idle.any():
            return -1
        times = np.where(self.idle, self.minutes[self.team_base, node], np.inf)
        team = int(np.argmin(times))
        return team if times[team] <= self.max_minutes else -1

    def _give_up(self, incident: int):
        yield self.env.timeout(self.config.give_up_after)
        if incident in self.waiting:
            del self.waiting[incident]
            self.queue = [q for q in self.queue if q[2] != incident]
            self.sink.team_not_in_time(incident)

    def _send(self, team: int, mission: Mission) -> None:
        self.idle[team] = False
        self.busy.add(self.env.now, 1)
        base = self.team_base[team]
        mission.team = team
        mission.travel = float(self.minutes[base, mission.node])
        mission.km = float(self.km[base, mission.node])
        self.env.process(self.team_mission(mission))

    def team_mission(self, m: Mission):
        """What a team does: prepare, wait for patrol hours, drive, verify, come back."""
        env = self.env
        window = self.config.window
        self.sink.team_dispatched(m)
        yield env.timeout(m.prepare)
        leave = next_departure(env.now, m.travel, window)
        if leave > env.now:
            yield env.timeout(leave - env.now)
        self.sink.team_departed(m)
        yield env.timeout(m.travel)
        if self.sink.team_arrived(m):
            yield env.timeout(m.on_site)
        self.sink.team_done_on_site(m)
        leave = next_departure(env.now, m.travel, window)
        if leave > env.now:
            yield env.timeout(leave - env.now)
        yield env.timeout(m.travel)
        self.sink.team_returned(m)
        self.idle[m.team] = True
        self.busy.add(env.now, -1)
        self._next(m.team)

    def _next(self, team: int) -> None:
        """A team is back: give it the first waiting incident (in priority order) in range."""
        reach = self.minutes[self.team_base[team]]
        for k, (_, _, incident) in enumerate(self.queue):
            mission = self.waiting.get(incident)
            if mission is None:
                continue
            if reach[mission.node] <= self.max_minutes:
                del self.queue[k]
                del self.waiting[incident]
                self._send(team, mission)
                return
