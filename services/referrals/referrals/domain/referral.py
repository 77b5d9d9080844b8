"""Referrals domain: aggregates, their events and the rules they keep."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import event

from chassis.clock import ensure_past
from chassis.errors import RuleBroken
from chassis.meta import ReplacedStateAggregate, TracedAggregate

#: Statuses after which a referral takes no more lifecycle steps.
CLOSED = ("accepted", "declined", "closed_no_contact", "withdrawn")
LAWFUL_BASES = ("consent", "public_task", "legitimate_interests", "legal_obligation")
IMMIGRATION_STATUSES = ("british_or_irish", "settled", "refugee", "humanitarian_protection", "other_leave",
                        "asylum_seeker_with_permission", "asylum_seeker_no_permission")
ENGLISH_LEVELS = ("below_esol_level_2", "esol_level_2", "regulator_requirement_met")
#: Failed contact attempts after which a referral may be closed for no contact (programme rule).
ATTEMPTS_BEFORE_CLOSING = 3


class ReferralClosedError(RuleBroken):
    """Raised when a lifecycle step targets a referral that is already accepted, declined, closed or withdrawn."""

    def __init__(self, status: str) -> None:
        super().__init__("referral_closed_is_final", f"this referral is already {status}")


class ConsentRequiredError(RuleBroken):
    """Raised when assessment (processing beyond the referral) comes before a lawful basis is recorded."""

    def __init__(self) -> None:
        super().__init__("lawful_basis_before_processing",
                         "record the privacy notice and lawful basis (and consent, where it is the basis) first")


class NotAssessedError(RuleBroken):
    """Raised when a referral is accepted before an assessment found the person eligible."""

    def __init__(self, why: str) -> None:
        super().__init__("eligible_assessment_before_acceptance", why)


class TooFewAttemptsError(RuleBroken):
    """Raised when a referral is closed for no contact before enough attempts, or after someone was reached."""

    def __init__(self, attempts: int) -> None:
        super().__init__("attempts_before_closing",
                         f"close for no contact after {ATTEMPTS_BEFORE_CLOSING} unanswered attempts; {attempts} so far")


def entry_point_for(english: str, registered: bool) -> str:
    """E-D job-ready (registered or decision pending), E-C English requirement met, E-B ESOL level 2 passed,
    E-A below ESOL level 2 (domain brief, section 4, S2)."""
    if registered:
        return "E-D"
    return {"regulator_requirement_met": "E-C", "esol_level_2": "E-B"}.get(english, "E-A")


class Referral(ReplacedStateAggregate):
    """One partner's referral of one person, through contact, consent and assessment to a decision.

    Invariants: a closed referral (accepted, declined, closed for no contact, withdrawn) takes no more
    steps; assessment needs a recorded lawful basis; acceptance needs an assessment that found the person
    eligible; the entry point assessed at acceptance is the one kept for enrolment.
    """

    @event("Received")
    def __init__(self, id: UUID, client_id: UUID, partner_id: str, profession: str,
                 right_to_work: str, ielts_taken: bool, ielts_score_needed: str | None, personal: str,
                 occurred_at: datetime, match: str = "new", matched_on: tuple[str, ...] = (),
                 external_reference: str | None = None) -> None:
        """``id`` is given, not drawn: it comes from the poster's idempotency key (chassis.idempotency).
        ``personal`` is the sealed personal part of the form (chassis.vault): ciphertext only.
        ``external_reference`` is the referrer's own case reference (validated as not personal data)."""
        self.external_reference = external_reference
        self.client_id, self.partner_id, self.profession = client_id, partner_id, profession
        self.right_to_work, self.ielts_taken, self.ielts_score_needed = right_to_work, ielts_taken, ielts_score_needed
        self.personal = personal
        self.match, self.matched_on = match, list(matched_on)  # new person, or attached to a known client
        self.received_at = occurred_at
        self.status = "received"
        self.attempts = 0
        self.reached = False
        self.lawful_basis: str | None = None
        self.consent_given = False
        self.eligible: bool | None = None
        self.work_restricted = False
        self.assessed_entry_point: str | None = None
        self.entry_point: str | None = None
        self.regulator: str | None = None
        self.closed_reason: str | None = None
        self.erased = False

    def _ensure_open(self) -> None:
        # raise before mutating: decorated bodies re-run on replay
        if self.status in CLOSED:
            raise ReferralClosedError(self.status)

    def record_contact_attempt(self, outcome: str, occurred_at: datetime) -> None:
        ensure_past(occurred_at)
        self._ensure_open()
        self._contacted(partner_id=self.partner_id, attempt=self.attempts + 1, outcome=outcome,
                        occurred_at=occurred_at)

    @event("Contacted")
    def _contacted(self, partner_id: str, attempt: int, outcome: str, occurred_at: datetime) -> None:
        self.attempts = attempt
        if outcome == "reached":
            self.reached = True
            if self.status == "received":
                self.status = "contacted"

    def record_consent(self, lawful_basis: str, privacy_notice_given: bool, consent_given: bool,
                       occurred_at: datetime) -> None:
        ensure_past(occurred_at)
        self._ensure_open()
        self._consent_recorded(client_id=self.client_id, lawful_basis=lawful_basis,
                               privacy_notice_given=privacy_notice_given, consent_given=consent_given,
                               occurred_at=occurred_at)

    @event("ConsentRecorded")
    def _consent_recorded(self, client_id: UUID, lawful_basis: str, privacy_notice_given: bool, consent_given: bool,
                          occurred_at: datetime) -> None:
        self.lawful_basis, self.consent_given = lawful_basis, consent_given

    def withdraw_consent(self, occurred_at: datetime) -> None:
        """Stops what relied on consent: a referral whose only basis was consent cannot be assessed or accepted."""
        ensure_past(occurred_at)
        self._consent_withdrawn(client_id=self.client_id, occurred_at=occurred_at)

    @event("ConsentWithdrawn")
    def _consent_withdrawn(self, client_id: UUID, occurred_at: datetime) -> None:
        self.consent_given = False
        if self.lawful_basis == "consent":
            self.lawful_basis = None

    def _processing_allowed(self) -> bool:
        return self.lawful_basis is not None and (self.lawful_basis != "consent" or self.consent_given)

    def assess(self, lives_in_area: bool, overseas_health_qualification: bool, immigration_status: str,
               english: str, registered: bool, occurred_at: datetime,
               seal: Callable[[dict[str, Any]], str] | None = None) -> None:
        """``seal`` encrypts the immigration status under the person's key (special category-adjacent data: it
        is stored sealed, like the form; only ``work_restricted``, which the programme acts on, stays in clear)."""
        ensure_past(occurred_at)
        self._ensure_open()
        self.ensure_not_erased()
        if not self._processing_allowed():
            raise ConsentRequiredError()
        self._assessed(client_id=self.client_id, eligible=lives_in_area and overseas_health_qualification,
                       lives_in_area=lives_in_area, overseas_health_qualification=overseas_health_qualification,
                       immigration_status=seal({"immigration_status": immigration_status}) if seal is not None
                       else immigration_status,
                       work_restricted=immigration_status == "asylum_seeker_no_permission",
                       english=english, entry_point=entry_point_for(english, registered), occurred_at=occurred_at)

    @event("Assessed")
    def _assessed(self, client_id: UUID, eligible: bool, lives_in_area: bool, overseas_health_qualification: bool,
                  immigration_status: str, work_restricted: bool, english: str, entry_point: str,
                  occurred_at: datetime) -> None:
        self.status, self.eligible, self.work_restricted = "assessed", eligible, work_restricted
        self.assessed_entry_point = entry_point

    def accept(self, regulator: str, occurred_at: datetime) -> None:
        ensure_past(occurred_at)
        self._ensure_open()
        if not self._processing_allowed():
            raise ConsentRequiredError()
        if self.status != "assessed" or self.assessed_entry_point is None:
            raise NotAssessedError("assess the person (eligibility and English) before accepting")
        if not self.eligible:
            raise NotAssessedError("the assessment found the person not eligible: decline instead")
        self._accepted(client_id=self.client_id, partner_id=self.partner_id, profession=self.profession,
                       entry_point=self.assessed_entry_point, regulator=regulator,
                       work_restricted=self.work_restricted, occurred_at=occurred_at)

    @event("Accepted")
    def _accepted(self, client_id: UUID, partner_id: str, profession: str, entry_point: str, regulator: str,
                  work_restricted: bool, occurred_at: datetime) -> None:
        self.status, self.entry_point, self.regulator = "accepted", entry_point, regulator

    def decline(self, reason: str, occurred_at: datetime) -> None:
        ensure_past(occurred_at)
        self._ensure_open()
        self._closed(client_id=self.client_id, partner_id=self.partner_id, outcome="declined", reason=reason,
                     occurred_at=occurred_at)

    def close_for_no_contact(self, occurred_at: datetime) -> None:
        ensure_past(occurred_at)
        self._ensure_open()
        if self.reached or self.attempts < ATTEMPTS_BEFORE_CLOSING:
            raise TooFewAttemptsError(self.attempts)
        self._closed(client_id=self.client_id, partner_id=self.partner_id, outcome="closed_no_contact",
                     reason="no_contact", occurred_at=occurred_at)

    def withdraw(self, reason: str, occurred_at: datetime) -> None:
        """The person withdraws; allowed until the referral is closed, and after acceptance too."""
        ensure_past(occurred_at)
        if self.status in ("declined", "closed_no_contact", "withdrawn"):
            raise ReferralClosedError(self.status)
        self._closed(client_id=self.client_id, partner_id=self.partner_id, outcome="withdrawn", reason=reason,
                     occurred_at=occurred_at)

    @event("Closed")
    def _closed(self, client_id: UUID, partner_id: str, outcome: str, reason: str, occurred_at: datetime) -> None:
        self.status, self.closed_reason = outcome, reason

    def ensure_not_erased(self) -> None:
        """Refuses what would need the person's data once it is erased (before anything tries to open it)."""
        if self.erased:
            raise RuleBroken("erased_data_stays_erased", "this client's personal data was erased")

    def correct_details(self, personal: str, fields: list[str], occurred_at: datetime) -> None:
        """A correction is its own event: the sealed form is replaced, the history keeps both."""
        ensure_past(occurred_at)
        self.ensure_not_erased()
        self._details_corrected(client_id=self.client_id, personal=personal, fields=fields, occurred_at=occurred_at)

    @event("DetailsCorrected")
    def _details_corrected(self, client_id: UUID, personal: str, fields: list[str], occurred_at: datetime) -> None:
        self.personal = personal

    def erase(self) -> None:
        """Records that the client's personal data was erased (the key is gone; this only says so)."""
        if self.erased:
            return
        self._erased(client_id=self.client_id)

    @event("Erased")
    def _erased(self, client_id: UUID) -> None:
        self.erased = True


