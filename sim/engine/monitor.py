"""Monitors: exact time integrals of piecewise-constant quantities (queue lengths, busy staff)."""

from __future__ import annotations


class Level:
    """A piecewise-constant quantity with its exact time integral over a window.

    Parameters
    ----------
    start, end : float
        The measured window (warm-up end and horizon), minutes.
    value : float
        The value at time 0.

    Examples
    --------
    >>> q = Level(start=10.0, end=100.0)
    >>> q.set(5.0, 2.0)     # 0 until 5, then 2
    >>> q.add(20.0, -1.0)   # 2 until 20, then 1
    >>> q.close(30.0)       # 2 * (20 - 10) + 1 * (30 - 20)
    30.0
    """

    __slots__ = ("value", "last", "area", "start", "end")

    def __init__(self, start: float, end: float, value: float = 0.0):
        self.value = value
        self.last = 0.0
        self.area = 0.0
        self.start = start
        self.end = end

    def set(self, now: float, value: float) -> None:
        """The quantity becomes ``value`` at time ``now``."""
        a = self.last if self.last > self.start else self.start
        b = now if now < self.end else self.end
        if b > a:
            self.area += self.value * (b - a)
        self.last = now
        self.value = value

    def add(self, now: float, delta: float) -> None:
        """The quantity changes by ``delta`` at time ``now``."""
        self.set(now, self.value + delta)

    def close(self, now: float) -> float:
        """The integral over the window up to ``now``."""
        self.set(now, self.value)
        return self.area
