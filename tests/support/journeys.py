"""Client journeys over the real services' HTTP APIs, for end-to-end tests."""
from __future__ import annotations

import uuid
from typing import Any

from launcher.demo import enrol
from tests.support.waiting import form, get, key, now_iso, post, wait_for

GOOD_IELTS = {"test": "IELTS_ACADEMIC", "overall": 8.0, "listening": 8.0, "reading": 8.0, "writing": 8.0,
              "speaking": 8.0}


def accepted_client(platform: Any, credentials: Any, caseworker: str, regulator: str = "GMC",
                    entry_point: str = "E-B", trust: str | None = None, occurred_at: str | None = None,
                    profession: str | None = None, external_reference: str | None = None) -> str:
    """A referred, assessed and accepted client whose pathway is open (placed with ``trust`` if given)."""
    partner = f"partner-{uuid.uuid4().hex[:6]}"
    professions = {"GMC": "doctor", "NMC": "nurse", "HCPC": "radiographer", "GPhC": "pharmacist"}
    when = occurred_at or now_iso()
    referral = post(platform.url("referrals", "/referrals"),
                    form(partner, profession or professions[regulator], occurred_at=when,
                         **({} if external_reference is None else {"external_reference": external_reference})), key(),
                    credentials(partner, "referrer")).json()
    client = enrol(platform, referral["referral_id"], caseworker, entry_point, regulator, when, key())["client_id"]
    wait_for(lambda: get(platform.url("pathways", f"/clients/{client}/pathways"), caseworker).json()["pathways"],
             what="the pathway")
    if trust is not None:
        step(platform, caseworker, client, regulator, "placed_with_trust", {"trust": trust}, when)
    return client


def step(platform: Any, credential: str, client: str, regulator: str, step_type: str, payload: dict,
         occurred_at: str | None = None, idempotency_key: str | None = None, expect: int = 201) -> dict:
    answer = post(platform.url("pathways", f"/clients/{client}/pathways/{regulator}/steps"),
                  {"type": step_type, "occurred_at": occurred_at or now_iso(), "payload": payload},
                  idempotency_key or key(), credential)
    assert answer.status_code == expect, answer.text
    return answer.json()


def pathway_of(platform: Any, caseworker: str, client: str, regulator: str = "GMC") -> dict:
    pathways = get(platform.url("pathways", f"/clients/{client}/pathways"), caseworker).json()["pathways"]
    return next(p for p in pathways if p["regulator"] == regulator)
