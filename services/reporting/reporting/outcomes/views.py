"""Read models of the outcome ledger, kept from reporting's own ledger events (a LocalProjection).

``ledger_outcomes`` holds each outcome's current state; ``ledger_entries`` holds one row per ledger event and
payer with its amount, the date it takes effect and when it was recorded, so a statement can be computed as
known at any past time and as effective at any date with one aggregate query (reporting/outcomes/statements.py).
``ledger_achievements`` (the milestone behind each outcome) and ``ledger_other_funding`` (other funds declared)
serve the funding-overlaps report of auditors and the programme office.
"""
from __future__ import annotations

import json
from typing import Any

from chassis.projection import LocalProjection
from chassis.sql import Sql
from reporting.outcomes.domain import ContractLedger, ParticipantLedger, outcome_ref

TABLES = (
    "CREATE TABLE IF NOT EXISTS ledger_contracts (contract_id TEXT PRIMARY KEY, registered_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS ledger_participants ("
    " aggregate_id TEXT PRIMARY KEY, contract_id TEXT NOT NULL, participant_ref TEXT NOT NULL,"
    " client_id TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS ledger_outcomes ("
    " outcome_ref TEXT PRIMARY KEY, contract_id TEXT NOT NULL, participant_ref TEXT NOT NULL, metric TEXT NOT NULL,"
    " occurrence INTEGER NOT NULL, achieved_on TEXT NOT NULL, evidenced_on TEXT, price_pence BIGINT NOT NULL,"
    " payable_pence BIGINT NOT NULL, payer_split TEXT NOT NULL, not_payable_reason TEXT, status TEXT NOT NULL,"
    " evidence INTEGER NOT NULL DEFAULT 0, claimed_on TEXT, decided_on TEXT, paid_on TEXT, clawed_back_on TEXT,"
    " reason TEXT, recorded_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ledger_outcomes_by_contract ON ledger_outcomes (contract_id, participant_ref)",
    "CREATE TABLE IF NOT EXISTS ledger_entries ("
    " seq BIGINT NOT NULL, contract_id TEXT NOT NULL, outcome_ref TEXT NOT NULL, participant_ref TEXT NOT NULL,"
    " metric TEXT NOT NULL, payer TEXT NOT NULL, kind TEXT NOT NULL, pence BIGINT NOT NULL,"
    " effective_on TEXT NOT NULL, recorded_at TEXT NOT NULL, PRIMARY KEY (seq, payer))",
    "CREATE INDEX IF NOT EXISTS ledger_entries_by_contract ON ledger_entries (contract_id, recorded_at)",
    # which pathway milestone achieved each outcome (never shown to finance: it would link contracts' participants)
    "CREATE TABLE IF NOT EXISTS ledger_achievements ("
    " outcome_ref TEXT PRIMARY KEY, contract_id TEXT NOT NULL, trigger_id TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ledger_achievements_by_trigger ON ledger_achievements (trigger_id)",
    "CREATE TABLE IF NOT EXISTS ledger_other_funding ("
    " seq BIGINT PRIMARY KEY, outcome_ref TEXT NOT NULL, contract_id TEXT NOT NULL, fund TEXT NOT NULL,"
    " reference TEXT, declared_on TEXT NOT NULL, recorded_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS ledger_transactions ("
    " seq BIGINT PRIMARY KEY, contract_id TEXT NOT NULL, transaction_type TEXT NOT NULL, sender TEXT NOT NULL,"
    " receiver TEXT NOT NULL, pence BIGINT NOT NULL, reference TEXT, effective_on TEXT NOT NULL,"
    " recorded_at TEXT NOT NULL)",
)

#: Tables whose first column, ``seq``, comes from the store's notification ids (they differ in another store).
SEQUENCED = ("ledger_entries", "ledger_other_funding", "ledger_transactions")

KIND = {ParticipantLedger.Claimed: "claimed", ParticipantLedger.Validated: "validated",
        ParticipantLedger.Rejected: "rejected", ParticipantLedger.Paid: "paid",
        ParticipantLedger.ClawedBack: "clawed_back"}
STATUS_DATE = {"claimed": "claimed_on", "validated": "decided_on", "rejected": "decided_on", "paid": "paid_on",
               "clawed_back": "clawed_back_on"}


