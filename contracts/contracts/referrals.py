"""Contracts of the referrals service: its integration events and HTTP bodies."""
import re

from marshmallow import ValidationError, pre_load, validate, validates, validates_schema

from contracts import fields
from contracts.envelope import Command, Envelope
from contracts.vocabulary import ENTRY_POINTS, PROFESSIONS, REGULATORS, not_in_future

__all__ = ["ENTRY_POINTS", "PROFESSIONS", "REGULATORS", "not_in_future"]  # and everything defined here

GENDERS = ("female", "male", "other", "prefer_not_to_say")
RIGHT_TO_WORK = ("yes", "no", "not_sure")
DOCUMENT_TYPES = ("degree_certificate", "transcript", "registration_certificate", "english_test_report",
                  "right_to_work_evidence", "identity_document", "cv", "reference", "other")
# HMRC's NINO rules: no D, F, I, Q, U, V in either prefix letter, no O second, some prefixes never issued.
NI_NUMBER = re.compile(r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$")
#: the documented form: every number it matches is valid (no look-ahead: first letters B, G, K, N, T, Z left out)
NI_DOCUMENTED = r"^[ACEHJ-MPRSW-Y][A-CEGHJ-NPR-TW-Y][0-9]{6}[A-D]$"
PHONE = re.compile(r"^\+?[0-9]{7,15}$")
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}$")
#: A partner's or trust's own case reference: letters, digits and - _ / . (no spaces, no @), 1 to 40 characters.
EXTERNAL_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_/.-]{0,39}$")

CONTACT_OUTCOMES = ("reached", "no_answer", "message_left", "wrong_number")
LAWFUL_BASES = ("consent", "public_task", "legitimate_interests", "legal_obligation")
IMMIGRATION_STATUSES = ("british_or_irish", "settled", "refugee", "humanitarian_protection", "other_leave",
                        "asylum_seeker_with_permission", "asylum_seeker_no_permission")
ENGLISH_LEVELS = ("below_esol_level_2", "esol_level_2", "regulator_requirement_met")
DECLINE_REASONS = ("not_eligible_area", "no_overseas_qualification", "not_interested", "duplicate", "other")
CLOSE_OUTCOMES = ("declined", "closed_no_contact", "withdrawn")

CLIENT_REFERRED_V1 = "client_referred_v1"
REFERRAL_CONTACTED_V1 = "referral_contacted_v1"
CONSENT_CHANGED_V1 = "consent_changed_v1"
CLIENT_ACCEPTED_V1 = "client_accepted_v1"
REFERRAL_CLOSED_V1 = "referral_closed_v1"
DETAILS_CORRECTED_V1 = "details_corrected_v1"
CLIENT_ERASED_V1 = "client_erased_v1"


class ClientReferredV1(Envelope):
    """A referral reached the hub. No personal data: ids, the partner and programme facts only."""

    referral_id = fields.UUID(required=True)
    client_id = fields.UUID(required=True)
    partner_id = fields.String(required=True)
    profession = fields.String(required=True)
    external_reference = fields.String(load_default=None, allow_none=True,
                                       metadata={"description": "the referrer's own case reference, if given"})


class ClientAcceptedV1(Envelope):
    """A client was accepted into the programme at an entry point (kept forever: prices use it)."""

    client_id = fields.UUID(required=True)
    referral_id = fields.UUID(required=True)
    partner_id = fields.String(required=True)
    entry_point = fields.String(required=True, validate=validate.OneOf(ENTRY_POINTS))
    profession = fields.String(required=True)
    regulator = fields.String(required=True, validate=validate.OneOf(REGULATORS))


class ReferralContactedV1(Envelope):
    """The hub tried to contact the referred person (attempts are counted; the first ends the follow-up timer)."""

    referral_id = fields.UUID(required=True)
    partner_id = fields.String(required=True)
    attempt = fields.Integer(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(CONTACT_OUTCOMES))


