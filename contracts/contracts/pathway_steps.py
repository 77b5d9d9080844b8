"""The steps trust systems and the hub post to the pathways service over HTTP: each step type's payload, the
vocabulary they use, and the bodies of ``POST .../steps`` and ``POST /steps/batch``."""
from marshmallow import Schema, ValidationError, post_load, validate, validates_schema

from contracts import fields
from contracts.envelope import Command
from contracts.vocabulary import ENTRY_POINTS, PROFESSIONS, REGULATORS, not_in_future

# --- steps posted by trust systems and caseworkers (HTTP) ---------------------------------------------------
EXAMS = ("PLAB1", "PLAB2", "CBT", "OSCE", "GPHC_ASSESSMENT")
#: Levels of the English qualifications framework, lowest first (ESOL Skills for Life: pre-entry to Level 2).
LEVELS = ("pre_entry", "entry_1", "entry_2", "entry_3", "level_1", "level_2", "level_3", "level_4")
QUALIFICATION_KINDS = ("esol", "basic_skills", "functional_skills", "vocational", "academic", "other")
COURSE_KINDS = ("esol", "ielts_preparation", "oet_preparation", "english", "vocational", "other")
#: Who employs the client: an NHS body, an independent (private) hospital or clinic, a social care provider,
#: another public body, a private company, a charity or social enterprise.
EMPLOYER_KINDS = ("nhs", "independent_healthcare", "social_care", "other_public", "private", "voluntary")
BASES = ("permanent", "fixed_term", "bank", "agency", "locum", "zero_hours")
EVIDENCE_OF_WORK = ("payslip", "payroll_confirmation", "employer_letter", "contract_of_employment",
                    "self_certification")
REFUSAL_REASONS = ("english_not_met", "qualification_not_recognised", "incomplete_application",
                   "fitness_to_practise", "other")
BLOCK_REASONS = ("attempts_exhausted", "validity_expired", "route_window_expired", "fitness_to_practise", "other")
ENGLISH_TESTS = ("IELTS_ACADEMIC", "OET")
OET_GRADES = ("A", "B", "C+", "C", "D", "E")
ESOL_LEVELS = LEVELS[:6]
STAGES = ("registration_applied", "eligibility_confirmed", "ospap_started", "ospap_completed", "foundation_started",
          "foundation_completed")
GATES = ("dbs", "occupational_health", "references", "id_documents", "induction", "english")
PLACEMENT_KINDS = ("observership", "clinical_attachment", "work_experience")
CLOSE_REASONS = ("completed", "withdrawn", "disengaged", "moved_away", "ineligible", "deceased")
REF = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$",
                      error="1-64 letters, digits or . _ : - (an id, not a name)")
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


GLH = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(1, 5000),
                     metadata={"description": "the qualification's guided learning hours (some cards pay by them)"})


class EsolResult(Command):
    """An ESOL Skills for Life result at a level; achieved (a qualification) when every component passed."""

    level = fields.String(required=True, validate=validate.OneOf(ESOL_LEVELS))
    components = fields.Dict(keys=fields.String(validate=validate.OneOf(("reading", "writing", "speaking_listening"))),
                             values=fields.Boolean(), required=True, validate=validate.Length(min=1),
                             metadata={"description": "each ESOL Skills for Life component: passed or not"})
    guided_learning_hours = GLH


class QualificationAchieved(Command):
    """A qualification other than an ESOL result (ESOL may be posted here too), on the certificate's date."""

    kind = fields.String(required=True, validate=validate.OneOf(QUALIFICATION_KINDS))
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    guided_learning_hours = GLH
    qualification_ref = fields.String(load_default=None, allow_none=True, validate=REF,
                                      metadata={"description": "the certificate's or awarding body's reference"})


class CourseStarted(Command):
    """An ESOL, IELTS/OET preparation, English or other training course started (learning agreement in place)."""

    course_ref = fields.String(required=True, validate=REF)
    kind = fields.String(required=True, validate=validate.OneOf(COURSE_KINDS))
    level = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LEVELS))
    guided_learning_hours = GLH


