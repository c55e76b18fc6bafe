"""Reporting channels: which violations reach the center, when, and at which desk.

Each channel (affected side, accused side, technical means, civilians and
media) reports each violation independently with its detection chance (for
technical means times the sensor coverage of the node), after a delay drawn
from its distribution. False reports arrive as a Poisson process per party.
Like violations, reports are drawn up front from their own streams; delays
are drawn for every violation whether or not it is detected, so changing a
detection chance does not shift anyone else's delay (common random numbers).
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from ..records import CHANNELS, FALSE_CHANNEL, PARTIES
from ..scenario.schema import ChannelSpec, ReportingSpec, ViolationsSpec
from .violations import TypeTable, poisson_profile_times

_PARTY = {p: i for i, p in enumerate(PARTIES)}
CIVILIAN_SENDER = 3


def _desk(rule: str, affected: np.ndarray, perpetrator: np.ndarray) -> np.ndarray:
    if rule == "affected":
        return affected.copy()
    if rule == "accused":
        return perpetrator.copy()
    return np.full(affected.size, _PARTY[rule], dtype=np.int64)


def _detection(spec: ChannelSpec, types: TypeTable, typ: np.ndarray) -> np.ndarray:
    p = np.full(len(types.names), spec.detection)
    for name, value in spec.by_type.items():
        p[types.names.index(name)] = value
    return p[typ]


def generate(
    spec: ReportingSpec,
    vspec: ViolationsSpec,
    violations: dict[str, np.ndarray],
    graph: nx.Graph,
    nodes: list[str],
    horizon: float,
    rngs: dict[str, np.random.Generator],
) -> dict[str, np.ndarray]:
    """Draw every report of one replication, sorted by arrival time.

    Parameters
    ----------
    spec, vspec : ReportingSpec, ViolationsSpec
    violations : dict of numpy arrays
        From :func:`sim.violations.generate`.
    graph, nodes : the network and its node order.
    horizon : float
        Reports arriving at or after it are not drawn (minutes).
    rngs : dict
        One generator per channel name and ``"false"``.

    Returns
    -------
    dict of numpy arrays
        Columns ``report, arrival, violation (-1 if false), channel, sender,
        desk, node, event_time, type, severity, false``.
    """
    types = TypeTable.from_spec(vspec)
    parts = [
        _channel_reports(
            ci, name, getattr(spec.channels, name), violations, types, nodes, horizon, rngs[name]
        )
        for ci, name in enumerate(CHANNELS[:FALSE_CHANNEL])
    ]
    parts += _false_reports(spec, vspec, graph, nodes, types, horizon, rngs["false"])
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((cols["violation"], cols["channel"], cols["arrival"]))
    out = {k: v[order] for k, v in cols.items()}
    m = out["arrival"].size
    out = {"report": np.arange(m, dtype=np.int64), **out}
    out["severity"] = types.severity[out["type"]]
    out["false"] = out["channel"] == FALSE_CHANNEL
    return out


def _channel_reports(
    ci: int,
    name: str,
    ch: ChannelSpec,
    violations: dict[str, np.ndarray],
    types: TypeTable,
    nodes: list[str],
    horizon: float,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """The reports one channel makes of the violations (before the horizon)."""
    n = violations["time"].size
    u = rng.random(n)
    delay = ch.delay.sample(rng, n)
    p = _detection(ch, types, violations["type"])
    if name == "technical":
        cov = np.array([ch.coverage.get(node, ch.default_coverage) for node in nodes], dtype=float)
        p = p * cov[violations["node"]]
    arrival = violations["time"] + delay
    keep = (u < p) & (arrival < horizon)
    if name == "affected":
        sender = violations["affected"]
    elif name == "accused":
        sender = violations["perpetrator"]
    elif name == "technical":
        sender = np.full(n, _PARTY["US"], dtype=np.int64)
    else:
        sender = np.full(n, CIVILIAN_SENDER, dtype=np.int64)
    desk = _desk(ch.desk, violations["affected"], violations["perpetrator"])
    return {
        "arrival": arrival[keep],
        "violation": violations["violation"][keep],
        "channel": np.full(int(keep.sum()), ci, dtype=np.int64),
        "sender": sender[keep],
        "desk": desk[keep],
        "node": violations["node"][keep],
        "event_time": violations["time"][keep],
        "type": violations["type"][keep],
    }


def _false_reports(spec, vspec, graph, nodes, types, horizon, rng) -> list[dict[str, np.ndarray]]:
    """False reports of each party, at sectors weighted like real violations."""
    fr = spec.false_reports
    index = {nm: i for i, nm in enumerate(nodes)}
    sector_idx = np.array([index[x] for x, k in graph.nodes(data="kind") if k == "sector"])
    w = np.array(
        [vspec.hotspots.get(nodes[j], graph.nodes[nodes[j]]["weight"]) for j in sector_idx]
    )
    line_types = len(types.names) - 1
    type_p = types.share[:line_types] / types.share[:line_types].sum()
    parts = []
    for side in ("RU", "UA"):
        rate = fr.rate_per_day.get(side, 0.0)
        t = poisson_profile_times(rate, vspec.time_of_day, horizon, rng)
        k = t.size
        if k == 0 or w.sum() <= 0:
            continue
        lag = fr.lag.sample(rng, k)
        party = _PARTY[side]
        parts.append(
            {
                "arrival": t,
                "violation": np.full(k, -1, dtype=np.int64),
                "channel": np.full(k, FALSE_CHANNEL, dtype=np.int64),
                "sender": np.full(k, party, dtype=np.int64),
                "desk": np.full(k, party, dtype=np.int64),
                "node": sector_idx[rng.choice(sector_idx.size, size=k, p=w / w.sum())],
                "event_time": np.maximum(t - lag, 0.0),
                "type": rng.choice(line_types, size=k, p=type_p),
            }
        )
    return parts
