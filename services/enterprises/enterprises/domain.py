"""Enterprises domain."""
from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import event

from chassis.meta import TracedAggregate


class Enterprise(TracedAggregate):
    """A social enterprise or community business, counted once in funder indicators whoever applied."""

    @event("Registered")
    def __init__(self, id: UUID, legal_form: str, registered_on: date,  # noqa: A002
                 occurred_at: datetime) -> None:
        self.legal_form, self.registered_on, self.occurred_at = legal_form, registered_on, occurred_at
