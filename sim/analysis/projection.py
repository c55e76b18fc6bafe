"""What a run will cost and whether its queues can keep up, before it runs.

From the scenario's rates and its horizon, :func:`project` estimates the
violations, reports and incidents of one replication and from them the
memory a run needs (calibrated on measured runs, see
:data:`BYTES_PER_REPORT`); :func:`memory_refusal` turns an estimate above
the limit into a :class:`~sim.scenario.ScenarioError` with the numbers.
From the offered load against the staffed capacity of each desk and of the
teams (:func:`loads`), :func:`load_warnings` says before running which queue
cannot keep up (utilisation ρ ≥ 1). Pure arithmetic: nothing is simulated.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import networkx as nx
import numpy as np

from ..records import PARTIES, SIDES
from ..scenario.errors import ScenarioError
from ..world import LoadedScenario
from ..world.patrol import next_departure
from ..world.reporting import ChannelPlan
from ..world.violations import ViolationModel

# Bytes, measured on one-year runs of the baseline at 25 and 250 violations a day
# and with a one-minute sample interval (peak resident memory, Python 3.11):
PROCESS_BYTES = 60e6
"""A Python process with the package imported."""
PREPARED_BYTES = 20e6
"""What a worker builds once per scenario (distances, tables) and SimPy's own."""
BYTES_PER_REPORT = 450.0
"""Simulating: the engine's state per report (with its violation and incident)."""
BYTES_PER_SAMPLE = 120.0
"""Simulating: one row of the time series (15 columns)."""
BYTES_PER_CELL = 8.0
"""A table cell kept in memory (numpy)."""
BYTES_PER_EVENT_CELL = 45.0
"""Writing: one cell of the violation, report and incident tables, as text."""
BYTES_PER_SAMPLE_CELL = 110.0
"""Writing: one cell of the time series, as text (every cell a distinct float)."""
COLUMNS = {"violations": 17, "reports": 21, "incidents": 36, "samples": 15}
"""Columns of each table as written."""

# A run that streams its tables to Parquet (``cfsim run`` and ``compare`` without
# ``--dask``), measured on the baseline for 1 and 10 years and on the M/M/5 case of
# benchmarks/ (200,000 reports): memory is flat in the horizon but for the columns
# the summary reads back.
STREAM_PROCESS_BYTES = 170e6
"""A process with everything a streamed run imports (pyarrow and Parquet included)."""
IN_FLIGHT_DAYS = 35.0
"""Days of reports the engine holds at once when its queues keep up (a week's window
of the world and what is still open)."""
BYTES_PER_ROW_READ = 130.0
"""Summarising: the columns read back per violation, report or incident row."""
BYTES_PER_SAMPLE_READ = 8.0 * COLUMNS["samples"]
"""Summarising: one row of the time series read back."""


@dataclass(frozen=True)
class Projection:
    """The expected size of one replication of a scenario, and the memory it takes.

    Attributes
    ----------
    violations, reports, incidents : float
        Expected numbers in one replication (incidents: an upper estimate, one
        per violation reported and per false report not recognised).
    samples : int
        Rows of the time series.
    simulate_bytes : float
        Peak memory of a process simulating one replication that keeps its tables.
    kept_bytes : float
        One replication's tables held in memory.
    write_bytes : float
        One replication's tables turned into text to be written.
    streamed_bytes : float
        Peak memory of a process simulating one replication whose tables go to
        disk as they fill (the engine's window; all reports when a queue cannot
        keep up, since the engine then holds what waits).
    read_bytes : float
        One streamed replication's columns read back for the summary.
    keeps_up : bool
        Whether every queue is projected to keep up (utilisation < 1). When one
        does not, finished rows stay in memory with the waiting ones, so a
        streamed run costs what a run that keeps its tables does.
    """

    violations: float
    reports: float
    incidents: float
    samples: int
    simulate_bytes: float
    kept_bytes: float
    write_bytes: float
    streamed_bytes: float = 0.0
    read_bytes: float = 0.0
    keeps_up: bool = True

    def peak_bytes(
        self, replications: int, workers: int, tables: bool = True, streamed: bool = True
    ) -> float:
        """The peak memory of a run of ``replications`` on ``workers`` processes.

        With ``tables`` every replication's tables are written (``cfsim run``):
        ``streamed`` to disk as they fill (the default), or, when not (``--dask``),
        brought back to this process whole. Without ``tables``, workers return a
        few numbers per replication (``sweep``, ``optimize``, ``compare`` without
        ``--tables``).
        """
        active = max(1, min(workers, replications))
        if tables and streamed and self.keeps_up:
            sim = active * self.streamed_bytes + (active > 1) * active * STREAM_PROCESS_BYTES
            return STREAM_PROCESS_BYTES + sim + replications * self.read_bytes
        sim = active * self.simulate_bytes + (active > 1) * active * PROCESS_BYTES
        if not tables:
            return PROCESS_BYTES + sim
        kept = replications * self.kept_bytes
        return PROCESS_BYTES + max(sim + kept, kept + replications * self.write_bytes)


