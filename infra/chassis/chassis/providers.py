"""The nameko dependency that gives each worker its service's event store, and how other providers find it."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from nameko.extensions import DependencyProvider

from chassis import unsafe
from chassis.application import ServiceApplication, build_application
from chassis.cooperative import assert_cooperative
from chassis.meta import set_meta
from chassis.telemetry import Telemetry

log = logging.getLogger(__name__)


class Store(DependencyProvider):
    """Gives each worker the container's one Application (one connection pool per container).

    It also puts the worker's context (actor, organisation, idempotency key, correlation id) where
    ``TracedAggregate`` stamps it on every event, and after each save counts the stored events by type
    (``useit_events_stored_total``), logs one ``stored`` line and nudges the outbox relay.
    """

    telemetry = Telemetry()

    def __init__(self, app_class: type[ServiceApplication]) -> None:
        self.app_class = app_class
        self.app: ServiceApplication | None = None
        self.listeners: list[Callable[[], None]] = []

    def setup(self) -> None:
        assert_cooperative()
        unsafe.refuse_outside_tests()
        self.app = build_application(self.app_class, self.container.config.get("ENV") or None)
        if self.app.is_sqlite:
            self.app.migrate()
        metrics = self.telemetry.metrics

        def count_log_and_nudge(recordings: Any) -> None:
            if recordings:
                event_types = [type(r.domain_event).__qualname__ for r in recordings]
                metrics.count_stored(event_types)
                # One line per save (not per event), with the worker's correlation id (chassis.logs).
                log.info("stored", extra={"events": len(recordings), "event_types": sorted(set(event_types)),
                                          "notification_ids": [recordings[0].notification.id,
                                                               recordings[-1].notification.id]})
            for listener in self.listeners:
                listener()

        self.app.on_stored.append(count_log_and_nudge)

    def stop(self) -> None:
        if self.app is not None:
            self.app.close()

    def kill(self) -> None:
        self.stop()

    def worker_setup(self, worker_ctx: Any) -> None:
        set_meta(worker_ctx.context_data)

    def get_dependency(self, worker_ctx: Any) -> ServiceApplication:
        assert self.app is not None
        return self.app


P = TypeVar("P", bound=DependencyProvider)


def find_provider(container: Any, kind: type[P]) -> P:
    """The container's one dependency provider of ``kind`` (how providers reach each other)."""
    for dependency in container.dependencies:
        if isinstance(dependency, kind):
            return dependency
    raise LookupError(f"the service declares no {kind.__module__}.{kind.__qualname__} dependency")


def find_store(container: Any) -> Store:
    """The container's Store dependency (the relay, inbox, gate, vault and probes share its Application)."""
    return find_provider(container, Store)
