"""Statistics of a series of events: daily counts and their dispersion, persistence and
concentration.

Pure functions of numpy arrays, used alike on simulated violations (the run
summary, the validation of the regime process) and on real event logs
(``cfsim fit`` and its goodness-of-fit page), so that data and simulation are
always measured the same way.
"""

from __future__ import annotations

import math

import numpy as np

DAY = 1440.0


def daily_counts(
    times: np.ndarray, start: float, days: int, weights: np.ndarray | None = None
) -> np.ndarray:
    """Events (or the sum of ``weights``) in each whole day from ``start`` (minutes).

    Examples
    --------
    >>> daily_counts(np.array([10.0, 1500.0, 1600.0, 5000.0]), 0.0, 3).tolist()
    [1.0, 2.0, 0.0]
    """
    t = np.asarray(times, dtype=float)
    day = np.floor((t - start) / DAY).astype(np.int64)
    ok = (day >= 0) & (day < days)
    w = None if weights is None else np.asarray(weights, dtype=float)[ok]
    return np.bincount(day[ok], weights=w, minlength=days).astype(float)[:days]


def index_of_dispersion(x: np.ndarray) -> float:
    """Variance over mean of counts (1 for a Poisson process, NaN without events).

    Examples
    --------
    >>> index_of_dispersion(np.array([0.0, 2.0, 0.0, 2.0]))
    1.3333333333333333
    """
    x = np.asarray(x, dtype=float)
    m = x.mean() if x.size else 0.0
    if x.size < 2 or m <= 0:
        return math.nan
    return float(x.var(ddof=1) / m)


def p95_over_median(x: np.ndarray) -> float:
    """The 95th percentile of counts over their median (NaN when the median is 0).

    Examples
    --------
    >>> p95_over_median(np.arange(101.0))
    1.9
    """
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        return math.nan
    med = float(np.median(x))
    return float(np.percentile(x, 95)) / med if med > 0 else math.nan


def autocorrelation(x: np.ndarray, lags) -> np.ndarray:
    """The sample autocorrelation of a series at each lag (the usual estimator: sums of
    products of deviations from the series mean over the sum of squares).

    Examples
    --------
    >>> autocorrelation(np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0]), [1, 2]).round(3).tolist()
    [-0.833, 0.667]
    """
    x = np.asarray(x, dtype=float)
    d = x - x.mean()
    ss = float((d * d).sum())
    out = []
    for lag in lags:
        lag = int(lag)
        if ss <= 0 or lag >= x.size:
            out.append(math.nan)
        else:
            out.append(float((d[:-lag] * d[lag:]).sum()) / ss if lag else 1.0)
    return np.array(out)


def concentration(counts: np.ndarray, top: int = 5) -> dict[str, float]:
    """How concentrated events are on few places.

    Returns the share of the ``top`` busiest places (``top_share``), the
    Herfindahl index (sum of squared shares, ``hhi``; 1/places when even) and
    the Gini coefficient of the counts (``gini``; 0 when even).

    Examples
    --------
    >>> c = concentration(np.array([6.0, 2.0, 1.0, 1.0, 0.0]), top=2)
    >>> c["top_share"], c["hhi"]
    (0.8, 0.42)
    """
    c = np.sort(np.asarray(counts, dtype=float))[::-1]
    total = float(c.sum())
    if total <= 0:
        return {"top_share": math.nan, "hhi": math.nan, "gini": math.nan}
    p = c / total
    n = c.size
    asc = p[::-1]
    gini = float((2 * np.arange(1, n + 1) - n - 1) @ asc / (n - 1)) if n > 1 else 0.0
    return {
        "top_share": float(p[:top].sum()),
        "hhi": float(np.round((p * p).sum(), 12)),
        "gini": gini,
    }


def gaps_in_days(days: np.ndarray) -> np.ndarray:
    """Days between consecutive events of a series of event days (0 for the same day).

    Examples
    --------
    >>> gaps_in_days(np.array([3, 1, 1, 7])).tolist()
    [0, 2, 4]
    """
    d = np.sort(np.asarray(days, dtype=np.int64))
    return np.diff(d)


def same_place_pairs(day: np.ndarray, node: np.ndarray, lag: int = 0) -> int:
    """Ordered pairs of distinct events at the same place ``lag`` days apart.

    Examples
    --------
    >>> same_place_pairs(np.array([0, 0, 0, 1]), np.array([2, 2, 5, 2]))
    2
    >>> same_place_pairs(np.array([0, 0, 0, 1]), np.array([2, 2, 5, 2]), lag=1)
    2
    """
    day = np.asarray(day, dtype=np.int64)
    node = np.asarray(node, dtype=np.int64)
    if day.size == 0:
        return 0
    cells, counts = np.unique(np.stack([day, node]), axis=1, return_counts=True)
    table = dict(zip(zip(cells[0].tolist(), cells[1].tolist()), counts.tolist()))
    if lag == 0:
        return int(sum(c * (c - 1) for c in table.values()))
    return int(sum(c * table.get((d + lag, n), 0) for (d, n), c in table.items()))


def daily_summary(counts: np.ndarray, lags=range(1, 8)) -> dict[str, object]:
    """Mean, index of dispersion, p95/median and autocorrelation at ``lags`` of a series
    of daily counts, as plain data."""
    x = np.asarray(counts, dtype=float)
    return {
        "days": int(x.size),
        "mean": float(x.mean()) if x.size else math.nan,
        "index_of_dispersion": index_of_dispersion(x),
        "p95_over_median": p95_over_median(x),
        "autocorrelation": {int(k): float(v) for k, v in zip(lags, autocorrelation(x, lags))},
    }
