"""The entrypoint of an upstream's events: the service's durable queue of them, each message a ``Delivery``
for the handler (which hands it to the ``chassis.inbox.Inbox``), and the dead-letter queue for what cannot be
read."""
from __future__ import annotations

import json
import logging
from typing import Any

import eventlet
from kombu import Connection, Producer
from nameko.messaging import Consumer, QueueConsumer

from chassis import bus, config
from chassis.delivery import Delivery

log = logging.getLogger(__name__)


class DeadLetteringQueueConsumer(QueueConsumer):
    """nameko's queue consumer, except that a body kombu cannot decode is dead-lettered, not dropped, and each
    upstream's queue has only a few messages in flight (``INBOX_PREFETCH``, default 4) instead of nameko's
    ``max_workers``: an upstream's deliveries are processed one at a time under its lock, so more in flight
    would only hold worker slots while they wait, and under a burst they held them all (HTTP requests then
    queued for seconds behind them)."""

    @property
    def prefetch_count(self) -> int:
        return config.inbox_prefetch(self.container.config.get("ENV") or None)

    def on_decode_error(self, message: Any, exc: Exception) -> None:
        headers = dict(message.headers or {})
        dead_letter(self.container, str(headers.get(bus.UPSTREAM, "unknown")), message.body, headers,
                    f"undecodable body: {exc}")
        message.ack()


class UpstreamEvents(Consumer):
    """Entrypoint: the service's durable queue of one upstream's events; the method gets a ``Delivery``.

    Malformed messages are dead-lettered here, before any worker runs. A handler that fails for another
    reason (database down, RPC timeout) gets the message back after a pause.
    """

    queue_consumer = DeadLetteringQueueConsumer()

    def __init__(self, upstream: str, **kwargs: Any) -> None:
        self.upstream = upstream
        super().__init__(queue=None, requeue_on_error=True, **kwargs)

    def setup(self) -> None:
        self.queue = bus.consumer_queue(self.container.service_name, self.upstream)
        super().setup()

    def handle_message(self, body: Any, message: Any) -> None:
        try:
            headers = message.headers or {}
            payload = json.loads(body) if isinstance(body, (str, bytes)) else body
            if not isinstance(payload, dict) or headers.get(bus.UPSTREAM) != self.upstream:
                raise ValueError("not an integration event of " + self.upstream)
            delivery = Delivery(self.upstream, int(headers[bus.NOTIFICATION_ID]),
                                int(headers.get(bus.PREVIOUS_ID, 0)), payload, bool(headers.get(bus.REPLAY)))
        except (KeyError, TypeError, ValueError) as error:
            dead_letter(self.container, self.upstream, body, dict(message.headers or {}), str(error))
            self.queue_consumer.ack_message(message)
            return
        context = {"correlation_id": payload.get("correlation_id"), "actor": f"system:{self.container.service_name}"}
        self.container.spawn_worker(self, (delivery,), {}, context_data=context,
                                    handle_result=lambda ctx, result, exc_info: self._done(message, result, exc_info))

    def _done(self, message: Any, result: Any, exc_info: Any) -> Any:
        if exc_info is not None:
            eventlet.sleep(1.0)  # a failing dependency: do not spin on redeliveries
        self.handle_message_processed(message, result, exc_info)
        return result, exc_info


upstream_events = UpstreamEvents.decorator


def dead_letter(container: Any, upstream: str, body: Any, headers: dict[str, Any], reason: str) -> None:
    service = container.service_name
    queue = bus.dead_letter_queue(service)
    with Connection(config.amqp_uri(container.config.get("ENV") or None)) as connection:
        channel = connection.channel()
        queue(channel).declare()
        Producer(channel).publish(
            body if isinstance(body, (str, bytes)) else json.dumps(body),
            exchange=bus.dead_letter_exchange(), routing_key=queue.routing_key, delivery_mode=2,
            content_type="application/json", content_encoding="utf-8",
            headers={**headers, "x-dead-letter-reason": reason[:500], "x-consumer": service, bus.UPSTREAM: upstream},
        )
    metrics = getattr(container, "_useit_metrics", None)
    if metrics is not None:
        metrics.labels(metrics.dead_letters, upstream=upstream).inc()
    log.warning("dead-lettered a message from %s: %s", upstream, reason[:200])
