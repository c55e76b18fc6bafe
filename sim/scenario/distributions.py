"""Random durations declared in scenario files.

Each distribution is a frozen pydantic model that knows its own mean and
variance (so tests can compare samples with theory) and its quantile
function (``ppf``). Draws are made by inversion, ``ppf(u)`` of uniforms,
in minutes: from an entity's keyed uniform in the model
(:class:`sim.world.streams.Stream`), or from an explicit
:class:`numpy.random.Generator` (``sample``).

In YAML a distribution is written as a mapping with a ``dist`` key, e.g.
``{dist: lognormal, mean: 45min, sd: 30min}``; a plain duration such as
``"10min"`` means a fixed value.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from .units import format_duration, parse_duration

if TYPE_CHECKING:
    import numpy as np


Duration = Annotated[
    float, BeforeValidator(parse_duration), PlainSerializer(format_duration, when_used="json")
]
"""A non-negative duration written with units in YAML, held in minutes."""


class DistributionBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    @property
    def mean(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def variance(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    def ppf(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover - overridden
        """The quantile function: the values whose distribution-function value is ``u``."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` draws by inversion of ``size`` uniforms from ``rng``."""
        return self.ppf(rng.random(size))


class Fixed(DistributionBase):
    """Always the same value."""

    dist: Literal["fixed"] = "fixed"
    value: Duration
    """The value (duration with units)."""

    @property
    def mean(self) -> float:
        return self.value

    @property
    def variance(self) -> float:
        return 0.0

    def ppf(self, u: np.ndarray) -> np.ndarray:
        import numpy as np

        return np.full(np.shape(u), self.value, dtype=float)

    def describe(self) -> str:
        return format_duration(self.value)


class Exponential(DistributionBase):
    """Exponential with the given mean (memoryless; the M in M/M/c)."""

    dist: Literal["exponential"]
    mean_: Duration = Field(alias="mean")
    """Mean (duration with units), > 0."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        validate_default=True,
    )

    @model_validator(mode="after")
    def _check(self) -> "Exponential":
        if self.mean_ <= 0:
            raise ValueError("mean must be greater than zero")
        return self

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.mean_**2

    def ppf(self, u: np.ndarray) -> np.ndarray:
        import numpy as np

        return -self.mean_ * np.log1p(-np.asarray(u, dtype=float))

    def describe(self) -> str:
        return f"exponential(mean {format_duration(self.mean_)})"


class Uniform(DistributionBase):
    """Uniform between ``low`` and ``high``."""

    dist: Literal["uniform"]
    low: Duration
    """Lower bound (duration)."""
    high: Duration
    """Upper bound (duration), >= low."""

    @model_validator(mode="after")
    def _check(self) -> "Uniform":
        if self.high < self.low:
            raise ValueError("high must be at least low")
        return self

    @property
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    @property
    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12.0

    def ppf(self, u: np.ndarray) -> np.ndarray:
        import numpy as np

        return self.low + np.asarray(u, dtype=float) * (self.high - self.low)

    def describe(self) -> str:
        return f"uniform({format_duration(self.low)}, {format_duration(self.high)})"


class Triangular(DistributionBase):
    """Triangular with ``low <= mode <= high``."""

    dist: Literal["triangular"]
    low: Duration
    """Lower bound (duration)."""
    mode: Duration
    """Most likely value (duration)."""
    high: Duration
    """Upper bound (duration)."""

    @model_validator(mode="after")
    def _check(self) -> "Triangular":
        if not (self.low <= self.mode <= self.high):
            raise ValueError("need low <= mode <= high")
        if self.low == self.high:
            raise ValueError("need low < high (use dist: fixed for a constant)")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    @property
    def variance(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0

    def ppf(self, u: np.ndarray) -> np.ndarray:
        import numpy as np

        a, c, b = self.low, self.mode, self.high
        u = np.asarray(u, dtype=float)
        split = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.where(u < split, left, right)

    def describe(self) -> str:
        return (
            f"triangular({format_duration(self.low)}, {format_duration(self.mode)}, "
            f"{format_duration(self.high)})"
        )


class _MeanSd(DistributionBase):
    mean_: Duration = Field(alias="mean")
    """Mean (duration with units), > 0."""
    sd: Duration
    """Standard deviation (duration with units), >= 0."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        validate_default=True,
    )

    @model_validator(mode="after")
    def _check(self) -> "_MeanSd":
        if self.mean_ <= 0:
            raise ValueError("mean must be greater than zero")
        return self

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.sd**2


class Lognormal(_MeanSd):
    """Lognormal given by its own mean and standard deviation (not of the log)."""

    dist: Literal["lognormal"]

    def ppf(self, u: np.ndarray) -> np.ndarray:
        import numpy as np

        if self.sd == 0:
            return np.full(np.shape(u), self.mean_)
        from scipy.special import ndtri

        s2 = math.log1p((self.sd / self.mean_) ** 2)
        mu = math.log(self.mean_) - 0.5 * s2
        return np.exp(mu + math.sqrt(s2) * ndtri(np.asarray(u, dtype=float)))

    def describe(self) -> str:
        return f"lognormal(mean {format_duration(self.mean_)}, sd {format_duration(self.sd)})"


class Gamma(_MeanSd):
    """Gamma given by mean and standard deviation (shape = (mean/sd)^2)."""

    dist: Literal["gamma"]

    def ppf(self, u: np.ndarray) -> np.ndarray:
        import numpy as np

        if self.sd == 0:
            return np.full(np.shape(u), self.mean_)
        from scipy.special import gammaincinv

        shape = (self.mean_ / self.sd) ** 2
        scale = self.sd**2 / self.mean_
        return gammaincinv(shape, np.asarray(u, dtype=float)) * scale

    def describe(self) -> str:
        return f"gamma(mean {format_duration(self.mean_)}, sd {format_duration(self.sd)})"


class Empirical(DistributionBase):
    """Resample uniformly from a list of observed durations."""

    dist: Literal["empirical"]
    values: list[Duration] = Field(min_length=1)
    """Observed durations; each is drawn with equal probability."""

    @property
    def mean(self) -> float:
        import numpy as np

        return float(np.mean(self.values))

    @property
    def variance(self) -> float:
        import numpy as np

        return float(np.var(self.values))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        import numpy as np

        vals = np.asarray(self.values, dtype=float)
        k = np.floor(np.asarray(u, dtype=float) * vals.size).astype(np.int64)
        return vals[np.minimum(k, vals.size - 1)]

    def describe(self) -> str:
        return f"empirical({len(self.values)} values, mean {self.mean:.1f} min)"


def _shorthand(value: Any) -> Any:
    """A bare duration means a fixed distribution."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return {"dist": "fixed", "value": value}
    return value


Distribution = Annotated[
    Union[Fixed, Exponential, Uniform, Triangular, Lognormal, Gamma, Empirical],
    Field(discriminator="dist"),
    BeforeValidator(_shorthand),
]
"""Any supported random duration; see :mod:`sim.scenario.distributions`."""
