"""HTTP bodies of the enterprises service, FUSE part, and the shared vocabularies (re-exported by
contracts.enterprises; mentors, events, support and research bodies are in community_commands). Unknown
fields are refused.

Free text is kept to names and titles (sealed where a person may be named); everything a report counts is
a closed vocabulary, so no personal data hides in it.
"""
from typing import Any

from marshmallow import ValidationError, validate, validates_schema

from contracts import fields
from contracts.envelope import Command
from contracts.vocabulary import not_in_future

LEGAL_FORMS = ("cic", "charity", "co_operative", "company", "sole_trader")
SECTORS = ("food", "health_and_care", "arts_and_culture", "environment", "retail", "construction", "education",
           "employment", "community_services", "other")
DECISIONS = ("accepted", "waitlisted", "rejected")
DECISION_REASONS = ("selected", "places_full", "not_eligible", "not_viable_yet", "no_social_purpose",
                    "did_not_attend", "withdrew", "other")
CONFLICT_NATURES = ("family", "friend", "business_interest", "employer", "mentor_of_applicant", "other")
APPLICATION_STAGES = ("shortlisted", "interviewed", "interview_voided", "accepted", "waitlisted", "rejected",
                      "enterprise_linked")
PROGRAMME_KINDS = ("fuse_cohort", "boot_camp")
STAFF_SUPPORT_KINDS = ("one_to_one", "workshop", "group_session")
ALL_SUPPORT_KINDS = STAFF_SUPPORT_KINDS + ("mentoring", "diagnostic", "grant")
MENTOR_CHANNELS = ("personal_contact", "business_event", "recruitment_evening", "employer_volunteering_scheme",
                   "former_participant")
MENTOR_KINDS = ("general", "specialist")
SPECIALISMS = ("finance", "legal", "marketing", "sales", "governance", "hr", "it", "operations", "procurement",
               "social_impact", "property", "food_safety", "other")
RECOGNITIONS = ("annual_dinner", "public_award", "talking_heads_video", "thank_you_letter")
STEP_DOWN_REASONS = ("no_time", "moved_away", "changed_job", "other")
SERIES = ("soho_network", "awareness_session", "supply_chain", "festival")
ATTENDEE_KINDS = ("person", "enterprise", "organisation")
SUPPLY_CHAIN_OUTCOMES = ("pitched", "lead", "contract_won")
GRANT_PURPOSES = ("start_up", "equipment", "trading", "capacity_building", "other")
DIAGNOSTIC_AREAS = ("governance", "finance", "marketing", "operations", "social_impact", "people", "legal", "sales")
RESEARCH_PROGRAMMES = ("community_researcher", "community_connector", "community_partner")
RESEARCH_ACTIVITIES = ("training", "fieldwork", "mentoring")
DISSOLUTION_REASONS = ("struck_off", "wound_up", "ceased_trading", "merged_with_another_business", "other")
SUPPORT_CORRECTION_REASONS = ("hours_mistyped", "hours_revised_by_provider", "other")
LAPSE_REASONS = ("no_time", "moved_away", "lost_contact", "other")
ASSET_KINDS = ("place", "organisation", "skill", "network")
AREAS = ("ladywood", "soho", "smethwick", "winson_green", "handsworth", "jewellery_quarter", "greater_icknield_other")
INTRODUCTION_TARGETS = ("enterprise", "referrals", "fuse")
SLUG = validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,99}$", error="a reference: lower-case letters, digits and hyphens")


def _quarter_hours(value: Any) -> None:
    if value * 4 != int(value * 4):
        raise ValidationError("in quarters of an hour (0.25, 0.5, 0.75, 1, ...)")


def hours(maximum: int = 100) -> fields.Decimal:
    return fields.Decimal(required=True, places=2, validate=[validate.Range(min=0.25, max=maximum), _quarter_hours],
                          metadata={"description": f"hours, in quarters of an hour, up to {maximum}"})


def occurred_at() -> fields.AwareDateTime:
    return fields.AwareDateTime(required=True, validate=not_in_future,
                                metadata={"description": "when it happened (not in the future)"})


def _both_or_neither(data: dict[str, Any]) -> None:
    if (data.get("legal_form") is None) != (data.get("registered_on") is None):
        raise ValidationError("give both legal_form and registered_on, or neither (not yet registered)",
                              "registered_on")


class Step(Command):
    occurred_at = occurred_at()


class RegisterEnterprise(Step):
    """POST /enterprises: an enterprise (or a venture not yet registered); the same one twice is refused (409)."""

    legal_form = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LEGAL_FORMS))
    registered_on = fields.Date(load_default=None, allow_none=True, validate=not_in_future)
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 200))
    registration_number = fields.String(load_default=None, allow_none=True,
                                        validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9 -]{0,19}$"),
                                        metadata={"description": "Companies House, charity or society number"})

    @validates_schema
    def _registration(self, data: dict[str, Any], **_: Any) -> None:
        _both_or_neither(data)


