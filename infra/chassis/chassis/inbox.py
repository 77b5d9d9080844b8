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
lock per upstream keeps processing in order.

Runs. A SQL handler (``apply_sql``, or ``apply_run`` for a whole run) applies consecutive deliveries of one
upstream in one transaction: up to ``INBOX_RUN`` (200) of them, as many as recent runs applied within
``INBOX_RUN_BUDGET`` (0.25 s: a run holds its row locks that long), and its position moved by compare-and-set from
the one it read (so a run over deliveries another instance processed meanwhile, even some of them, collides, and
the whole run rolls back). Runs come from the messages the queue holds (the consumer hands the inbox every message
of an upstream that arrived while the previous ones were processed: under a sustained load, many) and from the
upstream's log (gap fills and catch-ups, in pages). A run that fails for any reason (a message that breaks its
contract, a collision, a handler's refusal) is rolled back and its deliveries are processed one at a time as
before, so a bad message is dead-lettered alone. Event-sourced handlers (``apply``) process one delivery per
transaction.

A message that cannot be read, or whose processing fails validation (``Poison``), goes to the service's
dead-letter queue and is recorded; ``replay`` brings it back.

The deliveries themselves are ``chassis.delivery``; the queue consumer that turns RabbitMQ messages into them,
and dead-letters what cannot be read, is ``chassis.consumers``.
"""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import eventlet
from eventlet.semaphore import Semaphore
from eventsourcing.persistence import IntegrityError
from marshmallow import ValidationError
from nameko.extensions import DependencyProvider

from chassis import config, unsafe
from chassis.application import ServiceApplication
from chassis.delivery import ApplyEvents, ApplyRun, ApplySql, Delivery, Fetch, Poison, as_writes
from chassis.poison import PoisonHandling
from chassis.providers import find_store
from chassis.telemetry import Metrics, Telemetry

log = logging.getLogger(__name__)


def _fetch_with_timeout(fetch: Fetch, after: int, upto: int | None) -> dict:
    seconds = float(config.env("RPC_TIMEOUT", "10") or 10)
    try:
        with eventlet.Timeout(seconds):
            return fetch(after, upto, 500)
    except eventlet.Timeout:
        # eventlet.Timeout is a BaseException, which would kill the container: make it an ordinary failure.
        raise TimeoutError(f"the upstream log did not answer within {seconds:.0f} s") from None


def run_size() -> int:
    return max(1, int(config.env("INBOX_RUN", "200") or 200))


def run_budget() -> float:
    return float(config.env("INBOX_RUN_BUDGET", "0.25") or 0.25)


class Inbox(PoisonHandling, DependencyProvider):
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
        inbox.pace = {}
        inbox.arrived = {}
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
        self.pace: dict[str, float] = {}  # seconds per delivery in recent runs, per upstream
        self.arrived: dict[str, float] = {}  # when a delivery of each upstream last arrived (monotonic)
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

    def handle(self, deliveries: Delivery | Sequence[Delivery], fetch: Fetch, apply: ApplyEvents | None = None,
               apply_sql: ApplySql | None = None, apply_run: ApplyRun | None = None) -> None:
        """Processes deliveries of one upstream (the messages the queue held, ``chassis.consumers``): duplicates
        dropped, gaps before any of them filled from the upstream's log, the rest applied in order, in runs
        when the handler takes them."""
        batch = [deliveries] if isinstance(deliveries, Delivery) else list(deliveries)
        run = self._run_of(apply_sql, apply_run)
        for replayed in (d for d in batch if d.replay):
            with self.locks[replayed.upstream]:
                self._replay(replayed, apply, run)
        batch = sorted({d.notification_id: d for d in batch if not d.replay}.values(), key=lambda d: d.notification_id)
        if not batch:
            return
        upstream = batch[0].upstream
        if upstream in self.paused:
            self._count(upstream, "deferred", len(batch))
            return
        self.heads[upstream] = max(self.heads.get(upstream, 0), batch[-1].notification_id)
        self.arrived[upstream] = time.monotonic()
        with self.locks[upstream]:
            position = self.app.position(upstream)
            if not unsafe.enabled("dedupe"):
                fresh = [d for d in batch if d.notification_id > position]
                if len(fresh) < len(batch):
                    self._count(upstream, "duplicate", len(batch) - len(fresh))
                batch = fresh
            held: list[Delivery] = []
            for delivery in batch:
                last = held[-1].notification_id if held else position
                if delivery.previous_id > last and not unsafe.enabled("gapfill"):
                    # something before this one was missed: apply what is held, then the gap from the log
                    self._process_all(held, apply, run)
                    self._fill(upstream, last, delivery.notification_id - 1, fetch, apply, run)
                    held = []
                held.append(delivery)
            self._process_all(held, apply, run)
            unsafe.crash_point()  # test-only: committed, not yet acknowledged

    def catch_up(self, upstream: str, fetch: Fetch, apply: ApplyEvents | None = None,
                 apply_sql: ApplySql | None = None, apply_run: ApplyRun | None = None, quiet: float = 0.0) -> int:
        """Processes whatever the upstream log holds beyond our position (also fills a trailing gap).

        ``quiet``: only when no delivery of this upstream arrived for that many seconds (a timer's catch-up:
        while messages flow, the next one names any gap before it, and a catch-up would chase the upstream's
        moving head page by page over RPC, holding the upstream's lock, while the messages pile up)."""
        lock = self.locks[upstream]
        if unsafe.enabled("gapfill"):
            return 0  # test-only: never pull from the upstream's log
        if upstream in self.paused or lock.locked():
            return 0  # a delivery is being processed; it will fill any gap itself
        if quiet and time.monotonic() - self.arrived.get(upstream, float("-inf")) < quiet:
            return 0
        with lock:
            return self._fill(upstream, self.app.position(upstream), None, fetch, apply,
                              self._run_of(apply_sql, apply_run))

    def _run_of(self, apply_sql: ApplySql | None, apply_run: ApplyRun | None) -> ApplyRun | None:
        if apply_run is not None or apply_sql is None:
            return apply_run
        service = self.container.service_name

        def each(sql: Any, deliveries: Sequence[Delivery]) -> None:
            for delivery in deliveries:
                with delivery.recorded(service):
                    apply_sql(sql, delivery)
        return each

    @staticmethod
    def _runs_enabled() -> bool:
        # the fault tests' switches test one delivery at a time (their bite tests show what each protects)
        return run_size() > 1 and not unsafe.enabled("dedupe") and not unsafe.enabled("gapfill")

    def _fill(self, upstream: str, after: int, upto: int | None, fetch: Fetch,
              apply: ApplyEvents | None, run: ApplyRun | None) -> int:
        metrics = self.telemetry.metrics
        processed = 0
        while upto is None or after < upto:
            page = _fetch_with_timeout(fetch, after, upto)
            self._check_head(upstream, after, int(page["head"]))
            self.heads[upstream] = max(self.heads.get(upstream, 0), int(page["head"]))
            deliveries = [Delivery(upstream, int(item["notification_id"]), after, item["body"])
                          for item in page["items"]]
            self._process_all(deliveries, apply, run)
            processed += len(deliveries)
            metrics.labels(metrics.consumer_lag, upstream=upstream).set(max(0, page["head"] - page["scanned_to"]))
            if page["scanned_to"] <= after:
                break
            after = int(page["scanned_to"])
        if processed:
            metrics.labels(metrics.gap_fills, upstream=upstream).inc()
        return processed

    def _check_head(self, upstream: str, position: int, head: int) -> None:
        """An upstream's log whose head is below what we processed lost events after publishing them (an
        asynchronous standby promoted: docs/scaling.md); its next events reuse those ids, and we would drop them
        as done. Nothing here can tell them apart: it is reported (log and gauge) for an operator to stop it."""
        behind = max(0, position - head)
        self.telemetry.metrics.labels(self.telemetry.metrics.upstream_behind, upstream=upstream).set(behind)
        if behind:
            log.error("upstream log behind our position", extra={
                "upstream": upstream, "position": position, "head": head,
                "why": "a failover lost published events; their ids will be reused (docs/scaling.md)"})

    def _process_all(self, deliveries: Sequence[Delivery], apply: ApplyEvents | None,
                     run: ApplyRun | None) -> None:
        """Processes consecutive deliveries of one upstream in order: in runs when the handler takes them."""
        if not deliveries:
            return
        if run is None or len(deliveries) < 2 or not self._runs_enabled():
            for delivery in deliveries:
                self._process(delivery, apply, run)
            return
        start = 0
        while start < len(deliveries):
            start += self._process_run(deliveries[start:start + self._chunk(deliveries[0].upstream)], apply, run)

    def _chunk(self, upstream: str) -> int:
        """How many deliveries the next run takes: as many as the last runs applied within the budget."""
        seconds = self.pace.get(upstream)
        return run_size() if not seconds else max(1, min(run_size(), int(run_budget() / seconds)))

    def _process_run(self, deliveries: Sequence[Delivery], apply: ApplyEvents | None, run: ApplyRun) -> int:
        """Applies ``deliveries`` in one transaction; returns how many it moved past. Falls back to one delivery
        at a time when the run fails."""
        upstream = deliveries[0].upstream
        position = self.app.position(upstream)  # committed; the run moves it only from here (compare-and-set)
        fresh = [d for d in deliveries if d.notification_id > position]
        if not fresh:
            self._count(upstream, "duplicate", len(deliveries))
            return len(deliveries)
        began = time.monotonic()
        try:
            with self.app.sql() as sql:
                run(sql, fresh)
                self.app.advance_tracking(sql, upstream, position, fresh[-1].notification_id)
        except Exception as error:  # noqa: BLE001 - any failure: the run is rolled back, then one at a time
            log.info("run of %d from %s rolled back (%s); one at a time", len(fresh), upstream,
                     type(error).__name__)
            for delivery in fresh:
                self._process(delivery, apply, run)
            return len(deliveries)
        # seconds per delivery, smoothed: sizes the next run to the budget (a run holds its locks that long)
        seconds = (time.monotonic() - began) / len(fresh)
        self.pace[upstream] = seconds if upstream not in self.pace else 0.7 * self.pace[upstream] + 0.3 * seconds
        skipped = len(deliveries) - len(fresh)
        if skipped:
            self._count(upstream, "duplicate", skipped)
        self._processed(fresh)
        return len(deliveries)

    def _process(self, delivery: Delivery, apply: ApplyEvents | None, run: ApplyRun | None) -> None:
        try:
            with delivery.recorded(self.container.service_name):
                self._write(delivery, apply, run)
        except IntegrityError:
            if self.app.position(delivery.upstream) >= delivery.notification_id:
                self._count(delivery.upstream, "duplicate")
                return
            raise
        except (Poison, ValidationError) as error:
            self._skip_poison(delivery, str(error))
            return
        self._processed([delivery])

    def _processed(self, deliveries: Sequence[Delivery]) -> None:
        upstream, last = deliveries[-1].upstream, deliveries[-1].notification_id
        self._count(upstream, "processed", len(deliveries))
        log.info("consumed", extra={"upstream": upstream, "events": len(deliveries), "notification_ids": [
            deliveries[0].notification_id, last], "event_type": deliveries[-1].event_type})
        metrics = self.telemetry.metrics
        metrics.labels(metrics.consumer_position, upstream=upstream).set(last)
        # Between catch-ups (which read the upstream's head) the lag is measured against the highest id seen.
        head = self.heads[upstream] = max(self.heads.get(upstream, 0), last)
        metrics.labels(metrics.consumer_lag, upstream=upstream).set(head - last)

    def _write(self, delivery: Delivery, apply: ApplyEvents | None, run: ApplyRun | None) -> None:
        if run is not None:
            with self.app.sql() as sql:
                run(sql, [delivery])
                self.app.record_tracking(sql, delivery.upstream, delivery.notification_id)
        else:
            writes = as_writes(apply(delivery) if apply is not None else ())
            self.app.save_tracked(delivery.upstream, delivery.notification_id, *writes.aggregates, sql=writes.sql)

    def _count(self, upstream: str, outcome: str, deliveries: int = 1) -> None:
        metrics = self.telemetry.metrics
        metrics.labels(metrics.consumed, upstream=upstream, outcome=outcome).inc(deliveries)
