"""Fault injection under a steady load of posts: the broker, the database and each service fail, a consumer dies
between its commit and its acknowledgement, messages arrive twice and out of order. After each fault, once the
platform is quiescent: every accepted post is stored exactly once, every integration event reached reporting,
the read models equal a clean rebuild and the outcome ledger equals a from-scratch replay (tests/support/faults.py).

One platform of its own for the module (a vhost and databases of its own), its queues quorum queues. ``FAULT_SOAK=N``
loads N times longer
around each fault (docs/scaling.md).
"""
from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests.support.faults import (
    SOAK,
    Load,
    actors,
    log_chain,
    outcomes,
    own_platform,
    problems,
    query,
    relay_position,
    republish,
    restart,
    run,
    spawn,
    wait_quiescent,
)
from tests.support.fixtures import free_port
from tests.support.waiting import metric, wait_for

pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    # Quorum queues (what a RabbitMQ cluster runs: docs/scaling.md), here on the single local node.
    with own_platform(str(tmp_path_factory.mktemp("fault-logs")), BUS_QUEUE_TYPE="quorum") as running:
        yield running


@pytest.fixture(scope="module")
def who(platform):
    return actors(platform)


def settle(platform, load: Load) -> None:
    """Completes the load, waits for quiescence and asserts every check."""
    started = time.monotonic()
    load.finish()
    finished = time.monotonic()
    wait_quiescent(platform)
    quiet = time.monotonic()
    found = problems(platform, load)
    print(f"posts {len(load.accepted)} retried {load.retries}; finish {finished - started:.1f} s, quiescence"
          f" {quiet - finished:.1f} s, checks {time.monotonic() - quiet:.1f} s")
    assert not found, "\n".join(found)


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


@pytest.mark.skipif(shutil.which("rabbitmqctl") is None, reason="needs the local RabbitMQ's rabbitmqctl")
def test_rabbitmq_stopped_and_started_under_load(platform, who):
    with Load(platform, who) as load:
        load.posted(20 * SOAK, "posts before the broker stops")
        try:
            rabbitmqctl("stop_app")
            load.posted(10 * SOAK, "posts accepted while the broker is down")
        finally:
            rabbitmqctl("start_app")
            rabbitmqctl("await_startup")
        load.posted(20 * SOAK, "posts after the broker is back")
        settle(platform, load)
    assert outcomes(platform) > 0  # the ledger has outcomes to compare


def health(platform, service: str) -> int:
    try:
        return requests.get(platform.url(service, "/health"), timeout=3).status_code
    except requests.RequestException:
        return 0  # no answer in time: waiting for the database


def pg_ctlcluster(action: str) -> None:
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", action], check=True,
                   capture_output=True, timeout=120)


@pytest.mark.skipif(shutil.which("pg_ctlcluster") is None, reason="needs the local PostgreSQL's pg_ctlcluster")
def test_postgresql_restarted_under_load(platform, who):
    with Load(platform, who) as load:
        load.posted(20 * SOAK, "posts before the database stops")
        refused = load.retries
        try:
            pg_ctlcluster("stop")
            wait_for(lambda: health(platform, "referrals"), lambda status: status != 200,
                     what="the database to be missed")
            wait_for(lambda: load.retries, lambda n: n > refused, timeout=60, what="a post refused by the outage")
        finally:
            pg_ctlcluster("start")
        load.posted(20 * SOAK, "posts after the database is back")
        settle(platform, load)


@pytest.mark.parametrize("service", ["referrals", "pathways", "enterprises", "reporting"])
def test_a_service_killed_and_restarted_under_load(platform, who, service):
    with Load(platform, who) as load:
        load.posted(15 * SOAK, "posts before the kill")
        platform.kill(service, signal.SIGKILL)
        answered = sum(load.answers.values())
        wait_for(lambda: sum(load.answers.values()), lambda n: n >= answered + 10, what="posts while it is down")
        restart(platform, service)
        load.posted(15 * SOAK, "posts after the restart")
        settle(platform, load)


def test_a_consumer_killed_after_its_commit_before_its_ack_changes_nothing_when_redelivered(platform, who):
    with Load(platform, who) as load:
        load.posted(10, "posts before")
        platform.kill("reporting", signal.SIGKILL)
        spawn(platform, "reporting", CHASSIS_UNSAFE="crash-after-commit", CHASSIS_CRASH_AFTER=str(15 * SOAK))
        crashed = wait_for(lambda: platform.processes["reporting"].poll(), lambda code: code is not None, timeout=60,
                           what="the consumer to crash after a commit")
        assert crashed == 70  # the test-only crash point, not anything else
        platform.processes.pop("reporting")
        restart(platform, "reporting")
        load.posted(20 * SOAK, "posts after the restart")
        settle(platform, load)


