"""Fitting the violation process to an event log: what ``cfsim fit`` estimates.

From the events of a log placed on a network (:mod:`sim.world.eventlog`)
within a date window, :func:`fit_log` estimates

* **hot-spot weights**: events per sector, with a Jeffreys pseudo-count of
  1/2 so that a quiet sector keeps a small weight; 95% intervals of each
  sector's share from the Jeffreys Beta posterior;
* the **weekly** and, when the log has times, the **hourly profile**: counts by
  day of the week and hour, with 95% intervals and Pearson's chi-square test
  of a flat profile (a profile enters the scenario only when the test rejects
  flatness at the 5% level);
* **regimes**: a Poisson hidden Markov model of the daily counts fitted by
  maximum likelihood (:mod:`sim.analysis.regimefit`), the number of regimes
  chosen by BIC;
* **escalation** by a method of moments: same-place and neighbouring-place
  pairs of events within a day of each other beyond what the fitted weights
  and the day-to-day variation of the rate explain (:func:`escalation_moments`),
  with block-bootstrap intervals.

Regimes are the part of the fit that carries over to another scale: a
Cox process (a Poisson process with a random rate, as regimes and noise
make) thinned at random is the same Cox process at a lower rate, so
regimes fitted to a sparse log (lethal events) describe the rate of the
violations they are a sample of. Self-excitation does not carry over: the
pairs a cluster makes thin with the square of the sampling rate, so a
sparse log says little about escalation at the scale of every violation.

:func:`goodness_of_fit` simulates the fitted process at the data's scale over
the data's days and compares what the data show with what simulated logs
show: dispersion, autocorrelation by lag, concentration on places,
inter-event times.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from scipy.stats import beta, chi2

from ..scenario.violations import ViolationsSpec
from ..scenario.calendar import Calendar
from ..world.eventlog import EventTable
from ..world.violations import ViolationModel, ViolationSource
from .eventstats import (
    autocorrelation,
    concentration,
    gaps_in_days,
    index_of_dispersion,
    p95_over_median,
    same_place_pairs,
)
from .pointprocess import daily_moments
from .regimefit import RegimeFit, fit_regimes, select_regimes

DAY = 1440.0
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ACF_LAGS = tuple(range(1, 31))


@dataclass(frozen=True)
class EventSeries:
    """The events of a log on the days of a window, each at a node.

    Attributes
    ----------
    start : datetime.datetime
        Midnight of the first day.
    days : int
    day : numpy.ndarray
        Day index of each event (0 = ``start``).
    hour : numpy.ndarray
        Hour of the day (fractional), NaN when the log gives dates only.
    node : numpy.ndarray
        Node index (into ``nodes``).
    perpetrator : numpy.ndarray
        Side code, -1 when unknown.
    nodes : list of str
    sectors : numpy.ndarray
        Indices of the sector nodes.
    """

    start: dt.datetime
    days: int
    day: np.ndarray
    hour: np.ndarray
    node: np.ndarray
    perpetrator: np.ndarray
    nodes: list[str]
    sectors: np.ndarray

    @property
    def counts(self) -> np.ndarray:
        """Events per day."""
        return np.bincount(self.day, minlength=self.days).astype(float)

    @property
    def timed(self) -> bool:
        return bool(np.isfinite(self.hour).any())

    def weekday(self) -> np.ndarray:
        """Day of the week (Monday 0) of each day of the window."""
        return (np.arange(self.days) + self.start.weekday()) % 7


def event_series(
    table: EventTable, graph: nx.Graph, nodes: list[str], start: dt.datetime, end: dt.datetime
) -> EventSeries:
    """The events of ``table`` from ``start`` (midnight) to ``end`` (exclusive)."""
    days = (end - start).days
    base = np.datetime64(start, "s")
    minutes = (table.when - base).astype("timedelta64[s]").astype(float) / 60.0
    keep = (minutes >= 0) & (minutes < days * DAY)
    minutes = minutes[keep]
    hour = np.where(table.timed[keep], (minutes % DAY) / 60.0, np.nan)
    sectors = np.array([j for j, n in enumerate(nodes) if graph.nodes[n]["kind"] == "sector"])
    return EventSeries(
        start=start,
        days=days,
        day=(minutes // DAY).astype(np.int64),
        hour=hour,
        node=table.node[keep],
        perpetrator=table.perpetrator[keep],
        nodes=list(nodes),
        sectors=sectors,
    )


# --------------------------------------------------------------------------- estimates


def hotspot_weights(series: EventSeries) -> dict[str, Any]:
    """Events per sector, weights (count + 1/2, relative) and 95% intervals of each
    sector's share (Jeffreys Beta(count + 1/2, others + 1/2))."""
    counts = np.bincount(series.node, minlength=len(series.nodes))[series.sectors]
    total = int(counts.sum())
    weight = counts + 0.5
    share = weight / weight.sum()
    low = beta.ppf(0.025, counts + 0.5, total - counts + 0.5)
    high = beta.ppf(0.975, counts + 0.5, total - counts + 0.5)
    names = [series.nodes[j] for j in series.sectors]
    order = np.argsort(-counts, kind="stable")
    return {
        "events": total,
        "rows": [
            {
                "node": names[i],
                "events": int(counts[i]),
                "weight": float(share[i]),
                "share_low": float(low[i]),
                "share_high": float(high[i]),
            }
            for i in order
        ],
        "concentration": concentration(counts),
    }


