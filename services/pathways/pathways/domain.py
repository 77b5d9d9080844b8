"""Pathways domain."""
from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from chassis.meta import TracedAggregate

PATHWAY_NAMESPACE = uuid.UUID("0b8f4a52-51f5-4f0e-9d62-6c3ad1a0c2b4")


class Pathway(TracedAggregate):
    """One client's route to one regulator's register. Invariant: one pathway per (client, regulator);
    the entry point at enrolment never changes."""

    @staticmethod
    def create_id(client_id: UUID, regulator: str) -> UUID:
        return uuid.uuid5(PATHWAY_NAMESPACE, f"{client_id}:{regulator}")

    @event("Opened")
    def __init__(self, client_id: UUID, regulator: str, entry_point: str, occurred_at: datetime) -> None:
        self.client_id, self.regulator = client_id, regulator
        self.entry_point_at_enrolment = self.entry_point = entry_point
        self.opened_at = occurred_at
        self.status = "open"
