"""The dispute ladder: levels that meet on a cadence and take up disputed findings.

A finding a desk dissents from is referred to the first level. Each level
meets at its own times (``meets``); at a meeting it takes up at most
``capacity`` of the disputes waiting for it, oldest first, and settles each
with probability ``resolves`` (the proposed finding is agreed); the others
go to the next level, to wait for its next meeting. A dispute the last level
does not settle stays disputed. Each dispute's draw at each level is keyed by
its incident, so a configuration change elsewhere does not reshuffle it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import simpy

from .monitor import Level


class LadderSink(Protocol):
    """What the ladder tells the rest of the model."""

    def dispute_settled(self, incident: int, level: int) -> None:
        """Level ``level`` agreed the finding of ``incident`` (now)."""

    def dispute_unsettled(self, incident: int) -> None:
        """The last level did not settle ``incident``: it stays disputed (now)."""


@dataclass(frozen=True)
class LevelPlan:
    """One level: its meetings (minutes), capacity and chance of settling a dispute."""

    name: str
    meetings: tuple[float, ...]
    capacity: int
    resolves: float


class DisputeLadder:
    """The levels of the ladder as SimPy processes sharing one sink.

    Parameters
    ----------
    env : simpy.Environment
    levels : list of LevelPlan
    uniform : callable(level, key) -> float
        The keyed uniform draw of a dispute at a level.
    sink : LadderSink
    start, end : float
        The measured window (for the backlog integrals).
    """

    def __init__(self, env: simpy.Environment, levels, uniform, sink: LadderSink, start, end):
        self.env = env
        self.levels = list(levels)
        self.uniform = uniform
        self.sink = sink
        self.waiting: list[deque[tuple[int, int]]] = [deque() for _ in self.levels]
        self.backlog = [Level(start, end) for _ in self.levels]
        self.held = [0] * len(self.levels)  # meetings held
        self.taken = [0] * len(self.levels)  # disputes taken up
        for k in range(len(self.levels)):
            env.process(self._meetings(k))

    def refer(self, incident: int, key: int, level: int = 0) -> None:
        """Refer a disputed finding to ``level`` (to the first by default)."""
        self.waiting[level].append((incident, key))
        self.backlog[level].add(self.env.now, 1)

    def _meetings(self, k: int):
        env, plan = self.env, self.levels[k]
        for t in plan.meetings:
            if t > env.now:
                yield env.timeout(t - env.now)
            self.held[k] += 1
            queue = self.waiting[k]
            for _ in range(min(plan.capacity, len(queue))):
                incident, key = queue.popleft()
                self.backlog[k].add(env.now, -1)
                self.taken[k] += 1
                if self.uniform(k, key) < plan.resolves:
                    self.sink.dispute_settled(incident, k)
                elif k + 1 < len(self.levels):
                    self.refer(incident, key, k + 1)
                else:
                    self.sink.dispute_unsettled(incident)

    def totals(self, now: float, measured: float) -> list[dict[str, float]]:
        """Per level: mean backlog over the measured window, backlog at ``now``,
        meetings held and disputes taken up."""
        return [
            {
                "name": plan.name,
                "mean_backlog": self.backlog[k].close(now) / measured if measured > 0 else np.nan,
                "backlog_at_end": len(self.waiting[k]),
                "meetings": self.held[k],
                "taken_up": self.taken[k],
            }
            for k, plan in enumerate(self.levels)
        ]
