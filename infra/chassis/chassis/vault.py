"""Personal data encrypted per person (crypto-shredding), and every read of it recorded.

Each data subject (a client) has a random 256-bit data key, stored in ``chassis_subject_keys`` wrapped
(AES-GCM) under the service's master key from ``MASTER_KEY`` (base64, 32 bytes; no default outside the
embedded mode, which keeps a generated one under DATA_DIR). Personal fields are sealed into one token per
event (``v1.<base64 nonce+ciphertext>``, the subject id as associated data), so the event store, backups and
exports only ever hold ciphertext.

Erasure deletes the wrapped key and records when and by whom: from then on every token of that person is
unreadable everywhere it was copied, while the events themselves (and the audit hash chain over their bytes)
stay intact. ``reapply_erasures`` re-deletes keys after a backup is restored (the erasure register is
the ``chassis_erasures`` table and the erasure events, which are newer than any such backup).

Every decryption for a caller goes through ``read`` and leaves a row in ``chassis_personal_data_reads``
(who, which organisation, whose data, why, when).
"""
from __future__ import annotations

import base64
import json
import secrets
import time
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nameko.extensions import DependencyProvider

from chassis import config
from chassis.application import ServiceApplication

VERSION = "v1"
ERASED = None


class MasterKeyMissing(RuntimeError):
    """Raised when no MASTER_KEY is configured outside the embedded mode."""


def master_key(source: Any = None) -> bytes:
    value = config.env("MASTER_KEY", None, source)
    if value:
        key = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        if len(key) != 32:
            raise MasterKeyMissing("MASTER_KEY must be 32 bytes, base64-encoded")
        return key
    if not config.embedded(source):
        raise MasterKeyMissing("set MASTER_KEY (32 random bytes, base64): personal data is encrypted under it")
    return base64.urlsafe_b64decode(config.embedded_secret("master.key", source))


def new_master_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text)


class Vault:
    """Seals and opens personal data of subjects; erases subjects' keys."""

    def __init__(self, app: ServiceApplication, master: bytes, cache_seconds: float = 5.0) -> None:
        self.app, self.master = app, AESGCM(master)
        self.cache: dict[str, tuple[float, bytes | None]] = {}
        self.cache_seconds = cache_seconds

    # -- keys ---------------------------------------------------------------------------------------------
    def _key(self, subject: str, create: bool) -> bytes | None:
        cached = self.cache.get(subject)
        if cached is not None and time.monotonic() - cached[0] < self.cache_seconds:
            return cached[1]
        with self.app.sql() as sql:
            row = sql.execute("SELECT wrapped FROM chassis_subject_keys WHERE subject_id = %s", (subject,)).fetchone()
            if row is None and create:
                key = AESGCM.generate_key(bit_length=256)
                nonce = secrets.token_bytes(12)
                wrapped = _b64(nonce + self.master.encrypt(nonce, key, subject.encode()))
                sql.execute("INSERT INTO chassis_subject_keys (subject_id, wrapped, created_at) VALUES (%s, %s, %s)"
                            " ON CONFLICT (subject_id) DO NOTHING", (subject, wrapped, _now()))
                row = sql.execute("SELECT wrapped FROM chassis_subject_keys WHERE subject_id = %s",
                                  (subject,)).fetchone()
        key = None  # type: ignore[assignment]  # an erased subject's key is gone
        if row is not None and row[0] is not None:
            raw = _unb64(row[0])
            key = self.master.decrypt(raw[:12], raw[12:], subject.encode())
        self.cache[subject] = (time.monotonic(), key)
        return key

    def seal(self, subject_id: UUID | str, data: dict[str, Any]) -> str:
        subject = str(subject_id)
        key = self._key(subject, create=True)
        if key is None:
            raise ErasedSubject(subject)
        nonce = secrets.token_bytes(12)
        ciphertext = AESGCM(key).encrypt(nonce, json.dumps(data, sort_keys=True, default=str).encode(),
                                         subject.encode())
        return f"{VERSION}.{_b64(nonce + ciphertext)}"

    def open(self, subject_id: UUID | str, token: str | None) -> dict[str, Any] | None:
        """The personal data, or None when the subject was erased. Not audited: use ``read`` for callers."""
        if not token:
            return None
        subject = str(subject_id)
        key = self._key(subject, create=False)
        if key is None:
            return ERASED
        raw = _unb64(token.split(".", 1)[1])
        try:
            return json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], subject.encode()))
        except InvalidTag:
            return ERASED

    def read(self, subject_id: UUID | str, token: str | None, actor: str, organisation: str | None,
             purpose: str) -> dict[str, Any] | None:
        """Opens personal data for a caller and records the read."""
        data = self.open(subject_id, token)
        with self.app.sql() as sql:
            sql.execute("INSERT INTO chassis_personal_data_reads (read_at, actor, organisation, subject_id, purpose,"
                        " erased) VALUES (%s, %s, %s, %s, %s, %s)",
                        (_now(), actor, organisation, str(subject_id), purpose, 1 if data is None else 0))
        return data

    def erase(self, subject_id: UUID | str, by: str, ground: str) -> bool:
        """Deletes the subject's key; returns False when it was already erased (or never had one)."""
        subject = str(subject_id)
        with self.app.sql() as sql:
            self._secure(sql)
            changed = sql.execute("UPDATE chassis_subject_keys SET wrapped = NULL WHERE subject_id = %s"
                                  " AND wrapped IS NOT NULL", (subject,)).rowcount
            sql.execute("INSERT INTO chassis_erasures (subject_id, erased_at, erased_by, ground) VALUES (%s, %s, %s, "
                        "%s)"
                        " ON CONFLICT (subject_id) DO NOTHING", (subject, _now(), by, ground))
        self.cache.pop(subject, None)
        self.app.scrub("chassis_subject_keys")
        return bool(changed)

    def _secure(self, sql: Any) -> None:
        """SQLite: this connection overwrites what it deletes with zeros (the old key leaves no bytes behind in
        the page it was in; ``ServiceApplication.scrub`` then empties the WAL)."""
        if sql.sqlite:
            sql.execute("PRAGMA secure_delete = ON")

    def reapply_erasures(self, subjects: list[str] | None = None) -> int:
        """Deletes again the keys of every erased subject (after restoring a backup of the key table)."""
        with self.app.sql() as sql:
            self._secure(sql)
            erased = subjects or [row[0] for row in sql.execute("SELECT subject_id FROM chassis_erasures").fetchall()]
            count = 0
            for subject in erased:
                count += sql.execute("UPDATE chassis_subject_keys SET wrapped = NULL WHERE subject_id = %s"
                                     " AND wrapped IS NOT NULL", (subject,)).rowcount
        self.cache.clear()
        self.app.scrub("chassis_subject_keys")
        return count


class ErasedSubject(Exception):
    """Raised when personal data is sealed for a subject whose key was erased."""


def _now() -> str:
    return datetime.now(UTC).isoformat()


# (its tables: chassis.schema.VAULT_TABLES)


class VaultProvider(DependencyProvider):
    """Gives workers the container's Vault over the Store's database."""

    def setup(self) -> None:
        from chassis.providers import find_store

        self.store = find_store(self.container)
        self.vault: Vault | None = None

    def start(self) -> None:
        assert self.store.app is not None
        self.vault = Vault(self.store.app, master_key(self.container.config.get("ENV") or None))

    def get_dependency(self, worker_ctx: Any) -> Vault:
        assert self.vault is not None
        return self.vault
