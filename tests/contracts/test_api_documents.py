"""The committed OpenAPI and AsyncAPI documents (docs/api/) match what the code generates."""
from __future__ import annotations

import os

import pytest

from launcher import apidocs


@pytest.mark.parametrize("name,document", sorted(apidocs.documents().items()),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_the_committed_document_is_current(name, document):
    path = os.path.join(apidocs.DOCS, name)
    assert os.path.exists(path), f"{name} is missing: run python -m launcher.apidocs"
    with open(path) as handle:
        assert handle.read() == apidocs.render(document), f"{name} is stale: run python -m launcher.apidocs"


#: POSTs that are reads, not commands: the body carries personal data (kept out of URLs and logs), nothing is
#: stored, and a retry is harmless, so no Idempotency-Key is asked for.
SEARCHES = {("referrals.openapi.json", "/clients/search")}


def test_every_command_route_requires_an_idempotency_key():
    for name, document in apidocs.documents().items():
        if not name.endswith("openapi.json"):
            continue
        for path, operations in document["paths"].items():
            if "post" in operations and (name, path) not in SEARCHES:
                headers = [p["name"] for p in operations["post"].get("parameters", []) if p.get("in") == "header"]
                assert "Idempotency-Key" in headers, (name, path)


def _resolve(document: dict, schema: dict) -> dict:
    return document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]] if "$ref" in schema else schema


def _example(document: dict, schema: dict) -> object:
    """The body the document's examples make (every property with an example, nested schemas followed)."""
    if "$ref" in schema:
        return _example(document, document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    if "allOf" in schema:
        return _example(document, schema["allOf"][0])
    if schema.get("type") == "object" or "properties" in schema:
        built = {name: _example(document, prop) for name, prop in schema.get("properties", {}).items()
                 if "example" in prop or "$ref" in prop or "allOf" in prop}
        return {name: value for name, value in built.items() if value is not None}
    return schema.get("example")


def test_the_documented_referral_example_is_a_valid_referral():
    """An integrator (or schemathesis) can make a referral from the document alone."""
    from contracts.referrals import SubmitReferral

    document = apidocs.documents()["referrals.openapi.json"]
    body = document["paths"]["/referrals"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    example = _example(document, body)
    assert set(example) >= {"partner_id", "person", "profession"}
    assert SubmitReferral().validate(example) == {}


def test_created_resources_link_to_what_takes_their_id():
    document = apidocs.documents()["referrals.openapi.json"]
    created = document["paths"]["/referrals"]["post"]["responses"]["201"]
    answer = _resolve(document, created["content"]["application/json"]["schema"])
    assert "referral_id" in answer["required"]
    assert created["links"]["record_consent"]["parameters"] == {"referral_id": "$response.body#/referral_id"}
    fuse = apidocs.documents()["enterprises.openapi.json"]["paths"]
    application = fuse["/rounds/{round_id}/applications"]["post"]["responses"]["201"]["links"]
    assert application["decide_application"]["parameters"] == {
        "round_id": "$request.path.round_id", "application_id": "$response.body#/application_id"}


def test_every_json_answer_has_its_own_schema_holding_the_ids_it_produces():
    """No 2xx JSON answer is documented as a bare object, and what a route says it creates is required."""
    from chassis.apidoc import routes
    from chassis.serve import load
    from launcher.services import SERVICES

    for spec in SERVICES:
        for name, entrypoint in routes(load(spec.service)):
            if entrypoint.url == "/metrics" or entrypoint.media_type is not None:  # text, or a file
                continue
            assert entrypoint.answer_schema is not None, f"{spec.name} {name} has no answer schema"
            required = {f.data_key or key for key, f in entrypoint.answer_schema().fields.items() if f.required}
            assert set(entrypoint.produces) <= required, (spec.name, name)
