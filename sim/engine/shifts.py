"""Shift plans in the engine: when staffing changes, and an event that beats ordinary work."""

from __future__ import annotations

import simpy


class ShiftChange(simpy.events.Event):
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
