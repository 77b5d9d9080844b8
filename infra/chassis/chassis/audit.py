"""Tamper-evident audit: a hash chain over each service's stored events, with signed checkpoints.

The chain follows the notification log in order and hashes the *stored bytes* of each event (id, originator,
version, topic, state), so it still verifies after an erasure (crypto-shredding deletes keys, not events):

    digest_n = SHA-256(originator id | version | topic | state)          (length-prefixed fields)
    chain_n  = SHA-256(chain_{n-1} | notification id n | digest_n),  chain_0 = 32 zero bytes

(the position is bound by the link, not the digest, so a record moved to another id is recognised as moved)

Rows go to ``chassis_audit_chain``; every ``CHECKPOINT_EVERY`` events (and whenever the log goes quiet) the
head is signed with the service's Ed25519 key (``AUDIT_SIGNING_KEY``) into ``chassis_audit_checkpoints``. The
relay's leader advances the chain (``advance``). An auditor exports three CSV files
(``python -m chassis.audit export``) and checks them offline with only the public key
(``python -m chassis.audit verify``), which names the first altered, missing, inserted or reordered record.
"""
from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import json
import os
import secrets
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from chassis import config

GENESIS = bytes(32)
CHECKPOINT_EVERY = 1000


def _field(value: bytes) -> bytes:
    return len(value).to_bytes(4, "big") + value


def digest(originator_id: Any, version: int, topic: str, state: bytes) -> bytes:
    return hashlib.sha256(b"".join((
        _field(str(originator_id).encode()), _field(str(version).encode()), _field(topic.encode()),
        _field(bytes(state)),
    ))).digest()


def link(previous: bytes, notification_id: int, content: bytes) -> bytes:
    return hashlib.sha256(previous + _field(str(notification_id).encode()) + content).digest()


def checkpoint_message(service: str, notification_id: int, chain_hash: str, events: int) -> bytes:
    return json.dumps({"service": service, "notification_id": notification_id, "chain_hash": chain_hash,
                       "events": events}, sort_keys=True).encode()


# -- keys ---------------------------------------------------------------------------------------------------
def signing_key(source: Any = None) -> Ed25519PrivateKey:
    """``AUDIT_SIGNING_KEY`` (32 bytes, base64); the embedded mode keeps a generated one under DATA_DIR."""
    value = config.env("AUDIT_SIGNING_KEY", None, source)
    if not value:
        if not config.embedded(source):
            raise RuntimeError("set AUDIT_SIGNING_KEY (32 random bytes, base64): audit checkpoints are signed with it")
        value = config.embedded_secret("audit-signing.key", source)
    return Ed25519PrivateKey.from_private_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))


def public_key_text(key: Ed25519PrivateKey) -> str:
    return base64.urlsafe_b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def new_signing_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


# -- writing the chain ---------------------------------------------------------------------------------------
# (its tables: chassis.schema.AUDIT_TABLES)


def advance(app: Any, key: Ed25519PrivateKey, limit: int = 1000) -> int:
    """Chains the next ``limit`` stored events and signs a checkpoint when due; returns how many it chained."""
    with app.sql() as sql:
        row = sql.execute("SELECT notification_id, chain_hash FROM chassis_audit_chain"
                          " ORDER BY notification_id DESC LIMIT 1").fetchone()
        # the chain's length: the last checkpoint's count plus the rows chained since (an index range, not a
        # count of the whole chain on every pass of the follower loop)
        signed = sql.execute("SELECT notification_id, events FROM chassis_audit_checkpoints"
                             " ORDER BY notification_id DESC LIMIT 1").fetchone()
        last_signed, signed_events = (int(signed[0]), int(signed[1])) if signed else (0, 0)
        count = signed_events + int(sql.execute("SELECT COUNT(*) FROM chassis_audit_chain WHERE notification_id > %s",
                                                (last_signed,)).fetchone()[0])
    position, previous = (int(row[0]), bytes.fromhex(row[1])) if row else (0, GENESIS)
    notifications = app.recorder.select_notifications(start=position + 1, limit=limit)
    rows = []
    for notification in notifications:
        content = digest(notification.originator_id, notification.originator_version, notification.topic,
                         notification.state)
        previous = link(previous, notification.id, content)
        rows.append((notification.id, content.hex(), previous.hex()))
    with app.sql() as sql:
        if app.is_sqlite:
            for values in rows:
                sql.execute("INSERT INTO chassis_audit_chain (notification_id, content_digest, chain_hash)"
                            " VALUES (%s, %s, %s)", values)
        elif rows:  # one statement for the page (under eventlet each statement waits through the hub)
            sql.execute("INSERT INTO chassis_audit_chain (notification_id, content_digest, chain_hash)"
                        " SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[])",
                        tuple(list(column) for column in zip(*rows, strict=True)))
        head = rows[-1][0] if rows else position
        if head > last_signed and (not rows or len(notifications) < limit or
                                   (count + len(rows)) // CHECKPOINT_EVERY > count // CHECKPOINT_EVERY):
            chain_hash = rows[-1][2] if rows else previous.hex()
            events = count + len(rows)
            signature = key.sign(checkpoint_message(app.name, head, chain_hash, events))
            sql.execute("INSERT INTO chassis_audit_checkpoints (notification_id, chain_hash, events, signed_at,"
                        " public_key, signature) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                        (head, chain_hash, events, datetime.now(UTC).isoformat(), public_key_text(key),
                         base64.urlsafe_b64encode(signature).decode()))
    return len(rows)


