"""The reporting service's dependencies: its ledger engine, the ledger's use cases and its read-model rebuilder,
over the Store's application (the one place these are wired)."""
from __future__ import annotations

import logging
from typing import Any

import eventlet
from nameko.extensions import DependencyProvider

from chassis.providers import find_provider, find_store
from chassis.telemetry import Telemetry
from reporting.application import pseudonym_key
from reporting.outcomes.cases import LedgerCases
from reporting.outcomes.engine import LedgerEngine
from reporting.readmodels.rebuild import Progress, rebuild

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


class LedgerCasesProvider(DependencyProvider):
    """The ledger's use cases (reporting.outcomes.cases.LedgerCases) over the store and the container's engine."""

    def setup(self) -> None:
        self.cases: LedgerCases | None = None

    def get_dependency(self, worker_ctx: Any) -> LedgerCases:
        if self.cases is None:
            store, ledger = find_store(self.container), find_provider(self.container, Ledger)
            assert store.app is not None and ledger.engine is not None
            self.cases = LedgerCases(store.app, ledger.engine)
        return self.cases


class Rebuilder(DependencyProvider):
    """Runs one read-model rebuild at a time in the container (reporting.readmodels.rebuild), with its progress
    gauges."""

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
