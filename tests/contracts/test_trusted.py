"""The trusted loader (``contracts.trusted``) returns exactly what ``schema.load`` returns, types included, for
every integration event the services publish; what it cannot convert exactly is ``schema.load``'s to decide."""
from __future__ import annotations

import json

import pytest
from marshmallow import ValidationError

from contracts import trusted
from contracts.referrals import ClientAcceptedV1, ClientSearch
from tests.contracts.test_contracts import PUBLISHED, all_published, produced, sample


def typed(value):
    """``value`` with the type of every leaf beside it, so that 1 == 1.0 or a str for a UUID would differ."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, value, getattr(value, "tzinfo", None))


def messages() -> list[tuple[str, dict]]:
    # the samples and the producers' translations, each as it travels (through JSON, as a page over RPC does)
    found = [(s, sample(s, t)) for s, t in all_published()] + produced()
    return [(service, json.loads(json.dumps(message))) for service, message in found]


@pytest.mark.parametrize("service,message", messages(), ids=lambda v: v if isinstance(v, str) else v["event_type"])
def test_a_trusted_load_equals_the_validating_load(service, message):
    schema = PUBLISHED[service][message["event_type"]]()
    assert typed(trusted.loader(schema)(message)) == typed(schema.load(message))


def test_every_published_schema_compiles():
    # a schema that always fell back would be correct but slow: the point of the loader is that none does
    slow = [t for s, t in all_published() if trusted._compile(PUBLISHED[s][t]()) is None]
    assert slow == []


def test_it_does_not_validate_what_it_converts():
    schema = ClientAcceptedV1()
    body = sample("referrals", "client_accepted_v1")
    body["entry_point"] = "E-Z"  # not one of the entry points: the consumer's validating load refuses it
    with pytest.raises(ValidationError):
        schema.load(body)
    assert trusted.loader(schema)(body)["entry_point"] == "E-Z"


@pytest.mark.parametrize("change", ["missing", "wrong_type", "naive_time"])
def test_what_it_cannot_convert_exactly_is_left_to_schema_load(change):
    schema = ClientAcceptedV1()
    body = sample("referrals", "client_accepted_v1")
    if change == "missing":
        del body["client_id"]
    elif change == "wrong_type":
        body["client_id"] = 12
    else:
        body["occurred_at"] = "2018-09-03T10:30:00"
    with pytest.raises(ValidationError) as refused:
        trusted.loader(schema)(body)
    assert refused.value.messages == pytest.raises(ValidationError, schema.load, body).value.messages


def test_a_schema_with_load_hooks_is_loaded_by_marshmallow_itself():
    schema = ClientSearch()
    assert trusted._compile(schema) is None
    body = {"email": "someone@example.org", "mobile": "   "}  # its pre_load drops the blank
    assert trusted.loader(schema)(body) == schema.load(body)
    assert trusted.loader(schema)(body)["mobile"] is None
