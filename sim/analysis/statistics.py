"""Statistics of samples and replications: descriptive summaries and confidence intervals.

Pure functions on numbers; quantiles come from :mod:`scipy.special` (the
special functions behind ``scipy.stats``, imported on first use because
``scipy.stats`` alone takes over a second to import).
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (NaN if ``df < 1``).

    Examples
    --------
    >>> round(t_quantile(0.975, 10), 4)
    2.2281
    """
    if df < 1:
        return float("nan")
    from scipy.special import stdtrit

    return float(stdtrit(df, p))


def normal_quantile(p: float) -> float:
    """The ``p`` quantile of the standard normal distribution.

    Examples
    --------
    >>> round(normal_quantile(0.975), 4)
    1.96
    """
    from scipy.special import ndtri

    return float(ndtri(p))


def chi2_quantile(p: float, k: int) -> float:
    """The ``p`` quantile of chi-square with ``k`` degrees of freedom.

    Examples
    --------
    >>> round(chi2_quantile(0.999, 23), 2)
    49.73
    """
    from scipy.special import chdtri

    return float(chdtri(k, 1.0 - p))


def describe(values: np.ndarray) -> dict[str, float]:
    """Count, mean, median, 90th and 95th percentile and maximum of finite values.

    Examples
    --------
    >>> describe(np.array([1.0, 2.0, 3.0, np.nan]))["mean"]
    2.0
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        nan = float("nan")
        return {"n": 0, "mean": nan, "median": nan, "p90": nan, "p95": nan, "max": nan}
    return {
        "n": int(v.size),
        "mean": float(v.mean()),
        "median": float(np.median(v)),
        "p90": float(np.percentile(v, 90)),
        "p95": float(np.percentile(v, 95)),
        "max": float(v.max()),
    }


def mean_ci(per_rep: Iterable[float], level: float = 0.95) -> dict[str, float]:
    """Mean across replications with a two-sided Student-t confidence interval.

    NaN values (a replication where the quantity is undefined) are left out.

    Examples
    --------
    >>> ci = mean_ci([1.0, 2.0, 3.0])
    >>> round(ci["half_width"], 4)
    2.4841
    """
    x = np.asarray([v for v in per_rep if v == v], dtype=float)
    n = x.size
    nan = float("nan")
    if n == 0:
        return {"mean": nan, "low": nan, "high": nan, "half_width": nan, "n": 0}
    m = float(x.mean())
    if n < 2:
        return {"mean": m, "low": nan, "high": nan, "half_width": nan, "n": 1}
    h = t_quantile(0.5 + level / 2, n - 1) * float(x.std(ddof=1)) / math.sqrt(n)
    return {"mean": m, "low": m - h, "high": m + h, "half_width": h, "n": int(n)}


def finite_mean(values: Iterable[float]) -> float:
    """Mean of the values that are not NaN (NaN if none).

    Examples
    --------
    >>> finite_mean([1.0, float("nan"), 3.0])
    2.0
    """
    v = [x for x in values if x == x]
    return float(np.mean(v)) if v else float("nan")


def paired_difference(a: list[float], b: list[float]) -> dict[str, float]:
    """Mean of ``b - a`` over replications where both are defined, with a 95% CI.

    ``significant`` is True when the interval excludes zero.

    Examples
    --------
    >>> d = paired_difference([1.0, 2.0, 3.0], [2.0, 3.1, 3.9])
    >>> round(d["mean"], 3), d["significant"]
    (1.0, True)
    """
    pairs = [(x, y) for x, y in zip(a, b) if x == x and y == y]
    ci = mean_ci([y - x for x, y in pairs])
    ci["significant"] = bool(ci["n"] >= 2 and (ci["low"] > 0 or ci["high"] < 0))
    return ci
