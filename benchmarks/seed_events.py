"""Bulk seeding of realistic stored events: the demo programme's logs, replicated with fresh ids and COPYed.

The templates are real stored events: the demo programme (launcher.demo: referrals, enrolments, pathway steps,
placements, NHS jobs, enterprises) is loaded through the HTTP APIs, so every row was encoded by its service's own
mapper and transcoder. Each copy maps every id in a row (the originator id column and every UUID inside the JSON
state, dashed or hex) to a fresh UUID derived from the copy number, so copies are distinct clients, referrals,
pathways and enterprises whose events reference each other as the originals do. Rows are COPYed with explicit
notification ids after the originals, copy after copy. Sealed personal data is copied as it is (its ciphertext
opens only under the original client's key; nothing here reads it).

Around the COPY the seeder keeps the services' own bookkeeping as if they had processed the rows live: the audit
hash chain is extended over the new rows (chassis.audit's digest and link), the outbox relays' positions are set
to the new heads (already published), and every consumer's position (pathways' of referrals, reporting's of the
three upstreams and each outcomes contract's ledger position) to the upstream's new head. The read models are not
touched: the rebuild benchmark rebuilds them.
"""
from __future__ import annotations

import re
import uuid
from typing import Any

import psycopg

from chassis import audit, config

UPSTREAMS = ("referrals", "pathways", "enterprises")
COPY_NAMESPACE = uuid.UUID("9a1e53a4-53f4-4d1b-8a55-0d4b6c2f7e10")
_UUID = re.compile(rb"(?<![0-9a-f])(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})"
                   rb"(?![0-9a-f])")


class Remap:
    """Old id -> the copy's id (the same for dashed and hex spellings of one UUID)."""

    def __init__(self, copy: int) -> None:
        self.namespace = uuid.uuid5(COPY_NAMESPACE, str(copy))
        self.ids: dict[str, uuid.UUID] = {}

    def new(self, old_hex: str) -> uuid.UUID:
        found = self.ids.get(old_hex)
        if found is None:
            found = self.ids[old_hex] = uuid.uuid5(self.namespace, old_hex)
        return found

    def bytes(self, state: bytes) -> bytes:
        def swap(match: re.Match) -> bytes:
            text = match.group(0)
            if len(text) == 32:
                return self.new(text.decode()).hex.encode()
            return str(self.new(text.replace(b"-", b"").decode())).encode()
        return _UUID.sub(swap, state)


def dbname(env: dict[str, str], service: str) -> str:
    return config.database_name(service, env)


def connect(env: dict[str, str], service: str) -> psycopg.Connection:
    return psycopg.connect(config.postgres_conninfo(dbname(env, service), env))


def template(env: dict[str, str], service: str) -> list[tuple]:
    with connect(env, service) as connection:
        return connection.execute(f"SELECT notification_id, originator_id, originator_version, topic, state"
                                  f" FROM {service}_events ORDER BY notification_id").fetchall()


def replicate(env: dict[str, str], service: str, rows: list[tuple], copies: int) -> int:
    """COPYs ``copies`` remapped copies of ``rows`` after the log's head, extends the audit chain over them and
    moves the relay's position to the new head; returns the new head."""
    table = f"{service}_events"
    with connect(env, service) as connection:
        head = int(connection.execute(f"SELECT COALESCE(MAX(notification_id), 0) FROM {table}").fetchone()[0])
        chained = connection.execute("SELECT notification_id, chain_hash FROM chassis_audit_chain"
                                     " ORDER BY notification_id DESC LIMIT 1").fetchone()
        assert chained is not None and int(chained[0]) == head, f"{service}: chain the log before seeding"
        previous = bytes.fromhex(chained[1])
        chain: list[tuple[int, str, str]] = []
        with connection.cursor() as cursor, cursor.copy(
                f"COPY {table} (notification_id, originator_id, originator_version, topic, state) FROM STDIN") as out:
            for copy in range(1, copies + 1):
                remap = Remap(copy)
                for _, originator_id, version, topic, state in rows:
                    head += 1
                    new_id = remap.new(uuid.UUID(str(originator_id)).hex)
                    new_state = remap.bytes(bytes(state))
                    out.write_row((head, new_id, version, topic, new_state))
                    content = audit.digest(new_id, version, topic, new_state)
                    previous = audit.link(previous, head, content)
                    chain.append((head, content.hex(), previous.hex()))
        with connection.cursor() as cursor, cursor.copy(
                "COPY chassis_audit_chain (notification_id, content_digest, chain_hash) FROM STDIN") as out:
            for row in chain:
                out.write_row(row)
        connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'notification_id'), %s)", (head,))
        connection.execute("UPDATE chassis_relay SET position = %s, last_published = %s WHERE name = %s",
                           (head, head, service))
        connection.commit()
        connection.execute(f"ANALYZE {table}")
        connection.commit()
    return head


def set_position(env: dict[str, str], service: str, name: str, position: int) -> None:
    with connect(env, service) as connection:
        connection.execute(f"INSERT INTO {service}_tracking (application_name, notification_id) VALUES (%s, %s)"
                           " ON CONFLICT (application_name) DO UPDATE SET notification_id = excluded.notification_id",
                           (name, position))
        connection.commit()


def seed(env: dict[str, str], events: int) -> dict[str, Any]:
    """Replicates the three upstream logs (as loaded) until they hold about ``events`` stored events in all."""
    templates = {service: template(env, service) for service in UPSTREAMS}
    per_copy = sum(len(rows) for rows in templates.values())
    copies = max(1, (events - per_copy) // per_copy)
    heads = {service: replicate(env, service, rows, copies) for service, rows in templates.items()}
    set_position(env, "pathways", "referrals", heads["referrals"])
    for upstream in UPSTREAMS:
        set_position(env, "reporting", upstream, heads[upstream])
    with connect(env, "reporting") as connection:
        contracts = [row[0] for row in connection.execute("SELECT contract_id FROM ledger_contracts").fetchall()]
    for contract_id in contracts:
        set_position(env, "reporting", f"ledger:{contract_id}", heads["pathways"])
    return {"copies": copies, "template_events": per_copy, "heads": heads, "stored_events": sum(heads.values())}
