"""Contracts of the referrals service: its integration events and HTTP bodies."""
import re
from datetime import date, datetime, timedelta, timezone

from marshmallow import ValidationError, fields, validate, validates

from contracts.envelope import Command, Envelope

ENTRY_POINTS = ("E-A", "E-B", "E-C", "E-D")
REGULATORS = ("GMC", "NMC", "HCPC", "GPhC")
PROFESSIONS = ("doctor", "nurse", "midwife", "pharmacist", "radiographer", "physiotherapist",
               "occupational_therapist", "speech_and_language_therapist", "dietitian", "paramedic",
               "biomedical_scientist", "dentist", "other")
#: The regulator each profession registers with (dentists: GDC, outside the programme's four; "other": none).
REGULATOR_OF = {"doctor": "GMC", "nurse": "NMC", "midwife": "NMC", "pharmacist": "GPhC", "radiographer": "HCPC",
                "physiotherapist": "HCPC", "occupational_therapist": "HCPC", "speech_and_language_therapist": "HCPC",
                "dietitian": "HCPC", "paramedic": "HCPC", "biomedical_scientist": "HCPC"}
GENDERS = ("female", "male", "other", "prefer_not_to_say")
RIGHT_TO_WORK = ("yes", "no", "not_sure")
DOCUMENT_TYPES = ("degree_certificate", "transcript", "registration_certificate", "english_test_report",
                  "right_to_work_evidence", "identity_document", "cv", "reference", "other")
# HMRC's NINO rules: no D, F, I, Q, U, V in either prefix letter, no O second, some prefixes never issued.
NI_NUMBER = re.compile(r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$")
PHONE = re.compile(r"^\+?[0-9]{7,15}$")
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}$")

CLIENT_REFERRED_V1 = "client_referred_v1"
CLIENT_ACCEPTED_V1 = "client_accepted_v1"
CLIENT_ERASED_V1 = "client_erased_v1"


class ClientReferredV1(Envelope):
    """A referral reached the hub. No personal data: ids, the partner and programme facts only."""

    referral_id = fields.UUID(required=True)
    client_id = fields.UUID(required=True)
    partner_id = fields.String(required=True)
    profession = fields.String(required=True)


class ClientAcceptedV1(Envelope):
    """A client was accepted into the programme at an entry point (kept forever: prices use it)."""

    client_id = fields.UUID(required=True)
    referral_id = fields.UUID(required=True)
    partner_id = fields.String(required=True)
    entry_point = fields.String(required=True, validate=validate.OneOf(ENTRY_POINTS))
    profession = fields.String(required=True)
    regulator = fields.String(required=True, validate=validate.OneOf(REGULATORS))


class ClientErasedV1(Envelope):
    """The client's personal data was erased (crypto-shredded); counts and programme facts remain."""

    client_id = fields.UUID(required=True)


PUBLISHED = {CLIENT_REFERRED_V1: ClientReferredV1, CLIENT_ACCEPTED_V1: ClientAcceptedV1,
             CLIENT_ERASED_V1: ClientErasedV1}


def not_in_future(value: date | datetime) -> None:
    """Dates of things that happened: not after now (5 minutes' grace for the poster's clock)."""
    now = datetime.now(timezone.utc)
    if isinstance(value, datetime):
        if value > now + timedelta(minutes=5):
            raise ValidationError("is in the future")
    elif value > now.date():
        raise ValidationError("is in the future")


class Address(Command):
    lines = fields.List(fields.String(validate=validate.Length(1, 100)), required=True,
                        validate=validate.Length(1, 4))
    town = fields.String(required=True, validate=validate.Length(1, 60))
    postcode = fields.String(required=True)

    @validates("postcode")
    def _postcode(self, value: str, **_: object) -> None:
        if not POSTCODE.match(value.upper().strip()):
            raise ValidationError("not a UK postcode")


class Person(Command):
    """The personal part of the placement referral form (sealed per client before it is stored)."""

    full_name = fields.String(required=True, validate=validate.Length(1, 200))
    address = fields.Nested(Address, required=True)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    mobile = fields.String(required=True)
    ni_number = fields.String(load_default=None, allow_none=True,
                              metadata={"description": "National Insurance number, if the person has one"})
    gender = fields.String(required=True, validate=validate.OneOf(GENDERS))
    country_of_origin = fields.String(required=True, validate=validate.Length(2, 60))
    date_of_birth = fields.Date(load_default=None, allow_none=True, validate=not_in_future)

    @validates("mobile")
    def _mobile(self, value: str, **_: object) -> None:
        if not PHONE.match(re.sub(r"[ ()-]", "", value)):
            raise ValidationError("not a phone number: digits, optionally starting with +")

    @validates("ni_number")
    def _ni(self, value: str | None, **_: object) -> None:
        if value is not None and not NI_NUMBER.match(value.replace(" ", "").upper()):
            raise ValidationError("not a National Insurance number (two letters, six digits, A-D)")


class Document(Command):
    """A qualification or certificate, by reference: no file travels in events."""

    type = fields.String(required=True, validate=validate.OneOf(DOCUMENT_TYPES))
    issuer = fields.String(required=True, validate=validate.Length(1, 200))
    issued_on = fields.Date(required=True, validate=not_in_future)
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))


class SubmitReferral(Command):
    """POST /referrals: the journal's placement referral form."""

    partner_id = fields.String(required=True, validate=validate.Length(1, 100))
    occurred_at = fields.AwareDateTime(required=True, validate=not_in_future)
    person = fields.Nested(Person, required=True)
    right_to_work = fields.String(required=True, validate=validate.OneOf(RIGHT_TO_WORK))
    profession = fields.String(required=True, validate=validate.OneOf(PROFESSIONS))
    country_qualified_in = fields.String(required=True, validate=validate.Length(2, 60))
    speciality_detail = fields.String(load_default="", validate=validate.Length(max=4000))
    support_needed = fields.String(load_default="", validate=validate.Length(max=4000))
    ielts_taken = fields.Boolean(required=True)
    ielts_score_needed = fields.Decimal(load_default=None, allow_none=True, places=1,
                                        validate=[validate.Range(0, 9), lambda score: score * 2 == int(score * 2)],
                                        metadata={"description": "an IELTS band: 0 to 9 in steps of 0.5"})
    documents = fields.List(fields.Nested(Document), load_default=list, validate=validate.Length(max=30))


class AcceptClient(Command):
    """POST /referrals/<id>/acceptance."""

    occurred_at = fields.AwareDateTime(required=True, validate=not_in_future)
    entry_point = fields.String(required=True, validate=validate.OneOf(ENTRY_POINTS))
    regulator = fields.String(required=True, validate=validate.OneOf(REGULATORS))


class DecideErasure(Command):
    """POST /clients/<id>/erasure: a caseworker's decision on an erasure request."""

    decision = fields.String(required=True, validate=validate.OneOf(("erase", "refuse")))
    ground = fields.String(required=True, validate=validate.Length(3, 500),
                           metadata={"description": "why: the request, or the retention rule that refuses it"})
    requested_on = fields.Date(required=True, validate=not_in_future)
