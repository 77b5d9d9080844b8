"""Hospital trust systems post pathway steps, one by one and in batches, over the real services."""
from __future__ import annotations

import uuid

from launcher.demo import enrol
from tests.support.waiting import form, get, key, now_iso, post, wait_for


def accepted_client(platform, credentials, caseworker, regulator: str = "GMC") -> str:
    partner = f"partner-{uuid.uuid4().hex[:6]}"
    referral = post(platform.url("referrals", "/referrals"), form(partner), key(),
                    credentials(partner, "referrer")).json()
    enrol(platform, referral["referral_id"], caseworker, "E-B", regulator, now_iso(), key())
    wait_for(lambda: get(platform.url("pathways", f"/clients/{referral['client_id']}/pathways"),
                         caseworker).json()["pathways"], what="the pathway")
    return referral["client_id"]


def test_an_impossible_step_is_refused_with_its_rule_and_stores_nothing(platform, credentials, caseworker):
    client = accepted_client(platform, credentials, caseworker)
    trust = credentials("swbh-trust", "trust")
    url = platform.url("pathways", f"/clients/{client}/pathways/GMC/steps")
    refused = post(url, {"type": "employment_started", "occurred_at": now_iso(), "payload": {
        "employer": "SWBH", "nhs": True, "hours_per_week": 37.5, "role": "clinical fellow"}}, key(), trust)
    assert refused.status_code == 422 and refused.json()["rule"] == "right_to_work_before_employment"
    before = get(platform.url("pathways", f"/clients/{client}/pathways"), caseworker).json()["pathways"][0]
    first_key = key()
    step = {"type": "exam_attempt", "occurred_at": now_iso(), "payload": {"exam": "PLAB1", "passed": True}}
    stored = post(url, step, first_key, trust)
    again = post(url, step, first_key, trust)
    assert stored.status_code == again.status_code == 201 and stored.json() == again.json()
    after = get(platform.url("pathways", f"/clients/{client}/pathways"), caseworker).json()["pathways"][0]
    assert after["version"] == before["version"] + 1 and after["exams_passed"] == ["PLAB1"]


def test_a_batch_answers_each_step_on_its_own(platform, credentials, caseworker):
    client = accepted_client(platform, credentials, caseworker)
    trust = credentials("swbh-trust", "trust")
    when = now_iso()

    def step(step_type: str, payload: dict, step_key: str | None = None) -> dict:
        return {"client_id": client, "regulator": "GMC", "type": step_type, "occurred_at": when,
                "idempotency_key": step_key or key(), "payload": payload}

    plab1 = step("exam_attempt", {"exam": "PLAB1", "passed": True})
    batch = [
        step("exam_attempt", {"exam": "PLAB2", "passed": True}),                    # before PLAB 1: refused
        plab1,
        step("exam_attempt", {"exam": "PLAB2", "passed": True}),                    # now allowed
        step("right_to_work_check", {"valid_until": None}),
        step("employment_started", {"employer": "SWBH", "nhs": True, "hours_per_week": 0, "role": "x"}),  # invalid
        step("employment_started", {"employer": "SWBH", "nhs": True, "hours_per_week": 37.5, "role": "doctor"}),
        {**step("pathway_closed", {"reason": "completed"}), "regulator": "XYZ"},   # invalid regulator
        step("exam_attempt", {"exam": "PLAB1", "passed": True}, plab1["idempotency_key"]),  # a retry of step 1
    ]
    answer = post(platform.url("pathways", "/steps/batch"), {"steps": batch}, key(), trust)
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == [422, 201, 201, 201, 422, 201, 422, 201]
    assert results[0]["rule"] == "exam_prerequisite_passed" and "payload" in results[4]["fields"]
    assert results[7]["event_id"] == results[1]["event_id"]  # answered the same, stored once
    pathway = get(platform.url("pathways", f"/clients/{client}/pathways"), caseworker).json()["pathways"][0]
    assert pathway["exams_passed"] == ["PLAB1", "PLAB2"] and pathway["employed_since"] is not None


def test_a_trust_cannot_read_pathways_or_post_referrals(platform, credentials):
    trust = credentials("swbh-trust", "trust")
    assert get(platform.url("pathways", f"/clients/{uuid.uuid4()}/pathways"), trust).status_code == 403
    assert post(platform.url("referrals", "/referrals"), form("swbh-trust"), key(), trust).status_code == 403


def test_a_change_of_route_opens_the_new_pathway_and_closes_the_old(platform, credentials, caseworker):
    client = accepted_client(platform, credentials, caseworker)
    answer = post(platform.url("pathways", f"/clients/{client}/pathways/GMC/steps"),
                  {"type": "route_changed", "occurred_at": now_iso(), "payload": {"regulator": "NMC"}}, key(),
                  caseworker)
    assert answer.status_code == 201, answer.text
    pathways = {p["regulator"]: p for p in
                get(platform.url("pathways", f"/clients/{client}/pathways"), caseworker).json()["pathways"]}
    assert (pathways["GMC"]["status"], pathways["NMC"]["status"], pathways["NMC"]["entry_point"]) == \
        ("closed", "open", "E-B")
    again = post(platform.url("pathways", f"/clients/{client}/pathways/NMC/steps"),
                 {"type": "route_changed", "occurred_at": now_iso(), "payload": {"regulator": "GMC"}}, key(),
                 caseworker)
    assert again.status_code == 422 and again.json()["rule"] == "one_pathway_per_regulator"


def test_milestones_reach_the_pathway_funnel_in_reporting(platform, credentials, caseworker):
    client = accepted_client(platform, credentials, caseworker)
    reader = credentials("programme-office", "auditor")

    def funnel() -> dict:
        return get(platform.url("reporting", "/reports/summary"), reader).json()["pathway_funnel"]

    before = funnel()
    url = platform.url("pathways", f"/clients/{client}/pathways/GMC/steps")
    for step in ({"type": "right_to_work_check", "payload": {"valid_until": None}},
                 {"type": "employment_started", "payload": {"employer": "SWBH", "nhs": True, "hours_per_week": 37.5,
                                                            "role": "clinical fellow"}}):
        assert post(url, {**step, "occurred_at": now_iso()}, key(), caseworker).status_code == 201
    after = wait_for(funnel, lambda f: f.get("employment_started", 0) == before.get("employment_started", 0) + 1,
                     what="the employment start in the funnel")
    assert after.get("registered", 0) == before.get("registered", 0)
