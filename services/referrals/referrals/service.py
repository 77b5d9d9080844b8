"""The referrals nameko service: entrypoints only."""
from __future__ import annotations

from chassis.endpoints import StandardEndpoints
from chassis.http import Call, route
from chassis.relay import OutboxRelay
from chassis.store import Store
from contracts import referrals as rf
from referrals.application import Referrals
from referrals.translation import TRANSLATED, to_contract

CREATED = {201: "stored (the same answer again for a repeated Idempotency-Key)"}


class ReferralsService(StandardEndpoints):
    name = "referrals"
    http_port = 8001
    publishes = rf.PUBLISHED
    store = Store(Referrals)
    outbox = OutboxRelay(to_contract, TRANSLATED)

    @route("POST", "/referrals", body=rf.SubmitReferral, requires_idempotency_key=True, answers=CREATED,
           summary="A partner refers a person to the hub")
    def submit_referral(self, call: Call) -> tuple[int, dict]:
        """Takes contracts.referrals.SubmitReferral; returns the referral and client ids and the event id."""
        answer, _ = self.store.submit_referral(call.meta["organisation"], call.idempotency_key, **call.body)
        return 201, answer

    @route("POST", "/referrals/<uuid:referral_id>/acceptance", body=rf.AcceptClient,
           requires_idempotency_key=True, answers=CREATED, summary="Accept the client at an entry point")
    def accept_client(self, call: Call) -> tuple[int, dict]:
        """Takes contracts.referrals.AcceptClient; returns the referral's new event id."""
        answer, _ = self.store.accept_client(call.meta["organisation"], call.idempotency_key,
                                             call.path["referral_id"], **call.body)
        return 201, answer

    @route("GET", "/referrals/<uuid:referral_id>", answers={200: "the referral", 404: "no such referral"},
           summary="One referral's status")
    def get_referral(self, call: Call) -> dict:
        return self.store.referral_view(call.path["referral_id"])
