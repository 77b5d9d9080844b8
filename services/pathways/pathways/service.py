"""The pathways nameko service: entrypoints only (its dependencies are wired in dependencies.py)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError
from nameko.rpc import RpcProxy
from nameko.timer import timer

from chassis import config
from chassis.consumers import upstream_events
from chassis.delivery import Delivery
from chassis.endpoints import StandardEndpoints
from chassis.errors import NotFound
from chassis.http import Call, route
from contracts import answers, pathway_steps
from contracts import pathways as pw
from contracts import referrals as rf
from pathways import dependencies
from pathways.application import Poster

HUB = ("caseworker", "admin")
STEP_POSTERS = ("trust", *HUB)
# schemas built once (building one costs more than a load with it)
_BATCH_STEP = pathway_steps.BatchStep()
_CLIENT_ACCEPTED = rf.ClientAcceptedV1()


def _today() -> Any:
    return datetime.now(UTC).date()


def _poster(call: Call) -> Poster:
    return Poster(call.organisation, hub=call.acting_as(*HUB))


class PathwaysService(StandardEndpoints):
    name = "pathways"
    http_port = 8002
    publishes = pw.PUBLISHED
    consumes = ("referrals",)
    store = dependencies.store()
    outbox = dependencies.outbox()
    follower = dependencies.follower()
    inbox = dependencies.inbox()
    referrals = RpcProxy("referrals")

    @upstream_events("referrals")
    def on_referrals_event(self, deliveries: list[Delivery]) -> None:
        """Takes any referrals integration event; opens a pathway for client_accepted_v1."""
        self.inbox.handle(deliveries, self._fetch_referrals, apply=self._apply_referrals_event)

    @timer(interval=5)
    def catch_up_with_referrals(self) -> None:
        """Pulls what the referrals log holds beyond our position (a missed last message, a restart)."""
        self.inbox.catch_up("referrals", self._fetch_referrals, apply=self._apply_referrals_event,
                            quiet=config.catch_up_quiet())

    @route("GET", "/clients/<uuid:client_id>/pathways", answer=answers.Pathways, roles=HUB,
           audit_read="client_id", summary="The pathways of one client",
           answers={200: "the client's pathways (possibly none), each with its due items"})
    def pathways_of_client(self, call: Call) -> dict:
        return {"pathways": self.store.pathways_of(call.path["client_id"], _today())}

    @route("GET", "/clients/<uuid:client_id>/pathways/<regulator>/history", answer=answers.PathwayHistory,
           roles=(*HUB, "auditor"),
           audit_read="client_id",
           summary="Every event of one pathway, in order, with who recorded it and when",
           answers={200: "the pathway's events", 404: "no such pathway"})
    def pathway_history(self, call: Call) -> dict:
        if call.path["regulator"] not in rf.REGULATORS:
            raise NotFound(f"no regulator {call.path['regulator']}")
        return {"events": self.store.history(call.path["client_id"], call.path["regulator"])}

    @route("GET", "/caseworkers/<caseworker_id>/due-items", answer=answers.DueItems, roles=HUB, audit_read="*",
           query=pathway_steps.DueItemsQuery,
           summary="What a caseworker's clients need next, by date", answers={200: "due items, soonest first"})
    def due_items_of_caseworker(self, call: Call) -> dict:
        return {"caseworker_id": call.path["caseworker_id"], "items": self.store.due_items_of_caseworker(
            call.path["caseworker_id"], _today(), call.query.get("before"))}

    @route("POST", "/clients/<uuid:client_id>/pathways/<regulator>/steps", answer=answers.StepStored,
           roles=STEP_POSTERS,
           body=pathway_steps.PostStep, requires_idempotency_key=True,
           answers={201: "stored", 404: "no such pathway (or not placed with your trust)"},
           summary="A trust system or caseworker posts one step")
    def post_step(self, call: Call) -> tuple[int, dict]:
        """Takes contracts.pathways.PostStep; an impossible step is refused (422 with its rule), storing nothing."""
        regulator, step = call.path["regulator"], call.body
        if regulator not in rf.REGULATORS:
            raise NotFound(f"no regulator {regulator}")
        payload = pathway_steps.PAYLOAD_SCHEMAS[step["type"]].load(step["payload"])
        answer, _ = self.store.post_step(_poster(call), call.once, call.path["client_id"], regulator,
                              step["type"], step["occurred_at"], payload)
        return 201, answer

    @route("POST", "/steps/batch", answer=answers.BatchResults, roles=STEP_POSTERS, body=pathway_steps.PostSteps,
           requires_idempotency_key=True,
           answers={200: "one answer per step, in order"}, summary="Up to 1,000 steps, each answered on its own")
    def post_steps(self, call: Call) -> tuple[int, dict]:
        """Takes contracts.pathways.PostSteps; returns ``{"results": [{index, status, ...}]}`` in order."""
        results: list[dict | None] = []
        valid: list[dict] = []
        for raw in call.body["steps"]:
            try:
                step = _BATCH_STEP.load(raw)
                step["payload"] = pathway_steps.PAYLOAD_SCHEMAS[step["type"]].load(step["payload"])
                valid.append(step)
                results.append(None)
            except ValidationError as error:
                results.append({"status": 422, "error": "invalid", "fields": error.messages})
        answers = iter(self.store.post_steps(_poster(call), valid))
        return 200, {"results": [{"index": index, **(result or next(answers))} for index, result in enumerate(results)]}

    def _fetch_referrals(self, after: int, upto: int | None, limit: int) -> dict:
        return self.referrals.integration_events(after, upto, limit)

    def _apply_referrals_event(self, delivery: Delivery) -> list[Any]:
        if delivery.event_type != rf.CLIENT_ACCEPTED_V1:
            return []
        message = _CLIENT_ACCEPTED.load(delivery.body)
        return self.store.open_pathway(message["client_id"], message["regulator"], message["entry_point"],
                                       message["occurred_at"], message.get("profession"))
