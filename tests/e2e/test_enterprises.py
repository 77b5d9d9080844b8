"""The FUSE programme over the real services: the application lifecycle and its refusals, the same enterprise
applied for twice (one enterprise in every count), the new-enterprise rule, idempotent retries."""
from __future__ import annotations

import uuid

import requests

from tests.support.enterprise_staff import Staff, accept, apply, at, cohort_and_round
from tests.support.waiting import get, key


def test_an_application_goes_from_submission_to_the_cohort_and_impossible_steps_are_refused(platform, credentials):
    staff = Staff(platform, credentials)
    cohort, round_id = cohort_and_round(staff, places=1)
    first = apply(staff, round_id, "Amina Haddad", "amina.h@example.org", {"name": "Ladywood Bakes CIC"})
    second = apply(staff, round_id, "Omar Said", "omar.s@example.org", {"name": "Soho Threads"})
    base = f"/rounds/{round_id}/applications/{first['application_id']}"

    early = staff.post(base + "/decision",
                       {"decision": "accepted", "reason": "selected", "occurred_at": at("2018-07-01")})
    assert early.status_code == 422 and early.json()["rule"] == "interview_before_decision"
    staff.ok(base + "/conflicts", {"panel_member": "mentor-4", "nature": "family", "occurred_at": at("2018-06-30")})
    staff.ok(base + "/shortlisting", {"occurred_at": at("2018-07-01")})
    conflicted = staff.post(base + "/interview", {"panel": ["ise-lead", "mentor-4"], "occurred_at": at("2018-07-02")})
    assert conflicted.status_code == 422 and conflicted.json()["rule"] == "conflicted_member_off_the_panel"
    staff.ok(base + "/interview", {"panel": ["ise-lead", "mentor-5"], "occurred_at": at("2018-07-02")})
    decided = staff.ok(base + "/decision",
                       {"decision": "accepted", "reason": "selected", "occurred_at": at("2018-07-03")})
    assert decided["status"] == "accepted"
    twice = staff.post(base + "/decision", {"decision": "rejected", "reason": "other", "occurred_at": at("2018-07-04")})
    assert twice.status_code == 422 and twice.json()["rule"] == "decision_is_final"

    over = accept_refused(staff, round_id, second["application_id"])
    assert over.status_code == 422 and over.json()["rule"] == "round_places"
    programme = staff.get(f"/programmes/{cohort}")
    assert (programme["enterprises"], programme["people"]) == ([first["enterprise_id"]], [first["applicant_id"]])

    staff.ok(f"/rounds/{round_id}/closure", {"occurred_at": at("2018-07-10")})
    closed = staff.post(f"/rounds/{round_id}/applications/{second['application_id']}/decision",
                        {"decision": "rejected", "reason": "places_full", "occurred_at": at("2018-07-11")})
    assert closed.status_code == 422 and closed.json()["rule"] == "round_closed_is_final"
    view = staff.get(f"/rounds/{round_id}")
    assert (view["status"], view["counts"]) == ("closed", {"accepted": 1, "interviewed": 1})


def accept_refused(staff: Staff, round_id: str, application_id: str) -> requests.Response:
    base = f"/rounds/{round_id}/applications/{application_id}"
    staff.ok(base + "/shortlisting", {"occurred_at": at("2018-07-01")})
    staff.ok(base + "/interview", {"panel": ["ise-lead"], "occurred_at": at("2018-07-02")})
    return staff.post(base + "/decision",
                      {"decision": "accepted", "reason": "selected", "occurred_at": at("2018-07-03")})


def test_support_hours_need_the_enterprise_in_a_programme(platform, credentials):
    staff = Staff(platform, credentials)
    cohort, round_id = cohort_and_round(staff)
    outsider = staff.ok("/enterprises", {"name": f"Outsider {uuid.uuid4().hex[:6]}", "legal_form": "company",
                                         "registered_on": "2016-01-04", "occurred_at": at("2018-04-01")})
    refused = staff.post(f"/enterprises/{outsider['enterprise_id']}/support",
                         {"programme_id": cohort, "kind": "workshop", "hours": "3", "occurred_at": at("2018-07-10")})
    assert refused.status_code == 422 and refused.json()["rule"] == "support_within_a_programme"
    bad = staff.post(f"/enterprises/{outsider['enterprise_id']}/support",
                     {"programme_id": cohort, "kind": "workshop", "hours": "1.1", "occurred_at": at("2018-07-10"),
                      "note": "typo"})
    assert bad.status_code == 422 and set(bad.json()["fields"]) == {"hours", "note"}
    assert staff.get(f"/enterprises/{outsider['enterprise_id']}")["version"] == 1  # nothing stored


