"""The entrypoint of an upstream's events: the service's durable queue of them, each message a ``Delivery``
for the handler (which hands them to the ``chassis.inbox.Inbox``), and the dead-letter queue for what cannot be
read.

One worker per upstream at a time: the messages that arrive while it works are held (unacknowledged) and the
next worker gets all of them, so under load the inbox applies them in runs, and a backlog of messages holds no
worker slots (HTTP requests never wait behind it). Each message is acknowledged once the worker that had it
returns, or given back to the queue if it failed."""
from __future__ import annotations

import json
import logging
from typing import Any

import eventlet
from kombu import Connection, Producer
from nameko.exceptions import ContainerBeingKilled
from nameko.messaging import Consumer, QueueConsumer

from chassis import bus, config
from chassis.delivery import Delivery

log = logging.getLogger(__name__)


class DeadLetteringQueueConsumer(QueueConsumer):
    """nameko's queue consumer, except that a body kombu cannot decode is dead-lettered, not dropped, and the
    service's upstream queues have ``INBOX_PREFETCH`` (default 400) messages in flight instead of nameko's
    ``max_workers``: they wait in the entrypoint's hand, not in worker slots, and become the inbox's runs."""

    @property
    def prefetch_count(self) -> int:
        return config.inbox_prefetch(self.container.config.get("ENV") or None)

    def on_decode_error(self, message: Any, exc: Exception) -> None:
        headers = dict(message.headers or {})
        dead_letter(self.container, str(headers.get(bus.UPSTREAM, "unknown")), message.body, headers,
                    f"undecodable body: {exc}")
        message.ack()


class UpstreamEvents(Consumer):
    """Entrypoint: the service's durable queue of one upstream's events; the method gets a list of ``Delivery``
    (every message held since the last worker, in arrival order) for ``Inbox.handle``.

    Malformed messages are dead-lettered here, before any worker runs. A handler that fails for another
    reason (database down, RPC timeout) gets the message back after a pause.
    """

    queue_consumer = DeadLetteringQueueConsumer()

    def __init__(self, upstream: str, **kwargs: Any) -> None:
        self.upstream = upstream
        super().__init__(queue=None, requeue_on_error=True, **kwargs)

    def setup(self) -> None:
        self.queue = bus.consumer_queue(self.container.service_name, self.upstream)
        self.held: list[tuple[Delivery, Any]] = []  # messages arrived while a worker had the others
        self.working = False
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
        self.held.append((delivery, message))
        if not self.working:
            self._work()

    def _work(self) -> None:
        """A worker for every message held: the handler gets their deliveries, in arrival order."""
        batch, self.held, self.working = self.held, [], True
        first = batch[0][0]
        context = {"correlation_id": first.body.get("correlation_id"),
                   "actor": f"system:{self.container.service_name}"}
        try:
            self.container.spawn_worker(self, ([delivery for delivery, _ in batch],), {}, context_data=context,
                                        handle_result=lambda ctx, result, exc_info: self._done(batch, result,
                                                                                               exc_info))
        except ContainerBeingKilled:  # as nameko's own Consumer: the messages go back to the queue
            for _, message in batch:
                self.queue_consumer.requeue_message(message)
            self.working = False

    def _done(self, batch: list[tuple[Delivery, Any]], result: Any, exc_info: Any) -> Any:
        if exc_info is not None:
            eventlet.sleep(1.0)  # a failing dependency: do not spin on redeliveries
        for _, message in batch:
            self.handle_message_processed(message, result, exc_info)
        self.working = False
        if self.held:
            self._work()
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
