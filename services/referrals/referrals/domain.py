"""Referrals domain: aggregates, their events and the rules they keep."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
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
                 occurred_at: datetime) -> None:
        """``id`` is given, not drawn: it comes from the poster's idempotency key (chassis.idempotency)."""
        self.client_id, self.partner_id, self.profession = client_id, partner_id, profession
        self.received_at = occurred_at
        self.status = "received"
        self.entry_point: str | None = None
        self.regulator: str | None = None

    def accept(self, entry_point: str, regulator: str, occurred_at: datetime) -> None:
        ensure_past(occurred_at)
        if self.status != "received":
            raise ReferralAlreadyDecidedError(self.status)
        self._accepted(client_id=self.client_id, partner_id=self.partner_id, profession=self.profession,
                       entry_point=entry_point, regulator=regulator, occurred_at=occurred_at)

    @event("Accepted")
    def _accepted(self, client_id: UUID, partner_id: str, profession: str, entry_point: str, regulator: str,
                  occurred_at: datetime) -> None:
        self.status, self.entry_point, self.regulator = "accepted", entry_point, regulator