def profile(counts: np.ndarray, exposure: np.ndarray, labels) -> dict[str, Any]:
    """Relative rates of the categories of a profile (mean 1 over the exposure) with
    95% intervals (exact Poisson intervals of each count), and Pearson's chi-square test
    of equal rates."""
    counts = np.asarray(counts, dtype=float)
    exposure = np.asarray(exposure, dtype=float)
    total = counts.sum()
    expected = total * exposure / exposure.sum()
    scale = exposure.sum() / total / exposure if total > 0 else np.full(counts.size, np.nan)
    lo = np.where(counts > 0, chi2.ppf(0.025, 2 * counts) / 2, 0.0)
    hi = chi2.ppf(0.975, 2 * counts + 2) / 2
    ok = expected > 0
    stat = float((((counts - expected) ** 2)[ok] / expected[ok]).sum())
    dof = int(ok.sum()) - 1
    return {
        "labels": list(labels),
        "events": [int(c) for c in counts],
        "weight": (counts * scale).tolist(),
        "low": (lo * scale).tolist(),
        "high": (hi * scale).tolist(),
        "chi2": stat,
        "dof": dof,
        "p_value": float(chi2.sf(stat, dof)) if dof > 0 else math.nan,
    }


def week_profile(series: EventSeries) -> dict[str, Any]:
    wd = series.weekday()
    exposure = np.bincount(wd, minlength=7)
    counts = np.bincount(wd[series.day], minlength=7)
    return profile(counts, exposure, WEEKDAYS)


def hour_profile(series: EventSeries) -> dict[str, Any] | None:
    if not series.timed:
        return None
    h = series.hour[np.isfinite(series.hour)].astype(np.int64) % 24
    return profile(np.bincount(h, minlength=24), np.ones(24), [f"{k:02d}h" for k in range(24)])


def sector_adjacency(graph: nx.Graph, nodes: list[str]) -> np.ndarray:
    """1 where two sectors are joined by a road (a node-by-node matrix)."""
    index = {n: i for i, n in enumerate(nodes)}
    nb = np.zeros((len(nodes), len(nodes)))
    for a, b in graph.edges():
        if graph.nodes[a]["kind"] == "sector" and graph.nodes[b]["kind"] == "sector":
            nb[index[a], index[b]] = nb[index[b], index[a]] = 1.0
    return nb


