"""schemathesis against each service's OpenAPI document: no server errors, no answer its document does not
describe (status, content type, body schema) and no partial writes.

A bounded number of examples per operation runs in the suite (FUZZ_EXAMPLES, default 25); a longer run is
``FUZZ_EXAMPLES=2000 bin/test tests/e2e/test_fuzzing.py`` (docs/security.md).
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator

import psycopg
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from chassis import config
from launcher.processes import RunningPlatform
from tests.support.faults import own_platform
from tests.support.fixtures import Credentials, register_partner

DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "api")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
COUNT_FILE = os.environ.get("FUZZ_COUNT_FILE")


def examples(service: str) -> int:
    """Examples per operation: FUZZ_EXAMPLES, or FUZZ_EXAMPLES_<SERVICE> for one service."""
    return int(os.environ.get(f"FUZZ_EXAMPLES_{service.upper()}", EXAMPLES))
SCHEMAS = {name: schemathesis.openapi.from_path(os.path.join(DOCS, f"{name}.openapi.json"))
           for name in ("referrals", "pathways", "enterprises", "reporting")}


def stored_events(platform, service: str) -> int:
    with psycopg.connect(config.postgres_conninfo(config.database_name(service, platform.env))) as connection:
        return int(connection.execute(f"SELECT COUNT(*) FROM {service}_events").fetchone()[0])


def fuzz(platform, credentials, service: str, case) -> None:
    admin = credentials("fuzz-org", "admin")
    before = stored_events(platform, service) if case.method == "POST" else 0
    response = case.call(base_url=platform.url(service), headers={"Authorization": f"Bearer {admin}"})
    if COUNT_FILE:  # a measurement run counts its requests and their statuses (docs/security.md)
        with open(COUNT_FILE, "a") as handle:
            handle.write(f"{service} {response.status_code}\n")
    case.validate_response(response, checks=CHECKS)
    if case.method == "POST" and response.status_code >= 400:
        assert stored_events(platform, service) == before, "a refused request stored something"


#: no server error, and every answer as documented: a documented status, its content type and its body schema
CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)
def fuzz_settings(service: str) -> settings:
    return settings(max_examples=examples(service), deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


@SCHEMAS["referrals"].parametrize()
@fuzz_settings("referrals")
def test_referrals_answers_anything_without_a_server_error(platform, credentials, case):
    fuzz(platform, credentials, "referrals", case)


@SCHEMAS["pathways"].parametrize()
@fuzz_settings("pathways")
def test_pathways_answers_anything_without_a_server_error(platform, credentials, case):
    fuzz(platform, credentials, "pathways", case)


@SCHEMAS["enterprises"].parametrize()
@fuzz_settings("enterprises")
def test_enterprises_answers_anything_without_a_server_error(platform, credentials, case):
    fuzz(platform, credentials, "enterprises", case)


@SCHEMAS["reporting"].parametrize()
@fuzz_settings("reporting")
def test_reporting_answers_anything_without_a_server_error(platform, credentials, case):
    fuzz(platform, credentials, "reporting", case)


# -- stateful: schemathesis follows the documents' links from what a POST created to what takes its id ---------
#: the partner the documented referral example names (contracts.referrals.SubmitReferral), registered first
EXAMPLE_PARTNER = "ladywood-work-club"
SCENARIOS = int(os.environ.get("FUZZ_SCENARIOS", "40"))


def positive(service: str):
    """The service's document generating valid requests only: a scenario builds on what it created."""
    schema = schemathesis.openapi.from_path(os.path.join(DOCS, f"{service}.openapi.json"))
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    return schema


@pytest.fixture(scope="module")
def stateful_platform(tmp_path_factory) -> Iterator[tuple[RunningPlatform, Credentials]]:
    """A platform of the stateful runs' own: what they create (referrals accepted into pathways, contracts
    paying for the same clients) must not change the figures other tests read from the session's platform."""
    with own_platform(str(tmp_path_factory.mktemp("stateful-logs")), POSTGRES_POOL_SIZE="4") as running:
        yield running, Credentials(running.env, running)


