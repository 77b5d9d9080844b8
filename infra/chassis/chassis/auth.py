"""Authentication by per-organisation API credentials, stored hashed in every service's own database.

A credential is ``uk_<key id>_<secret>``, sent as ``Authorization: Bearer <credential>``. Each service keeps
``chassis_credentials`` (key id, organisation, roles, SHA-256 of the secret, issued, expires, revoked): the
secret itself is shown once, when issued, and never stored. SHA-256 without a slow KDF is enough because the
secret is 256 random bits, not a password. ``python -m launcher.credentials`` issues, rotates, revokes and
lists credentials across all services.

Rotation issues a new credential and lets the old one expire after a grace period; revocation ends it at once.
A container caches a verified credential for ``AUTH_CACHE_SECONDS`` (5 s), so a revocation takes effect
everywhere within that time.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chassis import config
from chassis.application import ServiceApplication
from chassis.errors import Unauthenticated

ROLES = ("referrer", "trust", "caseworker", "enterprise_staff", "finance", "auditor", "ops", "admin")
PREFIX = "uk_"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the credential's key id (the actor), its organisation and roles."""

    key_id: str
    organisation: str
    roles: frozenset[str]
    #: the member of staff who holds the credential (a staff id, not a name), where it was issued to a person
    person: str | None = None

    def has_any(self, roles: Iterable[str]) -> bool:
        return bool(self.roles.intersection(roles))


@dataclass(frozen=True)
class Issued:
    key_id: str
    credential: str
    organisation: str
    roles: tuple[str, ...]
    person: str | None = None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


KEY_ID = re.compile(r"^[0-9a-f]{12}$")
STAFF_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def new_credential(organisation: str, roles: Iterable[str], person: str | None = None) -> Issued:
    """``person``: the member of staff the credential is for (their staff id within the organisation), so that
    every read and step it makes names a person, not just an organisation and a role."""
    roles = tuple(sorted(set(roles)))
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"roles must be some of {', '.join(ROLES)}; got {', '.join(roles) or 'none'}")
    if not organisation or len(organisation) > 100:
        raise ValueError("an organisation id of 1 to 100 characters is required")
    if person is not None and not STAFF_ID.match(person):
        raise ValueError("a person is named by their staff id: 2 to 64 lower-case letters, digits, . _ - (not a name)")
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    return Issued(key_id, f"{PREFIX}{key_id}_{secret}", organisation, roles, person)


def store(app: ServiceApplication, issued: Issued, expires_at: datetime | None = None) -> None:
    secret = issued.credential.split("_", 2)[2]
    with app.sql() as sql:
        sql.execute("INSERT INTO chassis_credentials (key_id, organisation, roles, secret_hash, issued_at,"
                    " expires_at, revoked_at) VALUES (%s, %s, %s, %s, %s, %s, NULL)",
                    (issued.key_id, issued.organisation, ",".join(issued.roles), _hash(secret),
                     _now().isoformat(), expires_at.isoformat() if expires_at else None))
        if issued.person is not None:
            sql.execute("INSERT INTO chassis_credential_holders (key_id, person) VALUES (%s, %s)",
                        (issued.key_id, issued.person))


def revoke(app: ServiceApplication, key_id: str, at: datetime | None = None) -> int:
    with app.sql() as sql:
        return sql.execute("UPDATE chassis_credentials SET revoked_at = %s WHERE key_id = %s AND revoked_at IS NULL",
                           ((at or _now()).isoformat(), key_id)).rowcount


def expire(app: ServiceApplication, key_id: str, hours: float) -> int:
    """Lets a rotated credential work for ``hours`` more."""
    at = (_now() + timedelta(hours=hours)).isoformat()
    with app.sql() as sql:
        return sql.execute("UPDATE chassis_credentials SET expires_at = %s WHERE key_id = %s", (at, key_id)).rowcount


def listing(app: ServiceApplication) -> list[dict[str, Any]]:
    with app.sql() as sql:
        rows = sql.execute("SELECT c.key_id, c.organisation, c.roles, c.issued_at, c.expires_at, c.revoked_at,"
                           " h.person FROM chassis_credentials c LEFT JOIN chassis_credential_holders h"
                           " ON h.key_id = c.key_id ORDER BY c.issued_at").fetchall()
    return [dict(zip(("key_id", "organisation", "roles", "issued_at", "expires_at", "revoked_at", "person"), row,
                     strict=True))
            for row in rows]


def lookup(app: ServiceApplication, key_id: str) -> dict[str, Any] | None:
    for row in listing(app):
        if row["key_id"] == key_id:
            return row
    return None


class Verifier:
    """Checks a bearer credential against the service's table, with a short cache."""

    def __init__(self, app: ServiceApplication) -> None:
        self.app = app
        self.cache: dict[str, tuple[float, Any]] = {}
        self.ttl = float(config.env("AUTH_CACHE_SECONDS", "5") or 5)

    def principal(self, authorization: str | None) -> Principal:
        if not authorization or not authorization.startswith("Bearer "):
            raise Unauthenticated("send your credential as 'Authorization: Bearer <credential>'")
        credential = authorization[len("Bearer "):].strip()
        parts = credential.split("_", 2)
        if len(parts) != 3 or not credential.startswith(PREFIX) or not parts[1] or not parts[2]:
            raise Unauthenticated("the credential is not valid")
        key_id, secret = parts[1], parts[2]
        if not KEY_ID.match(key_id):  # never sent to the database as it came (a NUL would fail the query)
            raise Unauthenticated("the credential is not valid")
        row = self._row(key_id)
        now = _now().isoformat()
        if (row is None or not hmac.compare_digest(row[2], _hash(secret)) or row[4] is not None
                or (row[3] is not None and row[3] <= now)):
            raise Unauthenticated("the credential is not valid, has expired or was revoked")
        return Principal(key_id, row[0], frozenset(filter(None, row[1].split(","))), row[5])

    def _row(self, key_id: str) -> Any:
        cached = self.cache.get(key_id)
        if cached is not None and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        with self.app.sql() as sql:
            row = sql.execute("SELECT c.organisation, c.roles, c.secret_hash, c.expires_at, c.revoked_at, h.person"
                              " FROM chassis_credentials c LEFT JOIN chassis_credential_holders h"
                              " ON h.key_id = c.key_id WHERE c.key_id = %s", (key_id,)).fetchone()
        if len(self.cache) > 10_000:
            self.cache.clear()
        self.cache[key_id] = (time.monotonic(), row)
        return row
