"""HTTP bodies of the enterprises service: mentors, network events, grants, diagnostics, consortia and
community research (re-exported by contracts.enterprises). Unknown fields are refused."""
import uuid
from typing import Any

from marshmallow import ValidationError, post_load, validate, validates_schema

from contracts import fields
from contracts.enterprise_commands import (
    AREAS,
    ASSET_KINDS,
    ATTENDEE_KINDS,
    DIAGNOSTIC_AREAS,
    GRANT_PURPOSES,
    INTRODUCTION_TARGETS,
    LAPSE_REASONS,
    MENTOR_CHANNELS,
    MENTOR_KINDS,
    RECOGNITIONS,
    RESEARCH_PROGRAMMES,
    SERIES,
    SLUG,
    SPECIALISMS,
    STEP_DOWN_REASONS,
    SUPPLY_CHAIN_OUTCOMES,
    Step,
    hours,
)
from contracts.envelope import Command
from contracts.vocabulary import not_in_future


class RecruitMentor(Step):
    """POST /mentors: a volunteer mentor; name and employer are sealed under the mentor's own key."""

    display_name = fields.String(required=True, validate=validate.Length(1, 200))
    organisation = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 200))
    channel = fields.String(required=True, validate=validate.OneOf(MENTOR_CHANNELS))
    kind = fields.String(required=True, validate=validate.OneOf(MENTOR_KINDS))
    specialisms = fields.List(fields.String(validate=validate.OneOf(SPECIALISMS)), load_default=list,
                              validate=validate.Length(max=len(SPECIALISMS)))
    max_mentees = fields.Integer(required=True, strict=True, validate=validate.Range(1, 20),
                                 metadata={"description": "availability: how many enterprises at once"})
    former_applicant_id = fields.UUID(load_default=None, allow_none=True,
                                      metadata={"description": "a former FUSE participant who now mentors"})

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("kind") == "specialist" and not data.get("specialisms"):
            raise ValidationError("a specialist names at least one specialism", "specialisms")
        if len(set(data.get("specialisms") or [])) != len(data.get("specialisms") or []):
            raise ValidationError("each specialism once", "specialisms")
        if data.get("former_applicant_id") and data.get("channel") != "former_participant":
            raise ValidationError("only with channel former_participant", "former_applicant_id")


class ChangeAvailability(Step):
    max_mentees = fields.Integer(required=True, strict=True, validate=validate.Range(1, 20))


class MatchMentor(Step):
    enterprise_id = fields.UUID(required=True)


class GiveMentoring(Step):
    enterprise_id = fields.UUID(required=True)
    hours = hours(12)


class RecogniseMentor(Step):
    recognition = fields.String(required=True, validate=validate.OneOf(RECOGNITIONS))


class StepDown(Step):
    reason = fields.String(required=True, validate=validate.OneOf(STEP_DOWN_REASONS))


class HoldNetworkEvent(Step):
    """POST /network-events: a meeting or event of a series, once held."""

    series = fields.String(required=True, validate=validate.OneOf(SERIES))
    title = fields.String(required=True, validate=validate.Length(1, 200))
    held_on = fields.Date(required=True, validate=not_in_future)
    theme = fields.String(load_default=None, allow_none=True, validate=validate.Length(2, 60))
    speakers = fields.Integer(load_default=0, strict=True, validate=validate.Range(0, 50))
    buyers_present = fields.Integer(load_default=0, strict=True, validate=validate.Range(0, 500))
    ideas_raised = fields.Integer(load_default=0, strict=True, validate=validate.Range(0, 500))


class AttendeeRef(Command):
    """A person or an enterprise by its id (a UUID), another organisation by a reference (a slug)."""

    kind = fields.String(required=True, validate=validate.OneOf(ATTENDEE_KINDS))
    ref = fields.String(required=True, validate=validate.Length(1, 100))

    @validates_schema
    def _reference(self, data: dict[str, Any], **_: Any) -> None:
        try:
            if data.get("kind") == "organisation":
                SLUG(data.get("ref", ""))
            else:
                uuid.UUID(data.get("ref", ""))
        except (ValueError, ValidationError):
            raise ValidationError("a person or an enterprise by its id (a UUID), an organisation by a reference"
                                  " (lower-case letters, digits, hyphens)", "ref") from None

    @post_load
    def _normalised(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data["kind"] != "organisation":
            data["ref"] = str(uuid.UUID(data["ref"]))
        return data


class RecordAttendance(Step):
    attendees = fields.List(fields.Nested(AttendeeRef), load_default=list, validate=validate.Length(max=1000))
    walk_ins = fields.Integer(load_default=0, strict=True, validate=validate.Range(0, 10000),
                              metadata={"description": "people who came and were not named"})


class RecordSupplyChainOutcome(Step):
    enterprise_id = fields.UUID(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(SUPPLY_CHAIN_OUTCOMES))
    buyer = fields.String(required=True, validate=SLUG)
    value_pence = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(1, 10**10))


