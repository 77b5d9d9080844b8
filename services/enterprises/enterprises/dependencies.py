"""Dependency providers of the enterprises service."""
from __future__ import annotations

from typing import Any

from nameko.extensions import DependencyProvider

from chassis.providers import find_provider, find_store
from chassis.vault import VaultProvider, master_key
from enterprises.cases import CommunityCases
from enterprises.fuse_cases import FuseCases
from enterprises.identity import IdentityIndex


class IdentityIndexProvider(DependencyProvider):
    """The blind index of enterprises and applicants, keyed from the master key, over the service's database."""

    def start(self) -> None:
        store = find_store(self.container)
        assert store.app is not None
        self.index = IdentityIndex(store.app, master_key(self.container.config.get("ENV") or None))

    def get_dependency(self, worker_ctx: Any) -> IdentityIndex:
        return self.index


class CasesProvider(DependencyProvider):
    """A class of use cases (enterprises.fuse_cases.FuseCases, enterprises.cases.CommunityCases) over the
    service's event store, its vault and its identity index: the one place they are put together. Built at the
    first call, when every provider of the container has started."""

    def __init__(self, cases: type[FuseCases] | type[CommunityCases]) -> None:
        self.kind = cases

    def setup(self) -> None:
        self.cases: FuseCases | CommunityCases | None = None

    def get_dependency(self, worker_ctx: Any) -> FuseCases | CommunityCases:
        if self.cases is None:
            store = find_store(self.container)
            vault = find_provider(self.container, VaultProvider)
            index = find_provider(self.container, IdentityIndexProvider)
            assert store.app is not None and vault.vault is not None
            self.cases = self.kind(store.app, vault.vault, index.index)  # type: ignore[arg-type]
        return self.cases
