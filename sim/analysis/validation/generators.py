"""The world's generators against their inputs: violation counts, clusters, reporting."""

from __future__ import annotations

import math

import numpy as np

from ... import records as R
from ...world import load_scenario
from ...world.reporting import generate as gen_reports
from ...world.streams import stream
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
    v = generate(
        spec,
        g,
        nodes,
        horizon,
        stream(1, 0, "violations.background"),
        stream(1, 0, "violations.escalation"),
        stream(1, 0, "violations.strikes"),
    )
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
    v = generate(
        scen.violations,
        g,
        nodes,
        horizon,
        stream(3, 0, "violations.background"),
        stream(3, 0, "violations.escalation"),
        stream(3, 0, "violations.strikes"),
    )
    rngs = {name: stream(3, 0, f"reporting.{name}") for name in R.CHANNELS}
    r = gen_reports(scen.reporting, scen.violations, v, g, nodes, horizon, rngs)
    types = TypeTable.from_spec(scen.violations)
    early = v["time"] < horizon - 10 * 1440.0  # no report of these is cut by the horizon
    out = []
    for ci, name in enumerate(R.CHANNELS[:4]):
        ch = getattr(scen.reporting.channels, name)
        p = np.full(len(types.names), ch.detection)
        for t, val in ch.by_type.items():
            p[types.names.index(t)] = val
        pv = p[v["type"]]
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
            mean = float(d.mean())
            se_d = math.sqrt(ch.delay.variance / d.size)
            out.append(
                Check(
                    "Reporting channels",
                    f"{name}: mean delay",
                    ch.delay.mean,
                    mean,
                    mean - 1.96 * se_d,
                    mean + 1.96 * se_d,
                    "min",
                    abs(mean - ch.delay.mean) <= TOLERANCE_SE * se_d,
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
        vv = generate(
            esc,
            g,
            nodes,
            120 * 1440.0,
            stream(seed, 0, "violations.background"),
            stream(seed, 0, "violations.escalation"),
            stream(seed, 0, "violations.strikes"),
        )
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
