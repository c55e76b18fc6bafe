"""The desks against queueing theory: Erlang C, M/M/1, M/D/1, Cobham, M/M/c+D (expiry).

Every row is its own run with its own seed (:mod:`.replicate`). Sizes are set
so that each mean-wait row has a relative standard error of about 0.75%:
with the table's Bonferroni level a 5% error in the mean wait is then about
6.7 standard errors, seen with a power above 0.9 (the table states each
row's power at its measured standard error).
"""

from __future__ import annotations

from .replicate import Row, days_for
from ..theory import cobham_waits, erlang_c, mmc_patience, mmc_wait, pk_wait

MU = 1 / 20.0  # per minute: 20-minute triage
ERLANG = "M/M/c (Erlang C)"
SINGLE = "M/M/1, M/D/1"
COBHAM = "Priority M/M/c (Cobham)"
EXPIRY = "Expiry at the desks (M/M/c+D)"
WARMUP_DAYS = 3.0


def _per_day(c: int, rho: float) -> float:
    return rho * c * MU * 1440.0


def _mmc(c: int, rho: float, extra: dict | None = None) -> dict:
    over = {
        "violations": {"rate_per_day": _per_day(c, rho)},
        "center": {"desks": {"UA": {"officers": c}}},
    }
    for k, v in (extra or {}).items():
        over.setdefault(k, {}).update(v)
    return over


def _row(group, case, file, c, rho, seed, reps, customers, statistic, analytic, unit, **kw):
    """A row of ``reps`` replications holding ``customers`` arrivals in all."""
    over = kw.pop("overrides", None)
    per_day = _per_day(c, rho)
    return Row(
        group=group,
        case=case,
        file=file,
        overrides=over if over is not None else _mmc(c, rho),
        seed=seed,
        reps=reps,
        days=days_for(customers / reps, per_day),
        warmup_days=WARMUP_DAYS,
        statistic=statistic,
        analytic=analytic,
        unit=unit,
        per_day=per_day,
        **kw,
    )


def desk_rows() -> list[Row]:
    """The desk rows: (file, staffing, load, own seed, replications, customers in all,
    statistic). Customer counts come from pilot runs (and the table's own standard
    errors): each mean wait gets a relative standard error of about 0.75% or less."""
    lam = lambda c, rho: rho * c * MU  # noqa: E731 - per minute
    hi, lo = cobham_waits(2, [0.3 * lam(2, 0.5), 0.7 * lam(2, 0.5)], MU)
    tau = 20.0
    patience = mmc_patience(2, lam(2, 1.0), MU, tau)
    expiry = _mmc(2, 1.0, {"center": {"triage": {"max_wait": f"{tau:g}min"}}})
    priority = {"violations": {"rate_per_day": _per_day(2, 0.5)}}
    return [
        _row(ERLANG, "M/M/1, ρ = 0.5: mean wait in queue", "mmc.yaml", 1, 0.5, 101, 40, 520e3,
             "mean_wait", mmc_wait(1, lam(1, 0.5), MU), "min", wait=True),
        _row(ERLANG, "M/M/1, ρ = 0.5: probability of waiting", "mmc.yaml", 1, 0.5, 102, 20,
             40e3, "p_wait", erlang_c(1, 0.5), "%"),
        _row(ERLANG, "M/M/1, ρ = 0.5: mean queue length (time average)", "mmc.yaml", 1, 0.5,
             103, 20, 200e3, "mean_queue", 0.5**2 / 0.5, ""),
        _row(ERLANG, "M/M/2, ρ = 0.5: mean wait in queue", "mmc.yaml", 2, 0.5, 104, 40, 900e3,
             "mean_wait", mmc_wait(2, lam(2, 0.5), MU), "min", wait=True),
        _row(ERLANG, "M/M/3, ρ = 0.6: mean wait in queue", "mmc.yaml", 3, 0.6, 105, 40, 2200e3,
             "mean_wait", mmc_wait(3, lam(3, 0.6), MU), "min", wait=True),
        _row(ERLANG, "M/M/3, ρ = 0.7: probability of waiting", "mmc.yaml", 3, 0.7, 106, 20,
             150e3, "p_wait", erlang_c(3, 3 * 0.7), "%"),
        _row(ERLANG, "M/M/5, ρ = 0.7: probability of waiting", "mmc.yaml", 5, 0.7, 107, 20,
             300e3, "p_wait", erlang_c(5, 5 * 0.7), "%"),
        _row(ERLANG, "M/M/3, ρ = 0.6, three shifts of 3: mean wait ≤ Erlang C",
             "mmc_shifts.yaml", 3, 0.6, 108, 40, 500e3, "mean_wait",
             mmc_wait(3, lam(3, 0.6), MU), "min", kind="at-most", wait=True,
             overrides={"violations": {"rate_per_day": _per_day(3, 0.6)}}),
        _row(SINGLE, "M/D/1, ρ = 0.6: mean wait in queue (P-K)", "md1.yaml", 1, 0.6, 109, 40,
             350e3, "mean_wait", pk_wait(lam(1, 0.6), 20.0, 0.0), "min", wait=True,
             overrides={"violations": {"rate_per_day": _per_day(1, 0.6)}}),
        _row(COBHAM, "M/M/2, ρ = 0.5: severe class (30 %) wait", "priority.yaml", 2, 0.5, 110,
             40, 560e3, "wait_sev3", hi, "min", wait=True, overrides=priority),
        _row(COBHAM, "M/M/2, ρ = 0.5: routine class (70 %) wait", "priority.yaml", 2, 0.5, 111,
             40, 1000e3, "wait_sev1", lo, "min", wait=True, overrides=priority),
        _row(EXPIRY, f"M/M/2+D, ρ = 1, max_wait {tau:g} min: share expired", "mmc.yaml", 2,
             1.0, 112, 20, 100e3, "expired", patience["p_abandon"], "%", overrides=expiry),
        _row(EXPIRY, f"M/M/2+D, ρ = 1, max_wait {tau:g} min: mean time in queue", "mmc.yaml",
             2, 1.0, 113, 40, 100e3, "time_in_queue", patience["mean_wait"], "min", wait=True,
             overrides=expiry),
    ]  # fmt: skip
