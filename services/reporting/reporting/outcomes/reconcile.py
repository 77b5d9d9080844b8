"""Reconciliation: recompute the whole outcome ledger from scratch and compare it with the stored one, penny by penny.

``python -m reporting.outcomes.reconcile`` (environment as the services': AMQP_URI, POSTGRES_*, MASTER_KEY) reads the
stored
ledger from reporting's database, then derives it again in a scratch store: the contracts as registered and
amended, the pathways log pulled from the pathways service over RPC up to where each contract's ledger stands,
and the finance commands (evidence, claims, decisions, payments, clawbacks) replayed in the order they were
recorded through the same rules. Every outcome (status, price, payable amount, split by payer, paid, clawed back)
and every contract's allocation under its cap must agree. It prints each difference and exits 1 if there is any.
"""
from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

from chassis.application import ServiceApplication, build_application
from chassis.delivery import Delivery
from chassis.sql import Sql
from reporting.application import Reporting, pseudonym_key
from reporting.outcomes.domain import ContractLedger, LedgerRefused, ParticipantLedger
from reporting.outcomes.engine import LedgerEngine, ledger_position_name, pathways_writes
from reporting.outcomes.views import LEDGER_VIEWS

Fetch = Callable[[int, "int | None", int], dict]
_scratch = itertools.count()


def stored_ledger(app: ServiceApplication, engine: LedgerEngine) -> dict[str, Any]:
    """Every contract's allocation and every participant's outcomes, as stored."""
    outcomes: dict[str, Any] = {}
    for contract_id, ref in app.query("SELECT contract_id, participant_ref FROM ledger_participants"
                                      " ORDER BY contract_id, participant_ref"):
        participant = engine.participant_by_ref(contract_id, ref)
        outcomes[f"{contract_id}~{ref}"] = participant.outcomes if participant else None
    allocated = {c: engine.contract(c).allocated for c in engine.contract_ids(fresh=True)}  # type: ignore[union-attr]
    return {"allocated": allocated, "outcomes": outcomes}


def _events_of(app: ServiceApplication, *classes: type) -> list[Any]:
    """The stored events of these classes, in notification order."""
    from chassis.topics import topics_of

    notifications: list[Any] = []
    start = 1
    while True:
        page = app.recorder.select_notifications(start=start, limit=1000,
                                                 topics=[topic for c in classes for topic in topics_of(c)])
        notifications += page
        if len(page) < 1000:
            break
        start = page[-1].id + 1
    return [app.mapper.to_domain_event(n) for n in notifications]


def recompute(stored: ServiceApplication, fetch: Fetch, key: bytes) -> dict[str, Any]:
    """The ledger derived again, in a scratch store, from the contracts, the pathways log and the commands."""
    scratch = build_application(Reporting, {}, PERSISTENCE_MODULE="eventsourcing.sqlite",
                                SQLITE_DBNAME=f"file:reconcile{next(_scratch)}?mode=memory&cache=shared")
    try:
        scratch.migrate()
        engine = LedgerEngine(scratch, key)
        registered = {e.contract_id: e for e in _events_of(stored, ContractLedger.Registered)}
        for contract_id, event in sorted(registered.items()):
            contract = ContractLedger(contract_id=contract_id, terms=event.terms, occurred_at=event.occurred_at)
            scratch.save(contract, sql=_listing(contract_id))
        for amended in _events_of(stored, ContractLedger.PricesAmended):
            found = engine.contract(_contract_of(registered, amended.originator_id))
            assert found is not None, "a price amendment of a contract that was never registered"
            found.amend_prices(amended.prices, amended.reason, amended.occurred_at)
            scratch.save(found)
        upto = max((stored.position(ledger_position_name(c)) for c in registered), default=0)
        _consume(scratch, engine, fetch, upto)
        _replay_commands(stored, scratch, engine)
        LEDGER_VIEWS.catch_up(scratch)  # the participants' index
        return stored_ledger(scratch, engine)
    finally:
        scratch.close()


def _listing(contract_id: str) -> Callable[[Sql], None]:
    def write(sql: Sql) -> None:
        sql.execute("INSERT INTO ledger_contracts (contract_id, registered_at) VALUES (%s, '')", (contract_id,))
    return write


def _contract_of(registered: dict[str, Any], aggregate_id: Any) -> str:
    return next(c for c in registered if ContractLedger.create_id(c) == aggregate_id)


