"""The chassis' own tables in every service's database (created by ``ServiceApplication.migrate``).

One place for the DDL of every chassis module: idempotency keys, the relay's position, credentials, reads of
case and personal data, dead letters, the vault's keys and erasures, and the audit chain. Statements use SQL
that PostgreSQL and SQLite both take.
"""
from __future__ import annotations

CHASSIS_TABLES = (
    # idempotency keys of commands (ADR 0005): written in the append's own statement; answers as JSON text
    "CREATE TABLE IF NOT EXISTS chassis_idempotency ("
    " scope TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, response TEXT NOT NULL,"
    " PRIMARY KEY (scope, key))",
    "CREATE TABLE IF NOT EXISTS chassis_relay ("
    " name TEXT PRIMARY KEY, position BIGINT NOT NULL, last_published BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS chassis_credential_holders (key_id TEXT PRIMARY KEY, person TEXT NOT NULL)",
    # reads of case data (a client's pathway, history, records; finance statements), by whom (chassis.gate)
    "CREATE TABLE IF NOT EXISTS chassis_case_reads ("
    " read_at TEXT NOT NULL, actor TEXT NOT NULL, person TEXT, organisation TEXT NOT NULL, route TEXT NOT NULL,"
    " subject_id TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS chassis_case_reads_by_time ON chassis_case_reads (read_at)",
    "CREATE TABLE IF NOT EXISTS chassis_credentials ("
    " key_id TEXT PRIMARY KEY, organisation TEXT NOT NULL, roles TEXT NOT NULL, secret_hash TEXT NOT NULL,"
    " issued_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT)",
    "CREATE TABLE IF NOT EXISTS chassis_dead_letters ("
    " upstream TEXT NOT NULL, notification_id BIGINT NOT NULL, event_type TEXT NOT NULL,"
    " reason TEXT NOT NULL, PRIMARY KEY (upstream, notification_id))",
)

#: the vault's data keys (wrapped by the master key), erasures, and reads of personal data (chassis.vault)
VAULT_TABLES = (
    "CREATE TABLE IF NOT EXISTS chassis_subject_keys ("
    " subject_id TEXT PRIMARY KEY, wrapped TEXT, created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS chassis_erasures ("
    " subject_id TEXT PRIMARY KEY, erased_at TEXT NOT NULL, erased_by TEXT NOT NULL, ground TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS chassis_personal_data_reads ("
    " read_at TEXT NOT NULL, actor TEXT NOT NULL, organisation TEXT, subject_id TEXT NOT NULL,"
    " purpose TEXT NOT NULL, erased INTEGER NOT NULL)",
)

#: the hash chain over the event log and its signed checkpoints (chassis.audit)
AUDIT_TABLES = (
    "CREATE TABLE IF NOT EXISTS chassis_audit_chain ("
    " notification_id BIGINT PRIMARY KEY, content_digest TEXT NOT NULL, chain_hash TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS chassis_audit_checkpoints ("
    " notification_id BIGINT PRIMARY KEY, chain_hash TEXT NOT NULL, events BIGINT NOT NULL,"
    " signed_at TEXT NOT NULL, public_key TEXT NOT NULL, signature TEXT NOT NULL)",
)

#: every chassis table, in the order migrate creates them (chassis_idempotency first: the append names it)
TABLES = (*CHASSIS_TABLES, *VAULT_TABLES, *AUDIT_TABLES)
