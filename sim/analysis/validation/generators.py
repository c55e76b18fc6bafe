"""The world's generators against their inputs: violation counts, clusters, reporting."""

from __future__ import annotations

import math

import numpy as np

from ... import records as R
from ...world import load_scenario
from ...world.reporting import generate as gen_reports
from ...world.violations import TypeTable, generate
from ..statistics import chi2_quantile
from .checks import ROOT, TOLERANCE_SE, Check, from_reps


def generator_checks() -> list[Check]:
    """Violation counts per node and per hour (chi-square) and escalation cluster size."""
    loaded = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    g = loaded.graph
    nodes = list(g.nodes)
    spec = loaded.scenario.violations.model_copy(
        update={
            "escalation": loaded.scenario.violations.escalation.model_copy(
                update={"branching_ratio": 0.0}
            ),
        }
    )
    horizon = 365 * 1440.0
    v = generate(spec, g, nodes, horizon, 1, 0)
    line = ~v["strike"]
    out = []
    # per node
    sectors = [n for n in nodes if g.nodes[n]["kind"] == "sector"]
    w = np.array([spec.hotspots.get(n, g.nodes[n]["weight"]) for n in sectors])
    counts = np.array([(v["node"][line] == nodes.index(n)).sum() for n in sectors])
    expected = counts.sum() * w / w.sum()
    stat = float(((counts - expected) ** 2 / expected).sum())
    crit = chi2_quantile(0.999, len(sectors) - 1)
    out.append(
        Check(
            "Violation generator",
            f"counts per sector ({len(sectors)} sectors, 1 year): chi-square vs 0.999 quantile",
            crit,
            stat,
            float("nan"),
            float("nan"),
            "",
            stat <= crit,
            "χ² ≤ quantile",
        )
    )
    # per hour
    hours = (v["time"][line] % 1440 // 60).astype(int)
    hc = np.bincount(hours, minlength=24)
    prof = np.array(spec.time_of_day)
    expected = hc.sum() * prof / prof.sum()
    stat = float(((hc - expected) ** 2 / expected).sum())
    crit = chi2_quantile(0.999, 23)
    out.append(
        Check(
            "Violation generator",
            "counts per hour of day (1 year): chi-square vs 0.999 quantile",
            crit,
            stat,
            float("nan"),
            float("nan"),
            "",
            stat <= crit,
            "χ² ≤ quantile",
        )
    )
    # total rate: Poisson count
    n = int(line.sum())
    lam = spec.rate_per_day * 365
    z = (n - lam) / math.sqrt(lam)
    out.append(
        Check(
            "Violation generator",
            "line violations in 1 year (Poisson)",
            lam,
            float(n),
            n - 1.96 * math.sqrt(n),
            n + 1.96 * math.sqrt(n),
            "",
            abs(z) <= TOLERANCE_SE,
            "4 sd of a Poisson count",
        )
    )
    out.append(cluster_size_check(loaded))
    return out


def reporting_checks() -> list[Check]:
    """Detection fractions and mean delays per channel on the baseline's channels."""
    loaded = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    scen = loaded.scenario
    g = loaded.graph
    nodes = list(g.nodes)
    horizon = 365 * 1440.0
    v = generate(scen.violations, g, nodes, horizon, 3, 0)
    r = gen_reports(scen.reporting, scen.violations, v, g, nodes, horizon, 3, 0)
    types = TypeTable.from_spec(scen.violations)
    early = v["time"] < horizon - 10 * 1440.0  # no report of these is cut by the horizon
    out = []
    for ci, name in enumerate(R.CHANNELS[:4]):
        ch = getattr(scen.reporting.channels, name)
        # The party a report concerns: the sender on the affected and accused
        # channels, the affected side for technical means and civilians.
        party = v["perpetrator"] if name == "accused" else v["affected"]
        # (detection, delay, desk) by side code and type code
        cells = [[ch.resolve(side, t) for t in types.names] for side in R.SIDES]
        p = np.array([[c[0] for c in row] for row in cells])
        mean = np.array([[c[1].mean for c in row] for row in cells])
        var = np.array([[c[1].variance for c in row] for row in cells])
        pv = p[party, v["type"]]
        if name == "technical":
            cov = np.array([ch.coverage.get(n, ch.default_coverage) for n in nodes])
            pv = pv * cov[v["node"]]
        pv = pv[early]
        reported = np.zeros(v["time"].size, dtype=bool)
        mine = r["channel"] == ci
        reported[r["violation"][mine]] = True
        hits = int(reported[early].sum())
        n = int(early.sum())
        expected = float(pv.mean())
        se = math.sqrt(float((pv * (1 - pv)).sum())) / n
        phat = hits / n
        out.append(
            Check(
                "Reporting channels",
                f"{name}: detected fraction",
                expected,
                phat,
                phat - 1.96 * se,
                phat + 1.96 * se,
                "%",
                abs(phat - expected) <= TOLERANCE_SE * se,
                "sum of Bernoullis",
            )
        )
        if hits:
            keep = mine & early[r["violation"]]
            d = (r["arrival"] - r["event_time"])[keep]
            # Each report's delay comes from its own (party, type) setting: the
            # mean delay is compared with the mean of those distributions' means.
            vid = r["violation"][keep]
            cell = (party[vid], v["type"][vid])
            want = float(mean[cell].mean())
            got = float(d.mean())
            se_d = math.sqrt(float(var[cell].sum())) / d.size
            out.append(
                Check(
                    "Reporting channels",
                    f"{name}: mean delay",
                    want,
                    got,
                    got - 1.96 * se_d,
                    got + 1.96 * se_d,
                    "min",
                    abs(got - want) <= TOLERANCE_SE * se_d,
                    "σ/√n from the distribution",
                )
            )
    return out


def cluster_size_check(loaded) -> Check:
    """Mean escalation cluster size at branching ratio 0.5 against 1/(1 - 0.5)."""
    g = loaded.graph
    nodes = list(g.nodes)
    sizes = []
    for seed in range(10):
        esc = loaded.scenario.violations.model_copy(
            update={
                "escalation": loaded.scenario.violations.escalation.model_copy(
                    update={"branching_ratio": 0.5, "decay": 60.0}
                ),
                "long_range_strikes": loaded.scenario.violations.long_range_strikes.model_copy(
                    update={"rate_per_day": 0.0}
                ),
            }
        )
        vv = generate(esc, g, nodes, 120 * 1440.0, seed, 0)
        # clusters started in the first 100 days are complete well before the horizon
        root = np.arange(vv["time"].size)
        par = vv["parent"]
        for k in range(vv["time"].size):
            if par[k] >= 0:
                root[k] = root[par[k]]
        early = (par < 0) & (vv["time"] < 100 * 1440.0)
        roots = np.flatnonzero(early)
        size = np.bincount(root, minlength=vv["time"].size)[roots]
        sizes.append(float(size.mean()))
    return from_reps(
        "Violation generator",
        "mean escalation cluster size, branching 0.5",
        2.0,
        sizes,
        "",
        "1/(1 − 0.5)",
    )
