"""Referrals use cases, in primitives and UUIDs."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from typing import Callable
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError

from chassis.errors import NotFound
from chassis.idempotency import create_once, run_once
from chassis.store import ServiceApplication
from referrals.domain import ErasureDecision, Referral, ensure_past

CLIENT_NAMESPACE = UUID("4f7d3c1e-9a2b-4c5d-8e6f-7a8b9c0d1e2f")
#: The parts of the placement referral form sealed per client (chassis.vault); the rest are programme facts.
PERSONAL_FIELDS = ("person", "country_qualified_in", "speciality_detail", "support_needed", "documents")


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

    def submit_referral(self, scope: str, key: str, form: dict[str, Any],
                        seal: Callable[[UUID, dict[str, Any]], str]) -> tuple[dict[str, Any], bool]:
        """``form``: contracts.referrals.SubmitReferral, loaded; ``seal`` encrypts the personal part."""
        ensure_past(form["occurred_at"])

        def create(referral_id: UUID) -> Referral:
            client_id = uuid5(CLIENT_NAMESPACE, str(referral_id))  # the same on a retry: no orphan key
            personal = {name: form[name] for name in PERSONAL_FIELDS}
            return Referral(id=referral_id, client_id=client_id, partner_id=form["partner_id"],
                            profession=form["profession"], right_to_work=form["right_to_work"],
                            ielts_taken=form["ielts_taken"],
                            ielts_score_needed=None if form["ielts_score_needed"] is None
                            else str(form["ielts_score_needed"]),
                            personal=seal(client_id, personal), occurred_at=form["occurred_at"])

        return create_once(self, f"{scope}:submit_referral", key, form, create, _answer)

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

    def referral_view(self, referral_id: UUID,
                      open_personal: Callable[[UUID, str], dict[str, Any] | None] | None = None) -> dict[str, Any]:
        """The referral's status; with ``open_personal`` (an audited read), its personal data too."""
        referral = self.get_referral(referral_id)
        view = {**_answer(referral), "partner_id": referral.partner_id, "profession": referral.profession,
                "right_to_work": referral.right_to_work, "ielts_taken": referral.ielts_taken,
                "ielts_score_needed": referral.ielts_score_needed, "entry_point": referral.entry_point,
                "regulator": referral.regulator, "erased": referral.erased}
        if open_personal is not None:
            view["personal"] = open_personal(referral.client_id, referral.personal)
        return view

    def decide_erasure(self, scope: str, key: str, referral_id: UUID, decision: str, ground: str,
                       requested_on: Any, erase_key: Callable[[UUID], bool]) -> tuple[dict[str, Any], bool]:
        """Erases the client's personal data (deletes the key, then records it) or records a refusal."""
        def command() -> tuple[list[Any], dict[str, Any]]:
            referral = self.get_referral(referral_id)
            if decision == "erase":
                erase_key(referral.client_id)
                referral.erase()
            record = ErasureDecision(client_id=referral.client_id, decision=decision, ground=ground,
                                     requested_on=requested_on)
            return [referral, record], {"client_id": str(referral.client_id), "decision": decision,
                                        "erased": referral.erased}

        body = {"referral_id": referral_id, "decision": decision, "ground": ground, "requested_on": requested_on}
        return run_once(self, f"{scope}:decide_erasure", key, body, command)
