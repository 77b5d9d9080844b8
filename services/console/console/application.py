"""The console's store (staff accounts and sessions: no case data) and its use cases: sign in, the session a
request belongs to, sign out, and the account commands of ``python -m launcher.accounts``.

Each account holds its person's API credential (issued to their staff id, in every service) *wrapped*: encrypted
(AES-GCM, ``cryptography``) under a key derived from their password (argon2id, ``argon2-cffi``), so the console's
database alone opens nothing. At sign-in the credential is unwrapped and re-wrapped under a key derived from the
session's token, which only the person's cookie carries (the table keeps the token's SHA-256). The console so
acts only as the person signed in, with their role, and each service checks and records every call as theirs.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventlet import tpool

from chassis.application import ServiceApplication
from console.domain.accounts import AccountRuleBroken, Lockout, check_password, check_staff_id, session_live
from console.domain.forms import LONDON

TABLES = (
    "CREATE TABLE IF NOT EXISTS console_accounts (person TEXT PRIMARY KEY, organisation TEXT NOT NULL,"
    " role TEXT NOT NULL, password_hash TEXT NOT NULL, key_salt TEXT NOT NULL, wrapped TEXT NOT NULL,"
    " key_id TEXT NOT NULL, failures INTEGER NOT NULL, locked_until TEXT, created_at TEXT NOT NULL,"
    " disabled_at TEXT)",
    "CREATE TABLE IF NOT EXISTS console_sessions (session_hash TEXT PRIMARY KEY, person TEXT NOT NULL,"
    " csrf TEXT NOT NULL, wrapped TEXT NOT NULL, signed_in_at TEXT NOT NULL, last_seen TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS console_sign_ins (at TEXT NOT NULL, person TEXT, outcome TEXT NOT NULL)",
)


#: how often a session's idle time is renewed (its last-seen time, written at most once a minute)
RENEW_EVERY = timedelta(minutes=1)


class Console(ServiceApplication):
    name = "console"
    extra_tables = TABLES


@dataclass(frozen=True)
class SignedIn:
    """The person a request comes from: who, within which organisation and role, and the credential the
    console calls the services with on their behalf (never shown, never logged)."""

    person: str
    organisation: str
    role: str
    credential: str
    csrf: str


@dataclass(frozen=True)
class Account:
    person: str
    organisation: str
    role: str
    key_id: str
    created_at: str
    disabled_at: str | None
    locked_until: str | None


def _now() -> datetime:
    return datetime.now(UTC)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _seal(key: bytes, text: str) -> str:
    nonce = secrets.token_bytes(12)
    return _b64(nonce + AESGCM(key).encrypt(nonce, text.encode(), b"console credential"))


def _open(key: bytes, sealed: str) -> str:
    raw = base64.b64decode(sealed)
    return AESGCM(key).decrypt(raw[:12], raw[12:], b"console credential").decode()


def _password_key(password: str, salt: bytes) -> bytes:
    return tpool.execute(hash_secret_raw, password.encode(), salt, time_cost=3, memory_cost=65536, parallelism=4,
                         hash_len=32, type=Type.ID)


def _session_key(token: str) -> bytes:
    return hashlib.sha256(b"console session key|" + token.encode()).digest()


def _session_hash(token: str) -> str:
    return hashlib.sha256(b"console session id|" + token.encode()).hexdigest()


class BadSignIn(AccountRuleBroken):
    """Wrong staff id or password, or a locked or disabled account (the page never says which id exists)."""


class Accounts:
    """The console's use cases over its store."""

    hasher = PasswordHasher()
    #: a hash of nothing, verified when the staff id is unknown, so that both answers take as long
    _decoy = PasswordHasher().hash(secrets.token_urlsafe(16))

    def __init__(self, app: ServiceApplication) -> None:
        self.app = app

    # -- accounts (python -m launcher.accounts) ---------------------------------------------------------------
    def create(self, person: str, organisation: str, role: str, password: str, credential: str,
               key_id: str) -> None:
        check_staff_id(person)
        check_password(password)
        salt = secrets.token_bytes(16)
        with self.app.sql() as sql:
            if sql.execute("SELECT 1 FROM console_accounts WHERE person = %s", (person,)).fetchone():
                raise AccountRuleBroken("account_exists", f"there is already an account {person}")
            sql.execute("INSERT INTO console_accounts (person, organisation, role, password_hash, key_salt, wrapped,"
                        " key_id, failures, locked_until, created_at, disabled_at)"
                        " VALUES (%s, %s, %s, %s, %s, %s, %s, 0, NULL, %s, NULL)",
                        (person, organisation, role, self.hasher.hash(password), _b64(salt),
                         _seal(_password_key(password, salt), credential), key_id, _now().isoformat()))

    def reset(self, person: str, password: str, credential: str, key_id: str) -> str:
        """A new password with a new credential (the old one cannot be unwrapped without the old password);
        returns the old credential's key id, for the caller to revoke. Ends the person's sessions."""
        check_password(password)
        salt = secrets.token_bytes(16)
        with self.app.sql() as sql:
            row = sql.execute("SELECT key_id FROM console_accounts WHERE person = %s", (person,)).fetchone()
            if row is None:
                raise AccountRuleBroken("no_account", f"there is no account {person}")
            sql.execute("UPDATE console_accounts SET password_hash = %s, key_salt = %s, wrapped = %s, key_id = %s,"
                        " failures = 0, locked_until = NULL, disabled_at = NULL WHERE person = %s",
                        (self.hasher.hash(password), _b64(salt), _seal(_password_key(password, salt), credential),
                         key_id, person))
            sql.execute("DELETE FROM console_sessions WHERE person = %s", (person,))
        return str(row[0])

    def disable(self, person: str) -> str | None:
        """The account can no longer sign in and its sessions end; returns its credential's key id (to revoke)."""
        with self.app.sql() as sql:
            row = sql.execute("SELECT key_id FROM console_accounts WHERE person = %s", (person,)).fetchone()
            sql.execute("UPDATE console_accounts SET disabled_at = %s WHERE person = %s", (_now().isoformat(), person))
            sql.execute("DELETE FROM console_sessions WHERE person = %s", (person,))
        return str(row[0]) if row else None

    def listing(self) -> list[Account]:
        rows = self.app.query("SELECT person, organisation, role, key_id, created_at, disabled_at, locked_until"
                              " FROM console_accounts ORDER BY person")
        return [Account(*row) for row in rows]

    # -- signing in and out ---------------------------------------------------------------------------------
    def sign_in(self, person: str, password: str, now: datetime | None = None) -> tuple[str, SignedIn]:
        """The new session's token (for the cookie) and who is signed in; raises BadSignIn."""
        now = now or _now()
        row = self.app.query("SELECT organisation, role, password_hash, key_salt, wrapped, failures, locked_until,"
                             " disabled_at FROM console_accounts WHERE person = %s", (person,))
        if not row:
            try:
                tpool.execute(self.hasher.verify, self._decoy, password)
            except VerificationError:
                pass
            self._record(now, None, "unknown_staff_id")
            raise BadSignIn("bad_sign_in", "The staff id or the password is not right")
        organisation, role, password_hash, salt, wrapped, failures, locked_until, disabled_at = row[0]
        lockout = Lockout(int(failures), datetime.fromisoformat(locked_until) if locked_until else None)
        if disabled_at is not None:
            self._record(now, person, "disabled")
            raise BadSignIn("bad_sign_in", "The staff id or the password is not right")
        if lockout.locked(now):
            self._record(now, person, "locked")
            assert lockout.locked_until is not None
            raise BadSignIn("locked", "This account is locked after too many wrong passwords. Try again after "
                                      f"{lockout.locked_until.astimezone(LONDON).strftime('%H:%M')}, or ask your admin")
        try:  # argon2 takes a tenth of a second of CPU: in a real thread, so other pages are served meanwhile
            tpool.execute(self.hasher.verify, password_hash, password)
        except (VerificationError, InvalidHashError):
            after = lockout.after_failure(now)
            with self.app.sql() as sql:
                sql.execute("UPDATE console_accounts SET failures = %s, locked_until = %s WHERE person = %s",
                            (after.failures, after.locked_until.isoformat() if after.locked_until else None, person))
            self._record(now, person, "locked_out" if after.locked(now) else "wrong_password")
            raise BadSignIn("bad_sign_in", "The staff id or the password is not right") from None
        credential = _open(_password_key(password, base64.b64decode(salt)), wrapped)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        with self.app.sql() as sql:
            sql.execute("UPDATE console_accounts SET failures = 0, locked_until = NULL WHERE person = %s", (person,))
            sql.execute("INSERT INTO console_sessions (session_hash, person, csrf, wrapped, signed_in_at, last_seen)"
                        " VALUES (%s, %s, %s, %s, %s, %s)",
                        (_session_hash(token), person, csrf, _seal(_session_key(token), credential),
                         now.isoformat(), now.isoformat()))
        self._record(now, person, "signed_in")
        return token, SignedIn(person, organisation, role, credential, csrf)

    def session(self, token: str | None, now: datetime | None = None) -> SignedIn | None:
        """Who a session token belongs to, while the session lives (each request renews its idle time)."""
        if not token or len(token) > 100:
            return None
        now = now or _now()
        found = self.app.query("SELECT s.person, a.organisation, a.role, s.csrf, s.wrapped, s.signed_in_at,"
                               " s.last_seen FROM console_sessions s JOIN console_accounts a ON a.person = s.person"
                               " WHERE s.session_hash = %s AND a.disabled_at IS NULL", (_session_hash(token),))
        if not found:
            return None
        person, organisation, role, csrf, wrapped, signed_in_at, last_seen = found[0]
        if not session_live(datetime.fromisoformat(signed_in_at), datetime.fromisoformat(last_seen), now):
            self.sign_out(token)
            return None
        if now - datetime.fromisoformat(last_seen) >= RENEW_EVERY:  # not a write on every page
            with self.app.sql() as sql:
                sql.execute("UPDATE console_sessions SET last_seen = %s WHERE session_hash = %s",
                            (now.isoformat(), _session_hash(token)))
        return SignedIn(person, organisation, role, _open(_session_key(token), wrapped), csrf)

    def sign_out(self, token: str) -> None:
        with self.app.sql() as sql:
            sql.execute("DELETE FROM console_sessions WHERE session_hash = %s", (_session_hash(token),))

    def sign_ins(self, person: str) -> list[dict[str, Any]]:
        rows = self.app.query("SELECT at, outcome FROM console_sign_ins WHERE person = %s ORDER BY at", (person,))
        return [{"at": at, "outcome": outcome} for at, outcome in rows]

    def _record(self, now: datetime, person: str | None, outcome: str) -> None:
        with self.app.sql() as sql:
            sql.execute("INSERT INTO console_sign_ins (at, person, outcome) VALUES (%s, %s, %s)",
                        (now.isoformat(), person, outcome))
