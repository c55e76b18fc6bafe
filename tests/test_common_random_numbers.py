"""Common random numbers by entity: configurations compared draw the same for what they share.

Every shipped variant and every point of every shipped sweep is run beside
its base for one short replication; every violation, report and incident
present in both (matched by key) must get the same draws for every quantity
whose parameters the two share. Before draws belonged to entities, changing
one reporting channel reshuffled 95% of the triage times.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from sim.analysis.sweepfile import OptimizeSpec, SweepSpec, expand, load_sweep
from sim.engine.replication import Prepared, Replication
from sim.world import load_scenario

from .conftest import SCENARIOS

DAYS = {"horizon": "12d", "warmup": "2d"}
# the variants of the baseline (a scenario on another network, e.g. donbas_2016_2019,
# shares too few violations with it for the comparison to mean anything)
VARIANTS = sorted(
    p.name for p in SCENARIOS.glob("*.yaml") if "extends: baseline.yaml" in p.read_text()
)
SWEEPS = sorted(p.name for p in (SCENARIOS / "sweeps").glob("*.yaml"))


def replicate(loaded, seed: int = 20260124) -> Replication:
    r = Replication(Prepared(loaded), 0, seed)
    r.result = r.run()
    return r


@functools.lru_cache(maxsize=None)
def base() -> Replication:
    return replicate(load_scenario(SCENARIOS / "baseline.yaml", overrides=DAYS))


def shared(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in ``a`` and ``b`` of the keys both hold."""
    common, ia, ib = np.intersect1d(a, b, return_indices=True)
    return ia, ib


def same_spec(a, b, *path: str) -> bool:
    for p in path:
        a, b = getattr(a, p), getattr(b, p)
    return a == b


def check_draws(x: Replication, y: Replication) -> dict[str, int]:
    """Assert equal draws for every shared entity; return how many were compared."""
    sx, sy = x.scen, y.scen
    vx, vy = x.result.violations, y.result.violations
    iv, jv = shared(vx["key"], vy["key"])
    if same_spec(sx, sy, "violations"):
        assert iv.size == vx["key"].size == vy["key"].size, "the violations themselves changed"
        for col in ("time", "node", "type", "perpetrator", "parent"):
            assert np.array_equal(vx[col][iv], vy[col][jv]), col
    for name in ("u_verify", "u_attributable", "u_attribution"):
        dx = x.draws.violations(vx["key"][iv])[name]
        assert np.array_equal(dx, y.draws.violations(vy["key"][jv])[name]), name

    rx, ry = x.result.reports, y.result.reports
    ir, jr = shared(rx["key"], ry["key"])
    assert ir.size > 0
    # the triage time each report was given, as the engine recorded it
    if same_spec(sx, sy, "center", "triage", "time"):
        assert np.array_equal(rx["triage_time"][ir], ry["triage_time"][jr]), "triage_time"
    pairs = (
        ("assess_time", ("center", "assessment", "time")),
        ("prep_time", ("teams", "prepare")),
        ("onsite_time", ("teams", "verification", "time")),
        ("u_false", ()),
        ("u_access", ("teams",)),
    )
    drawn_x, drawn_y = x.draws.reports(rx["key"][ir]), y.draws.reports(ry["key"][jr])
    for name, spec in pairs:
        if same_spec(sx, sy, *spec) if spec else True:
            assert np.array_equal(drawn_x[name], drawn_y[name], equal_nan=True), name
    # a report of a violation both have arrives with the same delay when its channel's
    # settings for it did not change
    if same_spec(sx, sy, "reporting"):
        dx = (rx["arrival"] - rx["event_time"])[ir]
        dy = (ry["arrival"] - ry["event_time"])[jr]
        # a violation keyed alike may happen at another time (a changed rate moves the
        # k-th strike): time + delay - time then differs in the last bits, never more
        assert np.allclose(dx, dy, rtol=0, atol=1e-9)
    ix, jx = shared(x.result.incidents["key"], y.result.incidents["key"])
    for col in ("assessment_time", "prepare_time", "on_site_time"):
        spec = {
            "assessment_time": ("center", "assessment", "time"),
            "prepare_time": ("teams", "prepare"),
            "on_site_time": ("teams", "verification", "time"),
        }[col]
        if same_spec(sx, sy, *spec):
            assert np.array_equal(x.result.incidents[col][ix], y.result.incidents[col][jx]), col
    return {"violations": int(iv.size), "reports": int(ir.size), "incidents": int(ix.size)}


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_shipped_variant_keeps_the_draws_of_what_it_shares(variant):
    y = replicate(load_scenario(SCENARIOS / variant, overrides=DAYS))
    n = check_draws(base(), y)
    assert n["reports"] > 500 and n["incidents"] > 100


@pytest.mark.parametrize("sweep", SWEEPS)
def test_every_point_of_every_shipped_sweep_keeps_the_draws(sweep, tmp_path):
    file = SCENARIOS / "sweeps" / sweep
    kind = OptimizeSpec if "constraints:" in file.read_text() else SweepSpec
    spec, path = load_sweep(file, kind)
    for point in expand(spec, path):
        data = point.loaded.scenario.resolved()
        data.update(horizon=DAYS["horizon"], warmup=DAYS["warmup"])
        from sim.world import scenario_from_dict

        y = replicate(scenario_from_dict(data, point.loaded.base_dir), seed=base().seed)
        check_draws(base(), y)


def test_the_check_fails_when_draws_follow_arrival_order(monkeypatch):
    """The test above can fail: draw triage times by arrival order instead of by key
    and a variant that changes reporting no longer keeps them."""
    from sim.engine import replication as engine

    original = engine.Draws.reports

    def positional(self, keys):
        drawn = original(self, keys)
        by_position = np.arange(keys.size, dtype=np.uint64)
        drawn["triage_time"] = self.s["center.triage_time"].sample(
            self.scen.center.triage.time, by_position
        )
        return drawn

    monkeypatch.setattr(engine.Draws, "reports", positional)
    base.cache_clear()
    try:
        y = replicate(load_scenario(SCENARIOS / "slow_party_hotlines.yaml", overrides=DAYS))
        with pytest.raises(AssertionError, match="triage_time"):
            check_draws(base(), y)
    finally:
        base.cache_clear()


def test_scripted_violations_leave_the_others_and_their_escalation_alone():
    over = dict(DAYS)
    x = replicate(load_scenario(SCENARIOS / "baseline.yaml", overrides=over))
    over["violations"] = {
        "scripted": [
            {"time": "3d", "node": "Toretsk", "type": "artillery", "perpetrator": "RU"},
            {"time": "5d", "node": "Kupiansk", "type": "heavy_weapons", "perpetrator": "UA"},
        ]
    }
    y = replicate(load_scenario(SCENARIOS / "baseline.yaml", overrides=over))
    vx, vy = x.result.violations, y.result.violations
    iv, jv = shared(vx["key"], vy["key"])
    assert iv.size == vx["key"].size  # every violation of x is still there ...
    for col in ("time", "node", "type", "perpetrator"):
        assert np.array_equal(vx[col][iv], vy[col][jv])  # ... unchanged
    assert vy["key"].size >= vx["key"].size + 2  # plus the scripted ones and their children
