"""Random counts declared in scenario files: the size of a violation.

A violation in the model is one incident (a shelling episode, an exchange of
fire) that the center handles as one; its *size* is how many shots,
explosions or bursts the monitors would count in it (the OSCE SMM counted
every one as a ceasefire violation). Sizes are at least 1. Like
:mod:`sim.scenario.distributions`, each distribution knows its mean and
variance and its quantile function (``ppf``), so a violation's size is drawn
by inversion of its own keyed uniform.

In YAML: a whole number is a fixed size (``size: 12``); otherwise a mapping
with ``dist``, e.g. ``{dist: negative_binomial, mean: 20, sd: 45}``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator


class CountBase(BaseModel):
    model_config = ConfigDict(
        allow_inf_nan=False, extra="forbid", frozen=True, validate_default=True
    )

    @property
    def mean(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def variance(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    def ppf(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover - overridden
        """The smallest size whose distribution-function value is at least ``u`` (int64)."""
        raise NotImplementedError


class FixedCount(CountBase):
    """Always the same size."""

    dist: Literal["fixed"] = "fixed"
    value: int = Field(ge=1, le=100_000)
    """The size, >= 1."""

    @property
    def mean(self) -> float:
        return float(self.value)

    @property
    def variance(self) -> float:
        return 0.0

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.full(np.shape(u), self.value, dtype=np.int64)


class GeometricCount(CountBase):
    """Sizes 1, 2, 3, ... with geometrically falling chances (mean given)."""

    dist: Literal["geometric"]
    mean_: float = Field(alias="mean", ge=1.0, le=100_000.0)
    """Mean size, >= 1 (1 means always 1)."""

    model_config = ConfigDict(populate_by_name=True)  # merged with CountBase's

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.mean_ * (self.mean_ - 1.0)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        if self.mean_ == 1.0:
            return np.ones(u.shape, dtype=np.int64)
        q = 1.0 - 1.0 / self.mean_  # P(size > k) = q^k
        return np.maximum(np.ceil(np.log1p(-u) / np.log(q)), 1.0).astype(np.int64)


class NegativeBinomialCount(CountBase):
    """1 + a negative binomial count: a heavy-tailed size with the given mean and
    standard deviation (the sd must exceed that of a geometric size of the same mean
    when it is to be heavier-tailed; any sd^2 > mean - 1 works)."""

    dist: Literal["negative_binomial"]
    mean_: float = Field(alias="mean", gt=1.0, le=100_000.0)
    """Mean size, > 1."""
    sd: float = Field(gt=0.0, le=100_000.0)
    """Standard deviation of the size; sd^2 must exceed mean - 1."""

    model_config = ConfigDict(populate_by_name=True)  # merged with CountBase's

    @model_validator(mode="after")
    def _check(self) -> "NegativeBinomialCount":
        if self.sd**2 <= self.mean_ - 1.0:
            raise ValueError(
                f"sd {self.sd:g} is too small for mean {self.mean_:g}: a negative binomial "
                f"size needs sd^2 > mean - 1 = {self.mean_ - 1:g}; use dist: poisson for a "
                "less variable size"
            )
        return self

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.sd**2

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy.stats import nbinom

        m = self.mean_ - 1.0  # of the count above 1
        p = m / self.sd**2
        r = m * p / (1.0 - p)
        return 1 + nbinom.ppf(np.asarray(u, dtype=float), r, p).astype(np.int64)


class PoissonCount(CountBase):
    """1 + a Poisson count: sizes close to their mean (variance mean - 1)."""

    dist: Literal["poisson"]
    mean_: float = Field(alias="mean", ge=1.0, le=100_000.0)
    """Mean size, >= 1."""

    model_config = ConfigDict(populate_by_name=True)  # merged with CountBase's

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.mean_ - 1.0

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy.stats import poisson

        u = np.asarray(u, dtype=float)
        if self.mean_ == 1.0:
            return np.ones(u.shape, dtype=np.int64)
        return 1 + poisson.ppf(u, self.mean_ - 1.0).astype(np.int64)


class EmpiricalCount(CountBase):
    """Resample uniformly from a list of observed sizes."""

    dist: Literal["empirical"]
    values: list[Annotated[int, Field(ge=1, le=100_000)]] = Field(min_length=1, max_length=10_000)
    """Observed sizes (each >= 1), each drawn with equal chance."""

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def variance(self) -> float:
        return float(np.var(self.values))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        vals = np.asarray(self.values, dtype=np.int64)
        k = np.floor(np.asarray(u, dtype=float) * vals.size).astype(np.int64)
        return vals[np.minimum(k, vals.size - 1)]


COUNT_TAGS = ("fixed", "geometric", "negative_binomial", "poisson", "empirical")


def _shorthand(value: Any) -> Any:
    """A bare whole number means a fixed size."""
    if isinstance(value, int) and not isinstance(value, bool):
        return {"dist": "fixed", "value": value}
    return value


Size = Annotated[
    Union[FixedCount, GeometricCount, NegativeBinomialCount, PoissonCount, EmpiricalCount],
    Field(discriminator="dist"),
    BeforeValidator(_shorthand),
]
"""Any supported size distribution (see :mod:`sim.scenario.counts`)."""