class RecordIdea(Step):
    enterprise_id = fields.UUID(required=True)


class AwardGrant(Step):
    """POST /grants: money to one enterprise (ERDF CO02), exact in pence."""

    enterprise_id = fields.UUID(required=True)
    funder = fields.String(required=True, validate=validate.Length(1, 120))
    amount_pence = fields.Integer(required=True, strict=True, validate=validate.Range(1, 10**8))
    purpose = fields.String(required=True, validate=validate.OneOf(GRANT_PURPOSES))


class CompleteDiagnostic(Step):
    """POST /diagnostics: scores 1 to 5 per area, and the time the diagnostic took (non-financial support)."""

    enterprise_id = fields.UUID(required=True)
    scores = fields.Dict(keys=fields.String(validate=validate.OneOf(DIAGNOSTIC_AREAS)),
                         values=fields.Integer(strict=True, validate=validate.Range(1, 5)), required=True,
                         validate=validate.Length(min=1))
    hours = hours(40)


class FormConsortium(Step):
    name = fields.String(required=True, validate=validate.Length(1, 120))
    theme = fields.String(required=True, validate=validate.Length(2, 60))


class JoinConsortium(Step):
    enterprise_id = fields.UUID(required=True)


class RecruitResearcher(Step):
    """POST /researchers: a community researcher, connector, or community partner (the lighter programme)."""

    display_name = fields.String(required=True, validate=validate.Length(1, 200))
    programme = fields.String(required=True, validate=validate.OneOf(RESEARCH_PROGRAMMES))


class CompleteTraining(Step):
    course = fields.String(required=True, validate=validate.Length(1, 120))
    hours = hours(40)


class ActivateResearcher(Step):
    """POST /researchers/{id}/activation."""


class LapseResearcher(Step):
    reason = fields.String(required=True, validate=validate.OneOf(LAPSE_REASONS))


class LogHours(Step):
    """Fieldwork, or a mentoring session with the team."""

    hours = hours(24)


class Consent(Command):
    reference = fields.String(required=True, validate=validate.Length(1, 100),
                              metadata={"description": "the signed consent form's reference"})
    recorded_on = fields.Date(required=True, validate=not_in_future)
    retain_until = fields.Date(required=True, metadata={"description": "this entry's own retention limit"})


class MapAsset(Step):
    """POST /asset-map: a place, organisation, skill or network; personal data only with consent."""

    kind = fields.String(required=True, validate=validate.OneOf(ASSET_KINDS))
    area = fields.String(required=True, validate=validate.OneOf(AREAS))
    title = fields.String(required=True, validate=validate.Length(1, 200))
    description = fields.String(load_default="", validate=validate.Length(max=4000))
    personal_data = fields.Boolean(load_default=False)
    consent = fields.Nested(Consent, load_default=None, allow_none=True)
    recorded_by = fields.UUID(load_default=None, allow_none=True, metadata={"description": "the researcher"})


class WithdrawAssetConsent(Step):
    """POST /asset-map/{id}/consent-withdrawal: the person's data in the entry is erased."""


class MakeIntroduction(Step):
    """POST /introductions: a connector introduces a person (at most an opaque id) to an enterprise, the hub
    (referrals) or FUSE."""

    connector_id = fields.UUID(required=True)
    to = fields.String(required=True, validate=validate.OneOf(INTRODUCTION_TARGETS))
    enterprise_id = fields.UUID(load_default=None, allow_none=True)
    person_ref = fields.UUID(load_default=None, allow_none=True)


class ErasePerson(Command):
    """POST /people/<id>/erasure: erase an applicant, a mentor, a community researcher or an enterprise's details
    (a sole trader's name is a person's): their data key is destroyed, their blind-index entries deleted."""

    ground = fields.String(required=True, validate=validate.Length(3, 500),
                           metadata={"description": "why: the person's request, consent withdrawn"})
    requested_on = fields.Date(required=True, validate=not_in_future)