def pair_statistics(cells: np.ndarray, nb: np.ndarray) -> dict[str, float]:
    """Ordered pairs of distinct events within a day of each other (the same day, or
    consecutive days counted both ways) at one sector, at neighbouring sectors and in
    all, from ``cells[d, j]``, the events on day d at node j."""
    c = np.asarray(cells, dtype=float)
    day = c.sum(axis=1)
    same0 = float((c * (c - 1)).sum())
    same1 = float((c[:-1] * c[1:]).sum())
    cn = c @ nb
    nb0 = float((cn * c).sum())
    nb1 = float((cn[:-1] * c[1:]).sum())
    return {
        "events": float(day.sum()),
        "same": same0 + 2 * same1,
        "neighbour": nb0 + 2 * nb1,
        "all": float((day * (day - 1)).sum() + 2 * (day[:-1] * day[1:]).sum()),
    }


def _excess(stats: dict[str, float], c: np.ndarray, nb: np.ndarray) -> tuple[float, float]:
    """Branching ratio and neighbour share from the pair excess (see escalation_moments)."""
    n = stats["events"]
    if n < 2:
        return math.nan, math.nan
    h_same = float(((c * c).sum() - n) / (n * (n - 1)))  # unbiased sum of squared shares
    h_nb = float(c @ nb @ c / (n * (n - 1)))
    x_same = stats["same"] - h_same * stats["all"]
    x_nb = stats["neighbour"] - h_nb * stats["all"]
    total = x_same + x_nb
    # cluster pairs are in the count of all pairs too, so H + H_nb of them were taken away
    per_event = max(total, 0.0) / n / max(1.0 - h_same - h_nb, 1e-9)
    ratio = 1.0 - 1.0 / math.sqrt(1.0 + per_event)  # n(2-n)/(1-n)^2 = pairs per event
    share = min(max(x_nb / total, 0.0), 1.0) if total > 0 else math.nan
    return ratio, share


def escalation_moments(
    series: EventSeries, graph: nx.Graph, boot: int = 200, seed: int = 0
) -> dict[str, Any]:
    """Escalation by a method of moments: pairs of events close in place and time beyond
    what the weights and the rate explain.

    With events at sectors with weights ``w`` and a rate that varies from day to day,
    a pair of independent events within a day of each other (same day, or next day
    counted both ways) falls at one sector with chance ``H = Σ w²`` and at neighbouring
    sectors with chance ``H_nb = Σ_(j~k) w_j w_k``, whatever the rate did. Escalation adds
    the pairs within clusters: a cluster of a Hawkes process with branching ratio ``n``
    holds ``E[S(S-1)] / E[S] = n (2 - n) / (1 - n)²`` ordered pairs per event (about
    ``2n`` for small ``n``), at one sector or, for a share ``q`` of them, at a neighbour.
    So with ``X = pairs - H × all pairs`` at one sector and at neighbours (cluster pairs
    are among all pairs too, so a share ``H + H_nb`` of them is taken away with the
    rest) and ``P = (X_same + X_nb) / (N (1 - H - H_nb))`` per event,

        n ≈ 1 - 1 / sqrt(1 + P),    q ≈ X_nb / (X_same + X_nb).

    ``H`` is estimated without bias from the sector counts. The estimate is approximate:
    it counts only cluster pairs within a day of each other and at the same or
    neighbouring sectors (exact when children follow within a day, at most one sector
    away). 95% intervals come from a bootstrap of whole weeks.
    """
    nodes = series.nodes
    nb = sector_adjacency(graph, nodes)[np.ix_(series.sectors, series.sectors)]
    column = np.full(len(nodes), -1)
    column[series.sectors] = np.arange(series.sectors.size)
    cells = np.zeros((series.days, series.sectors.size))
    at_sector = column[series.node] >= 0  # events at rear targets (strikes) are left out
    np.add.at(cells, (series.day[at_sector], column[series.node[at_sector]]), 1.0)

    def estimate(c: np.ndarray) -> tuple[tuple[float, float], dict[str, float]]:
        stats = pair_statistics(c, nb)
        return _excess(stats, c.sum(axis=0), nb), stats

    (ratio, share), stats = estimate(cells)
    rng = np.random.default_rng(seed)
    weeks = series.days // 7
    width = series.sectors.size
    blocks = cells[: weeks * 7].reshape(weeks, 7, width)
    draws = np.array(
        [
            estimate(blocks[rng.integers(0, weeks, weeks)].reshape(-1, width))[0]
            for _ in range(boot)
        ],
        dtype=float,
    )
    finite = np.isfinite(draws).any(axis=0)
    low = [float(np.nanpercentile(draws[:, i], 2.5)) if finite[i] else math.nan for i in (0, 1)]
    high = [float(np.nanpercentile(draws[:, i], 97.5)) if finite[i] else math.nan for i in (0, 1)]
    return {
        "pairs": stats,
        "branching_ratio": ratio,
        "branching_ratio_interval": [low[0], high[0]],
        "neighbour_share": share,
        "neighbour_share_interval": [low[1], high[1]],
        "identified": bool(ratio > 0 and low[0] > 0),
    }


