"""Contracts of the referrals service: its integration events and HTTP bodies."""
from marshmallow import fields, validate

from contracts.envelope import Command, Envelope

ENTRY_POINTS = ("E-A", "E-B", "E-C", "E-D")
REGULATORS = ("GMC", "NMC", "HCPC", "GPhC")
PROFESSIONS = ("doctor", "nurse", "midwife", "pharmacist", "radiographer", "physiotherapist",
               "occupational_therapist", "speech_and_language_therapist", "dentist", "other")

CLIENT_REFERRED_V1 = "client_referred_v1"
CLIENT_ACCEPTED_V1 = "client_accepted_v1"


class ClientReferredV1(Envelope):
    """A referral reached the hub. No personal data: ids, the partner and the profession only."""

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


PUBLISHED = {CLIENT_REFERRED_V1: ClientReferredV1, CLIENT_ACCEPTED_V1: ClientAcceptedV1}


class SubmitReferral(Command):
    """POST /referrals (walking-skeleton form; the full placement referral form comes with issue 4)."""

    partner_id = fields.String(required=True, validate=validate.Length(1, 100))
    occurred_at = fields.AwareDateTime(required=True)
    profession = fields.String(required=True, validate=validate.OneOf(PROFESSIONS))


class AcceptClient(Command):
    """POST /referrals/<id>/acceptance."""

    occurred_at = fields.AwareDateTime(required=True)
    entry_point = fields.String(required=True, validate=validate.OneOf(ENTRY_POINTS))
    regulator = fields.String(required=True, validate=validate.OneOf(REGULATORS))
