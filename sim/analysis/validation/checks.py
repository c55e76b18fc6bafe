"""One row of the validation table and how a row's verdict is decided."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..statistics import mean_ci, t_quantile

ROOT = Path(__file__).resolve().parents[3]
VALIDATION = ROOT / "scenarios" / "validation"
TOLERANCE_SE = 4.0


@dataclass
class Check:
    """One row of the validation table."""

    group: str
    case: str
    analytic: float
    simulated: float
    low: float
    high: float
    unit: str
    passed: bool
    how: str = ""

    def cells(self) -> list[str]:
        def f(x: float) -> str:
            if x != x:
                return "-"
            if self.unit == "%":
                return f"{100 * x:.2f} %"
            if self.unit == "min":
                return f"{x:.2f} min"
            return f"{x:.4g}"

        ci = "-" if self.low != self.low else f"[{f(self.low)}, {f(self.high)}]"
        return [
            self.case,
            f(self.analytic),
            f(self.simulated),
            ci,
            "pass" if self.passed else "**FAIL**",
        ]


def from_reps(group, case, analytic, values, unit, how="") -> Check:
    ci = mean_ci(values)
    se = ci["half_width"] / t_quantile(0.975, ci["n"] - 1) if ci["n"] >= 2 else float("nan")
    passed = bool(abs(ci["mean"] - analytic) <= TOLERANCE_SE * se) if se == se else False
    return Check(group, case, analytic, ci["mean"], ci["low"], ci["high"], unit, passed, how)


def exact(group, case, analytic, simulated, unit, how="") -> Check:
    passed = bool(abs(simulated - analytic) <= 1e-6 * max(1.0, abs(analytic)))
    return Check(group, case, analytic, simulated, float("nan"), float("nan"), unit, passed, how)


def binomial(group, case, p, hits, n, unit="%", how="") -> Check:
    phat = hits / n if n else float("nan")
    se = math.sqrt(p * (1 - p) / n) if n else float("nan")
    h = 1.96 * math.sqrt(phat * (1 - phat) / n) if n else float("nan")
    passed = bool(abs(phat - p) <= TOLERANCE_SE * se) if n else False
    return Check(group, case, p, phat, phat - h, phat + h, unit, passed, how)


def at_most(group, case, analytic, values, unit, how="") -> Check:
    """A one-sided row: the simulated mean may not exceed the analytic value by more
    than the tolerance (4 standard errors)."""
    ci = mean_ci(values)
    se = ci["half_width"] / t_quantile(0.975, ci["n"] - 1) if ci["n"] >= 2 else float("nan")
    passed = bool(ci["mean"] - TOLERANCE_SE * se <= analytic) if se == se else False
    return Check(group, case, analytic, ci["mean"], ci["low"], ci["high"], unit, passed, how)
