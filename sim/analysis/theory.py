"""Queueing theory with exact answers, for validating the engine.

Pure functions of the model's parameters (rates per minute): Erlang C for
M/M/c, Pollaczek-Khinchine for M/G/1 and Cobham's non-preemptive priority
formula for M/M/c with equal service rates.
"""

from __future__ import annotations


def erlang_c(c: int, a: float) -> float:
    """Probability of waiting in M/M/c with offered load ``a = λ/μ`` (< c).

    Examples
    --------
    >>> round(erlang_c(1, 0.8), 6)  # M/M/1: P(wait) = ρ
    0.8
    >>> round(erlang_c(2, 1.0), 4)
    0.3333
    """
    if not 0 <= a < c:
        raise ValueError("need 0 <= a < c")
    term, total = 1.0, 1.0  # a^k / k!, summed for k < c
    for k in range(1, c):
        term *= a / k
        total += term
    last = term * a / c * c / (c - a)  # a^c / c! * c / (c - a)
    return last / (total + last)


def mmc_wait(c: int, lam: float, mu: float) -> float:
    """Mean wait in queue of M/M/c: ``C(c, λ/μ) / (cμ − λ)``."""
    return erlang_c(c, lam / mu) / (c * mu - lam)


def pk_wait(lam: float, mean_s: float, var_s: float) -> float:
    """Mean wait in queue of M/G/1 (Pollaczek-Khinchine).

    Examples
    --------
    >>> round(pk_wait(0.04, 20.0, 0.0), 9)  # M/D/1 at ρ 0.8, service 20 min
    40.0
    """
    rho = lam * mean_s
    return lam * (var_s + mean_s**2) / (2 * (1 - rho))


def cobham_waits(c: int, lams: list[float], mu: float) -> list[float]:
    """Mean waits of non-preemptive priority classes in M/M/c (class 0 first).

    ``W_k = W0 / ((1 − σ_{k−1})(1 − σ_k))`` with ``σ_k = Σ_{i≤k} λ_i / (cμ)``
    and ``W0 = C(c, λ/μ) / (cμ)``, the mean time until a server frees.
    """
    lam = sum(lams)
    w0 = erlang_c(c, lam / mu) / (c * mu)
    out, sigma = [], 0.0
    for lk in lams:
        prev = sigma
        sigma += lk / (c * mu)
        out.append(w0 / ((1 - prev) * (1 - sigma)))
    return out
