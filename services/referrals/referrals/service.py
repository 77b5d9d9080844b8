"""The referrals nameko service: entrypoints only."""
from __future__ import annotations

from chassis.endpoints import StandardEndpoints
from chassis.errors import Forbidden, NotFound
from chassis.follower import LogFollower
from chassis.http import Call, route
from chassis.providers import Store
from chassis.relay import OutboxRelay
from chassis.vault import VaultProvider
from contracts import answers
from contracts import referrals as rf
from referrals.application import Referrals
from referrals.dependencies import IdentityIndexProvider, ReferralCasesProvider
from referrals.translation import TRANSLATED, to_contract

CREATED = {201: "stored (the same answer again for a repeated Idempotency-Key)", 404: "no such referral"}
HUB = ("caseworker", "admin")


class ReferralsService(StandardEndpoints):
    name = "referrals"
    http_port = 8001
    publishes = rf.PUBLISHED
    store = Store(Referrals)
    vault = VaultProvider()
    identities = IdentityIndexProvider()
    cases = ReferralCasesProvider()  # the use cases, over the store, the vault and the identity index
    outbox = OutboxRelay(to_contract, TRANSLATED)
    follower = LogFollower()  # the audit chain of its log

    @route("POST", "/referrals", answer=answers.ReferralStored, produces=("referral_id",),
           roles=("referrer", "caseworker", "admin"), body=rf.SubmitReferral, requires_idempotency_key=True,
           answers=CREATED,
           summary="A partner refers a person to the hub")
    def submit_referral(self, call: Call) -> tuple[int, dict]:
        """Takes contracts.referrals.SubmitReferral; returns the referral id and the event id (to the hub, also the
        client's id and whether the person was known).

        A referrer refers for its own organisation only; caseworkers record referrals for any partner."""
        if call.acting_as("referrer") and not call.acting_as("caseworker", "admin") \
                and call.body["partner_id"] != call.organisation:
            raise Forbidden("a partner refers for its own organisation only", fields={"partner_id": ["not yours"]})
        answer = self.cases.submit_referral(call.once, call.body)
        if call.acting_as("referrer") and not call.acting_as("caseworker", "admin"):
            # identity matching stays internal: a partner learns neither the client's id nor that the person was
            # known (another partner may have referred them); the hub sees both
            answer = {k: v for k, v in answer.items() if k not in ("client_id", "match")}
        return 201, answer

    @route("POST", "/referrals/<uuid:referral_id>/acceptance", answer=answers.ReferralStored, roles=HUB,
           body=rf.AcceptClient,
           requires_idempotency_key=True, answers=CREATED, summary="Accept the client at the assessed entry point")
    def accept_client(self, call: Call) -> tuple[int, dict]:
        """Takes contracts.referrals.AcceptClient; returns the referral's new event id."""
        return 201, self.cases.accept_client(call.once, call.path["referral_id"],
                                             **call.body)

    @route("POST", "/referrals/<uuid:referral_id>/contact-attempts", answer=answers.ReferralStored, roles=HUB,
           body=rf.RecordContactAttempt,
           requires_idempotency_key=True, answers=CREATED, summary="Record an attempt to contact the person")
    def record_contact_attempt(self, call: Call) -> tuple[int, dict]:
        return self._step(call, "record_contact_attempt")

    @route("POST", "/referrals/<uuid:referral_id>/consent", answer=answers.ReferralStored, roles=HUB,
           body=rf.RecordConsent,
           requires_idempotency_key=True, answers=CREATED, summary="Record the privacy notice, lawful basis, consent")
    def record_consent(self, call: Call) -> tuple[int, dict]:
        return self._step(call, "record_consent")

    @route("POST", "/referrals/<uuid:referral_id>/consent-withdrawal", answer=answers.ReferralStored, roles=HUB,
           body=rf.WithdrawConsent,
           requires_idempotency_key=True, answers=CREATED, summary="The person withdraws consent")
    def withdraw_consent(self, call: Call) -> tuple[int, dict]:
        return self._step(call, "withdraw_consent")

    @route("POST", "/referrals/<uuid:referral_id>/assessment", answer=answers.ReferralStored, roles=HUB, body=rf.Assess,
           requires_idempotency_key=True, answers=CREATED, summary="Eligibility and English: the entry point")
    def assess(self, call: Call) -> tuple[int, dict]:
        return 201, self.cases.assess(call.once, call.path["referral_id"], call.body)

    @route("POST", "/referrals/<uuid:referral_id>/decline", answer=answers.ReferralStored, roles=HUB, body=rf.Decline,
           requires_idempotency_key=True, answers=CREATED, summary="Decline the referral, with a reason")
    def decline(self, call: Call) -> tuple[int, dict]:
        return self._step(call, "decline")

    @route("POST", "/referrals/<uuid:referral_id>/closure-for-no-contact", answer=answers.ReferralStored, roles=HUB,
           body=rf.CloseForNoContact,
           requires_idempotency_key=True, answers=CREATED, summary="Close after unanswered contact attempts")
    def close_for_no_contact(self, call: Call) -> tuple[int, dict]:
        return self._step(call, "close_for_no_contact")

    @route("POST", "/referrals/<uuid:referral_id>/withdrawal", answer=answers.ReferralStored, roles=HUB,
           body=rf.Withdraw,
           requires_idempotency_key=True, answers=CREATED, summary="The person withdraws from the programme")
    def withdraw(self, call: Call) -> tuple[int, dict]:
        return self._step(call, "withdraw")

    @route("POST", "/referrals/<uuid:referral_id>/corrections", answer=answers.ReferralStored, roles=HUB,
           body=rf.CorrectDetails,
           requires_idempotency_key=True, answers=CREATED, summary="Correct details of the form (a new event)")
    def correct_details(self, call: Call) -> tuple[int, dict]:
        return 201, self.cases.correct_details(call.once, call.path["referral_id"],
                                               call.body)

    @route("POST", "/partners", answer=answers.Partner, produces=("partner_id",), roles=HUB, body=rf.RegisterPartner,
           requires_idempotency_key=True,
           answers={201: "registered", 409: "already registered"}, summary="Register a referral partner")
    def register_partner(self, call: Call) -> tuple[int, dict]:
        """Takes contracts.referrals.RegisterPartner. Issue its credentials with launcher.credentials."""
        return 201, self.cases.register_partner(call.once, **call.body)

    @route("GET", "/partners/<partner_id>", answer=answers.Partner, roles=HUB,
           answers={200: "the partner", 404: "not registered"},
           summary="One referral partner")
    def get_partner(self, call: Call) -> dict:
        found = self.cases.partner(call.path["partner_id"])
        if found is None:
            raise NotFound(f"no partner {call.path['partner_id']}")
        return found

    @route("GET", "/referrals/possible-duplicates", answer=answers.PossibleDuplicates, roles=HUB,
           audit_read="*", answers={200: "referrals to check by hand"},
           summary="Referrals attached to a client on a partial match (name and date of birth only, or disagreeing)")
    def possible_duplicates(self, call: Call) -> dict:
        return {"referrals": self.cases.possible_duplicates()}

    @route("POST", "/clients/search", answer=answers.ClientsFound, roles=HUB, body=rf.ClientSearch, audit_read="*",
           answers={200: "the clients found (none: an empty list)"},
           summary="Find clients by NI number, mobile, email, name (with or without the date of birth) or a "
                   "partner's case reference")
    def search_clients(self, call: Call) -> dict:
        """Takes contracts.referrals.ClientSearch (a POST: personal data stays out of URLs and logs); compared
        through the blind index only. Stores nothing, so it takes no Idempotency-Key; each search is a recorded
        read."""
        return {"clients": self.cases.search_clients(call.body)}

    def _step(self, call: Call, name: str) -> tuple[int, dict]:
        return 201, self.cases.take_step(call.once, name, call.path["referral_id"],
                                         call.body)

    @route("GET", "/referrals/<uuid:referral_id>", answer=answers.Referral, roles=("referrer", "caseworker", "admin"),
           audit_read="referral_id",
           answers={200: "the referral", 404: "no such referral (or not one of yours)"},
           summary="One referral's status")
    def get_referral(self, call: Call) -> dict:
        """A partner sees the referrals it made, and nothing else (another partner's is a 404)."""
        if not call.acting_as("caseworker", "admin"):
            return self.cases.referral_for_partner(call.path["referral_id"], call.organisation)
        # the hub sees the form; every such read is recorded
        return self.cases.referral_for_hub(call.path["referral_id"], call.meta["actor"], call.organisation)

    @route("POST", "/referrals/<uuid:referral_id>/erasure", answer=answers.ErasureDecided,
           roles=("caseworker", "admin"), body=rf.DecideErasure,
           requires_idempotency_key=True, answers={201: "decision recorded"},
           summary="Erase the client's personal data, or record why the request is refused")
    def decide_erasure(self, call: Call) -> tuple[int, dict]:
        """Takes contracts.referrals.DecideErasure; erasure deletes the client's data key (crypto-shredding)."""
        return 201, self.cases.decide_erasure(call.once, call.path["referral_id"],
                                              by=call.meta["actor"], **call.body)
