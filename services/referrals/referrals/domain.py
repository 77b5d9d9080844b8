"""Referrals domain: aggregates, their events and the rules they keep."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import UUID

from eventsourcing.domain import event

from chassis.errors import RuleBroken
from chassis.meta import TracedAggregate

CLOCK_SKEW = timedelta(minutes=5)


class ReferralAlreadyDecidedError(RuleBroken):
    """Raised when a referral that was already accepted or closed is accepted again."""

    def __init__(self, status: str) -> None:
        super().__init__("referral_decided_once", f"this referral is already {status}")


class OccurredInFutureError(RuleBroken):
    """Raised when a step claims to have happened after now."""

    def __init__(self) -> None:
        super().__init__("occurred_at_not_in_future", "occurred_at is in the future", fields={"occurred_at": ["in the future"]})


def ensure_past(occurred_at: datetime) -> None:
    if occurred_at > datetime.now(timezone.utc) + CLOCK_SKEW:
        raise OccurredInFutureError()


class Referral(TracedAggregate):
    """One partner's referral of one person. Invariant: a referral is decided (accepted) at most once."""

    @event("Received")
    def __init__(self, id: UUID, client_id: UUID, partner_id: str, profession: str,  # noqa: A002
                 right_to_work: str, ielts_taken: bool, ielts_score_needed: str | None, personal: str,
                 occurred_at: datetime) -> None:
        """``id`` is given, not drawn: it comes from the poster's idempotency key (chassis.idempotency).
        ``personal`` is the sealed personal part of the form (chassis.vault): ciphertext only."""
        self.client_id, self.partner_id, self.profession = client_id, partner_id, profession
        self.right_to_work, self.ielts_taken, self.ielts_score_needed = right_to_work, ielts_taken, ielts_score_needed
        self.personal = personal
        self.received_at = occurred_at
        self.status = "received"
        self.entry_point: str | None = None
        self.regulator: str | None = None
        self.erased = False

    def accept(self, entry_point: str, regulator: str, occurred_at: datetime) -> None:
        ensure_past(occurred_at)
        if self.status != "received":
            raise ReferralAlreadyDecidedError(self.status)
        self._accepted(client_id=self.client_id, partner_id=self.partner_id, profession=self.profession,
                       entry_point=entry_point, regulator=regulator, occurred_at=occurred_at)

    def erase(self) -> None:
        """Records that the client's personal data was erased (the key is gone; this only says so)."""
        if self.erased:
            return
        self._erased(client_id=self.client_id)

    @event("Erased")
    def _erased(self, client_id: UUID) -> None:
        self.erased = True

    @event("Accepted")
    def _accepted(self, client_id: UUID, partner_id: str, profession: str, entry_point: str, regulator: str,
                  occurred_at: datetime) -> None:
        self.status, self.entry_point, self.regulator = "accepted", entry_point, regulator


class ErasureDecision(TracedAggregate):
    """A caseworker's decision on one erasure request: erased, or refused on a stated ground (e.g. funder
    audit retention). Invariant: written once; a new request is a new decision."""

    @event("Decided")
    def __init__(self, client_id: UUID, decision: str, ground: str, requested_on: date) -> None:
        self.client_id, self.decision, self.ground, self.requested_on = client_id, decision, ground, requested_on
