"""Referrals over the real services: the same person referred twice, the lifecycle, and what partners see."""
from __future__ import annotations

import copy
import uuid

from launcher.demo import enrol
from tests.support.waiting import form, get, key, now_iso, post, wait_for


def refer(platform, credentials, body: dict) -> dict:
    """A partner's referral, as the hub then sees it (with the client's id and the identity match)."""
    answer = post(platform.url("referrals", "/referrals"), body, key(), credentials(body["partner_id"], "referrer"))
    assert answer.status_code == 201, answer.text
    assert not {"client_id", "match"} & set(answer.json())  # the partner learns nothing of other partners' clients
    return get(platform.url("referrals", f"/referrals/{answer.json()['referral_id']}"),
               credentials("learning-works", "caseworker")).json()


def test_a_partner_cannot_tell_a_person_another_partner_referred_from_a_new_one(platform, credentials):
    first_body = form(f"partner-{uuid.uuid4().hex[:6]}")
    refer(platform, credentials, first_body)
    known, new = form(f"partner-{uuid.uuid4().hex[:6]}"), form(f"partner-{uuid.uuid4().hex[:6]}")
    known["person"] = copy.deepcopy(first_body["person"])
    answers = [post(platform.url("referrals", "/referrals"), body, key(), credentials(body["partner_id"], "referrer"))
               for body in (known, new)]
    assert [a.status_code for a in answers] == [201, 201]
    assert set(answers[0].json()) == set(answers[1].json()) == {"referral_id", "event_id", "version", "status",
                                                                 "entry_point"}


def test_a_person_referred_again_under_a_new_key_is_attached_to_the_same_client(platform, credentials, caseworker):
    first_body = form(f"partner-{uuid.uuid4().hex[:6]}")
    first = refer(platform, credentials, first_body)
    again_body = form(f"partner-{uuid.uuid4().hex[:6]}")  # another partner, another form...
    again_body["person"]["ni_number"] = first_body["person"]["ni_number"].lower()  # ...the same NI number
    again = refer(platform, credentials, again_body)
    assert (again["client_id"], again["match"]) == (first["client_id"], "exact")
    stranger = refer(platform, credentials, form("partner-x"))
    assert stranger["client_id"] not in (first["client_id"],) and stranger["match"] == "new"


def test_a_name_and_birth_date_match_is_attached_and_listed_as_a_possible_duplicate(platform, credentials, caseworker):
    first_body = form(f"partner-{uuid.uuid4().hex[:6]}")
    first = refer(platform, credentials, first_body)
    lookalike = form(first_body["partner_id"])
    lookalike["person"]["full_name"] = "  " + first_body["person"]["full_name"].upper() + " "
    lookalike["person"]["date_of_birth"] = first_body["person"]["date_of_birth"]
    second = refer(platform, credentials, lookalike)
    assert (second["client_id"], second["match"]) == (first["client_id"], "partial")
    listed = get(platform.url("referrals", "/referrals/possible-duplicates"), caseworker).json()["referrals"]
    assert {"referral_id": second["referral_id"], "client_id": first["client_id"]}.items() <= \
        next(r for r in listed if r["referral_id"] == second["referral_id"]).items()


def test_an_erased_person_referred_again_is_a_new_client(platform, credentials, caseworker):
    body = form(f"partner-{uuid.uuid4().hex[:6]}")
    first = refer(platform, credentials, body)
    post(platform.url("referrals", f"/referrals/{first['referral_id']}/erasure"),
         {"decision": "erase", "ground": "asked", "requested_on": "2018-10-01"}, key(), caseworker)
    again = refer(platform, credentials, copy.deepcopy(body))
    assert again["match"] == "new" and again["client_id"] != first["client_id"]


def test_the_lifecycle_refuses_steps_out_of_order_and_stores_nothing_for_them(platform, credentials, caseworker):
    referral = refer(platform, credentials, form(f"partner-{uuid.uuid4().hex[:6]}"))
    base = platform.url("referrals", f"/referrals/{referral['referral_id']}")
    early = post(base + "/acceptance", {"regulator": "GMC", "occurred_at": now_iso()}, key(), caseworker)
    assert early.status_code == 422 and early.json()["rule"] == "lawful_basis_before_processing"
    for _ in range(3):
        assert post(base + "/contact-attempts", {"outcome": "no_answer", "occurred_at": now_iso()}, key(),
                    caseworker).status_code == 201
    closed = post(base + "/closure-for-no-contact", {"occurred_at": now_iso()}, key(), caseworker)
    assert closed.status_code == 201 and closed.json()["status"] == "closed_no_contact"
    late = post(base + "/contact-attempts", {"outcome": "reached", "occurred_at": now_iso()}, key(), caseworker)
    assert late.status_code == 422 and late.json()["rule"] == "referral_closed_is_final"
    view = get(base, caseworker).json()
    assert (view["status"], view["contact_attempts"]) == ("closed_no_contact", 3)


def test_an_accepted_client_starts_a_pathway_at_the_assessed_entry_point(platform, credentials, caseworker):
    referral = refer(platform, credentials, form(f"partner-{uuid.uuid4().hex[:6]}", "pharmacist"))
    accepted = enrol(platform, referral["referral_id"], caseworker, "E-D", "GPhC", now_iso(), key())
    assert accepted["entry_point"] == "E-D"
    pathways = wait_for(lambda: get(platform.url("pathways", f"/clients/{referral['client_id']}/pathways"),
                                    caseworker).json()["pathways"], what="the pathway")
    assert [(p["regulator"], p["entry_point"]) for p in pathways] == [("GPhC", "E-D")]


def test_a_correction_changes_the_details_and_keeps_the_history(platform, credentials, caseworker):
    body = form(f"partner-{uuid.uuid4().hex[:6]}")
    referral = refer(platform, credentials, body)
    base = platform.url("referrals", f"/referrals/{referral['referral_id']}")
    corrected = post(base + "/corrections", {"person": {"mobile": "+447700900123"}, "occurred_at": now_iso()},
                     key(), caseworker)
    assert corrected.status_code == 201
    person = get(base, caseworker).json()["personal"]["person"]
    assert person["mobile"] == "+447700900123" and person["full_name"] == body["person"]["full_name"]


def test_overdue_referrals_are_listed_for_caseworkers_and_counted_per_partner(platform, credentials, caseworker):
    partner = f"partner-{uuid.uuid4().hex[:6]}"
    old = refer(platform, credentials, form(partner, occurred_at="2018-09-03T10:00:00+00:00"))  # a Monday
    contacted = refer(platform, credentials, form(partner, occurred_at="2018-09-03T10:00:00+00:00"))
    post(platform.url("referrals", f"/referrals/{contacted['referral_id']}/contact-attempts"),
         {"outcome": "no_answer", "occurred_at": "2018-09-04T10:00:00+00:00"}, key(), caseworker)
    url = platform.url("reporting", "/reports/overdue-referrals")
    due = wait_for(lambda: get(url + "?as_of=2018-09-11", caseworker).json(),
                   lambda page: page["per_partner"].get(partner) == 1, what="the overdue referral")
    row = next(r for r in due["referrals"] if r["partner_id"] == partner)
    assert (row["referral_id"], row["first_contact_due"]) == (old["referral_id"], "2018-09-10")  # 5 working days
    assert get(url + "?as_of=2018-09-10", caseworker).json()["per_partner"].get(partner) is None
