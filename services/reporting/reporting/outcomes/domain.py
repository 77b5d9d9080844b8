"""The outcome ledger's aggregates: contracts (terms, prices, allocations under the cap) and each participant's
outcomes under a contract (achieved -> claimed -> validated | rejected -> paid -> clawed back); one achievement
across contracts (double funding) is ``funding.FundedAchievement``.

Money is integer pence. An outcome's payable amount is fixed when it is achieved, in the order achievements are
recorded (the order of the triggering pathway events in the pathways log: first reported, first served), and
never changes afterwards: a rejection or clawback does not hand its room under a cap to later outcomes. That
keeps the ledger a pure function of the pathways log, the contract and the finance decisions, whatever order
messages arrive in (docs/ledger.md).
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from eventsourcing.domain import event

from chassis.errors import RuleBroken
from chassis.meta import ReplacedStateAggregate
from reporting.outcomes.terms import INVESTMENTS, RETURNS, Terms

LEDGER_NAMESPACE = uuid.UUID("3d4a0f7e-6b25-4c55-8d0e-1f2b7d9c6e01")


class LedgerRefused(RuleBroken):
    """Raised when a ledger command breaks a rule of the ledger or the contract; nothing is stored."""


def outcome_ref(contract_id: str, participant_ref: str, metric: str, occurrence: int) -> str:
    """The public id of one outcome: contract, pseudonymous participant, metric and occurrence (the key under
    which it can be paid at most once)."""
    return f"{contract_id}~{participant_ref}~{metric}~{occurrence}"


def parse_outcome_ref(ref: str) -> tuple[str, str, str, int]:
    parts = ref.split("~")
    if len(parts) != 4 or not parts[3].isdigit():
        raise ValueError(ref)
    return parts[0], parts[1], parts[2], int(parts[3])


class ContractLedger(ReplacedStateAggregate):
    """One outcomes contract. Invariants: its terms never change once registered; new price versions only take
    effect after the day they are agreed (no retroactive repricing); the money allocated to outcomes never
    exceeds the contract cap, and no metric has more payable outcomes than its volume cap."""

    @staticmethod
    def create_id(contract_id: str) -> uuid.UUID:
        return uuid.uuid5(LEDGER_NAMESPACE, f"contract:{contract_id}")

    @event("Registered")
    def __init__(self, contract_id: str, terms: dict, occurred_at: datetime) -> None:
        self.contract_id, self.terms_document = contract_id, terms
        self.prices: list[dict] = list(terms["prices"])
        self.allocated = 0
        self.allocations = 0
        self.payable_counts: dict[str, int] = {}  # metric -> outcomes with money allocated
        self.transactions = 0

    @property
    def terms(self) -> Terms:
        return Terms(self.terms_document)

    @property
    def room(self) -> int | None:
        """What is left under the contract cap (None: the contract states no cap)."""
        cap = self.terms_document.get("contract_cap_pence")
        return None if cap is None else int(cap) - self.allocated

    def amend_prices(self, prices: list[dict], reason: str, occurred_at: datetime) -> None:
        agreed = occurred_at.date().isoformat()
        early = [p for p in prices if str(p["effective_from"]) <= agreed]
        if early:
            raise LedgerRefused("no_retroactive_repricing", "a new price takes effect after the day it is agreed",
                                prices=[f"{p['metric']} from {p['effective_from']}" for p in early])
        codes = {m["code"] for m in self.terms_document["metrics"]}
        unknown = sorted({p["metric"] for p in prices} - codes)
        if unknown:
            raise LedgerRefused("price_of_a_contract_metric", f"no metric {', '.join(unknown)} in this contract")
        self._prices_amended(prices=prices, reason=reason, occurred_at=occurred_at)

    @event("PricesAmended")
    def _prices_amended(self, prices: list, reason: str, occurred_at: datetime) -> None:
        self.prices = [*self.prices, *prices]

    def record_transaction(self, transaction_type: str, sender: str, receiver: str, pence: int,
                           reference: str | None, occurred_at: datetime) -> None:
        """An investment drawn down, or interest or capital repaid, between an investor and the provider."""
        investors = {p["organisation"] for p in self.terms_document["investors"]}
        provider = self.terms_document["provider"]["organisation"]
        other = {sender, receiver} - {provider}
        if sender == receiver or provider not in (sender, receiver) or not other <= investors:
            raise LedgerRefused("investor_and_provider", "a transaction runs between an investor of the contract"
                                " and its provider", investors=sorted(investors), provider=provider)
        if transaction_type in INVESTMENTS and sender not in investors:
            raise LedgerRefused("investment_from_investor", f"a {transaction_type} investment comes from an investor")
        if transaction_type in RETURNS and receiver not in investors:
            raise LedgerRefused("return_to_investor", f"{transaction_type} goes to an investor")
        self._transaction_recorded(contract_id=self.contract_id, transaction_type=transaction_type, sender=sender,
                                   receiver=receiver, pence=pence,
                                   reference=reference, occurred_at=occurred_at)

    @event("TransactionRecorded")
    def _transaction_recorded(self, contract_id: str, transaction_type: str, sender: str, receiver: str, pence: int,
                              reference: str | None, occurred_at: datetime) -> None:
        self.transactions += 1

    @event("Allocated")
    def allocate(self, outcome: str, pence: int) -> None:
        """Reserves ``pence`` of the contract cap for one outcome (callers allocate at most ``room``)."""
        self.allocated += pence
        self.allocations += 1
        metric = outcome.split("~")[2]
        self.payable_counts = {**self.payable_counts, metric: self.payable_counts.get(metric, 0) + 1}

    def volume_left(self, metric: str) -> bool:
        """False once the metric's volume cap (if any) is used up."""
        cap = self.terms.metric(metric).get("volume_cap")
        return cap is None or self.payable_counts.get(metric, 0) < int(cap)


