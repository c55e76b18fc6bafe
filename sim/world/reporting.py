"""Reporting channels: which violations reach the center, when, and at which desk.

Each channel (affected side, accused side, technical means, civilians and
media) reports each violation independently with its detection chance (for
technical means times the sensor coverage of the node), after a delay drawn
from its distribution, to the desk it routes to. Detection, delay and desk
can differ by violation type and by party (see
:class:`~sim.scenario.schema.ChannelSpec`): the party of a report is the
side that sends it on the affected and accused channels, and the side where
the violation happened for technical means and civilians. False reports
arrive per party as a Poisson process.

Every draw is keyed by the violation and the channel (or by the party and
the false report's number), never by arrival order, so changing one
channel, one party's delay or one detection chance leaves every other
report's draws as they were (common random numbers).
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from ..records import CHANNELS, FALSE_CHANNEL, PARTIES, SIDES
from ..scenario.schema import ChannelSpec, ReportingSpec
from ..scenario.violations import ViolationsSpec
from .streams import FALSE_REPORT, REPORT, Stream, child_key
from .violations import Arrivals, DailyProfile, TypeTable

_PARTY = {p: i for i, p in enumerate(PARTIES)}
CIVILIAN_SENDER = 3
COLUMNS = (
    "report",
    "key",
    "arrival",
    "violation",
    "channel",
    "sender",
    "desk",
    "node",
    "event_time",
    "type",
    "severity",
    "false",
)


_NO_REPORTS = {
    "key": np.zeros(0, dtype=np.uint64),
    "arrival": np.zeros(0),
    "violation": np.zeros(0, dtype=np.int64),
    "channel": np.zeros(0, dtype=np.int64),
    "sender": np.zeros(0, dtype=np.int64),
    "desk": np.zeros(0, dtype=np.int64),
    "node": np.zeros(0, dtype=np.int64),
    "event_time": np.zeros(0),
    "type": np.zeros(0, dtype=np.int64),
}


class ChannelPlan:
    """One channel's detection, delay and desk for every (party, type) pair."""

    def __init__(self, name: str, spec: ChannelSpec, types: TypeTable, nodes: list[str]):
        self.name = name
        self.code = CHANNELS.index(name)
        self.cells = {}  # (side code, type code) -> (detection, delay, desk rule)
        for s, side in enumerate(SIDES):
            for k, type_name in enumerate(types.names):
                self.cells[(s, k)] = spec.resolve(side, type_name)
        self.coverage = None
        if name == "technical":
            self.coverage = np.array(
                [spec.coverage.get(node, spec.default_coverage) for node in nodes], dtype=float
            )

    def party(self, violations: dict[str, np.ndarray]) -> np.ndarray:
        """The party each violation's report on this channel concerns (side code)."""
        return violations["perpetrator"] if self.name == "accused" else violations["affected"]

    def sender(self, violations: dict[str, np.ndarray]) -> np.ndarray:
        n = violations["time"].size
        if self.name in ("affected", "accused"):
            return self.party(violations).astype(np.int64)
        if self.name == "technical":
            return np.full(n, _PARTY["US"], dtype=np.int64)
        return np.full(n, CIVILIAN_SENDER, dtype=np.int64)


def _desk(rule: str, affected: np.ndarray, perpetrator: np.ndarray) -> np.ndarray:
    if rule == "affected":
        return affected.astype(np.int64)
    if rule == "accused":
        return perpetrator.astype(np.int64)
    return np.full(affected.size, _PARTY[rule], dtype=np.int64)


