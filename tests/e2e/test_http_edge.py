"""The HTTP edge: size and nesting limits, rate limits, security headers, no internals in answers."""
from __future__ import annotations

import requests

from tests.support.waiting import form, key


def test_an_oversized_or_too_deep_body_is_refused_with_413(platform, credentials):
    url = platform.url("referrals", "/referrals")
    headers = {"Authorization": f"Bearer {credentials('edge-club', 'referrer')}", "Idempotency-Key": key(),
               "Content-Type": "application/json"}
    big = requests.post(url, data=b'{"x": "' + b"a" * (1024 * 1024 + 10) + b'"}', headers=headers, timeout=30)
    deep = requests.post(url, data=("[" * 50 + "]" * 50).encode(), headers=headers, timeout=10)
    assert (big.status_code, deep.status_code) == (413, 413)
    assert big.json()["error"] == "payload_too_large"


def test_answers_carry_security_headers_and_no_internal_details(platform, credentials):
    answer = requests.post(platform.url("referrals", "/referrals"), data=b"{broken",
                           headers={"Authorization": f"Bearer {credentials('edge-club', 'referrer')}",
                                    "Idempotency-Key": key()}, timeout=10)
    assert answer.status_code == 400
    for header in ("X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Cache-Control",
                   "X-Correlation-Id"):
        assert header in answer.headers
    assert "Traceback" not in answer.text and "psycopg" not in answer.text


def test_a_credential_over_its_rate_limit_is_told_to_slow_down(platform, credentials):
    from concurrent.futures import ThreadPoolExecutor

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {credentials('busy-org', 'auditor')}"
    url = platform.url("reporting", "/reports/summary")
    with ThreadPoolExecutor(8) as pool:  # faster than the 50/s refill, whatever the machine's load
        answers = list(pool.map(lambda _: session.get(url, timeout=10), range(400)))
    statuses = [answer.status_code for answer in answers]
    assert 429 in statuses and statuses.count(200) >= 200
    # Each refused answer says when to come back (read during the burst: the bucket refills within 20 ms after it)
    assert all(int(answer.headers["Retry-After"]) >= 1 for answer in answers if answer.status_code == 429)
    other = requests.get(platform.url("reporting", "/reports/summary"), timeout=10,
                         headers={"Authorization": f"Bearer {credentials('calm-org', 'auditor')}"})
    assert other.status_code == 200  # limits are per credential


def test_a_valid_referral_is_not_refused_by_the_edge(platform, credentials):
    answer = requests.post(platform.url("referrals", "/referrals"), json=form("edge-club"), timeout=10,
                           headers={"Authorization": f"Bearer {credentials('edge-club', 'referrer')}",
                                    "Idempotency-Key": key()})
    assert answer.status_code == 201
