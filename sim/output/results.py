"""Saved results as plain data for figures and reports: no matplotlib, no engine.

Reads the directories ``cfsim run``, ``compare``, ``sweep`` and ``optimize``
write (or builds the same plain data in memory right after a run,
:func:`run_data`), and derives what the figures show from the tables: each
delay over its population, response times by category, daily means over
replications, desk load by hour of the day, staffing levels, per-sector values
for the map, and the outcome mix of comparisons and sweeps. Every function
returns plain data (dicts of lists and numpy arrays).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ..analysis.metrics import DELAY_BY_KEY, UNMEASURED_OUTCOMES, delay_values, population
from ..analysis.statistics import paired_difference
from ..records import PARTIES
from ..records.files import TABLE_FILES, read_table, table_columns, table_path
from ..records.storage import json_default, plain
from ..scenario.schema import Scenario


RUN_FILES = ("summary.json", "scenario.yaml", "network.json")
TABLES = tuple(TABLE_FILES)  # each as <stem>.parquet or <stem>.csv


class ResultsError(ValueError):
    """A directory that holds no results that can be plotted, or a figure that cannot be made."""


# --------------------------------------------------------------------------- reading results


@dataclass
class RunData:
    """What the figures need from one run, as plain data.

    Attributes
    ----------
    name : str
        Configuration name (the scenario name, or the name in a comparison).
    scenario : Scenario
        The resolved scenario as run.
    network : dict
        Node-link data of the network (as in ``network.json``).
    summary : dict
        As in ``summary.json`` (NaN written as None).
    tables : dict
        ``violations``, ``reports``, ``incidents``, ``timeseries``: each a dict
        of column name to numpy array (float, NaN for an empty cell; str for
        name columns), exactly as the table files hold them.
    """

    name: str
    scenario: Scenario
    network: dict[str, Any]
    summary: dict[str, Any]
    tables: dict[str, dict[str, np.ndarray]]

    @property
    def replications(self) -> int:
        return int(self.summary["replications"])


def missing_files(directory: str | Path) -> list[str]:
    """The files of a complete run directory that ``directory`` lacks."""
    d = Path(directory)
    missing = [f for f in RUN_FILES if not (d / f).exists()]
    missing += [f"{t}.parquet" for t in TABLES if table_path(d, t) is None]
    return missing


def load_run(directory: str | Path, name: str | None = None) -> RunData:
    """Read a run directory written by ``cfsim run`` (see ``docs/outputs.md``);
    its tables may be Parquet or CSV files."""
    d = Path(directory)
    missing = missing_files(d)
    if missing:
        raise ResultsError(
            f"{d} is not a complete run directory: {', '.join(missing)} missing (a run "
            "writes summary.json, scenario.yaml, network.json and four tables, as .parquet "
            "or .csv)"
        )
    scen = Scenario.model_validate(yaml.safe_load((d / "scenario.yaml").read_text("utf-8")))
    tables = {t: read_table(table_path(d, t)) for t in TABLES}
    return RunData(
        name=name or scen.name,
        scenario=scen,
        network=json.loads((d / "network.json").read_text("utf-8")),
        summary=json.loads((d / "summary.json").read_text("utf-8")),
        tables=tables,
    )


def run_data(result, name: str | None = None) -> RunData:
    """The plain data of an in-memory run result, identical to :func:`load_run` of
    the directory ``write_run`` makes of it (in either table format)."""
    import networkx as nx

    reps = result.replications
    first = reps[0] if reps else None
    tables = {
        stem: table_columns(
            src,
            [(r.replication, getattr(r, src)) for r in reps],
            nodes=first.nodes if first else (),
            types=first.types if first else (),
            warmup=result.scenario.warmup,
        )
        for stem, src in TABLE_FILES.items()
    }
    scen = result.scenario.model_copy(
        update={"seed": result.seed, "replications": len(result.replications)}
    )

    def roundtrip(data: Any) -> Any:
        return json.loads(json.dumps(plain(data), default=json_default))

    return RunData(
        name=name or scen.name,
        scenario=scen,
        network=roundtrip(nx.node_link_data(result.loaded.graph, edges="edges")),
        summary=roundtrip(result.summary),
        tables=tables,
    )


def detect(directory: str | Path) -> str:
    """The kind of a results directory: ``run``, ``comparison``, ``sweep`` or ``optimize``.

    Raises
    ------
    ResultsError
        For a missing directory or one that holds none of these.
    """
    d = Path(directory)
    if not d.exists():
        raise ResultsError(f"{d} does not exist")
    if not d.is_dir():
        raise ResultsError(f"{d} is a file; give the directory a run, compare or sweep wrote")
    if (d / "comparison.json").exists():
        return "comparison"
    if (d / "frontier.json").exists():
        return "optimize"
    if (d / "sweep.json").exists():
        return "sweep"
    if (d / "summary.json").exists():
        load_check = missing_files(d)
        if load_check:
            raise ResultsError(
                f"{d} has a summary.json but not {', '.join(load_check)}: the tables of this "
                "run were not kept, so it cannot be plotted; run the scenario again"
            )
        return "run"
    raise ResultsError(
        f"{d} is not a results directory: expected the files of a run (summary.json and "
        "its tables), a comparison (comparison.json), a sweep (sweep.json) or a "
        "staffing search (frontier.json)"
    )


def comparison_runs(directory: str | Path) -> list[RunData] | None:
    """Each configuration's run under ``<comparison>/runs/<name>/`` (written by
    ``cfsim compare --tables`` or ``--plots``), in configuration order; None when
    any is missing."""
    d = Path(directory)
    meta = json.loads((d / "comparison.json").read_text("utf-8"))
    names = [c["name"] for c in meta["configurations"]]
    dirs = [d / "runs" / n for n in names]
    if any(missing_files(p) for p in dirs):
        return None
    return [load_run(p, name=n) for p, n in zip(dirs, names)]


# --------------------------------------------------------------------------- derived data


def _measured(table: dict[str, np.ndarray]) -> np.ndarray:
    return table["measured"] == 1


def delay_samples(run: RunData) -> dict[str, dict[str, np.ndarray]]:
    """Each delay's samples (minutes) over its population, NaN where the event never
    happened, with the replication of each sample.

    Populations are those of :data:`sim.analysis.metrics.DELAY_SPECS`: reporting
    delay over true reports; time to acknowledge over every report; response
    time over incidents that asked for a team (not below ``min_severity``,
    teams on); time to finding over every incident.

    Returns
    -------
    dict
        ``{delay: {"values": array, "replication": array}}``.
    """
    out = {}
    for key in ("reporting_delay", "acknowledge", "response", "finding"):
        spec = DELAY_BY_KEY[key]
        table = run.tables[spec.table]
        mask = population(spec, table, run.scenario.warmup)
        out[key] = {
            "values": delay_values(spec, table)[mask],
            "replication": table["replication"][mask].astype(int),
        }
    return out


def response_breakdown(run: RunData) -> dict[str, dict[str, np.ndarray]]:
    """Response times (minutes, finite) of measured incidents by claimed type (of the
    report that opened the incident), by severity and by sector."""
    r, i = run.tables["reports"], run.tables["incidents"]
    key = r["replication"].astype(np.int64) * 10_000_000 + r["report"].astype(np.int64)
    order = np.argsort(key, kind="stable")
    lead = i["replication"].astype(np.int64) * 10_000_000 + i["lead_report"].astype(np.int64)
    types = np.full(lead.size, "unknown", dtype=object)
    if len(order):
        pos = np.clip(np.searchsorted(key[order], lead), 0, len(order) - 1)
        found = key[order][pos] == lead
        types[found] = r["type"][order][pos][found]
    types = types.astype(str)
    resp = i["on_site"] - i["first_report"]
    ok = _measured(i) & np.isfinite(resp)
    sectors = {n["id"] for n in run.network["nodes"] if n.get("kind") == "sector"}
    out: dict[str, dict[str, np.ndarray]] = {"type": {}, "severity": {}, "sector": {}}
    for t in sorted(set(types[ok].tolist())):
        out["type"][t] = resp[ok & (types == t)]
    for s in sorted(set(i["severity"][ok].astype(int).tolist())):
        out["severity"][str(s)] = resp[ok & (i["severity"] == s)]
    for n in sorted(set(i["node"][ok].tolist()) & sectors):
        out["sector"][n] = resp[ok & (i["node"] == n)]
    return out


def daily_means(
    series: dict[str, np.ndarray], column: str | tuple[str, ...]
) -> dict[str, np.ndarray]:
    """Per simulated day: the mean over replications of each replication's daily mean
    of ``column`` (or of the sum of several columns), with the lowest and highest
    replication.

    Examples
    --------
    >>> s = {"replication": np.array([0, 0, 1, 1.]), "time": np.array([0, 1440, 0, 1440.]),
    ...      "q": np.array([1, 3, 3, 5.])}
    >>> daily_means(s, "q")["mean"].tolist()
    [2.0, 4.0]
    """
    cols = (column,) if isinstance(column, str) else column
    y = sum(series[c] for c in cols)
    day = np.floor(series["time"] / 1440.0).astype(int)
    reps = sorted(set(series["replication"].astype(int).tolist()))
    ndays = int(day.max()) + 1 if day.size else 0
    per = np.full((len(reps), ndays), np.nan)
    for k, rep in enumerate(reps):
        m = series["replication"] == rep
        sums = np.bincount(day[m], weights=y[m], minlength=ndays)
        counts = np.bincount(day[m], minlength=ndays)
        with np.errstate(invalid="ignore", divide="ignore"):
            per[k] = sums / counts
    return {
        "day": np.arange(ndays) + 0.5,
        "mean": np.nanmean(per, axis=0) if reps else per[0:0],
        "low": np.nanmin(per, axis=0) if reps else per[0:0],
        "high": np.nanmax(per, axis=0) if reps else per[0:0],
    }


def daily_violations(run: RunData) -> dict[str, Any]:
    """Line violations (strikes left out) per day of the run: for each scale
    (``violations``: one per incident; ``size``: the sum of their sizes, the monitors'
    count) the mean over replications and the lowest and highest replication; ``day``
    holds each day's start (days since the start)."""
    v = run.tables["violations"]
    days = int(math.ceil(run.scenario.horizon / 1440.0))
    line = v["strike"] == 0 if "strike" in v else np.ones(v["time"].size, bool)
    rep = v["replication"].astype(int)
    reps = sorted(set(rep.tolist())) or [0]
    size = v["size"] if "size" in v else np.ones(v["time"].size)
    day = np.floor(v["time"] / 1440.0).astype(int)
    out: dict[str, Any] = {"day": np.arange(days, dtype=float)}
    for scale, weights in (("violations", np.ones(v["time"].size)), ("size", size)):
        per = np.zeros((len(reps), days))
        for k, r in enumerate(reps):
            m = line & (rep == r)
            per[k] = np.bincount(day[m], weights=weights[m], minlength=days)[:days]
        out[scale] = {"mean": per.mean(axis=0), "low": per.min(axis=0), "high": per.max(axis=0)}
    return out


