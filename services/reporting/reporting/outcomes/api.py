"""HTTP entrypoints of outcomes contracts and the outcome ledger (mixed into the reporting service).

Roles: the programme office (admin) registers contracts and claims outcomes; caseworkers and admins attach
evidence; finance partners decide, pay and claw back, and read statements, but only of contracts they are a
party to (commissioner, investor, payer or provider: otherwise 404) and only with pseudonymous participant
references; auditors read everything.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Response

from chassis.http import Call, json_response, route
from contracts import reporting as rp
from contracts.reporting_requests import (
    Clawback,
    Decision,
    DiffQuery,
    EntriesQuery,
    Evidence,
    KnownAt,
    OtherFunding,
    OutcomesQuery,
    Period,
    Step,
)
from reporting.outcomes import statements
from reporting.outcomes.domain import (
    ContractLedger,
)
from reporting.outcomes.investment import investment
from reporting.outcomes.terms import AmendPrices, TermsSchema, Transaction

READERS = ("finance", "auditor", "admin")


def _csv(text: str, name: str) -> Response:
    return json_response(200, text, {"Content-Disposition": f'attachment; filename="{name}.csv"'},
                         mimetype="text/csv")


def _facts(terms: dict[str, Any]) -> dict[str, Any]:
    """A contract's facts without money or participants: its dates, its parties (each with its parts in it)
    and its metrics' codes."""
    roles: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for role, parties in (("commissioner", terms["commissioners"]), ("investor", terms["investors"]),
                          ("provider", [terms["provider"]])):
        for party in parties:
            roles.setdefault(party["organisation"], []).append(role)
            names[party["organisation"]] = party["name"]
    for payer in terms["payer_shares"]:
        roles.setdefault(payer, []).append("payer")
    return {"contract_id": terms["contract_id"], "name": terms.get("name"), "signed_on": terms["signed_on"],
            "service_start": terms["service_start"], "service_end": terms["service_end"],
            "claim_deadline": terms["claim_deadline"],
            "parties": [{"organisation": o, "name": names.get(o), "roles": r} for o, r in sorted(roles.items())],
            "metrics": [m["code"] for m in terms["metrics"]]}


