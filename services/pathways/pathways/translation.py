"""Domain events -> integration contracts (milestones carry programme facts only, never personal data)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contracts import pathways as pw
from contracts.envelope import envelope_of
from pathways.domain.pathway import Pathway

PATHWAY_OPENED = pw.PathwayOpenedV1()
MILESTONE = pw.MilestoneReachedV1()

Milestone = Callable[[Any], "tuple[str, dict] | None"]


def _work(e: Any, milestone: str, **detail: Any) -> tuple[str, dict]:
    """A milestone of the work record: its own detail and the whole record after it (v1/v2 events: none)."""
    return milestone, ({**detail, "work": e.work} if getattr(e, "work", None) is not None else detail)


def _esol(e: Any) -> tuple[str, dict] | None:
    """An ESOL qualification achieved: the first Level 2 keeps its own milestone (older consumers count it);
    every other achieved level is a qualification. Both carry the kind and level."""
    if not e.achieved:
        return None
    detail = {"kind": "esol", "level": e.level, "guided_learning_hours": e.guided_learning_hours,
              "qualification_ref": None}
    return ("esol_level_2_achieved" if e.first_level_2 else "qualification_achieved"), detail


MILESTONES: dict[type, Milestone] = {
    Pathway.EnglishSat: lambda e: ("english_requirement_met", {"test": e.test}) if e.first_met else None,
    Pathway.EsolAssessed: lambda e: _esol(e),
    Pathway.ExamAttempted: lambda e: ("exam_passed", {"exam": e.exam, "attempt": e.attempt}) if e.passed else None,
    Pathway.Registered: lambda e: ("registered", {}),
    Pathway.RegistrationApplied: lambda e: ("registration_applied", {}),
    Pathway.RegistrationRefused: lambda e: ("registration_refused", {"reason": e.reason}),
    Pathway.RegistrationBlocked: lambda e: ("registration_blocked", {"reason": e.reason}),
    Pathway.QualificationAchieved: lambda e: ("qualification_achieved", {
        "kind": e.kind, "level": e.level, "guided_learning_hours": e.guided_learning_hours,
        "qualification_ref": e.qualification_ref}),
    Pathway.CourseStarted: lambda e: ("training_started", {"course_ref": e.course_ref, "kind": e.kind,
                                                           "level": e.level}),
    Pathway.CourseEnded: lambda e: ("training_ended", {"course_ref": e.course_ref, "outcome": e.outcome}),
    Pathway.MentorAssigned: lambda e: ("mentor_assigned", {}),
    Pathway.PlacementOffered: lambda e: ("placement_offered", {"kind": e.kind, "trust": e.trust}),
    Pathway.PlacementStarted: lambda e: ("placement_started", {}),
    Pathway.PlacementEnded: lambda e: ("placement_completed", {}) if e.outcome == "completed" else None,
    Pathway.JobOffered: lambda e: ("job_offered", {"employer": e.employer, "nhs": e.nhs,
                                                   "conditional": e.conditional}),
    Pathway.EmploymentStarted: lambda e: _work(e, "employment_started", employer=e.employer,
                                               employer_kind=e.employer_kind, nhs=e.nhs, basis=e.basis,
                                               self_employed=e.self_employed, hours_per_week=e.hours_per_week,
                                               role=e.role),
    Pathway.EmploymentEnded: lambda e: _work(e, "employment_ended"),
    Pathway.EmploymentConfirmed: lambda e: _work(e, "employment_confirmed", job=e.job, evidence=e.evidence),
    Pathway.Sustained: lambda e: (f"sustained_{e.weeks}_weeks", {"weeks_counted": e.weeks_counted, "mode": e.mode,
                                                                 "spells": e.spells}),
    Pathway.InterimJobStarted: lambda e: _work(e, "interim_job_started", hours_per_week=e.hours_per_week),
    Pathway.InterimJobEnded: lambda e: _work(e, "interim_job_ended"),
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
