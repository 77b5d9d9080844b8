"""The one place the console is wired: its accounts over its store, and the services it calls."""
from __future__ import annotations

from typing import Any

import requests
from nameko.extensions import DependencyProvider

from chassis.providers import find_store
from console.apis import service_urls
from console.application import Accounts


class AccountsProvider(DependencyProvider):
    """Staff accounts and sessions (console.application.Accounts) over the console's own store."""

    def setup(self) -> None:
        self._accounts: Accounts | None = None

    @property
    def accounts(self) -> Accounts:
        if self._accounts is None:
            store = find_store(self.container)
            assert store.app is not None
            self._accounts = Accounts(store.app)
        return self._accounts

    def get_dependency(self, worker_ctx: Any) -> Accounts:
        return self.accounts


class ServicesProvider(DependencyProvider):
    """Where the four services answer, and one pool of HTTP connections to them for the container."""

    def setup(self) -> None:
        self.urls = service_urls()
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=20)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def stop(self) -> None:
        self.session.close()

    def get_dependency(self, worker_ctx: Any) -> dict[str, str]:
        return self.urls