class RecordRegistration(Step):
    """POST /enterprises/{id}/registration: a venture registered (legal form and date)."""

    legal_form = fields.String(required=True, validate=validate.OneOf(LEGAL_FORMS))
    registered_on = fields.Date(required=True, validate=not_in_future)
    registration_number = fields.String(load_default=None, allow_none=True,
                                        validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9 -]{0,19}$"))


class LogSupport(Step):
    """POST /enterprises/{id}/support: staff time given within a programme the enterprise belongs to."""

    programme_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(STAFF_SUPPORT_KINDS))
    hours = hours()


class CorrectSupport(Step):
    """POST /enterprises/{id}/support-corrections: staff support whose hours were logged wrongly (``support_version``
    is the ``version`` its answer gave). The logged support stays in the history; the correction follows it and
    counts from the support's own day."""

    support_version = fields.Integer(required=True, validate=validate.Range(min=2))
    hours = hours()
    reason = fields.String(required=True, validate=validate.OneOf(SUPPORT_CORRECTION_REASONS))


class DissolveEnterprise(Step):
    """POST /enterprises/{id}/dissolution: the enterprise ceased to exist on ``occurred_at``'s day."""

    reason = fields.String(required=True, validate=validate.OneOf(DISSOLUTION_REASONS))


class MergeEnterprise(Step):
    """POST /enterprises/{id}/merge: this record duplicates ``into``."""

    into = fields.UUID(required=True)


class OpenRound(Step):
    """POST /rounds: a FUSE recruitment round."""

    name = fields.String(required=True, validate=validate.Length(1, 120))
    programme_id = fields.UUID(load_default=None, allow_none=True,
                               metadata={"description": "the cohort accepted applicants join"})
    opens_on = fields.Date(required=True)
    closes_on = fields.Date(required=True)
    places = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(1, 1000))


class EnterpriseDetails(Command):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    registration_number = fields.String(load_default=None, allow_none=True,
                                        validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9 -]{0,19}$"))
    legal_form = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LEGAL_FORMS))
    registered_on = fields.Date(load_default=None, allow_none=True, validate=not_in_future)

    @validates_schema
    def _registration(self, data: dict[str, Any], **_: Any) -> None:
        _both_or_neither(data)


class ApplicantDetails(Command):
    """A person's details: sealed under their own key, never in events or logs."""

    display_name = fields.String(required=True, validate=validate.Length(1, 200))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254),
                         metadata={"description": "recognises the same person applying again"})


class SubmitApplication(Step):
    """POST /rounds/{id}/applications: a person applies for an enterprise (new, recognised, or chosen by id)."""

    applicant = fields.Nested(ApplicantDetails, load_default=None, allow_none=True)
    applicant_id = fields.UUID(load_default=None, allow_none=True)
    enterprise = fields.Nested(EnterpriseDetails, load_default=None, allow_none=True)
    enterprise_id = fields.UUID(load_default=None, allow_none=True)
    sector = fields.String(required=True, validate=validate.OneOf(SECTORS))

    @validates_schema
    def _one_of_each(self, data: dict[str, Any], **_: Any) -> None:
        for name in ("applicant", "enterprise"):
            if (data.get(name) is None) == (data.get(f"{name}_id") is None):
                raise ValidationError(f"give {name} or {name}_id (one of them)", name)


class ShortlistApplication(Step):
    """POST /rounds/{id}/applications/{application_id}/shortlisting."""


class DeclareConflict(Step):
    """POST .../conflicts: a panel member's conflict of interest with this application."""

    panel_member = fields.String(required=True, validate=SLUG)
    nature = fields.String(required=True, validate=validate.OneOf(CONFLICT_NATURES))


class Interview(Step):
    """POST .../interview: the panel that interviewed the applicant."""

    panel = fields.List(fields.String(validate=SLUG), required=True, validate=validate.Length(1, 10))


class DecideApplication(Step):
    """POST .../decision: accepted (joins the cohort), waitlisted or rejected, with the reason."""

    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    reason = fields.String(required=True, validate=validate.OneOf(DECISION_REASONS))
    programme_id = fields.UUID(load_default=None, allow_none=True,
                               metadata={"description": "the cohort; the round's own when not given"})


class LinkEnterprise(Step):
    """POST .../enterprise-link: staff say the application is for this (existing) enterprise."""

    enterprise_id = fields.UUID(required=True)


class CloseRound(Step):
    """POST /rounds/{id}/closure."""


class RecordApplicant(Step, ApplicantDetails):
    """POST /applicants: a person joining a short programme without applying."""


class StartProgramme(Step):
    """POST /programmes: a FUSE cohort or a short programme (the summer boot camp)."""

    kind = fields.String(required=True, validate=validate.OneOf(PROGRAMME_KINDS))
    name = fields.String(required=True, validate=validate.Length(1, 120))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)


class AdmitMember(Step):
    """POST /programmes/{id}/members: an enterprise, a person, or both."""

    enterprise_id = fields.UUID(load_default=None, allow_none=True)
    applicant_id = fields.UUID(load_default=None, allow_none=True)

    @validates_schema
    def _someone(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("enterprise_id") is None and data.get("applicant_id") is None:
            raise ValidationError("name an enterprise, a person, or both", "enterprise_id")
