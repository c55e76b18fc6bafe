"""Graded findings and dissent: what the evidence supports, and whether each desk agrees.

:class:`Grader` turns an incident's evidence into a grade
(``confirmed_attributed``, ``confirmed_direction``, ``confirmed_unattributed``
or ``not_confirmed``, see :data:`sim.records.FINDING_GRADES`), and draws
whether a desk dissents from it. Every draw is keyed: the direction of fire
by the violation, remote confirmation and dissent by the incident (its lead
report), so two configurations grade an incident they share alike.

A desk's role decides its chance of dissent (``findings.dissent``): the desk
of the side the finding names (attributed, or direction of fire) is
*accused*; the desk of the affected side is the *accuser* when the finding
names nobody or does not confirm; every other desk (always the US desk) is
*neutral*. Strong evidence lowers each chance by the factor
``1 - evidence_weight x strength``.
"""

from __future__ import annotations

import numpy as np

from .. import records as R
from ..world.streams import Stream

ATTRIBUTED, DIRECTION, UNATTRIBUTED, NOT_CONFIRMED, DISPUTED = range(len(R.FINDING_GRADES))
NAMING = (ATTRIBUTED, DIRECTION)


def _one(stream: Stream, key: int) -> float:
    return float(stream.uniform(np.array([key], dtype=np.uint64))[0])


class Grader:
    """The finding rules of one scenario in one replication.

    Parameters
    ----------
    spec : FindingsSpec
        ``scenario.findings``.
    type_names : list of str
        Violation type names, in code order.
    seed, replication : int
    """

    def __init__(self, spec, type_names, seed: int, replication: int):
        self.spec = spec
        self.p_direction = [
            spec.direction_by_type.get(t, spec.direction_of_fire) for t in type_names
        ]
        self.remote = spec.remote.confirm
        self.remote_strength = spec.remote.strength
        d = spec.dissent
        self.chance = {"accused": d.accused, "accuser": d.accuser, "neutral": d.neutral}
        self.weight = d.evidence_weight
        self.any_dissent = bool(d.accused or d.accuser or d.neutral)
        self.s_direction = Stream(seed, replication, "findings.direction")
        self.s_remote = Stream(seed, replication, "findings.remote")
        self.s_dissent = [Stream(seed, replication, f"findings.dissent.{p}") for p in R.PARTIES]
        self.s_ladder = [
            Stream(seed, replication, f"findings.ladder.{k}") for k in range(len(spec.ladder))
        ]

    def direction(self, violation_key: int, vtype: int) -> bool:
        """Whether the direction of fire of a verified, unattributable violation is
        established."""
        p = self.p_direction[vtype]
        return p > 0 and _one(self.s_direction, violation_key) < p

    def remote_confirms(self, incident_key: int) -> bool:
        """Whether technical means alone confirm an incident no team verified."""
        return self.remote > 0 and _one(self.s_remote, incident_key) < self.remote

    def role(self, desk: int, grade: int, named: int, affected: int) -> str:
        """``accused``, ``accuser`` or ``neutral``: desk ``desk`` (a party code) towards a
        finding of ``grade`` naming side ``named`` (-1: none) about a site held by
        ``affected``."""
        if desk < len(R.SIDES):
            if grade in NAMING and named == desk:
                return "accused"
            if grade not in NAMING and desk == affected:
                return "accuser"
        return "neutral"

    def dissents(self, desk: int, incident_key: int, role: str, strength: float) -> bool:
        """Whether ``desk`` dissents from the finding, in its ``role``, with evidence of
        ``strength`` (0 to 1)."""
        p = self.chance[role] * (1.0 - self.weight * strength)
        return p > 0 and _one(self.s_dissent[desk], incident_key) < p

    def ladder_uniform(self, level: int, incident_key: int) -> float:
        """The draw that decides whether ``level`` settles a dispute."""
        return _one(self.s_ladder[level], incident_key)


