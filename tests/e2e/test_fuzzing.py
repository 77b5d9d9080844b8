"""schemathesis against each service's OpenAPI document: no server errors, no answer its document does not
describe (status, content type, body schema) and no partial writes.

A bounded number of examples per operation runs in the suite (FUZZ_EXAMPLES, default 25); a longer run is
``FUZZ_EXAMPLES=2000 bin/test tests/e2e/test_fuzzing.py`` (docs/security.md).
"""
from __future__ import annotations

import os

import psycopg
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                  status_code_conformance)

from chassis import config

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
