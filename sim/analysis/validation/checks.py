"""One row of the validation table, and how the table decides every row's verdict.

A row holds a simulated statistic, its analytic value and the statistic's
standard error; :func:`judge` then decides all rows together, so that the
whole table has a stated false-alarm rate: with K stochastic rows each is
tested at level ``FAMILY_ALPHA / K`` (Bonferroni, valid whatever the
dependence between rows), and each row states its power to see a 5% error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..statistics import chi2_quantile, normal_quantile, t_quantile

ROOT = Path(__file__).resolve().parents[3]
VALIDATION = ROOT / "scenarios" / "validation"
FAMILY_ALPHA = 0.01
"""Chance that a correct model fails at least one row of the table (Bonferroni bound)."""
ERROR = 0.05
"""The relative error every row states its power to detect."""
POWER = 0.9
"""The power every mean-wait row must have to see an error of ``ERROR``."""
EXACT_RTOL = 1e-6

KINDS = ("two-sided", "at-most", "chi2", "exact")


@dataclass(frozen=True)
class Check:
    """One row of the validation table.

    Attributes
    ----------
    group, case : str
        Section and row label.
    analytic, simulated : float
        The value theory gives and the one the model gave.
    se : float
        Standard error of ``simulated`` (NaN for exact and chi-square rows).
    df : float
        Degrees of freedom: of the t distribution of ``(simulated - analytic) / se``
        (``inf`` when ``se`` is known, e.g. binomial), or of a chi-square row.
    unit : str
        ``min``, ``%`` or empty.
    kind : str
        ``two-sided`` (|simulated - analytic| within the tolerance), ``at-most``
        (simulated may not exceed analytic by more than the tolerance), ``chi2``
        (the statistic below the chi-square quantile) or ``exact``.
    seed : int or None
        The row's own root seed (no two stochastic rows share one).
    size : str
        What was simulated, in words (replications and entities).
    wait : bool
        A mean wait: its power to see a 5% error must be at least ``POWER``.
    crit, tolerance, power : float
        Set by :func:`judge`: the critical value, the allowed deviation
        (``crit * se``) and the power to detect a relative error of ``ERROR``.
    passed : bool
        Set by :func:`judge`.
    """

    group: str
    case: str
    analytic: float
    simulated: float
    se: float
    df: float
    unit: str
    kind: str
    seed: int | None
    size: str = ""
    wait: bool = False
    crit: float = float("nan")
    tolerance: float = float("nan")
    power: float = float("nan")
    passed: bool = False

    @property
    def stochastic(self) -> bool:
        return self.kind != "exact"

    def cells(self) -> list[str]:
        """Case, analytic, simulated, tolerance, power, seed and verdict, as text."""

        def f(x: float) -> str:
            if x != x:
                return "-"
            if self.unit == "%":
                return f"{100 * x:.2f} %"
            if self.unit == "min":
                return f"{x:.2f} min"
            return f"{x:.4g}"

        if self.kind == "exact":
            tol = f"exact (rel. {EXACT_RTOL:g})"
        elif self.kind == "chi2":
            tol = f"≤ χ²({self.df:g}) quantile"
        else:
            sign = "+" if self.kind == "at-most" else "±"
            tol = f"{sign} {f(self.tolerance)}"
        power = "-" if self.power != self.power else f"{100 * self.power:.0f} %"
        return [
            self.case,
            f(self.analytic),
            f(self.simulated),
            tol,
            power,
            "-" if self.seed is None else str(self.seed),
            "pass" if self.passed else "**FAIL**",
        ]


def from_reps(group, case, analytic, values, unit, *, seed, size="", wait=False, kind="two-sided"):
    """A row from independent replications: their mean, with the t standard error."""
    x = np.asarray([v for v in values if v == v], dtype=float)
    n = x.size
    se = float(x.std(ddof=1)) / math.sqrt(n) if n >= 2 else float("nan")
    mean = float(x.mean()) if n else float("nan")
    return Check(group, case, analytic, mean, se, n - 1, unit, kind, seed, size, wait)


def known_se(group, case, analytic, simulated, se, unit, *, seed, size="", wait=False) -> Check:
    """A row whose standard error is known (binomial, Poisson, a distribution's sd)."""
    kind = "two-sided"
    return Check(group, case, analytic, simulated, se, math.inf, unit, kind, seed, size, wait)


def binomial(group, case, p, hits, n, *, seed, size="") -> Check:
    """A fraction ``hits / n`` against ``p``, with the binomial standard error under ``p``."""
    phat = hits / n if n else float("nan")
    se = math.sqrt(p * (1 - p) / n) if n else float("nan")
    return known_se(group, case, p, phat, se, "%", seed=seed, size=size or f"{n:,} trials")


def chi_square(group, case, statistic, dof, *, seed, size="") -> Check:
    """A chi-square goodness-of-fit statistic with ``dof`` degrees of freedom."""
    return Check(group, case, float("nan"), statistic, float("nan"), dof, "", "chi2", seed, size)


def exact(group, case, analytic, simulated, unit, size="") -> Check:
    """A deterministic row: simulated must equal analytic (relative 1e-6)."""
    nan = float("nan")
    return Check(group, case, analytic, simulated, nan, nan, unit, "exact", None, size)


def critical(kind: str, alpha: float, df: float) -> float:
    """The critical value of a row tested at level ``alpha``."""
    if kind == "chi2":
        return chi2_quantile(1.0 - alpha, int(df))
    p = 1.0 - alpha / 2 if kind == "two-sided" else 1.0 - alpha
    return normal_quantile(p) if math.isinf(df) else t_quantile(p, df)


def power(kind: str, crit: float, df: float, shift: float) -> float:
    """Chance that a row rejects when the truth is off by ``shift`` standard errors.

    For a known standard error the statistic is normal; with an estimated one it
    is noncentral t with ``df`` degrees of freedom.
    """
    if shift != shift or crit != crit:
        return float("nan")
    if math.isinf(df):
        from scipy.special import ndtr

        up, down = float(ndtr(shift - crit)), float(ndtr(-shift - crit))
    else:
        from scipy.special import nctdtr

        # P(T > c | δ) and P(T < −c | δ) = P(T > c | −δ): both as upper tails, since
        # nctdtr gives NaN far out in the lower tail
        up = 1.0 - float(nctdtr(df, shift, crit))
        down = 1.0 - float(nctdtr(df, -shift, crit))
    return up if kind == "at-most" else up + down


def judge(checks: list[Check], family_alpha: float = FAMILY_ALPHA) -> list[Check]:
    """Every row with its verdict: each of the K stochastic rows at ``family_alpha / K``.

    The chance that a correct model fails any row is then at most
    ``family_alpha`` (Bonferroni's inequality), whatever the correlation
    between rows; each row's power is for a true value off by ``ERROR`` ×
    |analytic| (for ``at-most`` rows: above the bound by that much).
    """
    k = sum(c.stochastic for c in checks)
    alpha = family_alpha / k if k else family_alpha
    out = []
    for c in checks:
        if c.kind == "exact":
            ok = abs(c.simulated - c.analytic) <= EXACT_RTOL * max(1.0, abs(c.analytic))
            out.append(replace(c, passed=bool(ok)))
            continue
        crit = critical(c.kind, alpha, c.df)
        if c.kind == "chi2":
            out.append(replace(c, crit=crit, analytic=crit, passed=bool(c.simulated <= crit)))
            continue
        tol = crit * c.se
        dev = c.simulated - c.analytic
        ok = dev <= tol if c.kind == "at-most" else abs(dev) <= tol
        pw = power(c.kind, crit, c.df, ERROR * abs(c.analytic) / c.se)
        out.append(replace(c, crit=crit, tolerance=tol, power=pw, passed=bool(ok and tol == tol)))
    return out
