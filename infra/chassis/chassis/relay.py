"""The outbox relay: the service's own notification log, published in order to the event bus.

A service never publishes inside a request. This relay follows the notification log (the events table in
commit order), translates each domain event to its integration contract (or skips it), publishes the
batch with publisher confirms, and only then stores the position it reached. A crash between save and
publish loses nothing; a crash between publish and storing the position publishes again (consumers drop
duplicates by notification id).

Each message carries ``x-notification-id`` and ``x-previous-id`` (the id of the integration event before it),
so a consumer can tell a duplicate from a gap. One relay per service is active at a time: on PostgreSQL it
holds a session advisory lock on a connection of its own; a second instance waits for it.

The same translation serves ``read_range``, which upstream services expose over RPC for gap filling.
"""
from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import eventlet
import psycopg
from eventlet.event import Event
from nameko.extensions import DependencyProvider

from chassis import audit, config, unsafe
from chassis.application import ServiceApplication
from chassis.bus import (
    NOTIFICATION_ID,
    PREVIOUS_ID,
    UPSTREAM,
    ConfirmingPublisher,
    Outgoing,
)
from chassis.providers import find_store
from chassis.telemetry import Telemetry
from chassis.topics import topics_of

log = logging.getLogger(__name__)

Translate = Callable[[Any], "dict[str, Any] | None"]



