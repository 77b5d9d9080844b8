"""Read models: idempotent SQL writes, one function per integration event, run inside the inbox's transaction.

Each write happens in the same transaction as the consumer's tracking row, so a redelivered event changes
nothing. Every row keeps the dates its report needs, so each report can be asked "as of" any date. SQL is
portable (PostgreSQL and SQLite). ``report_client_events`` is the audit view: every event about a client, in
the order each upstream recorded it.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from chassis import config
from chassis.delivery import Delivery
from chassis.sql import Sql
from contracts import pathways as pw
from contracts import referrals as rf
from contracts import trusted
from reporting.readmodels import enterprise_reports
from reporting.readmodels.grouped import GroupedWrites

TABLES = (
    "CREATE TABLE IF NOT EXISTS report_referrals ("
    " referral_id TEXT PRIMARY KEY, client_id TEXT, partner_id TEXT NOT NULL, status TEXT NOT NULL,"
    " received_on TEXT NOT NULL, first_contact_due TEXT NOT NULL, first_contact_on TEXT,"
    " contact_attempts INTEGER NOT NULL DEFAULT 0, accepted_on TEXT, entry_point TEXT, closed_on TEXT,"
    " external_reference TEXT)",
    "CREATE TABLE IF NOT EXISTS report_pathways ("
    " pathway_id TEXT PRIMARY KEY, client_id TEXT NOT NULL, regulator TEXT NOT NULL, entry_point TEXT NOT NULL,"
    " opened_on TEXT NOT NULL, opened_seq BIGINT NOT NULL, closed_on TEXT, closed_reason TEXT)",
    "CREATE INDEX IF NOT EXISTS report_pathways_by_client ON report_pathways (client_id, opened_seq)",
    "CREATE TABLE IF NOT EXISTS report_milestones ("
    " seq BIGINT PRIMARY KEY, pathway_id TEXT NOT NULL, client_id TEXT NOT NULL, milestone TEXT NOT NULL,"
    " reached_on TEXT NOT NULL, nhs INTEGER, detail TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS report_milestones_by_milestone ON report_milestones (milestone, reached_on)",
    "CREATE TABLE IF NOT EXISTS report_erasures (client_id TEXT PRIMARY KEY, erased_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS report_client_events ("
    " upstream TEXT NOT NULL, seq BIGINT NOT NULL, client_id TEXT NOT NULL, event_type TEXT NOT NULL,"
    " occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL, summary TEXT NOT NULL, PRIMARY KEY (upstream, seq))",
    "CREATE INDEX IF NOT EXISTS report_client_events_by_client ON report_client_events (client_id, recorded_at)",
) + enterprise_reports.TABLES

# schemas are built once: building one costs more than loading a message with it
_CLIENTACCEPTEDV1 = rf.ClientAcceptedV1()
_CLIENTERASEDV1 = rf.ClientErasedV1()
_CLIENTREFERREDV1 = rf.ClientReferredV1()
_CONSENTCHANGEDV1 = rf.ConsentChangedV1()
_DETAILSCORRECTEDV1 = rf.DetailsCorrectedV1()
_MILESTONEREACHEDV1 = pw.MilestoneReachedV1()
_PATHWAYOPENEDV1 = pw.PathwayOpenedV1()
_REFERRALCLOSEDV1 = rf.ReferralClosedV1()
_REFERRALCONTACTEDV1 = rf.ReferralContactedV1()


def _load(schema: Any, delivery: Delivery) -> dict[str, Any]:
    """The delivery's message: validated if it came from the broker, converted only if from the upstream's log."""
    return trusted.loader(schema)(delivery.body) if delivery.trusted else schema.load(delivery.body)


def add_working_days(start: date, days: int) -> date:
    """``days`` working days (Monday to Friday) after ``start``. Bank holidays are not yet modelled."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def first_contact_days() -> int:
    return int(config.env("FIRST_CONTACT_WORKING_DAYS", "5") or 5)


