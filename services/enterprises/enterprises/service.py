"""The enterprises nameko service: its dependencies; the entrypoints are in routes_fuse and routes_community."""
from __future__ import annotations

from chassis.endpoints import StandardEndpoints
from chassis.follower import LogFollower
from chassis.providers import Store
from chassis.relay import OutboxRelay
from chassis.vault import VaultProvider
from contracts import enterprises as en
from enterprises.application import Enterprises
from enterprises.dependencies import CommunityCasesProvider, IdentityIndexProvider
from enterprises.routes_community import CommunityRoutes
from enterprises.routes_fuse import FuseRoutes
from enterprises.translation import TRANSLATED, to_contract


class EnterprisesService(FuseRoutes, CommunityRoutes, StandardEndpoints):
    """Programme staff (enterprise_staff, admin) record; auditors read (without personal data)."""

    name = "enterprises"
    http_port = 8003
    publishes = en.PUBLISHED
    store = Store(Enterprises)
    vault = VaultProvider()
    identities = IdentityIndexProvider()
    cases = CommunityCasesProvider()  # the community strand's use cases, over the store, vault and index
    outbox = OutboxRelay(to_contract, TRANSLATED)
    follower = LogFollower()  # the audit chain of its log
