"""Mentors, network events and their attendance trend, community researchers, the asset map and connectors'
introductions, over the real services; and no personal data of any of them in messages, logs or metrics."""
from __future__ import annotations

import glob
import json
import os
import uuid

import requests
from kombu import Connection, Queue

from chassis import bus
from tests.support.enterprise_staff import Staff, at, cohort_and_round
from tests.support.waiting import get, wait_for


def member_enterprise(staff: Staff) -> tuple[str, str]:
    cohort, _ = cohort_and_round(staff)
    enterprise = staff.ok("/enterprises",
                          {"name": f"Repair Cafe {uuid.uuid4().hex[:6]}", "occurred_at": at("2018-04-01")})
    staff.ok(f"/programmes/{cohort}/members",
             {"enterprise_id": enterprise["enterprise_id"], "occurred_at": at("2018-04-02")})
    return cohort, enterprise["enterprise_id"]


def test_a_mentor_is_matched_gives_sessions_is_thanked_and_steps_down(platform, credentials):
    staff = Staff(platform, credentials)
    _, enterprise = member_enterprise(staff)
    outsider = staff.ok("/enterprises",
                        {"name": f"Not in FUSE {uuid.uuid4().hex[:6]}", "occurred_at": at("2018-04-01")})
    mentor = staff.ok("/mentors", {"display_name": "Grace Clarke", "channel": "employer_volunteering_scheme",
                                   "kind": "specialist", "specialisms": ["finance"], "max_mentees": 1,
                                   "occurred_at": at("2018-05-01")})["mentor_id"]
    early = staff.post(f"/mentors/{mentor}/sessions",
                       {"enterprise_id": enterprise, "hours": "1", "occurred_at": at("2018-06-01")})
    assert early.status_code == 422 and early.json()["rule"] == "session_with_a_matched_enterprise"
    outside = staff.post(f"/mentors/{mentor}/matches",
                         {"enterprise_id": outsider["enterprise_id"], "occurred_at": at("2018-06-01")})
    assert outside.status_code == 422 and outside.json()["rule"] == "mentoring_within_a_programme"
    staff.ok(f"/mentors/{mentor}/matches", {"enterprise_id": enterprise, "occurred_at": at("2018-06-01")})
    staff.ok(f"/mentors/{mentor}/sessions",
             {"enterprise_id": enterprise, "hours": "1.5", "occurred_at": at("2018-06-08")})
    staff.ok(f"/mentors/{mentor}/recognitions", {"recognition": "annual_dinner", "occurred_at": at("2018-09-06")})
    staff.ok(f"/mentors/{mentor}/stepping-down", {"reason": "changed_job", "occurred_at": at("2018-10-01")})
    late = staff.post(f"/mentors/{mentor}/sessions",
                      {"enterprise_id": enterprise, "hours": "1", "occurred_at": at("2018-10-02")})
    assert late.status_code == 422 and late.json()["rule"] == "stepped_down_is_final"
    assert staff.get(f"/enterprises/{enterprise}")["support_hours"] == "1.50"  # the session is the enterprise's support
    report = staff.report(lambda r: r["mentors"]["recruited"] == 1 and r["mentors"]["active"] == 0, "the mentor")
    assert (report["mentors"]["sessions"], report["mentors"]["mentoring_hours"]) == (1, "1.50")
    assert report["mentors"]["by_channel"] == {"employer_volunteering_scheme": 1}
    assert report["mentors"]["recognitions"] == {"annual_dinner": 1}


