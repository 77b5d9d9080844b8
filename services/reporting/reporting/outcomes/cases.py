"""Use cases of outcomes contracts and the outcome ledger: registering a contract and its prices, money between
investors and the provider, and the life of an outcome (evidence, claim, other funding, decision, payment,
clawback).

Each takes the request (``chassis.idempotency.Once``: the caller's organisation and its Idempotency-Key), the
caller's roles and the loaded contract body (or the path's references), and returns ``(answer, replayed)``; a
contract or an outcome the caller may not see is a NotFound, as one that does not exist. The event store and the
ledger engine are given once to the constructor (reporting.dependencies wires them); the rules are the aggregates'
(outcomes.domain).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from chassis.application import ServiceApplication
from chassis.errors import Conflict, NotFound
from chassis.idempotency import Once
from reporting.outcomes.domain import ContractLedger, ParticipantLedger, parse_outcome_ref
from reporting.outcomes.engine import LedgerEngine
from reporting.outcomes.terms import Terms

Result = tuple[dict[str, Any], bool]
Change = Callable[[ParticipantLedger, ContractLedger, str, int], "list | None"]
#: Roles that see every contract; any other caller sees the contracts its organisation is a party to.
SEE_ALL = ("admin", "auditor", "caseworker")


def may_see(organisation: str, roles: frozenset[str], terms: Terms) -> bool:
    return bool(roles.intersection(SEE_ALL)) or organisation in terms.parties()


class LedgerCases:
    """The ledger's use cases over the event store and the ledger engine."""

    def __init__(self, app: ServiceApplication, engine: LedgerEngine,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.app, self.engine, self.clock = app, engine, clock

    def contract(self, organisation: str, roles: frozenset[str], contract_id: str) -> ContractLedger:
        """A contract the caller may see, or NotFound."""
        contract = self.engine.contract(contract_id)
        if contract is None or not may_see(organisation, roles, contract.terms):
            raise NotFound(f"no outcomes contract {contract_id}")
        return contract

    def contracts(self, organisation: str, roles: frozenset[str]) -> list[ContractLedger]:
        found = (self.engine.contract(contract_id) for contract_id in self.engine.contract_ids(fresh=True))
        return [c for c in found if c is not None and may_see(organisation, roles, c.terms)]

    # -- contracts -----------------------------------------------------------------------------------------------
    def register_contract(self, once: Once, terms: dict[str, Any]) -> Result:
        """``terms``: a dumped TermsSchema document. Registered when received (the recording time is the event's)."""
        def command() -> tuple[list, dict]:
            if self.engine.contract(terms["contract_id"]) is not None:
                raise Conflict("this contract is registered already", contract_id=terms["contract_id"])
            contract = ContractLedger(contract_id=terms["contract_id"], terms=terms, occurred_at=self.clock())
            return [contract], {"contract_id": contract.contract_id, "version": contract.version}

        return once.run(self.app, "contract", terms, command)

    def amend_prices(self, once: Once, roles: frozenset[str], contract_id: str, prices: dict[str, Any],
                     occurred_at: datetime) -> Result:
        """``prices``: a dumped AmendPrices body (its price versions and the reason)."""
        def command() -> tuple[list, dict]:
            contract = self.contract(once.scope, roles, contract_id)
            contract.amend_prices(prices["prices"], prices["reason"], occurred_at)
            return [contract], {"contract_id": contract.contract_id, "version": contract.version}

        return once.run(self.app, "prices", prices, command)

    def record_transaction(self, once: Once, roles: frozenset[str], contract_id: str,
                           body: dict[str, Any], hashed: dict[str, Any]) -> Result:
        """Money between an investor and the provider; a finance partner records only its own money."""
        def command() -> tuple[list, dict]:
            contract = self.contract(once.scope, roles, contract_id)
            if "finance" in roles and "admin" not in roles and once.scope not in (body["sender"], body["receiver"]):
                raise NotFound(f"no outcomes contract {contract_id}")
            contract.record_transaction(body["transaction_type"], body["sender"], body["receiver"], body["pence"],
                                        body["reference"], body["occurred_at"])
            return [contract], {"contract_id": contract.contract_id, "transactions": contract.transactions}

        return once.run(self.app, "transaction", hashed, command)

    # -- the life of an outcome ------------------------------------------------------------------------------------
    def add_evidence(self, once: Once, roles: frozenset[str], outcome_ref: str,
                     body: dict[str, Any]) -> Result:
        def change(p: ParticipantLedger, c: ContractLedger, metric: str, n: int) -> None:
            deadline = date.fromisoformat(str(c.terms_document["claim_deadline"]))
            p.add_evidence(metric, n, body["type"], body["source"], body["obtained_on"], once.scope, body["reference"],
                           deadline, body["occurred_at"])

        return self._outcome(once, roles, outcome_ref, "evidence", body, change, payers_only=False)

    def claim(self, once: Once, roles: frozenset[str], outcome_ref: str, body: dict[str, Any]) -> Result:
        return self._outcome(once, roles, outcome_ref, "claim", body,
                             lambda p, c, m, n: self.engine.claim(p, c, m, n, body["occurred_at"]), payers_only=False)

    def declare_other_funding(self, once: Once, roles: frozenset[str], outcome_ref: str,
                              body: dict[str, Any]) -> Result:
        return self._outcome(once, roles, outcome_ref, "other-funding", body,
                             lambda p, c, m, n: p.declare_other_funding(m, n, body["fund"], body["reference"],
                                                                         body["occurred_at"]), payers_only=False)

    def decide(self, once: Once, roles: frozenset[str], outcome_ref: str, body: dict[str, Any]) -> Result:
        """A payer validates or rejects a claim (a rejection says why: ParticipantLedger.reject)."""
        def change(p: ParticipantLedger, c: ContractLedger, metric: str, n: int) -> list | None:
            if body["decision"] == "validated":
                p.validate(metric, n, body["occurred_at"])
                return None
            p.reject(metric, n, body["reason"], body["occurred_at"])
            return self.engine.let_go(p, metric, n)

        return self._outcome(once, roles, outcome_ref, "decision", body, change)

    def pay(self, once: Once, roles: frozenset[str], outcome_ref: str, body: dict[str, Any]) -> Result:
        return self._outcome(once, roles, outcome_ref, "payment", body,
                             lambda p, c, m, n: p.pay(m, n, body["occurred_at"]))

    def claw_back(self, once: Once, roles: frozenset[str], outcome_ref: str,
                  body: dict[str, Any]) -> Result:
        def change(p: ParticipantLedger, c: ContractLedger, metric: str, n: int) -> list:
            p.claw_back(metric, n, body["reason"], body["occurred_at"])
            return self.engine.let_go(p, metric, n)

        return self._outcome(once, roles, outcome_ref, "clawback", body, change)

    def _outcome(self, once: Once, roles: frozenset[str], ref: str, action: str, body: dict[str, Any],
                 change: Change, payers_only: bool = True) -> Result:
        try:
            contract_id, participant_ref, metric, occurrence = parse_outcome_ref(ref)
        except ValueError:
            raise NotFound(f"no outcome {ref}") from None

        def command() -> tuple[list, dict]:
            contract = self.contract(once.scope, roles, contract_id)
            if payers_only and once.scope not in contract.terms_document["payer_shares"]:
                raise NotFound(f"no outcome {ref}")  # only a payer of the contract decides and pays
            participant = self.engine.participant_by_ref(contract_id, participant_ref)
            if participant is None:
                raise NotFound(f"no outcome {ref}")
            changed = change(participant, contract, metric, occurrence) or [participant]
            found = participant.outcome(metric, occurrence)
            return changed, {"outcome_ref": ref, "status": found["status"],
                             "payable_pence": found["payable_pence"], "version": participant.version}

        return once.run(self.app, f"ledger:{action}", {"ref": ref, **body}, command)
