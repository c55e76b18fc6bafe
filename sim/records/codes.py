"""The vocabulary every layer speaks: parties, channels, outcome states and reasons.

Codes are small integers in memory (an index into one of these tuples) and
names on disk; :mod:`sim.records.tables` is the one place that maps between
them.
"""

from __future__ import annotations

PARTIES = ("RU", "UA", "US")
SIDES = ("RU", "UA")  # the two parties that fire and report; a side code indexes this
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
# What a joint finding says (the evidence), and whether the desks agreed on it.
FINDING_GRADES = (
    "confirmed_attributed",  # the violation is confirmed and attributed to a side
    "confirmed_direction",  # confirmed, with the direction of fire only
    "confirmed_unattributed",  # confirmed, not attributable
    "not_confirmed",
    "disputed",  # a desk dissented and no level of the ladder settled it
)
# Claims of moratorium violations: a real strike noticed, an answer to an accusation,
# or nothing behind it; the asset classes a moratorium may cover.
CLAIM_KINDS = ("real", "counter", "false")
SITE_CLASSES = ("refinery", "pipeline", "power_plant", "substation", "nuclear", "dam")
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
