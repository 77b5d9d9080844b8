"""The audit chain names every altered, missing, inserted and reordered event, from an export and a public key."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from chassis import audit, config
from chassis.application import build_application
from chassis.migrate import ensure_database
from referrals.application import Referrals
from tests.unit.test_idempotency import submit

WHEN = datetime(2018, 9, 3, 10, 30, tzinfo=UTC)


@pytest.fixture
def app(pg_env):
    env = {**pg_env, "REFERRALS_POSTGRES_DBNAME": f"{pg_env['DB_PREFIX']}audit_{uuid.uuid4().hex[:6]}"}
    ensure_database(config.database_name("referrals", env))
    application = build_application(Referrals, env)
    application.migrate()
    yield application
    application.close()


@pytest.fixture
def key():
    return audit.signing_key({"AUDIT_SIGNING_KEY": audit.new_signing_key()})


def chained(app, key, referrals: int = 6) -> None:
    for number in range(referrals):
        submit(app, "club", uuid.uuid4().hex, "club", "doctor")
        if number == 2:  # a rolled-back append leaves a gap in the ids, as in real life
            with app.sql() as sql:
                sql.execute("SELECT nextval('referrals_events_notification_id_seq')")
    while audit.advance(app, key, limit=4):
        pass


def findings(app, key, tmp_path) -> list[audit.Finding]:
    directory = str(tmp_path / uuid.uuid4().hex)
    audit.export(app, directory)
    return audit.verify(directory, "referrals", audit.public_key_text(key))


def test_an_untouched_log_verifies(app, key, tmp_path):
    chained(app, key)
    assert findings(app, key, tmp_path) == []


def test_altered_deleted_and_reordered_rows_are_each_named(app, key, tmp_path):
    chained(app, key)
    with app.sql() as sql:
        ids = [row[0] for row in sql.execute("SELECT notification_id FROM referrals_events ORDER BY 1").fetchall()]
        sql.execute("UPDATE referrals_events SET state = state || '\\x20'::bytea WHERE notification_id = %s", (ids[1],))
        sql.execute("DELETE FROM referrals_events WHERE notification_id = %s", (ids[3],))
        sql.execute("UPDATE referrals_events SET notification_id = -1 WHERE notification_id = %s", (ids[4],))
        sql.execute("UPDATE referrals_events SET notification_id = %s WHERE notification_id = %s", (ids[4], ids[5]))
        sql.execute("UPDATE referrals_events SET notification_id = %s WHERE notification_id = -1", (ids[5],))
    found = [(f.kind, f.notification_id) for f in findings(app, key, tmp_path) if f.kind != "checkpoint"]
    assert found == [("altered", ids[1]), ("missing", ids[3]), ("reordered", ids[4]), ("reordered", ids[5])]


def test_a_rewritten_chain_is_caught_by_the_signed_checkpoint(app, key, tmp_path):
    chained(app, key)
    with app.sql() as sql:
        first = sql.execute("SELECT MIN(notification_id) FROM referrals_events").fetchone()[0]
        sql.execute("UPDATE referrals_events SET topic = topic || 'x' WHERE notification_id = %s", (first,))
    directory = str(tmp_path / "rewritten")
    audit.export(app, directory)
    # the forger recomputes the chain file over the altered events, but cannot sign a new checkpoint
    import csv

    rows = list(csv.reader(open(f"{directory}/events.csv")))
    previous, rewritten = audit.GENESIS, []
    for row in rows:
        content = audit.digest(row[1], int(row[2]), row[3], bytes.fromhex(row[4]))
        previous = audit.link(previous, int(row[0]), content)
        rewritten.append([row[0], content.hex(), previous.hex()])
    with open(f"{directory}/chain.csv", "w", newline="") as handle:
        csv.writer(handle).writerows(rewritten)
    kinds = {f.kind for f in audit.verify(directory, "referrals", audit.public_key_text(key))}
    assert "checkpoint" in kinds


def test_an_inserted_row_is_named_and_a_foreign_key_does_not_verify(app, key, tmp_path):
    chained(app, key)
    with app.sql() as sql:
        ids = [row[0] for row in sql.execute("SELECT notification_id FROM referrals_events ORDER BY 1").fetchall()]
        gap = next(i + 1 for i, j in zip(ids, ids[1:], strict=False) if j != i + 1)
        sql.execute("INSERT INTO referrals_events (originator_id, originator_version, topic, state, notification_id)"
                    " SELECT originator_id, 99, topic, state, %s FROM referrals_events WHERE notification_id = %s",
                    (gap, ids[0]))
    assert [f.kind for f in findings(app, key, tmp_path)] == ["inserted"]
    other = audit.signing_key({"AUDIT_SIGNING_KEY": audit.new_signing_key()})
    directory = str(tmp_path / "foreign")
    audit.export(app, directory)
    assert {f.kind for f in audit.verify(directory, "referrals", audit.public_key_text(other))} >= {"checkpoint"}


def test_the_embedded_stores_log_exports_and_verifies(key, tmp_path):
    """The auditor's export works on the embedded default's SQLite store too (it numbers events by rowid)."""
    application = build_application(Referrals, {"DATA_DIR": str(tmp_path / "var")})
    try:
        application.migrate()
        for _ in range(3):
            submit(application, "club", uuid.uuid4().hex, "club", "doctor")
        while audit.advance(application, key, limit=2):
            pass
        assert findings(application, key, tmp_path) == []
        with application.sql() as sql:
            sql.execute("UPDATE stored_events SET state = CAST(state || x'20' AS BLOB) WHERE rowid = 2")
        found = [(f.kind, f.notification_id) for f in findings(application, key, tmp_path)]
        assert ("altered", 2) in found and all(number >= 2 for _, number in found)
    finally:
        application.close()
