"""A local projection's advance (the log follower) and its reset (a rebuild) take turns on PostgreSQL.

Found by fault injection: a reset that ran while an advance was between reading its position and committing
emptied the tables, and the advance then committed the events after its old position with the head as the
new position, so the rebuilt read model lacked every event before it, for ever.
"""
from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

import pytest

from chassis.projection import LocalProjection
from referrals.application import Referrals
from referrals.domain.referral import Referral
from tests.support.fixtures import scratch_store
from tests.support.waiting import wait_for

WHEN = datetime(2018, 9, 3, 10, 30, tzinfo=UTC)


def new_referral() -> Referral:
    return Referral(id=uuid.uuid4(), client_id=uuid.uuid4(), partner_id="club", profession="doctor",
                    right_to_work="yes", ielts_taken=False, ielts_score_needed=None, personal="v1.sealed",
                    occurred_at=WHEN)


@pytest.fixture
def app(pg_env):
    application = scratch_store(pg_env, Referrals, "turns")
    yield application
    application.close()


def test_a_reset_during_an_advance_waits_for_it_and_the_rebuilt_model_misses_nothing(app):
    table = f"test_turns_{uuid.uuid4().hex[:8]}"
    with app.sql() as sql:
        sql.execute(f"CREATE TABLE {table} (notification_id BIGINT PRIMARY KEY, referral_id TEXT NOT NULL)")
    racing = threading.Event()
    reset_over = threading.Event()

    def apply(sql, domain_event, notification_id: int) -> None:
        if racing.is_set():
            racing.clear()  # once: a rebuild's reset arrives while this advance is mid-transaction
            resetter = threading.Thread(target=lambda: (projection.reset(app), reset_over.set()))
            resetter.start()
            wait_for(lambda: reset_over.is_set() or waiting_for_its_turn(app, projection),
                     what="the reset to finish or to wait for its turn")
        sql.execute(f"INSERT INTO {table} (notification_id, referral_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                    (notification_id, str(domain_event.originator_id)))

    projection = LocalProjection(f"test:{table}", (Referral.Received,), apply, tables=(table,))
    projection.catch_up(app)  # whatever earlier tests stored
    for _ in range(3):
        app.save(new_referral())
    projection.catch_up(app)
    for _ in range(3):
        app.save(new_referral())
    racing.set()
    projection.advance(app)
    wait_for(reset_over.is_set, what="the reset")
    projection.catch_up(app)  # the rebuild after the reset

    submitted = app.recorder.select_notifications(start=1, limit=100000, topics=projection.topics)
    rows = app.query(f"SELECT notification_id FROM {table} ORDER BY notification_id")
    assert [row[0] for row in rows] == [n.id for n in submitted]


def waiting_for_its_turn(app, projection: LocalProjection) -> bool:
    rows = app.query("SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
                     " WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()")
    return rows[0][0] > 0