class ConsentChangedV1(Envelope):
    """The lawful basis or consent of a client changed; what relied on consent stops when it is withdrawn."""

    client_id = fields.UUID(required=True)
    lawful_basis = fields.String(required=True, allow_none=True)
    consent_given = fields.Boolean(required=True)


class ReferralClosedV1(Envelope):
    """A referral ended other than by acceptance: declined (reason), closed for no contact, or withdrawn."""

    referral_id = fields.UUID(required=True)
    client_id = fields.UUID(required=True)
    partner_id = fields.String(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(CLOSE_OUTCOMES))
    reason = fields.String(required=True)


class DetailsCorrectedV1(Envelope):
    """A client's details were corrected; names the corrected fields, never their values."""

    client_id = fields.UUID(required=True)
    fields_corrected = fields.List(fields.String(), required=True)


class ClientErasedV1(Envelope):
    """The client's personal data was erased (crypto-shredded); counts and programme facts remain."""

    client_id = fields.UUID(required=True)


PUBLISHED = {CLIENT_REFERRED_V1: ClientReferredV1, REFERRAL_CONTACTED_V1: ReferralContactedV1,
             CONSENT_CHANGED_V1: ConsentChangedV1, CLIENT_ACCEPTED_V1: ClientAcceptedV1,
             REFERRAL_CLOSED_V1: ReferralClosedV1, DETAILS_CORRECTED_V1: DetailsCorrectedV1,
             CLIENT_ERASED_V1: ClientErasedV1}


class Address(Command):
    lines = fields.List(fields.String(validate=validate.Length(1, 100)), required=True,
                        validate=validate.Length(1, 4), metadata={"example": ["14 Example Road"]})
    town = fields.String(required=True, validate=validate.Length(1, 60), metadata={"example": "Birmingham"})
    postcode = fields.String(required=True, metadata={
        "description": "a UK postcode (any case, the space optional)", "pattern": POSTCODE.pattern,
        "example": "B18 4AA"})

    @validates("postcode")
    def _postcode(self, value: str, **_: object) -> None:
        if not POSTCODE.match(value.upper().strip()):
            raise ValidationError("not a UK postcode")


def ni_number(value: str) -> None:
    if not NI_NUMBER.match(value.replace(" ", "").upper()):
        raise ValidationError("not a National Insurance number (two letters, six digits, A-D)")


def phone(value: str) -> None:
    if not PHONE.match(re.sub(r"[ ()-]", "", value)):
        raise ValidationError("not a phone number: digits, optionally starting with +")


class Person(Command):
    """The personal part of the placement referral form (sealed per client before it is stored)."""

    full_name = fields.String(required=True, validate=validate.Length(1, 200), metadata={"example": "A. Example"})
    address = fields.Nested(Address, required=True)
    email = fields.Email(required=True, validate=validate.Length(max=254), metadata={"example": "a@example.org"})
    mobile = fields.String(required=True, validate=phone, metadata={
        "description": "7 to 15 digits, optionally after +; spaces, brackets and hyphens are also accepted",
        "pattern": PHONE.pattern, "example": "+447700900123"})
    ni_number = fields.String(load_default=None, allow_none=True, validate=ni_number, metadata={
        "description": "National Insurance number, if the person has one (any case, spaces allowed)",
        "pattern": NI_DOCUMENTED, "example": "AB123456C"})
    gender = fields.String(required=True, validate=validate.OneOf(GENDERS), metadata={"example": "female"})
    country_of_origin = fields.String(required=True, validate=validate.Length(2, 60), metadata={"example": "Nigeria"})
    date_of_birth = fields.Date(load_default=None, allow_none=True, validate=not_in_future,
                                metadata={"example": "1984-05-17"})


class Document(Command):
    """A qualification or certificate, by reference: no file travels in events."""

    type = fields.String(required=True, validate=validate.OneOf(DOCUMENT_TYPES))
    issuer = fields.String(required=True, validate=validate.Length(1, 200))
    issued_on = fields.Date(required=True, validate=not_in_future)
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))