@dataclass
class FitResult:
    """Everything ``cfsim fit`` estimated, as plain data plus the chosen regime fit."""

    series: EventSeries
    hotspots: dict[str, Any]
    week: dict[str, Any]
    hours: dict[str, Any] | None
    regimes: RegimeFit
    candidates: list[RegimeFit]
    escalation: dict[str, Any]
    day_weights: np.ndarray
    notes: list[str] = field(default_factory=list)

    @property
    def rate_per_day(self) -> float:
        """Events per day in the data."""
        return float(self.series.counts.mean())


def fit_log(
    series: EventSeries, graph: nx.Graph, regimes: int | None = None, most: int = 3
) -> FitResult:
    """Estimate every part of the violation process from ``series`` (module docstring).

    Parameters
    ----------
    regimes : int, optional
        The number of regimes; default: chosen by BIC among 1 .. ``most``.
    """
    week = week_profile(series)
    weekly = week["p_value"] < 0.05
    w = np.asarray(week["weight"])[series.weekday()] if weekly else np.ones(series.days)
    w = w / w.mean()
    y = series.counts
    if regimes is None:
        best, candidates = select_regimes(y, most, w)
    else:
        best = fit_regimes(y, regimes, w)
        candidates = [best]
    notes = []
    if not series.timed:
        notes.append(
            "The log gives dates only: the hourly profile cannot be estimated and is not "
            "written (the scenario's own, or flat, applies)."
        )
    if best.at_bound:
        notes.append(
            "Transitions estimated as never happening (log-odds at the bound): "
            + ", ".join(best.at_bound)
            + "; intervals of the regimes are not available."
        )
    return FitResult(
        series=series,
        hotspots=hotspot_weights(series),
        week=week,
        hours=hour_profile(series),
        regimes=best,
        candidates=candidates,
        escalation=escalation_moments(series, graph),
        day_weights=w,
        notes=notes,
    )


# --------------------------------------------------------------------------- the fragment


def _round(x: float, digits: int = 3) -> float:
    return float(f"{x:.{digits}g}")


def _next_chances(row: np.ndarray, names: tuple[str, ...], me: int) -> dict[str, float]:
    others = [j for j in range(len(names)) if j != me]
    vals = [round(float(row[j]), 3) for j in others]
    vals[-1] = round(1.0 - sum(vals[:-1]), 3)  # sum exactly 1 after rounding
    return {names[j]: v for j, v in zip(others, vals) if v > 0}