# -- exporting and verifying ----------------------------------------------------------------------------------
def export(app: Any, directory: str) -> None:
    """Writes events.csv, chain.csv and checkpoints.csv: all an auditor needs, with the public key.

    The three are read in one transaction, on PostgreSQL from one snapshot (repeatable read): on a live service
    the relay chains new events meanwhile, and a chain row exported without its event would read as missing."""
    os.makedirs(directory, exist_ok=True)
    table = f"{app.name}_events" if not app.is_sqlite else "stored_events"
    number = "rowid" if app.is_sqlite else "notification_id"  # SQLite's store numbers its events by rowid
    queries = {
        "events.csv": f"SELECT {number}, originator_id, originator_version, topic, state FROM {table}"
                      f" ORDER BY {number}",
        "chain.csv": "SELECT notification_id, content_digest, chain_hash FROM chassis_audit_chain"
                     " ORDER BY notification_id",
        "checkpoints.csv": "SELECT notification_id, chain_hash, events, signed_at, public_key, signature"
                           " FROM chassis_audit_checkpoints ORDER BY notification_id",
    }
    with app.sql() as sql:
        if not app.is_sqlite:
            sql.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        for name, query in queries.items():
            with open(os.path.join(directory, name), "w", newline="") as handle:
                writer = csv.writer(handle)
                for row in sql.execute(query).fetchall():
                    values = [bytes(v).hex() if isinstance(v, (bytes, memoryview)) else v for v in row]
                    if name == "events.csv" and app.is_sqlite:  # SQLite keeps the id as 32 hex digits
                        values[1] = str(UUID(str(values[1])))
                    writer.writerow(values)


@dataclass
class Finding:
    kind: str  # altered | missing | inserted | reordered | checkpoint
    notification_id: int
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: notification {self.notification_id}: {self.detail}"


def _read(path: str) -> list[list[str]]:
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


def verify(directory: str, service: str, public_key: str) -> list[Finding]:
    """Checks an export against the public key; returns the findings, first problem first (empty: intact)."""
    verifier = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(public_key + "=" * (-len(public_key) % 4)))
    events = {int(r[0]): r for r in _read(os.path.join(directory, "events.csv"))}
    chain = [(int(r[0]), r[1], r[2]) for r in _read(os.path.join(directory, "chain.csv"))]
    checkpoints = [(int(r[0]), r[1], int(r[2]), r[5]) for r in _read(os.path.join(directory, "checkpoints.csv"))]
    findings: list[Finding] = []
    signed: dict[int, str] = {}
    for notification_id, chain_hash, count, signature in checkpoints:
        try:
            verifier.verify(base64.urlsafe_b64decode(signature),
                            checkpoint_message(service, notification_id, chain_hash, count))
            signed[notification_id] = chain_hash
        except (InvalidSignature, ValueError):
            findings.append(Finding("checkpoint", notification_id, "signature does not verify with the public key"))
    stored_digests = {digest_hex: nid for nid, digest_hex, _ in chain}
    previous, chained = GENESIS, set()
    for notification_id, stored_digest, _stored_hash in chain:
        chained.add(notification_id)
        row = events.get(notification_id)
        if row is None:
            findings.append(Finding("missing", notification_id, "in the chain but not among the events"))
            previous = link(previous, notification_id, bytes.fromhex(stored_digest))
            continue
        content = digest(row[1], int(row[2]), row[3], bytes.fromhex(row[4]))
        if content.hex() != stored_digest:
            other = stored_digests.get(content.hex())
            if other is not None and other != notification_id:
                findings.append(Finding("reordered", notification_id, f"holds the record chained as {other}"))
            else:
                findings.append(Finding("altered", notification_id, "its stored bytes changed since it was chained"))
        previous = link(previous, notification_id, content)
        if notification_id in signed and previous.hex() != signed[notification_id]:
            findings.append(Finding("checkpoint", notification_id,
                                    "the events up to this signed checkpoint do not reproduce its hash"))
    last_chained = max(chained, default=0)
    for notification_id in sorted(events):
        if notification_id <= last_chained and notification_id not in chained:
            findings.append(Finding("inserted", notification_id, "among the events but never chained"))
    last_signed = max(signed, default=0)
    if last_chained > last_signed:
        findings.append(Finding("unsigned", last_chained,
                                f"events after the last signed checkpoint ({last_signed}) are chained but not signed"))
    problems = [f for f in findings if f.kind != "unsigned"]
    return sorted(problems, key=lambda f: f.notification_id) + [f for f in findings if f.kind == "unsigned"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chassis.audit")
    commands = parser.add_subparsers(dest="command", required=True)
    checking = commands.add_parser("verify", help="check an export offline")
    checking.add_argument("directory")
    checking.add_argument("--service", required=True)
    checking.add_argument("--public-key", required=True)
    exporting = commands.add_parser("export", help="write events.csv, chain.csv, checkpoints.csv")
    exporting.add_argument("application", help="package.module:ApplicationClass")
    exporting.add_argument("directory")
    commands.add_parser("public-key", help="print the public key of AUDIT_SIGNING_KEY")
    args = parser.parse_args(argv)
    if args.command == "public-key":
        print(public_key_text(signing_key()))
        return 0
    if args.command == "export":
        from chassis.application import build_application
        from chassis.serve import load

        app = build_application(load(args.application))
        try:
            export(app, args.directory)
        finally:
            app.close()
        return 0
    findings = verify(args.directory, args.service, args.public_key)
    for finding in findings:
        print(finding)
    problems = [f for f in findings if f.kind != "unsigned"]
    print(f"{'INTACT' if not problems else 'TAMPERED'}: {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