class LedgerEndpoints:
    store: Any
    cases: Any  # reporting.outcomes.cases.LedgerCases

    # -- contracts ---------------------------------------------------------------------------------------------
    @route("POST", "/outcomes-contracts", answer=rp.ContractStored, produces=("contract_id",), roles=("admin",),
           body=TermsSchema, requires_idempotency_key=True,
           answers={201: "registered", 409: "a contract with this id exists"},
           summary="Register an outcomes contract (parties, period, metrics, dated prices, caps, payer shares)")
    def register_outcomes_contract(self, call: Call) -> tuple[int, dict]:
        return 201, self.cases.register_contract(call.once,
                                                 TermsSchema().dump(call.body))[0]

    @route("POST", "/outcomes-contracts/<contract_id>/prices", answer=rp.ContractStored, roles=("admin",),
           body=AmendPrices,
           requires_idempotency_key=True, answers={201: "amended", 404: "no such contract"},
           summary="Add price versions (an uplift or a renegotiation), in force from a later date")
    def amend_prices(self, call: Call) -> tuple[int, dict]:
        return 201, self.cases.amend_prices(call.once, _roles(call),
                                            call.path["contract_id"], AmendPrices().dump(call.body),
                                            call.body["occurred_at"])[0]

    @route("POST", "/outcomes-contracts/<contract_id>/transactions", answer=rp.TransactionsStored,
           roles=("finance", "admin"), body=Transaction,
           requires_idempotency_key=True, answers={201: "recorded", 404: "no such contract (or not a party)",
                                                   422: "not between an investor and the provider"},
           summary="Money between an investor and the provider: an investment drawn down, interest or capital repaid")
    def record_transaction(self, call: Call) -> tuple[int, dict]:
        return 201, self.cases.record_transaction(call.once, _roles(call),
                                                  call.path["contract_id"], call.body,
                                                  Transaction().dump(call.body))[0]

    @route("GET", "/ledger/contracts/<contract_id>/investment", answer=rp.Investment, roles=READERS, query=KnownAt,
           answers={200: "invested, returned, IRR, repayment category; achieved vs target, paid vs maximum",
                    404: "no such contract"},
           summary="The contract's investment and results as investors and commissioners report them (INDIGO)")
    def contract_investment(self, call: Call) -> dict:
        contract = self._contract(call, call.path["contract_id"])
        return investment(self.store, contract.terms, call.query["as_known_at"])

    @route("GET", "/outcomes-contracts", answer=rp.ContractList, roles=READERS,
           answers={200: "the contracts the caller may see (finance: those its organisation is a party to)"},
           summary="The registered outcomes contracts the caller may see: names, dates, parties and metrics (no "
                   "money, no participants)")
    def outcomes_contracts(self, call: Call) -> dict:
        return {"contracts": [_facts(c.terms_document) for c in self.cases.contracts(call.organisation, _roles(call))]}

    @route("GET", "/outcomes-contracts/<contract_id>", answer=rp.Contract, roles=READERS,
           answers={200: "the terms", 404: "no such contract"},
           summary="An outcomes contract's terms and every price version")
    def outcomes_contract(self, call: Call) -> dict:
        contract = self._contract(call, call.path["contract_id"])
        return {**contract.terms_document, "prices": contract.prices, "allocated_pence": contract.allocated}

    # -- the life of an outcome ----------------------------------------------------------------------------------
    @route("POST", "/ledger/outcomes/<outcome_ref>/evidence", answer=rp.OutcomeChanged, roles=("caseworker", "admin"),
           body=Evidence,
           requires_idempotency_key=True, answers={201: "recorded", 404: "no such outcome", 422: "a rule broken"},
           summary="Evidence for an outcome (type, source, when obtained); accepted until the claim deadline")
    def add_evidence(self, call: Call) -> tuple[int, dict]:
        return 201, self._outcome(call, self.cases.add_evidence)

    @route("POST", "/ledger/outcomes/<outcome_ref>/claim", answer=rp.OutcomeChanged, roles=("admin",), body=Step,
           requires_idempotency_key=True,
           answers={201: "claimed", 404: "no such outcome", 422: "evidence, prerequisite or deadline missing"},
           summary="The provider claims an achieved outcome")
    def claim_outcome(self, call: Call) -> tuple[int, dict]:
        return 201, self._outcome(call, self.cases.claim)

    @route("POST", "/ledger/outcomes/<outcome_ref>/other-funding", answer=rp.OutcomeChanged,
           roles=("caseworker", "admin"), body=OtherFunding,
           requires_idempotency_key=True, answers={201: "recorded", 404: "no such outcome", 422: "declared already"},
           summary="Another fund pays for this outcome (double funding): it can no longer be claimed here")
    def declare_other_funding(self, call: Call) -> tuple[int, dict]:
        return 201, self._outcome(call, self.cases.declare_other_funding)

    @route("GET", "/ledger/funding-overlaps", answer=rp.FundingOverlaps, roles=("auditor", "admin"), audit_read="*",
           answers={200: "achievements with outcomes under more than one contract, and declared other funding"},
           summary="Where double funding could arise: one achievement under several contracts; other funds declared")
    def funding_overlaps(self, call: Call) -> dict:
        return statements.funding_overlaps(self.store)

    @route("POST", "/ledger/outcomes/<outcome_ref>/decision", answer=rp.OutcomeChanged, roles=("finance",),
           body=Decision,
           requires_idempotency_key=True, answers={201: "decided", 404: "no such outcome (or not your contract)"},
           summary="A payer validates or rejects a claim")
    def decide_claim(self, call: Call) -> tuple[int, dict]:
        return 201, self._outcome(call, self.cases.decide)

    @route("POST", "/ledger/outcomes/<outcome_ref>/payment", answer=rp.OutcomeChanged, roles=("finance",), body=Step,
           requires_idempotency_key=True, answers={201: "paid", 404: "no such outcome (or not your contract)"},
           summary="A payer records paying a validated claim (its payable amount, split by payer shares)")
    def pay_outcome(self, call: Call) -> tuple[int, dict]:
        return 201, self._outcome(call, self.cases.pay)

    @route("POST", "/ledger/outcomes/<outcome_ref>/clawback", answer=rp.OutcomeChanged, roles=("finance",),
           body=Clawback,
           requires_idempotency_key=True, answers={201: "clawed back", 404: "no such outcome (or not your contract)"},
           summary="Post-payment validation failed: the payment is recovered")
    def claw_back_outcome(self, call: Call) -> tuple[int, dict]:
        return 201, self._outcome(call, self.cases.claw_back)

    # -- statements ---------------------------------------------------------------------------------------------
    @route("GET", "/ledger/contracts/<contract_id>/statement", answer=rp.Statement, roles=READERS,
           audit_read="contract_id", query=Period,
           answers={200: "figures by metric and payer (JSON or CSV)", 404: "no such contract"},
           summary="A statement: achieved, not payable, claimed, validated, rejected, paid, clawed back, due")
    def statement(self, call: Call) -> Any:
        q = call.query
        self._contract(call, call.path["contract_id"])
        found = statements.statement(self.store, call.path["contract_id"], q["period_from"], q["period_to"],
                                     q["as_known_at"])
        if q["format"] == "csv":
            return _csv(statements.to_csv(found["rows"], statements.STATEMENT_COLUMNS), "statement")
        return found

    @route("GET", "/ledger/contracts/<contract_id>/entries", answer=rp.Entries, roles=READERS,
           audit_read="contract_id", query=EntriesQuery,
           answers={200: "the ledger entries behind a statement (JSON or CSV), pseudonymous"},
           summary="The claims behind each figure, outcome by outcome")
    def ledger_entries(self, call: Call) -> Any:
        q = call.query
        self._contract(call, call.path["contract_id"])
        found = statements.entries(self.store, call.path["contract_id"], q["period_from"], q["period_to"],
                                   q["as_known_at"], q["after"], q["limit"])
        if q["format"] == "csv":
            return _csv(statements.to_csv(found["entries"], statements.ENTRY_COLUMNS), "entries")
        return found

    @route("GET", "/ledger/contracts/<contract_id>/outcomes", answer=rp.Outcomes, roles=READERS,
           audit_read="contract_id", query=OutcomesQuery,
           answers={200: "every outcome as it stands, in claim order (JSON or CSV), pseudonymous",
                    404: "no such contract"},
           summary="Outcomes in claim order: achieved and evidenced dates, price, payable, status; the referrer's "
                   "case reference beside the pseudonym where the contract shares it")
    def ledger_outcomes(self, call: Call) -> Any:
        q = call.query
        contract = self._contract(call, call.path["contract_id"])
        found = statements.outcomes(self.store, contract.contract_id,
                                    bool(contract.terms_document.get("share_external_reference")), q["metric"],
                                    q["status"], q["participant_ref"], q["offset"], q["limit"])
        if q["format"] == "csv":
            return _csv(statements.to_csv(found["outcomes"], statements.OUTCOME_COLUMNS), "outcomes")
        return found

    @route("GET", "/ledger/contracts/<contract_id>/statement-diff", answer=rp.StatementDiff, roles=READERS,
           audit_read="contract_id", query=DiffQuery,
           answers={200: "statement B minus statement A, outcome by outcome"},
           summary="What changed between two statements (known at two times, or two periods), claim by claim")
    def statement_diff(self, call: Call) -> dict:
        q = call.query
        self._contract(call, call.path["contract_id"])
        a = {"from": q["period_from"], "to": q["period_to"], "as_known_at": q["a_known_at"]}
        b = {"from": q["b_from"] or q["period_from"], "to": q["b_to"] or q["period_to"], "as_known_at": q["b_known_at"]}
        return statements.difference(self.store, call.path["contract_id"], a, b)

    # -- helpers --------------------------------------------------------------------------------------------------
    def _contract(self, call: Call, contract_id: str) -> ContractLedger:
        return self.cases.contract(call.organisation, _roles(call), contract_id)

    def _outcome(self, call: Call, use_case: Callable[..., tuple[dict[str, Any], bool]]) -> dict[str, Any]:
        """A step in the life of the outcome at the path's reference: ``use_case(once, roles, ref, body)``."""
        return use_case(call.once, _roles(call), call.path["outcome_ref"], call.body)[0]


def _roles(call: Call) -> frozenset[str]:
    return call.principal.roles if call.principal is not None else frozenset()
