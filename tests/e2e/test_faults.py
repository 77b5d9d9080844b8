"""Fault injection under a steady load of posts: the broker, the database and each service fail, a consumer dies
between its commit and its acknowledgement, messages arrive twice and out of order. After each fault, once the
platform is quiescent: every accepted post is stored exactly once, every integration event reached reporting,
the read models equal a clean rebuild and the outcome ledger equals a from-scratch replay (tests/support/faults.py).

One platform of its own for the module (a vhost and databases of its own). ``FAULT_SOAK=N`` loads N times longer
around each fault (docs/scaling.md).
"""
from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess

import pytest
from kombu import Connection, Producer

from chassis import bus
from tests.support.faults import (SOAK, Load, actors, integration_events, outcomes, own_platform, problems, query,
                                  restart, wait_quiescent)
from tests.support.waiting import wait_for

pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    with own_platform(str(tmp_path_factory.mktemp("fault-logs"))) as running:
        yield running


@pytest.fixture(scope="module")
def who(platform):
    return actors(platform)


def settle(platform, load: Load) -> None:
    """Completes the load, waits for quiescence and asserts every check."""
    load.finish()
    wait_quiescent(platform)
    found = problems(platform, load)
    assert not found, "\n".join(found)


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


@pytest.mark.skipif(shutil.which("rabbitmqctl") is None, reason="needs the local RabbitMQ's rabbitmqctl")
def test_rabbitmq_stopped_and_started_under_load(platform, who):
    with Load(platform, who) as load:
        load.posted(30 * SOAK, "posts before the broker stops")
        try:
            rabbitmqctl("stop_app")
            load.posted(15 * SOAK, "posts accepted while the broker is down")
        finally:
            rabbitmqctl("start_app")
            rabbitmqctl("await_startup")
        load.posted(30 * SOAK, "posts after the broker is back")
        settle(platform, load)
    assert outcomes(platform) > 0  # the ledger has outcomes to compare
