"""Recognising a person referred twice, without keeping readable identifiers.

Each identifier (NI number, email, mobile, and name with date of birth when given) is normalised and turned
into a keyed HMAC (a blind index) under a key derived from the master key, and stored in
``referrals_identities`` against the client. A new referral that shares any of them with a client is attached
to that client; it is a *partial* match (listed for caseworkers as a possible duplicate) when some identifiers
agree and others point elsewhere or only name and date of birth agree. Erasure deletes the client's rows, so an
erased person is never recognised again.

Searching (``POST /clients/search``) reads the same digests, and two search-only ones that a name alone or a
partner's case reference would be too weak to match duplicates on: ``full_name`` and ``external_reference``
(with its partner). They live in ``referrals_search_terms``, one row per referral, so many clients may share a
name; the rows also say which referrals a client has. A correction of the person writes the corrected digests
there too (duplicate matching never reads that table). Erasure deletes them with the rest.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from chassis.application import ServiceApplication

STRONG = ("ni_number", "email", "mobile")
#: Digests a search finds clients by but duplicate matching never uses.
SEARCH_ONLY = ("full_name", "external_reference")

TABLES = (
    "CREATE TABLE IF NOT EXISTS referrals_identities ("
    " kind TEXT NOT NULL, digest TEXT NOT NULL, client_id TEXT NOT NULL, PRIMARY KEY (kind, digest))",
    "CREATE TABLE IF NOT EXISTS referrals_possible_duplicates ("
    " referral_id TEXT PRIMARY KEY, client_id TEXT NOT NULL, other_clients TEXT NOT NULL, matched_on TEXT NOT NULL,"
    " recorded_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS referrals_search_terms ("
    " kind TEXT NOT NULL, digest TEXT NOT NULL, client_id TEXT NOT NULL, referral_id TEXT NOT NULL,"
    " PRIMARY KEY (kind, digest, referral_id))",
    "CREATE INDEX IF NOT EXISTS referrals_search_terms_by_client ON referrals_search_terms (client_id)",
)


def _name(text: str) -> str:
    name = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return " ".join(name.split())


def _search_name(text: str) -> str:
    """A name without accents, case or extra spaces; letters of other scripts are kept (not dropped, as the
    ASCII folding of ``name_dob`` drops them)."""
    letters = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(letters.casefold().split())


def normalised(person: dict[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    if person.get("ni_number"):
        values["ni_number"] = re.sub(r"\s", "", person["ni_number"]).upper()
    if person.get("email"):
        values["email"] = person["email"].strip().lower()
    if person.get("mobile"):
        digits = re.sub(r"[^0-9+]", "", person["mobile"])
        values["mobile"] = "0" + digits[3:] if digits.startswith("+44") else digits.lstrip("+")
    if person.get("full_name") and person.get("date_of_birth"):
        # ASCII folding, as stored since the start, for every name with Latin letters; a name written only in
        # another script (Arabic, Urdu, Bengali...) folds to nothing, so it keeps its own letters instead (before,
        # all such names born on one day shared one digest and were taken for one person)
        name = _name(person["full_name"]) or _search_name(person["full_name"])
        if name:
            values["name_dob"] = name + "|" + str(person["date_of_birth"])
    return values


def search_only(person: dict[str, Any], partner_id: str | None = None,
                external_reference: str | None = None) -> dict[str, str]:
    """The normalised search-only values: the name alone, and a partner's case reference with the partner."""
    values: dict[str, str] = {}
    if person.get("full_name") and _search_name(person["full_name"]):
        values["full_name"] = _search_name(person["full_name"])
    if partner_id and external_reference:
        values["external_reference"] = f"{partner_id.strip()}|{external_reference.strip().casefold()}"
    return values


@dataclass(frozen=True)
class Match:
    client_id: UUID | None
    kind: str  # new | exact | partial
    matched_on: tuple[str, ...]
    other_clients: tuple[str, ...]
    owners: dict[str, str]


