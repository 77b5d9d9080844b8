"""The enterprises nameko service: entrypoints only."""
from __future__ import annotations

from chassis.endpoints import StandardEndpoints
from chassis.http import Call, route
from chassis.relay import OutboxRelay
from chassis.store import Store
from contracts import enterprises as en
from enterprises.application import Enterprises
from enterprises.translation import TRANSLATED, to_contract


class EnterprisesService(StandardEndpoints):
    name = "enterprises"
    http_port = 8003
    publishes = en.PUBLISHED
    store = Store(Enterprises)
    outbox = OutboxRelay(to_contract, TRANSLATED)

    @route("POST", "/enterprises", roles=("enterprise_staff", "admin"), body=en.RegisterEnterprise, requires_idempotency_key=True,
           answers={201: "stored"}, summary="Register a supported enterprise")
    def register_enterprise(self, call: Call) -> tuple[int, dict]:
        """Takes contracts.enterprises.RegisterEnterprise; returns the enterprise id and event id."""
        answer, _ = self.store.register_enterprise(call.organisation, call.idempotency_key, **call.body)
        return 201, answer
