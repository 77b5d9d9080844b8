"""The test-only reliability switches refuse to run outside a test session; the queue type is configurable."""
from __future__ import annotations

import pytest

from chassis import bus, unsafe

TEST_SESSION = {"DB_PREFIX": "t0123abcd_", "AMQP_URI": "amqp://guest:guest@127.0.0.1:5672/test_0123456789"}


def test_a_service_with_a_switch_on_refuses_to_start_against_production_names(monkeypatch):
    monkeypatch.setenv("CHASSIS_UNSAFE", "dedupe")
    with pytest.raises(unsafe.UnsafeOutsideTests):
        unsafe.refuse_outside_tests({"DB_PREFIX": "useit_", "AMQP_URI": "amqp://guest:guest@rabbit:5672/"})
    with pytest.raises(unsafe.UnsafeOutsideTests):
        unsafe.refuse_outside_tests({**TEST_SESSION, "AMQP_URI": "amqp://guest:guest@rabbit:5672/useit"})
    unsafe.refuse_outside_tests(TEST_SESSION)  # a test session's databases and vhost
    assert unsafe.enabled("dedupe") and not unsafe.enabled("gapfill")


def test_no_switch_means_nothing_is_checked_and_nothing_is_off(monkeypatch):
    monkeypatch.delenv("CHASSIS_UNSAFE", raising=False)
    unsafe.refuse_outside_tests({"DB_PREFIX": "useit_"})
    assert not any(unsafe.enabled(name) for name in unsafe.SWITCHES)
    unsafe.crash_point()  # does nothing


def test_an_unknown_switch_is_refused(monkeypatch):
    monkeypatch.setenv("CHASSIS_UNSAFE", "dedupe,everything")
    with pytest.raises(unsafe.UnsafeOutsideTests):
        unsafe.enabled("dedupe")


def test_queues_are_classic_unless_quorum_is_asked_for(monkeypatch):
    monkeypatch.delenv("BUS_QUEUE_TYPE", raising=False)
    assert bus.consumer_queue("reporting", "pathways").queue_arguments is None
    monkeypatch.setenv("BUS_QUEUE_TYPE", "quorum")
    assert bus.consumer_queue("reporting", "pathways").queue_arguments == {"x-queue-type": "quorum"}
    assert bus.dead_letter_queue("reporting").queue_arguments == {"x-queue-type": "quorum"}
    monkeypatch.setenv("BUS_QUEUE_TYPE", "mirrored")
    with pytest.raises(ValueError):
        bus.queue_arguments()