class ParticipantLedger(ReplacedStateAggregate):
    """One participant's outcomes under one contract. Invariants: each (metric, occurrence) is achieved once and
    at most ``max_claims_per_participant`` times per metric; payable amounts never exceed the participant cap;
    an outcome moves achieved -> claimed -> validated | rejected, validated -> paid -> clawed back, and is paid
    at most once, exactly its payable amount split by payer shares."""

    @staticmethod
    def create_id(contract_id: str, participant_ref: str) -> uuid.UUID:
        return uuid.uuid5(LEDGER_NAMESPACE, f"participant:{contract_id}:{participant_ref}")

    @event("Opened")
    def __init__(self, contract_id: str, participant_ref: str, client_id: str, enrolled_on: str,
                 entry_point: str) -> None:
        self.contract_id, self.participant_ref, self.client_id = contract_id, participant_ref, client_id
        self.enrolled_on, self.entry_point = enrolled_on, entry_point
        self.outcomes: dict[str, dict[str, Any]] = {}
        self.payable_total = 0

    def occurrences(self, metric: str) -> int:
        return sum(1 for o in self.outcomes.values() if o["metric"] == metric)

    def achieved(self) -> dict[str, list[dict[str, Any]]]:
        """Each metric's outcomes so far, in occurrence order (what the achievement rules look back on)."""
        found: dict[str, list[dict[str, Any]]] = {}
        for outcome in sorted(self.outcomes.values(), key=lambda o: (o["metric"], o["occurrence"])):
            found.setdefault(outcome["metric"], []).append(outcome)
        return found

    def ref(self, metric: str, occurrence: int) -> str:
        return outcome_ref(self.contract_id, self.participant_ref, metric, occurrence)

    class Achieved(ReplacedStateAggregate.Event):
        metric: str
        occurrence: int
        achieved_on: str
        evidenced_on: str | None
        price_pence: int
        payable_pence: int
        payer_split: dict
        price_from: str | None
        not_payable_reason: str | None
        trigger: str
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["evidenced_on"] = None  # v1 outcomes were evidenced by the milestone that achieved them

    @event(Achieved)
    def achieve(self, metric: str, occurrence: int, achieved_on: str, evidenced_on: str | None, price_pence: int,
                payable_pence: int, payer_split: dict, price_from: str | None, not_payable_reason: str | None,
                trigger: str) -> None:
        """Recorded by the ledger engine (reporting.outcomes.achievements) after it applied the caps. ``achieved_on``:
        when the outcome's threshold was reached; ``evidenced_on``: when the evidence that showed it came in."""
        self.outcomes = {**self.outcomes, f"{metric}~{occurrence}": {
            "metric": metric, "occurrence": occurrence, "achieved_on": achieved_on, "evidenced_on": evidenced_on,
            "price_pence": price_pence,
            "payable_pence": payable_pence, "payer_split": payer_split, "status": "achieved", "evidence": [],
            "not_payable_reason": not_payable_reason, "paid_pence": 0, "clawed_back_pence": 0, "trigger": trigger,
            "other_funding": []}}
        self.payable_total += payable_pence

    def outcome(self, metric: str, occurrence: int) -> dict[str, Any]:
        found = self.outcomes.get(f"{metric}~{occurrence}")
        if found is None:
            raise LedgerRefused("outcome_achieved", "no such outcome has been achieved")
        return found

    def _status(self, metric: str, occurrence: int, *allowed: str) -> dict[str, Any]:
        found = self.outcome(metric, occurrence)
        if found["status"] not in allowed:
            raise LedgerRefused("outcome_status", f"the outcome is {found['status']}, not {' or '.join(allowed)}",
                                status=found["status"])
        return found

    def add_evidence(self, metric: str, occurrence: int, evidence_type: str, source: str, obtained_on: date,
                     obtained_by: str, reference: str | None, claim_deadline: date, occurred_at: datetime) -> None:
        """Evidence may come late (after the achievement), but not after the claim deadline."""
        self._status(metric, occurrence, "achieved", "claimed")
        if occurred_at.date() > claim_deadline or obtained_on > claim_deadline:
            raise LedgerRefused("claim_deadline", f"the claim deadline was {claim_deadline.isoformat()}")
        self._evidence_added(metric=metric, occurrence=occurrence, evidence_type=evidence_type, source=source,
                             obtained_on=obtained_on.isoformat(), obtained_by=obtained_by, reference=reference,
                             occurred_at=occurred_at)

    @event("EvidenceAdded")
    def _evidence_added(self, metric: str, occurrence: int, evidence_type: str, source: str, obtained_on: str,
                        obtained_by: str, reference: str | None, occurred_at: datetime) -> None:
        key = f"{metric}~{occurrence}"
        found = self.outcomes[key]
        self.outcomes = {**self.outcomes, key: {**found, "evidence": [*found["evidence"], {
            "type": evidence_type, "source": source, "obtained_on": obtained_on, "obtained_by": obtained_by,
            "reference": reference}]}}

    def declare_other_funding(self, metric: str, occurrence: int, fund: str, reference: str | None,
                              occurred_at: datetime) -> None:
        """Another fund (a trust's budget, RTOF, an ESF contract...) pays for this outcome: it can no longer be
        claimed under this contract; if it was paid already, the payer claws it back (edge case 11)."""
        found = self.outcome(metric, occurrence)
        if any(f["fund"] == fund and f["reference"] == reference for f in found["other_funding"]):
            raise LedgerRefused("declared_once", f"{fund} is declared for this outcome already")
        self._other_funding_declared(metric=metric, occurrence=occurrence, fund=fund, reference=reference,
                                     occurred_at=occurred_at)

    @event("OtherFundingDeclared")
    def _other_funding_declared(self, metric: str, occurrence: int, fund: str, reference: str | None,
                                occurred_at: datetime) -> None:
        key = f"{metric}~{occurrence}"
        found = self.outcomes[key]
        self.outcomes = {**self.outcomes, key: {**found, "other_funding": [*found["other_funding"], {
            "fund": fund, "reference": reference, "declared_on": occurred_at.date().isoformat()}]}}

    def claim(self, metric: str, occurrence: int, terms: Terms, occurred_at: datetime) -> None:
        found = self._status(metric, occurrence, "achieved")
        deadline = date.fromisoformat(str(terms.document["claim_deadline"]))
        if occurred_at.date() > deadline:
            raise LedgerRefused("claim_deadline", f"the claim deadline was {deadline.isoformat()}")
        if found["other_funding"]:
            raise LedgerRefused("double_funding", "another fund pays for this outcome: "
                                + ", ".join(sorted({f["fund"] for f in found["other_funding"]})))
        if found["payable_pence"] == 0:
            raise LedgerRefused("outcome_payable", "achieved beyond a cap: recorded, not payable",
                                reason=found["not_payable_reason"])
        definition = terms.metric(metric)
        have = {e["type"] for e in found["evidence"]}
        missing = sorted(set(definition["evidence_required"]) - have)
        if missing:
            raise LedgerRefused("evidence_required", f"evidence still needed: {', '.join(missing)}", missing=missing)
        unmet = [group for group in definition.get("evidence_one_of") or () if not set(group) & have]
        if unmet:
            raise LedgerRefused("evidence_required", "evidence still needed: " + "; ".join(
                "one of " + ", ".join(group) for group in unmet), one_of=unmet)
        unpaid = [p for p in definition["prerequisites"]
                  if not any(o["metric"] == p and o["status"] == "paid" for o in self.outcomes.values())]
        if unpaid:
            raise LedgerRefused("prerequisite_paid", f"{', '.join(unpaid)} must be paid first")
        self._claimed(metric=metric, occurrence=occurrence, occurred_at=occurred_at)

    @event("Claimed")
    def _claimed(self, metric: str, occurrence: int, occurred_at: datetime) -> None:
        self._set(metric, occurrence, status="claimed", claimed_on=occurred_at.date().isoformat())

    def validate(self, metric: str, occurrence: int, occurred_at: datetime) -> None:
        self._status(metric, occurrence, "claimed")
        self._validated(metric=metric, occurrence=occurrence, occurred_at=occurred_at)

    @event("Validated")
    def _validated(self, metric: str, occurrence: int, occurred_at: datetime) -> None:
        self._set(metric, occurrence, status="validated", decided_on=occurred_at.date().isoformat())

    def reject(self, metric: str, occurrence: int, reason: str | None, occurred_at: datetime) -> None:
        if not reason:
            raise LedgerRefused("rejection_reason", "say why the claim is rejected")
        self._status(metric, occurrence, "claimed")
        self._rejected(metric=metric, occurrence=occurrence, reason=reason, occurred_at=occurred_at)

    @event("Rejected")
    def _rejected(self, metric: str, occurrence: int, reason: str, occurred_at: datetime) -> None:
        self._set(metric, occurrence, status="rejected", decided_on=occurred_at.date().isoformat(), reason=reason)

    def pay(self, metric: str, occurrence: int, occurred_at: datetime) -> None:
        found = self._status(metric, occurrence, "validated")
        self._paid(metric=metric, occurrence=occurrence, amounts=dict(found["payer_split"]), occurred_at=occurred_at)

    @event("Paid")
    def _paid(self, metric: str, occurrence: int, amounts: dict, occurred_at: datetime) -> None:
        self._set(metric, occurrence, status="paid", paid_on=occurred_at.date().isoformat(),
                  paid_pence=sum(amounts.values()))

    def claw_back(self, metric: str, occurrence: int, reason: str, occurred_at: datetime) -> None:
        """Post-payment validation failed: the payment is recovered in full (never deleted)."""
        found = self._status(metric, occurrence, "paid")
        self._clawed_back(metric=metric, occurrence=occurrence, amounts=dict(found["payer_split"]), reason=reason,
                          occurred_at=occurred_at)

    @event("ClawedBack")
    def _clawed_back(self, metric: str, occurrence: int, amounts: dict, reason: str, occurred_at: datetime) -> None:
        self._set(metric, occurrence, status="clawed_back", clawed_back_on=occurred_at.date().isoformat(),
                  clawed_back_pence=sum(amounts.values()), reason=reason)

    def _set(self, metric: str, occurrence: int, **changes: Any) -> None:
        key = f"{metric}~{occurrence}"
        self.outcomes = {**self.outcomes, key: {**self.outcomes[key], **changes}}
