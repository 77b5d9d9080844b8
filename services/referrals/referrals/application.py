"""Referrals use cases, in primitives and UUIDs."""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError

from chassis.application import ServiceApplication
from chassis.clock import ensure_past
from chassis.errors import Conflict, NotFound
from chassis.idempotency import Once
from chassis.vault import Vault
from referrals.domain.referral import ErasureDecision, PartnerNotRegisteredError, Referral, ReferralPartner
from referrals.identity import TABLES, IdentityIndex, Match

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
            "status": referral.status, "entry_point": referral.entry_point or referral.assessed_entry_point,
            "match": referral.match}


PARTNER_CACHE_SECONDS = 5.0


class Referrals(ServiceApplication):
    name = "referrals"  # fixes table referrals_events and env prefix REFERRALS_
    extra_tables = TABLES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._active_partners: dict[str, float] = {}

    def submit_referral(self, once: Once, form: dict[str, Any], seal: Callable[[UUID, dict[str, Any]], str],
                        index: IdentityIndex | None = None) -> tuple[dict[str, Any], bool]:
        """``form``: contracts.referrals.SubmitReferral, loaded; ``seal`` encrypts the personal part; ``index``
        recognises a person referred before (the referral is then attached to that client)."""
        ensure_past(form["occurred_at"])
        self.ensure_partner(form["partner_id"])
        digests = index.digests(form["person"]) if index is not None else {}
        match = index.match(digests) if index is not None else Match(None, "new", (), (), {})

        def create(referral_id: UUID) -> Referral:
            # a new person's id follows from the referral's: the same on a retry, so no orphan key
            client_id = match.client_id or uuid5(CLIENT_NAMESPACE, str(referral_id))
            personal = {name: form[name] for name in PERSONAL_FIELDS}
            return Referral(id=referral_id, client_id=client_id, partner_id=form["partner_id"],
                            profession=form["profession"], right_to_work=form["right_to_work"],
                            ielts_taken=form["ielts_taken"],
                            ielts_score_needed=None if form["ielts_score_needed"] is None
                            else str(form["ielts_score_needed"]),
                            personal=seal(client_id, personal), occurred_at=form["occurred_at"],
                            match=match.kind, matched_on=match.matched_on,
                            external_reference=form.get("external_reference"))

        answer, replayed = once.create(self, "submit_referral", form, create, _answer)
        if index is not None and not replayed:
            client_id, referral_id = UUID(answer["client_id"]), UUID(answer["referral_id"])
            clashes = index.remember(client_id, digests, match.owners)
            index.note(client_id, referral_id, index.search_digests(form["person"], form["partner_id"],
                                                                    form.get("external_reference")))
            if match.kind == "partial" or clashes:
                index.flag(referral_id, client_id, match.other_clients, match.matched_on + tuple(clashes),
                           form["occurred_at"].isoformat())
        return answer, replayed

    def register_partner(self, once: Once, partner_id: str, name: str, kind: str,
                         occurred_at: datetime) -> tuple[dict[str, Any], bool]:
        def command() -> tuple[list[Any], dict[str, Any]]:
            if self._partner(partner_id) is not None:
                raise Conflict(f"{partner_id} is already registered", rule="partner_registered_once")
            partner = ReferralPartner(partner_id=partner_id, name=name, kind=kind, occurred_at=occurred_at)
            return [partner], {"partner_id": partner_id, "kind": kind, "active": True}

        body = {"partner_id": partner_id, "name": name, "kind": kind, "occurred_at": occurred_at}
        return once.run(self, "register_partner", body, command)

    def partners(self, partner_ids: list[str]) -> list[dict[str, Any]]:
        found = [self._partner(partner_id) for partner_id in partner_ids]
        return [{"partner_id": p.partner_id, "name": p.name, "kind": p.kind, "active": p.active}
                for p in found if p is not None]

    def ensure_partner(self, partner_id: str) -> None:
        # Active partners are remembered for a few seconds: every referral checks, partners rarely change.
        seen = self._active_partners.get(partner_id)
        if seen is not None and time.monotonic() - seen < PARTNER_CACHE_SECONDS:
            return
        partner = self._partner(partner_id)
        if partner is None or not partner.active:
            raise PartnerNotRegisteredError(partner_id)
        self._active_partners[partner_id] = time.monotonic()

    def _partner(self, partner_id: str) -> ReferralPartner | None:
        try:
            return self.repository.get(ReferralPartner.create_id(partner_id))
        except AggregateNotFoundError:
            return None

    def possible_duplicates(self, index: IdentityIndex) -> list[dict[str, Any]]:
        return index.possible_duplicates()

    def change_referral(self, once: Once, command_name: str, referral_id: UUID, body: dict[str, Any],
                        change: Callable[[Referral], None]) -> tuple[dict[str, Any], bool]:
        """Applies one lifecycle step (``change``) to a referral, at most once per idempotency key."""
        def command() -> tuple[list[Any], dict[str, Any]]:
            referral = self.get_referral(referral_id)
            change(referral)
            return [referral], _answer(referral)

        return once.run(self, command_name, {"referral_id": referral_id, **body}, command)

    def accept_client(self, once: Once, referral_id: UUID, regulator: str,
                      occurred_at: datetime) -> tuple[dict[str, Any], bool]:
        return self.change_referral(once, "accept_client", referral_id,
                                    {"regulator": regulator, "occurred_at": occurred_at},
                                    lambda referral: referral.accept(regulator=regulator, occurred_at=occurred_at))

    def correct_details(self, once: Once, referral_id: UUID, corrections: dict[str, Any],
                        reseal: Callable[[UUID, str, dict[str, Any]], str]) -> tuple[dict[str, Any], bool]:
        """``reseal(client_id, sealed, corrections)`` opens the sealed form, applies the corrections, seals it."""
        occurred_at = corrections.pop("occurred_at")
        names = sorted(f"person.{name}" for name in corrections.get("person", {})) + \
            sorted(name for name in corrections if name != "person")

        def change(referral: Referral) -> None:
            referral.ensure_not_erased()  # the vault would refuse to reseal first, as a server error
            referral.correct_details(reseal(referral.client_id, referral.personal, corrections), names, occurred_at)

        return self.change_referral(once, "correct_details", referral_id,
                                    {**corrections, "occurred_at": occurred_at}, change)

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
                "ielts_score_needed": referral.ielts_score_needed, "regulator": referral.regulator,
                "contact_attempts": referral.attempts, "lawful_basis": referral.lawful_basis,
                "consent_given": referral.consent_given, "eligible": referral.eligible,
                "work_restricted": referral.work_restricted, "closed_reason": referral.closed_reason,
                "erased": referral.erased, "external_reference": getattr(referral, "external_reference", None)}
        if open_personal is not None:
            view["personal"] = open_personal(referral.client_id, referral.personal)
        return view

    def decide_erasure(self, once: Once, referral_id: UUID, decision: str, ground: str,
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
        return once.run(self, "decide_erasure", body, command)


class ReferralCases:
    """The referrals service's use cases, one method each: primitives in, answers out.

    Its collaborators are given once: the event store (``Referrals``), the vault that seals, opens and erases
    personal data, and the identity index that recognises a person referred before. Entrypoints call these and
    nothing else (referrals.service); idempotency is per request (``chassis.idempotency.Once``: the caller's
    organisation and its Idempotency-Key).
    """

    def __init__(self, store: Referrals, vault: Vault, identities: IdentityIndex) -> None:
        self.store, self.vault, self.identities = store, vault, identities

    def submit_referral(self, once: Once, form: dict[str, Any]) -> dict[str, Any]:
        return self.store.submit_referral(once, form, self.vault.seal, self.identities)[0]

    def register_partner(self, once: Once, **partner: Any) -> dict[str, Any]:
        return self.store.register_partner(once, **partner)[0]

    def partner(self, partner_id: str) -> dict[str, Any] | None:
        found = self.store.partners([partner_id])
        return found[0] if found else None

    def take_step(self, once: Once, step: str, referral_id: UUID, body: dict[str, Any]) -> dict[str, Any]:
        """A lifecycle step by the name of the domain's command (``record_consent``, ``decline``, ...)."""
        return self.store.change_referral(once, step, referral_id, body,
                                          lambda referral: getattr(referral, step)(**body))[0]

    def assess(self, once: Once, referral_id: UUID, body: dict[str, Any]) -> dict[str, Any]:
        """Eligibility and English; the immigration status is sealed like the rest of the person's data."""
        return self.store.change_referral(once, "assess", referral_id, body, lambda referral: referral.assess(
            **body, seal=lambda data: self.vault.seal(referral.client_id, data)))[0]

    def accept_client(self, once: Once, referral_id: UUID, **body: Any) -> dict[str, Any]:
        return self.store.accept_client(once, referral_id, **body)[0]

    def correct_details(self, once: Once, referral_id: UUID, corrections: dict[str, Any]) -> dict[str, Any]:
        """Reseals the corrected form; a corrected person is found by the corrected details from then on."""
        corrected: dict[str, Any] = {}

        def reseal(client_id: UUID, sealed: str, changes: dict[str, Any]) -> str:
            resealed, person = self._reseal(client_id, sealed, changes)
            corrected.update(client_id=client_id, person=person)
            return resealed

        answer, replayed = self.store.correct_details(once, referral_id, dict(corrections), reseal)
        if corrected and not replayed and "person" in corrections:
            person = corrected["person"]
            self.identities.note(corrected["client_id"], referral_id,
                                 {**self.identities.digests(person), **self.identities.search_digests(person)},
                                 corrected=True)
        return answer

    def search_clients(self, criteria: dict[str, Any]) -> list[dict[str, Any]]:
        """The clients these criteria find through the blind index (ids and kinds only: no personal data)."""
        return self.identities.search(criteria)

    def referral_for_partner(self, referral_id: UUID, partner_id: str) -> dict[str, Any]:
        """A partner's view of one of its own referrals (another partner's is not found): no personal data."""
        view = self.store.referral_view(referral_id)
        if view["partner_id"] != partner_id:
            raise ReferralNotFoundError(referral_id)
        return view

    def referral_for_hub(self, referral_id: UUID, actor: str, organisation: str) -> dict[str, Any]:
        """The hub's view, with the sealed form opened (a recorded read of personal data)."""
        return self.store.referral_view(referral_id, partial(self.vault.read, actor=actor, organisation=organisation,
                                                             purpose="GET /referrals/<referral_id>"))

    def possible_duplicates(self) -> list[dict[str, Any]]:
        return self.identities.possible_duplicates()

    def decide_erasure(self, once: Once, referral_id: UUID, by: str, **decision: Any) -> dict[str, Any]:
        """Erasure deletes the client's data key (crypto-shredding) and forgets their identifiers; a refusal is
        recorded with its ground."""
        def erase(client_id: UUID) -> bool:
            self.identities.forget(client_id)  # an erased person is never recognised again
            return self.vault.erase(client_id, by=by, ground=decision["ground"])

        return self.store.decide_erasure(once, referral_id, erase_key=erase, **decision)[0]

    def _reseal(self, client_id: UUID, sealed: str, corrections: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The corrected form sealed, and the corrected person."""
        current = self.vault.open(client_id, sealed) or {}
        person = {**current.get("person", {}), **corrections.get("person", {})}
        return self.vault.seal(client_id, {**current, **corrections, "person": person}), person