def test_the_attendance_trend_of_a_series_shows_its_direction_and_returning_attendees(platform, credentials):
    staff = Staff(platform, credentials)
    regulars = [str(uuid.uuid4()) for _ in range(3)]
    for number, walk_ins in enumerate((2, 5, 9)):
        meeting = staff.ok("/network-events", {"series": "soho_network", "title": f"SoHo {number}",
                                               "held_on": f"2018-0{3 + number}-26", "speakers": 1,
                                               "occurred_at": at(f"2018-0{3 + number}-27")})["network_event_id"]
        attendees = [{"kind": "person", "ref": ref} for ref in regulars[:number + 1]]
        staff.ok(f"/network-events/{meeting}/attendance", {"attendees": attendees, "walk_ins": walk_ins,
                                                           "occurred_at": at(f"2018-0{3 + number}-27")})
    twice = staff.post(f"/network-events/{meeting}/attendance",
                       {"attendees": attendees[:1], "occurred_at": at("2018-05-28")})
    assert twice.status_code == 422 and twice.json()["rule"] == "attended_once"
    url = platform.url("reporting",
                       f"/reports/events/attendance-trend?series=soho_network&organisation={staff.organisation}")
    trend = wait_for(lambda: get(url, staff.credential).json(), lambda t: len(t["events"]) == 3 and
                     t["events"][-1]["attendance"] == 12, what="three meetings")
    assert [(e["attendance"], e["returning"], e["change"]) for e in trend["events"]] == \
        [(3, 0, None), (7, 1, 4), (12, 2, 5)]
    assert trend["direction"] == "rising"
    assert get(url.replace("soho_network", "bingo"), staff.credential).status_code == 422


def test_supply_chain_pitches_need_attendance_and_ideas_count_at_awareness_sessions(platform, credentials):
    staff = Staff(platform, credentials)
    _, enterprise = member_enterprise(staff)
    event = staff.ok("/network-events", {"series": "supply_chain", "title": "Meet the buyers", "held_on": "2018-03-15",
                                         "buyers_present": 4, "occurred_at": at("2018-03-16")})["network_event_id"]
    unseen = staff.post(f"/network-events/{event}/supply-chain-outcomes",
                        {"enterprise_id": enterprise, "outcome": "pitched", "buyer": "wates",
                         "occurred_at": at("2018-03-16")})
    assert unseen.status_code == 422 and unseen.json()["rule"] == "attended_before_pitching"
    staff.ok(f"/network-events/{event}/attendance", {"attendees": [{"kind": "enterprise", "ref": enterprise}],
                                                     "occurred_at": at("2018-03-16")})
    staff.ok(f"/network-events/{event}/supply-chain-outcomes", {"enterprise_id": enterprise, "outcome": "contract_won",
                                                                "buyer": "wates", "value_pence": 420000,
                                                                "occurred_at": at("2018-05-01")})
    not_awareness = staff.post(f"/network-events/{event}/ideas",
                               {"enterprise_id": enterprise, "occurred_at": at("2018-05-01")})
    assert not_awareness.status_code == 422 and not_awareness.json()["rule"] == "awareness_sessions_only"
    report = staff.report(lambda r: r["network"]["supply_chain_events"] and
                          r["network"]["supply_chain_events"][0]["contracts_won"] == 1, "the contract")
    assert report["network"]["supply_chain_events"][0]["contract_value_pence"] == 420000


def test_grants_and_diagnostics_are_support_and_a_merged_duplicate_is_counted_nowhere(platform, credentials):
    staff = Staff(platform, credentials)
    _, enterprise = member_enterprise(staff)
    duplicate = staff.ok("/enterprises", {"name": f"Duplicate {uuid.uuid4().hex[:6]}", "legal_form": "cic",
                                          "registered_on": "2018-01-02",
                                          "occurred_at": at("2018-04-01")})["enterprise_id"]
    staff.ok(f"/enterprises/{duplicate}/merge", {"into": enterprise, "occurred_at": at("2018-04-03")})
    grant = {"funder": "Power to Change", "amount_pence": 300000, "purpose": "equipment",
             "occurred_at": at("2018-08-01")}
    refused = staff.post("/grants", {**grant, "enterprise_id": duplicate, "amount_pence": 0})
    assert refused.status_code == 422 and "amount_pence" in refused.json()["fields"]
    followed = staff.ok("/grants", {**grant, "enterprise_id": duplicate})  # a merged record leads to the one kept
    assert followed["enterprise_id"] == enterprise
    staff.ok("/diagnostics", {"enterprise_id": enterprise, "scores": {"finance": 2, "governance": 4}, "hours": "2",
                              "occurred_at": at("2018-07-01")})
    consortium = staff.ok("/consortia", {"name": "Food consortium", "theme": "food", "occurred_at": at("2018-08-02")})
    members = f"/consortia/{consortium['consortium_id']}/members"
    staff.ok(members, {"enterprise_id": enterprise, "occurred_at": at("2018-08-02")})
    again = staff.post(members, {"enterprise_id": enterprise, "occurred_at": at("2018-08-03")})
    assert again.status_code == 422 and again.json()["rule"] == "member_once"
    report = staff.report(lambda r: r["consortia"]["memberships"] == 1, "the consortium")
    assert (report["grants"], report["diagnostics"]) == ({"awarded": 1, "pence": 300000},
                                                         {"completed": 1, "hours": "2.00"})
    indicators = report["indicators"]  # the kept venture is not registered yet; the merged record is counted nowhere
    assert (indicators["CO02_enterprises_receiving_grants"], indicators["pre_start_ventures_supported"],
            indicators["enterprises_registered"]) == (0, 1, 0)


