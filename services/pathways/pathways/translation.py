"""Domain events -> integration contracts (milestones carry programme facts only, never personal data)."""
from __future__ import annotations

from typing import Any, Callable

from contracts import pathways as pw
from contracts.envelope import envelope_of
from pathways.domain import Pathway

PATHWAY_OPENED = pw.PathwayOpenedV1()
MILESTONE = pw.MilestoneReachedV1()

Milestone = Callable[[Any], "tuple[str, dict] | None"]


MILESTONES: dict[type, Milestone] = {
    Pathway.EnglishSat: lambda e: ("english_requirement_met", {"test": e.test}) if e.first_met else None,
    Pathway.EsolAssessed: lambda e: ("esol_level_2_achieved", {}) if e.first_level_2 else None,
    Pathway.ExamAttempted: lambda e: ("exam_passed", {"exam": e.exam, "attempt": e.attempt}) if e.passed else None,
    Pathway.Registered: lambda e: ("registered", {}),
    Pathway.PlacementOffered: lambda e: ("placement_offered", {"kind": e.kind, "trust": e.trust}),
    Pathway.PlacementStarted: lambda e: ("placement_started", {}),
    Pathway.PlacementEnded: lambda e: ("placement_completed", {}) if e.outcome == "completed" else None,
    Pathway.JobOffered: lambda e: ("job_offered", {"employer": e.employer, "nhs": e.nhs,
                                                   "conditional": e.conditional}),
    Pathway.EmploymentStarted: lambda e: ("employment_started", {
        "employer": e.employer, "nhs": e.nhs, "hours_per_week": e.hours_per_week, "role": e.role}),
    Pathway.EmploymentEnded: lambda e: ("employment_ended", {}),
    Pathway.Sustained: lambda e: (f"sustained_{e.weeks}_weeks", {"weeks_counted": e.weeks_counted, "mode": e.mode,
                                                                 "spells": e.spells}),
    Pathway.InterimJobStarted: lambda e: ("interim_job_started", {"hours_per_week": e.hours_per_week}),
    Pathway.EntryPointMoved: lambda e: ("entry_point_moved", {"entry_point": e.entry_point, "previous": e.previous}),
    Pathway.Closed: lambda e: ("pathway_closed", {"reason": e.reason}),
}
TRANSLATED = (Pathway.Opened, *MILESTONES)


def to_contract(domain_event: Any) -> dict[str, Any] | None:
    if isinstance(domain_event, Pathway.Opened):
        return PATHWAY_OPENED.dump({
            **envelope_of(domain_event, pw.PATHWAY_OPENED_V1, domain_event.occurred_at),
            "pathway_id": domain_event.originator_id, "client_id": domain_event.client_id,
            "entry_point": domain_event.entry_point, "regulator": domain_event.regulator,
            "profession": domain_event.profession,
        })
    translate = MILESTONES.get(type(domain_event))
    milestone = translate(domain_event) if translate is not None else None
    if milestone is None:
        return None
    return MILESTONE.dump({
        **envelope_of(domain_event, pw.MILESTONE_REACHED_V1, domain_event.occurred_at),
        "pathway_id": domain_event.originator_id, "milestone": milestone[0], "detail": milestone[1],
    })
