"""Pathways use cases."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

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
                              "status": pathway.status, "version": pathway.version})
        return found

    def _find(self, pathway_id: UUID) -> Pathway | None:
        try:
            return self.repository.get(pathway_id)
        except AggregateNotFoundError:
            return None
