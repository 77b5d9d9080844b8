"""Read models: idempotent SQL writes, one function per integration event, run inside the inbox's transaction.

Each write happens in the same transaction as the consumer's tracking row, so a redelivered event changes
nothing. SQL is portable (PostgreSQL and SQLite).
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Callable

from chassis import config
from chassis.inbox import Delivery
from chassis.store import Sql
from contracts import enterprises as en
from contracts import pathways as pw
from contracts import referrals as rf
from reporting import enterprise_reports

TABLES = (
    "CREATE TABLE IF NOT EXISTS report_referrals ("
    " referral_id TEXT PRIMARY KEY, partner_id TEXT NOT NULL, status TEXT NOT NULL, received_on TEXT NOT NULL,"
    " first_contact_due TEXT NOT NULL, first_contact_on TEXT, contact_attempts INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS report_referrals_by_partner ("
    " partner_id TEXT PRIMARY KEY, referred INTEGER NOT NULL DEFAULT 0, accepted INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS report_pathways_by_entry_point ("
    " entry_point TEXT PRIMARY KEY, opened INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS report_milestones ("
    " pathway_id TEXT NOT NULL, milestone TEXT NOT NULL, first_reached_on TEXT NOT NULL,"
    " PRIMARY KEY (pathway_id, milestone))",
    "CREATE TABLE IF NOT EXISTS report_erasures (client_id TEXT PRIMARY KEY, erased_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS report_enterprises_by_legal_form ("
    " legal_form TEXT PRIMARY KEY, registered INTEGER NOT NULL DEFAULT 0)",
) + enterprise_reports.TABLES


def _bump(sql: Sql, table: str, key_column: str, key: str, column: str) -> None:
    sql.execute(f"INSERT INTO {table} ({key_column}, {column}) VALUES (%s, 1)"
                f" ON CONFLICT ({key_column}) DO UPDATE SET {column} = {table}.{column} + 1", (key,))


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


def client_referred(sql: Sql, delivery: Delivery) -> None:
    message = rf.ClientReferredV1().load(delivery.body)
    _bump(sql, "report_referrals_by_partner", "partner_id", message["partner_id"], "referred")
    received = message["occurred_at"].date()
    sql.execute("INSERT INTO report_referrals (referral_id, partner_id, status, received_on, first_contact_due)"
                " VALUES (%s, %s, 'received', %s, %s) ON CONFLICT (referral_id) DO NOTHING",
                (str(message["referral_id"]), message["partner_id"], received.isoformat(),
                 add_working_days(received, first_contact_days()).isoformat()))


def referral_contacted(sql: Sql, delivery: Delivery) -> None:
    message = rf.ReferralContactedV1().load(delivery.body)
    sql.execute("UPDATE report_referrals SET contact_attempts = %s,"
                " first_contact_on = COALESCE(first_contact_on, %s),"
                " status = CASE WHEN status = 'received' AND %s THEN 'contacted' ELSE status END"
                " WHERE referral_id = %s",
                (message["attempt"], message["occurred_at"].date().isoformat(), message["outcome"] == "reached",
                 str(message["referral_id"])))


def referral_closed(sql: Sql, delivery: Delivery) -> None:
    message = rf.ReferralClosedV1().load(delivery.body)
    sql.execute("UPDATE report_referrals SET status = %s WHERE referral_id = %s",
                (message["outcome"], str(message["referral_id"])))


def client_accepted(sql: Sql, delivery: Delivery) -> None:
    message = rf.ClientAcceptedV1().load(delivery.body)
    _bump(sql, "report_referrals_by_partner", "partner_id", message["partner_id"], "accepted")
    sql.execute("UPDATE report_referrals SET status = 'accepted' WHERE referral_id = %s", (str(message["referral_id"]),))


def pathway_opened(sql: Sql, delivery: Delivery) -> None:
    message = pw.PathwayOpenedV1().load(delivery.body)
    _bump(sql, "report_pathways_by_entry_point", "entry_point", message["entry_point"], "opened")


def enterprise_registered(sql: Sql, delivery: Delivery) -> None:
    message = en.EnterpriseRegisteredV1().load(delivery.body)
    _bump(sql, "report_enterprises_by_legal_form", "legal_form", message["legal_form"], "registered")
    enterprise_reports.enterprise_registered(sql, delivery)


def milestone_reached(sql: Sql, delivery: Delivery) -> None:
    """The pathway funnel: the first time each pathway reached each milestone."""
    message = pw.MilestoneReachedV1().load(delivery.body)
    sql.execute("INSERT INTO report_milestones (pathway_id, milestone, first_reached_on) VALUES (%s, %s, %s)"
                " ON CONFLICT (pathway_id, milestone) DO NOTHING",
                (str(message["pathway_id"]), message["milestone"], message["occurred_at"].date().isoformat()))


def client_erased(sql: Sql, delivery: Delivery) -> None:
    message = rf.ClientErasedV1().load(delivery.body)
    sql.execute("INSERT INTO report_erasures (client_id, erased_at) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (str(message["client_id"]), message["recorded_at"].isoformat()))


HANDLERS: dict[str, Callable[[Sql, Delivery], None]] = {
    rf.CLIENT_REFERRED_V1: client_referred,
    rf.CLIENT_ACCEPTED_V1: client_accepted,
    rf.REFERRAL_CONTACTED_V1: referral_contacted,
    rf.REFERRAL_CLOSED_V1: referral_closed,
    rf.CLIENT_ERASED_V1: client_erased,
    pw.PATHWAY_OPENED_V1: pathway_opened,
    pw.MILESTONE_REACHED_V1: milestone_reached,
    en.ENTERPRISE_REGISTERED_V1: enterprise_registered,
    **enterprise_reports.HANDLERS,
}


def apply(sql: Sql, delivery: Delivery) -> None:
    """Applies one integration event; events no read model uses only advance the position."""
    handler = HANDLERS.get(delivery.event_type)
    if handler is not None:
        handler(sql, delivery)
