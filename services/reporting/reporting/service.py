"""The reporting nameko service: entrypoints only (reports in readmodels.reports_api, the ledger in
outcomes.api; its dependencies in dependencies.py)."""
from __future__ import annotations

import logging
from collections.abc import Sequence

from nameko.rpc import RpcProxy
from nameko.timer import timer

from chassis import config
from chassis.consumers import upstream_events
from chassis.delivery import Delivery
from chassis.endpoints import StandardEndpoints
from chassis.follower import LogFollower
from chassis.inbox import Inbox
from chassis.providers import Store
from chassis.relay import OutboxRelay
from chassis.rpc import rpc
from chassis.sql import Sql
from reporting.application import Reporting
from reporting.dependencies import Ledger, LedgerCasesProvider, Rebuilder
from reporting.outcomes.api import LedgerEndpoints
from reporting.outcomes.engine import apply_pathways_run
from reporting.outcomes.views import LEDGER_VIEWS
from reporting.readmodels import projections
from reporting.readmodels.gauges import DomainGauges
from reporting.readmodels.reports_api import ReportEndpoints
from reporting.translation import TRANSLATED, to_contract

UPSTREAMS = ("referrals", "pathways", "enterprises")
log = logging.getLogger(__name__)


class ReportingService(ReportEndpoints, LedgerEndpoints, StandardEndpoints):
    name = "reporting"
    http_port = 8004
    consumes = UPSTREAMS
    store = Store(Reporting)
    outbox = OutboxRelay(to_contract, TRANSLATED)  # publishes nothing; serves its log
    follower = LogFollower(projections=(LEDGER_VIEWS,))
    inbox = Inbox()
    ledger = Ledger()
    cases = LedgerCasesProvider()  # the ledger's use cases, over the store and the engine
    rebuilder = Rebuilder()
    gauges = DomainGauges()  # the programme's gauges on /metrics, read from the read models at scrape time
    referrals = RpcProxy("referrals")
    pathways = RpcProxy("pathways")
    enterprises = RpcProxy("enterprises")

    @upstream_events("referrals")
    def on_referrals_event(self, deliveries: list[Delivery]) -> None:
        self.inbox.handle(deliveries, self.referrals.integration_events, apply_run=projections.apply_run)

    @upstream_events("pathways")
    def on_pathways_event(self, deliveries: list[Delivery]) -> None:
        """Read models and the outcome ledger, in one transaction with the positions."""
        self.inbox.handle(deliveries, self.pathways.integration_events, apply_run=self._pathways_run)

    @upstream_events("enterprises")
    def on_enterprises_event(self, deliveries: list[Delivery]) -> None:
        self.inbox.handle(deliveries, self.enterprises.integration_events, apply_run=projections.apply_run)

    @timer(interval=5)
    def catch_up(self) -> None:
        """Pulls what each upstream log holds beyond our position (a missed last message, a restart)."""
        quiet = config.catch_up_quiet()
        self.inbox.catch_up("referrals", self.referrals.integration_events, apply_run=projections.apply_run,
                            quiet=quiet)
        self.inbox.catch_up("pathways", self.pathways.integration_events, apply_run=self._pathways_run, quiet=quiet)
        self.inbox.catch_up("enterprises", self.enterprises.integration_events, apply_run=projections.apply_run,
                            quiet=quiet)

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

    def _pathways_run(self, sql: Sql, deliveries: Sequence[Delivery]) -> None:
        apply_pathways_run(self.ledger, sql, deliveries)
