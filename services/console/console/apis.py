"""The four services' HTTP APIs as the console calls them: always with the signed-in person's own credential.

``SERVICES`` are found at ``<NAME>_URL`` or, as ``bin/run`` and the tests start them, on 127.0.0.1 at
``<NAME>_HTTP_PORT``. An answer that is not 2xx raises ``ApiError`` with the service's own JSON (its ``fields``
for a 422), which the pages show; an unreachable service raises ``ServiceUnavailable``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from chassis import config

NAMES = ("referrals", "pathways", "enterprises", "reporting")
DEFAULT_PORTS = {"referrals": 8001, "pathways": 8002, "enterprises": 8003, "reporting": 8004}
TIMEOUT = 15


def service_urls(source: Mapping[str, str] | None = None) -> dict[str, str]:
    def get(name: str, default: str) -> str:
        if source is not None:
            return source.get(name) or default
        return config.env(name, default) or default

    return {name: get(f"{name.upper()}_URL", "") or
            f"http://127.0.0.1:{get(f'{name.upper()}_HTTP_PORT', str(DEFAULT_PORTS[name]))}" for name in NAMES}


class ApiError(Exception):
    def __init__(self, status: int, answer: dict[str, Any]) -> None:
        super().__init__(f"{status}: {answer.get('error')}")
        self.status, self.answer = status, answer

    @property
    def fields(self) -> dict[str, Any]:
        found = self.answer.get("fields")
        return found if isinstance(found, dict) else {}

    @property
    def message(self) -> str:
        return str(self.answer.get("message") or self.answer.get("error") or "")


class ServiceUnavailable(Exception):
    def __init__(self, service: str) -> None:
        super().__init__(f"{service} did not answer")
        self.service = service


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    content: bytes
    headers: Mapping[str, str]


class Api:
    """One person's calls for one request (their credential, the request's correlation id)."""

    def __init__(self, urls: Mapping[str, str], session: requests.Session, credential: str | None,
                 correlation_id: str) -> None:
        self.urls, self.session, self.credential, self.correlation_id = urls, session, credential, correlation_id

    def call(self, method: str, service: str, path: str, *, params: Mapping[str, Any] | None = None,
             json: Any = None, idempotency_key: str | None = None) -> Answer:
        headers = {"X-Correlation-Id": self.correlation_id}
        if self.credential:
            headers["Authorization"] = f"Bearer {self.credential}"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            response = self.session.request(method, self.urls[service] + path, params=_clean(params), json=json,
                                            headers=headers, timeout=TIMEOUT)
        except requests.RequestException:
            raise ServiceUnavailable(service) from None
        kind = response.headers.get("Content-Type", "")
        body = response.json() if kind.startswith("application/json") else None
        if response.status_code >= 500:
            raise ServiceUnavailable(service)
        if response.status_code >= 400:
            raise ApiError(response.status_code,
                           body if isinstance(body, dict) else {"error": str(response.status_code)})
        return Answer(response.status_code, body, response.content, response.headers)

    def get(self, service: str, path: str, **params: Any) -> Any:
        return self.call("GET", service, path, params=params).body

    def post(self, service: str, path: str, body: Any, idempotency_key: str) -> Any:
        return self.call("POST", service, path, json=body, idempotency_key=idempotency_key).body


def _clean(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if params is None else {k: v for k, v in params.items() if v not in (None, "")}