def _daily_rates(loaded: LoadedScenario) -> dict[str, object]:
    """Expected violations, reports (per desk) and incidents per day."""
    scen = loaded.scenario
    v = scen.violations
    nodes = list(loaded.graph.nodes)
    model = ViolationModel(v, loaded.graph, nodes)
    regimes = v.regimes.mean_multiplier if v.regimes is not None else 1.0  # long-run mean
    line = v.rate_per_day * regimes / (1.0 - v.escalation.branching_ratio)
    strikes = v.long_range_strikes.rate_per_day if model.targets.size else 0.0
    plans = [
        ChannelPlan(name, getattr(scen.reporting.channels, name), model.types, nodes)
        for name in ("affected", "accused", "technical", "civilian")
    ]
    w = model.sector_w / model.sector_w.sum() if model.sector_w.sum() > 0 else model.sector_w
    tw = model.target_w / model.target_w.sum() if model.target_w.sum() > 0 else model.target_w
    cases = []  # (rate per day, type code, perpetrator code, mean technical coverage)
    for k, share in enumerate(model.type_p):
        for p, pshare in enumerate(model.perp_p):
            cov = float(w @ plans[2].coverage[model.sectors]) if w.size else 0.0
            cases.append((line * share * pshare, k, p, cov))
    for j, target in enumerate(model.targets):
        attacker = model.target_attacker[j]
        cov = float(plans[2].coverage[target])
        for p, pshare in enumerate(model.perp_p):
            share = (1.0 if p == attacker else 0.0) if attacker >= 0 else pshare
            cases.append((strikes * tw[j] * share, model.types.line_types, p, cov))
    desks = dict.fromkeys(PARTIES, 0.0)
    reported = 0.0
    for rate, k, p, cov in cases:
        missed = 1.0
        for plan in plans:
            party = p if plan.name == "accused" else 1 - p
            det, _, rule = plan.cells[(party, k)]
            det = det * cov if plan.name == "technical" else det
            desk = {"affected": SIDES[1 - p], "accused": SIDES[p]}.get(rule, rule)
            desks[desk] += rate * det
            missed *= 1.0 - det
        reported += rate * (1.0 - missed)
    false = 0.0
    for side in SIDES:
        r, _ = scen.reporting.false_reports.resolve(side)
        desks[side] += r
        false += r
    kept = false * (1.0 - scen.center.triage.false_detection)
    return {
        "violations": line + strikes,
        "reports": sum(desks.values()),
        "desks": desks,
        "incidents": reported + kept,
        "severities": [(rate, model.types.severity[k]) for rate, k, _, _ in cases],
        "false_incidents": kept,
    }


