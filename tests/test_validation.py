"""Analytic validation: formulas, and the committed table equals what the code produces."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.analysis.statistics import chi2_quantile
from sim.analysis.theory import cobham_waits, erlang_c, mmc_wait
from sim.analysis.validation import markdown, run_all

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "c,a,expected",
    [
        (1, 0.5, 0.5),
        (2, 1.0, 1 / 3),
        (3, 2.4, 0.6472),
        (5, 4.75, 0.8778),
    ],
)
def test_erlang_c_against_tables(c, a, expected):
    assert erlang_c(c, a) == pytest.approx(expected, abs=1e-4)


def test_mm1_and_cobham_reduce_to_known_cases():
    mu, lam = 1 / 20, 0.8 / 20
    assert mmc_wait(1, lam, mu) == pytest.approx(80.0)
    # one class: Cobham is M/M/c
    assert cobham_waits(3, [0.1], 0.05)[0] == pytest.approx(mmc_wait(3, 0.1, 0.05))
    # the arrival-weighted mean of the class waits equals the FIFO wait (conservation)
    w = cobham_waits(2, [0.3 * 0.08, 0.7 * 0.08], 0.05)
    assert 0.3 * w[0] + 0.7 * w[1] == pytest.approx(mmc_wait(2, 0.08, 0.05))


def test_chi2_quantile_against_tables():
    assert chi2_quantile(0.999, 24) == pytest.approx(51.18, abs=0.15)
    assert chi2_quantile(0.95, 10) == pytest.approx(18.31, abs=0.05)


@pytest.mark.validation
def test_committed_validation_table_is_what_the_code_produces_and_all_pass():
    checks = run_all(workers=2)
    failed = [c.case for c in checks if not c.passed]
    assert not failed, failed
    committed = (ROOT / "docs" / "validation.md").read_text()
    assert committed == markdown(checks), "docs/validation.md is stale: run `cfsim check-model`"
