"""Which metrics a sweep or a staffing search shows, and which of its dimensions no
target constrains.

A sweep's CSV holds every key metric; its printed table, figures and report
show a few. The user chooses them (``--metric``, or ``metrics:`` in the sweep
file); by default they are the metrics the swept keys affect: desk keys
(``center.*``) move the desk metrics, team keys (``teams.*``) the team metrics.
"""

from __future__ import annotations

import difflib
from typing import Any

from ..scenario import ScenarioError
from .metrics import METRIC_KEYS
from .sweepfile import LinkedParameter, SweepSpec

# What a desk serves: how fast reports are acknowledged, and how busy the desks are.
DESK_METRICS = (
    "acknowledge_mean",
    "within_acknowledge",
    "utilisation_RU",
    "utilisation_UA",
    "utilisation_US",
)
# What teams serve: how fast and how often incidents are visited and verified.
TEAM_METRICS = (
    "response_p90",
    "violation_to_finding_mean",
    "verification_rate",
    "within_response",
    "utilisation_teams",
)
# Shown when the swept keys are neither desk nor team keys.
GENERAL_METRICS = (
    "acknowledge_mean",
    "response_p90",
    "violation_to_finding_mean",
    "verification_rate",
    "within_response",
    "utilisation_teams",
)
# Which family of keys a metric answers to (for the unconstrained-dimension note).
DIMENSIONS = {"center.": ("desk staffing", DESK_METRICS), "teams.": ("teams", TEAM_METRICS)}


def swept_paths(spec: SweepSpec) -> dict[str, list[str]]:
    """Each swept parameter (grid name or variant key) and the key paths it sets."""
    if spec.grid:
        return {
            name: list(v.paths) if isinstance(v, LinkedParameter) else [name]
            for name, v in spec.grid.items()
        }
    keys: dict[str, list[str]] = {}
    for v in spec.variants:
        for path in v.set:
            keys.setdefault(path, [path])
    return keys


def default_metrics(paths: list[str]) -> tuple[str, ...]:
    """The metrics the swept key paths affect.

    Examples
    --------
    >>> default_metrics(["center.desks.RU.officers"])[:2]
    ('acknowledge_mean', 'within_acknowledge')
    >>> default_metrics(["teams.bases[1].count"])[0]
    'response_p90'
    >>> len(default_metrics(["center.desks.RU.officers", "teams.speed_kmh"]))
    10
    >>> default_metrics(["violations.rate_per_day"]) == GENERAL_METRICS
    True
    """
    desk = any(p.startswith("center.") for p in paths)
    team = any(p.startswith("teams.") for p in paths)
    if not desk and not team:
        return GENERAL_METRICS
    return (DESK_METRICS if desk else ()) + (TEAM_METRICS if team else ())


def check_metrics(names: list[str], where: str, file: str | None = None) -> None:
    """Refuse a metric name that is not a key metric, with the closest one."""
    for name in names:
        if name not in METRIC_KEYS:
            close = difflib.get_close_matches(name, METRIC_KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ScenarioError(
                file,
                where,
                f"unknown metric {name!r}{hint}; the metrics are: {', '.join(METRIC_KEYS)}",
            )


def sweep_metrics(spec: SweepSpec) -> tuple[str, ...]:
    """The metrics a sweep shows: the file's ``metrics`` if given, else the defaults."""
    if spec.metrics:
        return tuple(dict.fromkeys(spec.metrics))
    return default_metrics([p for paths in swept_paths(spec).values() for p in paths])


def unconstrained(spec: Any, best: dict[str, Any] | None) -> list[str]:
    """Sentences naming each swept dimension no constraint bears on, where the least-cost
    point sits at the minimum of its grid (so its value is not a recommendation)."""
    if best is None or not spec.grid:
        return []
    notes = []
    for name, paths in swept_paths(spec).items():
        for prefix, (what, affected) in DIMENSIONS.items():
            if not all(p.startswith(prefix) for p in paths):
                continue
            if any(m in affected for m in spec.constraints):
                continue
            grid = spec.grid[name]
            values = grid.values if isinstance(grid, LinkedParameter) else grid
            low = min(values)
            if best.get(name) == low:
                notes.append(
                    f"{what} ({name}) is unconstrained here; the minimum of its grid "
                    f"({low}) is shown"
                )
    return notes