def test_a_researcher_is_trained_active_lapses_and_only_an_active_connector_introduces(platform, credentials):
    staff = Staff(platform, credentials)
    connector = staff.ok("/researchers", {"display_name": "Samuel E", "programme": "community_connector",
                                          "occurred_at": at("2018-02-01")})["researcher_id"]
    base = f"/researchers/{connector}"
    untrained = staff.post(base + "/activation", {"occurred_at": at("2018-02-02")})
    assert untrained.status_code == 422 and untrained.json()["rule"] == "training_before_activation"
    staff.ok(base + "/training", {"course": "Interviewing", "hours": "6", "occurred_at": at("2018-02-10")})
    staff.ok(base + "/activation", {"occurred_at": at("2018-02-11")})
    staff.ok(base + "/fieldwork", {"hours": "3.25", "occurred_at": at("2018-03-01")})
    staff.ok("/introductions", {"connector_id": connector, "to": "referrals", "occurred_at": at("2018-03-02")})
    staff.ok(base + "/lapse", {"reason": "no_time", "occurred_at": at("2018-06-01")})
    for path, body, rule in ((base + "/fieldwork", {"hours": "1", "occurred_at": at("2018-06-02")},
                              "fieldwork_while_active"),
                             ("/introductions",
                              {"connector_id": connector, "to": "fuse", "occurred_at": at("2018-06-02")},
                              "active_connectors_introduce")):
        refused = staff.post(path, body)
        assert refused.status_code == 422 and refused.json()["rule"] == rule
    partner = staff.ok("/researchers", {"display_name": "Rania I", "programme": "community_partner",
                                        "occurred_at": at("2018-02-01")})["researcher_id"]
    staff.ok(f"/researchers/{partner}/activation", {"occurred_at": at("2018-02-02")})  # the lighter programme
    report = staff.report(lambda r: r["research"]["recruited"] == 2 and r["research"]["active"] == 1, "the researchers")
    assert (report["research"]["lapsed"], report["research"]["fieldwork_hours"]) == (1, "3.25")
    assert report["research"]["introductions"] == {"referrals": 1}


def test_asset_map_entries_hold_personal_data_only_with_consent_and_withdrawal_erases_it(platform, credentials):
    staff = Staff(platform, credentials)
    entry = {"kind": "skill", "area": "soho", "title": "Dressmaking", "description": "call 07700 900461",
             "occurred_at": at("2018-06-01")}
    refused = staff.post("/asset-map", entry)
    assert refused.status_code == 422 and refused.json()["rule"] == "no_personal_data_without_consent"
    no_consent = staff.post("/asset-map", {**entry, "personal_data": True})
    assert no_consent.status_code == 422 and no_consent.json()["rule"] == "consent_before_personal_data"
    mapped = staff.ok("/asset-map", {**entry, "personal_data": True, "consent": {
        "reference": "CF-7", "recorded_on": "2018-06-01", "retain_until": "2020-06-01"}})["entry_id"]
    view = staff.get(f"/asset-map/{mapped}")
    assert view["title"] is None and view["personal"]["description"] == "call 07700 900461"
    staff.ok(f"/asset-map/{mapped}/consent-withdrawal", {"occurred_at": at("2018-07-01")})
    after = staff.get(f"/asset-map/{mapped}")
    assert after["personal"] is None
    assert (after["kind"], after["area"], after["consent_withdrawn"]) == ("skill", "soho", True)


