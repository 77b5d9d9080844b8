"""Domain events -> integration contracts (anti-corruption). Internal events (and sealed personal data)
never leave: applicants, conflicts, availability, grants' and diagnostics' own records return None."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contracts import enterprises as en
from contracts.envelope import envelope_of
from enterprises.domain.enterprise import Enterprise
from enterprises.domain.fuse import Programme, RecruitmentRound
from enterprises.domain.mentors import Mentor
from enterprises.domain.network import NetworkEvent
from enterprises.domain.research import AssetMapEntry, CommunityResearcher, Introduction
from enterprises.domain.support import Consortium

SCHEMAS = {event_type: schema() for event_type, schema in en.PUBLISHED.items()}
R = RecruitmentRound


def _registered(e: Any) -> dict[str, Any] | None:
    if e.legal_form is None:
        return None  # a venture not yet registered: enterprise_registered_v1 follows when it is
    return {"enterprise_id": e.originator_id, "legal_form": e.legal_form, "registered_on": e.registered_on,
            "first_support_on": getattr(e, "first_support_on", None),
            "new_enterprise": getattr(e, "new_enterprise", None)}


def _supported(e: Any) -> dict[str, Any]:
    # the enterprise's standing after this support travels with it (totals and the CO05 classification)
    return {"enterprise_id": e.originator_id, "kind": e.kind, "financial": e.kind == "grant", "minutes": e.minutes,
            "amount_pence": e.amount_pence, "programme_id": e.programme_id, "source_id": e.source_id,
            "legal_form": e.legal_form, "registered_on": e.registered_on, "first_support_on": e.first_support_on,
            "new_enterprise": e.new_enterprise, "non_financial_minutes": e.non_financial_minutes,
            "grant_pence": e.grant_pence, "grants": e.grants}


def _progressed(stage: Callable[[Any], str | None]) -> Callable[[Any], dict[str, Any] | None]:
    def translate(e: Any) -> dict[str, Any] | None:
        name = stage(e)
        if name is None:
            return None
        return {"round_id": e.originator_id, "application_id": e.application_id, "applicant_id": e.applicant_id,
                "enterprise_id": e.enterprise_id, "stage": name, "reason": getattr(e, "reason", None),
                "programme_id": getattr(e, "programme_id", None)}
    return translate


#: domain event class -> (event type, payload fields)
TRANSLATIONS: dict[type, tuple[str, Callable[[Any], dict[str, Any] | None]]] = {
    Enterprise.Registered: (en.ENTERPRISE_REGISTERED_V1, _registered),
    Enterprise.RegistrationRecorded: (en.ENTERPRISE_REGISTERED_V1, _registered),
    Enterprise.Supported: (en.ENTERPRISE_SUPPORTED_V1, _supported),
    Enterprise.SupportCorrected: (en.ENTERPRISE_SUPPORT_CORRECTED_V1, lambda e: {
        "enterprise_id": e.originator_id, "support_event_id": f"{e.originator_id}:{e.support_version}",
        "kind": e.kind, "supported_on": e.supported_on, "minutes": e.minutes, "previous_minutes": e.previous_minutes,
        "reason": e.reason, "non_financial_minutes": e.non_financial_minutes}),
    Enterprise.Dissolved: (en.ENTERPRISE_DISSOLVED_V1, lambda e: {
        "enterprise_id": e.originator_id, "reason": e.reason, "legal_form": e.legal_form}),
    Enterprise.Merged: (en.ENTERPRISE_MERGED_V1, lambda e: {
        "enterprise_id": e.originator_id, "merged_into": e.merged_into, "legal_form": e.legal_form}),
    R.Opened: (en.RECRUITMENT_ROUND_OPENED_V1, lambda e: {
        "round_id": e.originator_id, "name": e.name, "programme_id": e.programme_id, "opens_on": e.opens_on,
        "closes_on": e.closes_on, "places": e.places}),
    R.ApplicationSubmitted: (en.APPLICATION_SUBMITTED_V1, lambda e: {
        "round_id": e.originator_id, "application_id": e.application_id, "applicant_id": e.applicant_id,
        "enterprise_id": e.enterprise_id, "enterprise_match": e.match, "sector": e.sector}),
    R.Shortlisted: (en.APPLICATION_PROGRESSED_V1, _progressed(lambda e: "shortlisted")),
    R.ConflictDeclared: (en.APPLICATION_PROGRESSED_V1, _progressed(
        lambda e: "interview_voided" if e.voids_interview else None)),
    R.Interviewed: (en.APPLICATION_PROGRESSED_V1, _progressed(lambda e: "interviewed")),
    R.Decided: (en.APPLICATION_PROGRESSED_V1, _progressed(lambda e: e.decision)),
    R.EnterpriseLinked: (en.APPLICATION_PROGRESSED_V1, _progressed(lambda e: "enterprise_linked")),
    Programme.Started: (en.PROGRAMME_STARTED_V1, lambda e: {
        "programme_id": e.originator_id, "kind": e.kind, "name": e.name, "starts_on": e.starts_on,
        "ends_on": e.ends_on}),
    Programme.MemberJoined: (en.PROGRAMME_JOINED_V1, lambda e: {
        "programme_id": e.originator_id, "kind": e.kind, "enterprise_id": e.enterprise_id,
        "applicant_id": e.applicant_id}),
    Mentor.Recruited: (en.MENTOR_RECRUITED_V1, lambda e: {
        "mentor_id": e.originator_id, "channel": e.channel, "kind": e.kind, "specialisms": list(e.specialisms),
        "max_mentees": e.max_mentees}),
    Mentor.Matched: (en.MENTOR_MATCHED_V1, lambda e: {"mentor_id": e.originator_id, "enterprise_id": e.enterprise_id}),
    Mentor.SessionGiven: (en.MENTORING_GIVEN_V1, lambda e: {
        "mentor_id": e.originator_id, "enterprise_id": e.enterprise_id, "minutes": e.minutes}),
    Mentor.Recognised: (en.MENTOR_RECOGNISED_V1, lambda e: {"mentor_id": e.originator_id,
                                                           "recognition": e.recognition}),
    Mentor.SteppedDown: (en.MENTOR_STEPPED_DOWN_V1, lambda e: {"mentor_id": e.originator_id}),
    NetworkEvent.Held: (en.NETWORK_EVENT_HELD_V1, lambda e: {
        "network_event_id": e.originator_id, "series": e.series, "title": e.title, "held_on": e.held_on,
        "theme": e.theme, "speakers": e.speakers, "buyers_present": e.buyers_present,
        "ideas_raised": e.ideas_raised}),
    NetworkEvent.AttendanceRecorded: (en.NETWORK_EVENT_ATTENDED_V1, lambda e: {
        "network_event_id": e.originator_id, "series": e.series, "held_on": e.held_on,
        "attendees": [dict(a) for a in e.attendees], "walk_ins": e.walk_ins,
        "walk_ins_total": e.walk_ins_total}),
    NetworkEvent.OutcomeRecorded: (en.SUPPLY_CHAIN_OUTCOME_RECORDED_V1, lambda e: {
        "network_event_id": e.originator_id, "enterprise_id": e.enterprise_id, "outcome": e.outcome,
        "buyer": e.buyer, "value_pence": e.value_pence}),
    NetworkEvent.IdeaBecameEnterprise: (en.IDEA_BECAME_ENTERPRISE_V1, lambda e: {
        "network_event_id": e.originator_id, "enterprise_id": e.enterprise_id, "theme": e.theme}),
    Consortium.Formed: (en.CONSORTIUM_FORMED_V1, lambda e: {
        "consortium_id": e.originator_id, "name": e.name, "theme": e.theme}),
    Consortium.MemberJoined: (en.CONSORTIUM_JOINED_V1, lambda e: {
        "consortium_id": e.originator_id, "enterprise_id": e.enterprise_id}),
    CommunityResearcher.Recruited: (en.RESEARCHER_RECRUITED_V1, lambda e: {
        "researcher_id": e.originator_id, "programme": e.programme}),
    CommunityResearcher.Activated: (en.RESEARCHER_STATUS_CHANGED_V1, lambda e: {
        "researcher_id": e.originator_id, "status": "active", "reason": None}),
    CommunityResearcher.Lapsed: (en.RESEARCHER_STATUS_CHANGED_V1, lambda e: {
        "researcher_id": e.originator_id, "status": "lapsed", "reason": e.reason}),
    CommunityResearcher.Trained: (en.RESEARCHER_ACTIVITY_RECORDED_V1, lambda e: {
        "researcher_id": e.originator_id, "activity": "training", "minutes": e.minutes}),
    CommunityResearcher.FieldworkLogged: (en.RESEARCHER_ACTIVITY_RECORDED_V1, lambda e: {
        "researcher_id": e.originator_id, "activity": "fieldwork", "minutes": e.minutes}),
    CommunityResearcher.Mentored: (en.RESEARCHER_ACTIVITY_RECORDED_V1, lambda e: {
        "researcher_id": e.originator_id, "activity": "mentoring", "minutes": e.minutes}),
    AssetMapEntry.Mapped: (en.ASSET_MAPPED_V1, lambda e: {
        "entry_id": e.originator_id, "kind": e.kind, "area": e.area, "with_consent": e.consent_reference is not None}),
    AssetMapEntry.ConsentWithdrawn: (en.ASSET_CONSENT_WITHDRAWN_V1, lambda e: {"entry_id": e.originator_id}),
    Introduction.Made: (en.INTRODUCTION_MADE_V1, lambda e: {
        "introduction_id": e.originator_id, "connector_id": e.connector_id, "to": e.to,
        "enterprise_id": e.enterprise_id}),
}
TRANSLATED = tuple(TRANSLATIONS)


def to_contract(domain_event: Any) -> dict[str, Any] | None:
    found = TRANSLATIONS.get(type(domain_event))
    if found is None:
        return None
    event_type, payload = found
    fields = payload(domain_event)
    if fields is None:
        return None
    return SCHEMAS[event_type].dump({**envelope_of(domain_event, event_type, domain_event.occurred_at), **fields})
