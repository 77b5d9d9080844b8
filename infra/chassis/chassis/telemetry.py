"""Prometheus metrics of one service container, in a registry of its own.

A registry per container (not prometheus_client's global one) keeps the four services apart when the
embedded mode runs them in one process. Every metric has a ``service`` label; label values are route
templates, event types and upstream names, never ids or personal data (bounded cardinality).

Series whose labels are known when the container starts are made at once (counters at 0, rebuild progress
at 0 of 0), so a dashboard or alert sees "nothing happened" rather than "no data". The catalogue, with every
metric's meaning, is docs/observability.md (generated: ``python -m monitoring``).
"""
from __future__ import annotations

from collections import Counter as Counter_
from collections.abc import Iterable
from typing import Any

from nameko.extensions import SharedExtension
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.http_requests = Counter("useit_http_requests_total", "HTTP requests answered",
                                     ["service", "route", "method", "status"], registry=r)
        self.http_duration = Histogram("useit_http_request_duration_seconds", "HTTP request latency",
                                       ["service", "route", "method"], buckets=LATENCY_BUCKETS, registry=r)
        self.events_stored = Counter("useit_events_stored_total", "Domain events stored",
                                     ["service", "event_type"], registry=r)
        self.relay_published = Counter("useit_relay_published_total", "Integration events published",
                                       ["service", "event_type"], registry=r)
        self.relay_failures = Counter("useit_relay_publish_failures_total", "Failed publish attempts",
                                      ["service"], registry=r)
        self.relay_position = Gauge("useit_relay_position", "Last notification id confirmed by the broker",
                                    ["service"], registry=r)
        self.relay_leader = Gauge("useit_relay_leader", "1 while this instance holds the relay lease",
                                  ["service"], registry=r)
        self.log_head = Gauge("useit_notification_log_head", "Highest notification id stored",
                              ["service"], registry=r)
        self.relay_lag = Gauge("useit_relay_lag_events", "Notification log head minus relayed position",
                               ["service"], registry=r)
        self.consumed = Counter("useit_consumer_processed_total", "Upstream events processed",
                                ["service", "upstream", "outcome"], registry=r)
        self.consumer_lag = Gauge("useit_consumer_lag_events", "Upstream head minus processed position",
                                  ["service", "upstream"], registry=r)
        self.consumer_position = Gauge("useit_consumer_position", "Upstream notification id processed",
                                       ["service", "upstream"], registry=r)
        self.upstream_behind = Gauge(
            "useit_consumer_upstream_behind_events",
            "Our position minus the upstream log's head when the head is below it (a failover lost events the"
            " upstream had published: its next events reuse their ids); 0 when not", ["service", "upstream"],
            registry=r)
        self.gap_fills = Counter("useit_consumer_gap_fills_total", "Ranges pulled from an upstream log",
                                 ["service", "upstream"], registry=r)
        self.dead_letters = Counter("useit_dead_letters_total", "Messages sent to the dead-letter queue",
                                    ["service", "upstream"], registry=r)
        self.dependency_up = Gauge("useit_dependency_up", "1 when the dependency answered its last check",
                                   ["service", "dependency"], registry=r)
        self.dead_letter_queue = Gauge("useit_dead_letter_queue_messages",
                                       "Messages waiting in the service's dead-letter queue (at the last check)",
                                       ["service"], registry=r)
        # Set by a read-model rebuild while it pulls the upstream logs (both 0 when none is running).
        self.rebuild_processed = Gauge("useit_rebuild_processed_events", "Events processed by the running rebuild",
                                       ["service"], registry=r)
        self.rebuild_total = Gauge("useit_rebuild_total_events", "Events the running rebuild has to process",
                                   ["service"], registry=r)
        for metric in (self.relay_failures, self.rebuild_processed, self.rebuild_total):
            self.labels(metric)
        self._stored: dict[str, Any] = {}

    def count_stored(self, event_types: Iterable[str]) -> None:
        """Counts stored events by type (the event's class, e.g. ``Pathway.ExamAttempted``: a bounded set)."""
        for event_type, count in Counter_(event_types).items():
            child = self._stored.get(event_type)
            if child is None:
                child = self._stored[event_type] = self.labels(self.events_stored, event_type=event_type)
            child.inc(count)

    def known_upstreams(self, upstreams: Iterable[str]) -> None:
        """Makes the per-upstream counters of a consumer at 0, so they exist before the first event."""
        for upstream in upstreams:
            for metric in (self.dead_letters, self.gap_fills, self.upstream_behind):
                self.labels(metric, upstream=upstream)

    def labels(self, metric: Any, **labels: str) -> Any:
        return metric.labels(service=self.service, **labels)

    def answered(self, route: str, method: str, status: int, seconds: float) -> None:
        """One HTTP answer: counted by route template, method and status, and its latency observed."""
        self.labels(self.http_requests, route=route, method=method, status=str(status)).inc()
        self.labels(self.http_duration, route=route, method=method).observe(seconds)


class Telemetry(SharedExtension):
    """One ``Metrics`` per container, shared by its entrypoints and dependency providers."""

    _metrics: Metrics | None = None

    @property
    def metrics(self) -> Metrics:
        # Made on first use: dependency providers may set up before this shared extension does.
        if self._metrics is None:
            self._metrics = Metrics(self.container.service_name)
        return self._metrics
