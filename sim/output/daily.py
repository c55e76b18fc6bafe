"""The daily report a center would publish at its cut-off, from a run's saved tables.

The OSCE Special Monitoring Mission published a daily report with a 19:30
cut-off: counts by region against the previous period, an annex table by
place, restrictions of movement, plus same-day spot reports. ``cfsim daily``
writes that report for one simulated day of one replication: what the center
learnt and did in the 24 hours up to ``output.daily_cutoff``. Every number is
a count of rows of the run's tables in that period (no new simulation), so
the reports of all days add up to the tables (a test reconciles them).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import records as R
from .results import ResultsError, RunData

GRADE_TITLES = {
    "confirmed_attributed": "confirmed and attributed",
    "confirmed_direction": "confirmed, direction of fire only",
    "confirmed_unattributed": "confirmed, not attributable",
    "not_confirmed": "not confirmed",
    "disputed": "disputed",
}


@dataclass(frozen=True)
class Period:
    """One reporting period: ``[start, end)`` in minutes, ending at the cut-off of ``day``."""

    day: int
    start: float
    end: float


def period(run: RunData, day: int) -> Period:
    """The 24 hours ending at the cut-off of simulated day ``day`` (day 0 is the first)."""
    cut = run.scenario.output.daily_cutoff
    end = day * 1440.0 + cut
    return Period(day, end - 1440.0, end)


def days_available(run: RunData) -> list[int]:
    """The days whose whole period lies in the run (``[0, horizon)``)."""
    cut = run.scenario.output.daily_cutoff
    horizon = run.scenario.horizon
    return [d for d in range(int(horizon // 1440) + 1) if d * 1440.0 + cut - 1440.0 >= 0
            and d * 1440.0 + cut <= horizon]  # fmt: skip


def day_of_date(run: RunData, text: str) -> int:
    """The simulated day of calendar date ``text`` (``YYYY-MM-DD``) in a run whose
    scenario has a calendar."""
    import datetime as dt

    cal = run.scenario.calendar
    if cal is None:
        raise ResultsError(
            "this run's scenario has no calendar (start), so its days have no dates; "
            "give the day with --day"
        )
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise ResultsError(f"--date {text!r} is not a date; expected YYYY-MM-DD") from None
    return (date - cal.start.date()).days


def _in(values: np.ndarray, p: Period) -> np.ndarray:
    return (values >= p.start) & (values < p.end)


def _rep(table: dict[str, np.ndarray], replication: int) -> dict[str, np.ndarray]:
    keep = table["replication"] == replication
    return {k: v[keep] for k, v in table.items()}


def daily_data(run: RunData, day: int, replication: int = 0) -> dict[str, Any]:
    """The report of ``day`` as plain data: counts by region (this period and the
    previous one), the annex by place, findings by grade, disputes, team missions,
    access denials and moratorium claims."""
    if replication not in set(run.tables["reports"]["replication"].astype(int).tolist()) and (
        run.tables["reports"]["replication"].size
    ):
        raise ResultsError(f"the run has no replication {replication}")
    if day not in days_available(run):
        ok = days_available(run)
        raise ResultsError(
            f"day {day} is not a whole reporting period of this run; expected a day from "
            f"{ok[0]} to {ok[-1]}"
            if ok
            else "the run is shorter than one reporting period"
        )
    t = {name: _rep(tab, replication) for name, tab in run.tables.items()}
    region = {n["id"]: n.get("region") or "(no region)" for n in run.network["nodes"]}
    now, before = period(run, day), period(run, day - 1)
    cal = run.scenario.calendar
    return {
        "scenario": run.scenario.name,
        "calendar": cal.datetime(0.0).replace(tzinfo=None).isoformat() if cal else None,
        "replication": replication,
        "day": day,
        "start": now.start,
        "end": now.end,
        "by_region": _by_region(t, region, now, before),
        "annex": _annex(t, now),
        "findings": _findings(t, now),
        "teams": _teams(t, now),
        "claims": _claims(t, now) if "claims" in t else [],
    }


def _counts(t: dict, p: Period) -> dict[str, dict[str, int]]:
    """Per node: reports received, violations first reported, incidents opened."""
    r, i = t["reports"], t["incidents"]
    got = _in(r["arrival"], p)
    first = {}
    v = t["violations"]
    seen = _in(v["first_report"], p)
    for node in v["node"][seen]:
        first[node] = first.get(node, 0) + 1
    out: dict[str, dict[str, int]] = {}
    for node in r["node"][got]:
        out.setdefault(node, {"reports": 0, "violations": 0, "incidents": 0})["reports"] += 1
    for node, n in first.items():
        out.setdefault(node, {"reports": 0, "violations": 0, "incidents": 0})["violations"] += n
    for node in i["node"][_in(i["created"], p)]:
        out.setdefault(node, {"reports": 0, "violations": 0, "incidents": 0})["incidents"] += 1
    return out


def _by_region(t, region, now: Period, before: Period) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, int]] = {}
    for label, p in (("", now), ("previous_", before)):
        for node, c in _counts(t, p).items():
            row = rows.setdefault(region.get(node, "(no region)"), {})
            for k, n in c.items():
                row[f"{label}{k}"] = row.get(f"{label}{k}", 0) + n
    keys = ("reports", "violations", "incidents")
    return [
        {"region": name, **{k: row.get(k, 0) for k in keys},
         **{f"previous_{k}": row.get(f"previous_{k}", 0) for k in keys}}
        for name, row in sorted(rows.items())
    ]  # fmt: skip


def _annex(t, p: Period) -> list[dict[str, Any]]:
    """By place: reports, violations first reported, incidents opened, findings made and
    those confirmed (any confirmed grade)."""
    rows = _counts(t, p)
    i = t["incidents"]
    made = _in(i["finding"], p)
    confirmed = np.isin(
        i["final_grade"], ["confirmed_attributed", "confirmed_direction", "confirmed_unattributed"]
    )
    for node, ok in zip(i["node"][made], confirmed[made]):
        row = rows.setdefault(node, {"reports": 0, "violations": 0, "incidents": 0})
        row["findings"] = row.get("findings", 0) + 1
        row["confirmed"] = row.get("confirmed", 0) + int(ok)
    return [
        {"place": node, "findings": 0, "confirmed": 0, **row} for node, row in sorted(rows.items())
    ]


def _findings(t, p: Period) -> dict[str, Any]:
    i = t["incidents"]
    made = _in(i["finding"], p)
    grades = {g: int(np.sum(i["final_grade"][made] == g)) for g in R.FINDING_GRADES}
    verified = int(np.sum(i["outcome"][made] == "verified"))
    settled = _in(i["dispute_closed"], p) & (i["dispute_level"] >= 0)
    left = _in(i["dispute_closed"], p) & (i["dispute_level"] < 0)
    return {
        "made": int(made.sum()),
        "verified": verified,
        "grades": grades,
        "disputes_opened": int(_in(i["disputed"], p).sum()),
        "disputes_settled": int(settled.sum()),
        "disputes_left": int(left.sum()),
    }


def _teams(t, p: Period) -> dict[str, Any]:
    i = t["incidents"]
    arrived = _in(i["on_site"], p)
    denied = arrived & (i["access_denied"] == 1)
    return {
        "dispatched": int(_in(i["dispatch"], p).sum()),
        "on_site": int(arrived.sum()),
        "access_denied": int(denied.sum()),
        "denied_at": sorted(i["node"][denied].tolist()),
        "returned": int(_in(i["returned"], p).sum()),
    }


def _claims(t, p: Period) -> list[dict[str, Any]]:
    c = t["claims"]
    out = []
    for side in R.SIDES:
        mine = c["claimant"] == side
        sent = mine & _in(c["batch"], p)
        judged = mine & _in(c["verdict"], p)
        out.append(
            {
                "claimant": side,
                "sent": int(sent.sum()),
                "verdicts": int(judged.sum()),
                "confirmed": int((judged & (c["confirmed"] == 1)).sum()),
            }
        )
    return out


def _clock(minutes: float, start: str | None = None) -> str:
    """``day 4 19:30``, or with a calendar (``start``: ISO date-time of minute 0)
    ``2016-03-05 19:30``."""
    if start is not None:
        import datetime as dt

        when = dt.datetime.fromisoformat(start) + dt.timedelta(minutes=round(minutes))
        return when.strftime("%Y-%m-%d %H:%M")
    day, m = divmod(int(round(minutes)), 1440)
    return f"day {day} {m // 60:02d}:{m % 60:02d}"


def _change(now: int, before: int) -> str:
    return "±0" if now == before else f"{now - before:+d}"


def tables(d: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """The report's sections as (title, header, rows) for any output format."""
    regions = [
        [
            r["region"],
            str(r["reports"]),
            _change(r["reports"], r["previous_reports"]),
            str(r["violations"]),
            _change(r["violations"], r["previous_violations"]),
            str(r["incidents"]),
            _change(r["incidents"], r["previous_incidents"]),
        ]
        for r in d["by_region"]
    ]
    head = ["region", "reports", "change", "violations reported", "change", "incidents", "change"]
    out = [("Reports and violations by region", head, regions)]
    f = d["findings"]
    grades = [[GRADE_TITLES[g], str(n)] for g, n in f["grades"].items() if n]
    out.append(("Findings by grade", ["grade", "findings"], grades))
    if d["claims"]:
        rows = [
            [c["claimant"], str(c["sent"]), str(c["verdicts"]), str(c["confirmed"])]
            for c in d["claims"]
        ]
        out.append(("Moratorium claims", ["party", "claims sent", "verdicts", "confirmed"], rows))
    annex = [
        [a["place"], str(a["reports"]), str(a["violations"]), str(a["incidents"]),
         str(a["findings"]), str(a["confirmed"])]
        for a in d["annex"]
    ]  # fmt: skip
    head = ["place", "reports", "violations reported", "incidents", "findings", "confirmed"]
    out.append(("Annex: by place", head, annex))
    return out