class CourseEnded(Command):
    course_ref = fields.String(required=True, validate=REF)
    outcome = fields.String(required=True, validate=validate.OneOf(("completed", "withdrawn", "failed")))


class RegistrationApplied(Command):
    """An application to the regulator's register (GMC after PLAB 2; NMC, the application the Test of
    Competence is sat within; HCPC, the international application; GPhC after the assessment)."""

    application_ref = fields.String(load_default=None, allow_none=True, validate=REF)


class RegistrationRefused(Command):
    reason = fields.String(required=True, validate=validate.OneOf(REFUSAL_REASONS))


class RegistrationBlocked(Command):
    reason = fields.String(required=True, validate=validate.OneOf(BLOCK_REASONS))


class MentorAssigned(Command):
    mentor_ref = fields.String(required=True, validate=REF, metadata={"description": "a mentor's id, not a name"})


class EmploymentConfirmed(Command):
    """Evidence that the client was still in the current job (main or interim) on the step's date."""

    job = fields.String(load_default="main", validate=validate.OneOf(("main", "interim")))
    evidence = fields.String(required=True, validate=validate.OneOf(EVIDENCE_OF_WORK))


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
    """A job started on the step's date. ``employer_kind`` says who employs (``nhs`` is the same as
    ``employer_kind: nhs``; give either or both, consistently); self-employment has ``self_employed: true``."""

    employer = fields.String(required=True, validate=validate.Length(1, 200))
    nhs = fields.Boolean(load_default=None, allow_none=True)
    employer_kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(EMPLOYER_KINDS))
    basis = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(BASES))
    self_employed = fields.Boolean(load_default=False)
    hours_per_week = fields.Float(required=True, validate=validate.Range(1, 60))
    role = fields.String(required=True, validate=validate.Length(1, 100))
    shortage_occupation = fields.Boolean(load_default=False)

    @validates_schema
    def _employer(self, data: dict, **_: object) -> None:
        nhs, kind = data.get("nhs"), data.get("employer_kind")
        if nhs is None and kind is None and not data.get("self_employed"):
            raise ValidationError({"employer_kind": ["say who employs the client (employer_kind, or nhs)"]})
        if nhs is not None and kind is not None and nhs != (kind == "nhs"):
            raise ValidationError({"nhs": ["disagrees with employer_kind"]})
        if data.get("self_employed") and (nhs or kind == "nhs"):
            raise ValidationError({"self_employed": ["self-employment is not NHS employment"]})

    @post_load
    def _derive(self, data: dict, **_: object) -> dict:
        if data.get("nhs") is None:
            data["nhs"] = data.get("employer_kind") == "nhs"
        return data


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
    mentor_ref = fields.String(load_default=None, allow_none=True, validate=REF,
                               metadata={"description": "the mentor; the mentor assigned when left out"})
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
    "qualification_achieved": QualificationAchieved, "course_started": CourseStarted, "course_ended": CourseEnded,
    "registration_applied": RegistrationApplied, "registration_refused": RegistrationRefused,
    "registration_blocked": RegistrationBlocked, "mentor_assigned": MentorAssigned,
    "employment_confirmed": EmploymentConfirmed,
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
    idempotency_key = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$", error="1 to 128 letters, digits or . _ : / - (an id, not text)"))


#: The payload schema of each step type, for API documents (chassis.apidoc writes PostStep as a ``oneOf``).
PostStep.payloads = PAYLOADS  # type: ignore[attr-defined]


class PostSteps(Schema):
    """POST /steps/batch: up to 1,000 steps, each answered on its own (a bad step does not stop the others)."""

    class Meta:
        unknown = "raise"

    steps = fields.List(fields.Dict(), required=True, validate=validate.Length(1, 1000))


class DueItemsQuery(Schema):
    class Meta:
        unknown = "raise"

    before = fields.Date(load_default=None, metadata={"description": "only items due before this date"})