class IdentityIndex:
    def __init__(self, app: ServiceApplication, master: bytes) -> None:
        self.app = app
        self.key = hmac.new(master, b"referrals identity index v1", hashlib.sha256).digest()

    def digests(self, person: dict[str, Any]) -> dict[str, str]:
        return self._hashed(normalised(person))

    def search_digests(self, person: dict[str, Any], partner_id: str | None = None,
                       external_reference: str | None = None) -> dict[str, str]:
        """The search-only digests (``SEARCH_ONLY``) of a person, or of a search's criteria."""
        return self._hashed(search_only(person, partner_id, external_reference))

    def _hashed(self, values: dict[str, str]) -> dict[str, str]:
        return {kind: hmac.new(self.key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
                for kind, value in values.items()}

    def match(self, digests: dict[str, str]) -> Match:
        """Which client, if any, these digests belong to (``found`` holds each matched kind's owner)."""
        found = self._owners(digests)
        if not found:
            return Match(None, "new", (), (), {})
        strong = [found[kind] for kind in STRONG if kind in found]
        chosen = strong[0] if strong else found["name_dob"]
        agreeing = tuple(kind for kind, client in found.items() if client == chosen)
        others = tuple(sorted({client for client in found.values() if client != chosen}))
        exact = bool(strong) and not others  # partial: name and date of birth only, or identifiers disagree
        return Match(UUID(chosen), "exact" if exact else "partial", agreeing, others, found)

    def _owners(self, digests: dict[str, str]) -> dict[str, str]:
        if not digests:
            return {}
        where = " OR ".join("(kind = %s AND digest = %s)" for _ in digests)
        params = [item for pair in digests.items() for item in pair]
        rows = self.app.query(f"SELECT kind, client_id FROM referrals_identities WHERE {where}", params)
        return {kind: client for kind, client in rows}

    def remember(self, client_id: UUID, digests: dict[str, str], known: dict[str, str] | None = None) -> list[str]:
        """Stores the client's new digests; returns the kinds already held by another client (a concurrent twin).

        ``known``: the owners ``match`` found, so a person seen before with the same identifiers costs no write.
        """
        new = {kind: value for kind, value in digests.items() if (known or {}).get(kind) != str(client_id)}
        if not new:
            return []
        with self.app.sql() as sql:
            for kind, value in new.items():
                sql.execute("INSERT INTO referrals_identities (kind, digest, client_id) VALUES (%s, %s, %s)"
                            " ON CONFLICT (kind, digest) DO NOTHING", (kind, value, str(client_id)))
        owners = self._owners(new)
        return [kind for kind, owner in owners.items() if owner != str(client_id)]

    def flag(self, referral_id: UUID, client_id: UUID, others: tuple[str, ...], matched_on: tuple[str, ...],
             at: str) -> None:
        with self.app.sql() as sql:
            sql.execute("INSERT INTO referrals_possible_duplicates (referral_id, client_id, other_clients, matched_on,"
                        " recorded_at) VALUES (%s, %s, %s, %s, %s) ON CONFLICT (referral_id) DO NOTHING",
                        (str(referral_id), str(client_id), ",".join(others), ",".join(matched_on), at))

    def forget(self, client_id: UUID) -> None:
        """Erasure: the client's identifiers and search terms go, so the person is neither recognised nor found."""
        with self.app.sql() as sql:
            sql.execute("DELETE FROM referrals_identities WHERE client_id = %s", (str(client_id),))
            sql.execute("DELETE FROM referrals_search_terms WHERE client_id = %s", (str(client_id),))

    # -- searching ----------------------------------------------------------------------------------------------
    def note(self, client_id: UUID, referral_id: UUID, terms: dict[str, str], corrected: bool = False) -> None:
        """Stores a referral's search terms (digests by kind). ``corrected``: the person's details were corrected,
        so the referral's earlier terms are replaced (its partner's case reference stays: it is not corrected)."""
        with self.app.sql() as sql:
            if corrected:
                sql.execute("DELETE FROM referrals_search_terms WHERE referral_id = %s AND kind <> %s",
                            (str(referral_id), "external_reference"))
            for kind, value in terms.items():
                sql.execute("INSERT INTO referrals_search_terms (kind, digest, client_id, referral_id)"
                            " VALUES (%s, %s, %s, %s) ON CONFLICT (kind, digest, referral_id) DO NOTHING",
                            (kind, value, str(client_id), str(referral_id)))

    def search(self, criteria: dict[str, Any]) -> list[dict[str, Any]]:
        """The clients any of these criteria find (contracts.referrals.ClientSearch, loaded), each with the kinds
        that found it and its referrals: most kinds first. Only digests are compared."""
        strong = self.digests(criteria)
        wanted = {**strong, **self.search_digests(criteria, criteria.get("partner_id"),
                                                  criteria.get("external_reference"))}
        found: dict[str, set[str]] = {}
        for kind, client in self._owners(strong).items():
            found.setdefault(client, set()).add(kind)
        if wanted:
            where = " OR ".join("(kind = %s AND digest = %s)" for _ in wanted)
            for kind, client in self.app.query(f"SELECT DISTINCT kind, client_id FROM referrals_search_terms"
                                               f" WHERE {where}", [v for pair in wanted.items() for v in pair]):
                found.setdefault(client, set()).add(kind)
        referrals: dict[str, set[str]] = {}
        if found:
            marks = ", ".join("%s" for _ in found)
            for client, referral in self.app.query("SELECT DISTINCT client_id, referral_id FROM referrals_search_terms"
                                                   f" WHERE client_id IN ({marks})", list(found)):
                referrals.setdefault(client, set()).add(referral)
        order = (*STRONG, "name_dob", *SEARCH_ONLY)
        return [{"client_id": client, "matched_on": sorted(kinds, key=order.index),
                 "referral_ids": sorted(referrals.get(client, ()))}
                for client, kinds in sorted(found.items(), key=lambda item: (-len(item[1]), item[0]))]

    def possible_duplicates(self) -> list[dict[str, Any]]:
        with self.app.sql() as sql:
            rows = sql.execute("SELECT referral_id, client_id, other_clients, matched_on, recorded_at"
                               " FROM referrals_possible_duplicates ORDER BY recorded_at").fetchall()
        return [{"referral_id": r[0], "client_id": r[1], "other_clients": [c for c in r[2].split(",") if c],
                 "matched_on": [k for k in r[3].split(",") if k], "recorded_at": r[4]} for r in rows]
