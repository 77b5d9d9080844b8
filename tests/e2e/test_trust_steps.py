"""Hospital trust systems and caseworkers post pathway steps, one by one and in batches, over the real services."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from tests.support.journeys import GOOD_IELTS, accepted_client, pathway_of, step
from tests.support.waiting import get, key, now_iso, post, wait_for


def test_an_impossible_step_is_refused_with_its_rule_and_stores_nothing(platform, credentials, caseworker):
    client = accepted_client(platform, credentials, caseworker, trust="swbh-trust")
    trust = credentials("swbh-trust", "trust")
    refused = step(platform, trust, client, "GMC", "employment_started", {
        "employer": "SWBH", "nhs": True, "hours_per_week": 37.5, "role": "clinical fellow"}, expect=422)
    assert refused["rule"] == "right_to_work_before_employment"
    before = pathway_of(platform, caseworker, client)
    step(platform, trust, client, "GMC", "english_sitting", GOOD_IELTS)
    first_key, body, when = key(), {"exam": "PLAB1", "passed": True}, now_iso()
    stored = step(platform, trust, client, "GMC", "exam_attempt", body, when, idempotency_key=first_key)
    again = step(platform, trust, client, "GMC", "exam_attempt", body, when, idempotency_key=first_key)
    assert stored == again  # a retry is answered the same and stored once
    reused = step(platform, trust, client, "GMC", "exam_attempt", {"exam": "PLAB1", "passed": False}, when,
                  idempotency_key=first_key, expect=409)
    assert reused["rule"] == "idempotency_key_reused"
    after = pathway_of(platform, caseworker, client)
    assert after["version"] == before["version"] + 2 and after["exams_passed"] == ["PLAB1"]


def test_a_trust_posts_only_for_clients_placed_with_it_and_never_the_hubs_own_steps(platform, credentials,
                                                                                      caseworker):
    client = accepted_client(platform, credentials, caseworker, trust="swbh-trust")
    other = credentials("uhb-trust", "trust")
    payload = {"valid_until": None}
    assert step(platform, other, client, "GMC", "right_to_work_check", payload, expect=404)["error"] == "not_found"
    swbh = credentials("swbh-trust", "trust")
    step(platform, swbh, client, "GMC", "right_to_work_check", payload)
    assert step(platform, swbh, client, "GMC", "pathway_closed", {"reason": "completed"},
                expect=403)["rule"] == "hub_only_step"
    assert step(platform, swbh, client, "GMC", "gate_cleared", {"trust": "uhb-trust", "gate": "dbs"},
                expect=403)["rule"] == "trust_names_itself"
    step(platform, caseworker, client, "GMC", "placed_with_trust", {"trust": "uhb-trust"})
    step(platform, other, client, "GMC", "right_to_work_check", payload)  # placed with it now
    assert pathway_of(platform, caseworker, client)["trusts"] == ["swbh-trust", "uhb-trust"]


def test_a_batch_answers_each_step_on_its_own(platform, credentials, caseworker):
    client = accepted_client(platform, credentials, caseworker, trust="swbh-trust")
    elsewhere = accepted_client(platform, credentials, caseworker)  # not placed with the trust
    trust = credentials("swbh-trust", "trust")
    when = now_iso()

    def batch_step(step_type: str, payload: dict, step_key: str | None = None, client_id: str = client) -> dict:
        return {"client_id": client_id, "regulator": "GMC", "type": step_type, "occurred_at": when,
                "idempotency_key": step_key or key(), "payload": payload}

    plab1 = batch_step("exam_attempt", {"exam": "PLAB1", "passed": True})
    batch = [
        batch_step("exam_attempt", {"exam": "PLAB2", "passed": True}),                   # before PLAB 1: refused
        batch_step("english_sitting", GOOD_IELTS),
        plab1,
        batch_step("exam_attempt", {"exam": "PLAB2", "passed": True}),                   # now allowed
        batch_step("right_to_work_check", {"valid_until": None}),
        batch_step("employment_started", {"employer": "SWBH", "nhs": True, "hours_per_week": 0, "role": "x"}),
        batch_step("employment_started", {"employer": "SWBH", "nhs": True, "hours_per_week": 37.5, "role": "doctor"}),
        {**batch_step("pathway_closed", {"reason": "completed"}), "regulator": "XYZ"},   # invalid regulator
        batch_step("exam_attempt", {"exam": "PLAB1", "passed": True}, plab1["idempotency_key"]),  # a retry
        batch_step("right_to_work_check", {"valid_until": None}, client_id=elsewhere),   # not placed with it
    ]
    answer = post(platform.url("pathways", "/steps/batch"), {"steps": batch}, key(), trust)
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == [422, 201, 201, 201, 201, 422, 201, 422, 201, 404]
    assert [r["index"] for r in results] == list(range(len(batch)))
    assert results[0]["rule"] == "exam_prerequisite_passed" and "payload" in results[5]["fields"]
    assert results[8]["event_id"] == results[2]["event_id"]  # answered the same, stored once
    pathway = pathway_of(platform, caseworker, client)
    assert pathway["exams_passed"] == ["PLAB1", "PLAB2"] and pathway["employed_since"] is not None
    assert pathway["version"] == 1 + 1 + 5  # opened, placed with the trust, five new steps (the retry is none)
    assert pathway_of(platform, caseworker, elsewhere)["version"] == 1


def test_a_change_of_route_opens_the_new_pathway_and_closes_the_old(platform, credentials, caseworker):
    client = accepted_client(platform, credentials, caseworker)
    step(platform, caseworker, client, "GMC", "english_sitting", {**GOOD_IELTS, "overall": 7.0, "writing": 6.5})
    answer = step(platform, caseworker, client, "GMC", "route_changed", {"regulator": "NMC", "profession": "nurse"})
    pathways = {p["regulator"]: p for p in
                get(platform.url("pathways", f"/clients/{client}/pathways"), caseworker).json()["pathways"]}
    assert answer["new_pathway_id"] == pathways["NMC"]["pathway_id"]
    assert (pathways["GMC"]["status"], pathways["NMC"]["status"], pathways["NMC"]["entry_point"]) == \
        ("closed", "open", "E-B")
    assert (pathways["GMC"]["english_met"], pathways["NMC"]["english_met"]) == (False, True)  # carried over
    again = step(platform, caseworker, client, "NMC", "route_changed", {"regulator": "GMC"}, expect=422)
    assert again["rule"] == "one_pathway_per_regulator"


def test_due_items_are_listed_per_caseworker_soonest_first(platform, credentials, caseworker):
    today = date.today()
    worker = f"cw-{uuid.uuid4().hex[:6]}"
    first = accepted_client(platform, credentials, caseworker)
    second = accepted_client(platform, credentials, caseworker, regulator="NMC")
    for client, regulator in ((first, "GMC"), (second, "NMC")):
        step(platform, caseworker, client, regulator, "caseworker_assigned", {"caseworker_id": worker})
    step(platform, caseworker, first, "GMC", "right_to_work_check",
         {"valid_until": (today + timedelta(days=100)).isoformat()})
    step(platform, caseworker, second, "NMC", "english_sitting",
         {"test": "OET", "listening": "B", "reading": "B", "writing": "C+", "speaking": "A"})
    url = platform.url("pathways", f"/caseworkers/{worker}/due-items")
    items = wait_for(lambda: get(url, caseworker).json()["items"], lambda got: len(got) == 2,
                     what="both clients' due items")
    assert [(i["client_id"], i["item"]) for i in items] == [(first, "right_to_work_follow_up_check"),
                                                           (second, "english_certificate_expires")]
    soon = get(url, caseworker, params={"before": (today + timedelta(days=365)).isoformat()}).json()["items"]
    assert [i["client_id"] for i in soon] == [first]
    step(platform, caseworker, first, "GMC", "caseworker_assigned", {"caseworker_id": "cw-someone-else"})
    wait_for(lambda: get(url, caseworker).json()["items"], lambda got: [i["client_id"] for i in got] == [second],
             what="the reassigned client to leave the caseload")


def test_the_pathway_history_lists_every_step_with_who_recorded_it(platform, credentials, caseworker):
    client = accepted_client(platform, credentials, caseworker, trust="swbh-trust")
    trust = credentials("swbh-trust", "trust")
    step(platform, trust, client, "GMC", "mentoring_session", {"mentor_ref": "mentor-9", "minutes": 60})
    history = get(platform.url("pathways", f"/clients/{client}/pathways/GMC/history"),
                  credentials("programme-office", "auditor")).json()["events"]
    assert [e["event"] for e in history] == ["Opened", "PlacedWithTrust", "MentoringRecorded"]
    assert [e["organisation"] for e in history][1:] == ["learning-works", "swbh-trust"]
    assert history[2]["minutes"] == 60 and history[2]["version"] == 3


def test_milestones_reach_the_pathway_funnel_in_reporting(platform, credentials, caseworker):
    client = accepted_client(platform, credentials, caseworker)
    reader = credentials("programme-office", "auditor")

    def funnel() -> dict:
        return get(platform.url("reporting", "/reports/summary"), reader).json()["pathway_funnel"]

    before = funnel()
    step(platform, caseworker, client, "GMC", "right_to_work_check", {"valid_until": None})
    step(platform, caseworker, client, "GMC", "employment_started",
         {"employer": "SWBH", "nhs": True, "hours_per_week": 37.5, "role": "clinical fellow"})
    after = wait_for(funnel, lambda f: f.get("employment_started", 0) == before.get("employment_started", 0) + 1,
                     what="the employment start in the funnel")
    assert after.get("registered", 0) == before.get("registered", 0)