def daily_violations_by_region(run: RunData, most: int = 8) -> dict[str, dict[str, np.ndarray]]:
    """Line violations per day in each region of the network (the ``region`` of their
    node), mean over replications: the ``most`` busiest regions, busiest first."""
    v = run.tables["violations"]
    region_of = {n["id"]: str(n.get("region", "")) for n in run.network["nodes"]}
    line = v["strike"] == 0 if "strike" in v else np.ones(v["time"].size, bool)
    region = np.array([region_of.get(n, "") for n in v["node"]], dtype=str)
    days = int(math.ceil(run.scenario.horizon / 1440.0))
    day = np.floor(v["time"] / 1440.0).astype(int)
    reps = max(run.replications, 1)
    out = {}
    for name in sorted(set(region[line].tolist())):
        m = line & (region == name)
        counts = np.bincount(day[m], minlength=days)[:days] / reps
        out[name] = {"day": np.arange(days, dtype=float), "mean": counts}
    busiest = sorted(out, key=lambda r: -out[r]["mean"].sum())[:most]
    return {r: out[r] for r in busiest}


def staffing_levels(scenario: Scenario) -> dict[str, np.ndarray]:
    """Officers on duty per desk in each minute of the day (1440 values each)."""
    return {p: np.array(getattr(scenario.center.desks, p).staffing()) for p in PARTIES}


