"""The teams against exact answers: travel on shortest paths, the evidence-decay curve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from ... import records as R
from ...engine import run_replication
from ...world import scenario_from_dict
from ..experiment import Job, make_jobs, simulate
from ..parallel import map_ordered
from .checks import ROOT, Check, binomial, exact

DECAY_SEEDS = {180.0: 401, 540.0: 402}  # preparation minutes -> the row's own seed


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
            exact(
                "Travel",
                f"base B → {target}: {km:g} km by hand, at 60 km/h",
                path_km / 60.0 * 60.0,
                travel,
                "min",
                "one mission",
            )
        )
        out.append(
            exact("Travel", f"base B → {target}: networkx length vs hand", km, float(path_km), "")
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
    Each row is 8 replications of 60 days (about 19,000 visits) with its own seed.
    """
    out = []
    half = 360.0  # 6 h
    for prep_min in (180.0, 540.0):  # ages 6 h and 12 h = 1 and 2 half-lives
        seed = DECAY_SEEDS[prep_min]
        data = {
            "name": "decay",
            "seed": seed,
            "horizon": "60d",
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
        res = map_ordered(_decay_job, make_jobs(loaded, seed, range(8)), workers=workers)
        hits, n = sum(x["hits"] for x in res), sum(x["n"] for x in res)
        age = 120.0 + 60.0 + prep_min
        p = 0.9 * 0.5 ** (age / half)
        out.append(
            binomial(
                "Evidence decay",
                f"age {age / 60:g} h, half-life 6 h: verified fraction",
                p,
                hits,
                n,
                seed=seed,
                size=f"8 × 60 d: {n:,} visits",
            )
        )
    return out