def run_stateful(platform, credentials, service: str, prepare=None) -> tuple[list[tuple[str, str, int]], list]:
    """Runs the service's state machine over the live service, each answer checked as in ``fuzz``; returns
    (method, path template, status) of every call and (path template, answer) of every 201."""
    calls: list[tuple[str, str, int]] = []
    created: list[tuple[str, dict]] = []
    headers = {"Authorization": f"Bearer {credentials('fuzz-org', 'admin')}"}

    class Workflow(positive(service).as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case):
            return {"base_url": platform.url(service), "headers": headers}

        def before_call(self, case):
            if prepare is not None:
                prepare(case)

        def after_call(self, response, case):
            status = response.status_code
            if status in (409, 422) and "json" in response.headers.get("Content-Type", ""):
                # a domain rule applied to the resource the path named (it was found); an edge refusal of the
                # body has no rule and proves nothing about the id
                status = RULE_APPLIED if isinstance(response.json(), dict) and response.json().get("rule") else status
            calls.append((case.method, case.operation.path, status))
            if case.method == "POST" and response.status_code == 201:
                created.append((case.operation.path, response.json()))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Workflow.run(settings=settings(max_examples=SCENARIOS, deadline=None, derandomize=True,
                                   suppress_health_check=list(HealthCheck), stateful_step_count=8))
    return calls, created


def follow(platform, credentials, service: str, source: str, answer: dict, link: str) -> requests.Response:
    """Follows the document's link ``link`` from a 201 answer of ``POST source``, as a client would: the
    operation it names, its path parameters filled by the link's expressions from the answer."""
    with open(os.path.join(DOCS, f"{service}.openapi.json")) as handle:
        document = json.load(handle)
    spec = document["paths"][source]["post"]["responses"]["201"]["links"][link]
    path, method = next((path, method) for path, operations in document["paths"].items()
                        for method, operation in operations.items() if operation["operationId"] == spec["operationId"])
    for name, expression in spec["parameters"].items():
        assert expression.startswith("$response.body#/"), expression  # the only kind these documents use
        path = path.replace("{" + name + "}", str(answer[expression.rsplit("/", 1)[1]]))
    return requests.request(method.upper(), platform.url(service, path), timeout=10,
                            headers={"Authorization": f"Bearer {credentials('fuzz-org', 'admin')}"})


#: recorded for a 409 or 422 that names the domain rule it broke: the resource was found and its rules applied
RULE_APPLIED = 299


def _links(source: str) -> dict:
    with open(os.path.join(DOCS, "enterprises.openapi.json")) as handle:
        return json.load(handle)["paths"][source]["post"]["responses"]["201"].get("links", {})


def test_referrals_statefully_from_a_generated_referral(stateful_platform):
    platform, credentials = stateful_platform
    register_partner(platform, credentials("learning-works", "caseworker"), EXAMPLE_PARTNER)

    def prepare(case):  # generated referrals are for the registered partner (any other is a 404, by design)
        if case.method == "POST" and case.operation.path == "/referrals" and isinstance(case.body, dict):
            case.body["partner_id"] = EXAMPLE_PARTNER

    calls, created = run_stateful(platform, credentials, "referrals", prepare)
    referrals = [answer for path, answer in created if path == "/referrals"]
    assert referrals, "no generated referral was stored"
    # the link the document gives from a created referral leads to it (which links the state machine took
    # varies from run to run; this one is followed every time)
    found = follow(platform, credentials, "referrals", "/referrals", referrals[0], "get_referral")
    assert found.status_code == 200 and found.json()["referral_id"] == referrals[0]["referral_id"]


def test_enterprises_statefully_from_generated_records(stateful_platform):
    platform, credentials = stateful_platform
    calls, created = run_stateful(platform, credentials, "enterprises")
    records = [(path, answer) for path, answer in created if path.count("/") == 1]
    assert records, "no generated record was stored"
    followed = 0
    for path, answer in records:  # each kind of record created leads, by the document's link, to its own page
        getter = next((name for name in _links(path) if name.startswith("get_")), None)
        if getter is not None:
            assert follow(platform, credentials, "enterprises", path, answer, getter).status_code == 200, path
            followed += 1
    assert followed, f"no created record has a link to its page: {sorted({path for path, _ in records})}"


def test_reporting_statefully_from_a_registered_contract(stateful_platform):
    platform, credentials = stateful_platform
    from tests.support.ledger import shipped_terms

    def prepare(case):  # a generated contract id with the shipped bond's terms (random terms rarely hold)
        if case.method == "POST" and case.operation.path == "/outcomes-contracts" and isinstance(case.body, dict):
            case.body = {**shipped_terms("use_it_nhs_bond"), "contract_id": case.body.get("contract_id")}

    calls, created = run_stateful(platform, credentials, "reporting", prepare)
    contracts = [answer for path, answer in created if path == "/outcomes-contracts"]
    assert contracts, "no contract was registered"
    assert all(status < 500 for _, _, status in calls)
    found = follow(platform, credentials, "reporting", "/outcomes-contracts", contracts[0], "outcomes_contract")
    assert found.status_code == 200 and found.json()["contract_id"] == contracts[0]["contract_id"]
