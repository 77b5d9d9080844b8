"""Pathways use cases."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from chassis.errors import NotFound
from chassis.idempotency import run_once
from chassis.store import ServiceApplication
from contracts.referrals import REGULATORS
from pathways.domain import Pathway


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
                              "right_to_work_until": pathway.right_to_work_until})
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
        pathway.take_step(step_type, payload, occurred_at)
        return [pathway], {"pathway_id": str(pathway.id), "event_id": f"{pathway.id}:{pathway.version}",
                           "version": pathway.version, "type": step_type}

    body = {"client_id": client_id, "regulator": regulator, "type": step_type, "occurred_at": occurred_at,
            "payload": payload}
    return run_once(app, f"{scope}:step", key, body, command)
