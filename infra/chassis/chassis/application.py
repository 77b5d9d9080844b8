"""The event store of a service: an eventsourcing Application on PostgreSQL (or SQLite when embedded).

``ServiceApplication`` is the base of every service's Application. It records through a *process recorder*
(chassis.recorders) so that a consumer can store "I processed upstream notification N" in the same
transaction as the events that processing produced (``save_tracked``), and it gives plain SQL in one
transaction for the few tables that are not events (relay position, read models) through ``sql()``.
"""
from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Tracking, Transcoding
from eventsourcing.popo import POPOFactory
from eventsourcing.postgres import PostgresDatastore
from psycopg.rows import tuple_row

from chassis import config
from chassis.idempotency import copy_records
from chassis.recorders import KeyedPOPOProcessRecorder, KeyRow, Writes
from chassis.schema import CHASSIS_TABLES, TABLES
from chassis.sql import Sql

log = logging.getLogger(__name__)


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Told of every save once it is stored (``recordings``): the Store provider counts and logs them and
        #: nudges the loops that follow the log (chassis.providers, chassis.leader).
        self.on_stored: list[Callable[[Sequence[Any]], None]] = []
        self._lagging: Any = None

    @property
    def lagging_reads(self) -> Any:
        """Where reads that tolerate lag go: the standby of ``POSTGRES_REPLICA_HOST`` (chassis.replica), else
        this store's own ``query``."""
        if self._lagging is None:
            from chassis import replica

            on_standby = replica.configured() and not self.is_sqlite  # the services' own environment
            self._lagging = replica.Replica(config.database_name(self.name), self) if on_standby else self
        return self._lagging

    def close(self) -> None:
        if self._lagging is not None and self._lagging is not self:
            self._lagging.close()
        super().close()

    def _notify(self, recordings: Sequence[Any]) -> None:
        super()._notify(recordings)  # type: ignore[arg-type]
        for told in self.on_stored:
            told(recordings)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_recorder(self) -> Any:
        if isinstance(self.factory, POPOFactory):  # unit tests: key rows kept as production keeps them
            return KeyedPOPOProcessRecorder()
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
            sql = Sql(curs, self.is_sqlite)
            yield sql
        for committed in sql.committed:
            committed()

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
        """One read in one round trip (autocommit on PostgreSQL: no BEGIN/COMMIT around it). On SQLite a reader
        connection: with WAL (a file) it reads while a writer's transaction is open, as a consumer's run reads
        what is committed while it writes."""
        if self.is_sqlite:
            datastore = self.recorder.datastore  # type: ignore[attr-defined]
            with datastore.transaction(commit=False) as cursor:
                return Sql(cursor, sqlite=True).execute(statement, params).fetchall()
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
        with self.sql() as sql:  # first: the keyed append function names chassis_idempotency
            sql.execute(CHASSIS_TABLES[0])
        self.recorder.create_table()  # type: ignore[attr-defined]
        with self.sql() as sql:
            for statement in (*TABLES, *self.extra_tables):
                sql.execute(statement)
        copy_records(self)

    def save(self, *objs: Any, sql: Writes | None = None, keys: Sequence[KeyRow] = (), **kwargs: Any) -> list[Any]:
        """Saves aggregates' pending events in one transaction (as Application.save, without snapshots), with
        ``sql``'s writes (read models, positions) in the same transaction when given, and ``keys`` (idempotency
        rows: scope, key, request hash, answer as JSON) in the append's own statement."""
        return self._save(ProcessingEvent(), objs, writes=sql, keys=tuple(keys))

    def save_events(self, events: Sequence[Any], within: Sql) -> list[Any]:
        """Appends domain events already collected from their aggregates, in this order, inside the open ``sql()``
        transaction ``within`` (a run that changes aggregates one event after another, whose log order must be
        the order one delivery at a time would have saved them). The log's followers are told once it commits."""
        processing: ProcessingEvent = ProcessingEvent()
        processing.events.extend(events)
        processing.saved_kwargs["cursor"] = within.cursor
        recordings = self._record(processing)
        within.committed.append(lambda: self._notify(recordings))
        return recordings

    def key_rows(self, scope: str, keys: Sequence[str]) -> dict[str, tuple[str, str]]:
        """The recorded ``(request_hash, response JSON)`` of each of ``keys`` used before in ``scope``."""
        if not keys:
            return {}
        if isinstance(self.recorder, KeyedPOPOProcessRecorder):
            return self.recorder.key_rows(scope, keys)
        marks = ", ".join("%s" for _ in keys)
        rows = self.query(f"SELECT key, request_hash, response FROM chassis_idempotency WHERE scope = %s"
                          f" AND key IN ({marks})", (scope, *keys))
        return {str(key): (str(digest), str(response)) for key, digest, response in rows}

    def save_tracked(self, upstream: str, notification_id: int, *objs: Any, sql: Writes | None = None) -> list[Any]:
        """Saves the aggregates' new events, ``sql``'s writes (read models) and the position
        ``(upstream, notification_id)`` in one transaction.

        Raises eventsourcing's IntegrityError when that position was already recorded (a duplicate).
        """
        return self._save(ProcessingEvent(tracking=Tracking(upstream, notification_id)), objs, writes=sql)

    def _save(self, processing: ProcessingEvent, objs: Sequence[Any], writes: Writes | None = None,
              keys: Sequence[KeyRow] = ()) -> list[Any]:
        # Collects events directly: ProcessingEvent.collect_events() tests each object against runtime
        # Protocols, which cost about 3% of a request's CPU. Only aggregates are passed here. ``writes`` and
        # ``keys`` reach the recorder's insert_events as keyword arguments (eventsourcing passes saved_kwargs on).
        for aggregate in objs:
            processing.events.extend(aggregate.collect_events())
            processing.aggregates[aggregate.id] = aggregate
        if writes is not None:
            processing.saved_kwargs["writes"] = writes
        if keys:
            processing.saved_kwargs["keys"] = keys
        recordings = self._record(processing)
        self._notify(recordings)
        return recordings

    def record_tracking(self, sql: Sql, upstream: str, notification_id: int) -> None:
        """Records a position inside a ``sql()`` transaction (for read models written in SQL)."""
        self.recorder._insert_tracking(sql.cursor, Tracking(upstream, notification_id))  # type: ignore[attr-defined]

    def advance_tracking(self, sql: Sql, name: str, expected: int, reached: int) -> None:
        """Moves a tracked position from ``expected`` to ``reached`` inside a ``sql()`` transaction, for a run of
        deliveries applied in it: a compare-and-set, so a run read from a position that another runner has
        since moved (even part of the way) fails with IntegrityError and rolls back, as a single delivery's
        tracking row refuses a position that does not advance."""
        table = getattr(self.recorder, "tracking_table_name", "tracking")  # SQLite's recorder: "tracking"
        moved = sql.execute(f"UPDATE {table} SET notification_id = %s WHERE application_name = %s"
                            " AND notification_id = %s", (reached, name, expected)).rowcount
        if moved == 1:
            return
        if expected == 0 and not sql.execute(f"SELECT 1 FROM {table} WHERE application_name = %s",
                                             (name,)).fetchone():
            sql.execute(f"INSERT INTO {table} (application_name, notification_id) VALUES (%s, %s)", (name, reached))
            return  # (a concurrent first insert collides on the primary key)
        raise IntegrityError(f"the position of {name} moved from {expected} while a run was applied")

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


def build_application(app_class: type[ServiceApplication], source: Any = None,
                      **overrides: str) -> ServiceApplication:
    env = {**config.eventsourcing_env(app_class.name, source), **overrides}
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite" and os.path.dirname(env["SQLITE_DBNAME"]):
        os.makedirs(os.path.dirname(env["SQLITE_DBNAME"]), exist_ok=True)
    return app_class(env=env)
