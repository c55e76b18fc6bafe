"""Monitors: exact time integrals of piecewise-constant quantities (queue lengths, busy staff).

A quantity that changes at a few moments (officers on duty, teams busy) is
integrated as it changes (:class:`Level`, :class:`BinnedLevel`). A quantity
made of many entities' intervals (reports waiting, officers triaging) is
integrated afterwards from the recorded times (:func:`interval_integrals`):
the same integral, with no work in the engine's inner loop.
"""

from __future__ import annotations

import numpy as np


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


def interval_integrals(
    lo: np.ndarray, hi: np.ndarray, start: float, end: float, edges: list[int], chunk: int = 16384
) -> tuple[float, list[float]]:
    """The integral over ``[start, end)`` of the number of intervals ``[lo, hi)`` open,
    in total and split by time of day like :class:`BinnedLevel` (``edges``: minutes of
    the day from 0 to 1440).

    Examples
    --------
    >>> total, by_bin = interval_integrals(
    ...     np.array([300.0, 0.0]), np.array([1800.0, 30.0]), 0.0, 3000.0, [0, 360, 1440]
    ... )
    >>> total, by_bin   # [300, 1800): 60 + 360 before 06:00, 1080 after; [0, 30): 30
    (1530.0, [450.0, 1080.0])
    """
    e = np.asarray(edges, dtype=float)
    width = np.diff(e)
    total = 0.0
    by_bin = np.zeros(width.size)
    for k in range(0, lo.size, chunk):
        a = np.maximum(lo[k : k + chunk], start)
        b = np.minimum(hi[k : k + chunk], end)
        keep = b > a
        a, b = a[keep], b[keep]
        total += float(np.sum(b - a))
        by_bin += (_time_in_bins(b, e[:-1], width) - _time_in_bins(a, e[:-1], width)).sum(axis=0)
    return total, [float(x) for x in by_bin]


def _time_in_bins(t: np.ndarray, lower: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Minutes from 0 to ``t`` spent in each time-of-day bin (rows: ``t``)."""
    day = np.floor(t / 1440.0)
    minute = t - day * 1440.0
    return day[:, None] * width[None, :] + np.clip(minute[:, None] - lower[None, :], 0.0, width)
