"""Delays with censoring: the Kaplan–Meier estimate and what it says about a delay.

An incident still waiting for a team at the horizon, or given up, has a
response time that is not known but is *at least* what was waited. Leaving
such incidents out makes a delay look shorter exactly when service breaks
down; counting them as right-censored (Kaplan & Meier 1958) keeps them in.
The estimator is a few lines of numpy (``scipy.stats.ecdf`` computes the same
and checks this one in the tests, but importing ``scipy.stats`` takes over a
second, too long for every run).
"""

from __future__ import annotations

import math

import numpy as np

QUANTILES = {"median": 0.5, "p90": 0.9, "p95": 0.95}


def kaplan_meier(durations: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Kaplan–Meier survival curve.

    Parameters
    ----------
    durations : numpy.ndarray
        Time to the event, or to censoring where the event was not observed.
    observed : numpy.ndarray of bool
        True where the event happened at ``durations``.

    Returns
    -------
    (times, survival)
        The distinct event times and S(t) just after each (a step function,
        1 before the first).

    Examples
    --------
    >>> t, s = kaplan_meier(np.array([1.0, 2.0, 2.0, 3.0]), np.array([True, False, True, True]))
    >>> t.tolist(), [round(float(x), 4) for x in s]
    ([1.0, 2.0, 3.0], [0.75, 0.5, 0.0])
    """
    t = np.asarray(durations, dtype=float)
    d = np.asarray(observed, dtype=bool)
    if t.size == 0:
        return np.empty(0), np.empty(0)
    order = np.argsort(t)  # the order among equal times does not matter
    t, d = t[order], d[order]
    first = np.concatenate([[0], np.flatnonzero(t[1:] != t[:-1]) + 1])
    uniq = t[first]
    events = np.add.reduceat(d.astype(np.int64), first)
    hazard = events / (t.size - first)
    keep = events > 0
    return uniq[keep], np.cumprod(1.0 - hazard[keep])


def km_quantile(times: np.ndarray, survival: np.ndarray, q: float) -> float:
    """The smallest time by which a share ``q`` had the event (NaN if never reached)."""
    hit = np.flatnonzero(survival <= 1.0 - q + 1e-12)
    return float(times[hit[0]]) if hit.size else float("nan")


def restricted_mean(times: np.ndarray, survival: np.ndarray, tau: float) -> float:
    """The area under the survival curve from 0 to ``tau`` (the mean when S(tau) = 0)."""
    if times.size == 0:
        return float(tau) if tau == tau else float("nan")
    edges = np.concatenate([[0.0], np.minimum(times, tau), [tau]])
    level = np.concatenate([[1.0], survival])
    return float(np.sum(level * np.diff(edges)))


def describe_censored(durations: np.ndarray, observed: np.ndarray) -> dict[str, object]:
    """A delay's statistics with censoring, as the summary shows them.

    Returns
    -------
    dict
        ``n`` (entities), ``events`` (delays measured), ``measured_share``,
        ``mean`` (restricted to the longest follow-up), ``median``, ``p90``,
        ``p95``, ``max`` (of the measured delays) and ``lower_bound``: the
        statistics that are only a lower bound because too many entities
        were still waiting (their value is then the longest follow-up).

    Examples
    --------
    >>> s = describe_censored(np.array([10.0, 20.0, 30.0, 40.0]), np.array([1, 1, 1, 0], bool))
    >>> s["events"], s["median"], s["p90"], s["lower_bound"]
    (3, 20.0, 40.0, ['mean', 'p90', 'p95'])
    """
    t = np.asarray(durations, dtype=float)
    d = np.asarray(observed, dtype=bool)
    ok = np.isfinite(t)
    t, d = t[ok], d[ok]
    nan = float("nan")
    out: dict[str, object] = {"n": int(t.size), "events": int(d.sum())}
    out["measured_share"] = out["events"] / t.size if t.size else nan
    if not d.any():
        out.update({k: nan for k in ("mean", *QUANTILES, "max")})
        out["lower_bound"] = []
        return out
    if d.all():
        # nothing censored: the empirical distribution, without sorting everything
        return out | _uncensored(t)
    times, surv = kaplan_meier(t, d)
    tau = float(t.max())
    bounded = []
    out["mean"] = restricted_mean(times, surv, tau)
    if surv[-1] > 0:
        bounded.append("mean")
    for name, q in QUANTILES.items():
        v = km_quantile(times, surv, q)
        if v != v:
            v = tau
            bounded.append(name)
        out[name] = v
    out["max"] = float(t[d].max())
    out["lower_bound"] = bounded
    return out


def _uncensored(t: np.ndarray) -> dict[str, object]:
    """:func:`describe_censored` when every delay was measured: the Kaplan–Meier curve
    is then the empirical distribution, its quantiles order statistics (the smallest
    value with a share >= q at or below it) and its mean the plain mean."""
    n = t.size
    ranks = {name: max(1, math.ceil(q * n - 1e-9)) - 1 for name, q in QUANTILES.items()}
    part = np.partition(t, sorted(set(ranks.values())))
    out: dict[str, object] = {"mean": float(t.mean())}
    out.update({name: float(part[k]) for name, k in ranks.items()})
    out["max"] = float(t.max())
    out["lower_bound"] = []
    return out
