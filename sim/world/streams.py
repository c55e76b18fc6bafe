"""Random numbers that belong to entities: keyed streams from one root seed.

Every quantity (a violation's sector, a report's delay on one channel, a
triage time, a team's time on site, ...) has its own named stream, and every
draw from it is keyed by the entity it is about. The draw for entity ``key``
from stream ``name`` in replication ``rep`` under root ``seed`` is one fixed
number::

    u = mix(mix(key + a) ^ b),    (a, b) = SeedSequence(seed, spawn_key=(rep, crc32(name)))

where ``mix`` is the SplitMix64 finaliser (Steele, Lea & Flood 2014) and the
two 64-bit stream keys come from numpy's ``SeedSequence``. It is a
counter-based generator (Salmon et al. 2011): a draw does not depend on how
many draws came before it, on the order in which entities are met, or on how
the work is split into chunks. Two configurations therefore give every entity
they share the same draws for every quantity whose parameters they share
(common random numbers), and changing one quantity's parameters changes only
that quantity's draws.

Uniforms are turned into values by inversion (each distribution's ``ppf``),
so a draw also moves monotonically when a parameter changes (a longer mean
triage time gives every report a longer triage).

Entity keys are 64-bit integers built with :func:`child_key` from an origin
(:data:`BACKGROUND`, :data:`SCRIPTED`, :data:`STRIKE`, :data:`FALSE_REPORT`,
:data:`REPLAYED`, :data:`REGION`, ...) and indices: a violation triggered by violation ``k`` is
``child_key(k, j)``, a report of violation ``v`` on channel ``c`` is
``child_key(v, REPORT + c)``.
"""

from __future__ import annotations

import zlib

import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))

# Origins of entity keys (the first argument of child_key for root entities).
BACKGROUND = 1  # background violation i: child_key(BACKGROUND, i)
SCRIPTED = 2  # scripted violation j
STRIKE = 3  # long-range strike i
FALSE_REPORT = 4  # false report: child_key(child_key(FALSE_REPORT, party), i)
REPLAYED = 5  # replayed event of row i: child_key(REPLAYED, i); its copy c: child_key(that, c)
REGION = 6  # a region of the network: child_key(REGION, stable_id(name)); its violation i:
# child_key(that, i)
LINE = 7  # the whole line, as the owner of a line-wide regime chain or noise process
REPORT = 100  # report of violation v on channel c: child_key(v, REPORT + c)


def stable_id(name: str) -> int:
    """A stable 32-bit id of a stream name (unlike ``hash()``, the same in every process).

    Examples
    --------
    >>> stable_id("violations")
    1441658395
    """
    return zlib.crc32(name.encode("utf-8"))


def _mix(x: np.ndarray) -> np.ndarray:
    """The SplitMix64 finaliser, element-wise on uint64 (wrapping arithmetic)."""
    x = x ^ (x >> _S30)
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


def child_key(parent, index) -> np.ndarray:
    """The key of the ``index``-th child of ``parent`` (both int or uint64 arrays).

    Examples
    --------
    >>> [int(k) for k in child_key(1, [0, 1])]  # pinned: a change reshuffles every draw
    [16294208416658607535, 10451216379200822465]
    """
    p = np.asarray(parent, dtype=np.uint64)
    i = np.asarray(index, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return _mix(p * _GOLDEN + i)


class Stream:
    """The draws of one named quantity in one replication, keyed by entity.

    Parameters
    ----------
    seed : int
        Root seed of the scenario.
    replication : int
    name : str
        Name of the quantity, e.g. ``"report.affected.delay"``.

    Examples
    --------
    >>> s = Stream(1, 0, "center.triage_time")
    >>> keys = np.array([5, 9, 5], dtype=np.uint64)
    >>> u = s.uniform(keys)
    >>> bool(u[0] == u[2]), bool(0 < u.min() and u.max() < 1)
    (True, True)
    >>> bool(Stream(1, 1, "center.triage_time").uniform(keys)[0] != u[0])
    True
    """

    __slots__ = ("name", "_a", "_b")

    def __init__(self, seed: int, replication: int, name: str):
        ss = np.random.SeedSequence(int(seed), spawn_key=(int(replication), stable_id(name)))
        self._a, self._b = (np.uint64(x) for x in ss.generate_state(2, np.uint64))
        self.name = name

    def bits(self, keys) -> np.ndarray:
        """64 random bits per key (uint64)."""
        k = np.asarray(keys, dtype=np.uint64)
        with np.errstate(over="ignore"):
            x = _mix(k + self._a)
            x ^= self._b
            return _mix(x)

    def uniform(self, keys) -> np.ndarray:
        """One uniform number in the open interval (0, 1) per key."""
        return ((self.bits(keys) >> _S11).astype(np.float64) + 0.5) * 2.0**-53

    def uniforms(self, keys, k: int) -> np.ndarray:
        """``k`` independent uniforms per key, shape ``(len(keys), k)``."""
        keys = np.asarray(keys, dtype=np.uint64)
        sub = child_key(keys[:, None], np.arange(k, dtype=np.uint64)[None, :])
        return self.uniform(sub)

    def sample(self, dist, keys) -> np.ndarray:
        """A draw of a :mod:`~sim.scenario.distributions` distribution per key, by inversion."""
        return dist.ppf(self.uniform(keys))

    def exponential(self, keys, mean: float) -> np.ndarray:
        """Exponential draws with the given mean."""
        return -mean * np.log1p(-self.uniform(keys))

    def poisson(self, keys, lam: float) -> np.ndarray:
        """Poisson(``lam``) counts by inversion of the distribution function.

        Examples
        --------
        >>> s = Stream(3, 0, "x")
        >>> n = s.poisson(np.arange(40000, dtype=np.uint64), 0.4)
        >>> bool(abs(n.mean() - 0.4) < 4 * (0.4 / 40000) ** 0.5)   # within 4 standard errors
        True
        """
        u = self.uniform(keys)
        out = np.zeros(u.size, dtype=np.int64)
        if lam <= 0:
            return out
        p = np.exp(-lam)
        cdf = p
        k = 0
        todo = u > cdf
        while todo.any() and k < 10_000:
            k += 1
            p *= lam / k
            cdf += p
            out[todo] = k
            todo &= u > cdf
            if p < 1e-17 and cdf >= 1.0 - 1e-15:
                break
        return out

    def choice(self, keys, weights) -> np.ndarray:
        """An index drawn with probability proportional to ``weights``, per key."""
        w = np.asarray(weights, dtype=float)
        cdf = np.cumsum(w)
        idx = np.searchsorted(cdf, self.uniform(keys) * cdf[-1], side="right")
        return np.minimum(idx, w.size - 1)
