"""schemathesis against each service's OpenAPI document: no server errors and no partial writes.

A bounded number of examples per operation runs in the suite (FUZZ_EXAMPLES, default 25); a longer run is
``FUZZ_EXAMPLES=2000 bin/test tests/e2e/test_fuzzing.py`` (docs/security.md).
"""
from __future__ import annotations

import os

import psycopg
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from chassis import config

DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "api")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
SCHEMAS = {name: schemathesis.openapi.from_path(os.path.join(DOCS, f"{name}.openapi.json"))
           for name in ("referrals", "pathways", "enterprises", "reporting")}


def stored_events(platform, service: str) -> int:
    with psycopg.connect(config.postgres_conninfo(config.database_name(service, platform.env))) as connection:
        return int(connection.execute(f"SELECT COUNT(*) FROM {service}_events").fetchone()[0])


def fuzz(platform, credentials, service: str, case) -> None:
    admin = credentials("fuzz-org", "admin")
    before = stored_events(platform, service) if case.method == "POST" else 0
    response = case.call(base_url=platform.url(service), headers={"Authorization": f"Bearer {admin}"})
    case.validate_response(response, checks=(not_a_server_error,))
    if case.method == "POST" and response.status_code >= 400:
        assert stored_events(platform, service) == before, "a refused request stored something"


FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                         suppress_health_check=list(HealthCheck))


@SCHEMAS["referrals"].parametrize()
@FUZZ_SETTINGS
def test_referrals_answers_anything_without_a_server_error(platform, credentials, case):
    fuzz(platform, credentials, "referrals", case)


@SCHEMAS["pathways"].parametrize()
@FUZZ_SETTINGS
def test_pathways_answers_anything_without_a_server_error(platform, credentials, case):
    fuzz(platform, credentials, "pathways", case)


@SCHEMAS["enterprises"].parametrize()
@FUZZ_SETTINGS
def test_enterprises_answers_anything_without_a_server_error(platform, credentials, case):
    fuzz(platform, credentials, "enterprises", case)


@SCHEMAS["reporting"].parametrize()
@FUZZ_SETTINGS
def test_reporting_answers_anything_without_a_server_error(platform, credentials, case):
    fuzz(platform, credentials, "reporting", case)
