"""The inbox applies runs of consecutive deliveries in one transaction, on PostgreSQL, without losing or doubling
one: a backlog is applied in runs, a message that breaks its contract is dead-lettered alone, and a run that
overlaps what another instance already processed rolls back and is processed one delivery at a time."""
from __future__ import annotations

from collections.abc import Sequence

import pytest

from chassis.application import ServiceApplication
from chassis.delivery import Delivery, Poison
from chassis.inbox import Inbox
from chassis.sql import Sql
from reporting.application import Reporting
from tests.integration.test_rebuild_turns import log_of, referred
from tests.support.fixtures import scratch_store


@pytest.fixture
def app(pg_env):
    application = scratch_store(pg_env, Reporting, "inboxruns")
    with application.sql() as sql:  # no unique key: a delivery applied twice shows as two rows
        sql.execute("DROP TABLE IF EXISTS inbox_runs_applied")
        sql.execute("CREATE TABLE inbox_runs_applied (notification_id BIGINT NOT NULL, run_size INTEGER NOT NULL)")
        sql.execute(f"DELETE FROM {application.recorder.tracking_table_name} WHERE application_name = 'referrals'")
        sql.execute("DELETE FROM chassis_dead_letters")
    yield application
    application.close()


class Counting:
    """A run handler that writes one row per delivery it applies (and breaks on a body marked poison)."""

    def __init__(self) -> None:
        self.runs: list[int] = []

    def __call__(self, sql: Sql, deliveries: Sequence[Delivery]) -> None:
        self.runs.append(len(deliveries))
        for delivery in deliveries:
            if delivery.body.get("poison"):
                raise Poison("breaks its contract")
            sql.execute("INSERT INTO inbox_runs_applied (notification_id, run_size) VALUES (%s, %s)",
                        (delivery.notification_id, len(deliveries)))


def applied(app: ServiceApplication) -> list[int]:
    return [row[0] for row in app.query("SELECT notification_id FROM inbox_runs_applied ORDER BY notification_id")]


def test_a_backlog_is_applied_in_runs_and_every_delivery_once(app):
    log = [referred(n) for n in range(1, 451)]
    fetch, handler = log_of(log), Counting()
    inbox = Inbox.outside_a_container(app, "reporting")
    inbox.handle(Delivery("referrals", 1, 0, log[0]), fetch, apply_run=handler)
    # the last message arrives: the 448 between were missed, and are pulled from the log in runs
    inbox.handle(Delivery("referrals", 450, 449, log[449]), fetch, apply_run=handler)
    assert applied(app) == list(range(1, 451))  # each once
    assert max(handler.runs) > 1 and len(handler.runs) < 450 / 2
    assert app.position("referrals") == 450
    for n in (1, 200, 450):  # redelivered: duplicates, nothing applied
        inbox.handle(Delivery("referrals", n, n - 1, log[n - 1]), fetch, apply_run=handler)
    assert applied(app) == list(range(1, 451))


def test_the_messages_a_queue_held_are_applied_in_runs_without_asking_the_upstream(app):
    log = [referred(n) for n in range(1, 61)]
    handler = Counting()

    def no_fetch(after: int, upto: int | None, limit: int) -> dict:
        raise AssertionError("nothing was missed: the upstream's log is not needed")

    inbox = Inbox.outside_a_container(app, "reporting")
    held = [Delivery("referrals", n, n - 1, log[n - 1]) for n in range(1, 61)]
    inbox.handle(held[30:] + held[:30] + held[5:9], no_fetch, apply_run=handler)  # any order, some twice
    assert applied(app) == list(range(1, 61)) and handler.runs == [60]
    inbox.handle(held[:3], no_fetch, apply_run=handler)  # redelivered
    assert applied(app) == list(range(1, 61)) and handler.runs == [60]


def test_a_message_that_breaks_its_contract_is_dead_lettered_alone(app):
    log = [referred(n) for n in range(1, 31)]
    log[16] = {**log[16], "poison": True}
    fetch, handler = log_of(log), Counting()
    inbox = Inbox.outside_a_container(app, "reporting")
    inbox.catch_up("referrals", fetch, apply_run=handler)
    assert applied(app) == [n for n in range(1, 31) if n != 17]
    assert app.position("referrals") == 30
    assert app.query("SELECT upstream, notification_id FROM chassis_dead_letters") == [("referrals", 17)]


def test_a_run_over_what_another_instance_processed_meanwhile_rolls_back_and_doubles_nothing(app):
    log = [referred(n) for n in range(1, 41)]
    fetch, handler = log_of(log), Counting()
    first = Inbox.outside_a_container(app, "reporting")
    for n in range(1, 21):
        first.handle(Delivery("referrals", n, n - 1, log[n - 1]), fetch, apply_run=handler)

    def racing(sql: Sql, deliveries: Sequence[Delivery]) -> None:
        """The second instance's run: while it is open, the first instance processes 21..25 and commits."""
        if len(deliveries) > 1:
            for n in range(21, 26):
                first.handle(Delivery("referrals", n, n - 1, log[n - 1]), fetch, apply_run=handler)
        handler(sql, deliveries)

    second = Inbox.outside_a_container(app, "reporting")
    second.catch_up("referrals", fetch, apply_run=racing)  # reads position 20, runs 21..40
    assert applied(app) == list(range(1, 41))  # 21..25 once: the run collided, rolled back, went one at a time
    assert app.position("referrals") == 40
    assert handler.runs[20:] == [1] * 5 + [20] + [1] * 20


def test_an_upstream_log_that_ends_below_our_position_is_reported(app, caplog):
    # after an asynchronous failover the upstream's log lost events we processed: its next ones reuse their ids
    log = [referred(n) for n in range(1, 21)]
    handler = Counting()
    inbox = Inbox.outside_a_container(app, "reporting")
    inbox.handle([Delivery("referrals", n, n - 1, log[n - 1]) for n in range(1, 21)], log_of(log), apply_run=handler)
    gauge = inbox.telemetry.metrics.labels(inbox.telemetry.metrics.upstream_behind, upstream="referrals")
    inbox.catch_up("referrals", log_of(log), apply_run=handler)
    assert gauge._value.get() == 0
    with caplog.at_level("ERROR", logger="chassis.inbox"):
        inbox.catch_up("referrals", log_of(log[:12]), apply_run=handler)  # the promoted standby's log
    assert gauge._value.get() == 8
    assert any(r.getMessage() == "upstream log behind our position" for r in caplog.records)
    assert applied(app) == list(range(1, 21))  # nothing applied again, nothing undone
