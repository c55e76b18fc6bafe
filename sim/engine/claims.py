"""The strike moratorium: alleged violations, the parties' claims and their remote verification.

The March 2025 energy moratorium covered listed classes of energy sites for
30 days with a reciprocal-release clause; no verifier existed and each side
sent lists of hundreds of alleged violations by the other. Here a strike
(a ``long_range_strike`` violation) on a protected site of a covered class
during the moratorium is a real moratorium violation. Each party sends its
claims in batches every ``claims.every``: the strikes on its own sites it
noticed (chance ``detection``), a counter-claim when the other side accused
it in its previous batch (chance ``counter_claims``), and false claims
(Poisson, mean ``false_per_batch``). Each claim is verified remotely, by
technical means and not by the desks or the teams, after its own ``delay``,
confirmed with chance ``confirm_true`` (real) or ``confirm_false`` (false).
Once ``release_after`` violations by one side are confirmed, the other side is
released from the moratorium (the reciprocal-release rule).

Every draw is keyed: a real claim by its violation, a counter-claim by the
batch it answers, a false claim by its party, batch and number, so the claims
of one configuration line up with another's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import records as R
from ..records import SITE_CLASSES
from ..world.streams import Stream, child_key

CLAIM_SCHEMA = {
    "claim": np.int64,
    "claimant": np.int64,
    "accused": np.int64,
    "kind": np.int64,
    "batch": np.float64,
    "violation": np.int64,
    "node": np.int64,
    "site_class": np.int64,
    "event_time": np.float64,
    "verdict": np.float64,
    "confirmed": np.bool_,
}


def _poisson(u: float, mean: float) -> int:
    """The Poisson(``mean``) value whose distribution function first reaches ``u``.

    Each probability is taken from its logarithm, so a mean past about 745, where
    ``exp(-mean)`` is 0 in floating point, still gives the right quantile (the terms
    that underflow are below 1e-300). The count stops at 10,000 (a mean is at most
    1,000) in case rounding keeps the running total just below ``u``.
    """
    if mean <= 0:
        return 0
    log_mean = math.log(mean)
    k, log_p = 0, -mean
    total = math.exp(log_p)
    while total < u and k < 10000:
        k += 1
        log_p += log_mean - math.log(k)
        total += math.exp(log_p)
    return k


class Claims:
    """The claims of one replication.

    Parameters
    ----------
    spec : MoratoriumSpec
    graph, nodes : the network (with ``site_class`` on protected sites) and node order.
    strike_type : int
        The type code of long-range strikes.
    horizon : float
    seed, replication : int
    """

    def __init__(self, spec, graph, nodes, strike_type: int, horizon: float, seed: int, rep: int):
        self.spec = spec
        self.horizon = horizon
        self.strike_type = strike_type
        covered = set(spec.classes)
        self.site_class = {
            j: SITE_CLASSES.index(graph.nodes[n]["site_class"])
            for j, n in enumerate(nodes)
            if graph.nodes[n].get("site_class") in covered
        }
        self.held_by = {
            j: R.SIDES.index(graph.nodes[nodes[j]]["side"])
            for j in self.site_class
            if graph.nodes[nodes[j]].get("side") in R.SIDES
        }
        names = ("detect", "counter", "false", "false_site", "delay", "confirm")
        self.s = {k: Stream(seed, rep, f"moratorium.{k}") for k in names}

    def batches(self) -> list[float]:
        """When the parties send their claims (both on the same days)."""
        spec = self.spec
        out, t = [], spec.start + spec.claims.every
        stop = min(spec.end + spec.claims.every, self.horizon)
        while t <= stop and t < self.horizon:
            out.append(t)
            t += spec.claims.every
        return out

    def candidates(self, v: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The violations (columns ``violation``, ``key``, ``time``, ``node``, ``type``,
        ``perpetrator``) that are strikes on a protected site of a covered class during
        the moratorium: the only ones claims can be about (kept as the world is drawn)."""
        spec = self.spec
        real = (
            (v["type"] == self.strike_type)
            & (v["time"] >= spec.start)
            & (v["time"] < min(spec.end, self.horizon))
            & np.isin(v["node"], np.array(sorted(self.site_class), dtype=np.int64))
        )
        cols = ("violation", "key", "time", "node", "perpetrator")
        return {c: np.asarray(v[c])[real] for c in cols}

    def table(self, parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
        """Every claim of the replication, given its :meth:`candidates` (window by window)."""
        spec = self.spec
        times = self.batches()
        rows: list[tuple] = []
        if not times:
            return _columns(rows)
        v = {c: np.concatenate([p[c] for p in parts]) for c in parts[0]} if parts else {}
        accusing: dict[tuple[int, int], bool] = {}  # (batch, accused) -> accused in it
        if v and v["key"].size:
            noticed = self.s["detect"].uniform(v["key"]) < spec.claims.detection
            for j in np.flatnonzero(noticed):
                k = int(np.searchsorted(times, v["time"][j], side="right"))
                if k >= len(times):
                    continue  # its batch would come after the horizon
                victim = 1 - int(v["perpetrator"][j])
                row = (victim, 1 - victim, 0, times[k], int(v["violation"][j]), int(v["node"][j]))
                rows.append((*row, int(v["key"][j]), float(v["time"][j])))
                accusing[(k, 1 - victim)] = True
        for k, t in enumerate(times):
            for party in (0, 1):
                rows += self._counter(k, party, times, accusing)
                rows += self._false(k, t, party)
        return self._verify(rows)

    def _counter(self, k: int, party: int, times: list[float], accusing) -> list[tuple]:
        """A counter-claim by ``party`` in batch ``k`` if it was accused in batch k-1."""
        if k == 0 or not accusing.get((k - 1, party)):
            return []
        key = int(child_key(np.uint64(k), np.uint64(party)))
        if (
            self.s["counter"].uniform(np.array([key], dtype=np.uint64))[0]
            >= self.spec.claims.counter_claims
        ):
            return []
        return [(party, 1 - party, 1, times[k], -1, self._site(party, key), key, math.nan)]

    def _false(self, k: int, t: float, party: int) -> list[tuple]:
        mean = self.spec.claims.false_per_batch
        if mean <= 0:
            return []
        base = int(child_key(np.uint64(k), np.uint64(party)))
        n = _poisson(float(self.s["false"].uniform(np.array([base], dtype=np.uint64))[0]), mean)
        out = []
        for i in range(n):
            key = int(child_key(np.uint64(base), np.uint64(i)))
            out.append((party, 1 - party, 2, t, -1, self._site(party, key), key, math.nan))
        return out

    def _site(self, party: int, key: int) -> int:
        """A protected site of ``party`` (any protected site if it holds none) for a claim
        that names no real strike."""
        own = [j for j, s in self.held_by.items() if s == party] or list(self.site_class)
        if not own:
            return -1
        u = self.s["false_site"].uniform(np.array([key], dtype=np.uint64))[0]
        return sorted(own)[min(int(u * len(own)), len(own) - 1)]

    def _verify(self, rows: list[tuple]) -> dict[str, np.ndarray]:
        rows.sort(key=lambda r: (r[3], r[0], r[2], r[6]))
        ver = self.spec.verification
        keys = np.array([r[6] for r in rows], dtype=np.uint64)
        delay = self.s["delay"].sample(ver.delay, keys) if rows else np.zeros(0)
        u = self.s["confirm"].uniform(keys) if rows else np.zeros(0)
        out = []
        for n, (claimant, accused, kind, batch, vid, node, _key, when) in enumerate(rows):
            verdict = batch + float(delay[n])
            p = ver.confirm_true if kind == 0 else ver.confirm_false
            known = verdict < self.horizon
            out.append(
                (
                    n,
                    claimant,
                    accused,
                    kind,
                    batch,
                    vid,
                    node,
                    self.site_class.get(node, -1),
                    when,
                    verdict if known else math.nan,
                    bool(known and u[n] < p),
                )
            )
        return _columns(out)


def _columns(rows: list[tuple]) -> dict[str, np.ndarray]:
    if not rows:
        return {c: np.zeros(0, dtype=d) for c, d in CLAIM_SCHEMA.items()}
    return {c: np.array(col, dtype=d) for (c, d), col in zip(CLAIM_SCHEMA.items(), zip(*rows))}


def release_times(claims: dict[str, np.ndarray], after: int) -> dict[str, float]:
    """When each side was released by the reciprocal-release rule: the verdict that
    confirmed the ``after``-th violation by the *other* side (NaN: never)."""
    out: dict[str, Any] = {}
    for side, code in zip(R.SIDES, range(len(R.SIDES))):
        by_other = claims["confirmed"] & (claims["accused"] == 1 - code)
        verdicts = np.sort(claims["verdict"][by_other])
        out[side] = float(verdicts[after - 1]) if verdicts.size >= after else math.nan
    return out
