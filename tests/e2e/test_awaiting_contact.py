"""The work queue of new referrals nobody has contacted yet, as of any day, over the real services."""
from __future__ import annotations

import uuid

from tests.support.waiting import form, get, key, post, wait_for

MONDAY = "2018-09-03T10:00:00+00:00"


def refer(platform, credentials, partner: str, occurred_at: str) -> str:
    answer = post(platform.url("referrals", "/referrals"), form(partner, occurred_at=occurred_at), key(),
                  credentials(partner, "referrer"))
    assert answer.status_code == 201, answer.text
    return answer.json()["referral_id"]


def queue(platform, credential: str, partner: str, as_of: str) -> tuple[list[dict], int | None]:
    answer = get(platform.url("reporting", "/reports/awaiting-contact"), credential, params={"as_of": as_of})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["as_of"] == as_of
    return [r for r in found["referrals"] if r["partner_id"] == partner], found["per_partner"].get(partner)


def test_new_referrals_wait_for_first_contact_until_someone_contacts_closes_or_accepts_them(platform, credentials,
                                                                                           caseworker):
    partner = f"partner-{uuid.uuid4().hex[:6]}"
    waiting = refer(platform, credentials, partner, MONDAY)  # first contact due the next Monday, 2018-09-10
    later = refer(platform, credentials, partner, "2018-09-06T10:00:00+00:00")  # a Thursday: due 2018-09-13
    contacted = refer(platform, credentials, partner, MONDAY)
    declined = refer(platform, credentials, partner, MONDAY)
    refer(platform, credentials, partner, "2018-09-12T10:00:00+00:00")  # received after the day asked about
    base = platform.url("referrals", "/referrals")
    attempt = {"outcome": "no_answer", "occurred_at": "2018-09-04T10:00:00+00:00"}
    decline = {"reason": "not_interested", "occurred_at": "2018-09-05T10:00:00+00:00"}
    for referral, action, body in ((contacted, "contact-attempts", attempt), (declined, "decline", decline)):
        answer = post(f"{base}/{referral}/{action}", body, key(), caseworker)
        assert answer.status_code == 201, answer.text

    rows, overdue = wait_for(lambda: queue(platform, caseworker, partner, "2018-09-11"),
                             lambda found: len(found[0]) == 2 and found[1] == 1, what="the queue in reporting")
    assert rows == [
        {"referral_id": waiting, "partner_id": partner, "received_on": "2018-09-03", "first_contact_due": "2018-09-10",
         "overdue": True},
        {"referral_id": later, "partner_id": partner, "received_on": "2018-09-06", "first_contact_due": "2018-09-13",
         "overdue": False}]
    # as of an earlier day: the contacted and the declined referrals were still waiting, nothing overdue yet
    earlier, none = queue(platform, caseworker, partner, "2018-09-04")
    assert sorted(r["referral_id"] for r in earlier) == sorted([waiting, declined])
    assert none is None and not any(r["overdue"] for r in earlier)
    on_the_due_day, _ = queue(platform, caseworker, partner, "2018-09-10")
    assert [r["overdue"] for r in on_the_due_day] == [False, False]  # due on the day is not yet overdue
    assert get(platform.url("reporting", "/reports/awaiting-contact"), credentials(partner, "referrer")).status_code \
        == 403
    text = get(platform.url("reporting", "/reports/awaiting-contact"), caseworker, params={"as_of": "2018-09-11"}).text
    assert "full_name" not in text and "client_id" not in text  # ids and dates only