def _history(sql: Sql, delivery: Delivery, client_id: Any, message: dict[str, Any], **summary: Any) -> None:
    """One row of the audit view (ids and programme facts only: no personal data travels in these events)."""
    if client_id is None:
        return
    sql.execute("INSERT INTO report_client_events (upstream, seq, client_id, event_type, occurred_at, recorded_at,"
                " summary) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (delivery.upstream, delivery.notification_id, str(client_id), message["event_type"],
                 message["occurred_at"].isoformat(), message["recorded_at"].isoformat(),
                 json.dumps({"organisation": message.get("organisation"), **summary}, default=str, sort_keys=True)))


def _client_of_referral(sql: Sql, referral_id: Any) -> str | None:
    row = sql.execute("SELECT client_id FROM report_referrals WHERE referral_id = %s", (str(referral_id),)).fetchone()
    return row[0] if row else None


# -- referrals ------------------------------------------------------------------------------------------------
def client_referred(sql: Sql, delivery: Delivery) -> None:
    message = _load(_CLIENTREFERREDV1, delivery)
    received = message["occurred_at"].date()
    sql.execute("INSERT INTO report_referrals (referral_id, client_id, partner_id, status, received_on,"
                " first_contact_due, external_reference) VALUES (%s, %s, %s, 'received', %s, %s, %s)"
                " ON CONFLICT (referral_id) DO NOTHING",
                (str(message["referral_id"]), str(message["client_id"]), message["partner_id"], received.isoformat(),
                 add_working_days(received, first_contact_days()).isoformat(), message["external_reference"]))
    _history(sql, delivery, message["client_id"], message, partner_id=message["partner_id"],
             profession=message["profession"])


def referral_contacted(sql: Sql, delivery: Delivery) -> None:
    message = _load(_REFERRALCONTACTEDV1, delivery)
    sql.execute("UPDATE report_referrals SET contact_attempts = %s,"
                " first_contact_on = COALESCE(first_contact_on, %s),"
                " status = CASE WHEN status = 'received' AND %s THEN 'contacted' ELSE status END"
                " WHERE referral_id = %s",
                (message["attempt"], message["occurred_at"].date().isoformat(), message["outcome"] == "reached",
                 str(message["referral_id"])))
    _history(sql, delivery, _client_of_referral(sql, message["referral_id"]), message, attempt=message["attempt"],
             outcome=message["outcome"])


def referral_closed(sql: Sql, delivery: Delivery) -> None:
    message = _load(_REFERRALCLOSEDV1, delivery)
    sql.execute("UPDATE report_referrals SET status = %s, closed_on = %s WHERE referral_id = %s",
                (message["outcome"], message["occurred_at"].date().isoformat(), str(message["referral_id"])))
    _history(sql, delivery, message["client_id"], message, outcome=message["outcome"])


def client_accepted(sql: Sql, delivery: Delivery) -> None:
    message = _load(_CLIENTACCEPTEDV1, delivery)
    sql.execute("UPDATE report_referrals SET status = 'accepted', accepted_on = %s, entry_point = %s"
                " WHERE referral_id = %s",
                (message["occurred_at"].date().isoformat(), message["entry_point"], str(message["referral_id"])))
    _history(sql, delivery, message["client_id"], message, entry_point=message["entry_point"],
             regulator=message["regulator"])


def consent_changed(sql: Sql, delivery: Delivery) -> None:
    message = _load(_CONSENTCHANGEDV1, delivery)
    _history(sql, delivery, message["client_id"], message, lawful_basis=message["lawful_basis"],
             consent_given=message["consent_given"])


def details_corrected(sql: Sql, delivery: Delivery) -> None:
    message = _load(_DETAILSCORRECTEDV1, delivery)
    _history(sql, delivery, message["client_id"], message, fields_corrected=message["fields_corrected"])