class Agreement:
    """From an incident's evidence to the finding the desks agree on.

    Grades the finding (:class:`Grader`), asks each desk that took part in the
    joint assessment whether it dissents, refers disputes to the ladder, and
    has a desk that missed the assessment (emergency quorum) review the
    finding when it is next on duty. ``done(incident)`` is called when
    nothing more will happen to an incident's finding.

    Parameters
    ----------
    grader : Grader
    assessment : bool
        Whether findings come from a joint assessment (else nobody can dissent).
    assessed_by : dict
        The center's record of which desks assessed each incident.
    violation : callable(vid) -> (key, type, perpetrator)
    """

    def __init__(self, grader: Grader, assessment: bool, assessed_by, violation):
        self.g = grader
        self.assessment = assessment
        self.assessed_by = assessed_by
        self.violation = violation
        self.ladder = None  # a DisputeLadder, set by the replication when there is one
        self.awaiting_review: list[list] = [[], [], []]  # per desk: incidents to review
        self.done = None  # callable(incident)

    def grade(self, inc, verified: list[int], outcome_verified: bool) -> None:
        """Set ``grade``, ``direction`` and ``strength`` from the evidence."""
        g = self.g
        if outcome_verified:
            if inc.attribution >= 0:
                inc.grade, inc.direction = ATTRIBUTED, inc.attribution
                return
            self._direction(inc, verified[0])
            return
        real = [v for v in inc.violations if v >= 0]
        if inc.technical and real and g.remote_confirms(inc.key):
            inc.strength = g.remote_strength
            self._direction(inc, real[0])
            return
        inc.grade, inc.strength = NOT_CONFIRMED, 0.0

    def _direction(self, inc, vid: int) -> None:
        key, vtype, perpetrator = self.violation(vid)
        if self.g.direction(key, vtype):
            inc.grade, inc.direction = DIRECTION, perpetrator
        else:
            inc.grade = UNATTRIBUTED

    def agree(self, inc, now: float) -> None:
        """The desks that assessed ``inc`` say whether they dissent (its finding was
        just made)."""
        if not self.assessment:
            inc.final_grade = inc.grade
            return
        desks = self.assessed_by.pop(inc.id, (0, 1, 2))
        inc.quorum = len(desks)
        for d in desks:
            self._ask(inc, d)
        absent = [d for d in range(len(R.PARTIES)) if d not in desks]
        if absent:
            inc.absent = absent[0]
            self.awaiting_review[absent[0]].append(inc)
        if any(inc.dissent):
            self._dispute(inc, now)
        elif not absent:
            inc.final_grade = inc.grade

    def _ask(self, inc, desk: int) -> None:
        role = self.g.role(desk, inc.grade, inc.direction, inc.affected)
        if self.g.dissents(desk, inc.key, role, inc.strength):
            inc.dissent[desk] = True

    def _dispute(self, inc, now: float) -> None:
        inc.disputed = now
        if self.ladder is None:
            inc.final_grade = DISPUTED  # nowhere to refer it: it stays disputed
            return
        inc.in_dispute = True
        self.ladder.refer(inc.id, inc.key)

    def desk_on_duty(self, desk: int, now: float) -> None:
        """Desk ``desk`` is back: it reviews the findings made without it."""
        waiting, self.awaiting_review[desk] = self.awaiting_review[desk], []
        for inc in waiting:
            inc.review = now
            self._ask(inc, desk)
            if inc.disputed != inc.disputed:  # not already disputed by the others
                if inc.dissent[desk]:
                    self._dispute(inc, now)
                else:
                    inc.final_grade = inc.grade
            self.done(inc)

    def settled(self, inc, level: int, now: float) -> None:
        inc.dispute_level, inc.dispute_closed, inc.in_dispute = level, now, False
        inc.final_grade = inc.grade
        self.done(inc)

    def unsettled(self, inc, now: float) -> None:
        inc.dispute_closed, inc.in_dispute = now, False
        inc.final_grade = DISPUTED
        self.done(inc)