def fragment(fit: FitResult, rate_per_day: float | None = None) -> dict[str, Any]:
    """The ``violations:`` keys the fit determines, as plain data for a scenario file.

    ``rate_per_day`` sets the level (the background rate of the scenario the fragment
    goes into); default: the data's own rate. Regimes' multipliers have a long-run
    mean of 1, so the level is the long-run mean rate.
    """
    out: dict[str, Any] = {
        "rate_per_day": _round(rate_per_day if rate_per_day is not None else fit.rate_per_day),
        "hotspots": {r["node"]: _round(r["weight"]) for r in fit.hotspots["rows"]},
    }
    if fit.week["p_value"] < 0.05:
        out["day_of_week"] = [_round(x) for x in fit.week["weight"]]
    if fit.hours is not None and fit.hours["p_value"] < 0.05:
        out["time_of_day"] = [_round(x) for x in fit.hours["weight"]]
    r = fit.regimes
    if r.k > 1:
        d = r.derived()
        names = r.names
        states = {}
        for i, name in enumerate(names):
            state: dict[str, Any] = {
                "multiplier": _round(float(d["multiplier"][i])),
                "mean_duration": f"{_round(float(d['mean_days'][i]))}d",
            }
            if r.k > 2:
                state["next"] = _next_chances(d["next"][i], names, i)
            states[name] = state
        out["regimes"] = {"scope": "line", "states": states}
    esc = fit.escalation
    if esc["identified"]:
        out["escalation"] = {
            "branching_ratio": _round(esc["branching_ratio"]),
            "neighbour_share": _round(esc["neighbour_share"]),
        }
    return out


# --------------------------------------------------------------------------- goodness of fit


