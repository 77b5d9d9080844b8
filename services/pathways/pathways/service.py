"""The pathways nameko service: entrypoints only."""
from __future__ import annotations

from typing import Any

from nameko.rpc import RpcProxy
from nameko.timer import timer

from uuid import UUID

from marshmallow import ValidationError

from chassis.endpoints import StandardEndpoints
from chassis.errors import NotFound
from chassis.http import Call, route
from chassis.inbox import Delivery, Inbox, upstream_events
from chassis.relay import OutboxRelay
from chassis.store import Store
from contracts import pathways as pw
from contracts import referrals as rf
from pathways.application import Pathways, post_step, post_steps
from pathways.translation import TRANSLATED, to_contract


STEP_POSTERS = ("trust", "caseworker", "admin")


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

    @route("POST", "/clients/<uuid:client_id>/pathways/<regulator>/steps", roles=STEP_POSTERS,
           body=pw.PostStep, requires_idempotency_key=True,
           answers={201: "stored", 404: "no such pathway"}, summary="A trust system or caseworker posts one step")
    def post_step(self, call: Call) -> tuple[int, dict]:
        """Takes contracts.pathways.PostStep; an impossible step is refused (422 with its rule), storing nothing."""
        answer, _ = self._post(call.organisation, call.idempotency_key, call.path["client_id"],
                               call.path["regulator"], call.body)
        return 201, answer

    @route("POST", "/steps/batch", roles=STEP_POSTERS, body=pw.PostSteps, requires_idempotency_key=True,
           answers={200: "one answer per step, in order"}, summary="Up to 1,000 steps, each answered on its own")
    def post_steps(self, call: Call) -> tuple[int, dict]:
        """Takes contracts.pathways.PostSteps; returns ``{"results": [{index, status, ...}]}`` in order."""
        results: list[dict | None] = []
        valid: list[tuple[int, dict]] = []
        for index, raw in enumerate(call.body["steps"]):
            try:
                step = pw.BatchStep().load(raw)
                step["payload"] = pw.PAYLOADS[step["type"]]().load(step["payload"])
                valid.append((index, step))
                results.append(None)
            except ValidationError as error:
                results.append({"status": 422, "error": "invalid", "fields": error.messages})
        for (index, _), answer in zip(valid, post_steps(self.store, call.organisation, [s for _, s in valid])):
            results[index] = answer
        return 200, {"results": [{"index": index, **result} for index, result in enumerate(results) if result]}

    def _post(self, scope: str, key: str, client_id: UUID, regulator: str, step: dict) -> tuple[dict, bool]:
        if regulator not in rf.REGULATORS:
            raise NotFound(f"no regulator {regulator}")
        payload = pw.PAYLOADS[step["type"]]().load(step["payload"])
        return post_step(self.store, scope, key, client_id, regulator, step["type"], step["occurred_at"], payload)

    def _fetch_referrals(self, after: int, upto: int | None, limit: int) -> dict:
        return self.referrals.integration_events(after, upto, limit)

    def _apply_referrals_event(self, delivery: Delivery) -> list[Any]:
        if delivery.event_type != rf.CLIENT_ACCEPTED_V1:
            return []
        message = rf.ClientAcceptedV1().load(delivery.body)
        return self.store.open_pathway(message["client_id"], message["regulator"], message["entry_point"],
                                       message["occurred_at"])
