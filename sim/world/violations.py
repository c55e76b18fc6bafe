"""Ground-truth violations: a self-exciting point process over the graph.

Background (immigrant) violations arrive as a non-homogeneous Poisson
process with a daily profile of 24 hourly weights, at sector nodes chosen by
hot-spot weight. Each violation triggers a Poisson(``branching_ratio``)
number of further violations after an exponential delay, at the same sector
or a neighbouring one, by the same side or (retaliation) the other: the
cluster (branching) representation of a Hawkes process, so the mean cluster
size is ``1 / (1 - branching_ratio)``. Long-range strikes on rear targets
are a separate Poisson process without escalation; scripted violations are
added at fixed times and places and escalate like the others.

Every draw belongs to a violation (see :mod:`sim.world.streams`): the i-th
background violation's sector, type and side, its children and theirs, all
come from keyed streams, so scripted violations, strikes or a different
horizon leave every other violation and its escalation exactly as it was,
and generating the horizon in chunks gives the same violations as in one go.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from ..records import SIDES
from ..scenario.calendar import Calendar
from ..scenario.violations import ViolationsSpec
from .eventlog import EventTable
from .intensity import (
    ModulatedProfile,
    Multiplier,
    noise_multiplier,
    regime_multiplier,
    schedule_multiplier,
    weekday_multiplier,
)
from .streams import BACKGROUND, LINE, REGION, REPLAYED, SCRIPTED, STRIKE, Stream, child_key
from .streams import stable_id

SIDE_CODES = {s: i for i, s in enumerate(SIDES)}
STRIKE_TYPE = "long_range_strike"
COLUMNS = (
    "violation",
    "key",
    "time",
    "node",
    "type",
    "severity",
    "perpetrator",
    "affected",
    "parent",
    "strike",
)


@dataclass(frozen=True)
class TypeTable:
    """Violation types as arrays indexed by type code: line types sorted by name,
    then the strike type."""

    names: list[str]
    share: np.ndarray
    severity: np.ndarray
    half_life: np.ndarray
    attributable: np.ndarray
    sizes: tuple = ()  # size distribution (or None: 1) by type code

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
        sizes = tuple(spec.types[n].size for n in line) + (None,)
        return cls(names, arr[:, 0], arr[:, 1].astype(np.int64), arr[:, 2], arr[:, 3], sizes)

    def draw_sizes(self, typ: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Sizes of violations of types ``typ`` by inversion of their uniforms ``u``."""
        out = np.ones(typ.size, dtype=np.int64)
        for code, dist in enumerate(self.sizes):
            here = typ == code
            if dist is not None and here.any():
                out[here] = dist.ppf(u[here])
        return out

    @property
    def line_types(self) -> int:
        """Number of line types (the strike type's code)."""
        return len(self.names) - 1