def statistics(day: np.ndarray, node: np.ndarray, days: int, sectors: np.ndarray) -> dict:
    """The statistics compared between data and simulation, for one log."""
    x = np.bincount(day, minlength=days).astype(float)[:days]
    weeks = x[: days // 7 * 7].reshape(-1, 7).sum(axis=1)
    months = x[: days // 30 * 30].reshape(-1, 30).sum(axis=1)
    per_node = np.bincount(node, minlength=int(sectors.max()) + 1)[sectors]
    gaps = gaps_in_days(day)
    conc = concentration(per_node)
    return {
        "mean": float(x.mean()),
        "dispersion": index_of_dispersion(x),
        "weekly_dispersion": index_of_dispersion(weeks),
        "monthly_dispersion": index_of_dispersion(months),
        "p95_over_median": p95_over_median(x),
        "acf": autocorrelation(x, ACF_LAGS),
        "top5_share": conc["top_share"],
        "hhi": conc["hhi"],
        "gini": conc["gini"],
        "same_day_same_place": same_place_pairs(day, node, 0) / max(x.sum(), 1),
        "gap_zero_share": float(np.mean(gaps == 0)) if gaps.size else math.nan,
        "gap_mean": float(gaps.mean()) if gaps.size else math.nan,
        "gaps": gaps,
        "weekly": weeks,
        "node_counts": per_node,
    }


def simulated_logs(
    spec: ViolationsSpec,
    graph: nx.Graph,
    series: EventSeries,
    replications: int,
    seed: int = 1,
    thin: float = 1.0,
    calendar: Calendar | None = None,
):
    """``(day, node)`` of the line violations of each of ``replications`` simulated runs
    over the series' days, each kept with chance ``thin`` (a random sample, as a log of
    lethal events is of all violations)."""
    nodes = series.nodes
    model = ViolationModel(spec, graph, nodes, calendar)
    horizon = series.days * DAY
    for rep in range(replications):
        v = ViolationSource(model, seed, rep, horizon).until(horizon)
        line = ~v["strike"]
        if thin < 1.0:
            u = np.random.default_rng([seed, rep, 7]).random(v["time"].size)
            line &= u < thin
        yield (v["time"][line] // DAY).astype(np.int64), v["node"][line]


def goodness_of_fit(
    fit: FitResult, graph: nx.Graph, replications: int = 200, seed: int = 1
) -> dict[str, Any]:
    """The data's statistics against those of logs simulated from the fit at the data's
    scale over the data's days (see :func:`compare`)."""
    series = fit.series
    frag = fragment(fit)
    frag.pop("escalation", None)  # not part of the data-scale model when not identified
    if fit.escalation["identified"]:
        frag["escalation"] = fragment(fit)["escalation"]
        frag["rate_per_day"] = fit.rate_per_day * (1 - frag["escalation"]["branching_ratio"])
    frag["types"] = {"event": {"share": 1.0, "severity": 1, "evidence_half_life": "1d"}}
    spec = ViolationsSpec.model_validate(frag)
    cal = Calendar(series.start)
    sims = simulated_logs(spec, graph, series, replications, seed, calendar=cal)
    out = compare(series, sims)
    if "day_of_week" not in frag:  # the theory is for a flat week
        moments = daily_moments(spec, max(ACF_LAGS) + 1)
        out["theory_acf"] = moments.autocorrelation(ACF_LAGS)
    return out


def compare(series: EventSeries, sims) -> dict[str, Any]:
    """Each statistic of the data with the mean, 2.5 and 97.5 percentiles and the
    standard deviation over simulated logs, the data's two-sided rank p-value and z
    (its distance from the simulated mean in simulated standard deviations)."""
    data = statistics(series.day, series.node, series.days, series.sectors)
    runs = [statistics(d, n, series.days, series.sectors) for d, n in sims]
    rows = {}
    scalar = [k for k, v in data.items() if np.ndim(v) == 0]
    for key in scalar:
        rows[key] = _row(data[key], np.array([r[key] for r in runs], dtype=float))
    for lag_index, lag in enumerate(ACF_LAGS):
        sim = np.array([r["acf"][lag_index] for r in runs])
        rows[f"acf_{lag}"] = _row(float(data["acf"][lag_index]), sim)
    return {"data": data, "simulated": runs, "rows": rows, "replications": len(runs)}


def _row(value: float, sim: np.ndarray) -> dict[str, float]:
    sim = sim[np.isfinite(sim)]
    if sim.size == 0 or not math.isfinite(value):
        nan = math.nan
        return {"data": value, "mean": nan, "low": nan, "high": nan, "sd": nan, "p": nan, "z": nan}
    below = (np.sum(sim <= value) + 1) / (sim.size + 1)
    above = (np.sum(sim >= value) + 1) / (sim.size + 1)
    sd = float(sim.std(ddof=1)) if sim.size > 1 else math.nan
    return {
        "data": float(value),
        "mean": float(sim.mean()),
        "low": float(np.percentile(sim, 2.5)),
        "high": float(np.percentile(sim, 97.5)),
        "sd": sd,
        "p": float(min(1.0, 2 * min(below, above))),
        "z": float((value - sim.mean()) / sd) if sd and sd > 0 else math.nan,
    }


def check_scenario(
    violations: ViolationsSpec,
    graph: nx.Graph,
    series: EventSeries,
    replications: int = 40,
    seed: int = 1,
) -> dict[str, Any]:
    """A log against a scenario's violations: :func:`compare` with logs simulated from
    the scenario over the log's days and thinned to the log's size.

    A log of lethal events is a sample of the violations; each simulated line violation
    is kept with chance ``p`` = the log's events over the mean number simulated (so the
    logs compared have the same expected size), and the thinned logs are compared with
    the data. Regimes, noise and hot spots carry over to the thinned logs unchanged;
    escalation clusters mostly do not (their pairs thin with ``p²``), as in the data.
    Sizes, scripted and replayed violations play no part.
    """
    types = {k: t.model_copy(update={"size": None}) for k, t in violations.types.items()}
    spec = violations.model_copy(update={"types": types, "scripted": [], "replay": None})
    cal = Calendar(series.start)
    runs = list(simulated_logs(spec, graph, series, replications, seed, calendar=cal))
    p = float(series.counts.sum()) / float(np.mean([d.size for d, _ in runs]))
    thinned = []
    for rep, (day, node) in enumerate(runs):
        keep = np.random.default_rng([seed, rep, 11]).random(day.size) < p
        thinned.append((day[keep], node[keep]))
    out = compare(series, thinned)
    out["thinning"] = p
    return out
