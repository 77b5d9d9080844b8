"""Read models a service keeps of its own events: followed from its notification log, exactly once, in order.

A ``LocalProjection`` reads the service's notification log after its tracked position (only the topics it
handles), applies each domain event to SQL tables, and records the new position in the same transaction, so a
crash or a second runner changes nothing twice. The log follower (chassis.follower) advances the service's projections
(one active runner per service, under its lease), nudged by every save; a query may lag a save by moments.

An advance and a reset (a rebuild) take turns: each runs in one transaction holding the projection's lock (a
PostgreSQL transaction advisory lock, across processes; a semaphore within the process for SQLite), and an
advance reads its position only once it holds the lock. Without that, a reset landing between an advance's
read of its position and its commit emptied the tables, and the advance then stored the head as the position:
the rebuilt read model lacked every earlier event (found by the fault-injection tests).
"""
from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from eventlet.semaphore import Semaphore

from chassis.application import ServiceApplication
from chassis.sql import Sql
from chassis.topics import topics_of

Apply = Callable[[Sql, Any, int], None]


class LocalProjection:
    def __init__(self, name: str, handles: Sequence[type], apply: Apply, tables: Sequence[str],
                 batch_size: int = 500) -> None:
        """``name`` is the tracking name (``<service>:<projection>``); ``tables`` the read model's own tables,
        emptied by ``reset``; ``apply(sql, domain_event, notification_id)`` must be a pure function of its arguments
        and the rows."""
        self.name, self.apply, self.tables, self.batch_size = name, apply, tuple(tables), batch_size
        self.handles = tuple(handles)
        self.topics = tuple(topic for cls in handles for topic in topics_of(cls))
        self.lock_key = zlib.crc32(f"projection:{name}".encode())
        self._local = Semaphore()

    @contextmanager
    def _turn(self, app: ServiceApplication) -> Iterator[Callable[[], Any]]:
        """Holds the projection's lock; yields how to open the one transaction of this turn.

        On PostgreSQL the lock is a transaction advisory lock, so the transaction is opened (and the lock
        taken) at once; on SQLite (embedded: one process) it is a semaphore and the transaction is opened when
        asked for, since SQLite's single writer connection must not be held during the reads before it."""
        if app.is_sqlite:
            with self._local:
                yield app.sql
            return
        with app.sql() as sql:
            sql.execute("SELECT pg_advisory_xact_lock(%s)", (self.lock_key,))
            yield lambda: nullcontext(sql)

    def advance(self, app: ServiceApplication) -> int:
        """Applies the next batch of events; returns how many it applied."""
        if not app.is_sqlite and app.head() <= app.position(self.name):
            return 0  # the cheap check, without a transaction: nothing new
        with self._turn(app) as transaction:
            position = app.position(self.name)  # read again in turn: a reset may have just run
            head = app.head()  # read first: every id up to it is visible (appends commit in id order)
            if head <= position:
                return 0
            notifications = app.recorder.select_notifications(start=position + 1, limit=self.batch_size, stop=head,
                                                              topics=self.topics)
            reached = notifications[-1].id if len(notifications) == self.batch_size else head
            with transaction() as sql:
                for notification in notifications:
                    self.apply(sql, app.mapper.to_domain_event(notification), notification.id)
                app.record_tracking(sql, self.name, reached)
        return len(notifications)

    def catch_up(self, app: ServiceApplication) -> int:
        total = 0
        while True:
            applied = self.advance(app)
            total += applied
            if applied < self.batch_size:
                return total

    def reset(self, app: ServiceApplication) -> None:
        """Empties the read model and forgets its position (the next ``advance`` rebuilds it from the log)."""
        with self._turn(app) as transaction, transaction() as sql:
            for table in self.tables:
                sql.execute(f"DELETE FROM {table}")
            sql.execute(f"DELETE FROM {_tracking_table(app)} WHERE application_name = %s", (self.name,))


def _tracking_table(app: ServiceApplication) -> str:
    return str(getattr(app.recorder, "tracking_table_name", "tracking"))  # SQLite's recorder: "tracking"
