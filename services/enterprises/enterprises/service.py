"""The enterprises nameko service: its dependencies; the entrypoints are in routes_fuse and routes_community."""
from __future__ import annotations

from chassis.endpoints import StandardEndpoints
from chassis.follower import LogFollower
from chassis.providers import Store
from chassis.relay import OutboxRelay
from chassis.vault import VaultProvider
from contracts import enterprises as en
from enterprises.application import Enterprises
from enterprises.cases import CommunityCases
from enterprises.dependencies import CasesProvider, IdentityIndexProvider
from enterprises.fuse_cases import FuseCases
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
    fuse = CasesProvider(FuseCases)  # the use cases of enterprises and FUSE, over the store, vault and index
    community = CasesProvider(CommunityCases)  # the community strand's
    outbox = OutboxRelay(to_contract, TRANSLATED)
    follower = LogFollower()  # the audit chain of its log
