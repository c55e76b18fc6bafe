"""Helpers for scripted-timeline tests: scripted violations, types, readable rows."""

from __future__ import annotations

from sim import records as R

# Three types of distinct severity (shares only matter for random violations).
TYPES = {
    "small_arms": {"share": 0.4, "severity": 1, "evidence_half_life": "1d"},
    "drone": {"share": 0.3, "severity": 2, "evidence_half_life": "1d"},
    "artillery": {"share": 0.3, "severity": 3, "evidence_half_life": "2d", "attributable": 1.0},
}
# Enough officers at every desk that nobody waits for one.
PLENTY = {p: {"officers": 5} for p in R.PARTIES}


def at(minutes: float, node: str, perpetrator: str = "RU", kind: str = "artillery") -> dict:
    """A scripted violation at ``minutes`` after the start (the affected side is the
    other one; in the timeline world its report reaches that side's desk 30 min later)."""
    return {"time": f"{minutes:g}min", "node": node, "type": kind, "perpetrator": perpetrator}


def column(table: dict, name: str) -> list:
    """A column as plain Python values."""
    return table[name].tolist()


def names(table: dict, name: str, vocabulary: tuple[str, ...]) -> list[str]:
    """A code column as names."""
    return [vocabulary[k] for k in table[name].tolist()]


def only(start: str, end: str, officers: int = 1) -> dict:
    """A desk staffed by one shift a day (nobody on duty outside it)."""
    return {"officers": None, "shifts": [{"start": start, "end": end, "officers": officers}]}
