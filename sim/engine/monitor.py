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
        # set() inlined: this runs several times per report
        a = self.last if self.last > self.start else self.start
        b = now if now < self.end else self.end
        if b > a:
            self.area += self.value * (b - a)
        self.last = now
        self.value += delta

    def close(self, now: float) -> float:
        """The integral over the window up to ``now``."""
        self.set(now, self.value)
        return self.area


class BinnedLevel(Level):
    """A :class:`Level` that also splits its integral by time of day.

    ``edges`` are minutes of the day (integers, from 0 to 1440); ``by_bin[k]``
    is the integral over the parts of the measured window whose time of day
    lies in ``[edges[k], edges[k + 1])``, summed over all days.

    Examples
    --------
    >>> q = BinnedLevel(0.0, 3000.0, [0, 360, 1440])
    >>> q.set(300.0, 2.0)    # 0 until 05:00, then 2
    >>> q.close(1800.0)      # until 06:00 of day 2
    3000.0
    >>> q.by_bin             # 2 x 60 + 2 x 360 before 06:00, 2 x 1080 after
    [840.0, 2160.0]
    """

    __slots__ = ("edges", "bin_of", "by_bin")

    def __init__(self, start: float, end: float, edges: list[int], value: float = 0.0):
        super().__init__(start, end, value)
        self.edges = [float(e) for e in edges]
        self.bin_of = []
        k = 0
        for m in range(1440):
            while m >= edges[k + 1]:
                k += 1
            self.bin_of.append(k)
        self.by_bin = [0.0] * (len(edges) - 1)

    def add(self, now: float, delta: float) -> None:
        self.set(now, self.value + delta)

    def set(self, now: float, value: float) -> None:
        a = self.last if self.last > self.start else self.start
        b = now if now < self.end else self.end
        v = self.value
        if b > a and v:
            self.area += v * (b - a)
            edges, by_bin, bin_of = self.edges, self.by_bin, self.bin_of
            while a < b:
                day = (a // 1440.0) * 1440.0
                k = bin_of[int(a - day)]
                stop = day + edges[k + 1]
                if stop > b:
                    stop = b
                by_bin[k] += v * (stop - a)
                a = stop
        self.last = now
        self.value = value
