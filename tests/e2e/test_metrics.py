"""What /metrics says follows what the services do: stored events by type, and reporting's domain gauges read
from its read models (each assertion compares before with after)."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import requests

from tests.support.journeys import GOOD_IELTS, accepted_client, step
from tests.support.waiting import form, key, metric, now_iso, post, wait_for


def scrape(platform, service: str, name: str, **labels: str) -> float:
    return metric(requests.get(platform.url(service, "/metrics"), timeout=10).text, name, **labels)


def test_each_stored_event_is_counted_under_its_type(platform, credentials, caseworker):
    client = accepted_client(platform, credentials, caseworker, trust="swbh-trust")
    step(platform, caseworker, client, "GMC", "english_sitting", GOOD_IELTS)
    before = scrape(platform, "pathways", "useit_events_stored_total", event_type="Pathway.ExamAttempted")
    answer = post(platform.url("pathways", f"/clients/{client}/pathways/GMC/steps"),
                  {"type": "exam_attempt", "occurred_at": now_iso(), "payload": {"exam": "PLAB1", "passed": False}},
                  key(), credentials("swbh-trust", "trust"))
    assert answer.status_code == 201, answer.text
    assert scrape(platform, "pathways", "useit_events_stored_total", event_type="Pathway.ExamAttempted") == before + 1


def test_the_funnel_and_entry_point_gauges_follow_reportings_read_models(platform, credentials, caseworker):
    opened_before = scrape(platform, "reporting", "useit_pathways_opened", entry_point="E-B")
    passed_before = scrape(platform, "reporting", "useit_pathways_reached", milestone="exam_passed")
    client = accepted_client(platform, credentials, caseworker, trust="swbh-trust")
    wait_for(lambda: scrape(platform, "reporting", "useit_pathways_opened", entry_point="E-B"),
             lambda now: now == opened_before + 1, what="the pathway opened at entry point E-B")
    step(platform, caseworker, client, "GMC", "english_sitting", GOOD_IELTS)
    assert post(platform.url("pathways", f"/clients/{client}/pathways/GMC/steps"),
                {"type": "exam_attempt", "occurred_at": now_iso(), "payload": {"exam": "PLAB1", "passed": True}},
                key(), credentials("swbh-trust", "trust")).status_code == 201
    wait_for(lambda: scrape(platform, "reporting", "useit_pathways_reached", milestone="exam_passed"),
             lambda now: now == passed_before + 1, what="the exam pass in the funnel gauge")
    text = requests.get(platform.url("reporting", "/metrics"), timeout=10).text
    assert metric(text, "useit_placements_target") == 60 and "useit_placements_offered " in text
    assert metric(text, "useit_domain_gauges_up") == 1


def test_a_referral_past_its_first_contact_date_is_overdue_for_its_partner_until_contacted(platform, credentials,
                                                                                           caseworker):
    partner = f"partner-{uuid.uuid4().hex[:6]}"
    month_ago = (datetime.now(UTC) - timedelta(days=30)).isoformat()
    before = scrape(platform, "reporting", "useit_referrals_overdue", partner=partner)
    referral = post(platform.url("referrals", "/referrals"), form(partner, occurred_at=month_ago), key(),
                    credentials(partner, "referrer"))
    assert referral.status_code == 201, referral.text
    wait_for(lambda: scrape(platform, "reporting", "useit_referrals_overdue", partner=partner),
             lambda now: now == before + 1, what="the overdue referral in the partner's gauge")
    contacted = post(platform.url("referrals", f"/referrals/{referral.json()['referral_id']}/contact-attempts"),
                     {"outcome": "reached", "occurred_at": now_iso()}, key(), caseworker)
    assert contacted.status_code == 201, contacted.text
    wait_for(lambda: scrape(platform, "reporting", "useit_referrals_overdue", partner=partner),
             lambda now: now == before, what="the contacted referral to leave the overdue gauge")