class ErasureDecision(TracedAggregate):
    """A caseworker's decision on one erasure request: erased, or refused on a stated ground (e.g. funder
    audit retention). Invariant: written once; a new request is a new decision."""

    @event("Decided")
    def __init__(self, client_id: UUID, decision: str, ground: str, requested_on: date) -> None:
        self.client_id, self.decision, self.ground, self.requested_on = client_id, decision, ground, requested_on


PARTNER_KINDS = ("work_club", "community_organisation", "community_connector", "self", "trust", "other")
PARTNER_NAMESPACE = UUID("9c7b1f2e-3d4a-4b5c-8d6e-0f1a2b3c4d5e")


class PartnerNotRegisteredError(RuleBroken):
    """Raised when a referral names a partner that is not in the registry."""

    def __init__(self, partner_id: str) -> None:
        super().__init__("partner_registered", f"{partner_id} is not a registered referral partner",
                         fields={"partner_id": ["not a registered referral partner"]})


class ReferralPartner(TracedAggregate):
    """An organisation that refers people to the hub. Invariant: one per partner id."""

    @staticmethod
    def create_id(partner_id: str) -> UUID:
        return uuid5(PARTNER_NAMESPACE, partner_id)

    @event("Registered")
    def __init__(self, partner_id: str, name: str, kind: str, occurred_at: datetime) -> None:
        self.partner_id, self.name, self.kind, self.active = partner_id, name, kind, True

