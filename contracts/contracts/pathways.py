"""Contracts of the pathways service."""
from marshmallow import fields, validate

from contracts.envelope import Envelope
from contracts.referrals import ENTRY_POINTS, REGULATORS

PATHWAY_OPENED_V1 = "pathway_opened_v1"


class PathwayOpenedV1(Envelope):
    pathway_id = fields.UUID(required=True)
    client_id = fields.UUID(required=True)
    entry_point = fields.String(required=True, validate=validate.OneOf(ENTRY_POINTS))
    regulator = fields.String(required=True, validate=validate.OneOf(REGULATORS))


PUBLISHED = {PATHWAY_OPENED_V1: PathwayOpenedV1}

# --- trust systems' steps (HTTP) and milestones (events) ----------------------------------------------------
from marshmallow import Schema, ValidationError, validates_schema  # noqa: E402

from contracts.envelope import Command  # noqa: E402
from contracts.referrals import not_in_future  # noqa: E402

MILESTONE_REACHED_V1 = "milestone_reached_v1"
MILESTONES = ("english_requirement_met", "exam_passed", "registered", "employment_started", "employment_ended",
              "pathway_closed")
EXAMS = ("PLAB1", "PLAB2", "CBT", "OSCE")
STEP_TYPES = ("english_sitting", "exam_attempt", "right_to_work_check", "employment_started", "employment_ended",
              "registration_granted", "pathway_closed", "entry_point_moved", "route_changed")


class MilestoneReachedV1(Envelope):
    """A pathway passed a milestone reporting and the outcome ledger count (no personal data)."""

    pathway_id = fields.UUID(required=True, metadata={"description": "see pathway_opened_v1 for client and route"})
    milestone = fields.String(required=True, validate=validate.OneOf(MILESTONES))
    detail = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=dict)


PUBLISHED[MILESTONE_REACHED_V1] = MilestoneReachedV1

band = validate.Range(0, 9)


class EnglishSitting(Command):
    test = fields.String(required=True, validate=validate.OneOf(("IELTS_ACADEMIC",)))
    overall = fields.Float(required=True, validate=band)
    listening = fields.Float(required=True, validate=band)
    reading = fields.Float(required=True, validate=band)
    writing = fields.Float(required=True, validate=band)
    speaking = fields.Float(required=True, validate=band)


class ExamAttempt(Command):
    exam = fields.String(required=True, validate=validate.OneOf(EXAMS))
    passed = fields.Boolean(required=True)


class RightToWorkCheck(Command):
    valid_until = fields.Date(load_default=None, allow_none=True,
                              metadata={"description": "end of time-limited permission (a follow-up check is due)"})


class EmploymentStarted(Command):
    employer = fields.String(required=True, validate=validate.Length(1, 200))
    nhs = fields.Boolean(required=True)
    hours_per_week = fields.Float(required=True, validate=validate.Range(1, 60))
    role = fields.String(required=True, validate=validate.Length(1, 100))


class Empty(Command):
    pass


class PathwayClosed(Command):
    reason = fields.String(required=True, validate=validate.OneOf(
        ("completed", "withdrawn", "disengaged", "moved_away", "ineligible", "deceased")))


class EntryPointMoved(Command):
    entry_point = fields.String(required=True, validate=validate.OneOf(ENTRY_POINTS))
    reason = fields.String(required=True, validate=validate.Length(1, 200))


class RouteChanged(Command):
    regulator = fields.String(required=True, validate=validate.OneOf(REGULATORS))


PAYLOADS = {"english_sitting": EnglishSitting, "exam_attempt": ExamAttempt, "right_to_work_check": RightToWorkCheck,
            "employment_started": EmploymentStarted, "employment_ended": Empty, "registration_granted": Empty,
            "pathway_closed": PathwayClosed, "entry_point_moved": EntryPointMoved, "route_changed": RouteChanged}


class PostStep(Command):
    """One step of one pathway: ``{type, occurred_at, payload}``, with the Idempotency-Key header."""

    type = fields.String(required=True, validate=validate.OneOf(STEP_TYPES))
    occurred_at = fields.AwareDateTime(required=True, validate=not_in_future)
    payload = fields.Dict(required=True)

    @validates_schema
    def _payload(self, data: dict, **_: object) -> None:
        schema = PAYLOADS.get(data.get("type", ""))
        if schema is not None:
            errors = schema().validate(data.get("payload", {}))
            if errors:
                raise ValidationError({"payload": errors})


class BatchStep(PostStep):
    """One step of a batch: which pathway (client and regulator) and its own idempotency key."""

    client_id = fields.UUID(required=True)
    regulator = fields.String(required=True, validate=validate.OneOf(REGULATORS))
    idempotency_key = fields.String(required=True, validate=validate.Length(1, 200))


class PostSteps(Schema):
    """POST /steps/batch: up to 1,000 steps, each answered on its own (a bad step does not stop the others)."""

    class Meta:
        unknown = "raise"

    steps = fields.List(fields.Dict(), required=True, validate=validate.Length(1, 1000))
