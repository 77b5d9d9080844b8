"""Contracts of the enterprises service: its integration events (here); its HTTP bodies are in enterprise_commands
and community_commands.

No event carries personal data: people (applicants, mentors, researchers, attendees) travel as opaque ids,
enterprises as ids, legal forms and dates. Funder indicators count each ``enterprise_id`` once.
"""
from typing import Any

from marshmallow import EXCLUDE, Schema, validate

from contracts import fields
from contracts.enterprise_commands import (
    ALL_SUPPORT_KINDS,
    APPLICATION_STAGES,
    ASSET_KINDS,
    ATTENDEE_KINDS,
    INTRODUCTION_TARGETS,
    LEGAL_FORMS,
    MENTOR_CHANNELS,
    MENTOR_KINDS,
    PROGRAMME_KINDS,
    RECOGNITIONS,
    RESEARCH_ACTIVITIES,
    RESEARCH_PROGRAMMES,
    SERIES,
    SUPPLY_CHAIN_OUTCOMES,
)
from contracts.envelope import Envelope

ENTERPRISE_REGISTERED_V1 = "enterprise_registered_v1"
ENTERPRISE_SUPPORTED_V1 = "enterprise_supported_v1"
ENTERPRISE_MERGED_V1 = "enterprise_merged_v1"
ENTERPRISE_SUPPORT_CORRECTED_V1 = "enterprise_support_corrected_v1"
ENTERPRISE_DISSOLVED_V1 = "enterprise_dissolved_v1"
RECRUITMENT_ROUND_OPENED_V1 = "recruitment_round_opened_v1"
APPLICATION_SUBMITTED_V1 = "application_submitted_v1"
APPLICATION_PROGRESSED_V1 = "application_progressed_v1"
PROGRAMME_STARTED_V1 = "programme_started_v1"
PROGRAMME_JOINED_V1 = "programme_joined_v1"
MENTOR_RECRUITED_V1 = "mentor_recruited_v1"
MENTOR_MATCHED_V1 = "mentor_matched_v1"
MENTORING_GIVEN_V1 = "mentoring_given_v1"
MENTOR_RECOGNISED_V1 = "mentor_recognised_v1"
MENTOR_STEPPED_DOWN_V1 = "mentor_stepped_down_v1"
NETWORK_EVENT_HELD_V1 = "network_event_held_v1"
NETWORK_EVENT_ATTENDED_V1 = "network_event_attended_v1"
SUPPLY_CHAIN_OUTCOME_RECORDED_V1 = "supply_chain_outcome_recorded_v1"
IDEA_BECAME_ENTERPRISE_V1 = "idea_became_enterprise_v1"
CONSORTIUM_FORMED_V1 = "consortium_formed_v1"
CONSORTIUM_JOINED_V1 = "consortium_joined_v1"
RESEARCHER_RECRUITED_V1 = "researcher_recruited_v1"
RESEARCHER_STATUS_CHANGED_V1 = "researcher_status_changed_v1"
RESEARCHER_ACTIVITY_RECORDED_V1 = "researcher_activity_recorded_v1"
ASSET_MAPPED_V1 = "asset_mapped_v1"
ASSET_CONSENT_WITHDRAWN_V1 = "asset_consent_withdrawn_v1"
INTRODUCTION_MADE_V1 = "introduction_made_v1"

NULLABLE_UUID: dict[str, Any] = {"required": True, "allow_none": True}


class EnterpriseRegisteredV1(Envelope):
    """An enterprise's legal registration is known: at its recording, or later for a venture that registered.

    ``new_enterprise`` and ``first_support_on`` were added later (optional): ERDF CO05 as of this event."""

    enterprise_id = fields.UUID(required=True)
    legal_form = fields.String(required=True, validate=validate.OneOf(LEGAL_FORMS))
    registered_on = fields.Date(required=True)
    first_support_on = fields.Date(load_default=None, allow_none=True)
    new_enterprise = fields.Boolean(load_default=None, allow_none=True,
                                    metadata={"description": "registered < 12 months before its first support"})


class EnterpriseSupportedV1(Envelope):
    """Support given to an enterprise, with the enterprise's standing after it (totals, CO05 classification).

    Counting enterprises by ``enterprise_id`` counts each once, whatever the number of supports."""

    enterprise_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(ALL_SUPPORT_KINDS))
    financial = fields.Boolean(required=True)
    minutes = fields.Integer(required=True)
    amount_pence = fields.Integer(required=True)
    programme_id = fields.UUID(**NULLABLE_UUID)
    source_id = fields.UUID(**NULLABLE_UUID, metadata={"description": "the mentor, grant or diagnostic"})
    legal_form = fields.String(required=True, allow_none=True)
    registered_on = fields.Date(required=True, allow_none=True)
    first_support_on = fields.Date(required=True)
    new_enterprise = fields.Boolean(required=True, allow_none=True)
    non_financial_minutes = fields.Integer(required=True, metadata={"description": "total so far"})
    grant_pence = fields.Integer(required=True, metadata={"description": "total so far"})
    grants = fields.Integer(required=True)


