"""Helpers of the enterprise end-to-end tests: programme staff of a test-unique organisation, and the FUSE steps
most tests begin with."""
from __future__ import annotations

import uuid
from typing import Any

import requests

from tests.support.waiting import get, key, post, wait_for


class Staff:
    """Programme staff of one (test-unique) organisation, posting to the enterprises service."""

    def __init__(self, platform: Any, credentials: Any, role: str = "enterprise_staff") -> None:
        self.platform, self.organisation = platform, f"ise-{uuid.uuid4().hex[:6]}"
        self.credential = credentials(self.organisation, role)

    def post(self, path: str, body: dict, idempotency_key: str | None = None) -> requests.Response:
        return post(self.platform.url("enterprises", path), body, idempotency_key or key(), self.credential)

    def ok(self, path: str, body: dict) -> dict:
        response = self.post(path, body)
        assert response.status_code == 201, response.text
        return response.json()

    def get(self, path: str) -> dict:
        return get(self.platform.url("enterprises", path), self.credential).json()

    def report(self, until: Any, what: str) -> dict:
        url = self.platform.url("reporting", f"/reports/enterprises?organisation={self.organisation}")
        return wait_for(lambda: get(url, self.credential).json(), until, what=what)


def at(day: str) -> str:
    return f"{day}T10:00:00+00:00"


def cohort_and_round(staff: Staff, places: int | None = None) -> tuple[str, str]:
    cohort = staff.ok("/programmes", {"kind": "fuse_cohort", "name": "FUSE cohort", "starts_on": "2018-04-01",
                                      "ends_on": "2019-03-31", "occurred_at": at("2018-03-01")})["programme_id"]
    round_id = staff.ok("/rounds", {"name": "FUSE round", "programme_id": cohort, "opens_on": "2018-04-01",
                                    "closes_on": "2018-06-30", "places": places,
                                    "occurred_at": at("2018-03-01")})["round_id"]
    return cohort, round_id


def apply(staff: Staff, round_id: str, name: str, email: str, enterprise: dict) -> dict:
    return staff.ok(f"/rounds/{round_id}/applications", {
        "applicant": {"display_name": name, "email": email}, "enterprise": enterprise, "sector": "food",
        "occurred_at": at("2018-04-10")})


def accept(staff: Staff, round_id: str, application_id: str, panel: tuple[str, ...] = ("ise-lead",)) -> dict:
    base = f"/rounds/{round_id}/applications/{application_id}"
    staff.ok(base + "/shortlisting", {"occurred_at": at("2018-07-01")})
    staff.ok(base + "/interview", {"panel": list(panel), "occurred_at": at("2018-07-02")})
    return staff.ok(base + "/decision", {"decision": "accepted", "reason": "selected", "occurred_at": at("2018-07-03")})
