"""The referrals nameko service: entrypoints only."""
from __future__ import annotations

from chassis.endpoints import StandardEndpoints
from chassis.http import Call, route
from chassis.relay import OutboxRelay
from chassis.store import Store
from contracts import referrals as rf
from functools import partial

from chassis.errors import Forbidden
from chassis.vault import VaultProvider
from referrals.application import ReferralNotFoundError, Referrals
from referrals.translation import TRANSLATED, to_contract

CREATED = {201: "stored (the same answer again for a repeated Idempotency-Key)"}


class ReferralsService(StandardEndpoints):
    name = "referrals"
    http_port = 8001
    publishes = rf.PUBLISHED
    store = Store(Referrals)
    vault = VaultProvider()
    outbox = OutboxRelay(to_contract, TRANSLATED)

    @route("POST", "/referrals", roles=("referrer", "caseworker", "admin"), body=rf.SubmitReferral, requires_idempotency_key=True, answers=CREATED,
           summary="A partner refers a person to the hub")
    def submit_referral(self, call: Call) -> tuple[int, dict]:
        """Takes contracts.referrals.SubmitReferral; returns the referral and client ids and the event id.

        A referrer refers for its own organisation only; caseworkers record referrals for any partner."""
        if call.acting_as("referrer") and not call.acting_as("caseworker", "admin") \
                and call.body["partner_id"] != call.organisation:
            raise Forbidden("a partner refers for its own organisation only", fields={"partner_id": ["not yours"]})
        answer, _ = self.store.submit_referral(call.organisation, call.idempotency_key, call.body, self.vault.seal)
        return 201, answer

    @route("POST", "/referrals/<uuid:referral_id>/acceptance", roles=("caseworker", "admin"), body=rf.AcceptClient,
           requires_idempotency_key=True, answers=CREATED, summary="Accept the client at an entry point")
    def accept_client(self, call: Call) -> tuple[int, dict]:
        """Takes contracts.referrals.AcceptClient; returns the referral's new event id."""
        answer, _ = self.store.accept_client(call.organisation, call.idempotency_key,
                                             call.path["referral_id"], **call.body)
        return 201, answer

    @route("GET", "/referrals/<uuid:referral_id>", roles=("referrer", "caseworker", "admin"),
           answers={200: "the referral", 404: "no such referral (or not one of yours)"},
           summary="One referral's status")
    def get_referral(self, call: Call) -> dict:
        """A partner sees the referrals it made, and nothing else (another partner's is a 404)."""
        hub = call.acting_as("caseworker", "admin")
        view = self.store.referral_view(call.path["referral_id"])
        if not hub and view["partner_id"] != call.organisation:
            raise ReferralNotFoundError(call.path["referral_id"])
        if hub:  # the hub sees the form; every such read is recorded
            view = self.store.referral_view(call.path["referral_id"], partial(
                self.vault.read, actor=call.meta["actor"], organisation=call.organisation,
                purpose="GET /referrals/<referral_id>"))
        return view

    @route("POST", "/referrals/<uuid:referral_id>/erasure", roles=("caseworker", "admin"), body=rf.DecideErasure,
           requires_idempotency_key=True, answers={201: "decision recorded"},
           summary="Erase the client's personal data, or record why the request is refused")
    def decide_erasure(self, call: Call) -> tuple[int, dict]:
        """Takes contracts.referrals.DecideErasure; erasure deletes the client's data key (crypto-shredding)."""
        answer, _ = self.store.decide_erasure(call.organisation, call.idempotency_key, call.path["referral_id"],
                                              erase_key=partial(self.vault.erase, by=call.meta["actor"],
                                                                ground=call.body["ground"]),
                                              **call.body)
        return 201, answer