def hour_of_day_means(
    series: dict[str, np.ndarray], column: str, start: float, end: float = math.inf
) -> np.ndarray:
    """For each hour of the day (24 values): the mean of ``column`` over every sample
    taken in that hour at times in ``[start, end)`` (minutes), pooled over days and
    replications; NaN for an hour without a sample.

    Examples
    --------
    >>> s = {"time": np.array([0, 60, 1440, 1500.]), "q": np.array([1, 2, 3, 6.])}
    >>> hour_of_day_means(s, "q", 0)[:3].tolist()
    [2.0, 4.0, nan]
    >>> hour_of_day_means(s, "q", 1440)[:2].tolist()
    [3.0, 6.0]
    """
    t = series["time"]
    keep = (t >= start) & (t < end)
    hour = np.floor((t[keep] % 1440.0) / 60.0).astype(int)
    sums = np.bincount(hour, weights=series[column][keep], minlength=24)
    counts = np.bincount(hour, minlength=24)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def hourly_load(run: RunData) -> dict[str, dict[str, np.ndarray]]:
    """Per desk, the load by hour of the day after the warm-up (from the time series):
    ``busy`` (mean officers busy, 24 values), ``queue`` (mean reports waiting for
    triage, 24 values) and ``on_duty`` (officers on duty per the shift plan in each
    minute of the day, 1440 values).

    Samples are instants (every ``output.sample_interval``): an hour's value is the
    mean of the samples taken in it, over every measured day and replication.
    Busy officers include those finishing their last report after their shift
    ended, so just after a shift change ``busy`` can exceed the plan.
    """
    s, scen = run.tables["timeseries"], run.scenario
    plan = staffing_levels(scen)
    return {
        p: {
            "busy": hour_of_day_means(s, f"busy_{p}", scen.warmup, scen.horizon),
            "queue": hour_of_day_means(s, f"queue_{p}", scen.warmup, scen.horizon),
            "on_duty": plan[p].astype(float),
        }
        for p in PARTIES
    }