def client_erased(sql: Sql, delivery: Delivery) -> None:
    message = _load(_CLIENTERASEDV1, delivery)
    sql.execute("INSERT INTO report_erasures (client_id, erased_at) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (str(message["client_id"]), message["recorded_at"].isoformat()))
    # the referrer's case reference would let its holder tie the pseudonymous ledger back to the person
    sql.execute("UPDATE report_referrals SET external_reference = NULL WHERE client_id = %s",
                (str(message["client_id"]),))
    _history(sql, delivery, message["client_id"], message)


# -- pathways -------------------------------------------------------------------------------------------------
def pathway_opened(sql: Sql, delivery: Delivery) -> None:
    message = _load(_PATHWAYOPENEDV1, delivery)
    sql.execute("INSERT INTO report_pathways (pathway_id, client_id, regulator, entry_point, opened_on, opened_seq)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (pathway_id) DO NOTHING",
                (str(message["pathway_id"]), str(message["client_id"]), message["regulator"], message["entry_point"],
                 message["occurred_at"].date().isoformat(), delivery.notification_id))
    _history(sql, delivery, message["client_id"], message, pathway_id=message["pathway_id"],
             regulator=message["regulator"], entry_point=message["entry_point"])


#: pathway id -> client id, as read from report_pathways: a fact that never changes once a pathway is recorded (no
#: event moves a pathway to another client or removes it; a rebuild records the same again), so a milestone needs
#: no read for a pathway seen before, and a run's writes go in one round trip. Filled from reads only; bounded.
_CLIENT_OF_PATHWAY: dict[str, str] = {}
CLIENT_OF_PATHWAY_SIZE = 200_000


def _client_of_pathway(sql: Sql, pathway_id: str) -> str | None:
    client = _CLIENT_OF_PATHWAY.get(pathway_id)
    if client is not None:
        return client
    row = sql.execute("SELECT client_id FROM report_pathways WHERE pathway_id = %s", (pathway_id,)).fetchone()
    if row is None:
        return None
    if len(_CLIENT_OF_PATHWAY) >= CLIENT_OF_PATHWAY_SIZE:
        _CLIENT_OF_PATHWAY.clear()
    _CLIENT_OF_PATHWAY[pathway_id] = client = str(row[0])
    return client


def milestone_reached(sql: Sql, delivery: Delivery) -> None:
    """Every milestone of every pathway, with its date (the funnel, placements, jobs and exits as of any date)."""
    message = _load(_MILESTONEREACHEDV1, delivery)
    pathway_id = str(message["pathway_id"])
    client_id = _client_of_pathway(sql, pathway_id)
    if client_id is None:
        return  # a pathway reporting has not seen open cannot be counted (its opening comes first in the log)
    on, detail = message["occurred_at"].date().isoformat(), message["detail"]
    nhs = detail.get("nhs")
    sql.execute("INSERT INTO report_milestones (seq, pathway_id, client_id, milestone, reached_on, nhs, detail)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (seq) DO NOTHING",
                (delivery.notification_id, pathway_id, client_id, message["milestone"], on,
                 None if nhs is None else int(bool(nhs)), json.dumps(detail, sort_keys=True, default=str)))
    if message["milestone"] == "pathway_closed":
        sql.execute("UPDATE report_pathways SET closed_on = %s, closed_reason = %s WHERE pathway_id = %s",
                    (on, detail.get("reason"), pathway_id))
    _history(sql, delivery, client_id, message, pathway_id=pathway_id, milestone=message["milestone"],
             **{k: v for k, v in detail.items() if k != "spells"})


HANDLERS: dict[str, Callable[[Sql, Delivery], None]] = {
    rf.CLIENT_REFERRED_V1: client_referred,
    rf.CLIENT_ACCEPTED_V1: client_accepted,
    rf.REFERRAL_CONTACTED_V1: referral_contacted,
    rf.REFERRAL_CLOSED_V1: referral_closed,
    rf.CONSENT_CHANGED_V1: consent_changed,
    rf.DETAILS_CORRECTED_V1: details_corrected,
    rf.CLIENT_ERASED_V1: client_erased,
    pw.PATHWAY_OPENED_V1: pathway_opened,
    pw.MILESTONE_REACHED_V1: milestone_reached,
    **enterprise_reports.HANDLERS,
}


def apply(sql: Sql, delivery: Delivery) -> None:
    """Applies one integration event; events no read model uses only advance the position."""
    handler = HANDLERS.get(delivery.event_type)
    if handler is not None:
        handler(sql, delivery)


def apply_run(sql: Sql, deliveries: Sequence[Delivery]) -> None:
    """Applies a run of one upstream's events in the inbox's transaction, their writes sent in few round trips
    (``GroupedWrites``: each handler's writes touch one table and read no other)."""
    grouped = GroupedWrites(sql)
    for delivery in deliveries:
        apply(grouped, delivery)  # type: ignore[arg-type]  # a Sql in all the handlers use
    grouped.flush()
