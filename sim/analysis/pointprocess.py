"""Moments of the violation process: mean rate, dispersion and autocorrelation of daily counts.

The background violations of :mod:`sim.world.violations` form a Cox process
(a Poisson process whose rate is itself random): rate ``r × g(t)`` per day,
``g`` the product of a stationary regime chain ``M`` and log-Gaussian noise
``N`` (:mod:`sim.world.intensity`). Escalation turns it into a Hawkes process
with that random baseline: every violation triggers Poisson(n) more after a
delay ``D``. Its Bartlett spectrum (the Fourier transform of the covariance
density of the counts) is

    F(ω) = ( λ + C_μ^(ω) ) / |1 - n φ(ω)|²,     λ = r E[M] / (1 - n),

with ``C_μ^`` the transform of the covariance of the baseline rate and ``φ`` the
characteristic function of ``D`` (the rate ``λ`` is the white part: a
Hawkes process with a constant baseline has ``F = λ / |1 - n φ|²``; a random
baseline is filtered by the clusters as a mean response ``1 / (1 - n φ)``).
:func:`daily_moments` evaluates it on a fine grid of time bins, transforms
back to the autocovariance of bin counts and adds bins up to whole days. With
a flat hourly profile and a flat week this is exact up to the bin width; the
derivation and a table are in ``docs/model.md``, and ``tests/test_regimes.py``
checks it against simulation.

The covariance of the regime multiplier follows from the chain's generator
``Q`` (``P(u) = exp(Q u)``, stationary shares ``π``)::

    C_M(u) = Σ_ij π_i m_i P_ij(u) m_j - (Σ_i π_i m_i)²,

and that of the noise, held constant within each hour with lag-one-hour
correlation ``ρ`` of its log, at a lag of ``k + f`` hours (``0 <= f < 1``)::

    C_N = (1 - f) c_k + f c_(k+1),    c_k = exp(sd² ρ^k) - 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..scenario.intensity import NoiseSpec, RegimesSpec
from ..scenario.violations import EscalationSpec, ViolationsSpec

DAY = 1440.0
HOUR = 60.0


def regime_moments(spec: RegimesSpec | None, lags: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean of the regime multiplier and its autocovariance at ``lags`` (minutes).

    Examples
    --------
    >>> from sim.scenario.intensity import RegimesSpec
    >>> r = RegimesSpec(states={"calm": {"multiplier": 0.0, "mean_duration": "1d"},
    ...                         "hot": {"multiplier": 2.0, "mean_duration": "1d"}})
    >>> mean, cov = regime_moments(r, np.array([0.0, 1440.0]))
    >>> round(mean, 6), round(float(cov[0]), 6), round(float(cov[1]), 6)   # e^{-2} at one day
    (1.0, 1.0, 0.135335)
    """
    lags = np.abs(np.asarray(lags, dtype=float))
    if spec is None or len(spec.states) == 1:
        m = 1.0 if spec is None else float(spec.multipliers()[0])
        return m, np.zeros(lags.size)
    pi, m, q = spec.stationary(), spec.multipliers(), spec.generator()
    mean = float(pi @ m)
    w, v = np.linalg.eig(q)
    vinv = np.linalg.inv(v)
    left = (pi * m) @ v  # row vector
    right = vinv @ m  # column vector
    cov = np.real(np.exp(np.outer(lags, w)) @ (left * right)) - mean**2
    return mean, cov


def noise_covariance(spec: NoiseSpec, lags: np.ndarray) -> np.ndarray:
    """Autocovariance of the noise multiplier (mean 1) at ``lags`` (minutes), for a
    process held constant within each hour and observed at a uniformly random time.

    Examples
    --------
    >>> from sim.scenario.intensity import NoiseSpec
    >>> c = noise_covariance(NoiseSpec(sd=0.5, correlation_time="1d"), np.array([0.0, 1e6]))
    >>> round(float(c[0]), 4), round(float(c[1]), 4)   # exp(0.25) - 1, then none
    (0.284, 0.0)
    """
    lags = np.abs(np.asarray(lags, dtype=float))
    if spec.sd <= 0:
        return np.zeros(lags.size)
    rho = math.exp(-HOUR / spec.correlation_time)
    k = np.floor(lags / HOUR)
    f = lags / HOUR - k
    s2 = spec.sd**2
    ck = np.expm1(s2 * rho**k)
    ck1 = np.expm1(s2 * rho ** (k + 1))
    return (1.0 - f) * ck + f * ck1


def kernel_bins(esc: EscalationSpec, width: float, bins: int) -> np.ndarray:
    """``n × P(a child falls k bins after its parent)`` for k = 0 .. bins-1, the parent
    at a uniform time within its bin (bins of ``width`` minutes)."""
    if esc.branching_ratio <= 0:
        return np.zeros(bins)
    # P(floor(U + D/w) = k) = E[F(k+1 - U) - F(k - U)] over U uniform: integrate the
    # distribution function of D/w over unit intervals with a fine rule.
    u = (np.arange(64) + 0.5) / 64.0
    edges = np.arange(bins + 1)[:, None] - u[None, :]
    cdf = _delay_cdf(esc, np.clip(edges, 0.0, None) * width).mean(axis=1)
    return esc.branching_ratio * np.diff(cdf)