def test_the_same_enterprise_applied_for_twice_is_one_enterprise_counted_once(platform, credentials):
    staff = Staff(platform, credentials)
    _, round_id = cohort_and_round(staff)
    _, later_round = cohort_and_round(staff)
    name = f"Icknield Growers {uuid.uuid4().hex[:6]}"
    number = f"SC{uuid.uuid4().int % 10**6:06d}"
    first = apply(staff, round_id, "Leyla Kovacs", "leyla@example.org",
                  {"name": name + " CIC", "registration_number": number, "legal_form": "cic",
                   "registered_on": "2017-10-02"})
    cofounder = apply(staff, round_id, "Karim Aziz", "karim@example.org", {"name": "  " + name.upper() + " ltd"})
    again = apply(staff, later_round, "Leyla Kovacs", "LEYLA@example.org",
                  {"name": "Renamed", "registration_number": number})
    assert cofounder["enterprise_id"] == again["enterprise_id"] == first["enterprise_id"]
    assert (cofounder["enterprise_match"], again["enterprise_match"]) == ("name", "registration")
    assert again["applicant_id"] == first["applicant_id"] != cofounder["applicant_id"]  # the same person, by email

    accept(staff, round_id, first["application_id"])
    accept(staff, round_id, cofounder["application_id"])
    enterprise = first["enterprise_id"]
    programme = staff.get(f"/enterprises/{enterprise}")["programmes"][0]
    for kind in ("workshop", "one_to_one", "group_session"):
        staff.ok(f"/enterprises/{enterprise}/support", {"programme_id": programme, "kind": kind, "hours": "4.5",
                                                        "occurred_at": at("2018-07-20")})
    report = staff.report(lambda r: r["indicators"]["non_financial_support_hours"] == "13.50", "the support")
    indicators = report["indicators"]
    assert indicators["CO01_enterprises_supported"] == indicators["CO05_new_enterprises_supported"] == 1
    assert report["fuse"]["start_up"] == {"organisations_supported": 1, "individuals_supported": 2}
    assert sorted((r["applications"], r["enterprises"]) for r in report["fuse"]["rounds"]) == [(1, 1), (2, 1)]
    known = staff.post("/enterprises", {"name": name, "occurred_at": at("2018-08-01")})
    assert known.status_code == 409 and known.json()["enterprise_id"] == enterprise


def test_an_enterprise_registered_eleven_months_before_support_is_new_and_thirteen_is_not(platform, credentials):
    staff = Staff(platform, credentials)
    cohort, _ = cohort_and_round(staff)
    support_day = "2018-07-16"
    ids = {}
    for label, registered in (("eleven", "2017-08-16"), ("thirteen", "2017-06-16"), ("twelve", "2017-07-16")):
        enterprise = staff.ok("/enterprises", {"name": f"{label} {uuid.uuid4().hex[:6]}", "legal_form": "cic",
                                               "registered_on": registered, "occurred_at": at("2018-05-01")})
        ids[label] = enterprise["enterprise_id"]
        staff.ok(f"/programmes/{cohort}/members", {"enterprise_id": ids[label], "occurred_at": at("2018-05-02")})
        staff.ok(f"/enterprises/{ids[label]}/support", {"programme_id": cohort, "kind": "one_to_one", "hours": "12",
                                                        "occurred_at": at(support_day)})
    assert {label: staff.get(f"/enterprises/{i}")["new_enterprise"] for label, i in ids.items()} == \
        {"eleven": True, "thirteen": False, "twelve": False}  # "less than 12 months": exactly twelve is not new
    report = staff.report(lambda r: r["indicators"]["CO01_enterprises_supported"] == 3, "three supported")
    assert report["indicators"]["CO05_new_enterprises_supported"] == 1
    assert report["indicators"]["CO04_enterprises_receiving_non_financial_support"] == 3


def test_a_retried_post_is_answered_the_same_and_stored_once(platform, credentials):
    staff = Staff(platform, credentials)
    cohort, round_id = cohort_and_round(staff)
    body = {"applicant": {"display_name": "Hana Bello", "email": None}, "enterprise": {"name": f"Kitchen {key()}"},
            "sector": "food", "occurred_at": at("2018-04-12")}
    same = key()
    first = staff.post(f"/rounds/{round_id}/applications", body, same)
    again = staff.post(f"/rounds/{round_id}/applications", body, same)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert staff.get(f"/rounds/{round_id}")["counts"] == {"submitted": 1}
    reused = staff.post(f"/rounds/{round_id}/applications", {**body, "sector": "retail"}, same)
    assert reused.status_code == 409 and reused.json()["rule"] == "idempotency_key_reused"
    member = {"enterprise_id": first.json()["enterprise_id"], "occurred_at": at("2018-05-01")}
    joined, rejoined = (staff.post(f"/programmes/{cohort}/members", member, "join-once") for _ in range(2))
    assert joined.json() == rejoined.json() and staff.get(f"/programmes/{cohort}")["version"] == 2


