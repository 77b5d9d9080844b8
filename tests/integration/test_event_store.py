"""The chassis event store on PostgreSQL (with DB functions on) and SQLite: tracking and gap reads."""
from __future__ import annotations

import types
import uuid
from datetime import UTC, datetime

import pytest
from eventsourcing.persistence import IntegrityError

from chassis import config
from chassis.application import build_application
from chassis.idempotency import Once
from chassis.migrate import ensure_database
from chassis.relay import OutboxRelay
from referrals.application import Referrals
from referrals.domain.referral import Referral
from referrals.translation import TRANSLATED, to_contract

WHEN = datetime(2018, 9, 3, 10, 30, tzinfo=UTC)


@pytest.fixture(params=["postgres", "sqlite"])
def app(request, pg_env, tmp_path):
    if request.param == "postgres":
        ensure_database(config.database_name("referrals", pg_env))
        application = build_application(Referrals, pg_env)
    else:
        application = build_application(Referrals, {"DATA_DIR": str(tmp_path)})
    application.migrate()
    yield application
    application.close()


def new_referral() -> Referral:
    return Referral(id=uuid.uuid4(), client_id=uuid.uuid4(), partner_id="club", profession="doctor",
                    right_to_work="yes",
                    ielts_taken=False, ielts_score_needed=None, personal="v1.sealed", occurred_at=WHEN)


def test_a_tracked_save_stores_the_position_with_the_events(app):
    upstream = f"upstream-{uuid.uuid4().hex[:6]}"
    head = app.head()
    app.save_tracked(upstream, 7, new_referral())
    assert app.position(upstream) == 7 and app.head() == head + 1


def test_processing_the_same_upstream_notification_twice_is_refused_and_stores_nothing(app):
    upstream = f"upstream-{uuid.uuid4().hex[:6]}"
    app.save_tracked(upstream, 3, new_referral())
    head = app.head()
    with pytest.raises(IntegrityError):
        app.save_tracked(upstream, 3, new_referral())
    with pytest.raises(IntegrityError):
        app.save_tracked(upstream, 2, new_referral())
    assert app.head() == head and app.position(upstream) == 3


def test_a_position_can_be_recorded_with_no_events(app):
    upstream = f"upstream-{uuid.uuid4().hex[:6]}"
    app.save_tracked(upstream, 5)
    assert app.position(upstream) == 5


def test_read_range_returns_only_integration_events_and_where_to_continue(app):
    relay = OutboxRelay(to_contract, TRANSLATED)
    relay.store = types.SimpleNamespace(app=app)
    from tests.unit.test_idempotency import submit

    submit(app, "club", uuid.uuid4().hex, "club", "nurse")  # registers the partner on first use
    start = app.head()
    submitted, _ = submit(app, "club", uuid.uuid4().hex, "club", "nurse")
    app.change_referral(Once("club", uuid.uuid4().hex), "contact", uuid.UUID(submitted["referral_id"]),
                        {"outcome": "reached"}, lambda referral: referral.record_contact_attempt("reached", WHEN))
    app.register_partner(Once("club", uuid.uuid4().hex), f"p-{uuid.uuid4().hex[:6]}", "Partner", "work_club", WHEN)
    page = relay.read_range(start, None, 1000)  # the referral, the contact attempt, a partner (internal)
    assert [item["body"]["event_type"] for item in page["items"]] == ["client_referred_v1", "referral_contacted_v1"]
    assert page["scanned_to"] == page["head"] == start + 3
    first_page = relay.read_range(start, None, 1)
    assert first_page["scanned_to"] == start + 1 and len(first_page["items"]) == 1


def test_records_of_earlier_versions_are_copied_into_the_key_table_and_answer_retries(app):
    """ADR 0005's migration: an IdempotencyRecord aggregate stored by an earlier version still answers its key."""
    from chassis.idempotency import IdempotencyRecord, answers, request_hash, run_once

    scope, key = f"club:old-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    app.save(IdempotencyRecord(scope=scope, key=key, request_hash=request_hash({"a": 1}), response={"done": 1}))
    assert answers(app, scope, [key]) == {}  # only in the log until migrated
    app.migrate()
    app.migrate()  # idempotent
    assert answers(app, scope, [key]) == {key: (request_hash({"a": 1}), {"done": 1})}
    answer, replayed = run_once(app, scope, key, {"a": 1}, lambda: ([], {"done": 2}))
    assert (answer, replayed) == ({"done": 1}, True)


def test_a_key_row_and_its_events_are_stored_together_or_not_at_all(app):
    from chassis.idempotency import key_row, save_keyed

    scope, key = f"club:new-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    head = app.head()
    save_keyed(app, [new_referral()], [key_row(scope, key, "h", {"n": 1})])
    assert app.head() == head + 1
    with pytest.raises(IntegrityError):  # the key again: neither the row nor the new events
        save_keyed(app, [new_referral()], [key_row(scope, key, "h", {"n": 2})])
    assert app.head() == head + 1 and app.key_rows(scope, [key]) == {key: ("h", '{"n": 1}')}


def test_writes_sent_as_one_script_bind_every_value_as_one_by_one_would(app):
    """Sql.execute_all binds parameters client-side on PostgreSQL (one round trip for a rebuild page's writes):
    quotes, backslashes, semicolons, None, unicode, JSON and large integers arrive as they were given."""
    table = f"script_{uuid.uuid4().hex[:8]}"
    tricky = ["O'Brien; DROP TABLE x; --", "back\\slash", None, "Łódź – ünïcödé", '{"a": [1, "b"]}', "", "$$",
              "100% of %s and %(x)s"]
    insert = f"INSERT INTO {table} (k, v, n) VALUES (%s, %s, %s)"
    with app.sql() as sql:
        sql.execute(f"CREATE TABLE {table} (k INTEGER PRIMARY KEY, v TEXT, n BIGINT)")
        sql.execute_all([(insert, (k, value, 2**62 + k)) for k, value in enumerate(tricky)]
                        + [(f"UPDATE {table} SET n = n - %s WHERE k = %s", (1, 0))])
    try:
        rows = app.query(f"SELECT k, v, n FROM {table} ORDER BY k")
        assert rows == [(k, value, 2**62 + k - (k == 0)) for k, value in enumerate(tricky)]
    finally:
        with app.sql() as sql:
            sql.execute(f"DROP TABLE {table}")
