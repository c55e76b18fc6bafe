"""The world's generators against their inputs: violation counts, clusters, reporting.

Each row draws its own sample with its own seed (the generators are vectorised,
so several simulated years cost a fraction of a second).
"""

from __future__ import annotations

import math

import numpy as np

from ... import records as R
from ...world import load_scenario
from ...world.reporting import generate as gen_reports
from ...world.violations import TypeTable, generate
from .checks import ROOT, Check, chi_square, from_reps, known_se

YEAR = 365 * 1440.0
GROUP = "Violation generator"


def _baseline():
    return load_scenario(ROOT / "scenarios" / "baseline.yaml")


def _no_escalation(loaded):
    v = loaded.scenario.violations
    none = v.escalation.model_copy(update={"branching_ratio": 0.0})
    return v.model_copy(update={"escalation": none})


def generator_checks() -> list[Check]:
    """Violation counts per sector and per hour (chi-square), the yearly count
    (Poisson) and the escalation cluster size."""
    loaded = _baseline()
    g = loaded.graph
    nodes = list(g.nodes)
    spec = _no_escalation(loaded)
    out = []
    # per sector: counts against the hotspot weights
    v = generate(spec, g, nodes, YEAR, 501, 0)
    line = ~v["strike"]
    sectors = [n for n in nodes if g.nodes[n]["kind"] == "sector"]
    w = np.array([spec.hotspots.get(n, g.nodes[n]["weight"]) for n in sectors])
    counts = np.array([(v["node"][line] == nodes.index(n)).sum() for n in sectors])
    expected = counts.sum() * w / w.sum()
    stat = float(((counts - expected) ** 2 / expected).sum())
    out.append(
        chi_square(
            GROUP,
            f"counts per sector ({len(sectors)} sectors, 1 year): chi-square",
            stat,
            len(sectors) - 1,
            seed=501,
            size=f"{int(line.sum()):,} violations",
        )
    )
    # per hour of the day: counts against the daily profile
    v = generate(spec, g, nodes, YEAR, 502, 0)
    line = ~v["strike"]
    hours = (v["time"][line] % 1440 // 60).astype(int)
    hc = np.bincount(hours, minlength=24)
    prof = np.array(spec.time_of_day)
    expected = hc.sum() * prof / prof.sum()
    stat = float(((hc - expected) ** 2 / expected).sum())
    out.append(
        chi_square(
            GROUP,
            "counts per hour of day (1 year): chi-square",
            stat,
            23,
            seed=502,
            size=f"{int(line.sum()):,} violations",
        )
    )
    # the count over three years: Poisson
    v = generate(spec, g, nodes, 3 * YEAR, 503, 0)
    n = int((~v["strike"]).sum())
    lam = spec.rate_per_day * 3 * 365
    out.append(
        known_se(GROUP, "line violations in 3 years (Poisson)", lam, float(n), math.sqrt(lam), "",
                 seed=503, size="3 years")
    )  # fmt: skip
    out.append(cluster_size_check(loaded))
    return out


def reporting_checks() -> list[Check]:
    """Detection fractions and mean delays per channel on the baseline's channels.

    Each row draws three years of the baseline's violations and reports with its
    own seed (seeds 511-518).
    """
    loaded = _baseline()
    out = []
    seed = 510
    for ci, name in enumerate(R.CHANNELS[:4]):
        for what in ("detected fraction", "mean delay"):
            seed += 1
            out.append(_channel_row(loaded, ci, name, what, seed))
    return out


def _channel_row(loaded, ci: int, name: str, what: str, seed: int) -> Check:
    scen = loaded.scenario
    g = loaded.graph
    nodes = list(g.nodes)
    horizon = 3 * YEAR
    v = generate(scen.violations, g, nodes, horizon, seed, 0)
    r = gen_reports(scen.reporting, scen.violations, v, g, nodes, horizon, seed, 0)
    types = TypeTable.from_spec(scen.violations)
    early = v["time"] < horizon - 10 * 1440.0  # no report of these is cut by the horizon
    ch = getattr(scen.reporting.channels, name)
    # The party a report concerns: the sender on the affected and accused
    # channels, the affected side for technical means and civilians.
    party = v["perpetrator"] if name == "accused" else v["affected"]
    cells = [[ch.resolve(side, t) for t in types.names] for side in R.SIDES]
    mine = r["channel"] == ci
    group = "Reporting channels"
    if what == "detected fraction":
        p = np.array([[c[0] for c in row] for row in cells])
        pv = p[party, v["type"]]
        if name == "technical":
            cov = np.array([ch.coverage.get(n, ch.default_coverage) for n in nodes])
            pv = pv * cov[v["node"]]
        pv = pv[early]
        reported = np.zeros(v["time"].size, dtype=bool)
        reported[r["violation"][mine]] = True
        n = int(early.sum())
        se = math.sqrt(float((pv * (1 - pv)).sum())) / n  # a sum of Bernoullis
        return known_se(group, f"{name}: detected fraction", float(pv.mean()),
                        int(reported[early].sum()) / n, se, "%", seed=seed,
                        size=f"{n:,} violations")  # fmt: skip
    # Each report's delay comes from its own (party, type) setting: the mean
    # delay is compared with the mean of those distributions' means.
    mean = np.array([[c[1].mean for c in row] for row in cells])
    var = np.array([[c[1].variance for c in row] for row in cells])
    keep = mine & early[r["violation"]]
    d = (r["arrival"] - r["event_time"])[keep]
    vid = r["violation"][keep]
    cell = (party[vid], v["type"][vid])
    se = math.sqrt(float(var[cell].sum())) / d.size  # σ/√n from the distributions
    return known_se(group, f"{name}: mean delay", float(mean[cell].mean()), float(d.mean()), se,
                    "min", seed=seed, size=f"{d.size:,} reports")  # fmt: skip


def cluster_size_check(loaded) -> Check:
    """Mean escalation cluster size at branching ratio 0.5 against 1/(1 - 0.5):
    20 independent 120-day samples (seeds 521-540), clusters started in the first
    100 days."""
    g = loaded.graph
    nodes = list(g.nodes)
    v0 = loaded.scenario.violations
    esc = v0.model_copy(
        update={
            "escalation": v0.escalation.model_copy(update={"branching_ratio": 0.5, "decay": 60.0}),
            "long_range_strikes": v0.long_range_strikes.model_copy(update={"rate_per_day": 0.0}),
        }
    )
    sizes = []
    for seed in range(521, 541):
        vv = generate(esc, g, nodes, 120 * 1440.0, seed, 0)
        root = np.arange(vv["time"].size)
        par = vv["parent"]
        for k in range(vv["time"].size):
            if par[k] >= 0:
                root[k] = root[par[k]]
        roots = np.flatnonzero((par < 0) & (vv["time"] < 100 * 1440.0))
        size = np.bincount(root, minlength=vv["time"].size)[roots]
        sizes.append(float(size.mean()))
    return from_reps(GROUP, "mean escalation cluster size, branching 0.5", 2.0, sizes, "",
                     seed=521, size="20 × 100 days")  # fmt: skip
