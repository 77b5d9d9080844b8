"""Names and connections of the event bus: one durable topic exchange, routing key ``<service>.<event_type>``."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import amqp
import eventlet
from kombu import Connection, Exchange, Producer, Queue

from chassis import config

log = logging.getLogger(__name__)

NOTIFICATION_ID = "x-notification-id"
PREVIOUS_ID = "x-previous-id"
UPSTREAM = "x-upstream"
REPLAY = "x-replay"


def exchange_name() -> str:
    return config.env("EVENT_EXCHANGE", "useit.events") or "useit.events"


def events_exchange() -> Exchange:
    return Exchange(exchange_name(), type="topic", durable=True)


def dead_letter_exchange() -> Exchange:
    return Exchange(exchange_name() + ".dead", type="direct", durable=True)


def queue_arguments() -> dict[str, Any] | None:
    """``BUS_QUEUE_TYPE=quorum`` declares the durable queues as quorum queues (replicated across a RabbitMQ
    cluster: docs/scaling.md); the default is RabbitMQ's classic queue. A queue's type is fixed when it is
    first declared, so changing it means deleting the queues (consumers catch up from the upstream logs)."""
    kind = (config.env("BUS_QUEUE_TYPE", "classic") or "classic").lower()
    if kind not in ("classic", "quorum"):
        raise ValueError(f"BUS_QUEUE_TYPE must be classic or quorum, not {kind!r}")
    return {"x-queue-type": "quorum"} if kind == "quorum" else None


def consumer_queue(service: str, upstream: str) -> Queue:
    """The durable queue through which ``service`` hears every event of ``upstream`` (the nudge)."""
    return Queue(f"{service}.from.{upstream}", events_exchange(), routing_key=f"{upstream}.#", durable=True,
                 queue_arguments=queue_arguments())


def dead_letter_queue(service: str) -> Queue:
    name = f"{service}.dead-letters"
    return Queue(name, dead_letter_exchange(), routing_key=name, durable=True, queue_arguments=queue_arguments())


@dataclass(frozen=True)
class Outgoing:
    routing_key: str
    body: dict[str, Any]
    headers: dict[str, Any]


class ConfirmingPublisher:
    """Publishes batches of persistent messages and returns only once the broker has confirmed them all.

    On AMQP the channel is put in confirm mode and the batch is published back to back, then the
    connection is drained until the broker's (possibly multiple) basic.ack covers the last delivery tag:
    one round of waiting per batch instead of one per message. A nack or a dropped connection raises, so the
    caller does not advance its position and publishes the batch again (consumers drop the duplicates).
    kombu's in-memory transport (embedded mode) has no confirms: its publish is synchronous.
    """

    def __init__(self, uri: str, confirm_timeout: float = 10.0) -> None:
        self.uri, self.confirm_timeout = uri, confirm_timeout
        self.connection: Connection | None = None

    def _connect(self) -> None:
        self.connection = Connection(self.uri, heartbeat=0)
        self.connection.ensure_connection(max_retries=1)
        channel = self.connection.channel()
        events_exchange().declare(channel=channel)
        dead_letter_exchange().declare(channel=channel)
        self.confirming = hasattr(channel, "confirm_select") and not config.embedded({"AMQP_URI": self.uri})
        self.sent = self.acked = 0
        self.nacked = False
        if self.confirming:
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
        self.producer = Producer(channel, exchange=events_exchange())

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self.acked = max(self.acked, delivery_tag)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self.nacked = True

    def publish(self, messages: list[Outgoing], exchange: Exchange | None = None) -> None:
        if not messages:
            return
        if self.connection is None:
            self._connect()
        assert self.connection is not None
        target = exchange or events_exchange()
        try:
            for message in messages:
                self._send(message, target)
                self.sent += 1
            if self.confirming:
                self._await_confirms()
        except Exception:
            self.close()
            raise

    def _send(self, message: Outgoing, target: Exchange) -> None:
        body = json.dumps(message.body)
        if self.confirming:
            # py-amqp directly: kombu's Producer.publish costs several times the CPU per message, and the
            # relay publishes every integration event the service stores.
            self.producer.channel.basic_publish(
                amqp.Message(body, content_type="application/json", content_encoding="utf-8", delivery_mode=2,
                             application_headers=message.headers),
                exchange=target.name, routing_key=message.routing_key)
        else:
            self.producer.publish(body, routing_key=message.routing_key, headers=message.headers, exchange=target,
                                  delivery_mode=2, content_type="application/json", content_encoding="utf-8",
                                  retry=False)

    def _await_confirms(self) -> None:
        assert self.connection is not None
        deadline = eventlet.hubs.get_hub().clock() + self.confirm_timeout
        while self.acked < self.sent and not self.nacked:
            remaining = deadline - eventlet.hubs.get_hub().clock()
            if remaining <= 0:
                raise TimeoutError("the broker did not confirm the batch in time")
            self.connection.drain_events(timeout=remaining)
        if self.nacked:
            raise ConnectionError("the broker refused (nacked) a message of the batch")

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.release()
            except Exception:  # closing a broken connection may fail again; nothing to keep
                pass
        self.connection = None
