"""Text for the terminal: the run summary table and progress bars."""

from __future__ import annotations

import math
import weakref
from typing import Any, TextIO

from ..analysis.metrics import DELAY_TITLES, DELAYS
from ..scenario.units import human_duration


def _pct(x: float | None) -> str:
    return "-" if x is None or x != x else f"{100 * x:.1f}%"


NAN = float("nan")


def _known(x: float | None) -> bool:
    """Not None (NaN in JSON) and not NaN."""
    return x is not None and x == x


def _ci_pct(ci: dict[str, float]) -> str:
    s = _pct(ci["mean"])
    if ci.get("n", 0) >= 2 and ci["half_width"] == ci["half_width"]:
        s += f" ± {100 * ci['half_width']:.1f}"
    return s


# Names of outcome states as the summary prints them, by table (default: the
# state's name with spaces).
LABELS = {
    "violations": {
        "never_reported": "never reported",
        "reported_unverified": "reported, not verified",
        "verified": "verified, not attributed",
        "attributed_correct": "attributed correctly",
        "attributed_incorrect": "attributed wrongly",
    },
    "reports": {
        "false_recognised": "false, recognised",
        "led_to_finding": "opened an incident",
    },
    "incidents": {
        "not_verified": "finding without verification",
        "unfounded": "unfounded (only false reports)",
    },
}


def _label(table: str, key: str) -> str:
    if key == "open_at_end":
        return "open at the horizon"
    return LABELS.get(table, {}).get(key, key.replace("_", " "))


def _counts(summary: dict[str, Any]) -> list[str]:
    out = []
    c = summary["counts"]
    for title, key, why, label in (
        ("Violations", "violations", "unverified_reasons", "not verified because"),
        ("Reports", "reports", None, ""),
        ("Incidents", "incidents", "incident_reasons", "without verification because"),
    ):
        total = sum(c[key].values())
        parts = ", ".join(f"{_label(key, k)} {v}" for k, v in c[key].items() if v)
        out.append(f"{title:<11}{total:>8}   {parts}")
        reasons = c.get(why, {}) if why else {}
        text = ", ".join(f"{_label(key, k)} {v}" for k, v in reasons.items() if v)
        if text:
            out.append(f"{'':<19}   {label}: {text}")
    v = c["violations"]
    verified = (
        v.get("verified", 0) + v.get("attributed_correct", 0) + v.get("attributed_incorrect", 0)
    )
    out.append(f"{'':<19}   verified in all (attributed or not): {verified}")
    return out + _findings(summary) + _moratorium(summary)


def _moratorium(summary: dict[str, Any]) -> list[str]:
    """Claims of moratorium violations and whether the reciprocal release triggered."""
    m = summary.get("moratorium")
    if not m:
        return []
    out = [
        f"{'Moratorium':<11}{'':>8}   days {m['start_day']:g}-{m['end_day']:g}: "
        f"{m['real_violations']} strikes on protected sites, {m['real_claimed']} claimed, "
        f"{m['real_confirmed']} confirmed"
    ]
    for side, kinds in m["claims"].items():
        parts = ", ".join(
            f"{k} {c['sent']} ({c['confirmed']} confirmed)" for k, c in kinds.items() if c["sent"]
        )
        out.append(f"{'':<19}   claims by {side}: {parts or 'none'}")
    days = m["median_days_to_verdict"]
    if _known(days):
        out.append(f"{'':<19}   median time to a verdict {days:.1f} d")
    for side, r in m["released"].items():
        if r["share_of_replications"]:
            out.append(
                f"{'':<19}   {side} released by the reciprocal rule in "
                f"{_pct(r['share_of_replications'])} of replications, on day "
                f"{r['mean_day']:.1f} on average"
            )
    return out


GRADE_LABELS = {
    "confirmed_attributed": "confirmed and attributed",
    "confirmed_direction": "direction of fire only",
    "confirmed_unattributed": "not attributable",
    "not_confirmed": "not confirmed",
    "disputed": "disputed",
}


