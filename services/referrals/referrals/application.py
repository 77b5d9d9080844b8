"""Referrals use cases, in primitives and UUIDs."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from chassis.errors import NotFound
from chassis.idempotency import create_once, run_once
from chassis.store import ServiceApplication
from referrals.domain import Referral, ensure_past


class ReferralNotFoundError(NotFound):
    """Raised when no referral has the given id."""

    def __init__(self, referral_id: UUID) -> None:
        super().__init__(f"no referral {referral_id}")


def _answer(referral: Referral) -> dict[str, Any]:
    return {"referral_id": str(referral.id), "client_id": str(referral.client_id),
            "event_id": f"{referral.id}:{referral.version}", "version": referral.version,
            "status": referral.status}


class Referrals(ServiceApplication):
    name = "referrals"  # fixes table referrals_events and env prefix REFERRALS_

    def submit_referral(self, scope: str, key: str, partner_id: str, profession: str,
                        occurred_at: datetime) -> tuple[dict[str, Any], bool]:
        ensure_past(occurred_at)

        def create(referral_id: UUID) -> Referral:
            return Referral(id=referral_id, client_id=uuid4(), partner_id=partner_id, profession=profession,
                            occurred_at=occurred_at)

        body = {"partner_id": partner_id, "profession": profession, "occurred_at": occurred_at}
        return create_once(self, f"{scope}:submit_referral", key, body, create, _answer)

    def accept_client(self, scope: str, key: str, referral_id: UUID, entry_point: str, regulator: str,
                      occurred_at: datetime) -> tuple[dict[str, Any], bool]:
        def command() -> tuple[list[Any], dict[str, Any]]:
            referral = self.get_referral(referral_id)
            referral.accept(entry_point=entry_point, regulator=regulator, occurred_at=occurred_at)
            return [referral], _answer(referral)

        body = {"referral_id": referral_id, "entry_point": entry_point, "regulator": regulator,
                "occurred_at": occurred_at}
        return run_once(self, f"{scope}:accept_client", key, body, command)

    def get_referral(self, referral_id: UUID) -> Referral:
        try:
            return self.repository.get(referral_id)
        except AggregateNotFoundError:
            raise ReferralNotFoundError(referral_id) from None

    def referral_view(self, referral_id: UUID) -> dict[str, Any]:
        referral = self.get_referral(referral_id)
        return {**_answer(referral), "partner_id": referral.partner_id, "profession": referral.profession,
                "entry_point": referral.entry_point, "regulator": referral.regulator}