class EnterpriseSupportCorrectedV1(Envelope):
    """The hours of a logged support corrected (a new fact; the support as logged stays in the history). The
    correction belongs to the support's own day (``supported_on``), not to the day it was made."""

    enterprise_id = fields.UUID(required=True)
    support_event_id = fields.String(required=True, metadata={"description": "the corrected support's event_id"})
    kind = fields.String(required=True, validate=validate.OneOf(ALL_SUPPORT_KINDS))
    supported_on = fields.Date(required=True)
    minutes = fields.Integer(required=True, metadata={"description": "the support's minutes, corrected"})
    previous_minutes = fields.Integer(required=True)
    reason = fields.String(required=True)
    non_financial_minutes = fields.Integer(required=True, metadata={"description": "total after the correction"})


class EnterpriseDissolvedV1(Envelope):
    """The enterprise ceased to exist on ``occurred_at``'s day; what it achieved before stays counted."""

    enterprise_id = fields.UUID(required=True)
    reason = fields.String(required=True)
    legal_form = fields.String(required=True, allow_none=True)


class EnterpriseMergedV1(Envelope):
    """A duplicate record was merged into another (it had no support): count it no more."""

    enterprise_id = fields.UUID(required=True)
    merged_into = fields.UUID(required=True)
    legal_form = fields.String(required=True, allow_none=True)


class RecruitmentRoundOpenedV1(Envelope):
    round_id = fields.UUID(required=True)
    name = fields.String(required=True)
    programme_id = fields.UUID(**NULLABLE_UUID)
    opens_on = fields.Date(required=True)
    closes_on = fields.Date(required=True)
    places = fields.Integer(required=True, allow_none=True)


class ApplicationSubmittedV1(Envelope):
    """An application to a round: the applicant (a person, by id) kept apart from the enterprise."""

    round_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    applicant_id = fields.UUID(required=True)
    enterprise_id = fields.UUID(required=True)
    enterprise_match = fields.String(required=True, metadata={"description": "new, registration, name or chosen"})
    sector = fields.String(required=True)


class ApplicationProgressedV1(Envelope):
    """An application moved on: shortlisted, interviewed, interview voided by a conflict, decided (with a
    reason), or linked by staff to another enterprise record."""

    round_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    applicant_id = fields.UUID(required=True)
    enterprise_id = fields.UUID(required=True)
    stage = fields.String(required=True, validate=validate.OneOf(APPLICATION_STAGES))
    reason = fields.String(required=True, allow_none=True)
    programme_id = fields.UUID(**NULLABLE_UUID)


class ProgrammeStartedV1(Envelope):
    programme_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(PROGRAMME_KINDS))
    name = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)


class ProgrammeJoinedV1(Envelope):
    """An enterprise, a person, or both joined a cohort or short programme (each counted once there)."""

    programme_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(PROGRAMME_KINDS))
    enterprise_id = fields.UUID(**NULLABLE_UUID)
    applicant_id = fields.UUID(**NULLABLE_UUID)


class MentorRecruitedV1(Envelope):
    mentor_id = fields.UUID(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(MENTOR_CHANNELS))
    kind = fields.String(required=True, validate=validate.OneOf(MENTOR_KINDS))
    specialisms = fields.List(fields.String(), required=True)
    max_mentees = fields.Integer(required=True)


class MentorMatchedV1(Envelope):
    mentor_id = fields.UUID(required=True)
    enterprise_id = fields.UUID(required=True)


class MentoringGivenV1(Envelope):
    mentor_id = fields.UUID(required=True)
    enterprise_id = fields.UUID(required=True)
    minutes = fields.Integer(required=True)


class MentorRecognisedV1(Envelope):
    mentor_id = fields.UUID(required=True)
    recognition = fields.String(required=True, validate=validate.OneOf(RECOGNITIONS))


class MentorSteppedDownV1(Envelope):
    mentor_id = fields.UUID(required=True)


class NetworkEventHeldV1(Envelope):
    network_event_id = fields.UUID(required=True)
    series = fields.String(required=True, validate=validate.OneOf(SERIES))
    title = fields.String(required=True)
    held_on = fields.Date(required=True)
    theme = fields.String(required=True, allow_none=True)
    speakers = fields.Integer(required=True)
    buyers_present = fields.Integer(required=True)
    ideas_raised = fields.Integer(required=True)


class Attendee(Schema):
    class Meta:
        unknown = EXCLUDE
        ordered = True

    kind = fields.String(required=True, validate=validate.OneOf(ATTENDEE_KINDS))
    ref = fields.String(required=True,
                        metadata={"description": "an id: a person's, an enterprise's, an organisation's"})


