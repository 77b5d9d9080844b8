"""Enterprises domain."""
from __future__ import annotations

from datetime import date, datetime

from eventsourcing.domain import event

from chassis.meta import TracedAggregate


class Enterprise(TracedAggregate):
    """A social enterprise or community business, counted once in funder indicators whoever applied."""

    @event("Registered")
    def __init__(self, legal_form: str, registered_on: date, occurred_at: datetime) -> None:
        self.legal_form, self.registered_on, self.occurred_at = legal_form, registered_on, occurred_at
