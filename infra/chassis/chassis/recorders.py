"""The process recorders every service's event store records through (PostgreSQL, and SQLite when embedded).

They are eventsourcing's, with an append that takes the table lock and writes, in the append's own transaction,
what the application hands over for it: SQL writes (read models, positions) as ``writes`` and idempotency key
rows ``(scope, key, request_hash, response JSON)`` as ``keys``, or the ``cursor`` of a transaction already open
to append inside (``ServiceApplication.save_events``). They arrive as keyword arguments of
``insert_events``: eventsourcing passes a ``ProcessingEvent``'s ``saved_kwargs`` through ``EventStore.put`` to the
recorder (``chassis.application.ServiceApplication._save`` sets them). The in-memory recorder of unit tests keeps
key rows the same way, in a dict beside its events, so a unit test runs the production path of idempotency.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from eventsourcing.persistence import IntegrityError, StoredEvent, Tracking
from eventsourcing.popo import POPOProcessRecorder
from eventsourcing.postgres import PostgresDatastore, PostgresProcessRecorder
from eventsourcing.sqlite import SQLiteProcessRecorder
from psycopg.sql import SQL, Identifier

from chassis import unsafe
from chassis.sql import Sql

#: An idempotency row: scope, key, request hash, response as JSON (``chassis.idempotency.key_row``).
KeyRow = tuple[str, str, str, str]
#: SQL writes to run in an append's transaction (``ServiceApplication.save(sql=)``, ``save_tracked``).
Writes = Callable[[Sql], None]


class TrackingPostgresProcessRecorder(PostgresProcessRecorder):
    """eventsourcing's PostgreSQL process recorder with an append that is both safe and one round trip.

    Two faults of eventsourcing 9.5.6 are avoided here:

    - its DB-function insert (``POSTGRES_ENABLE_DB_FUNCTIONS=y``) takes no table lock, so two concurrent
      appends can commit their notification ids out of order, and a reader of the log (our outbox relay,
      a consumer's gap fill) can move past an id that commits a moment later and miss it for ever;
    - with DB functions on, the ``tracking`` argument of ``insert_events`` is silently dropped.

    Every append goes through ``<events table>_append``: a PL/pgSQL function that takes the table's
    EXCLUSIVE lock (appends commit in id order; reads are not blocked) and inserts from four arrays of plain
    values (far cheaper for psycopg to send than eventsourcing's array of composites). Without tracking it
    is a single autocommit statement; with tracking, the tracking row and the append share one transaction.
    """

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events",
                 tracking_table_name: str = "notification_tracking") -> None:
        super().__init__(datastore, events_table_name=events_table_name, tracking_table_name=tracking_table_name)
        function = Identifier(f"{events_table_name}_append"[:63])
        schema, table = Identifier(datastore.schema), Identifier(events_table_name)
        self.sql_create_statements.append(SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}"
            "(ids uuid[], versions bigint[], topics text[], states bytea[]) RETURNS SETOF bigint"
            " LANGUAGE plpgsql AS $$ BEGIN"
            " SET LOCAL lock_timeout = '{timeout}s';"
            " LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE;"
            " RETURN QUERY INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state)"
            " SELECT * FROM unnest(ids, versions, topics, states) RETURNING notification_id;"
            " END $$"
        ).format(schema=schema, function=function, table=table, timeout=SQL(str(datastore.lock_timeout))))
        self.append_statement = SQL("SELECT * FROM {0}.{1}(%s, %s, %s, %s) AS appended(notification_id)").format(
            schema, function)
        # The same append, first recording the commands' idempotency keys (ADR 0005): a key used before makes
        # the whole statement fail (unique violation), so nothing of a retried command is stored twice.
        keyed = Identifier(f"{events_table_name}_append_keyed"[:63])
        self.sql_create_statements.append(SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}(ids uuid[], versions bigint[], topics text[],"
            " states bytea[], scopes text[], keys text[], hashes text[], responses text[]) RETURNS SETOF bigint"
            " LANGUAGE plpgsql AS $$ BEGIN"
            " INSERT INTO {schema}.chassis_idempotency (scope, key, request_hash, response)"
            " SELECT * FROM unnest(scopes, keys, hashes, responses);"
            " RETURN QUERY SELECT * FROM {schema}.{append}(ids, versions, topics, states);"
            " END $$"
        ).format(schema=schema, function=keyed, append=function))
        self.append_keyed_statement = SQL(
            "SELECT * FROM {0}.{1}(%s, %s, %s, %s, %s, %s, %s, %s) AS appended(notification_id)").format(schema, keyed)

    def _insert_tracking(self, curs: Any, tracking: Tracking) -> None:
        if unsafe.enabled("dedupe"):  # test-only: a position that does not advance is no longer refused
            curs.execute(SQL("INSERT INTO {0}.{1} VALUES (%s, %s) ON CONFLICT (application_name) DO UPDATE"
                             " SET notification_id = GREATEST({0}.{1}.notification_id, excluded.notification_id)")
                         .format(Identifier(self.datastore.schema), Identifier(self.tracking_table_name)),
                         (tracking.application_name, tracking.notification_id))
            return
        super()._insert_tracking(curs, tracking)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        tracking: Tracking | None = kwargs.get("tracking")
        columns = (
            [e.originator_id for e in stored_events], [e.originator_version for e in stored_events],
            [e.topic for e in stored_events], [e.state for e in stored_events],
        )
        writes: Writes | None = kwargs.get("writes")
        keys: Sequence[KeyRow] = kwargs.get("keys") or ()
        statement, params = self.append_statement, cast(tuple[Any, ...], columns)
        if keys:
            statement = self.append_keyed_statement
            params = (*columns, *([row[i] for row in keys] for i in range(4)))
        within = kwargs.get("cursor")
        if within is not None:  # inside a transaction the caller opened and will commit
            if not stored_events:
                return []
            within.execute(statement, params, prepare=True)
            return [row["notification_id"] for row in within.fetchall()]
        if tracking is None and writes is None:
            if not stored_events and not keys:
                return []
            with self.datastore.get_connection() as connection, connection.cursor() as cursor:
                cursor.execute(statement, params, prepare=True)
                return [row["notification_id"] for row in cursor.fetchall()]
        with self.datastore.transaction(commit=True) as cursor:
            if tracking is not None:
                self._insert_tracking(cursor, tracking)
            ids: list[int] = []
            if stored_events or keys:
                cursor.execute(statement, params, prepare=True)
                ids = [row["notification_id"] for row in cursor.fetchall()]
            if writes is not None:
                writes(Sql(cursor, sqlite=False))
            return ids


class TrackingSQLiteProcessRecorder(SQLiteProcessRecorder):
    """eventsourcing's SQLite process recorder, running a tracked append's SQL writes in its transaction."""

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        within = kwargs.get("cursor")
        if within is not None:  # inside a transaction the caller opened and will commit
            return self._insert_events(within, stored_events, **kwargs)
        return super().insert_events(stored_events, **kwargs)

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        for row in kwargs.get("keys") or ():  # before the events: a key used before fails the transaction
            c.execute("INSERT INTO chassis_idempotency (scope, key, request_hash, response) VALUES (?, ?, ?, ?)", row)
        returning = super()._insert_events(c, stored_events, **kwargs)
        writes: Writes | None = kwargs.get("writes")
        if writes is not None:
            writes(Sql(c, sqlite=True))
        return returning


class KeyedPOPOProcessRecorder(POPOProcessRecorder):
    """eventsourcing's in-memory process recorder (unit tests) keeping idempotency key rows as the others do:
    checked and stored under the recorder's lock with the events, so a key used before refuses the whole append
    (IntegrityError) and nothing of it is stored. It has no SQL: an append given ``writes`` is refused."""

    def __init__(self) -> None:
        super().__init__()
        self._key_rows: dict[tuple[str, str], tuple[str, str]] = {}

    def _assert_uniqueness(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        if kwargs.get("writes") is not None:
            raise NotImplementedError("the in-memory store runs no SQL writes")
        rows: Sequence[KeyRow] = kwargs.get("keys") or ()
        if len({(scope, key) for scope, key, _, _ in rows}) < len(rows) or any(
                (scope, key) in self._key_rows for scope, key, _, _ in rows):
            raise IntegrityError("idempotency key already recorded")
        super()._assert_uniqueness(stored_events, **kwargs)

    def _update_table(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super()._update_table(stored_events, **kwargs)
        for scope, key, digest, response in kwargs.get("keys") or ():
            self._key_rows[scope, key] = (digest, response)
        return ids

    def key_rows(self, scope: str, keys: Sequence[str]) -> dict[str, tuple[str, str]]:
        with self._database_lock:
            return {key: self._key_rows[scope, key] for key in keys if (scope, key) in self._key_rows}
