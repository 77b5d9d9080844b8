"""Contracts of the enterprises service."""
from marshmallow import fields, validate

from contracts.envelope import Command, Envelope

LEGAL_FORMS = ("cic", "charity", "co_operative", "company", "sole_trader")

ENTERPRISE_REGISTERED_V1 = "enterprise_registered_v1"


class EnterpriseRegisteredV1(Envelope):
    enterprise_id = fields.UUID(required=True)
    legal_form = fields.String(required=True, validate=validate.OneOf(LEGAL_FORMS))
    registered_on = fields.Date(required=True)


PUBLISHED = {ENTERPRISE_REGISTERED_V1: EnterpriseRegisteredV1}


class RegisterEnterprise(Command):
    occurred_at = fields.AwareDateTime(required=True)
    legal_form = fields.String(required=True, validate=validate.OneOf(LEGAL_FORMS))
    registered_on = fields.Date(required=True)
