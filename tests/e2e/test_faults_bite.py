"""The fault tests bite: with one reliability mechanism switched off (chassis.unsafe, test-only), the same kind of
fault that test_faults.py survives makes its checks fail. Each proof runs on a platform of its own (a broken one
is thrown away), under a short load.
"""
from __future__ import annotations

import shutil
import signal

import pytest
import requests

from tests.support.faults import (
    Load,
    actors,
    log_chain,
    own_platform,
    problems,
    query,
    relay_position,
    republish,
    restart,
    vhost_outage,
    wait_delivered,
    wait_quiescent,
)
from tests.support.waiting import metric, wait_for

pytestmark = pytest.mark.faults


def processed(platform, upstream: str) -> float:
    text = requests.get(platform.url("reporting", "/metrics"), timeout=10).text
    return metric(text, "useit_consumer_processed_total", upstream=upstream, outcome="processed")


def reporting_position(platform, upstream: str) -> int:
    rows = query(platform, "reporting", "SELECT notification_id FROM reporting_tracking WHERE application_name = %s",
                 (upstream,))
    return int(rows[0][0]) if rows else 0


def test_without_dedupe_a_duplicated_message_is_applied_twice_and_the_checks_fail(tmp_path):
    with own_platform(str(tmp_path), CHASSIS_UNSAFE="dedupe") as platform:
        with Load(platform, actors(platform), journeys=3) as load:
            load.posted(15, "some posts")
            load.finish()
        wait_quiescent(platform)
        assert not problems(platform, load, ledger=False), "consistent before the duplicates"
        chain = log_chain(platform, "enterprises")
        before = processed(platform, "enterprises")
        republish(platform, "enterprises", chain[-3:])  # three enterprise registrations, delivered again
        wait_for(lambda: processed(platform, "enterprises"), lambda n: n >= before + 3, what="the copies processed")
        found = problems(platform, load, ledger=False)
    assert any("processed" in line and "enterprises messages" in line for line in found), found


def test_without_gap_filling_messages_out_of_order_are_lost_and_the_checks_fail(tmp_path):
    with own_platform(str(tmp_path), CHASSIS_UNSAFE="gapfill") as platform:
        with Load(platform, actors(platform), journeys=3) as load:
            load.posted(10, "posts before")
            platform.kill("referrals", signal.SIGKILL)
            restart(platform, "referrals", RELAY="off")
            _, published = relay_position(platform, "referrals")
            load.posted(10, "posts held back by the relay")
            fresh = [m for m in log_chain(platform, "referrals") if m["id"] > published]
            republish(platform, "referrals", fresh[::-1])  # the newest first
            wait_for(lambda: reporting_position(platform, "referrals"), lambda n: n >= fresh[-1]["id"],
                     what="reporting to take the reversed messages")
            platform.kill("referrals", signal.SIGKILL)
            restart(platform, "referrals")
        wait_delivered(platform)
        found = problems(platform, load, ledger=False)
    assert any("never reached reporting" in line for line in found), found


@pytest.mark.skipif(shutil.which("rabbitmqctl") is None, reason="needs the local RabbitMQ's rabbitmqctl")
def test_without_the_outbox_a_broker_outage_loses_events_and_the_checks_fail(tmp_path):
    """Gap filling is off too: with it on, a consumer pulls what the relay dropped from the upstream's log (the
    log is the truth), which hides a lost message; the two together are what an outage defeats. The outage is
    this platform's vhost only (test_faults.py stops the whole broker)."""
    with own_platform(str(tmp_path), CHASSIS_UNSAFE="outbox,gapfill") as platform:
        with Load(platform, actors(platform), journeys=3) as load:
            load.posted(10, "posts before")
            with vhost_outage(platform):
                load.posted(10, "posts accepted while the broker is out of reach")
            load.posted(10, "posts after")
        wait_delivered(platform)
        found = problems(platform, load, ledger=False)
    lost = ("never reached reporting", "differ from a clean rebuild")  # whichever service's events were dropped
    assert any(sign in line for line in found for sign in lost), found