def external_reference(value: str) -> None:
    """A case reference, never personal data: refused when it looks like an NI number, an NHS number, a phone
    number or a postcode (the data-sharing agreement says references carry no personal data; this holds it)."""
    if not EXTERNAL_REFERENCE.match(value):
        raise ValidationError("letters, digits and - _ / . only (1 to 40, no spaces)")
    squeezed = re.sub(r"[^A-Za-z0-9]", "", value).upper()
    if NI_NUMBER.match(squeezed) or POSTCODE.match(squeezed) or re.search(r"[0-9]{10}", squeezed) or \
            re.fullmatch(r"0?7[0-9]{9}|44[0-9]{10}", squeezed):
        raise ValidationError("looks like personal data (an NI, NHS or phone number, or a postcode): "
                              "use the case reference your system gives the person")


class SubmitReferral(Command):
    """POST /referrals: the journal's placement referral form."""

    partner_id = fields.String(required=True, validate=validate.Length(1, 100),
                               metadata={"example": "ladywood-work-club"})
    occurred_at = fields.AwareDateTime(required=True, validate=not_in_future,
                                       metadata={"example": "2026-11-02T10:00:00+00:00"})
    person = fields.Nested(Person, required=True)
    right_to_work = fields.String(required=True, validate=validate.OneOf(RIGHT_TO_WORK),
                                  metadata={"example": RIGHT_TO_WORK[0]})
    profession = fields.String(required=True, validate=validate.OneOf(PROFESSIONS), metadata={"example": "nurse"})
    country_qualified_in = fields.String(required=True, validate=validate.Length(2, 60),
                                         metadata={"example": "Nigeria"})
    speciality_detail = fields.String(load_default="", validate=validate.Length(max=4000))
    support_needed = fields.String(load_default="", validate=validate.Length(max=4000))
    ielts_taken = fields.Boolean(required=True, metadata={"example": False})
    ielts_score_needed = fields.Decimal(load_default=None, allow_none=True, places=1,
                                        validate=[validate.Range(0, 9), lambda score: score * 2 == int(score * 2)],
                                        metadata={"description": "an IELTS band: 0 to 9 in steps of 0.5",
                                                  "multipleOf": 0.5, "example": 7.0})
    documents = fields.List(fields.Nested(Document), load_default=list, validate=validate.Length(max=30))
    external_reference = fields.String(
        load_default=None, allow_none=True, validate=external_reference,
        metadata={"description": "the referring partner's or trust's own case reference for the person (not personal "
                                 "data: no name, NI or NHS number, phone or postcode), so claims can be matched "
                                 "with the provider's records; shown to finance where the contract allows"})


PARTNER_KINDS = ("work_club", "community_organisation", "community_connector", "self", "trust", "other")


class RegisterPartner(Command):
    """POST /partners: a referring organisation; its id is the organisation its API credentials carry."""

    partner_id = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,99}$"))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    kind = fields.String(required=True, validate=validate.OneOf(PARTNER_KINDS))
    occurred_at = fields.AwareDateTime(required=True, validate=not_in_future)


class Step(Command):
    occurred_at = fields.AwareDateTime(required=True, validate=not_in_future)


class AcceptClient(Step):
    """POST /referrals/<id>/acceptance: the entry point is the one the assessment gave."""

    regulator = fields.String(required=True, validate=validate.OneOf(REGULATORS))


class RecordContactAttempt(Step):
    """POST /referrals/<id>/contact-attempts."""

    outcome = fields.String(required=True, validate=validate.OneOf(CONTACT_OUTCOMES))


class RecordConsent(Step):
    """POST /referrals/<id>/consent: the privacy notice, the lawful basis, and consent where it is the basis."""

    lawful_basis = fields.String(required=True, validate=validate.OneOf(LAWFUL_BASES))
    privacy_notice_given = fields.Boolean(required=True,
                                          validate=validate.Equal(True, error="give the privacy notice first"))
    consent_given = fields.Boolean(required=True)


