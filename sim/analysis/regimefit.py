"""Fitting rate regimes to daily event counts by maximum likelihood (a Poisson hidden Markov model).

The daily counts ``y_d`` of an event log are modelled as a Markov-modulated
Poisson series: a hidden regime ``k_d`` follows a Markov chain from day to
day (transition matrix ``P``), and given it ``y_d ~ Poisson(w_d μ_k)``, with
``w_d`` known day weights (e.g. the day-of-week profile, mean 1). The
likelihood is computed exactly by the scaled forward algorithm, the chain
starting in its stationary distribution, and maximised numerically over
unconstrained parameters (log rates; for each regime, log-odds of moving to
each other regime against staying) from several starting points.

Intervals come from the observed information: the inverse of the numerical
Hessian of the negative log-likelihood at the maximum is the covariance of
the parameters (asymptotically normal); derived quantities (multipliers,
mean durations, next-regime chances) are drawn from that normal and their
2.5 and 97.5 percentiles reported.

A daily chain maps to the simulator's continuous-time chain
(:class:`~sim.scenario.intensity.RegimesSpec`) by mean durations
``1 / (1 - P_kk)`` days and next chances ``P_kj / (1 - P_kk)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln

NAMES = {
    1: ("steady",),
    2: ("calm", "tense"),
    3: ("calm", "tense", "escalation"),
    4: ("calm", "tense", "hot", "escalation"),
}
BOUND = 12.0  # log-odds of a transition are kept within ±BOUND


def _unpack(theta: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    rates = np.exp(theta[:k])
    p = np.zeros((k, k))
    i = k
    for a in range(k):
        z = np.zeros(k)
        others = [b for b in range(k) if b != a]
        z[others] = theta[i : i + k - 1]
        i += k - 1
        e = np.exp(z - z.max())
        p[a] = e / e.sum()
    return rates, p


def stationary(p: np.ndarray) -> np.ndarray:
    """The stationary distribution of a transition matrix (rows sum to 1).

    Examples
    --------
    >>> stationary(np.array([[0.9, 0.1], [0.3, 0.7]])).round(3).tolist()
    [0.75, 0.25]
    """
    k = p.shape[0]
    a = np.vstack([p.T - np.eye(k), np.ones(k)])
    b = np.concatenate([np.zeros(k), [1.0]])
    pi, *_ = np.linalg.lstsq(a, b, rcond=None)
    pi = np.clip(pi, 0.0, None)
    return pi / pi.sum()


def log_likelihood(theta: np.ndarray, y: np.ndarray, weights: np.ndarray, k: int) -> float:
    """The log-likelihood of daily counts ``y`` under the model.

    The forward algorithm's product ``π D_0 P D_1 P D_2 ... 1`` (``D_t`` the diagonal
    of day t's emission chances) is formed as a balanced tree of matrix products, each
    rescaled by its largest entry with the logarithms of the scales kept, which gives
    the exact likelihood with a few vectorised steps instead of one step per day.
    """
    rates, p = _unpack(theta, k)
    mu = weights[:, None] * rates[None, :]
    logp = y[:, None] * np.log(mu) - mu - gammaln(y + 1.0)[:, None]
    top = logp.max(axis=1)
    e = np.exp(logp - top[:, None])
    first = stationary(p) * e[0]
    mats = p[None, :, :] * e[1:, None, :]  # P D_t for t >= 1
    log_scale = 0.0
    while mats.shape[0] > 1:
        if mats.shape[0] % 2:
            mats = np.concatenate([mats, np.eye(k)[None]], axis=0)
        mats = np.matmul(mats[0::2], mats[1::2])
        big = mats.max(axis=(1, 2))
        big = np.where(big > 0, big, 1.0)
        mats = mats / big[:, None, None]
        log_scale += float(np.log(big).sum())
    last = first @ mats[0] if mats.shape[0] else first
    total = float(last.sum())
    if not total > 0:
        return -math.inf
    return math.log(total) + log_scale + float(top.sum())


def _hessian(f, x: np.ndarray, step: float = 1e-3) -> np.ndarray:
    n = x.size
    h = np.zeros((n, n))
    f0 = f(x)
    for i in range(n):
        ei = np.zeros(n)
        ei[i] = step
        h[i, i] = (f(x + ei) - 2 * f0 + f(x - ei)) / step**2
        for j in range(i):
            ej = np.zeros(n)
            ej[j] = step
            h[i, j] = h[j, i] = (
                f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)
            ) / (4 * step**2)
    return h


@dataclass
class RegimeFit:
    """The maximum-likelihood fit of ``k`` regimes to a series of daily counts.

    Attributes
    ----------
    k : int
    rates : numpy.ndarray
        Mean events per day in each regime (for a day of weight 1), ascending.
    transition : numpy.ndarray
        Daily transition matrix, in the order of ``rates``.
    loglik : float
    days : int
    covariance : numpy.ndarray or None
        Of the unconstrained parameters; None when the information matrix is singular.
    theta : numpy.ndarray
        The unconstrained parameters, in the order of ``rates``.
    at_bound : list of str
        Transitions whose log-odds ended at the bound (a chance estimated as about 0).
    """

    k: int
    rates: np.ndarray
    transition: np.ndarray
    loglik: float
    days: int
    covariance: np.ndarray | None
    theta: np.ndarray
    at_bound: list[str] = field(default_factory=list)
    _intervals: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_params(self) -> int:
        return self.k * self.k

    @property
    def aic(self) -> float:
        return 2 * self.n_params - 2 * self.loglik

    @property
    def bic(self) -> float:
        return self.n_params * math.log(self.days) - 2 * self.loglik

    @property
    def names(self) -> tuple[str, ...]:
        return NAMES.get(self.k, tuple(f"regime{i + 1}" for i in range(self.k)))

    def derived(self, theta: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Multipliers (mean 1 over the long run), mean durations in days, next-regime
        chances and long-run shares, for ``theta`` (default: the estimate), regimes
        sorted by rate."""
        rates, p = _unpack(self.theta if theta is None else theta, self.k)
        order = np.argsort(rates)
        rates, p = rates[order], p[np.ix_(order, order)]
        pi = stationary(p)
        stay = np.diag(p)
        leave = np.clip(1.0 - stay, 1e-300, None)
        nxt = p / leave[:, None]
        np.fill_diagonal(nxt, 0.0)
        return {
            "rate": rates,
            "multiplier": rates / float(pi @ rates),
            "mean_days": 1.0 / leave,
            "next": nxt,
            "share": pi,
        }

    def intervals(
        self, draws: int = 4000, seed: int = 0
    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """95% intervals of :meth:`derived` quantities from the asymptotic normal
        distribution of the estimate (NaN without a covariance)."""
        est = self.derived()
        if self.covariance is None:
            nan = {k: np.full_like(v, np.nan, dtype=float) for k, v in est.items()}
            return {k: (nan[k], nan[k]) for k in est}
        rng = np.random.default_rng(seed)
        thetas = rng.multivariate_normal(self.theta, self.covariance, size=draws)
        samples = [self.derived(t) for t in thetas]
        out = {}
        for key in est:
            arr = np.array([s[key] for s in samples])
            out[key] = (np.percentile(arr, 2.5, axis=0), np.percentile(arr, 97.5, axis=0))
        return out


def _starts(y: np.ndarray, k: int, tries: int) -> list[np.ndarray]:
    mean = max(float(y.mean()), 1e-3)
    out = []
    for s in range(tries):
        spread = np.geomspace(0.3, 3.0, k) if k > 1 else np.ones(1)
        spread = spread * (1.0 + 0.25 * s) ** np.linspace(-1, 1, k) if k > 1 else spread
        stay = 0.97 - 0.05 * (s % 3)
        off = math.log((1 - stay) / max(k - 1, 1) / stay)
        out.append(np.concatenate([np.log(mean * spread), np.full(k * (k - 1), off)]))
    return out


def fit_regimes(
    y: np.ndarray, k: int, weights: np.ndarray | None = None, tries: int = 4
) -> RegimeFit:
    """The maximum-likelihood fit of ``k`` regimes to daily counts ``y``.

    Parameters
    ----------
    y : numpy.ndarray
        Events per day.
    k : int
        Number of regimes (1: a plain Poisson series).
    weights : numpy.ndarray, optional
        Known relative rate of each day (mean 1), e.g. its day-of-week weight.
    tries : int
        Starting points of the optimiser; the best optimum is kept.

    Examples
    --------
    >>> y = np.array([0, 1, 0, 0, 2, 5, 4, 6, 0, 0, 1, 0] * 20, dtype=float)
    >>> fit = fit_regimes(y, 2)
    >>> fit.rates.round(1).tolist()  # the calm days average 0.25, the busy ones 4.25
    [0.3, 4.3]
    """
    y = np.asarray(y, dtype=float)
    w = np.ones(y.size) if weights is None else np.asarray(weights, dtype=float)
    mean = max(float(y.mean()), 1e-3)

    def nll(theta: np.ndarray) -> float:
        value = -log_likelihood(theta, y, w, k)
        return value if math.isfinite(value) else 1e300

    lo = math.log(mean) - 12.0
    hi = math.log(mean) + 8.0
    bounds = [(lo, hi)] * k + [(-BOUND, BOUND)] * (k * (k - 1))
    best = None
    for start in _starts(y, k, tries if k > 1 else 1):
        res = minimize(nll, start, method="L-BFGS-B", bounds=bounds)
        if best is None or res.fun < best.fun:
            best = res
    theta = _sorted_theta(best.x, k)
    at_bound = _bound_names(theta, k)
    free = [i for i in range(theta.size) if abs(theta[i]) < BOUND - 1e-3 or i < k]
    cov = None
    if len(free) == theta.size:
        h = _hessian(nll, theta)
        try:
            if np.all(np.linalg.eigvalsh(h) > 0):
                cov = np.linalg.inv(h)
        except np.linalg.LinAlgError:
            cov = None
    rates, p = _unpack(theta, k)
    return RegimeFit(k, rates, p, -float(best.fun), int(y.size), cov, theta, at_bound)


def _sorted_theta(theta: np.ndarray, k: int) -> np.ndarray:
    """The same model with regimes in ascending order of rate."""
    rates, p = _unpack(theta, k)
    order = np.argsort(rates)
    p = p[np.ix_(order, order)]
    out = [np.log(rates[order])]
    for a in range(k):
        others = [b for b in range(k) if b != a]
        out.append(np.log(np.clip(p[a, others], 1e-300, None) / p[a, a]))
    return np.clip(np.concatenate(out), -np.inf, np.inf)


def _bound_names(theta: np.ndarray, k: int) -> list[str]:
    names = NAMES.get(k, tuple(f"regime{i + 1}" for i in range(k)))
    out, i = [], k
    for a in range(k):
        for b in (b for b in range(k) if b != a):
            if abs(theta[i]) >= BOUND - 1e-3:
                out.append(f"{names[a]} -> {names[b]}")
            i += 1
    return out


def select_regimes(
    y: np.ndarray, most: int = 3, weights: np.ndarray | None = None
) -> tuple[RegimeFit, list[RegimeFit]]:
    """Fits with 1 to ``most`` regimes and the one with the smallest BIC (Schwarz's
    criterion, which penalises each parameter by log(days))."""
    fits = [fit_regimes(y, k, weights) for k in range(1, most + 1)]
    return min(fits, key=lambda f: f.bic), fits


def posterior(fit: RegimeFit, y: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """The chance of each regime on each day given all the counts (forward-backward),
    shape ``(days, k)``."""
    y = np.asarray(y, dtype=float)
    w = np.ones(y.size) if weights is None else np.asarray(weights, dtype=float)
    rates, p = fit.rates, fit.transition
    mu = w[:, None] * rates[None, :]
    logp = y[:, None] * np.log(mu) - mu - gammaln(y + 1.0)[:, None]
    e = np.exp(logp - logp.max(axis=1, keepdims=True))
    t_max, k = e.shape
    alpha = np.zeros((t_max, k))
    a = stationary(p) * e[0]
    alpha[0] = a / a.sum()
    for t in range(1, t_max):
        a = (alpha[t - 1] @ p) * e[t]
        alpha[t] = a / a.sum()
    beta_ = np.ones(k)
    out = np.zeros((t_max, k))
    out[-1] = alpha[-1]
    for t in range(t_max - 2, -1, -1):
        beta_ = p @ (e[t + 1] * beta_)
        beta_ = beta_ / beta_.sum()
        g = alpha[t] * beta_
        out[t] = g / g.sum()
    return out