def _consume(scratch: ServiceApplication, engine: LedgerEngine, fetch: Fetch, upto: int) -> None:
    position = previous = 0
    while position < upto:
        page = fetch(position, upto, 500)
        for item in page["items"]:
            delivery = Delivery("pathways", int(item["notification_id"]), previous, item["body"])
            writes = pathways_writes(engine, delivery)
            scratch.save_tracked("pathways", delivery.notification_id, *writes.aggregates, sql=writes.sql)
            previous = delivery.notification_id
        if int(page["scanned_to"]) <= position:
            break
        position = int(page["scanned_to"])


COMMANDS = (ParticipantLedger.EvidenceAdded, ParticipantLedger.OtherFundingDeclared, ParticipantLedger.Claimed,
            ParticipantLedger.Validated,
            ParticipantLedger.Rejected, ParticipantLedger.Paid, ParticipantLedger.ClawedBack)


def _replay_commands(stored: ServiceApplication, scratch: ServiceApplication, engine: LedgerEngine) -> None:
    events = _events_of(stored, *COMMANDS)
    refs = {str(r[0]): (r[1], r[2]) for r in stored.query(
        "SELECT aggregate_id, contract_id, participant_ref FROM ledger_participants")}
    for event in events:
        contract_id, ref = refs[str(event.originator_id)]
        participant = engine.participant_by_ref(contract_id, ref)
        contract = engine.contract(contract_id)
        if participant is None or contract is None:
            continue  # the difference shows in the comparison
        try:
            changed = apply_command(engine, event, participant, contract)
        except LedgerRefused:
            continue  # refused now: the comparison shows what differs
        scratch.save(*changed)


def apply_command(engine: LedgerEngine, event: Any, participant: ParticipantLedger,
                  contract: ContractLedger) -> list[Any]:
    """One recorded finance command applied again through the same rules; returns what to save."""
    m, n, at = event.metric, event.occurrence, event.occurred_at
    if isinstance(event, ParticipantLedger.EvidenceAdded):
        participant.add_evidence(m, n, event.evidence_type, event.source, date.fromisoformat(event.obtained_on),
                                 event.obtained_by, event.reference,
                                 date.fromisoformat(str(contract.terms_document["claim_deadline"])), at)
    elif isinstance(event, ParticipantLedger.OtherFundingDeclared):
        participant.declare_other_funding(m, n, event.fund, event.reference, at)
    elif isinstance(event, ParticipantLedger.Claimed):
        return engine.claim(participant, contract, m, n, at)
    elif isinstance(event, ParticipantLedger.Validated):
        participant.validate(m, n, at)
    elif isinstance(event, ParticipantLedger.Rejected):
        participant.reject(m, n, event.reason, at)
        return engine.let_go(participant, m, n)
    elif isinstance(event, ParticipantLedger.Paid):
        participant.pay(m, n, at)
    else:
        participant.claw_back(m, n, event.reason, at)
        return engine.let_go(participant, m, n)
    return [participant]


def differences(stored: dict[str, Any], recomputed: dict[str, Any]) -> list[str]:
    found = []
    for contract_id in sorted(set(stored["allocated"]) | set(recomputed["allocated"])):
        a, b = stored["allocated"].get(contract_id), recomputed["allocated"].get(contract_id)
        if a != b:
            found.append(f"{contract_id}: allocated {a} stored, {b} recomputed")
    for participant in sorted(set(stored["outcomes"]) | set(recomputed["outcomes"])):
        a, b = stored["outcomes"].get(participant) or {}, recomputed["outcomes"].get(participant) or {}
        for outcome in sorted(set(a) | set(b)):
            if a.get(outcome) != b.get(outcome):
                found.append(f"{participant}~{outcome}: stored {json.dumps(a.get(outcome), sort_keys=True)},"
                             f" recomputed {json.dumps(b.get(outcome), sort_keys=True)}")
    return found


def main(source: Any = None) -> int:
    from nameko.standalone.rpc import ClusterRpcProxy

    from chassis import config

    app = build_application(Reporting, source)
    key = pseudonym_key(source)
    try:
        with ClusterRpcProxy({"AMQP_URI": config.amqp_uri(source)}, timeout=60) as rpc:
            recomputed = recompute(app, rpc.pathways.integration_events, key)
        stored = stored_ledger(app, LedgerEngine(app, key))
    finally:
        app.close()
    found = differences(stored, recomputed)
    outcomes = sum(len(o or {}) for o in stored["outcomes"].values())
    print(f"{len(stored['allocated'])} contracts, {len(stored['outcomes'])} participants, {outcomes} outcomes compared")
    for line in found:
        print("DIFFERENCE " + line)
    print("the stored ledger equals a from-scratch replay, to the penny" if not found else
          f"{len(found)} differences")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