class WithdrawConsent(Step):
    """POST /referrals/<id>/consent-withdrawal."""


class Assess(Step):
    """POST /referrals/<id>/assessment: eligibility and English, from which the entry point follows."""

    lives_in_area = fields.Boolean(required=True)
    overseas_health_qualification = fields.Boolean(required=True)
    immigration_status = fields.String(required=True, validate=validate.OneOf(IMMIGRATION_STATUSES))
    english = fields.String(required=True, validate=validate.OneOf(ENGLISH_LEVELS))
    registered = fields.Boolean(load_default=False,
                                metadata={"description": "registered with the regulator, or the decision is pending"})


class Decline(Step):
    """POST /referrals/<id>/decline."""

    reason = fields.String(required=True, validate=validate.OneOf(DECLINE_REASONS))


class CloseForNoContact(Step):
    """POST /referrals/<id>/closure-for-no-contact."""


class Withdraw(Step):
    """POST /referrals/<id>/withdrawal."""

    reason = fields.String(required=True, validate=validate.Length(1, 200))


class CorrectDetails(Step):
    """POST /referrals/<id>/corrections: the corrected fields of the form (others stay as they were)."""

    person = fields.Nested(Person(partial=True))
    country_qualified_in = fields.String(validate=validate.Length(2, 60))
    speciality_detail = fields.String(validate=validate.Length(max=4000))
    support_needed = fields.String(validate=validate.Length(max=4000))


class DecideErasure(Command):
    """POST /clients/<id>/erasure: a caseworker's decision on an erasure request."""

    decision = fields.String(required=True, validate=validate.OneOf(("erase", "refuse")))
    ground = fields.String(required=True, validate=validate.Length(3, 500),
                           metadata={"description": "why: the request, or the retention rule that refuses it"})
    requested_on = fields.Date(required=True, validate=not_in_future)


#: What a search finds clients by (a date of birth only with a name; a case reference only with its partner).
SEARCHED_BY = ("ni_number", "mobile", "email", "full_name", "external_reference")


class ClientSearch(Command):
    """POST /clients/search: any of these find a client (a POST: the body carries personal data, which a query
    string would leave in logs). Compared as keyed digests only; blank fields count as not given."""

    ni_number = fields.String(load_default=None, allow_none=True, validate=ni_number,
                              metadata={"pattern": NI_DOCUMENTED, "example": "AB123456C"})
    mobile = fields.String(load_default=None, allow_none=True, validate=phone, metadata={"pattern": PHONE.pattern})
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    full_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 200),
                              metadata={"description": "alone, or with date_of_birth (then also name and date)"})
    date_of_birth = fields.Date(load_default=None, allow_none=True, validate=not_in_future,
                                metadata={"description": "only with full_name"})
    external_reference = fields.String(load_default=None, allow_none=True, validate=external_reference,
                                       metadata={"description": "a partner's own case reference: with partner_id"})
    partner_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 100),
                               metadata={"description": "the partner whose external_reference this is"})

    @pre_load
    def _blanks(self, data: object, **_: object) -> object:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data

    @validates_schema
    def _enough(self, data: dict, **_: object) -> None:
        errors: dict[str, list[str]] = {}
        if data.get("date_of_birth") and not data.get("full_name"):
            errors["full_name"] = ["give the name with the date of birth"]
        if data.get("external_reference") and not data.get("partner_id"):
            errors["partner_id"] = ["give the partner whose case reference it is"]
        if data.get("partner_id") and not data.get("external_reference"):
            errors["external_reference"] = ["give the partner's case reference"]
        if not any(data.get(name) for name in SEARCHED_BY):
            errors["_schema"] = [f"give at least one of {', '.join(SEARCHED_BY)}"]
        if errors:
            raise ValidationError(errors)