class Lease:
    """Leadership of one relay per service across instances: a PostgreSQL session advisory lock."""

    def __init__(self, app: ServiceApplication, name: str) -> None:
        self.app, self.key = app, zlib.crc32(f"relay:{name}".encode())
        self.connection: psycopg.Connection | None = None

    def held(self) -> bool:
        if self.app.is_sqlite:
            return True  # embedded mode runs one process
        try:
            if self.connection is None or self.connection.closed:
                self.connection = None
                dbname = self.app.env.get("POSTGRES_DBNAME") or ""
                connection = psycopg.connect(config.postgres_conninfo(dbname), autocommit=True)
                row = connection.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
                if not (row and row[0]):
                    connection.close()
                    return False
                self.connection = connection
            self.connection.execute("SELECT 1")
            return True
        except psycopg.Error:
            self.release()
            return False

    def release(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except psycopg.Error:
                pass
        self.connection = None


class OutboxRelay(DependencyProvider):
    """Runs the relay loop in the container and serves ``read_range`` to the service's RPC method."""

    telemetry = Telemetry()

    def __init__(self, translate: Translate, translated: Sequence[type] = (), batch_size: int = 500,
                 idle_wait: float = 0.5, gather: float = 0.02, projections: Sequence[Any] = ()) -> None:
        """``translated``: the domain event classes ``translate`` turns into messages; only their rows are
        read from the log (an idempotency record or an internal event is never even decoded).
        ``projections``: the service's ``chassis.projection.LocalProjection`` read models of its own log,
        advanced by the same loop (one runner per service: the relay leader)."""
        self.translate, self.batch_size, self.idle_wait, self.gather = translate, batch_size, idle_wait, gather
        self.topics = tuple(topic for cls in translated for topic in topics_of(cls))
        self.projections = tuple(projections)

    def setup(self) -> None:
        self.store = find_store(self.container)
        self.service = self.container.service_name
        self.wakeup = Event()
        self.store.listeners.append(self.nudge)
        self.running = False

    def start(self) -> None:
        if (config.env("RELAY", "on") or "on").lower() in ("off", "n", "no", "0"):
            # This instance only serves requests; another instance (or a relay-only process) relays.
            self.running, self.thread = False, None
            self.publisher, self.lease = ConfirmingPublisher(""), Lease(self.app, self.service)
            return
        self.running = True
        self.signer = audit.signing_key(self.container.config.get("ENV") or None)
        self.publisher = ConfirmingPublisher(config.amqp_uri(self.container.config.get("ENV") or None))
        self.lease = Lease(self.app, self.service)
        self.thread = self.container.spawn_managed_thread(self._run, identifier="outbox relay")

    def stop(self) -> None:
        self.running = False
        self.nudge()
        thread = getattr(self, "thread", None)
        if thread is not None:
            thread.wait()
        self.publisher.close()
        self.lease.release()

    def kill(self) -> None:
        self.running = False
        thread = getattr(self, "thread", None)
        if thread is not None:
            thread.kill()

    def get_dependency(self, worker_ctx: Any) -> OutboxRelay:
        return self

    @property
    def app(self) -> ServiceApplication:
        assert self.store.app is not None
        return self.store.app

    def nudge(self) -> None:
        if not self.wakeup.ready():
            self.wakeup.send(True)

    # -- the loop ----------------------------------------------------------------------------------------
    def _run(self) -> None:
        failures = 0
        while self.running:
            try:
                leader = self.lease.held()
                metrics = self.telemetry.metrics
                metrics.labels(metrics.relay_leader).set(1 if leader else 0)
                if not leader:
                    self._wait(2.0)
                    continue
                moved = self.relay_once()
                # read models first (readers wait for them), then the audit chain, which follows the same log
                chained = sum(projection.advance(self.app) for projection in self.projections)
                chained += audit.advance(self.app, self.signer)
                if moved == 0 and chained == 0:
                    self._wait(self.idle_wait)
                elif moved < self.batch_size:
                    # Under load, a short pause gathers a larger batch: one SELECT and one confirm round
                    # for many messages instead of a few (post-to-publish latency grows by at most this).
                    eventlet.sleep(self.gather)
                failures = 0
            except Exception:
                failures += 1
                metrics = self.telemetry.metrics
                metrics.labels(metrics.relay_failures).inc()
                log.warning("relay of %s failed (attempt %d); retrying", self.service, failures, exc_info=True)
                self.publisher.close()
                self._wait(min(5.0, 0.2 * 2 ** min(failures, 5)))

    def _wait(self, seconds: float) -> None:
        with eventlet.Timeout(seconds, False):
            self.wakeup.wait()
        self.wakeup = Event()

    def relay_once(self) -> int:
        """Publishes the next batch; returns how many notifications it moved past."""
        position, last_published = self.read_position()
        head = self.app.head()  # read first: every id up to it is visible (appends commit in id order)
        notifications = self.app.recorder.select_notifications(start=position + 1, limit=self.batch_size,
                                                               topics=self.topics)
        metrics = self.telemetry.metrics
        metrics.labels(metrics.log_head).set(head)
        if not notifications:
            if head > position:  # only events that never leave the service: move past them
                self.store_position(head, last_published)
            metrics.labels(metrics.relay_position).set(max(head, position))
            metrics.labels(metrics.relay_lag).set(0)
            return 0
        outgoing: list[Outgoing] = []
        previous = last_published
        for notification in notifications:
            body = self.translate(self.app.mapper.to_domain_event(notification))
            if body is None:
                continue
            outgoing.append(Outgoing(
                routing_key=f"{self.service}.{body['event_type']}", body=body,
                headers={NOTIFICATION_ID: notification.id, PREVIOUS_ID: previous, UPSTREAM: self.service},
            ))
            previous = notification.id
        try:
            self.publisher.publish(outgoing)
        except Exception:
            if not unsafe.enabled("outbox"):
                raise  # the position stays: the batch is published again
            log.warning("TEST-ONLY: %d messages lost (outbox disabled)", len(outgoing))
        reached = notifications[-1].id
        self.store_position(reached, previous)
        for message in outgoing:
            metrics.labels(metrics.relay_published, event_type=message.body["event_type"]).inc()
        if outgoing:
            log.info("relayed", extra={"messages": len(outgoing), "notification_ids": [
                outgoing[0].headers[NOTIFICATION_ID], outgoing[-1].headers[NOTIFICATION_ID]]})
            if log.isEnabledFor(logging.DEBUG):  # one line per message only when asked for
                for message in outgoing:
                    log.debug("relayed message", extra={
                        "routing_key": message.routing_key, "notification_id": message.headers[NOTIFICATION_ID],
                        "correlation_id": message.body.get("correlation_id")})
        metrics.labels(metrics.relay_position).set(reached)
        metrics.labels(metrics.relay_lag).set(max(0, head - reached))
        return len(notifications)

    def read_position(self) -> tuple[int, int]:
        with self.app.sql() as sql:
            row = sql.execute("SELECT position, last_published FROM chassis_relay WHERE name = %s",
                              (self.service,)).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def store_position(self, position: int, last_published: int) -> None:
        with self.app.sql() as sql:
            sql.execute(
                "INSERT INTO chassis_relay (name, position, last_published) VALUES (%s, %s, %s)"
                " ON CONFLICT (name) DO UPDATE SET position = excluded.position,"
                " last_published = excluded.last_published WHERE chassis_relay.position < excluded.position",
                (self.service, position, last_published),
            )

    # -- gap filling, served over RPC ----------------------------------------------------------------------
    def read_range(self, after: int, upto: int | None = None, limit: int = 500) -> dict[str, Any]:
        """Integration events with ``after < notification id <= upto`` (at most ``limit`` scanned).

        Returns ``{"items": [{"notification_id", "body"}...], "scanned_to": N, "head": H}``; ``scanned_to``
        is where the next page starts, even when the page held no integration event.
        """
        limit = max(1, min(int(limit), 1000))
        head = self.app.head()
        stop = head if upto is None else min(int(upto), head)
        if stop <= after:
            return {"items": [], "scanned_to": max(after, 0), "head": head}
        notifications = self.app.recorder.select_notifications(start=after + 1, limit=limit, stop=stop,
                                                               topics=self.topics)
        items = []
        for notification in notifications:
            message = self.translate(self.app.mapper.to_domain_event(notification))
            if message is not None:
                items.append({"notification_id": notification.id, "body": message})
        scanned_to = notifications[-1].id if len(notifications) == limit else stop
        return {"items": items, "scanned_to": scanned_to, "head": head}