def reduced_staffing(scenario: Scenario, start: float, end: float) -> list[tuple[float, float]]:
    """Intervals (minutes) in ``[start, end)`` when fewer officers are on duty in all
    than at the best-staffed time of day (e.g. the night shift).

    Examples
    --------
    >>> from sim.scenario import Scenario
    >>> s = Scenario.model_validate({"name": "x", "horizon": "2d", "center": {"desks": {
    ...     "RU": {"shifts": [{"start": "06:00", "end": "22:00", "officers": 2},
    ...                       {"start": "22:00", "end": "06:00", "officers": 1}]}}}})
    >>> reduced_staffing(s, 0, 1440)
    [(0.0, 360.0), (1320.0, 1440.0)]
    """
    total = sum(staffing_levels(scenario).values())
    low = total < total.max()
    out: list[tuple[float, float]] = []
    t = math.floor(start)
    while t < end:
        if low[int(t) % 1440]:
            a = t
            while t < end and low[int(t) % 1440]:
                t += 1
            out.append((float(max(a, start)), float(min(t, end))))
        else:
            t += 1
    return out


def team_counts(scenario: Scenario) -> dict[str, int]:
    if not scenario.teams.enabled:
        return {}
    out: dict[str, int] = {}
    for b in scenario.teams.bases:
        out[b.node] = out.get(b.node, 0) + b.count
    return {k: v for k, v in out.items() if v > 0}


def week_window(scenario: Scenario) -> tuple[float, float]:
    """The week shown hour by hour (minutes): from the end of the warm-up, or the
    last seven days when the run is shorter."""
    start = scenario.warmup
    end = min(start + 7 * 1440, scenario.horizon)
    if end - start < 7 * 1440:
        start = max(0.0, scenario.horizon - 7 * 1440)
        end = scenario.horizon
    return start, end


def map_values(run: RunData) -> dict[str, dict[str, float]]:
    """Per sector: violations per day (measured, mean over replications) and the median
    response time in hours."""
    v, i = run.tables["violations"], run.tables["incidents"]
    sectors = {n["id"] for n in run.network["nodes"] if n.get("kind") == "sector"}
    days = run.summary["measured_days_per_replication"] * max(run.replications, 1)
    mv = _measured(v)
    per_day: dict[str, float] = {}
    for n in sorted(set(v["node"][mv].tolist()) & sectors):
        per_day[n] = float(np.sum(mv & (v["node"] == n))) / days
    resp = i["on_site"] - i["first_report"]
    ok = _measured(i) & np.isfinite(resp)
    med: dict[str, float] = {}
    for n in sorted(set(i["node"][ok].tolist()) & sectors):
        med[n] = float(np.median(resp[ok & (i["node"] == n)])) / 60.0
    return {"per_day": per_day, "median_response_h": med}


