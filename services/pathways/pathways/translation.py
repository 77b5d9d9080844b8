"""Domain events -> integration contracts."""
from __future__ import annotations

from typing import Any

from contracts import pathways as pw
from contracts.envelope import envelope_of
from pathways.domain import Pathway


TRANSLATED = (Pathway.Opened,)
PATHWAY_OPENED = pw.PathwayOpenedV1()


def to_contract(domain_event: Any) -> dict[str, Any] | None:
    if isinstance(domain_event, Pathway.Opened):
        return PATHWAY_OPENED.dump({
            **envelope_of(domain_event, pw.PATHWAY_OPENED_V1, domain_event.occurred_at),
            "pathway_id": domain_event.originator_id, "client_id": domain_event.client_id,
            "entry_point": domain_event.entry_point, "regulator": domain_event.regulator,
        })
    return None
