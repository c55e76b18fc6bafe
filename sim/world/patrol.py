"""Patrol hours: when a team may set out, a rule shared by the engine and the load projection.

Pure arithmetic on the scenario's patrol window, so checking a scenario
(:mod:`sim.analysis.projection`) applies the same rule as simulating it
(:mod:`sim.engine.teams`) without importing the engine.
"""

from __future__ import annotations


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
