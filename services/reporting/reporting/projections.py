"""Read models: idempotent SQL writes, one function per integration event, run inside the inbox's transaction.

Each write happens in the same transaction as the consumer's tracking row, so a redelivered event changes
nothing. SQL is portable (PostgreSQL and SQLite).
"""
from __future__ import annotations

from typing import Callable

from chassis.inbox import Delivery
from chassis.store import Sql
from contracts import enterprises as en
from contracts import pathways as pw
from contracts import referrals as rf

TABLES = (
    "CREATE TABLE IF NOT EXISTS report_referrals_by_partner ("
    " partner_id TEXT PRIMARY KEY, referred INTEGER NOT NULL DEFAULT 0, accepted INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS report_pathways_by_entry_point ("
    " entry_point TEXT PRIMARY KEY, opened INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS report_erasures (client_id TEXT PRIMARY KEY, erased_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS report_enterprises_by_legal_form ("
    " legal_form TEXT PRIMARY KEY, registered INTEGER NOT NULL DEFAULT 0)",
)


def _bump(sql: Sql, table: str, key_column: str, key: str, column: str) -> None:
    sql.execute(f"INSERT INTO {table} ({key_column}, {column}) VALUES (%s, 1)"
                f" ON CONFLICT ({key_column}) DO UPDATE SET {column} = {table}.{column} + 1", (key,))


def client_referred(sql: Sql, delivery: Delivery) -> None:
    message = rf.ClientReferredV1().load(delivery.body)
    _bump(sql, "report_referrals_by_partner", "partner_id", message["partner_id"], "referred")


def client_accepted(sql: Sql, delivery: Delivery) -> None:
    message = rf.ClientAcceptedV1().load(delivery.body)
    _bump(sql, "report_referrals_by_partner", "partner_id", message["partner_id"], "accepted")


def pathway_opened(sql: Sql, delivery: Delivery) -> None:
    message = pw.PathwayOpenedV1().load(delivery.body)
    _bump(sql, "report_pathways_by_entry_point", "entry_point", message["entry_point"], "opened")


def enterprise_registered(sql: Sql, delivery: Delivery) -> None:
    message = en.EnterpriseRegisteredV1().load(delivery.body)
    _bump(sql, "report_enterprises_by_legal_form", "legal_form", message["legal_form"], "registered")


def client_erased(sql: Sql, delivery: Delivery) -> None:
    message = rf.ClientErasedV1().load(delivery.body)
    sql.execute("INSERT INTO report_erasures (client_id, erased_at) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (str(message["client_id"]), message["recorded_at"].isoformat()))


HANDLERS: dict[str, Callable[[Sql, Delivery], None]] = {
    rf.CLIENT_REFERRED_V1: client_referred,
    rf.CLIENT_ACCEPTED_V1: client_accepted,
    rf.CLIENT_ERASED_V1: client_erased,
    pw.PATHWAY_OPENED_V1: pathway_opened,
    en.ENTERPRISE_REGISTERED_V1: enterprise_registered,
}


def apply(sql: Sql, delivery: Delivery) -> None:
    """Applies one integration event; events no read model uses only advance the position."""
    handler = HANDLERS.get(delivery.event_type)
    if handler is not None:
        handler(sql, delivery)
