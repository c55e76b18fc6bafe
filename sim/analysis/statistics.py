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


def t_pvalue(values: Iterable[float]) -> float:
    """Two-sided p-value of Student's t test that the mean of ``values`` is 0 (NaN
    values left out; NaN for fewer than 2, 1.0 for no spread around a zero mean).

    Examples
    --------
    >>> round(t_pvalue([1.0, 2.0, 3.0]), 4)
    0.0742
    """
    x = np.asarray([v for v in values if v == v], dtype=float)
    if x.size < 2:
        return float("nan")
    sd = float(x.std(ddof=1))
    m = float(x.mean())
    if sd == 0:
        return 1.0 if m == 0 else 0.0
    from scipy.special import stdtr

    t = abs(m) / (sd / math.sqrt(x.size))
    return float(2.0 * stdtr(x.size - 1, -t))


def holm(pvalues: list[float], alpha: float = 0.05) -> list[bool]:
    """Holm's step-down procedure: which hypotheses to reject with family-wise
    error ``alpha`` (NaN p-values are never rejected and do not count).

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03, float("nan")])
    [True, False, False, False]
    """
    idx = [k for k, p in enumerate(pvalues) if p == p]
    order = sorted(idx, key=lambda k: pvalues[k])
    m = len(order)
    out = [False] * len(pvalues)
    for rank, k in enumerate(order):
        if pvalues[k] <= alpha / (m - rank):
            out[k] = True
        else:
            break
    return out


def stein_replications(first: np.ndarray, half_width: float, level: float = 0.95) -> int:
    """Stein's two-stage rule: the total replications that give a confidence interval
    of at most ``half_width`` for the mean, from a first stage ``first``.

    The final interval is ``mean(all) ± t_{n0-1} s0 / sqrt(N)`` with the
    first stage's ``s0`` and ``n0`` (see :func:`stein_interval`): since ``N``
    depends on the first stage's spread only, its coverage is exact for
    normal data, unlike stopping when the running interval looks narrow.

    Examples
    --------
    >>> stein_replications(np.array([1.0, 3.0, 2.0, 4.0]), 0.5)   # (3.18 x 1.29 / 0.5)^2
    68
    """
    x = np.asarray([v for v in first if v == v], dtype=float)
    n0 = x.size
    if n0 < 2 or not half_width > 0:
        return n0
    s0 = float(x.std(ddof=1))
    t = t_quantile(0.5 + level / 2, n0 - 1)
    return max(n0, int(math.ceil((t * s0 / half_width) ** 2)))


def stein_interval(values: np.ndarray, n0: int, level: float = 0.95) -> dict[str, float]:
    """The two-stage interval for the mean of ``values`` whose first ``n0`` were the
    first stage (see :func:`stein_replications`)."""
    x = np.asarray(values, dtype=float)
    first = x[:n0]
    first = first[first == first]
    x = x[x == x]
    nan = float("nan")
    if first.size < 2 or x.size == 0:
        return {"mean": nan, "low": nan, "high": nan, "half_width": nan, "n": int(x.size)}
    m = float(x.mean())
    h = t_quantile(0.5 + level / 2, first.size - 1) * float(first.std(ddof=1)) / math.sqrt(x.size)
    return {"mean": m, "low": m - h, "high": m + h, "half_width": h, "n": int(x.size)}


def one_sided_bound(values: Iterable[float], side: str, alpha: float) -> float:
    """The one-sided ``1 - alpha`` confidence bound of the mean: the upper bound for
    ``side="max"`` (the mean is below it), the lower bound for ``side="min"``.

    Examples
    --------
    >>> round(one_sided_bound([1.0, 2.0, 3.0], "max", 0.05), 4)
    3.6859
    """
    x = np.asarray([v for v in values if v == v], dtype=float)
    if x.size < 2:
        return float("nan")
    h = t_quantile(1 - alpha, x.size - 1) * float(x.std(ddof=1)) / math.sqrt(x.size)
    m = float(x.mean())
    return m + h if side == "max" else m - h
