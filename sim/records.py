"""Plain-data results: column tables, codes and outcome states.

A *table* is a ``dict`` of equally long numpy arrays (columns). Codes are
small integers in memory and names on disk; this module is the one place
that maps between them, so every other module speaks the same language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

PARTIES = ("RU", "UA", "US")
SENDERS = ("RU", "UA", "US", "civilian")
CHANNELS = ("affected", "accused", "technical", "civilian", "false")
FALSE_CHANNEL = CHANNELS.index("false")

# Every violation ends in exactly one of these.
VIOLATION_OUTCOMES = (
    "never_reported",
    "reported_unverified",
    "verified",
    "attributed_correct",
    "attributed_incorrect",
)
# Why a reported violation was not verified.
UNVERIFIED_REASONS = (
    "",
    "expired",  # every report of it expired in the triage queue
    "teams_off",  # teams disabled or none configured
    "below_min_severity",  # its incident's severity was below teams.min_severity
    "out_of_range",  # no team base within teams.max_travel_km
    "no_team_in_time",  # no team reached it before give_up_after
    "access_denied",
    "evidence_decayed",  # the team found no evidence of it
    "visited_before_report",  # its report merged into an incident already visited
    "open_at_end",  # still in process when the horizon ended
)
# Every report ends in exactly one of these.
REPORT_STATES = (
    "merged",
    "false_recognised",
    "led_to_finding",
    "expired",
    "open_at_end",
)
# Every incident ends in exactly one of these.
INCIDENT_OUTCOMES = (
    "verified",  # a team found evidence of at least one violation
    "not_verified",  # finding without verification (reason column says why)
    "unfounded",  # only false reports; the finding says no violation
    "open_at_end",
)
INCIDENT_REASONS = (
    "",
    "teams_off",
    "below_min_severity",
    "out_of_range",
    "no_team_in_time",
    "access_denied",
    "no_evidence",
    "open_at_end",
)


def code(names: tuple[str, ...], name: str) -> int:
    return names.index(name)


@dataclass
class ReplicationResult:
    """Everything one replication produced, as plain data.

    Attributes
    ----------
    replication : int
    seed : int
        Root seed of the scenario.
    violations, reports, incidents : dict of numpy arrays
        Tables (see ``docs/outputs.md`` for every column).
    series : dict of numpy arrays
        Time series sampled every ``output.sample_interval``.
    totals : dict
        Time integrals for exact time averages after the warm-up: busy
        officer-minutes, on-duty officer-minutes and queue-length integral
        per desk; busy team-minutes; the measured period length.
    types : list of str
        Violation type names; a type code indexes this list.
    nodes : list of str
        Node ids; a node code indexes this list.
    """

    replication: int
    seed: int
    violations: dict[str, np.ndarray]
    reports: dict[str, np.ndarray]
    incidents: dict[str, np.ndarray]
    series: dict[str, np.ndarray]
    totals: dict[str, Any]
    types: list[str]
    nodes: list[str]


def concat(tables: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Concatenate tables with the same columns."""
    if not tables:
        return {}
    return {k: np.concatenate([t[k] for t in tables]) for k in tables[0]}
