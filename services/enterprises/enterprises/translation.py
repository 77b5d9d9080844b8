"""Domain events -> integration contracts."""
from __future__ import annotations

from typing import Any

from contracts import enterprises as en
from contracts.envelope import envelope_of
from enterprises.domain import Enterprise


TRANSLATED = (Enterprise.Registered,)
ENTERPRISE_REGISTERED = en.EnterpriseRegisteredV1()


def to_contract(domain_event: Any) -> dict[str, Any] | None:
    if isinstance(domain_event, Enterprise.Registered):
        return ENTERPRISE_REGISTERED.dump({
            **envelope_of(domain_event, en.ENTERPRISE_REGISTERED_V1, domain_event.occurred_at),
            "enterprise_id": domain_event.originator_id, "legal_form": domain_event.legal_form,
            "registered_on": domain_event.registered_on,
        })
    return None