def _delay_cdf(esc: EscalationSpec, t: np.ndarray) -> np.ndarray:
    if esc.delay is None:
        return -np.expm1(-t / esc.decay)
    grid = np.linspace(0.0, 1.0, 4097)[1:-1]
    q = esc.delay.ppf(grid)  # quantiles: the distribution function by interpolation
    return np.interp(t, q, grid, left=0.0, right=1.0)


@dataclass(frozen=True)
class DailyMoments:
    """Moments of the daily counts of line violations.

    Attributes
    ----------
    mean : float
        Violations per day.
    autocovariance : numpy.ndarray
        Covariance of the counts of two days ``l`` days apart, for l = 0, 1, ...
    """

    mean: float
    autocovariance: np.ndarray

    @property
    def index_of_dispersion(self) -> float:
        return float(self.autocovariance[0] / self.mean)

    def autocorrelation(self, lags) -> np.ndarray:
        return self.autocovariance[np.asarray(lags, dtype=np.int64)] / self.autocovariance[0]

    def expected_sample(self, days: int, lags=range(1, 8)) -> dict[str, object]:
        """What the sample statistics of a series of ``days`` days are on average:
        :func:`sim.analysis.eventstats.index_of_dispersion` and
        :func:`~sim.analysis.eventstats.autocorrelation` measure deviations from the
        series' own mean, which absorbs the slow part of the variance; ratios are
        taken of expected sums (good to O(1/days))."""
        g = self.autocovariance[:days]
        t = np.arange(days)
        full = g[np.abs(t[:, None] - t[None, :])]  # Toeplitz covariance matrix
        c = full.mean(axis=1)  # Cov(x_t, mean)
        v = float(c.mean())  # Var(mean)
        dev = full - c[:, None] - c[None, :] + v  # Cov(x_t - mean, x_s - mean)
        sums = np.array([np.trace(dev, offset=k) for k in range(max(lags) + 1)])
        return {
            "index_of_dispersion": float(sums[0] / (days - 1) / self.mean),
            "autocorrelation": {int(k): float(sums[k] / sums[0]) for k in lags},
        }


def _baseline_covariance(spec: ViolationsSpec, lags: np.ndarray, shares: np.ndarray):
    """Mean of g and the covariance of the line's baseline multiplier sum_r w_r g_r at
    ``lags``, for units with ``shares`` w_r (one unit of share 1 for the line)."""
    m_mean, c_m = regime_moments(spec.regimes, lags)
    c_n = noise_covariance(spec.noise, lags)
    s2 = float((shares**2).sum())
    per_region_m = spec.regimes is not None and spec.regimes.scope == "region"
    per_region_n = spec.noise.scope == "region"
    same = (c_m + m_mean**2) * (1.0 + c_n) - m_mean**2
    cross_m = 0.0 if per_region_m else c_m
    cross_n = 0.0 if per_region_n else c_n
    cross = (cross_m + m_mean**2) * (1.0 + cross_n) - m_mean**2
    return m_mean, s2 * same + (1.0 - s2) * cross


def daily_moments(
    spec: ViolationsSpec,
    days: int,
    shares: np.ndarray | None = None,
    width: float = 5.0,
) -> DailyMoments:
    """The mean and autocovariance of daily counts of line violations (background and
    escalation; strikes, scripted and replayed violations left out), for a flat hourly
    profile, a flat week and no scheduled changes.

    Parameters
    ----------
    spec : ViolationsSpec
    days : int
        Longest lag needed (days); the series length for :meth:`DailyMoments.expected_sample`.
    shares : numpy.ndarray, optional
        Each region's share of the background rate when regimes or noise are per region
        (default: one unit).
    width : float
        Bin width, minutes.
    """
    shares = np.ones(1) if shares is None else np.asarray(shares, dtype=float)
    per_day = int(round(DAY / width))
    n_bins = 1 << int(math.ceil(math.log2(2 * (days + 2) * per_day)))
    lags = np.arange(n_bins, dtype=float)
    lags = np.minimum(lags, n_bins - lags) * width  # circular lags, minutes
    m_mean, cov_g = _baseline_covariance(spec, lags, shares)
    rate = spec.rate_per_day / DAY  # per minute, flat profile
    esc = spec.escalation
    n = esc.branching_ratio
    lam = rate * m_mean / (1.0 - n)  # violations per minute
    # bin counts: white part lam*w, baseline part w² C_μ(lag)
    spectrum = lam * width + np.real(np.fft.fft((rate * width) ** 2 * cov_g))
    h = np.fft.fft(kernel_bins(esc, width, n_bins))
    gamma_bins = np.real(np.fft.ifft(spectrum / np.abs(1.0 - h) ** 2))
    # days: sum bins in blocks of per_day (a triangular window over bin lags)
    k = np.arange(-(per_day - 1), per_day)
    tri = per_day - np.abs(k)
    gamma = np.array([tri @ gamma_bins[(lag * per_day + k) % n_bins] for lag in range(days)])
    return DailyMoments(mean=lam * DAY, autocovariance=gamma)
