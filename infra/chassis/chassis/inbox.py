"""Exactly-once, in-order consumption of another service's integration events.

RabbitMQ delivery is a nudge and a fast path; the upstream's notification log is the truth. For each
delivery the inbox compares the message's ``x-notification-id`` / ``x-previous-id`` with the position it has
stored for that upstream:

- id at or below the position: a duplicate, dropped;
- previous id above the position: something was missed, so the missing range is pulled from the upstream
  over RPC (``fetch``) and processed first;
- otherwise processed now.

Processing stores the new position in the same transaction as its writes (``save_tracked`` for event-sourced
consumers, ``record_tracking`` inside ``sql()`` for read models), and the tracking row refuses a position
that does not advance, so a duplicate racing in from another instance changes nothing. Within an instance a
lock per upstream keeps processing in order. A message that cannot be read, or whose processing fails
validation (``Poison``), goes to the service's dead-letter queue and is recorded; ``replay`` brings it back.

The deliveries themselves are ``chassis.delivery``; the queue consumer that turns RabbitMQ messages into them,
and dead-letters what cannot be read, is ``chassis.consumers``.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import eventlet
from eventlet.semaphore import Semaphore
from eventsourcing.persistence import IntegrityError
from marshmallow import ValidationError
from nameko.extensions import DependencyProvider

from chassis import bus, config, unsafe
from chassis.application import ServiceApplication
from chassis.consumers import dead_letter
from chassis.delivery import ApplyEvents, ApplySql, Delivery, Fetch, Poison, Writes
from chassis.meta import recording
from chassis.providers import find_store
from chassis.telemetry import Metrics, Telemetry

log = logging.getLogger(__name__)


def _writes(result: Sequence[Any] | Writes) -> Writes:
    return result if isinstance(result, Writes) else Writes(tuple(result))


def _fetch_with_timeout(fetch: Fetch, after: int, upto: int | None) -> dict:
    seconds = float(config.env("RPC_TIMEOUT", "10") or 10)
    try:
        with eventlet.Timeout(seconds):
            return fetch(after, upto, 500)
    except eventlet.Timeout:
        # eventlet.Timeout is a BaseException, which would kill the container: make it an ordinary failure.
        raise TimeoutError(f"the upstream log did not answer within {seconds:.0f} s") from None


class Inbox(DependencyProvider):
    """Ordered, exactly-once processing for one service (see module docstring)."""

    telemetry = Telemetry()

    @classmethod
    def outside_a_container(cls, app: ServiceApplication, service: str) -> Inbox:
        """The same processing (positions, duplicates dropped, gaps filled from the upstream log) without a
        nameko container: for tools and tests that drive ``handle`` and ``catch_up`` themselves."""
        from types import SimpleNamespace

        inbox = cls()
        inbox.store = SimpleNamespace(app=app)  # type: ignore[assignment]
        inbox.locks = defaultdict(Semaphore)
        inbox.heads = {}
        inbox.paused = set()
        inbox.container = SimpleNamespace(service_name=service, config={})
        inbox.telemetry = SimpleNamespace(metrics=Metrics(service))  # type: ignore[assignment]
        return inbox

    def setup(self) -> None:
        self.store = find_store(self.container)
        self.locks: dict[str, Semaphore] = defaultdict(Semaphore)
        self.container._useit_metrics = self.telemetry.metrics  # dead_letter() counts through it
        self.telemetry.metrics.known_upstreams(getattr(self.container.service_cls, "consumes", ()))
        self.heads: dict[str, int] = {}  # the highest upstream notification id known, for the lag gauge
        self.paused: set[str] = set()  # upstreams being rebuilt: deliveries and catch-ups wait (see pause)

    def get_dependency(self, worker_ctx: Any) -> Inbox:
        return self

    @property
    def app(self) -> ServiceApplication:
        assert self.store.app is not None
        return self.store.app

    def pause(self, upstream: str) -> None:
        """Stops processing ``upstream`` (while a rebuild reads its log from the start): deliveries are dropped
        and catch-ups skipped, so nothing fills the gap a reset opened one event per transaction. Safe because
        the log is the truth: after ``resume`` the next delivery or catch-up fills whatever was dropped."""
        self.paused.add(upstream)
        with self.locks[upstream]:
            pass  # a delivery already being processed finishes first

    def resume(self, upstream: str) -> None:
        self.paused.discard(upstream)

    def handle(self, delivery: Delivery, fetch: Fetch, apply: ApplyEvents | None = None,
               apply_sql: ApplySql | None = None) -> None:
        if delivery.upstream in self.paused and not delivery.replay:
            self._count(delivery.upstream, "deferred")
            return
        with self.locks[delivery.upstream]:
            if delivery.replay:
                self._replay(delivery, apply, apply_sql)
                return
            position = self.app.position(delivery.upstream)
            if delivery.notification_id <= position and not unsafe.enabled("dedupe"):
                self._count(delivery.upstream, "duplicate")
                return
            if delivery.previous_id > position and not unsafe.enabled("gapfill"):
                self._fill(delivery.upstream, position, delivery.notification_id - 1, fetch, apply, apply_sql)
            self._process(delivery, apply, apply_sql)
            unsafe.crash_point()  # test-only: committed, not yet acknowledged

    def catch_up(self, upstream: str, fetch: Fetch, apply: ApplyEvents | None = None,
                 apply_sql: ApplySql | None = None) -> int:
        """Processes whatever the upstream log holds beyond our position (also fills a trailing gap)."""
        lock = self.locks[upstream]
        if unsafe.enabled("gapfill"):
            return 0  # test-only: never pull from the upstream's log
        if upstream in self.paused or lock.locked():
            return 0  # a delivery is being processed; it will fill any gap itself
        with lock:
            return self._fill(upstream, self.app.position(upstream), None, fetch, apply, apply_sql)

    def _fill(self, upstream: str, after: int, upto: int | None, fetch: Fetch,
              apply: ApplyEvents | None, apply_sql: ApplySql | None) -> int:
        metrics = self.telemetry.metrics
        processed = 0
        while upto is None or after < upto:
            page = _fetch_with_timeout(fetch, after, upto)
            self.heads[upstream] = max(self.heads.get(upstream, 0), int(page["head"]))
            for item in page["items"]:
                delivery = Delivery(upstream, int(item["notification_id"]), after, item["body"])
                self._process(delivery, apply, apply_sql)
                processed += 1
            metrics.labels(metrics.consumer_lag, upstream=upstream).set(max(0, page["head"] - page["scanned_to"]))
            if page["scanned_to"] <= after:
                break
            after = int(page["scanned_to"])
        if processed:
            metrics.labels(metrics.gap_fills, upstream=upstream).inc()
        return processed

    def _process(self, delivery: Delivery, apply: ApplyEvents | None, apply_sql: ApplySql | None) -> None:
        try:
            with recording(actor=f"system:{self.container.service_name}",
                           organisation=delivery.body.get("organisation"),
                           idempotency_key=delivery.body.get("event_id"),
                           correlation_id=delivery.body.get("correlation_id")):
                self._write(delivery, apply, apply_sql)
                log.info("consumed", extra={"upstream": delivery.upstream, "event_type": delivery.event_type,
                                            "notification_id": delivery.notification_id})
        except IntegrityError:
            if self.app.position(delivery.upstream) >= delivery.notification_id:
                self._count(delivery.upstream, "duplicate")
                return
            raise
        except (Poison, ValidationError) as error:
            self._skip_poison(delivery, str(error))
            return
        self._count(delivery.upstream, "processed")
        metrics = self.telemetry.metrics
        metrics.labels(metrics.consumer_position, upstream=delivery.upstream).set(delivery.notification_id)
        # Between catch-ups (which read the upstream's head) the lag is measured against the highest id seen.
        head = self.heads[delivery.upstream] = max(self.heads.get(delivery.upstream, 0), delivery.notification_id)
        metrics.labels(metrics.consumer_lag, upstream=delivery.upstream).set(head - delivery.notification_id)

    def _write(self, delivery: Delivery, apply: ApplyEvents | None, apply_sql: ApplySql | None) -> None:
        if apply_sql is not None:
            with self.app.sql() as sql:
                apply_sql(sql, delivery)
                self.app.record_tracking(sql, delivery.upstream, delivery.notification_id)
        else:
            writes = _writes(apply(delivery) if apply is not None else ())
            self.app.save_tracked(delivery.upstream, delivery.notification_id, *writes.aggregates, sql=writes.sql)

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

    def _replay(self, delivery: Delivery, apply: ApplyEvents | None, apply_sql: ApplySql | None) -> None:
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
            if apply_sql is not None:
                with self.app.sql() as sql:
                    apply_sql(sql, delivery)
                    sql.execute(forget, key)
            else:
                writes = _writes(apply(delivery) if apply is not None else ())
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

    def _count(self, upstream: str, outcome: str) -> None:
        metrics = self.telemetry.metrics
        metrics.labels(metrics.consumed, upstream=upstream, outcome=outcome).inc()
