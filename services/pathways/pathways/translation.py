"""Domain events -> integration contracts."""
from __future__ import annotations

from typing import Any

from contracts import pathways as pw
from contracts.envelope import envelope_of
from pathways.domain import Pathway


def to_contract(domain_event: Any) -> dict[str, Any] | None:
    if isinstance(domain_event, Pathway.Opened):
        return pw.PathwayOpenedV1().dump({
            **envelope_of(domain_event, pw.PATHWAY_OPENED_V1, domain_event.occurred_at),
            "pathway_id": domain_event.originator_id, "client_id": domain_event.client_id,
            "entry_point": domain_event.entry_point, "regulator": domain_event.regulator,
        })
    return None
