"""Every JSON answer the end-to-end tests receive is checked against its service's OpenAPI document.

The fuzzing (tests/e2e/test_fuzzing.py) sees mostly refusals; the journeys see the answers people rely on: a
referral, a pathway, a statement. This records each answer a test receives over ``requests`` from a local
service and, when the test ends, validates each 2xx JSON answer with schemathesis against the operation its
path and method name in the committed documents (docs/api/): a field the document requires but the answer lacks,
or of another type, fails the test that received it.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache, wraps
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis

DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "api")
SERVICES = ("referrals", "pathways", "enterprises", "reporting")
_received: list[requests.Response] = []


@cache
def _schemas() -> tuple:
    return tuple(schemathesis.openapi.from_path(os.path.join(DOCS, f"{name}.openapi.json")) for name in SERVICES)


def _operations(method: str, path: str) -> list:
    found = []
    for schema in _schemas():
        try:
            found.append(schema.find_operation_by_path(method, path))
        except Exception:  # not this service's path
            continue
    return [operation for operation in found if operation is not None]


def problems(responses: list[requests.Response]) -> list[str]:
    """What is wrong with each 2xx JSON answer, against every operation its method and path could be."""
    found = []
    for response in responses:
        if not (200 <= response.status_code < 300) or "json" not in response.headers.get("Content-Type", ""):
            continue
        url = urlsplit(response.url)
        operations = _operations(response.request.method or "GET", url.path)
        if not operations:
            continue
        errors = []
        for operation in operations:
            try:
                operation.validate_response(response)
                break
            except Exception as exc:  # schemathesis' failure group names the fields at fault
                errors.append(f"{operation.label}: {exc}")
        else:
            found.append(f"{response.request.method} {url.path} {response.status_code}: {'; '.join(errors)[:2000]}")
    return found


def _recording(send):
    @wraps(send)
    def recorded(self, request, **kwargs):
        response = send(self, request, **kwargs)
        if urlsplit(request.url).hostname in ("127.0.0.1", "localhost"):
            _received.append(response)
        return response
    return recorded


@pytest.fixture(scope="session", autouse=True)
def _record_answers() -> Iterator[None]:
    original = requests.Session.send
    requests.Session.send = _recording(original)  # type: ignore[method-assign]
    try:
        yield
    finally:
        requests.Session.send = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def answers_as_documented(_record_answers: None) -> Iterator[None]:
    """Fails the test if any answer it received is not as its document says."""
    _received.clear()
    yield
    wrong = problems(list(_received))
    _received.clear()
    assert not wrong, "answers off their OpenAPI documents:\n" + "\n".join(wrong[:10])
