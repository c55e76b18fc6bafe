"""Ground-truth violations: a self-exciting point process over the graph.

Background (immigrant) violations arrive as a non-homogeneous Poisson
process with a daily profile of 24 hourly weights, at sector nodes chosen by
hot-spot weight. Each violation triggers a Poisson(``branching_ratio``)
number of further violations after an exponential delay, at the same sector
or a neighbouring one, by the same side or (retaliation) the other: the
cluster (branching) representation of a Hawkes process, so the mean cluster
size is ``1 / (1 - branching_ratio)``. Long-range strikes on rear targets
are a separate Poisson process without escalation.

Everything is drawn up front with numpy from the violation streams, before
the center runs, so two configurations with the same seed see the same
violations.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from ..scenario.schema import ViolationsSpec

SIDE_CODES = {"RU": 0, "UA": 1}
STRIKE_TYPE = "long_range_strike"


@dataclass(frozen=True)
class TypeTable:
    """Violation types as arrays indexed by type code: line types sorted by name,
    then the strike type."""

    names: list[str]
    share: np.ndarray
    severity: np.ndarray
    half_life: np.ndarray
    attributable: np.ndarray

    @classmethod
    def from_spec(cls, spec: ViolationsSpec) -> "TypeTable":
        # Sorted by name, so the order of keys in the file cannot change results.
        line = sorted(spec.types)
        names = line + [STRIKE_TYPE]
        lr = spec.long_range_strikes
        rows = [
            (
                spec.types[n].share,
                spec.types[n].severity,
                spec.types[n].evidence_half_life,
                spec.types[n].attributable,
            )
            for n in line
        ]
        rows.append((0.0, lr.severity, lr.evidence_half_life, lr.attributable))
        arr = np.array(rows, dtype=float)
        return cls(names, arr[:, 0], arr[:, 1].astype(np.int64), arr[:, 2], arr[:, 3])


def poisson_profile_times(
    rate_per_day: float, profile: list[float], horizon: float, rng: np.random.Generator
) -> np.ndarray:
    """Arrival times (minutes) of a Poisson process with an hourly daily profile.

    The rate in hour ``h`` of every day is ``rate_per_day * profile[h] /
    sum(profile)`` per hour; the result is sorted and lies in ``[0, horizon)``.

    Examples
    --------
    >>> t = poisson_profile_times(24.0, [1.0] * 24, 1440.0, np.random.default_rng(0))
    >>> bool(((t >= 0) & (t < 1440)).all())
    True
    """
    if rate_per_day <= 0 or horizon <= 0:
        return np.empty(0)
    w = np.asarray(profile, dtype=float)
    per_hour = rate_per_day * w / w.sum()
    slots = int(np.ceil(horizon / 60.0))
    lam = np.tile(per_hour, slots // 24 + 1)[:slots]
    counts = rng.poisson(lam)
    starts = np.repeat(np.arange(slots) * 60.0, counts)
    times = starts + rng.random(starts.size) * 60.0
    times = times[times < horizon]
    times.sort(kind="stable")
    return times


def sector_neighbours(graph: nx.Graph, nodes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Padded neighbour table of sectors: ``(table, degree)`` by node index.

    ``table[j, :degree[j]]`` are the node indices of sector neighbours of
    node ``j``; a sector without sector neighbours has itself as its only
    neighbour, so escalation stays on it.
    """
    index = {n: i for i, n in enumerate(nodes)}
    kinds = nx.get_node_attributes(graph, "kind")
    lists = []
    for n in nodes:
        nb = [index[m] for m in graph.neighbors(n) if kinds[m] == "sector"]
        lists.append(nb or [index[n]])
    width = max(len(x) for x in lists)
    table = np.zeros((len(nodes), width), dtype=np.int64)
    deg = np.zeros(len(nodes), dtype=np.int64)
    for j, nb in enumerate(lists):
        table[j, : len(nb)] = nb
        deg[j] = len(nb)
    return table, deg


def _line_setup(spec: ViolationsSpec, graph: nx.Graph, nodes: list[str], types: TypeTable):
    """Sector indices with their weights, and the perpetrator and type probabilities."""
    index = {n: i for i, n in enumerate(nodes)}
    sector_idx = np.array([index[n] for n, k in graph.nodes(data="kind") if k == "sector"])
    w = np.array([spec.hotspots.get(nodes[j], graph.nodes[nodes[j]]["weight"]) for j in sector_idx])
    perp_p = np.array([spec.perpetrator.get("RU", 0.0), spec.perpetrator.get("UA", 0.0)])
    line_types = len(types.names) - 1
    type_p = types.share[:line_types] / types.share[:line_types].sum()
    return index, sector_idx, w, perp_p, type_p


def _background(spec, types, index, sector_idx, w, perp_p, type_p, horizon, rng):
    """Background violations plus the scripted ones, sorted by time:
    ``(time, node, perpetrator, type)``."""
    line_types = len(types.names) - 1
    t0 = poisson_profile_times(spec.rate_per_day, spec.time_of_day, horizon, rng)
    n0 = t0.size
    if n0 and w.sum() > 0:
        node0 = sector_idx[rng.choice(sector_idx.size, size=n0, p=w / w.sum())]
    else:
        node0 = np.zeros(0, dtype=np.int64)
        t0 = t0[:0]
        n0 = 0
    perp0 = rng.choice(2, size=n0, p=perp_p)
    type0 = rng.choice(line_types, size=n0, p=type_p)
    if spec.scripted:
        t0 = np.concatenate([t0, [s.time for s in spec.scripted]])
        node0 = np.concatenate([node0, [index[s.node] for s in spec.scripted]]).astype(np.int64)
        perp0 = np.concatenate([perp0, [SIDE_CODES[s.perpetrator] for s in spec.scripted]])
        type0 = np.concatenate([type0, [types.names.index(s.type) for s in spec.scripted]])
        order = np.argsort(t0, kind="stable")
        t0, node0, perp0, type0 = t0[order], node0[order], perp0[order], type0[order]
    return t0, node0, perp0, type0


