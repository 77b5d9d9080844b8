"""Contracts of the pathways service: its integration events (the steps posted over HTTP are in pathway_steps)."""
from marshmallow import validate

from contracts import fields
from contracts.envelope import Envelope
from contracts.vocabulary import ENTRY_POINTS, REGULATORS

PATHWAY_OPENED_V1 = "pathway_opened_v1"
MILESTONE_REACHED_V1 = "milestone_reached_v1"


class PathwayOpenedV1(Envelope):
    pathway_id = fields.UUID(required=True)
    client_id = fields.UUID(required=True)
    entry_point = fields.String(required=True, validate=validate.OneOf(ENTRY_POINTS),
                                metadata={"description": "the entry point at enrolment (prices and cohorts use it)"})
    regulator = fields.String(required=True, validate=validate.OneOf(REGULATORS))
    profession = fields.String(load_default=None, allow_none=True)


MILESTONES = ("english_requirement_met", "esol_level_2_achieved", "exam_passed", "registered", "placement_offered",
              "placement_started", "placement_completed", "job_offered", "employment_started", "employment_ended",
              "sustained_13_weeks", "sustained_26_weeks", "interim_job_started", "entry_point_moved",
              "pathway_closed", "qualification_achieved", "training_started", "training_ended",
              "registration_applied", "registration_refused", "registration_blocked", "mentor_assigned",
              "employment_confirmed", "interim_job_ended")
#: The milestones whose detail carries the client's whole work record (``work``).
WORK_MILESTONES = ("employment_started", "employment_ended", "employment_confirmed", "sustained_13_weeks",
                   "sustained_26_weeks", "interim_job_started", "interim_job_ended")


class MilestoneReachedV1(Envelope):
    """A pathway passed a milestone that reporting and the outcome ledger count (no personal data).

    ``detail`` per milestone: exam_passed {exam, attempt}; placement_* {kind, trust}; job_offered {employer,
    nhs, conditional}; employment_started {employer, employer_kind, nhs, basis, self_employed, hours_per_week,
    role}; sustained_* {weeks_counted, mode}; employment_confirmed {job, evidence}; interim_job_started
    {hours_per_week}; qualification_achieved {kind, level, guided_learning_hours, qualification_ref};
    training_started / training_ended {course_ref, kind, level?, outcome?}; registration_refused /
    registration_blocked {reason}; entry_point_moved {entry_point, previous}; pathway_closed {reason}; the others
    {}. The milestones in ``WORK_MILESTONES`` also carry ``work``: the client's whole work record after the step,
    ``[{employer, employer_kind, nhs, basis, self_employed, hours_per_week, role, started_on, ended_on,
    evidenced_until, interim}]`` (``evidenced_until``: the last day an open spell is known to have gone on).
    Milestones stored before the work record existed carry ``spells`` (sustained_*) or none. Consumers ignore
    milestones and detail fields they do not know.
    """

    pathway_id = fields.UUID(required=True, metadata={"description": "see pathway_opened_v1 for client and route"})
    milestone = fields.String(required=True, validate=validate.OneOf(MILESTONES))
    detail = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), load_default=dict)


PUBLISHED = {PATHWAY_OPENED_V1: PathwayOpenedV1, MILESTONE_REACHED_V1: MilestoneReachedV1}
