"""A referral posted over HTTP travels referrals -> RabbitMQ -> pathways -> reporting, exactly once."""
from __future__ import annotations

import json
import uuid

import psycopg
import pytest
import requests
from kombu import Connection, Producer

from chassis import bus
from tests.support.waiting import form, get, key, metric, now_iso, post, wait_for

READER = ""


@pytest.fixture(autouse=True)
def reader(credentials):
    global READER
    READER = credentials("programme-office", "auditor")


def refer(platform, credentials, partner: str, idempotency_key: str | None = None, body: dict | None = None) -> dict:
    response = post(platform.url("referrals", "/referrals"), body or form(partner),
                    idempotency_key or key(), credentials(partner, "referrer"))
    assert response.status_code == 201, response.text
    return response.json()


def accept(platform, caseworker: str, referral_id: str, entry_point: str = "E-B", regulator: str = "GMC") -> dict:
    from launcher.demo import enrol

    return enrol(platform, referral_id, caseworker, entry_point, regulator, now_iso(), key())


def partner_row(platform, partner: str) -> dict:
    rows = get(platform.url("reporting", "/reports/referrals-by-partner"), READER).json()["rows"]
    return next((row for row in rows if row["partner_id"] == partner), {"referred": 0, "accepted": 0})


def reporting_metric(platform, name: str, **labels: str) -> float:
    return metric(requests.get(platform.url("reporting", "/metrics"), timeout=10).text, name, **labels)


def test_an_accepted_referral_opens_a_pathway_and_is_counted_by_partner(platform, credentials, caseworker):
    partner = f"partner-{uuid.uuid4().hex[:8]}"
    referral = refer(platform, credentials, partner)
    client = accept(platform, caseworker, referral["referral_id"], entry_point="E-C", regulator="NMC")["client_id"]

    pathways = wait_for(lambda: get(platform.url("pathways", f"/clients/{client}/pathways"),
                                    caseworker).json()["pathways"], what="a pathway")
    assert [(p["regulator"], p["entry_point"]) for p in pathways] == [("NMC", "E-C")]
    assert wait_for(lambda: partner_row(platform, partner), lambda row: row["accepted"] == 1,
                    what="the acceptance in reporting") == {"partner_id": partner, "referred": 1, "accepted": 1,
                                                           "accepted_by_entry_point": {"E-C": 1}}


def test_the_same_post_repeated_with_its_idempotency_key_is_stored_once(platform, credentials):
    partner = f"partner-{uuid.uuid4().hex[:8]}"
    same_key, body = key(), form(partner)
    first = refer(platform, credentials, partner, same_key, body)
    again = refer(platform, credentials, partner, same_key, body)
    assert again == first
    reused = post(platform.url("referrals", "/referrals"),
                  form(partner, "nurse"), same_key,
                  credentials(partner, "referrer"))
    assert reused.status_code == 409 and reused.json()["rule"] == "idempotency_key_reused"

    refer(platform, credentials, partner)  # a marker behind the retries in the same log
    wait_for(lambda: partner_row(platform, partner), lambda row: row["referred"] >= 2, what="the marker")
    assert partner_row(platform, partner)["referred"] == 2


def test_a_message_delivered_twice_is_counted_once(platform, credentials):
    partner = f"partner-{uuid.uuid4().hex[:8]}"
    refer(platform, credentials, partner)
    wait_for(lambda: partner_row(platform, partner), lambda row: row["referred"] == 1, what="the referral")
    duplicates_before = reporting_metric(platform, "useit_consumer_processed_total", upstream="referrals",
                                         outcome="duplicate")

    copy = relayed_message(platform, partner)
    with Connection(platform.env["AMQP_URI"]) as connection:
        producer = Producer(connection.channel())
        for _ in range(2):
            producer.publish(json.dumps(copy["body"]), exchange=bus.events_exchange(),
                             routing_key=f"referrals.{copy['body']['event_type']}", content_type="application/json",
                             headers={bus.NOTIFICATION_ID: copy["notification_id"], bus.PREVIOUS_ID: 0,
                                      bus.UPSTREAM: "referrals"})

    wait_for(lambda: reporting_metric(platform, "useit_consumer_processed_total", upstream="referrals",
                                      outcome="duplicate"), lambda value: value >= duplicates_before + 2,
             what="both copies to be seen as duplicates")
    assert partner_row(platform, partner)["referred"] == 1


def relayed_message(platform, partner: str) -> dict:
    """The integration event the relay published for this partner, read back from the referrals log."""
    from nameko.standalone.rpc import ClusterRpcProxy

    with ClusterRpcProxy({"AMQP_URI": platform.env["AMQP_URI"]}) as rpc:
        after = 0
        while True:
            page = rpc.referrals.integration_events(after, None, 1000)
            for item in page["items"]:
                if item["body"].get("partner_id") == partner:
                    return item
            if page["scanned_to"] <= after:
                raise AssertionError("the referral is not in the referrals log")
            after = page["scanned_to"]


def notification_id(platform, aggregate_id: str) -> int:
    from chassis import config

    with psycopg.connect(config.postgres_conninfo(config.database_name("referrals", platform.env))) as connection:
        row = connection.execute("SELECT notification_id FROM referrals_events WHERE originator_id = %s",
                                 (aggregate_id,)).fetchone()
    return int(row[0])


def relayed_up_to(platform) -> float:
    text = requests.get(platform.url("referrals", "/metrics"), timeout=10).text
    return metric(text, "useit_relay_position") if metric(text, "useit_relay_leader") == 1 else 0.0


def test_a_message_that_never_arrived_is_pulled_from_the_upstream_log(platform, credentials):
    partner = f"partner-{uuid.uuid4().hex[:8]}"
    queue = bus.consumer_queue("reporting", "referrals")
    fills_before = reporting_metric(platform, "useit_consumer_gap_fills_total", upstream="referrals")
    with Connection(platform.env["AMQP_URI"]) as connection:
        channel = connection.channel()
        channel.queue_unbind(queue.name, bus.exchange_name(), "referrals.#")
        try:
            missed = refer(platform, credentials, partner)
            position = notification_id(platform, missed["referral_id"])
            wait_for(lambda: relayed_up_to(platform), lambda relayed: relayed >= position,
                     what="the relay to publish it")
        finally:
            channel.queue_bind(queue.name, bus.exchange_name(), "referrals.#")
    refer(platform, credentials, partner)

    wait_for(lambda: partner_row(platform, partner), lambda row: row["referred"] == 2,
             what="the missed referral to be pulled in")
    assert reporting_metric(platform, "useit_consumer_gap_fills_total", upstream="referrals") > fills_before
    assert missed["referral_id"]


def test_an_enterprise_registration_reaches_reporting(platform, credentials):
    def registered(form: str) -> int:
        rows = get(platform.url("reporting", "/reports/summary"), READER).json()
        return sum(r["registered"] for r in rows["enterprises_by_legal_form"] if r["legal_form"] == form)

    before = registered("sole_trader")
    response = post(platform.url("enterprises", "/enterprises"),
                    {"legal_form": "sole_trader", "registered_on": "2024-02-01", "occurred_at": now_iso()}, key(),
                    credentials("ise", "enterprise_staff"))
    assert response.status_code == 201, response.text
    wait_for(lambda: registered("sole_trader"), lambda count: count == before + 1, what="the enterprise count")
