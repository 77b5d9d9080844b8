"""Dependency providers of the referrals service."""
from __future__ import annotations

from typing import Any

from nameko.extensions import DependencyProvider

from chassis.providers import find_provider, find_store
from chassis.vault import VaultProvider, master_key
from referrals.application import ReferralCases
from referrals.identity import IdentityIndex


class IdentityIndexProvider(DependencyProvider):
    """The blind index of identifiers, keyed from the master key, over the service's database."""

    def start(self) -> None:
        store = find_store(self.container)
        assert store.app is not None
        self.index = IdentityIndex(store.app, master_key(self.container.config.get("ENV") or None))

    def get_dependency(self, worker_ctx: Any) -> IdentityIndex:
        return self.index


class ReferralCasesProvider(DependencyProvider):
    """The service's use cases (referrals.application.ReferralCases) over its event store, its vault and its
    identity index: the one place they are put together. Built at the first call, when every provider of the
    container has started."""

    def setup(self) -> None:
        self.cases: ReferralCases | None = None

    def get_dependency(self, worker_ctx: Any) -> ReferralCases:
        if self.cases is None:
            store = find_store(self.container)
            vault = find_provider(self.container, VaultProvider)
            index = find_provider(self.container, IdentityIndexProvider)
            assert store.app is not None and vault.vault is not None
            self.cases = ReferralCases(store.app, vault.vault, index.index)  # type: ignore[arg-type]
        return self.cases