def project(loaded: LoadedScenario) -> Projection:
    """Expected size and memory of one replication of ``loaded``.

    Examples
    --------
    >>> from sim.world import scenario_from_dict
    >>> ld = scenario_from_dict({"name": "x", "horizon": "10d",
    ...     "network": {"synthetic": {"sectors": 4}}, "violations": {"rate_per_day": 10}})
    >>> p = project(ld)
    >>> round(p.violations), p.samples
    (100, 240)
    """
    scen = loaded.scenario
    days = scen.horizon / 1440.0
    rates = _daily_rates(loaded)
    scripted = len(scen.violations.scripted) / (1.0 - scen.violations.escalation.branching_ratio)
    viol = rates["violations"] * days + scripted
    reports = rates["reports"] * days
    incidents = rates["incidents"] * days
    samples = int(math.ceil(scen.horizon / scen.output.sample_interval))
    event_cells = (
        COLUMNS["violations"] * viol
        + COLUMNS["reports"] * reports
        + COLUMNS["incidents"] * incidents
    )
    sample_cells = COLUMNS["samples"] * samples
    n, bases = loaded.graph.number_of_nodes(), len(scen.teams.bases)
    keeps_up = all(rho < 1.0 for rho in loads(loaded).values())
    held = min(reports, rates["reports"] * IN_FLIGHT_DAYS) if keeps_up else reports
    prepared = PREPARED_BYTES + 8.0 * n * (bases + 1)  # with the distances from the bases
    return Projection(
        violations=viol,
        reports=reports,
        incidents=incidents,
        samples=samples,
        simulate_bytes=prepared + BYTES_PER_REPORT * reports + BYTES_PER_SAMPLE * samples,
        kept_bytes=BYTES_PER_CELL * (event_cells + sample_cells),
        write_bytes=BYTES_PER_EVENT_CELL * event_cells + BYTES_PER_SAMPLE_CELL * sample_cells,
        streamed_bytes=prepared + BYTES_PER_REPORT * held + BYTES_PER_SAMPLE * min(samples, 2048),
        read_bytes=BYTES_PER_ROW_READ * (viol + reports + incidents)
        + BYTES_PER_SAMPLE_READ * samples,
        keeps_up=keeps_up,
    )


# --------------------------------------------------------------------------- memory


def default_max_memory() -> float:
    """Half of this machine's physical memory (bytes); 4 GB when it cannot be read."""
    try:
        return 0.5 * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not on Linux
        return 4e9


def format_bytes(n: float) -> str:
    """A size for people.

    Examples
    --------
    >>> format_bytes(2.4e9), format_bytes(350e6), format_bytes(900)
    ('2.4 GB', '350 MB', '0.0 MB')
    """
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.{0 if n >= 1e6 else 1}f} MB"


