"""Dependency providers of the enterprises service."""
from __future__ import annotations

from typing import Any

from nameko.extensions import DependencyProvider

from chassis.providers import find_store
from chassis.vault import master_key
from enterprises.identity import IdentityIndex


class IdentityIndexProvider(DependencyProvider):
    """The blind index of enterprises and applicants, keyed from the master key, over the service's database."""

    def start(self) -> None:
        store = find_store(self.container)
        assert store.app is not None
        self.index = IdentityIndex(store.app, master_key(self.container.config.get("ENV") or None))

    def get_dependency(self, worker_ctx: Any) -> IdentityIndex:
        return self.index
