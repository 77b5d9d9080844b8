"""A message no consumer can read goes to the consumer's dead-letter queue, is counted, and can be listed."""
from __future__ import annotations

import subprocess
import sys

import requests
from kombu import Connection, Producer

from chassis import bus
from tests.support.waiting import metric, wait_for


def test_an_unreadable_message_is_dead_lettered_and_counted(platform):
    def dead() -> float:
        return metric(requests.get(platform.url("reporting", "/metrics"), timeout=10).text,
                      "useit_dead_letters_total", upstream="referrals")

    def waiting() -> float:  # measured at scrape time from the dead-letter queue itself
        return metric(requests.get(platform.url("reporting", "/metrics"), timeout=10).text,
                      "useit_dead_letter_queue_messages")

    before, waiting_before = dead(), waiting()
    with Connection(platform.env["AMQP_URI"]) as connection:
        producer = Producer(connection.channel())
        producer.publish("{not json", exchange=bus.events_exchange(), routing_key="referrals.client_referred_v1",
                         content_type="application/json", headers={bus.UPSTREAM: "referrals"})
        producer.publish('{"event_type": "client_referred_v1"}', exchange=bus.events_exchange(),
                         routing_key="referrals.client_referred_v1", content_type="application/json")
    wait_for(dead, lambda count: count >= before + 2, what="the dead-letter count")
    wait_for(waiting, lambda count: count >= waiting_before + 2, what="the dead-letter queue depth")

    listing = subprocess.run([sys.executable, "-m", "chassis.deadletters", "reporting", "--drop"],
                             env=platform.env, capture_output=True, text=True, timeout=60)
    assert listing.returncode == 0, listing.stderr
    assert "undecodable body" in listing.stdout and "not an integration event" in listing.stdout
    wait_for(waiting, lambda count: count < waiting_before + 2, what="the emptied dead-letter queue")
    again = subprocess.run([sys.executable, "-m", "chassis.deadletters", "reporting"],
                           env=platform.env, capture_output=True, text=True, timeout=60)
    assert again.stderr.strip().startswith("0 dead letters")
