"""The outbox relay: the service's own notification log, published in order to the event bus.

A service never publishes inside a request. This relay follows the notification log (the events table in
commit order), translates each domain event to its integration contract (or skips it), publishes the
batch with publisher confirms, and only then stores the position it reached. A crash between save and
publish loses nothing; a crash between publish and storing the position publishes again (consumers drop
duplicates by notification id).

Each message carries ``x-notification-id`` and ``x-previous-id`` (the id of the integration event before it),
so a consumer can tell a duplicate from a gap. One relay per service is active at a time (``chassis.leader``: a
session advisory lock on a connection of its own; a second instance waits for it). The service's read models of
its own log and its audit chain are advanced by another loop beside it (``chassis.follower.LogFollower``).

The same translation serves ``read_range``, which upstream services expose over RPC for gap filling.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from chassis import config, unsafe
from chassis.bus import (
    NOTIFICATION_ID,
    PREVIOUS_ID,
    UPSTREAM,
    ConfirmingPublisher,
    Outgoing,
)
from chassis.leader import LeaderLoop
from chassis.telemetry import Telemetry
from chassis.topics import topics_of

log = logging.getLogger(__name__)

Translate = Callable[[Any], "dict[str, Any] | None"]


class OutboxRelay(LeaderLoop):
    """Runs the relay loop in the container and serves ``read_range`` to the service's RPC method."""

    job = "relay"
    telemetry = Telemetry()

    def __init__(self, translate: Translate, translated: Sequence[type] = (), batch_size: int = 500,
                 idle_wait: float = 0.5, gather: float = 0.02) -> None:
        """``translated``: the domain event classes ``translate`` turns into messages; only their rows are
        read from the log (an idempotency record or an internal event is never even decoded)."""
        self.translate, self.batch_size, self.idle_wait, self.gather = translate, batch_size, idle_wait, gather
        self.topics = tuple(topic for cls in translated for topic in topics_of(cls))
        self.publisher = ConfirmingPublisher("")

    def get_dependency(self, worker_ctx: Any) -> OutboxRelay:
        return self

    def begin(self) -> None:
        self.publisher = ConfirmingPublisher(config.amqp_uri(self.container.config.get("ENV") or None))

    def end(self) -> None:
        self.publisher.close()

    def leading(self, leader: bool) -> None:
        metrics = self.telemetry.metrics
        metrics.labels(metrics.relay_leader).set(1 if leader else 0)

    def failed(self) -> None:
        metrics = self.telemetry.metrics
        metrics.labels(metrics.relay_failures).inc()
        self.publisher.close()

    def turn(self) -> int:
        return self.relay_once()

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