def _findings(summary: dict[str, Any]) -> list[str]:
    """Findings by agreed grade; disputes and the ladder when there were any."""
    f = summary.get("findings")
    if not f:
        return []
    grades = f["final_grades"]
    parts = ", ".join(f"{GRADE_LABELS[k]} {v}" for k, v in grades.items() if v)
    out = [f"{'Findings':<11}{sum(grades.values()):>8}   {parts}"]
    d = f["disputes"]
    if d["opened"]:
        desks = ", ".join(f"{p} {n}" for p, n in f["dissent_by_desk"].items())
        out.append(
            f"{'':<19}   disputed {d['opened']} (dissent by {desks}), settled {d['settled']}"
        )
        for level in f["ladder"]:
            days, backlog = level["mean_days_to_settle"], level["mean_backlog"]
            after = f" after {days:.1f} d on average" if _known(days) else ""
            load = f", mean backlog {backlog:.1f}" if _known(backlog) else ""
            out.append(
                f"{'':<19}   {level['name']}: settled {level['settled']}{after}{load}, "
                f"{level['backlog_at_end'] or 0:g} waiting at the horizon"
            )
    if d["emergency_quorum"]:
        out.append(
            f"{'':<19}   made by two desks (emergency quorum) {d['emergency_quorum']}, "
            f"reviewed by the third {d['reviewed']}"
        )
    for w in f.get("walkouts", []):
        out.append(f"{'':<19}   {w['party']} desk away {w['period']}:")
        for name, p in w["periods"].items():
            if p["days"] > 0 and _known(p["findings_per_day"]):
                out.append(
                    f"{'':<19}     {name:<7} findings {p['findings_per_day']:.1f}/day, agreed "
                    f"{_pct(p['agreed_share'])}, median time to finding "
                    f"{human_duration(p['median_finding'] if _known(p['median_finding']) else NAN)}"
                )
    return out


def _volume(summary: dict[str, Any]) -> list[str]:
    """Line violations per day, and at the monitors' scale when violations have sizes."""
    v = summary.get("volume")
    if not v or "violations_per_day" not in v:
        return []

    def stat(scale: str) -> str:
        disp = v[f"{scale}_dispersion"]["mean"]
        ratio = v[f"{scale}_p95_over_median"]["mean"]
        parts = [f"{v[f'{scale}_per_day']['mean']:.1f}/day"]
        if disp == disp:
            parts.append(f"daily counts: variance/mean {disp:.1f}")
        if ratio == ratio:
            parts.append(f"p95/median {ratio:.2f}")
        return ", ".join(parts)

    out = [f"{'Line violations':<19}   {stat('violations')}"]
    if v.get("sized"):
        out.append(f"{'  shots/explosions':<19}   {stat('size')} (the monitors' scale)")
    return out


def _delay_cell(d: dict[str, Any], stat: str) -> str:
    text = human_duration(d[stat]) if d[stat] is not None else "-"
    return ("≥ " + text) if stat in d.get("lower_bound", []) else text


def _delays(summary: dict[str, Any]) -> list[str]:
    head = (
        f"{'Delay':<48}{'n':>7}{'measured':>10}{'mean':>10}{'median':>10}"
        f"{'p90':>10}{'p95':>10}{'max':>10}"
    )
    out = [head]
    for key in DELAYS:
        d = summary["delays"][key]
        cells = [_delay_cell(d, s) for s in ("mean", "median", "p90", "p95", "max")]
        out.append(
            f"{DELAY_TITLES[key]:<48}{d['n']:>7}{_pct(d['measured_share']):>10}"
            + "".join(f"{x:>10}" for x in cells)
        )
    out.append(
        "(measured: share whose delay ended; the others count with what they waited, "
        "Kaplan-Meier; ≥: a lower bound)"
    )
    pd = summary.get("party_delays", {})
    if pd:
        rd = "   ".join(
            f"{p} {human_duration(pd[f'reporting_delay_{p}']['mean'])}" for p in ("RU", "UA")
        )
        ack = "   ".join(
            f"{p} {human_duration(pd[f'acknowledge_{p}']['mean'])}" for p in ("RU", "UA", "US")
        )
        out.append(f"{'Reporting delay by party, mean':<38}{rd}")
        out.append(f"{'Time to acknowledge by desk, mean':<38}{ack}")
    return out


