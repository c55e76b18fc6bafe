"""Queueing theory with exact answers, for validating the engine.

Pure functions of the model's parameters (rates per minute): Erlang C for
M/M/c, Pollaczek-Khinchine for M/G/1 and Cobham's non-preemptive priority
formula for M/M/c with equal service rates.
"""

from __future__ import annotations

import math


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


def mmc_patience(c: int, lam: float, mu: float, tau: float) -> dict[str, float]:
    """M/M/c+D: first come first served with ``c`` servers and deterministic patience
    ``tau`` (a customer who has waited ``tau`` leaves unserved).

    Zeltyn and Mandelbaum's formulas for M/M/n+G (2005) with the patience
    distribution G a point mass at ``tau``, so ``H(x) = ∫_0^x (1 − G) = min(x, τ)``:
    the offered wait ``V`` (what a customer would wait if infinitely patient)
    has an atom ``E / (E + λJ)`` at 0 and density ``λ exp(λH(x) − cμx) / (E + λJ)``
    above it, with ``J = ∫_0^∞ exp(λH(x) − cμx) dx`` and
    ``E = Σ_{j<c} a^j/j! / (a^{c−1}/(c−1)!)``, ``a = λ/μ``. A customer waits
    ``min(V, τ)`` and abandons when ``V > τ``.

    Returns
    -------
    dict
        ``p_wait`` = P(V > 0), ``p_abandon`` = P(V > τ) and ``mean_wait`` =
        E[min(V, τ)] (every customer, abandoning ones until they leave).

    Examples
    --------
    >>> r = mmc_patience(1, 0.5, 1.0, 1e9)  # infinitely patient: M/M/1 at ρ 0.5
    >>> round(r["p_wait"], 6), round(r["mean_wait"], 6), r["p_abandon"]
    (0.5, 1.0, 0.0)
    """
    a = lam / mu
    ratio, term = 1.0, 1.0  # E = Σ_{j<c} a^j/j! / (a^{c−1}/(c−1)!), summed from j = c−1 down
    for j in range(c - 1, 0, -1):
        term *= j / a
        ratio += term
    b = lam - c * mu  # exponent of the density below τ
    tail = math.exp(b * tau) / (c * mu)  # ∫_τ^∞ exp(λτ − cμx) dx
    z = b * tau
    below = tau * (math.expm1(z) / z if z else 1.0)  # ∫_0^τ exp(bx) dx
    if abs(z) < 1e-2:  # ∫_0^τ x exp(bx) dx = τ² Σ_{n≥2} (n−1) z^{n−2} / n!, without cancelling
        first = tau * tau * sum((n - 1) * z ** (n - 2) / math.factorial(n) for n in range(2, 12))
    else:
        first = (math.exp(z) * (z - 1.0) + 1.0) / (b * b)
    norm = ratio + lam * (below + tail)
    p_abandon = lam * tail / norm
    return {
        "p_wait": lam * (below + tail) / norm,
        "p_abandon": p_abandon,
        "mean_wait": lam * first / norm + tau * p_abandon,
    }