class ReportSource:
    """The reports of one replication's violations, drawn with keyed streams.

    Parameters
    ----------
    spec, vspec : ReportingSpec, ViolationsSpec
    graph, nodes : the network and its node order.
    seed, replication : int
    horizon : float
        Reports arriving at or after it are not drawn (minutes).
    """

    def __init__(
        self,
        spec: ReportingSpec,
        vspec: ViolationsSpec,
        graph: nx.Graph,
        nodes: list[str],
        seed: int,
        replication: int,
        horizon: float,
    ):
        self.types = TypeTable.from_spec(vspec)
        self.horizon = horizon
        self.plans = [
            ChannelPlan(name, getattr(spec.channels, name), self.types, nodes)
            for name in CHANNELS[:FALSE_CHANNEL]
        ]
        self.detect = {
            p.name: Stream(seed, replication, f"report.{p.name}.detect") for p in self.plans
        }
        self.delay = {
            p.name: Stream(seed, replication, f"report.{p.name}.delay") for p in self.plans
        }
        # false reports
        index = {nm: i for i, nm in enumerate(nodes)}
        self.sectors = np.array([index[x] for x, k in graph.nodes(data="kind") if k == "sector"])
        self.sector_w = np.array(
            [vspec.hotspots.get(nodes[j], graph.nodes[nodes[j]]["weight"]) for j in self.sectors]
        )
        lt = self.types.line_types
        self.type_p = self.types.share[:lt] / self.types.share[:lt].sum()
        self.false = []
        for side in SIDES:
            rate, lag = spec.false_reports.resolve(side)
            gaps = Stream(seed, replication, f"false.{side}.gap")
            self.false.append((side, Arrivals(DailyProfile(rate, vspec.time_of_day), gaps), lag))
        self.false_sector = Stream(seed, replication, "false.sector")
        self.false_type = Stream(seed, replication, "false.type")
        self.false_lag = Stream(seed, replication, "false.lag")

    def of_violations(self, violations: dict[str, np.ndarray]) -> list[dict[str, np.ndarray]]:
        """Every channel's reports of ``violations`` that arrive before the horizon."""
        return [self._channel(plan, violations) for plan in self.plans]

    def _channel(self, plan: ChannelPlan, v: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        n = v["time"].size
        party = plan.party(v)
        p = np.zeros(n)
        cells = []
        for (s, k), (detection, dist, rule) in plan.cells.items():
            cell = (party == s) & (v["type"] == k)
            if detection > 0 and cell.any():
                p[cell] = detection
                cells.append((cell, dist, rule))
        if plan.coverage is not None:
            p = p * plan.coverage[v["node"]]
        # Only the candidates are drawn: draws are keyed, so the others' are not needed.
        keep = np.flatnonzero(p > 0)
        keep = keep[self.detect[plan.name].uniform(v["key"][keep]) < p[keep]]
        delay = np.zeros(keep.size)
        desk = np.zeros(keep.size, dtype=np.int64)
        u_delay = self.delay[plan.name].uniform(v["key"][keep])
        for cell, dist, rule in cells:
            sel = cell[keep]
            if sel.any():
                delay[sel] = dist.ppf(u_delay[sel])
                rows = keep[sel]
                desk[sel] = _desk(rule, v["affected"][rows], v["perpetrator"][rows])
        arrival = v["time"][keep] + delay
        due = arrival < self.horizon
        keep, arrival, desk = keep[due], arrival[due], desk[due]
        return {
            "key": child_key(v["key"][keep], REPORT + plan.code),
            "arrival": arrival,
            "violation": v["violation"][keep],
            "channel": np.full(keep.size, plan.code, dtype=np.int64),
            "sender": plan.sender(v)[keep],
            "desk": desk,
            "node": v["node"][keep],
            "event_time": v["time"][keep],
            "type": v["type"][keep],
        }

    def false_reports(self, end: float) -> list[dict[str, np.ndarray]]:
        """False reports of each party arriving from the previous call's end up to ``end``."""
        parts = []
        for side, arrivals, lag in self.false:
            first = arrivals.count
            t = arrivals.until(min(end, self.horizon))
            k = t.size
            if k == 0 or self.sector_w.sum() <= 0:
                continue
            party = _PARTY[side]
            keys = child_key(child_key(FALSE_REPORT, party), np.arange(first, first + k))
            parts.append(
                {
                    "key": keys,
                    "arrival": t,
                    "violation": np.full(k, -1, dtype=np.int64),
                    "channel": np.full(k, FALSE_CHANNEL, dtype=np.int64),
                    "sender": np.full(k, party, dtype=np.int64),
                    "desk": np.full(k, party, dtype=np.int64),
                    "node": self.sectors[self.false_sector.choice(keys, self.sector_w)],
                    "event_time": np.maximum(t - self.false_lag.sample(lag, keys), 0.0),
                    "type": self.false_type.choice(keys, self.type_p),
                }
            )
        return parts

    def table(self, parts: list[dict[str, np.ndarray]], first_id: int = 0) -> dict[str, np.ndarray]:
        """Reports from ``parts`` as one table sorted by arrival (ties: channel, then
        key), numbered from ``first_id``."""
        parts = [p for p in parts if p["arrival"].size] or [_NO_REPORTS]
        cols = {k: np.concatenate([p[k] for p in parts]) for k in _NO_REPORTS}
        order = np.lexsort((cols["key"], cols["channel"], cols["arrival"]))
        out = {k: v[order] for k, v in cols.items()}
        m = out["arrival"].size
        out = {"report": np.arange(first_id, first_id + m, dtype=np.int64), **out}
        out["severity"] = self.types.severity[out["type"]]
        out["false"] = out["channel"] == FALSE_CHANNEL
        return {c: out[c] for c in COLUMNS}


def generate(
    spec: ReportingSpec,
    vspec: ViolationsSpec,
    violations: dict[str, np.ndarray],
    graph: nx.Graph,
    nodes: list[str],
    horizon: float,
    seed: int,
    replication: int = 0,
) -> dict[str, np.ndarray]:
    """Draw every report of one replication's violations (and the false reports),
    sorted by arrival time.

    Returns
    -------
    dict of numpy arrays
        Columns ``report, key, arrival, violation (-1 if false), channel,
        sender, desk, node, event_time, type, severity, false``.
    """
    src = ReportSource(spec, vspec, graph, nodes, seed, replication, horizon)
    return src.table(src.of_violations(violations) + src.false_reports(horizon))