def _shifts(summary: dict[str, Any]) -> list[str]:
    rows = [(p, s) for p in ("RU", "UA", "US") for s in summary["desks"][p].get("by_shift", [])]
    if not rows:
        return []
    target = summary["targets"].get("acknowledge", {}).get("limit_minutes")
    within = f"within {human_duration(target)}" if target is not None else "within target"
    out = [
        f"{'Desk load by shift':<38}{'officers':>9}{'busy/officer':>14}{'P(wait)':>9}"
        f"{'mean wait':>11}{within:>14}"
    ]
    for p, s in rows:
        name = f"  {p} {s['shift']}"
        out.append(
            f"{name:<38}{s['officers']['mean']:>9.1f}{_pct(s['utilisation']['mean']):>14}"
            f"{_pct(s['p_wait']['mean']):>9}{human_duration(s['mean_wait']['mean']):>11}"
            f"{_pct(s['within_acknowledge']['mean']):>14}"
        )
    return out


def format_summary(summary: dict[str, Any], meta: dict[str, Any]) -> str:
    """Render a run summary as a plain-text report (about 60 lines)."""
    out: list[str] = []
    days = summary["measured_days_per_replication"]
    out.append(
        f"Scenario {meta['scenario']}  seed {meta['seed']}  replications {summary['replications']}"
        f"  measured {days:g} days each (after warm-up)"
    )
    cal = summary.get("calendar")
    if cal:
        out.append(f"Starts {cal['start']} ({cal['timezone']})")
    out += ["", *_counts(summary), *_volume(summary), "", *_delays(summary), ""]
    r = summary["rates"]
    w = 38
    out.append(
        f"{'Detection rate':<{w}}{_ci_pct(r['detection_rate']):<16}reported / all violations"
    )
    out.append(
        f"{'Verification rate':<{w}}{_ci_pct(r['verification_rate']):<16}"
        "verified (attributed or not) / reported"
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
    out += ["", *_shifts(summary)]
    if summary["replications"] > 1:
        out.append("(± = 95% CI half-width across replications)")
    growth = _growth(summary.get("queue_growth") or {}, summary["replications"])
    if growth:
        out += ["", *growth]
    return "\n".join(out)


def _growth(growth: dict[str, dict[str, Any]], replications: int) -> list[str]:
    """One sentence per queue that grew without bound (see :mod:`sim.analysis.growth`)."""
    return [
        f"! The {g['label']} grew without bound in {g['replications']} of {replications} "
        f"replication(s): {g['first_third']:.1f} waiting on average in the first third of the "
        f"measured period, {g['last_third']:.1f} in the last. The work offered exceeds what "
        "the staff can do: results that depend on this queue depend on the horizon."
        for g in growth.values()
    ]


REDRAW = 0.25  # seconds between redraws of a progress bar on a terminal


class _Bar:
    """A progress bar (:mod:`rich.progress`) on ``stream`` (default: standard error),
    shown only once work has run ``after`` seconds, so quick work shows nothing.

    On a terminal the bar is redrawn in place as updates come (at most every
    :data:`REDRAW` seconds) and its last state stays on screen after :meth:`finish`.
    Elsewhere (a file, a CI log, a captured stream) rich would show
    nothing until the end; instead a plain line with the same columns is written at
    most every ``every`` seconds, and the final state by :meth:`finish`.
    """

    def __init__(self, stream: TextIO | None = None, after: float = 2.0, every: float = 5.0):
        # imported here: importing this module stays cheap (no rich for ``-q`` or the API)
        from rich.console import Console
        from rich.progress import BarColumn
        from rich.progress import Progress as RichProgress

        console = Console(file=stream, stderr=stream is None)
        self.live = console.is_terminal and not console.is_dumb_terminal
        lead, tail = self._columns()
        # Redrawn from the caller's updates, with no refresh thread and no redirected
        # sys.stdout/stderr: worker processes are forked while the bar is up, and a
        # child must not inherit a lock held by a thread or write through rich.
        self.bar = RichProgress(
            *lead,
            *([BarColumn()] if self.live else []),
            *tail,
            console=console,
            auto_refresh=False,
            redirect_stdout=False,
            redirect_stderr=False,
            speed_estimate_period=600.0,  # time left from the last ten minutes' pace
        )
        self.after = after
        self.every = every
        self.t0 = self.bar.get_time()
        self.task = self.bar.add_task("", total=None)
        self.started = False  # the live bar is on screen
        self.last = -math.inf  # when the bar was last redrawn or a plain line written
        self.written: tuple[str, float] | None = None  # (description, completed) it showed

    def _columns(self) -> tuple[list[Any], list[Any]]:
        """The columns before and after the bar."""
        raise NotImplementedError

    def _update(self, description: str, completed: float, total: float, final: bool) -> None:
        self.bar.update(self.task, description=description, completed=completed, total=total)
        now = self.bar.get_time()
        if now - self.t0 < self.after:
            return
        if not self.live:
            if final or now - self.last >= self.every:
                self._write_line(now)
        elif not self.started:
            self.bar.start()
            self.started = True
            # stop the bar (restoring the cursor) even when the work is interrupted
            weakref.finalize(self, self.bar.stop)
        elif final or now - self.last >= REDRAW:
            self.bar.refresh()
            self.last = now

    def _write_line(self, now: float) -> None:
        from rich.text import Text

        task = self.bar.tasks[0]
        line = Text(" ").join(column(task) for column in self.bar.columns)
        self.bar.console.print(line, soft_wrap=True)
        self.last = now
        self.written = (task.description, task.completed)

    def finish(self) -> None:
        """Leave the last state on screen (a terminal) or write it once (elsewhere)."""
        if self.live:
            if self.started:
                self.bar.stop()
            return
        task = self.bar.tasks[0]
        now = self.bar.get_time()
        if now - self.t0 >= self.after and self.written != (task.description, task.completed):
            self._write_line(now)


class Progress(_Bar):
    """Progress of a run: replication, simulated day, share done, elapsed and
    remaining time. Called as ``progress(rep, reps, now, horizon)``."""

    def _columns(self) -> tuple[list[Any], list[Any]]:
        from rich.progress import TextColumn, TimeElapsedColumn, TimeRemainingColumn

        return [TextColumn("{task.description}", markup=False)], [
            TextColumn("{task.percentage:>3.0f}% done,"),
            TimeElapsedColumn(),
            TextColumn("elapsed,"),
            TimeRemainingColumn(),
            TextColumn("left"),
        ]

    def __init__(self, *args: Any, label: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.label = label  # what is running, e.g. the configuration of a comparison

    def __call__(self, rep: int, reps: int, now: float, horizon: float) -> None:
        self._update(
            f"{self.label}replication {rep + 1}/{reps}, day {now / 1440:.0f}/{horizon / 1440:.0f}",
            (rep + now / horizon) / reps,
            1.0,
            final=False,
        )


class Counter(_Bar):
    """Progress of a batch of jobs: ``done/total``, elapsed time and time left.
    Called as ``counter(done, total, extra="")``; ``extra`` follows the count."""

    def __init__(
        self,
        what: str = "jobs",
        stream: TextIO | None = None,
        after: float = 2.0,
        every: float = 5.0,
    ):
        super().__init__(stream, after, every)
        self.what = what

    def _columns(self) -> tuple[list[Any], list[Any]]:
        from rich.progress import (
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        return [MofNCompleteColumn(), TextColumn("{task.description}", markup=False)], [
            TimeElapsedColumn(),
            TextColumn("elapsed,"),
            TimeRemainingColumn(),
            TextColumn("left"),
        ]

    def __call__(self, done: int, total: int, extra: str = "") -> None:
        self._update(f"{self.what} done{extra}", done, total, final=done >= total)
