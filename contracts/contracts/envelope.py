"""The envelope every integration event carries, and the base schemas of HTTP bodies."""
from marshmallow import EXCLUDE, RAISE, Schema

from contracts import fields


class Envelope(Schema):
    """Fields common to every integration event. Consumers ignore fields they do not know (tolerant reader)."""

    class Meta:
        unknown = EXCLUDE
        ordered = True

    event_id = fields.String(required=True, metadata={"description": "<aggregate_id>:<version>, the dedupe key"})
    event_type = fields.String(required=True, metadata={"description": "<aggregate>_<past_participle>_v<major>"})
    occurred_at = fields.AwareDateTime(required=True, metadata={"description": "when it happened in the world"})
    recorded_at = fields.AwareDateTime(required=True, metadata={"description": "when the producer stored it"})
    aggregate_id = fields.UUID(required=True)
    actor = fields.String(required=True, allow_none=True, metadata={"description": "authenticated principal"})
    organisation = fields.String(required=True, allow_none=True)
    idempotency_key = fields.String(required=True, allow_none=True)
    correlation_id = fields.String(required=True, allow_none=True)


class Command(Schema):
    """Base of HTTP command bodies: unknown fields are refused, so a typo is an error, not silence."""

    class Meta:
        unknown = RAISE
        ordered = True


def envelope_of(event: object, event_type: str, occurred_at: object) -> dict:
    """The envelope fields of a stored domain event (an eventsourcing event with ``meta``)."""
    meta = getattr(event, "meta", {}) or {}
    return {
        "event_id": f"{event.originator_id}:{event.originator_version}",  # type: ignore[attr-defined]
        "event_type": event_type,
        "occurred_at": occurred_at,
        "recorded_at": event.timestamp,  # type: ignore[attr-defined]
        "aggregate_id": event.originator_id,  # type: ignore[attr-defined]
        "actor": meta.get("actor"),
        "organisation": meta.get("organisation"),
        "idempotency_key": meta.get("idempotency_key"),
        "correlation_id": meta.get("correlation_id"),
    }