def test_messages_duplicated_and_reordered_change_nothing(platform, who):
    with Load(platform, who) as load:
        load.posted(20 * SOAK, "posts before")
        platform.kill("referrals", signal.SIGKILL)
        restart(platform, "referrals", RELAY="off")  # what referrals stores now is not relayed...
        _, published = relay_position(platform, "referrals")
        load.posted(25 * SOAK, "posts held back by the relay")
        chain = log_chain(platform, "referrals")
        fresh = [m for m in chain if m["id"] > published]
        assert fresh, "the load stored integration events the relay held back"
        shuffled = fresh + random.sample(chain, k=min(len(chain), 40))  # ...so we deliver them, shuffled and twice
        random.shuffle(shuffled)
        republish(platform, "referrals", shuffled)
        wait_for(lambda: query(platform, "reporting", "SELECT notification_id FROM reporting_tracking"
                                                      " WHERE application_name = 'referrals'")[0][0],
                 lambda n: n >= fresh[-1]["id"], what="reporting to take the shuffled messages")
        platform.kill("referrals", signal.SIGKILL)
        restart(platform, "referrals")  # the relay publishes the held-back events: duplicates by now
        load.posted(10 * SOAK, "posts after")
        settle(platform, load)


def scrape(url: str, name: str, **labels: str) -> float:
    return metric(requests.get(f"{url}/metrics", timeout=10).text, name, **labels)


def test_two_instances_of_pathways_share_the_work_with_one_relay(platform, who, tmp_path):
    port = free_port()
    with open(tmp_path / "pathways-2.log", "ab") as log:
        second = subprocess.Popen([sys.executable, "-m", "chassis.serve", "pathways.service:PathwaysService"],
                                  env={**platform.env, "PATHWAYS_HTTP_PORT": str(port)}, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    urls = [platform.url("pathways"), f"http://127.0.0.1:{port}"]
    try:
        wait_for(lambda: health(platform, "pathways") == 200 and requests.get(f"{urls[1]}/health", timeout=3).ok,
                 what="the second pathways instance")
        before = [scrape(url, "useit_consumer_processed_total", upstream="referrals", outcome="processed")
                  for url in urls]
        with Load(platform, who, journeys=8, pathways_urls=urls) as load:  # steps posted to both instances
            load.posted(40 * SOAK, "posts to both instances")
            settle(platform, load)
        assert sorted(scrape(url, "useit_relay_leader") for url in urls) == [0, 1]  # one relay
        after = [scrape(url, "useit_consumer_processed_total", upstream="referrals", outcome="processed")
                 for url in urls]
        assert all(a > b for a, b in zip(after, before, strict=True)), f"both instances consume: {before} -> {after}"
        accepted = query(platform, "referrals", "SELECT COUNT(*) FROM referrals_events WHERE topic LIKE %s",
                         ("%Referral.Accepted",))[0][0]
        opened = query(platform, "pathways", "SELECT COUNT(*) FROM pathways_events WHERE topic LIKE %s",
                       ("%Pathway.Opened",))[0][0]
        assert opened == accepted  # every acceptance opened exactly one pathway, whichever instance took it
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)


def test_read_models_rebuilt_in_place_under_load_miss_nothing(platform, who):
    """Reporting's rebuild (in the running service) and a reset of pathways' caseload, while deliveries and the
    relay keep applying events: each takes turns with them (the two races the fault tests found)."""
    from chassis.application import build_application
    from pathways.application import Pathways
    from pathways.caseload import CASELOAD

    with Load(platform, who) as load:
        load.posted(10 * SOAK, "posts before the rebuilds")
        rebuilt = run(platform, "reporting.readmodels.rebuild")
        assert rebuilt.returncode == 0 and "rebuilt" in rebuilt.stdout, rebuilt.stdout + rebuilt.stderr
        app = build_application(Pathways, platform.env)
        try:
            CASELOAD.reset(app)  # the log follower of the running pathways service rebuilds it
        finally:
            app.close()
        load.posted(10 * SOAK, "posts after the rebuilds")
        settle(platform, load)
