"""Enterprises use cases."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from chassis.idempotency import create_once
from chassis.store import ServiceApplication
from enterprises.domain import Enterprise


class Enterprises(ServiceApplication):
    name = "enterprises"

    def register_enterprise(self, scope: str, key: str, legal_form: str, registered_on: date,
                            occurred_at: datetime) -> tuple[dict[str, Any], bool]:
        def create(enterprise_id: UUID) -> Enterprise:
            return Enterprise(id=enterprise_id, legal_form=legal_form, registered_on=registered_on,
                              occurred_at=occurred_at)

        def answer(enterprise: Enterprise) -> dict[str, Any]:
            return {"enterprise_id": str(enterprise.id), "event_id": f"{enterprise.id}:1", "version": 1}

        body = {"legal_form": legal_form, "registered_on": registered_on, "occurred_at": occurred_at}
        return create_once(self, f"{scope}:register_enterprise", key, body, create, answer)