def _escalation(spec, graph, nodes, type_p, line_types, roots, horizon, rng):
    """Every generation of triggered violations (cluster representation) after ``roots``.

    Returns lists of arrays per generation: times, nodes, perpetrators,
    types and parent ids (ids are assigned in creation order, roots first;
    only children before the horizon are kept).
    """
    esc = spec.escalation
    t0, node0, perp0, type0 = roots
    out: tuple[list, list, list, list, list] = ([], [], [], [], [])
    if esc.branching_ratio <= 0 or not t0.size:
        return out
    table, deg = sector_neighbours(graph, nodes)
    gen_t, gen_node, gen_perp, gen_id = t0, node0, perp0, np.arange(t0.size)
    strike = type0 == line_types  # scripted strikes do not escalate along the line
    total = t0.size
    while gen_t.size:
        kids = rng.poisson(esc.branching_ratio, gen_t.size)
        kids[strike] = 0
        par = np.repeat(np.arange(gen_t.size), kids)
        k = par.size
        if k == 0:
            break
        ct = gen_t[par] + rng.exponential(esc.decay, k)
        move = rng.random(k) < esc.neighbour_share
        pick = (rng.random(k) * deg[gen_node[par]]).astype(np.int64)
        cnode = np.where(move, table[gen_node[par], pick], gen_node[par])
        flip = rng.random(k) < esc.retaliation
        cperp = np.where(flip, 1 - gen_perp[par], gen_perp[par])
        ctype = rng.choice(line_types, size=k, p=type_p)
        keep = ct < horizon
        kept = int(keep.sum())
        gen_t, gen_node, gen_perp = ct[keep], cnode[keep], cperp[keep]
        strike = np.zeros(gen_t.size, dtype=bool)
        for lst, arr in zip(out, (gen_t, gen_node, gen_perp, ctype[keep], gen_id[par][keep])):
            lst.append(arr)
        gen_id = np.arange(total, total + kept)
        total += kept
    return out


def _strikes(spec, graph, nodes, index, perp_p, horizon, rng):
    """Long-range strikes on rear targets: ``(time, node, perpetrator)``; the
    perpetrator is the side that does not hold the target."""
    lr = spec.long_range_strikes
    ts = poisson_profile_times(lr.rate_per_day, lr.time_of_day, horizon, rng)
    targets = np.array(
        [index[n] for n, sw in graph.nodes(data="strike_weight") if sw > 0], dtype=np.int64
    )
    if not (ts.size and targets.size):
        return ts[:0], np.zeros(0, np.int64), np.zeros(0, np.int64)
    sw = np.array([graph.nodes[nodes[j]]["strike_weight"] for j in targets])
    snode = targets[rng.choice(targets.size, size=ts.size, p=sw / sw.sum())]
    side = np.array([graph.nodes[nodes[j]]["side"] for j in snode])
    other = rng.choice(2, size=ts.size, p=perp_p)
    sperp = np.where(side == "UA", 0, np.where(side == "RU", 1, other))
    return ts, snode, sperp


def generate(
    spec: ViolationsSpec,
    graph: nx.Graph,
    nodes: list[str],
    horizon: float,
    rng_background: np.random.Generator,
    rng_escalation: np.random.Generator,
    rng_strikes: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Draw the ground-truth violations of one replication.

    Parameters
    ----------
    spec : ViolationsSpec
    graph : networkx.Graph
        Normalised network.
    nodes : list of str
        Node order; ``node`` columns index it.
    horizon : float
        Minutes; violations at or after it are not drawn.
    rng_background, rng_escalation, rng_strikes : numpy.random.Generator
        Separate streams, so changing one part leaves the others' draws alone.

    Returns
    -------
    dict of numpy arrays
        Columns ``violation, time, node, type, severity, perpetrator,
        affected, parent, strike``, sorted by time.
    """
    types = TypeTable.from_spec(spec)
    line_types = len(types.names) - 1
    index, sector_idx, w, perp_p, type_p = _line_setup(spec, graph, nodes, types)
    roots = _background(spec, types, index, sector_idx, w, perp_p, type_p, horizon, rng_background)
    esc = _escalation(spec, graph, nodes, type_p, line_types, roots, horizon, rng_escalation)
    ts, snode, sperp = _strikes(spec, graph, nodes, index, perp_p, horizon, rng_strikes)
    t0, node0, perp0, type0 = roots
    times = [t0, *esc[0], ts]
    where = [node0, *esc[1], snode]
    perps = [perp0, *esc[2], sperp]
    tys = [type0, *esc[3], np.full(ts.size, line_types, dtype=np.int64)]
    parents = [np.full(t0.size, -1, dtype=np.int64), *esc[4], np.full(ts.size, -1, dtype=np.int64)]

    t = np.concatenate(times)
    order = np.argsort(t, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    parent = np.concatenate(parents)[order]
    parent = np.where(parent >= 0, rank[np.maximum(parent, 0)], -1)
    typ = np.concatenate(tys).astype(np.int64)[order]
    perp = np.concatenate(perps).astype(np.int64)[order]
    return {
        "violation": np.arange(order.size, dtype=np.int64),
        "time": t[order],
        "node": np.concatenate(where).astype(np.int64)[order],
        "type": typ,
        "severity": types.severity[typ],
        "perpetrator": perp,
        "affected": 1 - perp,
        "parent": parent,
        "strike": typ == line_types,
    }
