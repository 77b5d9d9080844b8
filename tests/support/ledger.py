"""Outcomes contracts and outcomes over the real services' HTTP APIs, for end-to-end tests."""
from __future__ import annotations

import json
import os
from typing import Any

from tests.support.journeys import accepted_client, step
from tests.support.waiting import get, key, post, wait_for

TERMS_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "services", "reporting", "reporting", "contract_terms")
BOND = "use-it-nhs-bond"
IF = "dwp-if-round-1"


def shipped_terms(name: str) -> dict[str, Any]:
    with open(os.path.join(TERMS_DIR, f"{name}.json")) as handle:
        return json.load(handle)


def register_shipped_contracts(platform: Any, admin: str) -> None:
    """The two shipped contracts, registered once per platform (a second registration is a 409)."""
    for name in ("use_it_nhs_bond", "dwp_if_round_1"):
        answer = post(platform.url("reporting", "/outcomes-contracts"), shipped_terms(name), f"register-{name}", admin)
        assert answer.status_code in (201, 409), answer.text


def ledger_history(platform: Any, reader: str, client: str) -> list[dict]:
    events = get(platform.url("reporting", f"/audit/clients/{client}/history"), reader).json()["events"]
    return [e for e in events if e["source"] == "ledger"]


def nhs_job_outcome(platform: Any, credentials: Any, caseworker: str, entry_point: str = "E-B",
                    started: str = "2019-05-01T09:00:00+00:00") -> tuple[str, str]:
    """A client enrolled in January 2019 who starts an NHS job: (client id, the bond's job-start outcome ref)."""
    admin = credentials("programme-office", "admin")
    client = accepted_client(platform, credentials, caseworker, entry_point=entry_point,
                             occurred_at="2019-01-07T10:00:00+00:00")
    step(platform, caseworker, client, "GMC", "right_to_work_check", {"valid_until": None},
         "2019-04-01T09:00:00+00:00")
    step(platform, caseworker, client, "GMC", "employment_started",
         {"employer": "swbh-trust", "nhs": True, "hours_per_week": 37.5, "role": "clinical fellow"}, started)
    rows = wait_for(lambda: ledger_history(platform, admin, client),
                    lambda found: any(r["outcome_ref"].startswith(BOND) for r in found), what="the bond's outcome")
    return client, next(r["outcome_ref"] for r in rows if r["outcome_ref"].startswith(BOND))


def ledger_step(platform: Any, credential: str, ref: str, action: str, body: dict, expect: int = 201) -> dict:
    answer = post(platform.url("reporting", f"/ledger/outcomes/{ref}/{action}"), body, key(), credential)
    assert answer.status_code == expect, answer.text
    return answer.json()
