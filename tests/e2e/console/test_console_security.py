"""The console's sessions, CSRF, lockout and headers over plain HTTP (the console of tests/support/console_site.py)."""
from __future__ import annotations

import re

import pytest
import requests

from launcher import accounts
from launcher.processes import RunningPlatform
from tests.support.console_site import PASSWORD, PEOPLE
from tests.support.waiting import form, get, key, post


def token_of(page: requests.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found[1]


def signed_in(site: RunningPlatform, role: str) -> requests.Session:
    session = requests.Session()
    page = session.get(site.url("console", "/sign-in"), timeout=10)
    answer = session.post(site.url("console", "/sign-in"), timeout=30, allow_redirects=False, data={
        "csrf_token": token_of(page), "person": PEOPLE[role][0], "password": PASSWORD})
    assert answer.status_code == 303, answer.text[:500]
    return session


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back_only_to_a_local_page(site: RunningPlatform) -> None:
    answer = requests.get(site.url("console", "/queue"), timeout=10, allow_redirects=False)
    assert answer.status_code == 303 and answer.headers["Location"] == "/sign-in?next=/queue"
    session = requests.Session()
    page = session.get(site.url("console", "/sign-in"), timeout=10)
    answer = session.post(site.url("console", "/sign-in"), timeout=30, allow_redirects=False, data={
        "csrf_token": token_of(page), "person": PEOPLE["caseworker"][0], "password": PASSWORD,
        "next": "//evil.example/steal"})
    assert answer.status_code == 303 and answer.headers["Location"] == "/queue"


def test_the_session_cookie_is_http_only_and_same_site_and_pages_carry_a_strict_policy(site: RunningPlatform) -> None:
    session = requests.Session()
    page = session.get(site.url("console", "/sign-in"), timeout=10)
    answer = session.post(site.url("console", "/sign-in"), timeout=30, allow_redirects=False, data={
        "csrf_token": token_of(page), "person": PEOPLE["auditor"][0], "password": PASSWORD})
    cookie = answer.headers["Set-Cookie"]
    assert "console_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = session.get(site.url("console", "/audit"), timeout=30)
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy
    assert "script-src 'self' 'nonce-" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce and f'nonce="{nonce[1]}"' in page.text  # the one inline script carries the page's nonce
    assert page.headers["Cache-Control"] == "no-store" and page.headers["X-Frame-Options"] == "DENY"


def test_a_form_without_the_sessions_token_is_refused_and_nothing_is_stored(site: RunningPlatform) -> None:
    credential = site.credentials("console-club", "referrer")  # type: ignore[attr-defined]
    referral = post(site.url("referrals", "/referrals"), form("console-club"), key(), credential).json()
    session = signed_in(site, "caseworker")
    path = f"/referrals/{referral['referral_id']}/contact-attempts"
    fields = {"outcome": "reached", "occurred_at-day": "1", "occurred_at-month": "1", "occurred_at-year": "2024",
              "occurred_at-time": "10:00", "idempotency_key": key()}
    for token in (None, "forged"):
        answer = session.post(site.url("console", path), data={**fields, **({"csrf_token": token} if token else {})},
                              timeout=30, allow_redirects=False)
        assert answer.status_code == 403 and "did not come from this console" in answer.text
    hub = site.credentials("learning-works", "caseworker")  # type: ignore[attr-defined]
    assert get(site.url("referrals", f"/referrals/{referral['referral_id']}"), hub).json()["contact_attempts"] == 0
    # with the token, once, however often it is sent (the form's own Idempotency-Key)
    token = token_of(session.get(site.url("console", path), timeout=30))
    for _ in range(2):
        answer = session.post(site.url("console", path), data={**fields, "csrf_token": token}, timeout=30,
                              allow_redirects=False)
        assert answer.status_code == 303
    assert get(site.url("referrals", f"/referrals/{referral['referral_id']}"), hub).json()["contact_attempts"] == 1


def test_sign_out_ends_the_session_on_the_server(site: RunningPlatform) -> None:
    session = signed_in(site, "auditor")
    cookie = session.cookies.get("console_session")
    page = session.get(site.url("console", "/audit"), timeout=30)
    answer = session.post(site.url("console", "/sign-out"), data={"csrf_token": token_of(page)}, timeout=10,
                          allow_redirects=False)
    assert answer.status_code == 303
    replayed = requests.get(site.url("console", "/audit"), cookies={"console_session": cookie}, timeout=10,
                            allow_redirects=False)
    assert replayed.status_code == 303 and replayed.headers["Location"].startswith("/sign-in")


def test_five_wrong_passwords_lock_the_account_and_a_disabled_account_cannot_sign_in(site: RunningPlatform) -> None:
    accounts.add("cw-lock-1", "learning-works", "caseworker", PASSWORD, site.env)
    session = requests.Session()
    for attempt in range(6):
        page = session.get(site.url("console", "/sign-in"), timeout=10)
        answer = session.post(site.url("console", "/sign-in"), timeout=30, data={
            "csrf_token": token_of(page), "person": "cw-lock-1", "password": f"wrong password {attempt}"})
        assert answer.status_code == 422
    page = session.get(site.url("console", "/sign-in"), timeout=10)
    answer = session.post(site.url("console", "/sign-in"), timeout=30, data={
        "csrf_token": token_of(page), "person": "cw-lock-1", "password": PASSWORD})
    assert answer.status_code == 422 and "locked" in answer.text
    accounts.add("cw-gone-1", "learning-works", "caseworker", PASSWORD, site.env)
    accounts.disable("cw-gone-1", site.env)
    page = session.get(site.url("console", "/sign-in"), timeout=10)
    answer = session.post(site.url("console", "/sign-in"), timeout=30, data={
        "csrf_token": token_of(page), "person": "cw-gone-1", "password": PASSWORD})
    assert answer.status_code == 422 and "not right" in answer.text


@pytest.mark.parametrize("path", ["/no-such-page", "/referrals/not-a-uuid"])
def test_unknown_pages_are_html_not_found_pages(site: RunningPlatform, path: str) -> None:
    answer = requests.get(site.url("console", path), timeout=10, allow_redirects=False)
    assert answer.status_code == 404
    assert answer.headers["Content-Type"].startswith("text/html") and "Page not found" in answer.text


def test_every_read_through_the_console_is_recorded_against_the_person(site: RunningPlatform) -> None:
    credential = site.credentials("console-club", "referrer")  # type: ignore[attr-defined]
    referral = post(site.url("referrals", "/referrals"), form("console-club"), key(), credential).json()
    session = signed_in(site, "caseworker")
    assert session.get(site.url("console", f"/referrals/{referral['referral_id']}"), timeout=30).status_code == 200
    hub = site.credentials("learning-works", "caseworker")  # type: ignore[attr-defined]
    client = get(site.url("referrals", f"/referrals/{referral['referral_id']}"), hub).json()["client_id"]
    auditor = site.credentials("programme-office", "auditor")  # type: ignore[attr-defined]
    reads = get(site.url("referrals", "/audit/reads"), auditor).json()["reads"]
    mine = {(r["kind"], r["subject_id"]) for r in reads if r["person"] == PEOPLE["caseworker"][0]}
    assert {subject for _, subject in mine} & {referral["referral_id"], client}, reads[:5]
