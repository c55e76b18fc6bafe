"""The background rate over time: regime paths, noise, scheduled changes and weekdays.

The rate of background violations of a unit (the whole line, or one region)
at time *t* is ``rate × p(t) × g(t)``: ``p`` is the hourly profile of
:class:`~sim.world.violations.DailyProfile` and ``g`` the product of the
regime multiplier, the noise, the scheduled multiplier and the day-of-week
weight (:mod:`sim.scenario.intensity`). ``g`` is piecewise constant
(:class:`Multiplier`), so the cumulative rate is piecewise linear and
:class:`ModulatedProfile` inverts it exactly, as arrivals by inversion need.

The random parts are drawn from keyed streams (:mod:`sim.world.streams`): the
k-th stay of unit *u*'s regime chain (its length and the regime that follows)
is keyed by ``(u, k)``, the noise of its hour *i* by ``(u, i)``. So a path
does not depend on the horizon or on how it is cut into windows, and adding
regimes or noise never moves another draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario.calendar import Calendar
from ..scenario.intensity import NoiseSpec, RegimesSpec, ScheduledChange
from .streams import Stream, child_key

_BLOCK = 256  # regime stays drawn at a time
HOUR = 60.0
DAY = 1440.0


@dataclass(frozen=True)
class Multiplier:
    """A piecewise-constant function of time: ``values[i]`` on ``[breaks[i], breaks[i+1])``.

    ``breaks`` starts at 0 and is increasing; the last value holds to infinity.

    Examples
    --------
    >>> a = Multiplier(np.array([0.0, 10.0]), np.array([1.0, 2.0]))
    >>> b = Multiplier(np.array([0.0, 5.0]), np.array([3.0, 1.0]))
    >>> m = Multiplier.product([a, b])
    >>> m.breaks.tolist(), m.values.tolist()
    ([0.0, 5.0, 10.0], [3.0, 1.0, 2.0])
    """

    breaks: np.ndarray
    values: np.ndarray

    @classmethod
    def constant(cls, value: float = 1.0) -> "Multiplier":
        return cls(np.zeros(1), np.array([float(value)]))

    def at(self, t: np.ndarray) -> np.ndarray:
        """The value at each time in ``t`` (minutes)."""
        i = np.searchsorted(self.breaks, np.asarray(t, dtype=float), side="right") - 1
        return self.values[np.clip(i, 0, self.values.size - 1)]

    @classmethod
    def product(cls, parts: list["Multiplier"]) -> "Multiplier":
        """The pointwise product of several multipliers."""
        if not parts:
            return cls.constant()
        breaks = np.unique(np.concatenate([p.breaks for p in parts]))
        values = np.ones(breaks.size)
        for p in parts:
            values = values * p.at(breaks)
        return cls(breaks, values)


def regime_path(
    spec: RegimesSpec, owner: int, horizon: float, seed: int, replication: int
) -> tuple[np.ndarray, np.ndarray]:
    """The regimes one chain is in from 0 to ``horizon``: ``(starts, states)``.

    ``starts[k]`` is when the k-th stay begins (``starts[0] == 0``) and
    ``states[k]`` its regime (index into ``spec.states``). The first regime is
    ``spec.initial`` or drawn from the long-run shares; a stay lasts an
    exponential time with its regime's mean duration (memoryless, so the first
    stay of a stationary chain is drawn the same way); the next regime follows
    the ``next`` chances. Stay k is keyed by ``child_key(owner, k)``.
    """
    names = spec.names
    mean = np.array([spec.states[n].mean_duration for n in names])
    jumps = np.cumsum(spec.jumps(), axis=1)
    if spec.initial is not None:
        state = names.index(spec.initial)
    else:
        pi = spec.stationary()
        u0 = Stream(seed, replication, "violation.regime.initial").uniform([owner])[0]
        state = int(min(np.searchsorted(np.cumsum(pi), u0 * pi.sum(), side="right"), pi.size - 1))
    s_len = Stream(seed, replication, "violation.regime.duration")
    s_next = Stream(seed, replication, "violation.regime.next")
    starts, states = [0.0], [state]
    t, k = 0.0, 0
    while True:
        keys = child_key(owner, np.arange(k, k + _BLOCK, dtype=np.uint64))
        u_len = -np.log1p(-s_len.uniform(keys))
        u_next = s_next.uniform(keys)
        for j in range(_BLOCK):
            t += mean[state] * float(u_len[j])
            if t >= horizon or len(names) == 1:
                return np.array(starts), np.array(states, dtype=np.int64)
            row = jumps[state]
            state = int(min(np.searchsorted(row, u_next[j] * row[-1], side="right"), row.size - 1))
            starts.append(t)
            states.append(state)
        k += _BLOCK


def regime_multiplier(
    spec: RegimesSpec, owner: int, horizon: float, seed: int, replication: int
) -> Multiplier:
    """The regime multiplier of one chain as a :class:`Multiplier`."""
    starts, states = regime_path(spec, owner, horizon, seed, replication)
    return Multiplier(starts, spec.multipliers()[states])


def noise_multiplier(
    spec: NoiseSpec, owner: int, horizon: float, seed: int, replication: int
) -> Multiplier:
    """Log-Gaussian noise held constant within each hour: ``exp(X_i - sd²/2)``.

    ``X`` is a stationary Gaussian AR(1) over hours with standard deviation
    ``sd`` and lag-one correlation ``exp(-1 h / correlation_time)`` (an
    Ornstein-Uhlenbeck process seen hourly); hour i's innovation is keyed by
    ``child_key(owner, i)``, so the path does not depend on the horizon.
    """
    from scipy.signal import lfilter  # only with noise: scipy.signal takes long to import
    from scipy.special import ndtri

    n = max(int(np.ceil(horizon / HOUR)), 1)
    keys = child_key(owner, np.arange(n, dtype=np.uint64))
    z = ndtri(Stream(seed, replication, "violation.noise").uniform(keys))
    rho = float(np.exp(-HOUR / spec.correlation_time))
    e = spec.sd * np.sqrt(1.0 - rho * rho) * z
    e[0] = spec.sd * z[0]  # the process starts in its stationary distribution
    x = lfilter([1.0], [1.0, -rho], e)
    return Multiplier(np.arange(n) * HOUR, np.exp(x - 0.5 * spec.sd**2))


def schedule_multiplier(changes: list[ScheduledChange], region: str | None) -> Multiplier:
    """The scheduled multiplier of a region (``None``: the whole line) over time."""
    mine = [c for c in changes if not c.regions or (region is not None and region in c.regions)]
    mine.sort(key=lambda c: c.at)  # stable: of two changes at one instant the later given wins
    breaks, values = [0.0], [1.0]
    for c in mine:
        if c.at == breaks[-1]:
            values[-1] = c.multiplier
        else:
            breaks.append(c.at)
            values.append(c.multiplier)
    return Multiplier(np.array(breaks), np.array(values))


def weekday_multiplier(
    weights: list[float], calendar: Calendar | None, horizon: float
) -> Multiplier:
    """Day-of-week weights (Monday first) scaled to mean 1, day by day up to ``horizon``."""
    w = np.asarray(weights, dtype=float)
    if calendar is None or np.all(w == w[0]):
        return Multiplier.constant()
    days = np.arange(max(int(np.ceil(horizon / DAY)), 1)) * DAY
    return Multiplier(days, (w / w.mean())[calendar.weekday(days)])


class ModulatedProfile:
    """A Poisson rate ``rate_per_day × hourly profile × g(t)`` up to a horizon: its
    cumulative intensity and the inverse, for :class:`~sim.world.violations.Arrivals`.

    Parameters
    ----------
    rate_per_day : float
        The base rate (of a flat profile and ``g = 1``).
    profile : list of float
        24 hourly weights.
    multiplier : Multiplier
        ``g``.
    horizon : float
        Minutes; the cumulative intensity is defined up to it.

    Examples
    --------
    >>> half = Multiplier(np.array([0.0, 720.0]), np.array([1.0, 0.0]))
    >>> p = ModulatedProfile(48.0, [1.0] * 24, half, 2880.0)
    >>> p.cumulative(np.array([720.0, 1440.0, 2880.0])).tolist()
    [24.0, 24.0, 24.0]
    >>> float(p.inverse(np.array([12.0]))[0])
    360.0
    """

    def __init__(
        self, rate_per_day: float, profile: list[float], multiplier: Multiplier, horizon: float
    ):
        w = np.asarray(profile, dtype=float)
        per_minute = rate_per_day * w / w.sum() / HOUR
        hours = np.arange(0.0, horizon + HOUR, HOUR)
        grid = np.unique(np.concatenate([hours, multiplier.breaks[multiplier.breaks < horizon]]))
        hour = (np.floor(grid / HOUR).astype(np.int64)) % 24
        self.grid = grid
        self.rate = per_minute[hour] * multiplier.at(grid)  # per minute on [grid[i], grid[i+1])
        self.cum = np.concatenate([[0.0], np.cumsum(self.rate[:-1] * np.diff(grid))])
        self.rate_per_day = float(rate_per_day) if self.cum[-1] > 0 else 0.0

    def cumulative(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        i = np.clip(np.searchsorted(self.grid, t, side="right") - 1, 0, self.grid.size - 1)
        return self.cum[i] + self.rate[i] * (t - self.grid[i])

    def inverse(self, s: np.ndarray) -> np.ndarray:
        s = np.asarray(s, dtype=float)
        # the last piece whose cumulative start is below s: pieces without rate are skipped
        i = np.clip(np.searchsorted(self.cum, s, side="left") - 1, 0, self.grid.size - 1)
        rate = np.where(self.rate[i] > 0, self.rate[i], 1.0)
        return self.grid[i] + (s - self.cum[i]) / rate
