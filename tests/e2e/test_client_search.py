"""Finding clients over the real referrals service: by every kind of identifier, through the blind index only;
nothing found for another name, nothing after erasure, nothing for a referrer; each search a recorded read."""
from __future__ import annotations

import os
import random
import string
import uuid

from tests.support.waiting import form, get, key, now_iso, post


def unique_name() -> str:
    letters = "".join(random.choice(string.ascii_lowercase) for _ in range(10))
    return f"Adaeze {letters.title()}"


def search(platform, credential: str, **criteria) -> list[dict]:
    answer = post(platform.url("referrals", "/clients/search"), criteria, credential=credential)
    assert answer.status_code == 200, answer.text
    return answer.json()["clients"]


def refer(platform, credentials, caseworker: str, body: dict) -> dict:
    answer = post(platform.url("referrals", "/referrals"), body, key(), credentials(body["partner_id"], "referrer"))
    assert answer.status_code == 201, answer.text
    return get(platform.url("referrals", f"/referrals/{answer.json()['referral_id']}"), caseworker).json()


def test_a_client_is_found_by_every_kind_and_by_nothing_else(platform, credentials, caseworker):
    partner = f"partner-{uuid.uuid4().hex[:6]}"
    reference = f"LW/{uuid.uuid4().hex[:12]}"
    body = form(partner, external_reference=reference)
    body["person"]["full_name"] = unique_name()
    person = body["person"]
    first = refer(platform, credentials, caseworker, body)
    again_body = form(f"partner-{uuid.uuid4().hex[:6]}")  # another partner refers the same person (same NI)
    again_body["person"]["ni_number"] = person["ni_number"]
    again = refer(platform, credentials, caseworker, again_body)
    assert again["client_id"] == first["client_id"]
    referrals = sorted([first["referral_id"], again["referral_id"]])

    for criteria, kind in (({"ni_number": person["ni_number"]}, "ni_number"), ({"mobile": person["mobile"]}, "mobile"),
                           ({"email": person["email"]}, "email"), ({"full_name": person["full_name"]}, "full_name"),
                           ({"external_reference": reference, "partner_id": partner}, "external_reference")):
        found = search(platform, caseworker, **criteria)
        assert found == [{"client_id": first["client_id"], "matched_on": [kind], "referral_ids": referrals}], kind
    by_name_and_birth = search(platform, caseworker, full_name=person["full_name"].upper(),
                               date_of_birth=person["date_of_birth"])
    assert by_name_and_birth[0]["client_id"] == first["client_id"]
    assert by_name_and_birth[0]["matched_on"] == ["name_dob", "full_name"]
    assert search(platform, caseworker, full_name=unique_name()) == []
    assert search(platform, caseworker, external_reference=reference, partner_id="another-partner") == []

    # the answer carries ids and kinds only: none of what was searched for
    answer = post(platform.url("referrals", "/clients/search"), {"email": person["email"]}, credential=caseworker)
    assert person["email"] not in answer.text and person["full_name"] not in answer.text

    corrected = post(platform.url("referrals", f"/referrals/{first['referral_id']}/corrections"),
                     {"person": {"full_name": unique_name()}, "occurred_at": now_iso()}, key(), caseworker)
    assert corrected.status_code == 201, corrected.text
    new_name = get(platform.url("referrals", f"/referrals/{first['referral_id']}"), caseworker).json()
    new_name = new_name["personal"]["person"]["full_name"]
    assert [c["client_id"] for c in search(platform, caseworker, full_name=new_name)] == [first["client_id"]]
    assert search(platform, caseworker, full_name=person["full_name"]) == []  # the corrected name no longer finds


def test_an_erased_client_is_found_by_nothing(platform, credentials, caseworker):
    partner = f"partner-{uuid.uuid4().hex[:6]}"
    reference = f"LW/{uuid.uuid4().hex[:12]}"
    body = form(partner, external_reference=reference)
    body["person"]["full_name"] = unique_name()
    person = body["person"]
    referral = refer(platform, credentials, caseworker, body)
    assert search(platform, caseworker, full_name=person["full_name"])[0]["client_id"] == referral["client_id"]
    erased = post(platform.url("referrals", f"/referrals/{referral['referral_id']}/erasure"),
                  {"decision": "erase", "ground": "the client asked", "requested_on": now_iso()[:10]}, key(),
                  caseworker)
    assert erased.status_code == 201, erased.text
    for criteria in ({"ni_number": person["ni_number"]}, {"mobile": person["mobile"]}, {"email": person["email"]},
                     {"full_name": person["full_name"]},
                     {"full_name": person["full_name"], "date_of_birth": person["date_of_birth"]},
                     {"external_reference": reference, "partner_id": partner}):
        assert search(platform, caseworker, **criteria) == [], criteria


def test_only_the_hub_searches_and_each_search_is_a_recorded_read(platform, credentials, caseworker):
    url = platform.url("referrals", "/clients/search")
    referrer = credentials(f"partner-{uuid.uuid4().hex[:6]}", "referrer")
    refused = post(url, {"full_name": unique_name()}, credential=referrer)
    assert refused.status_code == 403
    assert post(url, {"full_name": unique_name()}).status_code == 401
    nothing = post(url, {}, credential=caseworker)
    assert nothing.status_code == 422 and "_schema" in nothing.json()["fields"]
    alone = post(url, {"date_of_birth": "1980-01-01"}, credential=caseworker)
    assert alone.status_code == 422 and "full_name" in alone.json()["fields"]

    auditor = credentials("audit-office", "auditor")
    since = now_iso()
    searched = unique_name()
    assert post(url, {"full_name": searched}, credential=credentials("programme-office", "admin")).status_code == 200
    reads = get(platform.url("referrals", "/audit/reads"), auditor, params={"since": since}).json()["reads"]
    assert any(r["what"] == "/clients/search" and r["kind"] == "case" for r in reads), reads
    # what was searched for reaches no log line of any service (nor any metric: routes are templates)
    for name in os.listdir(platform.log_dir):
        with open(os.path.join(platform.log_dir, name), "rb") as handle:
            assert searched.encode() not in handle.read(), name