def sentences(d: dict[str, Any]) -> list[str]:
    """The report's running text."""
    f, t = d["findings"], d["teams"]
    denied = f" (at {', '.join(t['denied_at'])})" if t["denied_at"] else ""
    return [
        f"Period: {_clock(d['start'], d['calendar'])} to {_clock(d['end'], d['calendar'])} "
        f"(cut-off), replication "
        f"{d['replication']} of scenario {d['scenario']}.",
        f"Findings made: {f['made']}, {f['verified']} after a team verified on site. "
        f"Disputes opened {f['disputes_opened']}, settled {f['disputes_settled']}, left "
        f"disputed by the last level {f['disputes_left']}.",
        f"Teams: {t['dispatched']} missions dispatched, {t['on_site']} on site, access denied "
        f"{t['access_denied']} time(s){denied}, {t['returned']} back at base.",
    ]


def _title(d: dict[str, Any]) -> str:
    day = f"day {d['day']}"
    if d["calendar"] is not None:
        day += f" ({_clock(d['end'], d['calendar'])[:10]})"
    return f"Daily report: {d['scenario']}, {day}"


def markdown(d: dict[str, Any]) -> str:
    """The report as Markdown (for pasting)."""
    lines = [f"# {_title(d)}", ""]
    lines += [s + "\n" for s in sentences(d)]
    for title, head, rows in tables(d):
        lines += [f"## {title}", ""]
        if not rows:
            lines += ["None in this period.", ""]
            continue
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---|" * len(head))
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def html_page(d: dict[str, Any]) -> str:
    """The report as one self-contained HTML page."""
    e = html.escape
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{e(_title(d))}</title><style>",
        "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border-bottom:1px solid #ccc;"
        "padding:.25rem .6rem;text-align:right}td:first-child,th:first-child{text-align:left}",
        "</style></head><body>",
        f"<h1>{e(_title(d))}</h1>",
    ]
    parts += [f"<p>{e(s)}</p>" for s in sentences(d)]
    for title, head, rows in tables(d):
        parts.append(f"<h2>{e(title)}</h2>")
        if not rows:
            parts.append("<p>None in this period.</p>")
            continue
        parts.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>")
        parts += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows]
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
