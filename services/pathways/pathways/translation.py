"""Domain events -> integration contracts."""
from __future__ import annotations

from typing import Any

from contracts import pathways as pw
from contracts.envelope import envelope_of
from pathways.domain import Pathway

TRANSLATED = (Pathway.Opened, Pathway.EnglishSat, Pathway.ExamAttempted, Pathway.Registered,
              Pathway.EmploymentStarted, Pathway.EmploymentEnded, Pathway.Closed)
PATHWAY_OPENED = pw.PathwayOpenedV1()
MILESTONE = pw.MilestoneReachedV1()


def _milestone(domain_event: Any) -> tuple[str, dict] | None:
    if isinstance(domain_event, Pathway.EnglishSat):
        return ("english_requirement_met", {}) if domain_event.first_met else None
    if isinstance(domain_event, Pathway.ExamAttempted):
        return ("exam_passed", {"exam": domain_event.exam, "attempt": domain_event.attempt}) \
            if domain_event.passed else None
    if isinstance(domain_event, Pathway.Registered):
        return "registered", {}
    if isinstance(domain_event, Pathway.EmploymentStarted):
        return "employment_started", {"nhs": domain_event.nhs, "hours_per_week": domain_event.hours_per_week}
    if isinstance(domain_event, Pathway.EmploymentEnded):
        return "employment_ended", {}
    if isinstance(domain_event, Pathway.Closed):
        return "pathway_closed", {"reason": domain_event.reason}
    return None


def to_contract(domain_event: Any) -> dict[str, Any] | None:
    if isinstance(domain_event, Pathway.Opened):
        return PATHWAY_OPENED.dump({
            **envelope_of(domain_event, pw.PATHWAY_OPENED_V1, domain_event.occurred_at),
            "pathway_id": domain_event.originator_id, "client_id": domain_event.client_id,
            "entry_point": domain_event.entry_point, "regulator": domain_event.regulator,
        })
    milestone = _milestone(domain_event)
    if milestone is not None:
        return MILESTONE.dump({
            **envelope_of(domain_event, pw.MILESTONE_REACHED_V1, domain_event.occurred_at),
            "pathway_id": domain_event.originator_id, "milestone": milestone[0], "detail": milestone[1],
        })
    return None
