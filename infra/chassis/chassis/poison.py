"""What the inbox does with a message that can never be processed, and with one brought back from the dead.

A delivery whose processing fails validation (``Poison``, a marshmallow ValidationError) is recorded in
``chassis_dead_letters``, published to the service's dead-letter queue and moved past, so one bad message does
not stop the stream. ``python -m chassis.deadletters --replay`` brings it back: only a message recorded as dead is
processed, once (its record is deleted in the same transaction as the writes).
"""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from chassis import bus
from chassis.consumers import dead_letter
from chassis.delivery import ApplyEvents, ApplyRun, Delivery, Poison, as_writes


class PoisonHandling:
    """The inbox's handling of poison and of replays (a mixin of chassis.inbox.Inbox)."""

    app: Any
    container: Any

    def _count(self, upstream: str, outcome: str, deliveries: int = 1) -> None:
        raise NotImplementedError

    def _skip_poison(self, delivery: Delivery, reason: str) -> None:
        """Records the message as dead and moves past it, so one bad message does not stop the stream."""
        with self.app.sql() as sql:
            sql.execute("INSERT INTO chassis_dead_letters (upstream, notification_id, event_type, reason)"
                        " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                        (delivery.upstream, delivery.notification_id, delivery.event_type, reason[:500]))
            self.app.record_tracking(sql, delivery.upstream, delivery.notification_id)
        dead_letter(self.container, delivery.upstream, delivery.body,
                    {bus.NOTIFICATION_ID: delivery.notification_id, bus.PREVIOUS_ID: delivery.previous_id},
                    reason)
        self._count(delivery.upstream, "dead_lettered")

    def _replay(self, delivery: Delivery, apply: ApplyEvents | None, run: ApplyRun | None) -> None:
        """Processes a dead-lettered message brought back by ``python -m chassis.deadletters --replay``.

        Only a message recorded as dead is processed (once: its record goes in the same transaction as a
        read model's writes, right after an event-sourced consumer's save); anything else is a duplicate.
        """
        key = (delivery.upstream, delivery.notification_id)
        with self.app.sql() as sql:
            dead = sql.execute("SELECT 1 FROM chassis_dead_letters WHERE upstream = %s AND notification_id = %s",
                               key).fetchone()
        if not dead:
            self._count(delivery.upstream, "duplicate")
            return
        forget = "DELETE FROM chassis_dead_letters WHERE upstream = %s AND notification_id = %s"
        try:
            if run is not None:
                with self.app.sql() as sql:
                    run(sql, [delivery])
                    sql.execute(forget, key)
            else:
                writes = as_writes(apply(delivery) if apply is not None else ())
                self.app.save(*writes.aggregates)
                with self.app.sql() as sql:
                    if writes.sql is not None:
                        writes.sql(sql)
                    sql.execute(forget, key)
        except (Poison, ValidationError) as error:
            dead_letter(self.container, delivery.upstream, delivery.body,
                        {bus.NOTIFICATION_ID: delivery.notification_id}, str(error))
            self._count(delivery.upstream, "dead_lettered")
            return
        self._count(delivery.upstream, "replayed")
