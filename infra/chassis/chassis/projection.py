"""Read models a service keeps of its own events: followed from its notification log, exactly once, in order.

A ``LocalProjection`` reads the service's notification log after its tracked position (only the topics it
handles), applies each domain event to SQL tables, and records the new position in the same transaction, so a
crash or a second runner changes nothing twice. The outbox relay's loop advances the service's projections
(one active runner per service, the relay leader), nudged by every save; a query may lag a save by moments.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Sequence

from eventsourcing.utils import get_topic

from chassis.store import ServiceApplication, Sql

Apply = Callable[[Sql, Any, int], None]


class LocalProjection:
    def __init__(self, name: str, handles: Sequence[type], apply: Apply, tables: Sequence[str],
                 batch_size: int = 500) -> None:
        """``name`` is the tracking name (``<service>:<projection>``); ``tables`` the read model's own tables,
        emptied by ``reset``; ``apply(sql, domain_event, notification_id)`` must be a pure function of its arguments and the rows."""
        self.name, self.apply, self.tables, self.batch_size = name, apply, tuple(tables), batch_size
        self.topics = tuple(get_topic(cls) for cls in handles)
        # One advance or reset at a time in this process: the relay loop advances while a rebuild resets and
        # catches up (a green lock under eventlet). Without it an advance that read its position before a
        # reset could commit after it, recording a position past rows the reset removed.
        self.lock = threading.RLock()

    def advance(self, app: ServiceApplication) -> int:
        """Applies the next batch of events; returns how many it applied."""
        with self.lock:
            return self._advance(app)

    def _advance(self, app: ServiceApplication) -> int:
        position = app.position(self.name)
        head = app.head()  # read first: every id up to it is visible (appends commit in id order)
        if head <= position:
            return 0
        notifications = app.recorder.select_notifications(start=position + 1, limit=self.batch_size, stop=head,
                                                          topics=self.topics)
        reached = notifications[-1].id if len(notifications) == self.batch_size else head
        with app.sql() as sql:
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
        with self.lock, app.sql() as sql:
            for table in self.tables:
                sql.execute(f"DELETE FROM {table}")
            sql.execute(f"DELETE FROM {_tracking_table(app)} WHERE application_name = %s", (self.name,))


def _tracking_table(app: ServiceApplication) -> str:
    return str(getattr(app.recorder, "tracking_table_name", "tracking"))  # SQLite's recorder: "tracking"
