"""What ``cfsim fit`` writes: the scenario fragment, the estimates as JSON, and the
goodness-of-fit page (markdown with PNG figures).

The directory (written atomically)::

    fit.yaml               the violations keys the fit determines, ready to extend
    fit.json               every estimate with its interval, and the comparison
    goodness_of_fit.md     the page: data, estimates, data against simulation
    figures/*.png          series, dispersion, autocorrelation, concentration, gaps,
                           profiles
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ..analysis.fitting import ACF_LAGS, FitResult
from ..records.storage import atomic_dir, json_text
from ..records.version import __version__
from .plotting.fitting import FIT_FIGURES
from .plotting.style import save

GOF_ROWS = (
    ("mean", "events per day"),
    ("dispersion", "index of dispersion of daily counts (variance/mean)"),
    ("weekly_dispersion", "index of dispersion of weekly counts"),
    ("monthly_dispersion", "index of dispersion of 30-day counts"),
    ("p95_over_median", "p95/median of daily counts"),
    *((f"acf_{k}", f"autocorrelation of daily counts, lag {k} d") for k in range(1, 8)),
    ("acf_14", "autocorrelation, lag 14 d"),
    ("acf_28", "autocorrelation, lag 28 d"),
    ("top5_share", "share of events at the 5 busiest sectors"),
    ("hhi", "Herfindahl index of sector shares"),
    ("gini", "Gini coefficient of sector counts"),
    ("same_day_same_place", "same-day pairs at one sector, per event"),
    ("gap_zero_share", "share of gaps of 0 days (same day)"),
    ("gap_mean", "mean gap between consecutive events (days)"),
)


def plot_data(fit: FitResult, gof: dict[str, Any]) -> dict[str, Any]:
    """Plain data for :data:`sim.output.plotting.fitting.FIT_FIGURES`."""
    s = fit.series
    data, runs = gof["data"], gof["simulated"]
    r = fit.regimes
    from ..analysis.regimefit import posterior

    post = posterior(r, s.counts, fit.day_weights)
    keys = (
        "dispersion",
        "weekly_dispersion",
        "monthly_dispersion",
        "p95_over_median",
        "top5_share",
        "hhi",
        "gini",
    )
    return {
        "start": s.start,
        "mean_per_day": float(s.counts.mean()),
        "weekly": data["weekly"],
        "posterior": post,
        "regimes": list(r.names),
        "multipliers": list(r.derived()["multiplier"]),
        "data": {k: data[k] for k in keys},
        "sim": {k: np.array([x[k] for x in runs], dtype=float) for k in keys},
        "sim_mean": {k: _finite_mean([x[k] for x in runs]) for k in keys},
        "lags": list(ACF_LAGS),
        "data_acf": data["acf"],
        "sim_acf": np.array([x["acf"] for x in runs]),
        "theory": gof.get("theory_acf"),
        "node_counts": data["node_counts"],
        "sim_node_counts": np.array([x["node_counts"] for x in runs]),
        "data_gaps": data["gaps"],
        "sim_gaps": [x["gaps"] for x in runs],
        "week": fit.week,
        "hours": fit.hours,
    }


def _finite_mean(values: list[float]) -> float:
    v = [x for x in values if x == x]
    return float(np.mean(v)) if v else math.nan


def fragment_text(frag: dict[str, Any], header: list[str]) -> str:
    """The fragment as a YAML file with a comment header (a scenario ``extends`` it)."""
    lines = [f"# {h}" if h else "#" for h in header]
    body = yaml.safe_dump({"violations": frag}, sort_keys=False, allow_unicode=True, width=88)
    return "\n".join(lines) + "\n" + body


def _num(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:.{digits}g}"


def _ci(low: Any, high: Any, digits: int = 3) -> str:
    if low is None or not (math.isfinite(low) and math.isfinite(high)):
        return "not available"
    return f"{_num(low, digits)} – {_num(high, digits)}"


def _hotspots(fit: FitResult) -> list[str]:
    h = fit.hotspots
    c = h["concentration"]
    out = [
        "### Hot spots",
        "",
        f"{h['events']} events at {len(h['rows'])} sectors. Weight = (events + 1/2), "
        "normalised; interval: Jeffreys 95% interval of the sector's share.",
        "",
        "| sector | events | weight | 95% interval of share |",
        "|---|---|---|---|",
    ]
    for r in h["rows"]:
        out.append(
            f"| {r['node']} | {r['events']} | {r['weight']:.3f} | "
            f"{_ci(r['share_low'], r['share_high'])} |"
        )
    out += [
        "",
        f"Concentration: the 5 busiest sectors hold {c['top_share']:.1%} of events; "
        f"Herfindahl index {c['hhi']:.3f}; Gini {c['gini']:.3f}.",
        "",
    ]
    return out


def _profile(p: dict[str, Any] | None, title: str) -> list[str]:
    if p is None:
        return [f"### {title}", "", "Not estimable: the log gives dates only.", ""]
    kept = "written to the fragment" if p["p_value"] < 0.05 else "flat (not written)"
    out = [
        f"### {title}",
        "",
        f"Pearson chi-square of a flat profile: {p['chi2']:.1f} on {p['dof']} d.o.f., "
        f"p = {p['p_value']:.3f}: {kept}.",
        "",
        "| | " + " | ".join(p["labels"]) + " |",
        "|---|" + "---|" * len(p["labels"]),
        "| events | " + " | ".join(str(e) for e in p["events"]) + " |",
        "| relative rate | " + " | ".join(f"{w:.2f}" for w in p["weight"]) + " |",
        "| 95% interval | "
        + " | ".join(f"{a:.2f}–{b:.2f}" for a, b in zip(p["low"], p["high"]))
        + " |",
        "",
    ]
    return out


def _regimes(fit: FitResult) -> list[str]:
    r = fit.regimes
    out = [
        "### Regimes (maximum likelihood)",
        "",
        "A Poisson hidden Markov model of the daily counts; the number of regimes with the "
        "smallest BIC is chosen.",
        "",
        "| regimes | log-likelihood | parameters | AIC | BIC |",
        "|---|---|---|---|---|",
    ]
    for c in fit.candidates:
        mark = " (chosen)" if c.k == r.k else ""
        out.append(f"| {c.k}{mark} | {c.loglik:.2f} | {c.n_params} | {c.aic:.1f} | {c.bic:.1f} |")
    out.append("")
    if r.k == 1:
        out += ["One regime: the rate does not switch (no regimes written).", ""]
        return out
    d, iv = r.derived(), r.intervals()
    out += [
        "| regime | events/day | multiplier (95% CI) | mean duration, days (95% CI) | "
        "long-run share (95% CI) | next |",
        "|---|---|---|---|---|---|",
    ]
    for i, name in enumerate(r.names):
        nxt = ", ".join(
            f"{r.names[j]} {d['next'][i][j]:.2f}" for j in range(r.k) if j != i and d["next"][i][j]
        )
        out.append(
            f"| {name} | {d['rate'][i]:.3f} | {d['multiplier'][i]:.2f} "
            f"({_ci(iv['multiplier'][0][i], iv['multiplier'][1][i])}) | "
            f"{d['mean_days'][i]:.1f} ({_ci(iv['mean_days'][0][i], iv['mean_days'][1][i])}) | "
            f"{d['share'][i]:.2f} ({_ci(iv['share'][0][i], iv['share'][1][i])}) | {nxt} |"
        )
    return out + [""]


def _escalation(fit: FitResult) -> list[str]:
    e = fit.escalation
    p = e["pairs"]
    verdict = (
        "identified (the interval excludes 0): written to the fragment"
        if e["identified"]
        else "not identified (the interval reaches 0): not written"
    )
    return [
        "### Escalation (method of moments)",
        "",
        f"Pairs of events within a day of each other: {int(p['same'])} at one sector, "
        f"{int(p['neighbour'])} at neighbouring sectors, {int(p['all'])} in all, among "
        f"{int(p['events'])} events. Branching ratio (children within a day) "
        f"{_num(e['branching_ratio'])} ({_ci(*e['branching_ratio_interval'])}), neighbour "
        f"share {_num(e['neighbour_share'])} ({_ci(*e['neighbour_share_interval'])}): "
        f"{verdict}. Intervals: bootstrap of whole weeks.",
        "",
    ]


def _gof(gof: dict[str, Any], source: str = "from the fit at the data's rate") -> list[str]:
    out = [
        "## Goodness of fit",
        "",
        f"{gof['replications']} logs simulated {source} over the data's days. p: two-sided "
        "rank of the data among the simulated logs; z: distance of the data from the "
        "simulated mean in simulated standard deviations.",
        "",
        "| statistic | data | simulated mean | 95% of simulated | p | z |",
        "|---|---|---|---|---|---|",
    ]
    for key, label in GOF_ROWS:
        row = gof["rows"].get(key)
        if row is None:
            continue
        out.append(
            f"| {label} | {_num(row['data'])} | {_num(row['mean'])} | "
            f"{_ci(row['low'], row['high'])} | {_num(row['p'], 2)} | {_num(row['z'], 2)} |"
        )
    return out + [""]


def markdown(
    fit: FitResult, gof: dict[str, Any], frag_text: str, header: list[str], figures: list[str]
) -> str:
    """The goodness-of-fit page."""
    s = fit.series
    out = [
        "# Fit of an event log",
        "",
        *[h for h in header if h],
        "",
        f"{s.days} days from {s.start:%Y-%m-%d}; {int(s.counts.sum())} events, "
        f"{fit.rate_per_day:.4g} per day.",
        "",
        "## Estimates",
        "",
        *_hotspots(fit),
        *_profile(fit.week, "Day of the week"),
        *_profile(fit.hours, "Hour of the day"),
        *_regimes(fit),
        *_escalation(fit),
        *[f"Note: {n}" for n in fit.notes],
        "",
        *_gof(gof),
    ]
    for name in figures:
        out += [f"![{name}](figures/{name}.png)", ""]
    out += ["## The scenario fragment (fit.yaml)", "", "```yaml", frag_text.rstrip(), "```", ""]
    return "\n".join(out)


def estimates(fit: FitResult, gof: dict[str, Any], frag: dict[str, Any]) -> dict[str, Any]:
    """Every estimate and interval, and the comparison rows, as plain data (fit.json)."""
    r = fit.regimes
    iv = r.intervals()
    d = r.derived()
    return {
        "version": __version__,
        "days": fit.series.days,
        "events": int(fit.series.counts.sum()),
        "rate_per_day": fit.rate_per_day,
        "hotspots": fit.hotspots,
        "week": fit.week,
        "hours": fit.hours,
        "regimes": {
            "chosen": r.k,
            "names": list(r.names),
            "candidates": [
                {"k": c.k, "loglik": c.loglik, "aic": c.aic, "bic": c.bic} for c in fit.candidates
            ],
            **{k: np.asarray(v).tolist() for k, v in d.items()},
            "intervals": {
                k: [np.asarray(a).tolist(), np.asarray(b).tolist()] for k, (a, b) in iv.items()
            },
        },
        "escalation": fit.escalation,
        "goodness_of_fit": gof["rows"],
        "fragment": frag,
        "notes": fit.notes,
    }


def write_fit(
    out_dir: str | Path,
    fit: FitResult,
    gof: dict[str, Any],
    frag: dict[str, Any],
    header: list[str],
) -> Path:
    """Write the fit directory (module docstring) atomically."""
    text = fragment_text(frag, header)
    data = plot_data(fit, gof)
    s = fit.series
    note = f"{s.days} days from {s.start:%Y-%m-%d}, {gof['replications']} simulated logs"
    with atomic_dir(out_dir) as tmp:
        (tmp / "figures").mkdir()
        names = []
        for name, plot in FIT_FIGURES.items():
            save(plot(data, note=note), tmp / "figures" / f"{name}.png")
            names.append(name)
        (tmp / "fit.yaml").write_text(text, encoding="utf-8")
        (tmp / "fit.json").write_text(json_text(estimates(fit, gof, frag)), encoding="utf-8")
        page = markdown(fit, gof, text, header, names)
        (tmp / "goodness_of_fit.md").write_text(page, encoding="utf-8")
    return Path(out_dir)


CHECK_FIGURES = ("dispersion", "autocorrelation", "concentration", "gaps")


def check_plot_data(series, chk: dict[str, Any]) -> dict[str, Any]:
    """Plain data of the comparison figures for ``cfsim fit --check``."""
    data, runs = chk["data"], chk["simulated"]
    keys = ("dispersion", "weekly_dispersion", "monthly_dispersion", "p95_over_median")
    keys += ("top5_share", "hhi", "gini")
    return {
        "data": {k: data[k] for k in keys},
        "sim": {k: np.array([x[k] for x in runs], dtype=float) for k in keys},
        "sim_mean": {k: _finite_mean([x[k] for x in runs]) for k in keys},
        "lags": list(ACF_LAGS),
        "data_acf": data["acf"],
        "sim_acf": np.array([x["acf"] for x in runs]),
        "theory": None,
        "node_counts": data["node_counts"],
        "sim_node_counts": np.array([x["node_counts"] for x in runs]),
        "data_gaps": data["gaps"],
        "sim_gaps": [x["gaps"] for x in runs],
    }


def write_check(out_dir: str | Path, series, chk: dict[str, Any], header: list[str]) -> Path:
    """The page of ``cfsim fit --check``: the comparison table and figures."""
    data = check_plot_data(series, chk)
    note = f"{series.days} days from {series.start:%Y-%m-%d}, {chk['replications']} simulated logs"
    with atomic_dir(out_dir) as tmp:
        (tmp / "figures").mkdir()
        for name in CHECK_FIGURES:
            save(FIT_FIGURES[name](data, note=note), tmp / "figures" / f"{name}.png")
        source = "from the scenario, thinned to the log's size,"
        lines = [
            "# A log against a scenario",
            "",
            *[h for h in header if h],
            "",
            *_gof(chk, source),
        ]
        lines += [f"![{n}](figures/{n}.png)\n" for n in CHECK_FIGURES]
        (tmp / "goodness_of_fit.md").write_text("\n".join(lines), encoding="utf-8")
        rows = {"thinning": chk["thinning"], "rows": chk["rows"], "version": __version__}
        (tmp / "check.json").write_text(json_text(rows), encoding="utf-8")
    return Path(out_dir)