def apply(sql: Sql, event: Any, notification_id: int) -> None:
    aggregate_id = str(event.originator_id)
    recorded_at = event.timestamp.isoformat()
    if isinstance(event, ContractLedger.Registered):  # the ledger engine follows every registered contract
        sql.execute("INSERT INTO ledger_contracts (contract_id, registered_at) VALUES (%s, %s)"
                    " ON CONFLICT (contract_id) DO NOTHING", (event.contract_id, recorded_at))
        return
    if isinstance(event, ContractLedger.TransactionRecorded):
        sql.execute("INSERT INTO ledger_transactions (seq, contract_id, transaction_type, sender, receiver, pence,"
                    " reference, effective_on, recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                    " ON CONFLICT DO NOTHING", (notification_id, event.contract_id,
                                                event.transaction_type, event.sender, event.receiver, event.pence,
                                                event.reference, event.occurred_at.date().isoformat(), recorded_at))
        return
    if isinstance(event, ParticipantLedger.Opened):
        sql.execute("INSERT INTO ledger_participants (aggregate_id, contract_id, participant_ref, client_id)"
                    " VALUES (%s, %s, %s, %s) ON CONFLICT (aggregate_id) DO NOTHING",
                    (aggregate_id, event.contract_id, event.participant_ref, event.client_id))
        return
    row = sql.execute("SELECT contract_id, participant_ref FROM ledger_participants WHERE aggregate_id = %s",
                      (aggregate_id,)).fetchone()
    if row is None:
        return
    contract_id, participant_ref = row
    ref = outcome_ref(contract_id, participant_ref, event.metric, event.occurrence)
    entry = (contract_id, ref, participant_ref, event.metric)
    if isinstance(event, ParticipantLedger.Achieved):
        sql.execute("INSERT INTO ledger_outcomes (outcome_ref, contract_id, participant_ref, metric, occurrence,"
                    " achieved_on, evidenced_on, price_pence, payable_pence, payer_split, not_payable_reason, status,"
                    " recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'achieved', %s)"
                    " ON CONFLICT DO NOTHING",
                    (ref, contract_id, participant_ref, event.metric, event.occurrence, event.achieved_on,
                     event.evidenced_on or event.achieved_on, event.price_pence, event.payable_pence,
                     json.dumps(event.payer_split, sort_keys=True),
                     event.not_payable_reason, recorded_at))
        sql.execute("INSERT INTO ledger_achievements (outcome_ref, contract_id, trigger_id) VALUES (%s, %s, %s)"
                    " ON CONFLICT DO NOTHING", (ref, contract_id, event.trigger))
        _entries(sql, notification_id, entry, "achieved", event.payer_split, event.achieved_on, recorded_at)
        if event.price_pence > event.payable_pence:
            _entries(sql, notification_id, entry, "not_payable", {"": event.price_pence - event.payable_pence},
                     event.achieved_on, recorded_at)
        return
    if isinstance(event, ParticipantLedger.EvidenceAdded):
        sql.execute("UPDATE ledger_outcomes SET evidence = evidence + 1 WHERE outcome_ref = %s", (ref,))
        return
    if isinstance(event, ParticipantLedger.OtherFundingDeclared):
        sql.execute("INSERT INTO ledger_other_funding (seq, outcome_ref, contract_id, fund, reference, declared_on,"
                    " recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (notification_id, ref, contract_id, event.fund, event.reference,
                     event.occurred_at.date().isoformat(), recorded_at))
        return
    kind = KIND[type(event)]
    on = event.occurred_at.date().isoformat()
    split_row = sql.execute("SELECT payer_split FROM ledger_outcomes WHERE outcome_ref = %s", (ref,)).fetchone()
    amounts = getattr(event, "amounts", None) or json.loads(split_row[0] if split_row else "{}")
    sql.execute(f"UPDATE ledger_outcomes SET status = %s, {STATUS_DATE[kind]} = %s, reason = COALESCE(%s, reason)"
                " WHERE outcome_ref = %s", (kind, on, getattr(event, "reason", None), ref))
    _entries(sql, notification_id, entry, kind, amounts, on, recorded_at)


def _entries(sql: Sql, notification_id: int, entry: tuple, kind: str, amounts: dict, on: str,
             recorded_at: str) -> None:
    base = notification_id * 2 + (kind == "not_payable")  # unique per ledger event and kind
    for payer, pence in sorted(amounts.items()):
        sql.execute("INSERT INTO ledger_entries (seq, contract_id, outcome_ref, participant_ref, metric, payer, kind,"
                    " pence, effective_on, recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                    " ON CONFLICT DO NOTHING", (base, *entry, payer, kind, int(pence), on, recorded_at))


LEDGER_VIEWS = LocalProjection(
    "reporting:ledger-views",
    (ContractLedger.Registered, ContractLedger.TransactionRecorded, ParticipantLedger.Opened,
     ParticipantLedger.Achieved, ParticipantLedger.EvidenceAdded,
     ParticipantLedger.OtherFundingDeclared, *KIND),
    apply, tables=("ledger_contracts", "ledger_participants", "ledger_outcomes", "ledger_entries",
                   "ledger_achievements", "ledger_other_funding", "ledger_transactions"))
