"""Contracts of the pathways service: its integration events, and the steps trust systems post over HTTP."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from contracts.envelope import Command, Envelope
from contracts.referrals import ENTRY_POINTS, PROFESSIONS, REGULATORS, not_in_future

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
              "pathway_closed")


class MilestoneReachedV1(Envelope):
    """A pathway passed a milestone that reporting and the outcome ledger count (no personal data).

    ``detail`` per milestone: exam_passed {exam, attempt}; placement_* {kind, trust}; job_offered {employer,
    nhs, conditional}; employment_started {employer, nhs, hours_per_week, role}; sustained_* {weeks_counted,
    mode, spells: [{employer, nhs, hours_per_week, role, started_on, ended_on}] so far}; interim_job_started {hours_per_week}; entry_point_moved {entry_point, previous};
    pathway_closed {reason}; the others {}. Consumers ignore milestones and detail fields they do not know.
    """

    pathway_id = fields.UUID(required=True, metadata={"description": "see pathway_opened_v1 for client and route"})
    milestone = fields.String(required=True, validate=validate.OneOf(MILESTONES))
    detail = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=dict)


PUBLISHED = {PATHWAY_OPENED_V1: PathwayOpenedV1, MILESTONE_REACHED_V1: MilestoneReachedV1}

# --- steps posted by trust systems and caseworkers (HTTP) ---------------------------------------------------
EXAMS = ("PLAB1", "PLAB2", "CBT", "OSCE", "GPHC_ASSESSMENT")
ENGLISH_TESTS = ("IELTS_ACADEMIC", "OET")
OET_GRADES = ("A", "B", "C+", "C", "D", "E")
ESOL_LEVELS = ("entry_1", "entry_2", "entry_3", "level_1", "level_2")
STAGES = ("registration_applied", "eligibility_confirmed", "ospap_started", "ospap_completed", "foundation_started",
          "foundation_completed")
GATES = ("dbs", "occupational_health", "references", "id_documents", "induction", "english")
PLACEMENT_KINDS = ("observership", "clinical_attachment", "work_experience")
CLOSE_REASONS = ("completed", "withdrawn", "disengaged", "moved_away", "ineligible", "deceased")
REF = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$", error="1-64 letters, digits or . _ : - (an id, not a name)")
ORGANISATION = validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,99}$", error="an organisation id (lower case, digits, -)")

band = validate.Range(0, 9)


def half_band(value: float) -> None:
    if value * 2 != int(value * 2):
        raise ValidationError("IELTS bands are whole or half numbers")


class EnglishSitting(Command):
    """IELTS Academic: an overall band and four skill bands; OET: a grade (A-E, C+) per sub-test, no overall."""

    test = fields.String(required=True, validate=validate.OneOf(ENGLISH_TESTS))
    overall = fields.Float(load_default=None, allow_none=True, validate=[band, half_band])
    listening = fields.Raw(required=True)
    reading = fields.Raw(required=True)
    writing = fields.Raw(required=True)
    speaking = fields.Raw(required=True)

    @validates_schema
    def _scores(self, data: dict, **_: object) -> None:
        errors: dict[str, list[str]] = {}
        for skill in ("listening", "reading", "writing", "speaking"):
            value = data.get(skill)
            if data.get("test") == "OET":
                if value not in OET_GRADES:
                    errors[skill] = [f"an OET grade: one of {', '.join(OET_GRADES)}"]
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 9 \
                    or value * 2 != int(value * 2):
                errors[skill] = ["an IELTS band from 0 to 9 in halves"]
        if data.get("test") == "OET" and data.get("overall") is not None:
            errors["overall"] = ["OET has no overall grade"]
        if data.get("test") == "IELTS_ACADEMIC" and data.get("overall") is None:
            errors["overall"] = ["IELTS needs the overall band"]
        if errors:
            raise ValidationError(errors)


class EsolResult(Command):
    level = fields.String(required=True, validate=validate.OneOf(ESOL_LEVELS))
    components = fields.Dict(keys=fields.String(validate=validate.OneOf(("reading", "writing", "speaking_listening"))),
                             values=fields.Boolean(), required=True, validate=validate.Length(min=1),
                             metadata={"description": "each ESOL Skills for Life component: passed or not"})


class ExamAttempt(Command):
    exam = fields.String(required=True, validate=validate.OneOf(EXAMS))
    passed = fields.Boolean(required=True)


class ExtraAttemptGranted(Command):
    exam = fields.String(required=True, validate=validate.OneOf(("PLAB1", "PLAB2")))
    ground = fields.String(required=True, validate=validate.OneOf(("clinical_practice", "postgraduate_qualification")),
                           metadata={"description": "observerships and attachments do not count as clinical practice"})


class RegistrationStage(Command):
    stage = fields.String(required=True, validate=validate.OneOf(STAGES))


class RightToWorkCheck(Command):
    valid_until = fields.Date(load_default=None, allow_none=True,
                              metadata={"description": "end of time-limited permission (a follow-up check is due)"})
    restriction = fields.String(load_default="none", validate=validate.OneOf(("none", "shortage_occupations_only")),
                                metadata={"description": "asylum seekers' permission covers shortage occupations"})


class EmploymentStarted(Command):
    employer = fields.String(required=True, validate=validate.Length(1, 200))
    nhs = fields.Boolean(required=True)
    hours_per_week = fields.Float(required=True, validate=validate.Range(1, 60))
    role = fields.String(required=True, validate=validate.Length(1, 100))
    shortage_occupation = fields.Boolean(load_default=False)


class InterimJobStarted(Command):
    employer = fields.String(required=True, validate=validate.Length(1, 200))
    hours_per_week = fields.Float(required=True, validate=validate.Range(1, 60))


class JobOffered(Command):
    offer_ref = fields.String(required=True, validate=REF)
    employer = fields.String(required=True, validate=validate.Length(1, 200))
    nhs = fields.Boolean(required=True)
    role = fields.String(required=True, validate=validate.Length(1, 100))
    conditional = fields.Boolean(load_default=False, metadata={"description": "subject to registration"})


class OfferRef(Command):
    offer_ref = fields.String(required=True, validate=REF)


class SustainmentConfirmed(Command):
    weeks = fields.Integer(required=True, validate=validate.OneOf((13, 26)))


class CaseworkerAssigned(Command):
    caseworker_id = fields.String(required=True, validate=REF, metadata={"description": "a staff id, not a name"})


class PlacedWithTrust(Command):
    trust = fields.String(required=True, validate=ORGANISATION)


class GateCleared(Command):
    trust = fields.String(required=True, validate=ORGANISATION)
    gate = fields.String(required=True, validate=validate.OneOf(GATES))


class PlacementOffered(Command):
    placement_ref = fields.String(required=True, validate=REF)
    kind = fields.String(required=True, validate=validate.OneOf(PLACEMENT_KINDS))
    trust = fields.String(required=True, validate=ORGANISATION)
    weeks = fields.Integer(required=True, validate=validate.Range(1, 52))
    starts_on = fields.Date(required=True)
    supervisor_ref = fields.String(load_default=None, allow_none=True, validate=REF)


class PlacementStarted(Command):
    placement_ref = fields.String(required=True, validate=REF)
    supervisor_ref = fields.String(load_default=None, allow_none=True, validate=REF)


class PlacementEnded(Command):
    placement_ref = fields.String(required=True, validate=REF)
    outcome = fields.String(required=True, validate=validate.OneOf(("completed", "ended_early", "withdrawn")))


class MentoringSession(Command):
    mentor_ref = fields.String(required=True, validate=REF)
    minutes = fields.Integer(required=True, validate=validate.Range(5, 600))


class Empty(Command):
    pass


class PathwayClosed(Command):
    reason = fields.String(required=True, validate=validate.OneOf(CLOSE_REASONS))


class EntryPointMoved(Command):
    entry_point = fields.String(required=True, validate=validate.OneOf(ENTRY_POINTS))
    reason = fields.String(required=True, validate=validate.Length(1, 200))


class RouteChanged(Command):
    regulator = fields.String(required=True, validate=validate.OneOf(REGULATORS))
    profession = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(PROFESSIONS))


PAYLOADS = {
    "caseworker_assigned": CaseworkerAssigned, "placed_with_trust": PlacedWithTrust, "esol_result": EsolResult,
    "english_sitting": EnglishSitting, "exam_attempt": ExamAttempt, "extra_attempt_granted": ExtraAttemptGranted,
    "registration_stage": RegistrationStage, "registration_granted": Empty, "gate_cleared": GateCleared,
    "placement_offered": PlacementOffered, "placement_started": PlacementStarted, "placement_ended": PlacementEnded,
    "mentoring_session": MentoringSession, "right_to_work_check": RightToWorkCheck, "job_offered": JobOffered,
    "job_offer_withdrawn": OfferRef, "employment_started": EmploymentStarted, "employment_ended": Empty,
    "sustainment_confirmed": SustainmentConfirmed, "interim_job_started": InterimJobStarted,
    "care_certificate_completed": Empty, "interim_job_ended": Empty, "pathway_closed": PathwayClosed,
    "entry_point_moved": EntryPointMoved, "route_changed": RouteChanged,
}
STEP_TYPES = tuple(PAYLOADS)
#: One instance of each payload schema (building a marshmallow schema costs five times loading a small payload
#: with it; a loaded schema keeps no state between loads).
PAYLOAD_SCHEMAS = {step_type: schema() for step_type, schema in PAYLOADS.items()}


class PostStep(Command):
    """One step of one pathway: ``{type, occurred_at, payload}``, with the Idempotency-Key header."""

    type = fields.String(required=True, validate=validate.OneOf(STEP_TYPES))
    occurred_at = fields.AwareDateTime(required=True, validate=not_in_future)
    payload = fields.Dict(required=True)

    @validates_schema
    def _payload(self, data: dict, **_: object) -> None:
        schema = PAYLOAD_SCHEMAS.get(data.get("type", ""))
        if schema is not None:
            errors = schema.validate(data.get("payload", {}))
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


class DueItemsQuery(Schema):
    class Meta:
        unknown = "raise"

    before = fields.Date(load_default=None, metadata={"description": "only items due before this date"})
