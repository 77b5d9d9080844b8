"""Contracts of the pathways service."""
from marshmallow import fields, validate

from contracts.envelope import Envelope
from contracts.referrals import ENTRY_POINTS, REGULATORS

PATHWAY_OPENED_V1 = "pathway_opened_v1"


class PathwayOpenedV1(Envelope):
    pathway_id = fields.UUID(required=True)
    client_id = fields.UUID(required=True)
    entry_point = fields.String(required=True, validate=validate.OneOf(ENTRY_POINTS))
    regulator = fields.String(required=True, validate=validate.OneOf(REGULATORS))


PUBLISHED = {PATHWAY_OPENED_V1: PathwayOpenedV1}
