"""Records: the plain data every layer shares (lowest layer; imports nothing from ``sim``).

- :mod:`~sim.records.codes`: the vocabulary (parties, channels, outcome states, reasons);
- :mod:`~sim.records.tables`: :class:`ReplicationResult`, the warm-up rule
  (:func:`measured`) and turning codes into names (:func:`decode`);
- :mod:`~sim.records.storage`: atomic files and directories, CSV and JSON.

May import: numpy and the standard library only.
"""

from __future__ import annotations

from .codes import (
    CHANNELS,
    CLAIM_KINDS,
    FALSE_CHANNEL,
    FINDING_GRADES,
    INCIDENT_OUTCOMES,
    INCIDENT_REASONS,
    PARTIES,
    REPORT_STATES,
    SENDERS,
    SIDES,
    SITE_CLASSES,
    UNVERIFIED_REASONS,
    VIOLATION_OUTCOMES,
)

_TABLES = ("ReplicationResult", "Table", "concat", "decode", "measured", "rows")


def __getattr__(name: str):
    # The table helpers need numpy; they load on first use, so that reading and
    # checking a scenario (``cfsim validate``) never imports it.
    if name in _TABLES:
        from . import tables

        return getattr(tables, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CHANNELS",
    "CLAIM_KINDS",
    "FALSE_CHANNEL",
    "FINDING_GRADES",
    "INCIDENT_OUTCOMES",
    "INCIDENT_REASONS",
    "PARTIES",
    "REPORT_STATES",
    "SENDERS",
    "SIDES",
    "SITE_CLASSES",
    "UNVERIFIED_REASONS",
    "VIOLATION_OUTCOMES",
    "ReplicationResult",
    "Table",
    "concat",
    "decode",
    "measured",
    "rows",
]
