"""Pathways use cases."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from eventsourcing.persistence import IntegrityError

from chassis.errors import ClientError, NotFound
from chassis.idempotency import IdempotencyRecord, request_hash, run_once
from chassis.store import ServiceApplication
from contracts.referrals import REGULATORS
from pathways.domain import Pathway, StepRefused


class Pathways(ServiceApplication):
    name = "pathways"

    def open_pathway(self, client_id: UUID, regulator: str, entry_point: str,
                     occurred_at: datetime) -> list[Pathway]:
        """The pathway to save for an accepted client, or none when it is already open."""
        if self._find(Pathway.create_id(client_id, regulator)) is not None:
            return []
        return [Pathway(client_id=client_id, regulator=regulator, entry_point=entry_point,
                        occurred_at=occurred_at)]

    def pathways_of(self, client_id: UUID) -> list[dict[str, Any]]:
        found = []
        for regulator in REGULATORS:
            pathway = self._find(Pathway.create_id(client_id, regulator))
            if pathway is not None:
                found.append({"pathway_id": str(pathway.id), "client_id": str(pathway.client_id),
                              "regulator": pathway.regulator, "entry_point": pathway.entry_point_at_enrolment,
                              "status": pathway.status, "version": pathway.version,
                              "english_met": pathway.english_met, "exams_passed": sorted(pathway.passed_on),
                              "exam_attempts": dict(pathway.attempts), "registered": pathway.registered,
                              "employed_since": pathway.employed_since,
                              "right_to_work_until": pathway.right_to_work_until,
                              "due_items": pathway.due_items()})
        return found

    def _find(self, pathway_id: UUID) -> Pathway | None:
        try:
            return self.repository.get(pathway_id)
        except AggregateNotFoundError:
            return None


class PathwayNotFoundError(NotFound):
    """Raised when a client has no pathway towards that regulator (referrals has not accepted them for it)."""

    def __init__(self, client_id: UUID, regulator: str) -> None:
        super().__init__(f"no {regulator} pathway for client {client_id}")


def post_step(app: Pathways, scope: str, key: str, client_id: UUID, regulator: str, step_type: str,
              occurred_at: datetime, payload: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """One step on one pathway, at most once per key; refused steps store nothing."""
    pathway_id = Pathway.create_id(client_id, regulator)

    def command() -> tuple[list[Any], dict[str, Any]]:
        pathway = app._find(pathway_id)
        if pathway is None:
            raise PathwayNotFoundError(client_id, regulator)
        if step_type == "route_changed":  # closes this pathway and opens another: two aggregates, one save
            new = pathway.change_route(payload["regulator"], occurred_at)
            if app._find(new.id) is not None:
                raise StepRefused("one_pathway_per_regulator", f"a {payload['regulator']} pathway exists already")
            return [pathway, new], {"pathway_id": str(pathway.id), "event_id": f"{pathway.id}:{pathway.version}",
                                    "version": pathway.version, "type": step_type, "new_pathway_id": str(new.id)}
        pathway.take_step(step_type, payload, occurred_at)
        return [pathway], {"pathway_id": str(pathway.id), "event_id": f"{pathway.id}:{pathway.version}",
                           "version": pathway.version, "type": step_type}

    body = _body({"client_id": client_id, "regulator": regulator, "type": step_type, "occurred_at": occurred_at,
                  "payload": payload})
    return run_once(app, f"{scope}:step", key, body, command)


def post_steps(app: Pathways, scope: str, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Many steps (loaded ``BatchStep`` dicts, payloads loaded), each answered on its own, stored together.

    Steps are applied in order to their pathways in memory; a refused step leaves nothing behind (the domain
    raises before it mutates). Everything accepted, with each step's idempotency record, is then saved in one
    transaction: one append instead of one per step. If that save collides (a retried key, or another writer
    on one of the pathways), the batch is redone step by step, which answers retries with their first answer.
    """
    keys = [IdempotencyRecord.create_id(f"{scope}:step", step["idempotency_key"]) for step in steps]
    if len(set(keys)) < len(keys) or app.existing(keys) or any(s["type"] == "route_changed" for s in steps):
        return [_one(app, scope, step) for step in steps]  # retries among them: answer each as it was answered
    pathways: dict[UUID, Pathway | None] = {}
    records, results = [], []
    for step in steps:
        pathway_id = Pathway.create_id(step["client_id"], step["regulator"])
        if pathway_id not in pathways:
            pathways[pathway_id] = app._find(pathway_id)
        pathway = pathways[pathway_id]
        if pathway is None:
            results.append(PathwayNotFoundError(step["client_id"], step["regulator"]))
            continue
        try:
            pathway.take_step(step["type"], step["payload"], step["occurred_at"])
        except ClientError as error:
            results.append(error)
            continue
        answer = {"pathway_id": str(pathway.id), "event_id": f"{pathway.id}:{pathway.version}",
                  "version": pathway.version, "type": step["type"]}
        records.append(IdempotencyRecord(scope=f"{scope}:step", key=step["idempotency_key"],
                                         request_hash=request_hash(_body(step)), response=answer))
        results.append(answer)
    try:
        app.save(*[p for p in pathways.values() if p is not None], *records)
    except (IntegrityError, ClientError):
        return [_one(app, scope, step) for step in steps]
    return [_answer(result) for result in results]


def _body(step: dict[str, Any]) -> dict[str, Any]:
    return {"client_id": step["client_id"], "regulator": step["regulator"], "type": step["type"],
            "occurred_at": step["occurred_at"], "payload": step["payload"]}


def _one(app: Pathways, scope: str, step: dict[str, Any]) -> dict[str, Any]:
    try:
        answer, _ = post_step(app, scope, step["idempotency_key"], step["client_id"], step["regulator"],
                              step["type"], step["occurred_at"], step["payload"])
        return {"status": 201, **answer}
    except ClientError as error:
        return {"status": error.status, **error.body()}


def _answer(result: dict[str, Any] | ClientError) -> dict[str, Any]:
    if isinstance(result, ClientError):
        return {"status": result.status, **result.body()}
    return {"status": 201, **result}
