"""Validation of the model against what is known exactly.

Every check runs the real model through the same code paths users run (the
scenario files under ``scenarios/validation/`` or the baseline), and compares
a simulated quantity with its analytic value:

* queueing theory: M/M/c (Erlang C), M/M/1, M/D/1 (Pollaczek-Khinchine),
  non-preemptive priority M/M/c (Cobham), Little's law per desk;
* travel time against networkx shortest paths on a hand-checked graph;
* the evidence-decay curve of verification;
* the violation generator (counts per node and per hour, chi-square; mean
  escalation cluster size 1/(1 - branching ratio));
* reporting channels (detection fractions and mean delays).

A stochastic check passes when the simulated mean is within 4 standard
errors of the analytic value (the standard error from the spread across
independent replications, or a binomial/Poisson error); the table also shows
the 95% confidence interval. Seeds are fixed, so the table is reproducible:
``cfsim check-model`` writes it to ``docs/validation.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import networkx as nx
import numpy as np

from .. import records as R
from ..engine import run_replication
from ..world import load_scenario, scenario_from_dict
from ..world.reporting import generate as gen_reports
from ..world.streams import stream
from ..world.violations import TypeTable, generate
from .experiment import Job, make_jobs, simulate
from .metrics import desk_stats
from .parallel import map_ordered
from .statistics import chi2_quantile, mean_ci, t_quantile
from .theory import cobham_waits, erlang_c, mmc_wait, pk_wait

ROOT = Path(__file__).resolve().parent.parent.parent
VALIDATION = ROOT / "scenarios" / "validation"
TOLERANCE_SE = 4.0


# --------------------------------------------------------------------------- checks


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


def _from_reps(group, case, analytic, values, unit, how="") -> Check:
    ci = mean_ci(values)
    se = ci["half_width"] / t_quantile(0.975, ci["n"] - 1) if ci["n"] >= 2 else float("nan")
    passed = bool(abs(ci["mean"] - analytic) <= TOLERANCE_SE * se) if se == se else False
    return Check(group, case, analytic, ci["mean"], ci["low"], ci["high"], unit, passed, how)


def _exact(group, case, analytic, simulated, unit, how="") -> Check:
    passed = bool(abs(simulated - analytic) <= 1e-6 * max(1.0, abs(analytic)))
    return Check(group, case, analytic, simulated, float("nan"), float("nan"), unit, passed, how)


def _binomial(group, case, p, hits, n, unit="%", how="") -> Check:
    phat = hits / n if n else float("nan")
    se = math.sqrt(p * (1 - p) / n) if n else float("nan")
    h = 1.96 * math.sqrt(phat * (1 - phat) / n) if n else float("nan")
    passed = bool(abs(phat - p) <= TOLERANCE_SE * se) if n else False
    return Check(group, case, p, phat, phat - h, phat + h, unit, passed, how)


def _queue_stats(job: Job) -> dict[str, Any]:
    """Per-replication queue statistics of the UA desk (run in a worker)."""
    prep, rep = simulate(job)
    warm = prep.scenario.warmup
    d = desk_stats(rep, warm)["UA"]
    r = rep.reports
    m = (r["arrival"] >= warm) & np.isfinite(r["ack"]) & (r["desk"] == R.PARTIES.index("UA"))
    wait = (r["ack"] - r["arrival"])[m]
    by_sev = {
        int(s): float(wait[r["severity"][m] == s].mean()) for s in np.unique(r["severity"][m])
    }
    return {
        "mean_wait": d["mean_wait"],
        "p_wait": d["p_wait"],
        "mean_queue": d["mean_queue"],
        "by_severity": by_sev,
    }


def _run_queue(path: Path, overrides: dict[str, Any], reps: int, workers) -> list[dict]:
    loaded = load_scenario(path, overrides=overrides)
    jobs = make_jobs(loaded, loaded.scenario.seed, range(reps))
    return map_ordered(_queue_stats, jobs, workers=workers)


def queueing_checks(workers: int | None = None, reps: int = 10) -> list[Check]:
    """M/M/c, M/M/1, M/D/1, shift-plan M/M/c and two-class priority checks."""
    mu = 1 / 20.0  # per minute: 20-minute triage
    erlang, single, cobham = "M/M/c (Erlang C)", "M/M/1, M/D/1", "Priority M/M/c (Cobham)"
    # (scenario file, overrides, [(group, case, analytic value, statistic, unit), ...])
    runs: list[tuple[str, dict[str, Any], list[tuple[str, str, float, Any, str]]]] = []
    for c, rho in [(1, 0.5), (2, 0.8), (3, 0.9), (5, 0.95)]:
        lam = rho * c * mu
        over = {
            "violations": {"rate_per_day": lam * 1440},
            "center": {"desks": {"UA": {"officers": c}}},
            "horizon": "200d" if rho >= 0.95 else "120d",
        }
        tag = f"M/M/{c}, ρ = {rho}"
        runs.append(
            (
                "mmc.yaml",
                over,
                [
                    (
                        erlang,
                        f"{tag}: mean wait in queue",
                        mmc_wait(c, lam, mu),
                        "mean_wait",
                        "min",
                    ),
                    (
                        erlang,
                        f"{tag}: probability of waiting",
                        erlang_c(c, lam / mu),
                        "p_wait",
                        "%",
                    ),
                ],
            )
        )
    lam3, lam1, lam2 = 0.8 * 3 * mu, 0.8 * mu, 0.8 * 2 * mu
    shifts = "M/M/3, ρ = 0.8, three shifts of 3"
    w_hi, w_lo = cobham_waits(2, [0.3 * lam2, 0.7 * lam2], mu)
    runs += [
        (
            "mmc_shifts.yaml",
            {},
            [
                (erlang, f"{shifts}: mean wait", mmc_wait(3, lam3, mu), "mean_wait", "min"),
                (erlang, f"{shifts}: P(wait)", erlang_c(3, lam3 / mu), "p_wait", "%"),
            ],
        ),
        (
            "mm1.yaml",
            {},
            [
                (
                    single,
                    "M/M/1, ρ = 0.8: mean wait in queue",
                    mmc_wait(1, lam1, mu),
                    "mean_wait",
                    "min",
                ),
                (single, "M/M/1, ρ = 0.8: mean queue length", 0.8**2 / 0.2, "mean_queue", ""),
            ],
        ),
        (
            "md1.yaml",
            {},
            [
                (
                    single,
                    "M/D/1, ρ = 0.8: mean wait in queue (P-K)",
                    pk_wait(lam1, 20.0, 0.0),
                    "mean_wait",
                    "min",
                ),
            ],
        ),
        (
            "priority.yaml",
            {},
            [
                (
                    cobham,
                    "M/M/2, ρ = 0.8: severe class (30 %) wait",
                    w_hi,
                    lambda x: x["by_severity"][3],
                    "min",
                ),
                (
                    cobham,
                    "M/M/2, ρ = 0.8: routine class (70 %) wait",
                    w_lo,
                    lambda x: x["by_severity"][1],
                    "min",
                ),
            ],
        ),
    ]
    out: list[Check] = []
    for file, over, rows in runs:
        res = _run_queue(VALIDATION / file, over, reps, workers)
        for group, case, analytic, stat, unit in rows:
            get = stat if callable(stat) else (lambda x, k=stat: x[k])
            out.append(_from_reps(group, case, analytic, [get(x) for x in res], unit))
    return out


def _little_job(job: Job) -> dict[str, Any]:
    prep, rep = simulate(job)
    return desk_stats(rep, prep.scenario.warmup)


def littles_law_checks(workers: int | None = None, reps: int = 5) -> list[Check]:
    """Little's law per desk on the full baseline: L = λ W.

    L is the time-average queue length; λ W is arrivals per minute times the
    mean time in queue (expired reports until they expired, reports still
    waiting until the horizon). Reports queued across the warm-up boundary or
    at the horizon make the two differ by boundary terms of order 1/T; the
    check is on their paired difference.
    """
    loaded = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    res = map_ordered(
        _little_job, make_jobs(loaded, loaded.scenario.seed, range(reps)), workers=workers
    )
    out = []
    for p in R.PARTIES:
        lam_w = [x[p]["reports_per_minute"] * x[p]["mean_time_in_queue"] for x in res]
        big_l = [x[p]["mean_queue"] for x in res]
        diff = mean_ci([a - b for a, b in zip(big_l, lam_w)])
        se = diff["half_width"] / t_quantile(0.975, diff["n"] - 1)
        ci = mean_ci(big_l)
        passed = bool(abs(diff["mean"]) <= TOLERANCE_SE * se + 0.01 * abs(ci["mean"]))
        out.append(
            Check(
                "Little's law (baseline)",
                f"{p} desk: L (time average) vs λ·W",
                float(np.mean(lam_w)),
                ci["mean"],
                ci["low"],
                ci["high"],
                "",
                passed,
                "paired, 1 % boundary allowance",
            )
        )
    return out


def travel_checks() -> list[Check]:
    """A team's travel time equals shortest-path km / speed on a hand-made graph.

    Graph: B–A 30 km, A–X 50, B–X 100, X–Y 20, A–Y 90; the base is B, speed
    60 km/h. By hand: B→X 80 km (via A), B→Y 100 km (via A and X), B→A 30 km.
    """
    g = nx.Graph()
    coords = {"B": (0, -10), "A": (10, 0), "X": (20, 0), "Y": (30, 0)}
    for n, (x, y) in coords.items():
        g.add_node(n, kind="base" if n == "B" else "sector", x_km=x, y_km=y)
    for u, v, km in (
        ("B", "A", 30),
        ("A", "X", 50),
        ("B", "X", 100),
        ("X", "Y", 20),
        ("A", "Y", 90),
    ):
        g.add_edge(u, v, length_km=km)
    hand = {"A": 30.0, "X": 80.0, "Y": 100.0}
    out = []
    for target, km in hand.items():
        rep = run_replication(_travel_scenario(g, target))
        travel = float(rep.incidents["on_site"][0] - rep.incidents["depart"][0])
        path_km = nx.shortest_path_length(g, "B", target, weight="length_km")
        out.append(
            _exact(
                "Travel",
                f"base B → {target}: {km:g} km by hand, at 60 km/h",
                path_km / 60.0 * 60.0,
                travel,
                "min",
                "networkx shortest path",
            )
        )
        out.append(
            _exact(
                "Travel",
                f"base B → {target}: networkx path length vs hand",
                km,
                float(path_km),
                "",
                "",
            )
        )
    return out


def _travel_scenario(g: nx.Graph, target: str):
    import json
    import tempfile

    data = {
        "name": "travel",
        "horizon": "1d",
        "network": {"file": "net.json"},
        "violations": {
            "rate_per_day": 0,
            "types": {"x": {"share": 1.0, "severity": 3, "evidence_half_life": "1d"}},
            "scripted": [{"time": "1h", "node": target, "type": "x", "perpetrator": "RU"}],
        },
        "reporting": {
            "channels": {
                "affected": {"detection": 1.0, "delay": "0min"},
                "accused": {"detection": 0},
                "civilian": {"detection": 0},
            }
        },
        "center": {"assessment": {"enabled": False}, "triage": {"time": "10min"}},
        "teams": {
            "bases": [{"node": "B", "count": 1}],
            "speed_kmh": 60,
            "prepare": "0min",
            "patrol_hours": None,
        },
    }
    with tempfile.TemporaryDirectory(prefix="cfsim-travel-") as tmp:
        (Path(tmp) / "net.json").write_text(json.dumps(nx.node_link_data(g, edges="edges")))
        return scenario_from_dict(data, tmp)


def _decay_job(job: Job) -> dict[str, Any]:
    prep, rep = simulate(job)
    v = rep.violations
    verified = np.isin(
        v["outcome"],
        [
            R.VIOLATION_OUTCOMES.index(x)
            for x in ("verified", "attributed_correct", "attributed_incorrect")
        ],
    )
    checked = (v["outcome"] != R.VIOLATION_OUTCOMES.index("reported_unverified")) | (
        v["reason"] == R.UNVERIFIED_REASONS.index("evidence_decayed")
    )
    return {"hits": int(verified.sum()), "n": int(checked.sum())}


def decay_checks(workers: int | None = None) -> list[Check]:
    """Verified fraction when every violation is checked at a fixed age.

    Reports arrive 2 h after the violation, triage takes 1 h, a team at the
    sector leaves at once and arrives after the preparation time, so the age
    on arrival is 3 h + preparation; expected fraction p0 · 0.5^(age / H).
    """
    out = []
    half = 360.0  # 6 h
    for prep_min in (180.0, 540.0):  # ages 6 h and 12 h = 1 and 2 half-lives
        data = {
            "name": "decay",
            "seed": 77,
            "horizon": "30d",
            "network": {"synthetic": {"sectors": 2, "depth": 1}},
            "violations": {
                "rate_per_day": 40,
                "hotspots": {"S1": 0},
                "types": {
                    "x": {
                        "share": 1.0,
                        "severity": 3,
                        "evidence_half_life": "6h",
                        "attributable": 0,
                    }
                },
            },
            "reporting": {
                "channels": {
                    "affected": {"detection": 1.0, "delay": "2h"},
                    "accused": {"detection": 0},
                    "civilian": {"detection": 0},
                }
            },
            "center": {
                "desks": {p: {"officers": 50} for p in R.PARTIES},
                "triage": {"time": "1h"},
                "merging": {"enabled": False},
                "assessment": {"enabled": False},
            },
            "teams": {
                "bases": [{"node": "S0", "count": 60}],
                "patrol_hours": None,
                "prepare": f"{prep_min:g}min",
                "access_denial": {"RU": 0, "UA": 0},
                "verification": {"time": "30min", "base_probability": 0.9},
                "give_up_after": None,
            },
        }
        loaded = scenario_from_dict(data, ROOT)
        res = map_ordered(_decay_job, make_jobs(loaded, 77, range(4)), workers=workers)
        hits, n = sum(x["hits"] for x in res), sum(x["n"] for x in res)
        age = 120.0 + 60.0 + prep_min
        p = 0.9 * 0.5 ** (age / half)
        out.append(
            _binomial(
                "Evidence decay",
                f"age {age / 60:g} h, half-life 6 h: verified fraction",
                p,
                hits,
                n,
            )
        )
    return out


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
    # escalation cluster size
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
    out.append(
        _from_reps(
            "Violation generator",
            "mean escalation cluster size, branching 0.5",
            2.0,
            sizes,
            "",
            "1/(1 − 0.5)",
        )
    )
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


SECTIONS: list[tuple[str, Callable[..., list[Check]]]] = [
    ("queueing", queueing_checks),
    ("little", littles_law_checks),
    ("travel", travel_checks),
    ("decay", decay_checks),
    ("generator", generator_checks),
    ("reporting", reporting_checks),
]


def run_all(
    workers: int | None = None, progress: Callable[[str], None] | None = None
) -> list[Check]:
    """Every check, in table order."""
    out: list[Check] = []
    for name, fn in SECTIONS:
        if progress is not None:
            progress(name)
        if name in ("travel", "generator", "reporting"):
            out += fn()
        else:
            out += fn(workers=workers)
    return out


def markdown(checks: list[Check]) -> str:
    """The validation table as committed in ``docs/validation.md``."""
    lines = [
        "# Model validation",
        "",
        "<!-- Generated by `cfsim check-model`; do not edit by hand. A test runs the checks",
        "again and compares with this file. -->",
        "",
        "Each row runs the real model (the scenario files in `scenarios/validation/`, the",
        "baseline, or the model's own generators) and compares a simulated quantity with",
        "its analytic value. A row passes when the simulated value is within 4 standard",
        "errors of the analytic one (standard error from the spread across independent",
        "replications, or binomial / Poisson error for counts); exact rows must agree to",
        "1e-6; chi-square rows pass below the 0.999 quantile. CI is the 95% confidence",
        "interval of the simulated value; about one row in twenty should miss the",
        "analytic value with it, which is why the verdict uses the wider 4-standard-error",
        "band. Rows of one scenario share its random numbers, so their errors are",
        "correlated (they tend to err in the same direction). Seeds are fixed, so",
        "`cfsim check-model` reproduces this table exactly. Method and formulas:",
        "`sim/analysis/validation.py` and",
        "the bottom of this page.",
        "",
        f"**{sum(c.passed for c in checks)} of {len(checks)} checks pass.**",
        "",
    ]
    group = None
    for c in checks:
        if c.group != group:
            group = c.group
            lines += [
                "",
                f"## {group}",
                "",
                "| case | analytic | simulated | 95% CI | verdict |",
                "|---|---|---|---|---|",
            ]
        lines.append("| " + " | ".join(c.cells()) + " |")
    lines += [
        "",
        "## Formulas",
        "",
        "* Erlang C: P(wait) = C(c, a) with a = λ/μ; mean wait in queue W_q = C(c, a) / (cμ − λ).",
        "* M/M/1: W_q = ρ / (μ − λ); L_q = ρ² / (1 − ρ).",
        "* Pollaczek–Khinchine (M/G/1): W_q = λ E[S²] / (2 (1 − ρ)); M/D/1: ρ / (2μ(1 − ρ)).",
        "* Cobham (non-preemptive priority M/M/c, equal service rates): "
        "W_k = W_0 / ((1 − σ_{k−1})(1 − σ_k)), σ_k = Σ_{i≤k} λ_i/(cμ), "
        "W_0 = C(c, a)/(cμ).",
        "* Little's law: L = λ W per desk, W counting every report's time in the "
        "queue (expired ones until they expired).",
        "* Evidence decay: P(verified) = p_0 · 0.5^(age / half-life).",
        "* Escalation: mean cluster size 1 / (1 − branching ratio).",
        "* Chi-square quantiles from scipy.",
        "",
    ]
    return "\n".join(lines)
