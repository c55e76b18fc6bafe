"""Text for the terminal: the run summary table and a progress line."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from ..analysis.metrics import DELAY_TITLES, DELAYS
from ..scenario.units import human_duration


def _pct(x: float | None) -> str:
    return "-" if x is None or x != x else f"{100 * x:.1f}%"


def _ci_pct(ci: dict[str, float]) -> str:
    s = _pct(ci["mean"])
    if ci.get("n", 0) >= 2 and ci["half_width"] == ci["half_width"]:
        s += f" ± {100 * ci['half_width']:.1f}"
    return s


def format_summary(summary: dict[str, Any], meta: dict[str, Any]) -> str:
    """Render a run summary as a plain-text report (about 50 lines)."""
    out: list[str] = []
    days = summary["measured_days_per_replication"]
    out.append(
        f"Scenario {meta['scenario']}  seed {meta['seed']}  replications {summary['replications']}"
        f"  measured {days:g} days each (after warm-up)"
    )
    out.append("")
    c = summary["counts"]
    for title, key, why, label in (
        ("Violations", "violations", "unverified_reasons", "reported_unverified because"),
        ("Reports", "reports", None, ""),
        ("Incidents", "incidents", "incident_reasons", "not_verified because"),
    ):
        total = sum(c[key].values())
        parts = ", ".join(f"{k} {v}" for k, v in c[key].items() if v)
        out.append(f"{title:<11}{total:>8}   {parts}")
        reasons = ", ".join(f"{k} {v}" for k, v in c.get(why, {}).items() if v) if why else ""
        if reasons:
            out.append(f"{'':<19}   {label}: {reasons}")
    out.append("")
    out.append(f"{'Delay':<48}{'n':>7}{'mean':>10}{'median':>10}{'p90':>10}{'p95':>10}{'max':>10}")
    for key in DELAYS:
        d = summary["delays"][key]
        cells = [human_duration(d[s]) for s in ("mean", "median", "p90", "p95", "max")]
        out.append(f"{DELAY_TITLES[key]:<48}{d['n']:>7}" + "".join(f"{x:>10}" for x in cells))
    out.append("")
    r = summary["rates"]
    ci_note = " (± = 95% CI half-width across replications)" if summary["replications"] > 1 else ""
    w = 38
    out.append(
        f"{'Detection rate':<{w}}{_ci_pct(r['detection_rate']):<16}reported / all violations"
    )
    out.append(
        f"{'Verification rate':<{w}}{_ci_pct(r['verification_rate']):<16}verified / reported"
    )
    out.append(
        f"{'Attribution accuracy':<{w}}{_ci_pct(r['attribution_accuracy']):<16}correct / attributed"
    )
    for key, t in summary["targets"].items():
        label = f"Within {key} target ({human_duration(t['limit_minutes'])})"
        out.append(f"{label:<{w}}{_ci_pct(t)}")
    out.append("")
    u = summary["utilisation"]
    desks = summary["desks"]
    out.append(
        f"{'Utilisation':<{w}}"
        + "   ".join(f"{p} desk {_ci_pct(u[p])}" for p in ("RU", "UA", "US"))
        + f"   teams {_ci_pct(u['teams'])}"
    )
    out.append(
        f"{'Mean queue length (reports)':<{w}}"
        + "   ".join(f"{p} {desks[p]['mean_queue']:.2f}" for p in ("RU", "UA", "US"))
    )
    out.append(
        f"{'Probability of waiting for triage':<{w}}"
        + "   ".join(f"{p} {_pct(desks[p]['p_wait'])}" for p in ("RU", "UA", "US"))
    )
    out.append(
        f"{'Mean wait for triage':<{w}}"
        + "   ".join(f"{p} {human_duration(desks[p]['mean_wait'])}" for p in ("RU", "UA", "US"))
    )
    if ci_note:
        out.append(ci_note.strip())
    return "\n".join(out)


class _Line:
    """A progress line on a stream, shown only once work has run ``after`` seconds.

    On a terminal the line is rewritten in place; otherwise a new line is
    written at most every ``every`` seconds (and for the final update).
    """

    def __init__(self, stream: TextIO | None = None, after: float = 2.0, every: float = 5.0):
        self.stream = stream or sys.stderr
        self.after = after
        self.every = every
        self.t0 = time.perf_counter()
        self.last = 0.0
        self.shown = False
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def due(self, final: bool = False) -> bool:
        t = self.elapsed()
        if t < self.after:
            return False
        return self.tty or final or t - self.last >= self.every

    def emit(self, msg: str) -> None:
        self.last = self.elapsed()
        self.stream.write(("\r" + msg + "   ") if self.tty else msg + "\n")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown and self.tty:
            self.stream.write("\n")
            self.stream.flush()


class Progress(_Line):
    """Progress of a run: replication, simulated day, elapsed and remaining time."""

    def __call__(self, rep: int, reps: int, now: float, horizon: float) -> None:
        if not self.due():
            return
        t = self.elapsed()
        done = (rep + now / horizon) / reps
        eta = t / done - t if done > 0 else float("nan")
        self.emit(
            f"replication {rep + 1}/{reps}, day {now / 1440:.0f}/{horizon / 1440:.0f} "
            f"({100 * done:.0f}% done, {t:.0f}s elapsed, ~{eta:.0f}s left)"
        )


class Counter(_Line):
    """Progress of a batch of jobs: ``done/total``, elapsed time and time left."""

    def __init__(
        self,
        what: str = "jobs",
        stream: TextIO | None = None,
        after: float = 2.0,
        every: float = 5.0,
    ):
        super().__init__(stream, after, every)
        self.what = what

    def __call__(self, done: int, total: int, extra: str = "") -> None:
        if not self.due(final=done >= total):
            return
        t = self.elapsed()
        left = t / done * (total - done) if done else float("nan")
        self.emit(f"{done}/{total} {self.what} done{extra}, {t:.0f}s elapsed, ~{left:.0f}s left")
