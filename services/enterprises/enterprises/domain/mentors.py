"""Volunteer mentors of FUSE enterprises: recruitment, availability, matching, sessions, recognition."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from chassis.clock import ensure_past
from chassis.errors import RuleBroken
from chassis.meta import TracedAggregate
from enterprises.domain.enterprise import Enterprise


class Mentor(TracedAggregate):
    """A volunteer mentor (general, or a specialist in some fields), recruited through one channel.

    Invariants: a mentor who stepped down takes no new matches or sessions; matches never exceed the
    mentor's availability (``max_mentees``); an enterprise is matched once, and only while it belongs to a
    programme (all FUSE participants are mentored); sessions are given to matched enterprises only.
    """

    @event("Recruited")
    def __init__(self, id: UUID, personal: str, channel: str, kind: str, specialisms: list[str],
                 max_mentees: int, former_applicant_id: str | None, occurred_at: datetime) -> None:
        """``personal``: the sealed name and employer (chassis.vault)."""
        self.personal, self.channel, self.kind = personal, channel, kind
        self.specialisms, self.max_mentees = list(specialisms), max_mentees
        self.former_applicant_id = former_applicant_id
        self.matches: list[str] = []
        self.sessions = 0
        self.minutes = 0
        self.recognitions: list[str] = []
        self.active = True

    def _ensure_active(self, occurred_at: datetime) -> None:
        ensure_past(occurred_at)
        if not self.active:
            raise RuleBroken("stepped_down_is_final", "this mentor has stepped down")

    def change_availability(self, max_mentees: int, occurred_at: datetime) -> None:
        self._ensure_active(occurred_at)
        self._availability_changed(max_mentees=max_mentees, occurred_at=occurred_at)

    @event("AvailabilityChanged")
    def _availability_changed(self, max_mentees: int, occurred_at: datetime) -> None:
        self.max_mentees = max_mentees

    def match(self, enterprise: Enterprise, occurred_at: datetime) -> None:
        self._ensure_active(occurred_at)
        if str(enterprise.id) in self.matches:
            raise RuleBroken("matched_once", "this mentor is already matched with this enterprise")
        if len(self.matches) >= self.max_mentees:
            raise RuleBroken("mentor_availability", f"this mentor mentors at most {self.max_mentees} enterprises")
        if not enterprise.programmes or enterprise.merged_into is not None:
            raise RuleBroken("mentoring_within_a_programme", "match mentors with enterprises in a cohort or "
                             "short programme")
        enterprise.ensure_trading(occurred_at)
        self._matched(enterprise_id=str(enterprise.id), occurred_at=occurred_at)

    @event("Matched")
    def _matched(self, enterprise_id: str, occurred_at: datetime) -> None:
        self.matches.append(enterprise_id)

    def give_session(self, enterprise: Enterprise, minutes: int, occurred_at: datetime) -> None:
        """A mentoring session; the enterprise logs it as support in the same save (see application)."""
        self._ensure_active(occurred_at)
        if str(enterprise.id) not in self.matches:
            raise RuleBroken("session_with_a_matched_enterprise", "match the mentor with this enterprise first")
        enterprise.log_support("mentoring", minutes, occurred_at, source_id=self.id)
        self._session_given(enterprise_id=str(enterprise.id), minutes=minutes, occurred_at=occurred_at)

    @event("SessionGiven")
    def _session_given(self, enterprise_id: str, minutes: int, occurred_at: datetime) -> None:
        self.sessions += 1
        self.minutes += minutes

    def recognise(self, recognition: str, occurred_at: datetime) -> None:
        """Thanks the programme gives a mentor: the annual dinner, a public award, a video."""
        ensure_past(occurred_at)
        self._recognised(recognition=recognition, occurred_at=occurred_at)

    @event("Recognised")
    def _recognised(self, recognition: str, occurred_at: datetime) -> None:
        self.recognitions.append(recognition)

    def step_down(self, reason: str, occurred_at: datetime) -> None:
        self._ensure_active(occurred_at)
        self._stepped_down(reason=reason, occurred_at=occurred_at)

    @event("SteppedDown")
    def _stepped_down(self, reason: str, occurred_at: datetime) -> None:
        self.active = False

    def view(self) -> dict[str, Any]:
        return {"mentor_id": str(self.id), "version": self.version, "channel": self.channel, "kind": self.kind,
                "specialisms": list(self.specialisms), "max_mentees": self.max_mentees, "active": self.active,
                "matches": list(self.matches), "sessions": self.sessions, "recognitions": list(self.recognitions),
                "former_applicant_id": self.former_applicant_id}