class NetworkEventAttendedV1(Envelope):
    """Attendance recorded at an event: references (never names) and walk-ins not named."""

    network_event_id = fields.UUID(required=True)
    series = fields.String(required=True, validate=validate.OneOf(SERIES))
    held_on = fields.Date(required=True)
    attendees = fields.List(fields.Nested(Attendee), required=True)
    walk_ins = fields.Integer(required=True)
    walk_ins_total = fields.Integer(required=True, metadata={"description": "the event's walk-ins so far"})


class SupplyChainOutcomeRecordedV1(Envelope):
    network_event_id = fields.UUID(required=True)
    enterprise_id = fields.UUID(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(SUPPLY_CHAIN_OUTCOMES))
    buyer = fields.String(required=True)
    value_pence = fields.Integer(required=True, allow_none=True)


class IdeaBecameEnterpriseV1(Envelope):
    network_event_id = fields.UUID(required=True)
    enterprise_id = fields.UUID(required=True)
    theme = fields.String(required=True, allow_none=True)


class ConsortiumFormedV1(Envelope):
    consortium_id = fields.UUID(required=True)
    name = fields.String(required=True)
    theme = fields.String(required=True)


class ConsortiumJoinedV1(Envelope):
    consortium_id = fields.UUID(required=True)
    enterprise_id = fields.UUID(required=True)


class ResearcherRecruitedV1(Envelope):
    researcher_id = fields.UUID(required=True)
    programme = fields.String(required=True, validate=validate.OneOf(RESEARCH_PROGRAMMES))


class ResearcherStatusChangedV1(Envelope):
    researcher_id = fields.UUID(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("active", "lapsed")))
    reason = fields.String(required=True, allow_none=True)


class ResearcherActivityRecordedV1(Envelope):
    researcher_id = fields.UUID(required=True)
    activity = fields.String(required=True, validate=validate.OneOf(RESEARCH_ACTIVITIES))
    minutes = fields.Integer(required=True)


class AssetMappedV1(Envelope):
    """An asset-map entry: its kind and area only (its text stays in the service)."""

    entry_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(ASSET_KINDS))
    area = fields.String(required=True)
    with_consent = fields.Boolean(required=True, metadata={"description": "holds personal data under consent"})


class AssetConsentWithdrawnV1(Envelope):
    entry_id = fields.UUID(required=True)


class IntroductionMadeV1(Envelope):
    introduction_id = fields.UUID(required=True)
    connector_id = fields.UUID(required=True)
    to = fields.String(required=True, validate=validate.OneOf(INTRODUCTION_TARGETS))
    enterprise_id = fields.UUID(**NULLABLE_UUID)


PUBLISHED = {
    ENTERPRISE_REGISTERED_V1: EnterpriseRegisteredV1, ENTERPRISE_SUPPORTED_V1: EnterpriseSupportedV1,
    ENTERPRISE_MERGED_V1: EnterpriseMergedV1, ENTERPRISE_SUPPORT_CORRECTED_V1: EnterpriseSupportCorrectedV1,
    ENTERPRISE_DISSOLVED_V1: EnterpriseDissolvedV1,
    RECRUITMENT_ROUND_OPENED_V1: RecruitmentRoundOpenedV1,
    APPLICATION_SUBMITTED_V1: ApplicationSubmittedV1, APPLICATION_PROGRESSED_V1: ApplicationProgressedV1,
    PROGRAMME_STARTED_V1: ProgrammeStartedV1, PROGRAMME_JOINED_V1: ProgrammeJoinedV1,
    MENTOR_RECRUITED_V1: MentorRecruitedV1, MENTOR_MATCHED_V1: MentorMatchedV1, MENTORING_GIVEN_V1: MentoringGivenV1,
    MENTOR_RECOGNISED_V1: MentorRecognisedV1, MENTOR_STEPPED_DOWN_V1: MentorSteppedDownV1,
    NETWORK_EVENT_HELD_V1: NetworkEventHeldV1, NETWORK_EVENT_ATTENDED_V1: NetworkEventAttendedV1,
    SUPPLY_CHAIN_OUTCOME_RECORDED_V1: SupplyChainOutcomeRecordedV1, IDEA_BECAME_ENTERPRISE_V1: IdeaBecameEnterpriseV1,
    CONSORTIUM_FORMED_V1: ConsortiumFormedV1, CONSORTIUM_JOINED_V1: ConsortiumJoinedV1,
    RESEARCHER_RECRUITED_V1: ResearcherRecruitedV1, RESEARCHER_STATUS_CHANGED_V1: ResearcherStatusChangedV1,
    RESEARCHER_ACTIVITY_RECORDED_V1: ResearcherActivityRecordedV1, ASSET_MAPPED_V1: AssetMappedV1,
    ASSET_CONSENT_WITHDRAWN_V1: AssetConsentWithdrawnV1, INTRODUCTION_MADE_V1: IntroductionMadeV1,
}
