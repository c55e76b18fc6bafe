"""Keyed random streams (sim.world.streams): draws that belong to entities."""

from __future__ import annotations

import os
import subprocess
import sys
import zlib

import numpy as np
import pytest
from scipy import stats

from sim.world.streams import BACKGROUND, REPORT, Stream, child_key, stable_id

KEYS = np.arange(200_000, dtype=np.uint64)


_MASK = (1 << 64) - 1


def _splitmix_finaliser(x: int) -> int:
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _documented_uniform(seed: int, rep: int, name: str, key: int) -> float:
    """The module docstring's formula, in plain Python integers:
    u = mix(mix(key + a) ^ b), (a, b) = SeedSequence(seed, spawn_key=(rep, crc32(name)))."""
    ss = np.random.SeedSequence(seed, spawn_key=(rep, zlib.crc32(name.encode("utf-8"))))
    a, b = (int(x) for x in ss.generate_state(2, np.uint64))
    bits = _splitmix_finaliser(_splitmix_finaliser((key + a) & _MASK) ^ b)
    return ((bits >> 11) + 0.5) * 2.0**-53


def test_a_draw_is_the_documented_function_of_seed_replication_name_and_key():
    keys = [0, 1, 2, 12345, 2**63 + 7, 2**64 - 1]
    got = Stream(42, 3, "center.triage_time").uniform(np.array(keys, dtype=np.uint64))
    want = [_documented_uniform(42, 3, "center.triage_time", k) for k in keys]
    assert got.tolist() == want
    # child keys: mix(parent * golden + index)
    parent, index = 2**40 + 3, 17
    expected = _splitmix_finaliser((parent * 0x9E3779B97F4A7C15 + index) & _MASK)
    assert int(child_key(parent, index)) == expected


@pytest.mark.parametrize(
    "other", [(42, 4, "center.triage_time"), (43, 3, "center.triage_time"), (42, 3, "teams.access")]
)
def test_another_replication_seed_or_stream_gives_other_draws(other):
    a = Stream(42, 3, "center.triage_time").uniform(KEYS[:1000])
    b = Stream(*other).uniform(KEYS[:1000])
    assert np.mean(a == b) == 0.0


def test_a_draw_does_not_depend_on_order_batch_or_other_entities():
    s = Stream(7, 0, "report.affected.delay")
    whole = s.uniform(KEYS[:5000])
    perm = np.random.default_rng(0).permutation(5000)
    assert np.array_equal(s.uniform(KEYS[:5000][perm]), whole[perm])
    parts = np.concatenate([s.uniform(KEYS[:1234]), s.uniform(KEYS[1234:5000])])
    assert np.array_equal(parts, whole)
    # using other streams in between changes nothing (no shared state)
    Stream(7, 0, "x").uniform(KEYS)
    assert np.array_equal(s.uniform(KEYS[:5000]), whole)


def test_uniforms_are_uniform_on_the_open_interval():
    u = Stream(1, 0, "u").uniform(KEYS)
    assert 0.0 < u.min() and u.max() < 1.0
    # Kolmogorov-Smirnov against U(0, 1): p-value far from the 1e-4 alarm level
    assert stats.kstest(u, "uniform").pvalue > 1e-4
    # 100 equal bins: chi-square with 99 degrees of freedom below its 0.9999 quantile
    counts = np.bincount((u * 100).astype(int), minlength=100)
    expected = u.size / 100
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < stats.chi2.ppf(0.9999, 99)


def test_draws_of_neighbouring_keys_and_of_two_streams_are_uncorrelated():
    a = Stream(1, 0, "a").uniform(KEYS)
    b = Stream(1, 0, "b").uniform(KEYS)
    se = 1 / np.sqrt(KEYS.size)  # standard error of a correlation near 0
    assert abs(np.corrcoef(a[:-1], a[1:])[0, 1]) < 4 * se
    assert abs(np.corrcoef(a, b)[0, 1]) < 4 * se
    # ... also between the k draws of one entity
    m = Stream(1, 0, "m").uniforms(KEYS[:50_000], 3)
    assert abs(np.corrcoef(m[:, 0], m[:, 1])[0, 1]) < 4 / np.sqrt(50_000)


def test_child_keys_do_not_collide():
    parents = child_key(BACKGROUND, np.arange(2000))
    kids = child_key(np.repeat(parents, 50), np.tile(np.arange(50), 2000))
    reports = child_key(parents, REPORT + np.arange(5)[:, None]).ravel()
    allk = np.concatenate([parents, kids, reports])
    assert np.unique(allk).size == allk.size


def test_transforms_match_their_distributions():
    s = Stream(5, 0, "t")
    n = KEYS.size
    e = s.exponential(KEYS, 30.0)
    assert abs(e.mean() - 30.0) < 4 * 30.0 / np.sqrt(n)
    p = s.poisson(KEYS, 0.7)
    assert abs(p.mean() - 0.7) < 4 * np.sqrt(0.7 / n)
    assert abs(p.var() - 0.7) < 0.02
    assert (
        stats.chisquare(
            np.bincount(p, minlength=6)[:6],
            stats.poisson.pmf(np.arange(6), 0.7) * n,
            sum_check=False,
        ).pvalue
        > 1e-4
    )
    c = s.choice(KEYS, [1.0, 0.0, 3.0])
    assert not (c == 1).any()
    assert abs(np.mean(c == 2) - 0.75) < 4 * np.sqrt(0.75 * 0.25 / n)


def test_stable_id_is_crc32_of_the_utf8_name():
    # pinned values: a change of hash function would reshuffle every stream
    assert stable_id("violations") == 1441658395
    assert stable_id("center.triage_time") == 3914700220
    assert stable_id("ü") == 1675192789


def test_draws_are_the_same_in_every_process():
    # hash(str) is salted per process (PYTHONHASHSEED); the streams must not be.
    code = (
        "import numpy as np; from sim.world.streams import Stream; "
        "print(hash('violations'), repr(float(Stream(1, 0, 'violations').uniform([9])[0])))"
    )
    outs = []
    for salt in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=salt)
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
        ).stdout.split()
        outs.append(out)
    (h1, r1), (h2, r2) = outs
    assert h1 != h2  # the salt really changed hash() ...
    assert r1 == r2 == repr(float(Stream(1, 0, "violations").uniform([9])[0]))  # ... not draws
