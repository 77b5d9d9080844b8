"""Two instances of a service: one relay and one log follower are active; when their instance dies, the other
takes both over."""
from __future__ import annotations

import signal
import subprocess
import sys
import uuid

import requests

from tests.support.fixtures import free_port
from tests.support.waiting import form, get, key, metric, post, wait_for


def leader(port: int) -> float:
    return metric(requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text, "useit_relay_leader")


def test_one_relay_is_active_and_a_survivor_takes_over(platform, credentials, tmp_path):
    port = free_port()
    env = {**platform.env, "REFERRALS_HTTP_PORT": str(port)}
    log = open(tmp_path / "second-referrals.log", "w")  # the survivor's log, for a failure's message
    second = subprocess.Popen([sys.executable, "-m", "chassis.serve", "referrals.service:ReferralsService"],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: requests.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code, lambda s: s == 200,
                 what="the second instance")
        first_port = platform.ports["referrals"]
        wait_for(lambda: leader(port) + leader(first_port), lambda n: n == 1, what="exactly one leader")
        assert leader(first_port) == 1  # the first instance took the lease first and keeps it

        partner = f"partner-{uuid.uuid4().hex[:8]}"
        referrer = credentials(partner, "referrer")  # onboarded while the first instance still answers
        platform.kill("referrals", signal.SIGKILL)
        wait_for(lambda: leader(port), lambda n: n == 1, what="the survivor to take the lease")
        answer = post(f"http://127.0.0.1:{port}/referrals",
                      form(partner, "nurse"), key(), referrer)
        assert answer.status_code == 201, (tmp_path / "second-referrals.log").read_text()[-3000:]

        def referred() -> int:
            rows = get(platform.url("reporting", "/reports/referrals-by-partner"),
                       credentials("programme-office", "auditor")).json()["rows"]
            return next((r["referred"] for r in rows if r["partner_id"] == partner), 0)

        wait_for(referred, lambda n: n == 1, what="the survivor's relay to deliver")

        def chain() -> dict:
            return get(f"http://127.0.0.1:{port}/audit/chain", credentials("audit-office", "auditor")).json()

        # the survivor's log follower chains every event, the new referral's too, with no finding: one follower
        # ran at a time (two would have raced on the chain's rows), and the lease passed on with the relay's
        wait_for(chain, lambda c: c["events"] > 0 and c["chained"] == c["events"] and c["findings"] == [],
                 what="the survivor's follower to chain the new events")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
        log.close()
        if "referrals" not in platform.processes:
            platform.start(["referrals"])
