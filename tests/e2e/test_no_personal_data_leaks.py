"""A full scenario leaves no name, NI number, email or phone number in logs, metrics or messages."""
from __future__ import annotations

import glob
import json
import os
import uuid

import requests
from kombu import Connection, Queue

from chassis import bus
from launcher.services import SERVICES
from tests.support.waiting import form, get, key, post, wait_for


def test_logs_metrics_and_messages_carry_no_personal_data(platform, credentials, caseworker):
    tap = Queue(f"test.tap.{uuid.uuid4().hex[:6]}", bus.events_exchange(), routing_key="#", auto_delete=True)
    partner = f"partner-{uuid.uuid4().hex[:8]}"
    referrer = credentials(partner, "referrer")
    secrets: list[str] = []
    with Connection(platform.env["AMQP_URI"]) as connection:
        channel = connection.channel()
        tap(channel).declare()
        referral_ids = []
        for _ in range(3):
            body = form(partner, "doctor")
            person = body["person"]
            secrets += [person["full_name"], person["email"], person["ni_number"], person["mobile"],
                        person["address"]["lines"][0]]
            referral_ids.append(post(platform.url("referrals", "/referrals"), body, key(), referrer).json())
        bad = form(partner)
        bad["person"]["mobile"] = "not a phone"
        secrets.append(bad["person"]["full_name"])
        answer = post(platform.url("referrals", "/referrals"), bad, key(), referrer)
        assert answer.status_code == 422 and bad["person"]["full_name"] not in answer.text
        first = referral_ids[0]
        from launcher.demo import enrol

        client = enrol(platform, first["referral_id"], caseworker, "E-A", "GMC", "2018-09-10T10:00:00+00:00",
                       key())["client_id"]
        get(platform.url("referrals", f"/referrals/{first['referral_id']}"), caseworker)
        post(platform.url("referrals", f"/referrals/{referral_ids[1]['referral_id']}/erasure"),
             {"decision": "erase", "ground": "asked", "requested_on": "2018-10-01"}, key(), caseworker)
        wait_for(lambda: get(platform.url("pathways", f"/clients/{client}/pathways"), caseworker).json(),
                 lambda v: v["pathways"], what="the pathway")

        messages: list[str] = []
        bound = tap(channel)

        def drained() -> int:
            while (message := bound.get(no_ack=True)) is not None:
                messages.append(json.dumps({"routing_key": message.delivery_info["routing_key"],
                                            "headers": message.headers, "body": str(message.body)}))
            return len(messages)

        # referred x3, contacted, consent, accepted, erased, pathway opened (relayed a moment after the posts)
        wait_for(drained, lambda count: count >= 8, what="the scenario's messages")

    metrics = "\n".join(requests.get(platform.url(spec.name, "/metrics"), timeout=10).text for spec in SERVICES)
    logs = "\n".join(open(path, errors="replace").read() for path in glob.glob(os.path.join(platform.log_dir, "*.log")))
    assert logs and metrics
    for place, text in (("messages", "\n".join(messages)), ("metrics", metrics), ("logs", logs)):
        leaked = [secret for secret in secrets if secret in text]
        assert leaked == [], f"personal data in {place}: {leaked}"