def test_personal_details_are_read_by_staff_under_audit_and_never_by_auditors(platform, credentials):
    staff = Staff(platform, credentials)
    auditor = credentials("programme-office", "auditor")
    _, round_id = cohort_and_round(staff)
    applied = apply(staff, round_id, "Nadia Mensah", "nadia.m@example.org", {"name": "Nadia's Catering"})
    assert staff.get(f"/applicants/{applied['applicant_id']}")["personal"]["display_name"] == "Nadia Mensah"
    assert get(platform.url("enterprises", f"/applicants/{applied['applicant_id']}"), auditor).status_code == 403
    audited = get(platform.url("enterprises", f"/enterprises/{applied['enterprise_id']}"), auditor).json()
    assert "personal" not in audited and audited["enterprise_id"] == applied["enterprise_id"]
    assert staff.get(f"/enterprises/{applied['enterprise_id']}")["personal"] == {"name": "Nadia's Catering"}


def test_hours_logged_wrongly_are_corrected_by_a_new_fact_counted_from_the_supports_own_day(platform, credentials):
    staff = Staff(platform, credentials)
    cohort, _ = cohort_and_round(staff)
    enterprise = staff.ok("/enterprises",
                          {"name": f"Winson Green Print {uuid.uuid4().hex[:6]}", "legal_form": "company",
                                           "registered_on": "2016-01-04",
                                           "occurred_at": at("2018-05-01")})["enterprise_id"]
    staff.ok(f"/programmes/{cohort}/members", {"enterprise_id": enterprise, "occurred_at": at("2018-05-02")})
    logged = staff.ok(f"/enterprises/{enterprise}/support", {"programme_id": cohort, "kind": "workshop", "hours": "12",
                                                             "occurred_at": at("2018-07-16")})
    staff.report(lambda r: r["indicators"]["CO04_enterprises_receiving_non_financial_support"] == 1, "the support")
    not_support = staff.post(f"/enterprises/{enterprise}/support-corrections", {
        "support_version": logged["version"] - 1, "hours": "10",  # the enterprise's joining the cohort
        "reason": "hours_mistyped", "occurred_at": at("2018-08-01")})
    assert not_support.status_code == 422 and not_support.json()["rule"] == "staff_support_to_correct"
    corrected = staff.ok(f"/enterprises/{enterprise}/support-corrections", {
        "support_version": logged["version"], "hours": "10", "reason": "hours_mistyped",
                                                                            "occurred_at": at("2018-08-01")})
    assert corrected["version"] == logged["version"] + 1  # a new event: the support as logged stays in the history
    assert staff.get(f"/enterprises/{enterprise}")["support_hours"] == "10.00"
    staff.report(lambda r: r["indicators"]["non_financial_support_hours"] == "10.00", "the correction")

    def on(day: str) -> tuple[str, int]:
        found = get(platform.url("reporting", "/reports/enterprises"), staff.credential,
                    params={"organisation": staff.organisation, "as_of": day}).json()["indicators"]
        return found["non_financial_support_hours"], found["CO04_enterprises_receiving_non_financial_support"]

    assert on("2018-07-15") == ("0.00", 0)
    assert on("2018-07-20") == ("10.00", 0)  # the support's own day: ten hours, below the minimum of twelve


def test_an_enterprise_that_dissolves_stays_counted_for_its_support_and_takes_no_later_steps(platform, credentials):
    staff = Staff(platform, credentials)
    cohort, _ = cohort_and_round(staff)
    enterprise = staff.ok("/enterprises", {"name": f"Ladywood Laundry {uuid.uuid4().hex[:6]}", "legal_form": "cic",
                                           "registered_on": "2017-11-01",
                                           "occurred_at": at("2018-05-01")})["enterprise_id"]
    staff.ok(f"/programmes/{cohort}/members", {"enterprise_id": enterprise, "occurred_at": at("2018-05-02")})
    staff.ok(f"/enterprises/{enterprise}/support", {"programme_id": cohort, "kind": "one_to_one", "hours": "12",
                                                    "occurred_at": at("2018-07-16")})
    early = staff.post(f"/enterprises/{enterprise}/dissolution",
                       {"reason": "wound_up", "occurred_at": at("2018-07-01")})
    assert early.status_code == 422 and early.json()["rule"] == "dissolution_after_what_it_did"
    staff.ok(f"/enterprises/{enterprise}/dissolution", {"reason": "ceased_trading", "occurred_at": at("2018-09-01")})
    late = staff.post(f"/enterprises/{enterprise}/support", {"programme_id": cohort, "kind": "workshop", "hours": "2",
                                                             "occurred_at": at("2018-09-05")})
    assert late.status_code == 422 and late.json()["rule"] == "dissolved_enterprise_takes_no_steps"
    assert staff.get(f"/enterprises/{enterprise}")["dissolved_on"] == "2018-09-01"
    staff.report(lambda r: r["indicators"]["enterprises_dissolved"] == 1, "the dissolution")

    def on(day: str) -> tuple[int, int]:
        found = get(platform.url("reporting", "/reports/enterprises"), staff.credential,
                    params={"organisation": staff.organisation, "as_of": day}).json()["indicators"]
        return found["CO01_enterprises_supported"], found["enterprises_dissolved"]

    assert on("2018-08-31") == (1, 0)
    assert on("2018-09-01") == (1, 1)  # still counted: it was supported while it traded
