"""RabbitMQ restarted in the middle of a run loses nothing: the outbox holds what the broker could not take."""
from __future__ import annotations

import shutil
import subprocess
import threading
import uuid

import pytest

from tests.support.waiting import form, get, key, post, wait_for

pytestmark = pytest.mark.broker_restart


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


@pytest.mark.skipif(shutil.which("rabbitmqctl") is None, reason="needs the local RabbitMQ's rabbitmqctl")
def test_rabbitmq_restarted_mid_run_loses_nothing(platform, credentials):
    partner = f"partner-{uuid.uuid4().hex[:8]}"
    answers: list[int] = []
    credential = credentials(partner, "referrer")
    reader = credentials("programme-office", "auditor")
    stop = threading.Event()

    def post_steadily() -> None:
        while not stop.is_set() and len(answers) < 400:
            response = post(platform.url("referrals", "/referrals"),
                            form(partner, "nurse"), key(),
                            credential)
            answers.append(response.status_code)
            stop.wait(0.02)

    poster = threading.Thread(target=post_steadily)
    poster.start()
    try:
        wait_for(lambda: len(answers), lambda n: n >= 20, what="posts before the restart")
        rabbitmqctl("stop_app")
        during = len(answers)
        wait_for(lambda: len(answers), lambda n: n >= during + 20, what="posts while the broker is down")
        rabbitmqctl("start_app")
        rabbitmqctl("await_startup")
        after = len(answers)
        wait_for(lambda: len(answers), lambda n: n >= after + 20, what="posts after the restart")
    finally:
        stop.set()
        poster.join()
        rabbitmqctl("start_app")

    assert set(answers) == {201}, "every post is answered and stored, broker or not"

    def referred() -> int:
        rows = get(platform.url("reporting", "/reports/referrals-by-partner"), reader).json()["rows"]
        return next((row["referred"] for row in rows if row["partner_id"] == partner), 0)

    assert wait_for(referred, lambda count: count >= len(answers), timeout=90,
                    what="every referral to reach reporting") == len(answers)
    platform.wait_healthy()
