"""Waiting for a condition (never a bare sleep), and small HTTP helpers for the end-to-end tests."""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests

T = TypeVar("T")


def wait_for(probe: Callable[[], T], until: Callable[[T], bool] = bool, timeout: float = 30.0,
             interval: float = 0.05, what: str = "condition") -> T:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = probe()
            if until(last):
                return last
        except requests.RequestException as error:
            last = error
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; last value: {last!r}")


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def key() -> str:
    return uuid.uuid4().hex


def bearer(credential: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"} if credential else {}


def post(url: str, body: Any, idempotency_key: str | None = None, credential: str | None = None,
         **kwargs: Any) -> requests.Response:
    headers = bearer(credential)
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return requests.post(url, json=body, headers=headers, timeout=15, **kwargs)


def get(url: str, credential: str | None = None, **kwargs: Any) -> requests.Response:
    return requests.get(url, headers=bearer(credential), timeout=15, **kwargs)


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (0 when absent)."""
    wanted = [f'{k}="{v}"' for k, v in labels.items()]
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            if all(label in line for label in wanted):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


#: Person numbers of test forms: apart from the demo programmes' people (numbered from 0), whom identity matching
#: would otherwise take for the same persons (a journal client would inherit a test client's pathway).
_forms = iter(range(500_000, 10**6))


def form(partner: str, profession: str = "doctor", occurred_at: str | None = None, **overrides: Any) -> dict:
    """A valid placement referral form for a fictitious person (launcher.demo_people.referral_form)."""
    from launcher.demo_people import referral_form

    body = referral_form(next(_forms), partner, profession, occurred_at or now_iso())
    body.update(overrides)
    return body
