"""Posted step types -> the Pathway command that applies each (payloads as loaded by contracts.pathways)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pathways.domain.pathway import Pathway

Step = Callable[[Pathway, dict, datetime], None]


def _english(pathway: Pathway, p: dict, at: datetime) -> None:
    scores = {k: p[k] for k in ("overall", "listening", "reading", "writing", "speaking") if p.get(k) is not None}
    pathway.record_english_sitting(p["test"], scores, at)


STEPS: dict[str, Step] = {
    "caseworker_assigned": lambda pw, p, at: pw.assign_caseworker(p["caseworker_id"], at),
    "placed_with_trust": lambda pw, p, at: pw.place_with_trust(p["trust"], at),
    "esol_result": lambda pw, p, at: pw.record_esol_result(p["level"], p["components"], at,
                                                           p.get("guided_learning_hours")),
    "qualification_achieved": lambda pw, p, at: pw.record_qualification(p["kind"], p["level"], at,
                                                                        p.get("guided_learning_hours"),
                                                                        p.get("qualification_ref")),
    "course_started": lambda pw, p, at: pw.start_course(p["course_ref"], p["kind"], at, p.get("level"),
                                                        p.get("guided_learning_hours")),
    "course_ended": lambda pw, p, at: pw.end_course(p["course_ref"], p["outcome"], at),
    "registration_applied": lambda pw, p, at: pw.apply_for_registration(at, p.get("application_ref")),
    "registration_refused": lambda pw, p, at: pw.refuse_registration(p["reason"], at),
    "registration_blocked": lambda pw, p, at: pw.block_registration(p["reason"], at),
    "mentor_assigned": lambda pw, p, at: pw.assign_mentor(p["mentor_ref"], at),
    "english_sitting": _english,
    "exam_attempt": lambda pw, p, at: pw.record_exam_attempt(p["exam"], p["passed"], at),
    "extra_attempt_granted": lambda pw, p, at: pw.grant_extra_attempt(p["exam"], p["ground"], at),
    "registration_stage": lambda pw, p, at: pw.reach_stage(p["stage"], at),
    "registration_granted": lambda pw, p, at: pw.grant_registration(at),
    "gate_cleared": lambda pw, p, at: pw.clear_gate(p["trust"], p["gate"], at),
    "placement_offered": lambda pw, p, at: pw.offer_placement(p["placement_ref"], p["kind"], p["trust"], p["weeks"],
                                                              p["starts_on"], p.get("supervisor_ref"), at),
    "placement_started": lambda pw, p, at: pw.start_placement(p["placement_ref"], p.get("supervisor_ref"), at),
    "placement_ended": lambda pw, p, at: pw.end_placement(p["placement_ref"], p["outcome"], at),
    "mentoring_session": lambda pw, p, at: pw.record_mentoring(p.get("mentor_ref"), p["minutes"], at),
    "right_to_work_check": lambda pw, p, at: pw.record_right_to_work_check(p.get("valid_until"), at,
                                                                           p.get("restriction", "none")),
    "job_offered": lambda pw, p, at: pw.offer_job(p["offer_ref"], p["employer"], p["nhs"], p["role"],
                                                  p.get("conditional", False), at),
    "job_offer_withdrawn": lambda pw, p, at: pw.withdraw_job_offer(p["offer_ref"], at),
    "employment_started": lambda pw, p, at: pw.start_employment(
        p["employer"], p["nhs"], p["hours_per_week"], p["role"], at, p.get("shortage_occupation", False),
        p.get("employer_kind"), p.get("basis"), p.get("self_employed", False)),
    "employment_confirmed": lambda pw, p, at: pw.confirm_employment(p.get("job", "main"), p["evidence"], at),
    "employment_ended": lambda pw, p, at: pw.end_employment(at),
    "sustainment_confirmed": lambda pw, p, at: pw.confirm_sustainment(p["weeks"], at),
    "interim_job_started": lambda pw, p, at: pw.start_interim_job(p["employer"], p["hours_per_week"], at),
    "care_certificate_completed": lambda pw, p, at: pw.complete_care_certificate(at),
    "interim_job_ended": lambda pw, p, at: pw.end_interim_job(at),
    "pathway_closed": lambda pw, p, at: pw.close(p["reason"], at),
    "entry_point_moved": lambda pw, p, at: pw.move_entry_point(p["entry_point"], p["reason"], at),
}

#: Steps only the employment hub (caseworkers, admins) may post; trust systems post the rest.
HUB_ONLY = ("caseworker_assigned", "placed_with_trust", "pathway_closed", "entry_point_moved", "route_changed")
#: Steps whose payload names a trust: a trust system may only name itself.
NAMES_A_TRUST = ("gate_cleared", "placement_offered")


def payload_trust(step_type: str, payload: dict[str, Any]) -> str | None:
    return payload.get("trust") if step_type in NAMES_A_TRUST else None


def take_step(pathway: Pathway, step_type: str, payload: dict[str, Any], occurred_at: datetime) -> None:
    """Applies one posted step to the pathway: the step's type names the domain command it calls
    (contracts.pathways.PAYLOADS names each type's payload)."""
    STEPS[step_type](pathway, payload, occurred_at)
