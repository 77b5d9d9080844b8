"""The event store of a service: an eventsourcing Application on PostgreSQL (or SQLite when embedded).

``ServiceApplication`` is the base of every service's Application. It records through a *process recorder*
so that a consumer can store "I processed upstream notification N" in the same transaction as the events
that processing produced (``save_tracked``), and it gives plain SQL in one transaction for the few tables that
are not events (relay position, read models) through ``sql()``.
"""
from __future__ import annotations

import contextvars
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, cast

import psycopg
from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    StoredEvent,
    Tracking,
    Transcoding,
)
from eventsourcing.postgres import PostgresDatastore, PostgresProcessRecorder
from eventsourcing.sqlite import SQLiteProcessRecorder
from nameko.extensions import DependencyProvider
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from chassis import config, unsafe
from chassis.cooperative import assert_cooperative
from chassis.meta import set_meta
from chassis.telemetry import Telemetry

log = logging.getLogger(__name__)

#: SQL writes to run in the transaction of the next append (``ServiceApplication.save(sql=)``, ``save_tracked``).
_tracked_sql: contextvars.ContextVar[Callable[[Sql], None] | None] = contextvars.ContextVar(
    "tracked_sql", default=None)
#: Idempotency rows ``(scope, key, request_hash, response JSON)`` to write in the next append's own statement.
_keys: contextvars.ContextVar[Sequence[tuple[str, str, str, str]]] = contextvars.ContextVar("keys", default=())


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
        writes, keys = _tracked_sql.get(), _keys.get()
        statement, params = self.append_statement, cast(tuple[Any, ...], columns)
        if keys:
            statement = self.append_keyed_statement
            params = (*columns, *([row[i] for row in keys] for i in range(4)))
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

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        for row in _keys.get():  # before the events: a key used before fails the transaction (IntegrityError)
            c.execute("INSERT INTO chassis_idempotency (scope, key, request_hash, response) VALUES (?, ?, ?, ?)", row)
        returning = super()._insert_events(c, stored_events, **kwargs)
        writes = _tracked_sql.get()
        if writes is not None:
            writes(Sql(c, sqlite=True))
        return returning


