"""Trusts, their gates, placements and mentoring.

The commands of ``Pathway`` for this part of the route (a mixin: each checks its rule, then calls the event
method on the aggregate, which records the event; events and their methods stay on ``Pathway`` itself,
eventsourcing names them after it).
"""
from __future__ import annotations

from datetime import date, datetime

from pathways.domain import rules
from pathways.domain.base import (
    StepRefused,
    day,
)


class PlacementSteps:
    def place_with_trust(self, trust: str, occurred_at: datetime) -> None:
        """The hub places the client with a hospital trust, whose systems may then post this pathway's steps."""
        self._ensure_open()
        if trust in self.trusts:
            raise StepRefused("placed_once_per_trust", f"the client is already placed with {trust}")
        self._placed_with_trust(trust=trust, occurred_at=occurred_at)

    # -- clinical exposure and mentoring -----------------------------------------------------------------
    def clear_gate(self, trust: str, gate: str, occurred_at: datetime) -> None:
        """A trust's pre-placement check passed (DBS, occupational health, references, ID, induction, English)."""
        self._ensure_open()
        self._gate_cleared(trust=trust, gate=gate, occurred_at=occurred_at)

    def offer_placement(self, placement_ref: str, kind: str, trust: str, weeks: int, starts_on: date,
                        supervisor_ref: str | None, occurred_at: datetime) -> None:
        self._ensure_open()
        if placement_ref in self.placements:
            raise StepRefused("placement_ref_unique", f"placement {placement_ref} already exists")
        limit = rules.in_force(rules.PLACEMENTS, starts_on, kind=kind).max_weeks
        if weeks > limit:
            raise StepRefused("placement_time_limit", f"a {kind.replace('_', ' ')} lasts at most {limit} weeks")
        self._placement_offered(placement_ref=placement_ref, kind=kind, trust=trust, weeks=weeks,
                                starts_on=starts_on.isoformat(), supervisor_ref=supervisor_ref,
                                occurred_at=occurred_at)

    def start_placement(self, placement_ref: str, supervisor_ref: str | None, occurred_at: datetime) -> None:
        self._ensure_open()
        placement = self._placement(placement_ref, "offered")
        supervisor = supervisor_ref or placement["supervisor_ref"]
        if not supervisor:
            raise StepRefused("named_supervisor_before_placement", "name the supervising consultant first")
        required = rules.gates_for(placement["trust"], placement["kind"], occurred_at.date())
        missing = [gate for gate in required if gate not in self.gates.get(placement["trust"], {})]
        if missing:
            raise StepRefused("placement_gates_cleared", f"{placement['trust']} has not cleared: {', '.join(missing)}",
                              missing=missing)
        self._placement_started(placement_ref=placement_ref, supervisor_ref=supervisor, occurred_at=occurred_at)

    def end_placement(self, placement_ref: str, outcome: str, occurred_at: datetime) -> None:
        """``completed`` or ``ended_early`` after a start; ``withdrawn`` before one."""
        self._ensure_open()
        wanted = "offered" if outcome == "withdrawn" else "started"
        placement = self._placement(placement_ref, wanted)
        if placement["started_on"] and day(occurred_at) < placement["started_on"]:
            raise StepRefused("steps_in_date_order", "a placement ends after it starts")
        self._placement_ended(placement_ref=placement_ref, outcome=outcome, occurred_at=occurred_at)

    def _placement(self, placement_ref: str, status: str) -> dict:
        placement = self.placements.get(placement_ref)
        if placement is None:
            raise StepRefused("placement_offered_first", f"no placement {placement_ref} was offered")
        if placement["status"] != status:
            raise StepRefused("placement_status", f"placement {placement_ref} is {placement['status']}")
        return placement

    def assign_mentor(self, mentor_ref: str, occurred_at: datetime) -> None:
        """A mentor (a clinician of the profession, by reference) is assigned; sessions name them by default."""
        self._ensure_open()
        if mentor_ref == self.mentor_ref:
            raise StepRefused("mentor_changes", f"{mentor_ref} is the client's mentor already")
        self._mentor_assigned(mentor_ref=mentor_ref, occurred_at=occurred_at)

    def record_mentoring(self, mentor_ref: str | None, minutes: int, occurred_at: datetime) -> None:
        """A mentoring session, with the mentor it names or else the mentor assigned."""
        self._ensure_open()
        mentor = mentor_ref or self.mentor_ref
        if mentor is None:
            raise StepRefused("mentor_named", "name the mentor, or assign one first")
        self._mentoring_recorded(mentor_ref=mentor, minutes=minutes, occurred_at=occurred_at)