# --------------------------------------------------------------------------- outcomes

# What became of the measured incidents, as parts that add up to all of them: the
# outcomes verified, unfounded and open at the horizon, and "not verified" split by
# its reason. In the order figures and tables show them: those a team could visit
# first, then those kept out of the response times.
OUTCOME_PARTS: tuple[tuple[str, str], ...] = (
    ("verified", "verified"),
    ("no_evidence", "visited, no evidence"),
    ("access_denied", "denied access"),
    ("unfounded", "unfounded (only false reports)"),
    ("no_team_in_time", "no team reached in time"),
    ("out_of_range", "out of every team's range"),
    ("below_min_severity", "below min. severity (no team asked)"),
    ("teams_off", "teams off"),
    ("open_at_end", "open at the horizon"),
)
# Parts kept out of the response-time measurements (no team asked or on site).
UNMEASURED_PARTS = frozenset(
    {m.removeprefix("incidents_") for m in UNMEASURED_OUTCOMES} | {"teams_off"}
)
_REASONS = ("no_evidence", "access_denied", "no_team_in_time", "out_of_range", "below_min_severity")


def outcome_parts(counts: dict[str, dict[str, int]]) -> dict[str, float]:
    """Each part of :data:`OUTCOME_PARTS` of one replication's outcome counts (as in
    ``summary.json`` or ``comparison.json``): incidents, not shares.

    Examples
    --------
    >>> c = {"incidents": {"verified": 5, "not_verified": 4, "unfounded": 0, "open_at_end": 1},
    ...      "incident_reasons": {"no_evidence": 3, "access_denied": 1}}
    >>> p = outcome_parts(c)
    >>> p["verified"], p["no_evidence"], p["open_at_end"], sum(p.values())
    (5.0, 3.0, 1.0, 10.0)
    """
    inc, why = counts["incidents"], counts.get("incident_reasons", {})
    out = {k: float(why.get(k, 0)) for k, _ in OUTCOME_PARTS}
    out["verified"] = float(inc.get("verified", 0))
    out["unfounded"] = float(inc.get("unfounded", 0))
    # an incident still open at the horizon is an outcome; not verified for that
    # reason counts there too, so that the parts add up to every incident
    out["open_at_end"] = float(inc.get("open_at_end", 0) + why.get("open_at_end", 0))
    return out


def _shares(counts: dict[str, dict[str, int]]) -> dict[str, float]:
    parts = outcome_parts(counts)
    total = sum(parts.values())
    return {k: (v / total if total else math.nan) for k, v in parts.items()}


def _row_parts(row_mean: dict[str, float]) -> dict[str, float]:
    """Mean shares of the parts from the ``incidents_*`` metrics of a comparison or
    sweep: teams off and open at the horizon are what the other metrics leave
    (shares add up per replication, so their means do too)."""
    get = lambda k: row_mean.get(f"incidents_{k}", math.nan)  # noqa: E731
    out = {k: get(k) for k in ("verified", "unfounded", *_REASONS)}
    out["teams_off"] = max(get("not_verified") - sum(get(k) for k in _REASONS), 0.0)
    out["open_at_end"] = max(1.0 - get("verified") - get("not_verified") - get("unfounded"), 0.0)
    return out