class Sql:
    """A cursor that takes ``%s`` placeholders and gives tuple rows on both PostgreSQL and SQLite.

    ``cursor`` is the recorder's own cursor of the transaction (eventsourcing's recorders use it); statements
    run through a tuple-row cursor of the same connection, so two columns of the same name (``SUM(a), SUM(b)``)
    are never folded into one, as they would be in eventsourcing's dict rows."""

    def __init__(self, cursor: Any, sqlite: bool) -> None:
        self.cursor, self.sqlite = cursor, sqlite
        self._rows = cursor if sqlite else cursor.connection.cursor(row_factory=tuple_row)

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Sql:
        if self.sqlite:
            statement = statement.replace("%s", "?")
        self._rows.execute(statement, tuple(params))
        return self

    def execute_all(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Runs writes in order; on PostgreSQL as one script in one round trip.

        Each statement's parameters are bound client-side by psycopg's own adapters (``ClientCursor.mogrify``)
        and the script is sent with the simple query protocol (several statements, no parameters). Under
        eventlet each statement sent on its own waits through the hub, which costs more than the statement."""
        if self.sqlite or len(statements) < 2:
            for statement, params in statements:
                self.execute(statement, params)
            return
        binder = psycopg.ClientCursor(self._rows.connection)
        self._rows.execute(";\n".join(binder.mogrify(statement, tuple(params)) for statement, params in statements))

    def fetchone(self) -> tuple | None:
        row = self._rows.fetchone()
        return None if row is None else tuple(row)

    def fetchall(self) -> list[tuple]:
        return [tuple(row) for row in self._rows.fetchall()]

    @property
    def rowcount(self) -> int:
        # eventsourcing's SQLite cursor wrapper hides rowcount; its sqlite3 cursor has it
        return int(getattr(self._rows, "sqlite_cursor", self._rows).rowcount)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ServiceApplication(Application):
    """Base Application of a service (set ``name`` in the subclass: it fixes table names and env prefix)."""

    log_section_size = 1000
    #: DDL run once by ``migrate()``; statements use portable SQL (PostgreSQL and SQLite).
    extra_tables: Sequence[str] = ()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_recorder(self) -> Any:
        return self.factory.process_recorder()

    @property
    def is_sqlite(self) -> bool:
        return not isinstance(self.recorder.datastore, PostgresDatastore)  # type: ignore[attr-defined]

    @contextmanager
    def sql(self) -> Iterator[Sql]:
        """One transaction, committed on success, over this service's own database. (For many small writes in a
        row, as a rebuild's page makes, send them together with ``Sql.execute_all``: psycopg's pipeline mode
        still waits through eventlet's hub once per statement.)"""
        with self.recorder.datastore.transaction(commit=True) as curs:  # type: ignore[attr-defined]
            yield Sql(curs, self.is_sqlite)

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
        """One read in one round trip (autocommit on PostgreSQL: no BEGIN/COMMIT around it)."""
        if self.is_sqlite:
            with self.sql() as sql:
                return sql.execute(statement, params).fetchall()
        datastore = self.recorder.datastore  # type: ignore[attr-defined]  # the PostgreSQL recorder's
        with datastore.get_connection() as connection, connection.cursor(row_factory=tuple_row) as cursor:
            cursor.execute(statement, tuple(params))
            return cursor.fetchall()

    def scrub(self, table: str, attempts: int = 50) -> bool:
        """Leaves nothing of ``table``'s overwritten or deleted rows in this store's files (crypto-shredding needs
        the erased key gone, not just unreferenced). SQLite: the change was made with ``secure_delete`` on, so
        the database pages hold zeros where the old row was; the WAL, which still holds the old page images, is
        checkpointed into the database and truncated to nothing (retried while a reader holds a snapshot).
        PostgreSQL: ``VACUUM FULL`` rewrites the table into a new file and drops the old one with its dead row
        versions. What stays: PostgreSQL's WAL segments until they are recycled, WAL archives and backups
        (docs/security.md: a restore re-erases). Returns False when SQLite could not truncate its WAL."""
        if self.is_sqlite:
            datastore = self.recorder.datastore  # type: ignore[attr-defined]
            for attempt in range(attempts):
                with datastore.get_connection(commit=True) as connection, connection.cursor() as cursor:
                    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    busy = cursor.fetchone()[0]
                if not busy:
                    return True
                time.sleep(0.05 * (attempt + 1))
            log.warning("scrub: the WAL of %s could not be truncated (readers held on)", self.name)
            return False
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", table):
            raise ValueError(table)
        with self.recorder.datastore.get_connection() as connection:  # type: ignore[attr-defined]  # autocommit
            connection.execute(f"VACUUM FULL {table}")
        return True

    def existing(self, aggregate_ids: Sequence[Any]) -> set[str]:
        """Which of these aggregates have been stored (one query, whatever their number)."""
        if not aggregate_ids:
            return set()
        table = "stored_events" if self.is_sqlite else f"{self.name.lower()}_events"
        marks = ", ".join("%s" for _ in aggregate_ids)
        rows = self.query(f"SELECT DISTINCT originator_id FROM {table} WHERE originator_version = 1"
                          f" AND originator_id IN ({marks})", [str(i) for i in aggregate_ids])
        return {str(row[0]) for row in rows}

    def migrate(self) -> None:
        """Creates the event, tracking and extra tables (idempotent; run once before services start)."""
        from chassis.audit import AUDIT_TABLES
        from chassis.idempotency import copy_records
        from chassis.vault import VAULT_TABLES

        with self.sql() as sql:  # first: the keyed append function names chassis_idempotency
            sql.execute(CHASSIS_TABLES[0])
        self.recorder.create_table()  # type: ignore[attr-defined]
        with self.sql() as sql:
            for statement in (*CHASSIS_TABLES, *VAULT_TABLES, *AUDIT_TABLES, *self.extra_tables):
                sql.execute(statement)
        copy_records(self)

    @property
    def keeps_key_rows(self) -> bool:
        """Idempotency keys are rows of ``chassis_idempotency`` (ADR 0005) on the chassis recorders; eventsourcing's
        in-memory recorder (unit tests) keeps them as ``IdempotencyRecord`` aggregates instead."""
        return isinstance(self.recorder, (TrackingPostgresProcessRecorder, TrackingSQLiteProcessRecorder))

    def save(self, *objs: Any, sql: Callable[[Sql], None] | None = None,
             keys: Sequence[tuple[str, str, str, str]] = (), **kwargs: Any) -> list[Any]:
        """Saves aggregates' pending events in one transaction (as Application.save, without snapshots), with
        ``sql``'s writes (read models, positions) in the same transaction when given, and ``keys`` (idempotency
        rows: scope, key, request hash, answer as JSON) in the append's own statement."""
        token, keyed = _tracked_sql.set(sql), _keys.set(tuple(keys))
        try:
            return self._save(ProcessingEvent(), objs)
        finally:
            _tracked_sql.reset(token)
            _keys.reset(keyed)

    def key_rows(self, scope: str, keys: Sequence[str]) -> dict[str, tuple[str, str]]:
        """The recorded ``(request_hash, response JSON)`` of each of ``keys`` used before in ``scope``."""
        if not keys:
            return {}
        marks = ", ".join("%s" for _ in keys)
        rows = self.query(f"SELECT key, request_hash, response FROM chassis_idempotency WHERE scope = %s"
                          f" AND key IN ({marks})", (scope, *keys))
        return {str(key): (str(digest), str(response)) for key, digest, response in rows}

    def save_tracked(self, upstream: str, notification_id: int, *objs: Any,
                     sql: Callable[[Sql], None] | None = None) -> list[Any]:
        """Saves the aggregates' new events, ``sql``'s writes (read models) and the position
        ``(upstream, notification_id)`` in one transaction.

        Raises eventsourcing's IntegrityError when that position was already recorded (a duplicate).
        """
        token = _tracked_sql.set(sql)
        try:
            return self._save(ProcessingEvent(tracking=Tracking(upstream, notification_id)), objs)
        finally:
            _tracked_sql.reset(token)

    def _save(self, processing: ProcessingEvent, objs: Sequence[Any]) -> list[Any]:
        # Collects events directly: ProcessingEvent.collect_events() tests each object against runtime
        # Protocols, which cost about 3% of a request's CPU. Only aggregates are passed here.
        for aggregate in objs:
            processing.events.extend(aggregate.collect_events())
            processing.aggregates[aggregate.id] = aggregate
        recordings = self._record(processing)
        self._notify(recordings)
        return recordings

    def record_tracking(self, sql: Sql, upstream: str, notification_id: int) -> None:
        """Records a position inside a ``sql()`` transaction (for read models written in SQL)."""
        self.recorder._insert_tracking(sql.cursor, Tracking(upstream, notification_id))  # type: ignore[attr-defined]

    def position(self, upstream: str) -> int:
        return self.recorder.max_tracking_id(upstream) or 0  # type: ignore[attr-defined]

    def positions(self, prefix: str) -> dict[str, int]:
        """Every tracked position whose name starts with ``prefix``, in one query."""
        table = getattr(self.recorder, "tracking_table_name", "tracking")  # SQLite's recorder: "tracking"
        rows = self.query(f"SELECT application_name, MAX(notification_id) FROM {table}"
                          " WHERE application_name LIKE %s GROUP BY application_name", (prefix + "%",))
        return {str(name): int(position) for name, position in rows}

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0


CHASSIS_TABLES = (
    # idempotency keys of commands (ADR 0005): written in the append's own statement; answers as JSON text
    "CREATE TABLE IF NOT EXISTS chassis_idempotency ("
    " scope TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, response TEXT NOT NULL,"
    " PRIMARY KEY (scope, key))",
    "CREATE TABLE IF NOT EXISTS chassis_relay ("
    " name TEXT PRIMARY KEY, position BIGINT NOT NULL, last_published BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS chassis_credential_holders (key_id TEXT PRIMARY KEY, person TEXT NOT NULL)",
    # reads of case data (a client's pathway, history, records; finance statements), by whom (chassis.gate)
    "CREATE TABLE IF NOT EXISTS chassis_case_reads ("
    " read_at TEXT NOT NULL, actor TEXT NOT NULL, person TEXT, organisation TEXT NOT NULL, route TEXT NOT NULL,"
    " subject_id TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS chassis_case_reads_by_time ON chassis_case_reads (read_at)",
    "CREATE TABLE IF NOT EXISTS chassis_credentials ("
    " key_id TEXT PRIMARY KEY, organisation TEXT NOT NULL, roles TEXT NOT NULL, secret_hash TEXT NOT NULL,"
    " issued_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT)",
    "CREATE TABLE IF NOT EXISTS chassis_dead_letters ("
    " upstream TEXT NOT NULL, notification_id BIGINT NOT NULL, event_type TEXT NOT NULL,"
    " reason TEXT NOT NULL, PRIMARY KEY (upstream, notification_id))",
)


def build_application(app_class: type[ServiceApplication], source: Any = None,
                      **overrides: str) -> ServiceApplication:
    env = {**config.eventsourcing_env(app_class.name, source), **overrides}
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite" and os.path.dirname(env["SQLITE_DBNAME"]):
        os.makedirs(os.path.dirname(env["SQLITE_DBNAME"]), exist_ok=True)
    return app_class(env=env)


class Store(DependencyProvider):
    """Gives each worker the container's one Application (one connection pool per container).

    It also puts the worker's context (actor, organisation, idempotency key, correlation id) where
    ``TracedAggregate`` stamps it on every event, and after each save counts the stored events by type
    (``useit_events_stored_total``), logs one ``stored`` line and nudges the outbox relay.
    """

    telemetry = Telemetry()

    def __init__(self, app_class: type[ServiceApplication]) -> None:
        self.app_class = app_class
        self.app: ServiceApplication | None = None
        self.listeners: list[Callable[[], None]] = []

    def setup(self) -> None:
        assert_cooperative()
        unsafe.refuse_outside_tests()
        self.app = build_application(self.app_class, self.container.config.get("ENV") or None)
        if self.app.is_sqlite:
            self.app.migrate()
        original = self.app._notify
        metrics = self.telemetry.metrics

        def notify_then_nudge(recordings: Any) -> None:
            original(recordings)
            if recordings:
                event_types = [type(r.domain_event).__qualname__ for r in recordings]
                metrics.count_stored(event_types)
                # One line per save (not per event), with the worker's correlation id (chassis.logs).
                log.info("stored", extra={"events": len(recordings), "event_types": sorted(set(event_types)),
                                          "notification_ids": [recordings[0].notification.id,
                                                               recordings[-1].notification.id]})
            for listener in self.listeners:
                listener()

        self.app._notify = notify_then_nudge  # type: ignore[method-assign]

    def stop(self) -> None:
        if self.app is not None:
            self.app.close()

    def kill(self) -> None:
        self.stop()

    def worker_setup(self, worker_ctx: Any) -> None:
        set_meta(worker_ctx.context_data)

    def get_dependency(self, worker_ctx: Any) -> ServiceApplication:
        assert self.app is not None
        return self.app


def is_duplicate(error: Exception) -> bool:
    return isinstance(error, IntegrityError)
