"""The pathways nameko service: entrypoints only."""
from __future__ import annotations

from typing import Any

from nameko.rpc import RpcProxy
from nameko.timer import timer

from chassis.endpoints import StandardEndpoints
from chassis.http import Call, route
from chassis.inbox import Delivery, Inbox, upstream_events
from chassis.relay import OutboxRelay
from chassis.store import Store
from contracts import pathways as pw
from contracts import referrals as rf
from pathways.application import Pathways
from pathways.translation import TRANSLATED, to_contract


class PathwaysService(StandardEndpoints):
    name = "pathways"
    http_port = 8002
    publishes = pw.PUBLISHED
    consumes = ("referrals",)
    store = Store(Pathways)
    outbox = OutboxRelay(to_contract, TRANSLATED)
    inbox = Inbox()
    referrals = RpcProxy("referrals")

    @upstream_events("referrals")
    def on_referrals_event(self, delivery: Delivery) -> None:
        """Takes any referrals integration event; opens a pathway for client_accepted_v1."""
        self.inbox.handle(delivery, self._fetch_referrals, apply=self._apply_referrals_event)

    @timer(interval=5)
    def catch_up_with_referrals(self) -> None:
        """Pulls what the referrals log holds beyond our position (a missed last message, a restart)."""
        self.inbox.catch_up("referrals", self._fetch_referrals, apply=self._apply_referrals_event)

    @route("GET", "/clients/<uuid:client_id>/pathways", roles=("caseworker", "admin"), summary="The pathways of one client",
           answers={200: "the client's pathways (possibly none)"})
    def pathways_of_client(self, call: Call) -> dict:
        return {"pathways": self.store.pathways_of(call.path["client_id"])}

    def _fetch_referrals(self, after: int, upto: int | None, limit: int) -> dict:
        return self.referrals.integration_events(after, upto, limit)

    def _apply_referrals_event(self, delivery: Delivery) -> list[Any]:
        if delivery.event_type != rf.CLIENT_ACCEPTED_V1:
            return []
        message = rf.ClientAcceptedV1().load(delivery.body)
        return self.store.open_pathway(message["client_id"], message["regulator"], message["entry_point"],
                                       message["occurred_at"])
