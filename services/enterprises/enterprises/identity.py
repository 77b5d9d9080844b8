"""Recognising an enterprise (or an applicant) seen before, without keeping readable identifiers.

An enterprise's registration number (Companies House, charity or society number) and its name, and an
applicant's email, are normalised and kept only as keyed HMACs (a blind index, keyed from the master key) in
``enterprises_identities``. A registration number decides; a name decides when the enterprise already
recorded under it has no different registration number (then it is a different enterprise with the same name,
listed at ``GET /enterprises/possible-duplicates`` for staff, who may link or merge records by hand).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
from typing import Any

from chassis.application import ServiceApplication

TABLES = (
    "CREATE TABLE IF NOT EXISTS enterprises_identities ("
    " kind TEXT NOT NULL, digest TEXT NOT NULL, owner_id TEXT NOT NULL, PRIMARY KEY (kind, digest))",
    "CREATE TABLE IF NOT EXISTS enterprises_possible_duplicates ("
    " subject_id TEXT NOT NULL, other_id TEXT NOT NULL, matched_on TEXT NOT NULL, recorded_at TEXT NOT NULL,"
    " PRIMARY KEY (subject_id, other_id))",
)
#: Words that do not tell one enterprise from another ("Ladywood Bakes CIC" is "Ladywood Bakes Ltd").
NOISE = ("community interest company", "charitable incorporated organisation", "co operative", "cooperative",
         "limited", "ltd", "cic", "cio", "plc", "llp", "coop", "uk", "the")


def _plain(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text.replace("&", " and ")).split())


def name_key(name: str) -> str:
    words = f" {_plain(name)} "
    for noise in NOISE:
        words = words.replace(f" {noise} ", " ")
    return " ".join(words.split()) or _plain(name)


def registration_key(number: str) -> str:
    compact = re.sub(r"[^0-9A-Z]", "", number.upper())
    return compact.lstrip("0") or "0" if compact.isdigit() else compact


def enterprise_keys(name: str | None, registration_number: str | None) -> dict[str, str]:
    keys = {}
    if registration_number and registration_key(registration_number):
        keys["registration"] = registration_key(registration_number)
    if name and name_key(name):
        keys["name"] = name_key(name)
    return keys


def applicant_keys(email: str | None) -> dict[str, str]:
    return {"email": email.strip().casefold()} if email else {}


class IdentityIndex:
    def __init__(self, app: ServiceApplication, master: bytes) -> None:
        self.app = app
        self.key = hmac.new(master, b"enterprises identity index v1", hashlib.sha256).digest()

    def digests(self, keys: dict[str, str]) -> dict[str, str]:
        return {kind: hmac.new(self.key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
                for kind, value in keys.items()}

    def fingerprint(self, data: Any) -> str:
        """A keyed hash of personal data, for idempotency request hashes (never the data itself)."""
        text = json.dumps(data, sort_keys=True, default=str)
        return hmac.new(self.key, f"fingerprint:{text}".encode(), hashlib.sha256).hexdigest()

    def owners(self, digests: dict[str, str]) -> dict[str, str]:
        if not digests:
            return {}
        clauses = " OR ".join("(kind = %s AND digest = %s)" for _ in digests)
        params = [value for pair in digests.items() for value in pair]
        rows = self.app.query(f"SELECT kind, owner_id FROM enterprises_identities WHERE {clauses}", params)
        return {kind: owner for kind, owner in rows}

    def match_enterprise(self, digests: dict[str, str]) -> tuple[str | None, str]:
        """The enterprise these digests name (and on what), or (None, "new")."""
        owners = self.owners(digests)
        if "registration" in owners:
            return owners["registration"], "registration"
        if "name" in owners:
            known = self.app.query("SELECT 1 FROM enterprises_identities WHERE kind = 'registration'"
                                   " AND owner_id = %s", [owners["name"]])
            if "registration" in digests and known:
                return None, "new"  # same name, another registration number: another enterprise
            return owners["name"], "name"
        return None, "new"

    def remember(self, owner_id: str, digests: dict[str, str]) -> list[tuple[str, str]]:
        """Records the digests as ``owner_id``'s; returns (kind, other owner) for those already taken."""
        with self.app.sql() as sql:
            for kind, digest in digests.items():
                sql.execute("INSERT INTO enterprises_identities (kind, digest, owner_id) VALUES (%s, %s, %s)"
                            " ON CONFLICT (kind, digest) DO NOTHING", (kind, digest, owner_id))
        return [(kind, owner) for kind, owner in self.owners(digests).items() if owner != owner_id]

    def forget(self, owner_id: str) -> None:
        """An erased person's (or enterprise's) blind-index entries and duplicate flags are deleted: a keyed hash
        of an email still tells whether that email was seen."""
        with self.app.sql() as sql:
            sql.execute("DELETE FROM enterprises_identities WHERE owner_id = %s", (owner_id,))
            sql.execute("DELETE FROM enterprises_possible_duplicates WHERE subject_id = %s OR other_id = %s",
                        (owner_id, owner_id))

    def flag(self, subject_id: str, other_id: str, matched_on: str, at: str) -> None:
        with self.app.sql() as sql:
            sql.execute("INSERT INTO enterprises_possible_duplicates (subject_id, other_id, matched_on, recorded_at)"
                        " VALUES (%s, %s, %s, %s) ON CONFLICT (subject_id, other_id) DO NOTHING",
                        (subject_id, other_id, matched_on, at))

    def possible_duplicates(self) -> list[dict[str, Any]]:
        rows = self.app.query("SELECT subject_id, other_id, matched_on, recorded_at"
                              " FROM enterprises_possible_duplicates ORDER BY recorded_at, subject_id")
        return [{"enterprise_id": r[0], "other_enterprise_id": r[1], "matched_on": r[2], "recorded_at": r[3]}
                for r in rows]
