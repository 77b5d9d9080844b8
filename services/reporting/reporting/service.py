"""The reporting nameko service: entrypoints only (reports in reports_api, the ledger in ledger_api)."""
from __future__ import annotations

import logging
from typing import Any

import eventlet
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy
from nameko.timer import timer

from chassis.endpoints import StandardEndpoints
from chassis.inbox import Delivery, Inbox, Writes, upstream_events
from chassis.providers import Store, find_store
from chassis.relay import OutboxRelay
from chassis.rpc import rpc
from chassis.telemetry import Telemetry
from reporting import projections
from reporting.application import Reporting, pseudonym_key
from reporting.engine import LedgerEngine, pathways_writes
from reporting.gauges import DomainGauges
from reporting.ledger_api import LedgerEndpoints
from reporting.ledger_views import LEDGER_VIEWS
from reporting.rebuild import Progress, rebuild
from reporting.reports_api import ReportEndpoints

UPSTREAMS = ("referrals", "pathways", "enterprises")
log = logging.getLogger(__name__)


class Ledger(DependencyProvider):
    """The container's ledger engine, over the Store's application."""

    def setup(self) -> None:
        self.store = find_store(self.container)
        self.engine: LedgerEngine | None = None

    def start(self) -> None:
        assert self.store.app is not None
        self.engine = LedgerEngine(self.store.app, pseudonym_key(self.container.config.get("ENV") or None))

    def get_dependency(self, worker_ctx: Any) -> LedgerEngine:
        assert self.engine is not None
        return self.engine


class Rebuilder(DependencyProvider):
    """Runs one read-model rebuild at a time in the container (reporting.rebuild), with its progress gauges."""

    telemetry = Telemetry()

    def setup(self) -> None:
        self.store = find_store(self.container)
        self.progress = Progress()

    def get_dependency(self, worker_ctx: Any) -> Rebuilder:
        return self

    def begin(self, fetchers: dict[str, Any], locks: dict[str, Any], inbox: Any = None) -> bool:
        if self.progress.running:
            return False
        self.progress.running = True  # claimed before the thread runs: a second request is refused
        metrics = self.telemetry.metrics

        def gauges() -> None:
            metrics.labels(metrics.rebuild_processed).set(self.progress.processed)
            metrics.labels(metrics.rebuild_total).set(self.progress.total)

        app = self.store.app
        assert app is not None, "the store is set up before any entrypoint runs"

        def run() -> None:
            try:
                rebuild(app, fetchers, self.progress, locks, on_page=gauges, inbox=inbox,
                        spawn=lambda fetch, *page: eventlet.spawn(fetch, *page).wait)
            except Exception:
                log.exception("the read-model rebuild failed; live deliveries carry on from where it stopped")
            finally:
                metrics.labels(metrics.rebuild_processed).set(0)
                metrics.labels(metrics.rebuild_total).set(0)

        self.container.spawn_managed_thread(run, identifier="read-model rebuild")
        return True


class ReportingService(ReportEndpoints, LedgerEndpoints, StandardEndpoints):
    name = "reporting"
    http_port = 8004
    consumes = UPSTREAMS
    store = Store(Reporting)
    outbox = OutboxRelay(lambda domain_event: None, projections=(LEDGER_VIEWS,))  # publishes nothing; serves its log
    inbox = Inbox()
    ledger = Ledger()
    rebuilder = Rebuilder()
    gauges = DomainGauges()  # the programme's gauges on /metrics, read from the read models at scrape time
    referrals = RpcProxy("referrals")
    pathways = RpcProxy("pathways")
    enterprises = RpcProxy("enterprises")

    @upstream_events("referrals")
    def on_referrals_event(self, delivery: Delivery) -> None:
        self.inbox.handle(delivery, self.referrals.integration_events, apply_sql=projections.apply)

    @upstream_events("pathways")
    def on_pathways_event(self, delivery: Delivery) -> None:
        """Read models and the outcome ledger, in one transaction with the positions."""
        self.inbox.handle(delivery, self.pathways.integration_events, apply=self._pathways_writes)

    @upstream_events("enterprises")
    def on_enterprises_event(self, delivery: Delivery) -> None:
        self.inbox.handle(delivery, self.enterprises.integration_events, apply_sql=projections.apply)

    @timer(interval=5)
    def catch_up(self) -> None:
        """Pulls what each upstream log holds beyond our position (a missed last message, a restart)."""
        self.inbox.catch_up("referrals", self.referrals.integration_events, apply_sql=projections.apply)
        self.inbox.catch_up("pathways", self.pathways.integration_events, apply=self._pathways_writes)
        self.inbox.catch_up("enterprises", self.enterprises.integration_events, apply_sql=projections.apply)

    @timer(interval=2)
    def catch_up_ledger(self) -> None:
        """Brings a newly registered (or lagging) contract's ledger through the pathways log, in order."""
        lock = self.inbox.locks["pathways"]
        if not lock.acquire(blocking=False):
            return  # a delivery is being processed: try again shortly
        try:
            self.ledger.catch_up(self.pathways.integration_events, self.store.position("pathways"))
        finally:
            lock.release()

    @rpc
    def rebuild_read_models(self) -> dict:
        """Starts rebuilding every read model from the upstream logs; returns at once (see rebuild_progress)."""
        fetchers = {u: getattr(self, u).integration_events for u in UPSTREAMS}
        started = self.rebuilder.begin(fetchers, {u: self.inbox.locks[u] for u in UPSTREAMS}, self.inbox)
        return {"started": started, **self.rebuilder.progress.view()}

    @rpc
    def rebuild_progress(self) -> dict:
        """How far the running (or last) rebuild has come: processed, total, rate, ETA."""
        return self.rebuilder.progress.view()

    def _pathways_writes(self, delivery: Delivery) -> Writes:
        return pathways_writes(self.ledger, delivery)