def test_no_name_or_email_of_the_strand_reaches_messages_logs_or_metrics(platform, credentials):
    staff = Staff(platform, credentials)
    secret = uuid.uuid4().hex[:8]
    names = [f"Applicant {secret}", f"applicant.{secret}@example.org", f"Mentor {secret}", f"Researcher {secret}",
             f"Venture {secret}", f"Upholstery by {secret}"]
    tap = Queue(f"test.tap.{secret}", bus.events_exchange(), routing_key="enterprises.#", auto_delete=True)
    with Connection(platform.env["AMQP_URI"]) as connection:
        channel = connection.channel()
        tap(channel).declare()
        _, round_id = cohort_and_round(staff)
        staff.ok(f"/rounds/{round_id}/applications", {"applicant": {"display_name": names[0], "email": names[1]},
                                                     "enterprise": {"name": names[4]}, "sector": "retail",
                                                     "occurred_at": at("2018-04-10")})
        staff.ok("/mentors", {"display_name": names[2], "channel": "personal_contact", "kind": "general",
                              "max_mentees": 1, "occurred_at": at("2018-05-01")})
        staff.ok("/researchers",
                 {"display_name": names[3], "programme": "community_partner", "occurred_at": at("2018-05-01")})
        staff.ok("/asset-map", {"kind": "skill", "area": "soho", "title": names[5], "personal_data": True, "consent": {
            "reference": "CF-9", "recorded_on": "2018-06-01", "retain_until": "2020-06-01"},
                                "occurred_at": at("2018-06-01")})
        messages: list[str] = []
        bound = tap(channel)

        def drained() -> list[str]:
            while (message := bound.get(no_ack=True)) is not None:
                messages.append(json.dumps({"headers": message.headers, "body": str(message.body)}))
            return [m for m in messages if staff.organisation in m]

        # programme, round, application, mentor, researcher, asset (the last posted)
        ours = wait_for(drained, lambda found: any("asset_mapped_v1" in m for m in found), what="the strand's messages")
        assert len(ours) == 6
    metrics = requests.get(platform.url("enterprises", "/metrics"), timeout=10).text
    logs = "\n".join(open(path, errors="replace").read() for path in glob.glob(os.path.join(platform.log_dir, "*.log")))
    for place, text in (("messages", "\n".join(messages)), ("metrics", metrics), ("logs", logs)):
        assert [n for n in names if n in text] == [], f"personal data in {place}"


def test_a_person_of_the_strand_is_erased_their_details_unreadable_and_their_email_forgotten(platform, credentials):
    staff = Staff(platform, credentials)
    email = f"erase.{uuid.uuid4().hex[:8]}@example.org"
    person = {"display_name": "Leyla Kovacs", "email": email, "occurred_at": at("2018-05-01")}
    applicant = staff.ok("/applicants", person)["applicant_id"]
    mentor = staff.ok("/mentors", {"display_name": "Grace Clarke", "channel": "personal_contact", "kind": "general",
                                   "max_mentees": 2, "occurred_at": at("2018-05-01")})["mentor_id"]
    assert staff.get(f"/applicants/{applicant}")["personal"]["email"] == email
    assert staff.post("/applicants", person).status_code == 409  # one record per person, by email
    request = {"ground": "asked by email", "requested_on": "2018-06-01"}
    for subject, kind in ((applicant, "applicant"), (mentor, "mentor")):
        erased = staff.ok(f"/people/{subject}/erasure", request)
        assert (erased["kind"], erased["erased_now"]) == (kind, True)
    assert staff.get(f"/applicants/{applicant}")["personal"] is None
    assert staff.get(f"/mentors/{mentor}")["personal"] is None
    assert staff.ok(f"/people/{applicant}/erasure", request)["erased_now"] is False  # erased already
    assert staff.post(f"/people/{uuid.uuid4()}/erasure", request).status_code == 404
    again = staff.post("/applicants", {**person, "occurred_at": at("2018-07-01")})
    assert again.status_code == 201 and again.json()["applicant_id"] != applicant  # nothing recognises them