def comparison_outcomes(meta: dict[str, Any]) -> dict[str, Any] | None:
    """The outcome mix of a comparison (``comparison.json``): per configuration the
    mean share and total count of each part, and the paired difference against the
    reference, or None when the file holds no outcomes.

    Shares and differences come from the per-replication outcome counts; a part
    whose ``incidents_*`` metric agrees with them takes its interval and its
    Holm-adjusted ``significant`` from the comparison's rows, so the figure and the
    tables agree. A part without such a metric (teams off) or whose metric
    disagrees with the counts gets the plain paired t-interval from the counts and
    ``significant`` None (not among the comparison's tests); ``notes`` says which.

    Returns
    -------
    dict
        ``names``, ``parts`` (keys with incidents in some configuration), ``labels``,
        ``share`` and ``count`` (``{name: {part: value}}``), ``diff`` (``{name:
        {part: {"mean", "low", "high", "significant"}}}`` for every configuration
        but the first), ``notes``.
    """
    names = [c["name"] for c in meta["configurations"]]
    counts = meta.get("counts")
    if not counts or not all(counts.get(n) for n in names):
        return None
    per = {n: [_shares(c) for c in counts[n]] for n in names}
    keys = [k for k, _ in OUTCOME_PARTS]
    share = {n: {k: _nanmean([r[k] for r in per[n]]) for k in keys} for n in names}
    count = {n: {k: sum(outcome_parts(c)[k] for c in counts[n]) for k in keys} for n in names}
    rows = {(r["metric"], r["configuration"]): r for r in meta.get("rows", [])}
    parts = [k for k in keys if any(count[n][k] > 0 for n in names)]
    diff: dict[str, dict[str, dict[str, Any]]] = {}
    odd: set[str] = set()
    for n in names[1:]:
        diff[n] = {}
        for k in parts:
            a, b = [r[k] for r in per[names[0]]], [r[k] for r in per[n]]
            row, ref = rows.get((f"incidents_{k}", n)), rows.get((f"incidents_{k}", names[0]))
            if _agrees(row, share[n][k]) and _agrees(ref, share[names[0]][k]):
                diff[n][k] = {
                    "mean": _num(row["diff_mean"]),
                    "low": _num(row["diff_low"]),
                    "high": _num(row["diff_high"]),
                    "significant": row.get("significant"),
                }
            else:
                d = paired_difference(a, b)
                diff[n][k] = {**{x: d[x] for x in ("mean", "low", "high")}, "significant": None}
                odd.add(k)
    labels = dict(OUTCOME_PARTS)
    return {
        "names": names,
        "parts": parts,
        "labels": labels,
        "share": share,
        "count": count,
        "diff": diff,
        "notes": _outcome_notes([k for k in parts if k in odd], rows, labels),
    }


def _outcome_notes(odd: list[str], rows: dict, labels: dict[str, str]) -> list[str]:
    missing = [labels[k] for k in odd if not any(m == f"incidents_{k}" for m, _ in rows)]
    wrong = [labels[k] for k in odd if labels[k] not in missing]
    notes = []
    if missing:
        notes.append(
            f"{', '.join(missing)}: no saved metric, so its difference is a plain paired "
            "95% t-interval from the outcome counts (not among the comparison's Holm tests)."
        )
    if wrong:
        notes.append(
            f"{', '.join(wrong)}: the saved metric disagrees with the outcome counts; shown "
            "from the counts, with a plain paired 95% t-interval (not among the comparison's "
            "Holm tests)."
        )
    return notes


def _num(v: Any) -> float:
    return math.nan if v is None else float(v)


def _nanmean(values: list[float]) -> float:
    v = [x for x in values if x == x]
    return float(np.mean(v)) if v else math.nan


def _agrees(row: dict[str, Any] | None, share: float) -> bool:
    """Whether a comparison row's mean is the share computed from the counts."""
    if row is None:
        return False
    m = _num(row.get("mean"))
    return (m != m and share != share) or abs(m - share) <= 1e-9


def sweep_outcomes(meta: dict[str, Any]) -> dict[str, Any] | None:
    """The outcome mix of each point of a sweep (``sweep.json``): ``points`` (labels
    in point order), ``parts``, ``labels`` and ``share`` (``{label: {part: mean
    share}}``), or None when the file holds no outcome metrics."""
    means: dict[int, dict[str, float]] = {}
    labels: dict[int, str] = {}
    for r in meta.get("rows", []):
        if str(r["metric"]).startswith("incidents_"):
            means.setdefault(int(r["point"]), {})[r["metric"]] = _num(r["mean"])
            labels[int(r["point"])] = str(r["label"])
    if not means:
        return None
    order = sorted(means)
    share = {labels[p]: _row_parts(means[p]) for p in order}
    keys = [k for k, _ in OUTCOME_PARTS]
    parts = [k for k in keys if any((s[k] or 0) > 5e-4 for s in share.values())]
    return {
        "points": [labels[p] for p in order],
        "parts": parts,
        "labels": dict(OUTCOME_PARTS),
        "share": share,
    }