def parse_size(text: str) -> float:
    """A memory size such as ``8GB``, ``500MB`` or ``2.5G`` in bytes.

    Examples
    --------
    >>> parse_size("8GB"), parse_size("500 MB"), parse_size("1.5g")
    (8000000000.0, 500000000.0, 1500000000.0)
    """
    s = str(text).strip().upper().replace(" ", "").removesuffix("B")
    scale = {"K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}
    mult = scale.get(s[-1:], None)
    try:
        value = float(s[:-1] if mult else s) * (mult or 1.0)
    except ValueError:
        raise ValueError(f"expected a size such as 8GB or 500MB, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"expected a positive size such as 8GB or 500MB, got {text!r}")
    return value


def memory_refusal(
    loaded: LoadedScenario,
    proj: Projection,
    *,
    replications: int,
    workers: int,
    limit: float,
    tables: bool = True,
    streamed: bool = True,
    what: str = "the run",
) -> ScenarioError | None:
    """A :class:`ScenarioError` with the numbers when ``proj`` needs more than ``limit``
    bytes, naming the key that drives the size; else None."""
    peak = proj.peak_bytes(replications, workers, tables, streamed)
    if peak <= limit:
        return None
    sample_part = proj.samples * (BYTES_PER_SAMPLE + COLUMNS["samples"] * BYTES_PER_SAMPLE_CELL)
    event_part = proj.reports * BYTES_PER_REPORT + proj.write_bytes
    key = ("output", "sample_interval") if sample_part > event_part else ("horizon",)
    scen = loaded.scenario
    msg = (
        f"{what} would need about {format_bytes(peak)} of memory, above the limit of "
        f"{format_bytes(limit)} (--max-memory): {replications} replication(s) of about "
        f"{proj.violations:,.0f} violations, {proj.reports:,.0f} reports, "
        f"{proj.incidents:,.0f} incidents and {proj.samples:,} time-series samples each "
        f"(horizon {scen.horizon / 1440:g} days, a sample every "
        f"{scen.output.sample_interval:g} min); expected a shorter horizon, a longer "
        "output.sample_interval, lower rates or fewer replications, or a higher --max-memory"
    )
    return loaded.sources.error(key, msg) if loaded.sources else ScenarioError(None, "", msg)


# --------------------------------------------------------------------------- queues


def _mean_officers(desk) -> float:
    return float(np.mean(desk.staffing()))


def _team_mission_minutes(loaded: LoadedScenario) -> tuple[float, float]:
    """Mean minutes a team is away per mission (preparation, waits for patrol hours,
    the drive there and back from the nearest base, the time on site) and the share
    of the sector-weighted violations in range."""
    scen = loaded.scenario
    t = scen.teams
    bases = [b.node for b in t.bases if b.count > 0]
    sectors = [n for n, k in loaded.graph.nodes(data="kind") if k == "sector"]
    dist = nx.multi_source_dijkstra_path_length(loaded.graph, bases, weight="length_km")
    w = np.array(
        [scen.violations.hotspots.get(n, loaded.graph.nodes[n]["weight"]) for n in sectors]
    )
    km = np.array([dist.get(n, np.inf) for n in sectors])
    limit = t.max_travel_km if t.max_travel_km is not None else np.inf
    ok = km <= limit
    if not (w * ok).sum():
        return 0.0, 0.0
    # weighted quantiles of the distance stand for the sectors; dispatch times every
    # 15 minutes of the day stand for the hours incidents arrive in
    order = np.argsort(km[ok])
    cum = np.cumsum(w[ok][order]) / w[ok].sum()
    picks = km[ok][order][np.searchsorted(cum, (np.arange(32) + 0.5) / 32)]
    drive = picks[:, None] / t.speed_kmh * 60.0
    now = np.arange(0.0, 1440.0, 15.0)[None, :] + t.prepare.mean
    window = None if t.patrol_hours is None else (t.patrol_hours.start, t.patrol_hours.end)
    depart = np.vectorize(lambda a, b: next_departure(a, b, window))
    there = depart(now, drive) + drive + t.verification.time.mean
    back = depart(there, drive) + drive
    away = back - now + t.prepare.mean
    return float(away.mean()), float((w * ok).sum() / w.sum())


def loads(loaded: LoadedScenario) -> dict[str, float]:
    """Offered load over staffed capacity (ρ), per desk and for the teams.

    A desk's load is its reports' triage time plus one officer for every joint
    assessment, over its officer-minutes on duty in a day; the teams' load is
    their missions (preparation, the drive there and back to the mean
    sector in range, the time on site) over team-minutes in a day.
    """
    scen = loaded.scenario
    rates = _daily_rates(loaded)
    c = scen.center
    assess = rates["incidents"] * c.assessment.time.mean if c.assessment.enabled else 0.0
    out = {}
    for party in PARTIES:
        staffed = _mean_officers(getattr(c.desks, party)) * 1440.0
        work = rates["desks"][party] * c.triage.time.mean + assess
        out[party] = work / staffed if staffed > 0 else float("inf")
    t = scen.teams
    if t.enabled and t.total > 0:
        mission, in_range = _team_mission_minutes(loaded)
        asking = (
            sum(r for r, sev in rates["severities"] if sev >= t.min_severity)
            + (rates["false_incidents"])
        )
        out["teams"] = asking * in_range * mission / (t.total * 1440.0)
    return out


def load_warnings(loaded: LoadedScenario) -> list[str]:
    """A warning for each desk, and the teams, offered more work than they can do."""
    scen = loaded.scenario
    out = []
    for name, rho in loads(loaded).items():
        if rho < 1.0:
            continue
        if name == "teams":
            key = ("teams", "bases")
            what = (
                f"the teams are offered {rho:.2f} team-hours of missions per team-hour "
                f"(utilisation ρ = {rho:.2f} ≥ 1): incidents will wait for a team longer and "
                "longer"
            )
            give_up = scen.teams.give_up_after
            what += (
                f" until they are given up after {give_up / 1440:g} days"
                if give_up is not None
                else " without bound (teams.give_up_after is null)"
            )
        else:
            key = ("center", "desks", name)
            what = (
                f"the {name} desk is offered {rho:.2f} officer-hours of triage and joint "
                f"assessment per officer-hour on duty (utilisation ρ = {rho:.2f} ≥ 1): its "
                "queue will grow"
            )
            wait = scen.center.triage.max_wait
            what += (
                f" until reports expire after {wait / 1440:g} days"
                if wait is not None
                else " without bound (center.triage.max_wait is null)"
            )
        msg = what + "; expected more staff or less work if that is not meant"
        out.append(str(loaded.sources.error(key, msg)) if loaded.sources else msg)
    return out