class DailyProfile:
    """A Poisson rate that repeats every day: ``rate_per_day`` spread over 24 hourly weights.

    Its cumulative intensity ``Λ(t)`` (expected events by time ``t``) and the
    inverse turn unit-rate arrivals into arrivals of this process.

    Examples
    --------
    >>> p = DailyProfile(48.0, [0.0] * 12 + [1.0] * 12)   # 48 a day, afternoons only
    >>> float(p.cumulative(np.array([720.0, 1440.0]))[1])
    48.0
    >>> float(p.inverse(np.array([24.0]))[0])                # half of the day's events by 18:00
    1080.0
    """

    def __init__(self, rate_per_day: float, profile: list[float]):
        w = np.asarray(profile, dtype=float)
        self.rate_per_day = float(rate_per_day)
        self.per_hour = self.rate_per_day * w / w.sum()
        self.cum = np.concatenate([[0.0], np.cumsum(self.per_hour)])  # at each hour's start

    def cumulative(self, t: np.ndarray) -> np.ndarray:
        day, rest = np.divmod(np.asarray(t, dtype=float), 1440.0)
        h = np.minimum((rest // 60.0).astype(np.int64), 23)
        return day * self.rate_per_day + self.cum[h] + self.per_hour[h] * (rest - 60.0 * h) / 60.0

    def inverse(self, s: np.ndarray) -> np.ndarray:
        day, rest = np.divmod(np.asarray(s, dtype=float), self.rate_per_day)
        h = np.clip(np.searchsorted(self.cum, rest, side="right") - 1, 0, 23)
        # no event falls in an hour without rate: searchsorted skips those hours
        frac = (rest - self.cum[h]) / np.where(self.per_hour[h] > 0, self.per_hour[h], 1.0)
        return day * 1440.0 + 60.0 * h + 60.0 * np.clip(frac, 0.0, 1.0)


_BLOCK = 1024  # unit-rate gaps drawn at a time


class Arrivals:
    """The arrivals of the Poisson process ``profile``, window by window.

    The i-th arrival (counting from time 0) is at ``Λ⁻¹(E_0 + ... + E_i)``,
    where ``E_k`` is the unit exponential of ``gaps`` keyed by ``k``; so the
    arrivals of a window are the same whether the horizon is drawn at once
    or window by window.

    Examples
    --------
    >>> p = DailyProfile(100.0, [1.0] * 24)
    >>> whole = Arrivals(p, Stream(1, 0, "g")).until(2880.0)
    >>> a = Arrivals(p, Stream(1, 0, "g"))
    >>> parts = np.concatenate([a.until(1000.0), a.until(2880.0)])
    >>> bool(np.array_equal(whole, parts))
    True
    """

    def __init__(self, profile: DailyProfile | ModulatedProfile, gaps: Stream, owner=None):
        self.profile = profile
        self.gaps = gaps
        self.owner = owner  # the k-th gap is keyed by k, or by child_key(owner, k)
        self.drawn = 0  # gaps drawn so far
        self.sums = np.empty(0)  # cumulative sums drawn but not yet emitted
        self.last = 0.0  # the last cumulative sum drawn
        self.count = 0  # arrivals emitted so far

    def until(self, end: float) -> np.ndarray:
        """Arrival times from the previous window's end up to ``end`` (sorted)."""
        if self.profile.rate_per_day <= 0 or end <= 0:
            return np.empty(0)
        target = float(self.profile.cumulative(np.array([end]))[0])
        parts = [self.sums]
        while self.last < target:
            # fixed blocks, so the sums are the same whatever windows are asked for
            keys = np.arange(self.drawn, self.drawn + _BLOCK, dtype=np.uint64)
            if self.owner is not None:
                keys = child_key(self.owner, keys)
            sums = self.last + np.cumsum(-np.log1p(-self.gaps.uniform(keys)))
            parts.append(sums)
            self.drawn += _BLOCK
            self.last = float(sums[-1])
        sums = np.concatenate(parts)
        k = int(np.searchsorted(sums, target, side="left"))
        self.sums = sums[k:]
        self.count += k
        return self.profile.inverse(sums[:k])


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


class _Batch:
    """Violations as parallel arrays: key, time, node, perpetrator, type, parent key and
    size (0: drawn from the type when emitted)."""

    COLS = ("key", "time", "node", "perp", "type", "parent", "size")

    def __init__(self, key, time, node, perp, typ, parent, size=None):
        self.key = np.asarray(key, dtype=np.uint64)
        self.time = np.asarray(time, dtype=float)
        self.node = np.asarray(node, dtype=np.int64)
        self.perp = np.asarray(perp, dtype=np.int64)
        self.type = np.asarray(typ, dtype=np.int64)
        self.parent = np.asarray(parent, dtype=np.uint64)  # 0: none
        self.size = (
            np.zeros(self.key.size, np.int64) if size is None else np.asarray(size, np.int64)
        )

    @classmethod
    def join(cls, parts: list["_Batch"]) -> "_Batch":
        if not parts:
            return cls(*(np.empty(0) for _ in range(7)))
        return cls(*(np.concatenate([getattr(p, c) for p in parts]) for c in cls.COLS))

    def take(self, index: np.ndarray) -> "_Batch":
        """The rows selected by a mask or an index array."""
        return _Batch(*(getattr(self, c)[index] for c in self.COLS))

    def __len__(self) -> int:
        return int(self.key.size)


@dataclass(frozen=True)
class Unit:
    """Where background violations are drawn as one process: the whole line, or a region.

    ``owner`` keys the unit's own draws (its arrivals and, for a region, its
    regime chain and noise); ``None`` for the whole line, whose violations keep
    the keys ``child_key(BACKGROUND, i)``.
    """

    name: str | None
    owner: int | None
    sectors: np.ndarray  # node indices
    weights: np.ndarray
    share: float  # of the line's background rate


def region_units(graph: nx.Graph, nodes: list[str], sectors, weights) -> list[Unit]:
    """One unit per region of the sectors (``region`` attribute; '' when missing),
    sorted by name, with its share of the total weight."""
    region = np.array([str(graph.nodes[nodes[j]].get("region", "")) for j in sectors])
    total = float(weights.sum())
    out = []
    for name in sorted(set(region.tolist())):
        here = region == name
        w = weights[here]
        out.append(
            Unit(
                name,
                int(child_key(REGION, stable_id(name))),
                sectors[here],
                w,
                float(w.sum()) / total if total > 0 else 0.0,
            )
        )
    return out


class ViolationModel:
    """The violation process of one scenario on its graph (shared by replications).

    Parameters
    ----------
    spec : ViolationsSpec
    graph : networkx.Graph
    nodes : list of str
        Node order.
    calendar : Calendar, optional
        The scenario's calendar (for the day of the week).
    replay : EventTable, optional
        Events to replay, already read and placed (:func:`sim.world.eventlog.read_events`).
    replay_minutes : numpy.ndarray, optional
        Each replayed event's time, or the start of its day when the log gives dates
        only, in minutes since the start of the run.
    """

    def __init__(
        self,
        spec: ViolationsSpec,
        graph: nx.Graph,
        nodes: list[str],
        calendar: Calendar | None = None,
        replay: EventTable | None = None,
        replay_minutes: np.ndarray | None = None,
    ):
        self.spec = spec
        self.calendar = calendar
        self.types = TypeTable.from_spec(spec)
        index = {n: i for i, n in enumerate(nodes)}
        self.index = index
        self.sectors = np.array([index[n] for n, k in graph.nodes(data="kind") if k == "sector"])
        self.sector_w = np.array(
            [spec.hotspots.get(nodes[j], graph.nodes[nodes[j]]["weight"]) for j in self.sectors]
        )
        self.perp_p = np.array([spec.perpetrator.get(s, 0.0) for s in SIDES])
        lt = self.types.line_types
        self.type_p = self.types.share[:lt] / self.types.share[:lt].sum()
        self.neighbours, self.degree = sector_neighbours(graph, nodes)
        self.targets = np.array(
            [index[n] for n, sw in graph.nodes(data="strike_weight") if sw > 0], dtype=np.int64
        )
        self.target_w = np.array([graph.nodes[nodes[j]]["strike_weight"] for j in self.targets])
        side = [graph.nodes[nodes[j]]["side"] for j in self.targets]
        # the perpetrator of a strike is the side that does not hold the target (-1: drawn)
        self.target_attacker = np.array(
            [1 - SIDE_CODES[s] if s in SIDE_CODES else -1 for s in side], dtype=np.int64
        )
        self.background = DailyProfile(spec.rate_per_day, spec.time_of_day)
        lr = spec.long_range_strikes
        self.strikes = DailyProfile(lr.rate_per_day, lr.time_of_day)
        if spec.by_region:
            self.units = region_units(graph, nodes, self.sectors, self.sector_w)
        else:
            self.units = [Unit(None, None, self.sectors, self.sector_w, 1.0)]
        self.replay = replay
        self.replay_minutes = replay_minutes

    def static_multiplier(self, unit: Unit, horizon: float) -> Multiplier:
        """The unit's scheduled and day-of-week multipliers (the same in every replication)."""
        return Multiplier.product(
            [
                schedule_multiplier(self.spec.schedule, unit.name),
                weekday_multiplier(self.spec.day_of_week, self.calendar, horizon),
            ]
        )

    def multiplier(self, unit: Unit, horizon: float, seed: int, replication: int) -> Multiplier:
        """The unit's whole rate multiplier in one replication: regimes, noise, schedule
        and day of the week (line-wide chains and noise are shared by every unit)."""
        spec = self.spec
        parts = [self.static_multiplier(unit, horizon)]
        if spec.regimes is not None:
            owner = unit.owner if spec.regimes.scope == "region" and unit.owner else LINE
            parts.append(regime_multiplier(spec.regimes, owner, horizon, seed, replication))
        if spec.noise.sd > 0:
            owner = unit.owner if spec.noise.scope == "region" and unit.owner else LINE
            parts.append(noise_multiplier(spec.noise, owner, horizon, seed, replication))
        return Multiplier.product(parts)


STREAMS = (
    "violation.background.gap",
    "violation.strike.gap",
    "violation.sector",
    "violation.strike.target",
    "violation.perpetrator",
    "violation.type",
    "violation.size",
    "violation.children",
    "violation.child_delay",
    "violation.child_moves",
    "violation.child_neighbour",
    "violation.retaliation",
    "violation.replay.copies",
    "violation.replay.time",
)


class ViolationSource:
    """The violations of one replication, drawn window by window in time order.

    Parameters
    ----------
    model : ViolationModel
    seed, replication : int
        Select the keyed streams.
    horizon : float
        Minutes; nothing at or after it is drawn.
    """

    def __init__(self, model: ViolationModel, seed: int, replication: int, horizon: float):
        self.m = model
        self.horizon = horizon
        self.now = 0.0
        self.next_id = 0
        s = {name: Stream(seed, replication, name) for name in STREAMS}
        self.s = s
        self.pending: list[_Batch] = []  # drawn, not yet emitted (at or after self.now)
        self.ids: dict[int, int] = {}  # key -> id, for parents of pending violations
        spec = model.spec
        gaps = s["violation.background.gap"]
        if not spec.modulated:
            self.bg = [(model.units[0], Arrivals(model.background, gaps))]
        else:
            self.bg = []
            for unit in model.units:
                mult = model.multiplier(unit, horizon, seed, replication)
                profile = ModulatedProfile(
                    spec.rate_per_day * unit.share, spec.time_of_day, mult, horizon
                )
                self.bg.append((unit, Arrivals(profile, gaps, unit.owner)))
        self.struck = Arrivals(model.strikes, s["violation.strike.gap"])
        if spec.scripted:
            keys = child_key(SCRIPTED, np.arange(len(spec.scripted)))
            roots = _Batch(
                keys,
                [v.time for v in spec.scripted],
                [model.index[v.node] for v in spec.scripted],
                [SIDE_CODES[v.perpetrator] for v in spec.scripted],
                [model.types.names.index(v.type) for v in spec.scripted],
                np.zeros(len(spec.scripted)),
                [v.size or 0 for v in spec.scripted],
            )
            self.pending.append(self._with_clusters(roots))
        if model.replay is not None and len(model.replay):
            roots = self._replayed()
            escalate = spec.replay is not None and spec.replay.escalate
            self.pending.append(self._with_clusters(roots) if escalate else roots)

    # ------------------------------------------------------------------ drawing
    def _replayed(self) -> _Batch:
        """The violations of the replayed events: ``scale`` of them per event on average,
        each at its event's node and time (a time of day drawn from the hourly profile
        when the log gives dates only); type, side and size drawn where the log has none."""
        m, s, ev = self.m, self.s, self.m.replay
        scale = m.spec.replay.scale if m.spec.replay is not None else 1.0
        event_key = child_key(REPLAYED, ev.line)
        whole = int(np.floor(scale))
        extra = s["violation.replay.copies"].uniform(event_key) < scale - whole
        copies = whole + extra.astype(np.int64)
        row = np.repeat(np.arange(len(ev)), copies)
        first = np.repeat(np.cumsum(copies) - copies, copies)
        key = child_key(event_key[row], np.arange(row.size) - first)
        t = m.replay_minutes[row].astype(float)
        undated = ~ev.timed[row]
        if undated.any():
            day = DailyProfile(1.0, m.spec.time_of_day)
            u = s["violation.replay.time"].uniform(key[undated])
            t[undated] += day.inverse(u)
        typ = ev.type[row].copy()
        drawn = typ < 0
        typ[drawn] = s["violation.type"].choice(key[drawn], m.type_p)
        perp = ev.perpetrator[row].copy()
        drawn = perp < 0
        perp[drawn] = s["violation.perpetrator"].choice(key[drawn], m.perp_p)
        keep = (t >= 0) & (t < self.horizon)
        batch = _Batch(key, t, ev.node[row], perp, typ, np.zeros(row.size), ev.size[row])
        return batch.take(keep)

    def _roots(self, end: float) -> list[_Batch]:
        m, s = self.m, self.s
        out = []
        for unit, arrivals in self.bg:
            first = arrivals.count
            t = arrivals.until(end)
            if t.size and unit.weights.sum() > 0:
                idx = np.arange(first, first + t.size)
                owner = BACKGROUND if unit.owner is None else unit.owner
                keys = child_key(owner, idx)
                node = unit.sectors[s["violation.sector"].choice(keys, unit.weights)]
                perp = s["violation.perpetrator"].choice(keys, m.perp_p)
                typ = s["violation.type"].choice(keys, m.type_p)
                roots = _Batch(keys, t, node, perp, typ, np.zeros(t.size))
                out.append(self._with_clusters(roots))
        first = self.struck.count
        t = self.struck.until(end)
        if t.size and m.targets.size:
            keys = child_key(STRIKE, np.arange(first, first + t.size))
            pick = s["violation.strike.target"].choice(keys, m.target_w)
            drawn = s["violation.perpetrator"].choice(keys, m.perp_p)
            perp = np.where(m.target_attacker[pick] >= 0, m.target_attacker[pick], drawn)
            typ = np.full(t.size, m.types.line_types)
            out.append(_Batch(keys, t, m.targets[pick], perp, typ, np.zeros(t.size)))
        return out

    def _child_delays(self, key: np.ndarray) -> np.ndarray:
        esc = self.m.spec.escalation
        if esc.delay is None:
            return self.s["violation.child_delay"].exponential(key, esc.decay)
        return self.s["violation.child_delay"].sample(esc.delay, key)

    def _with_clusters(self, roots: _Batch) -> _Batch:
        """The roots and every violation they trigger before the horizon."""
        m, s = self.m, self.s
        esc = m.spec.escalation
        parts = [roots]
        gen = roots
        line = gen.type != m.types.line_types  # strikes do not escalate along the line
        while esc.branching_ratio > 0 and len(gen):
            kids = s["violation.children"].poisson(gen.key, esc.branching_ratio)
            kids[~line] = 0
            par = np.repeat(np.arange(len(gen)), kids)
            if par.size == 0:
                break
            first = np.repeat(np.cumsum(kids) - kids, kids)
            key = child_key(gen.key[par], np.arange(par.size) - first)
            t = gen.time[par] + self._child_delays(key)
            here = gen.node[par]
            move = s["violation.child_moves"].uniform(key) < esc.neighbour_share
            pick = (s["violation.child_neighbour"].uniform(key) * m.degree[here]).astype(np.int64)
            node = np.where(move, m.neighbours[here, pick], here)
            flip = s["violation.retaliation"].uniform(key) < esc.retaliation
            perp = np.where(flip, 1 - gen.perp[par], gen.perp[par])
            typ = s["violation.type"].choice(key, m.type_p)
            keep = t < self.horizon
            gen = _Batch(key[keep], t[keep], node[keep], perp[keep], typ[keep], gen.key[par][keep])
            line = np.ones(len(gen), dtype=bool)
            parts.append(gen)
        return _Batch.join(parts)

    # ------------------------------------------------------------------ emitting
    def until(self, end: float) -> dict[str, np.ndarray]:
        """The violations with time in ``[previous end, end)`` as a table (sorted by time,
        ties by key), numbered on from the previous window."""
        end = min(end, self.horizon)
        batch = _Batch.join(self.pending + self._roots(end))
        due = batch.time < end
        self.pending = [batch.take(~due)]
        b = batch.take(due)
        order = np.lexsort((b.key, b.time))
        key = b.key[order]
        ids = np.arange(self.next_id, self.next_id + key.size, dtype=np.int64)
        self.next_id += key.size
        self.now = end
        self.ids.update(zip(key.tolist(), ids.tolist()))
        parents = b.parent[order].tolist()
        parent = np.array([self.ids.get(p, -1) if p else -1 for p in parents], dtype=np.int64)
        # keep only the ids that violations still to come may ask for
        wanted = set(self.pending[0].parent.tolist())
        self.ids = {k: v for k, v in self.ids.items() if k in wanted}
        typ = b.type[order]
        perp = b.perp[order]
        out = {
            "violation": ids,
            "key": key,
            "time": b.time[order],
            "node": b.node[order],
            "type": typ,
            "severity": self.m.types.severity[typ],
            "perpetrator": perp,
            "affected": 1 - perp,
            "parent": parent,
            "strike": typ == self.m.types.line_types,
        }
        if self.m.spec.sized:
            size = b.size[order]
            drawn = size == 0
            u = self.s["violation.size"].uniform(key[drawn])
            size[drawn] = self.m.types.draw_sizes(typ[drawn], u)
            out["size"] = size
        return out


def generate(
    spec: ViolationsSpec,
    graph: nx.Graph,
    nodes: list[str],
    horizon: float,
    seed: int,
    replication: int = 0,
    calendar: Calendar | None = None,
) -> dict[str, np.ndarray]:
    """Draw the ground-truth violations of one replication (the whole horizon at once).

    Parameters
    ----------
    spec : ViolationsSpec
    graph : networkx.Graph
        Normalised network.
    nodes : list of str
        Node order; ``node`` columns index it.
    horizon : float
        Minutes; violations at or after it are not drawn.
    seed, replication : int
        Select the keyed streams (:mod:`sim.world.streams`).
    calendar : Calendar, optional
        The scenario's calendar (needed for a day-of-week profile).

    Returns
    -------
    dict of numpy arrays
        Columns ``violation, key, time, node, type, severity, perpetrator,
        affected, parent, strike`` (and ``size`` when sizes are set), sorted by time.
    """
    model = ViolationModel(spec, graph, nodes, calendar)
    return ViolationSource(model, seed, replication, horizon).until(horizon)
