"""The console's main journeys, one per kind of user, in Debian's Chromium over the real services.

A platform of their own (tests/support/console_site.py: the four services and the console on RabbitMQ and
PostgreSQL). Every page a journey reaches is checked
with axe-core (no serious or critical violation) and photographed (UPDATE_SCREENSHOTS=1 refreshes docs/console/).
"""
from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from launcher.processes import RunningPlatform
from tests.support.browser import axe, fill, shoot, sign_in, sign_out, submit, text, wait_for
from tests.support.console_site import PASSWORD, PEOPLE
from tests.support.ledger import BOND, nhs_job_outcome
from tests.support.waiting import form, get, key, post


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("console-screenshots"))


def base(site: RunningPlatform) -> str:
    return site.url("console")


def check(driver: WebDriver, name: str, shots: str) -> None:
    """The page shown passes axe-core (serious and critical rules) and is photographed."""
    assert axe(driver) == [], driver.current_url
    shoot(driver, name, shots)


def as_person(driver: WebDriver, site: RunningPlatform, role: str) -> None:
    driver.delete_all_cookies()
    sign_in(driver, base(site), PEOPLE[role][0], PASSWORD)


def refer_by_api(site: RunningPlatform, partner: str) -> dict[str, Any]:
    credential = site.credentials(partner, "referrer")  # type: ignore[attr-defined]
    body = form(partner)
    answer = post(site.url("referrals", "/referrals"), body, key(), credential)
    assert answer.status_code == 201, answer.text
    return {**answer.json(), "form": body}


def test_start_page_and_sign_in(site: RunningPlatform, browser: WebDriver, shots: str) -> None:
    browser.get(base(site) + "/")
    assert "USE-IT case platform" in text(browser) and "Sign in" in text(browser)
    check(browser, "start", shots)
    browser.get(base(site) + "/sign-in")
    check(browser, "sign-in", shots)
    fill(browser, {"person": PEOPLE["caseworker"][0], "password": "not the password"})
    submit(browser)
    assert "The staff id or the password is not right" in text(browser)
    assert browser.find_element(By.CSS_SELECTOR, ".govuk-error-summary")
    check(browser, "sign-in-error", shots)


def test_caseworker_finds_a_new_referral_records_first_contact_and_sees_it_in_the_timeline(
        site: RunningPlatform, browser: WebDriver, shots: str) -> None:
    referral = refer_by_api(site, "console-club")
    short = referral["referral_id"][:8]
    as_person(browser, site, "caseworker")
    browser.get(base(site) + "/queue")
    wait_for(browser, lambda d: short in text(d), reload=True, message="the new referral in the work queue")
    check(browser, "work-queue", shots)
    browser.find_element(By.PARTIAL_LINK_TEXT, short).click()
    name = referral["form"]["person"]["full_name"]
    assert name in text(browser) and "Received" in text(browser)
    check(browser, "client", shots)
    browser.find_element(By.LINK_TEXT, "Record a contact attempt").click()
    check(browser, "step-form", shots)
    submit(browser)  # nothing chosen: the API's own message, next to the field
    outcome_error = browser.find_element(By.ID, "outcome-error").text
    assert "Missing data for required field." in outcome_error
    assert browser.find_element(By.CSS_SELECTOR, ".govuk-error-summary a[href='#outcome']")
    check(browser, "step-form-error", shots)
    fill(browser, {"radio:outcome=reached": ""})
    submit(browser)
    assert "Record a contact attempt: recorded" in text(browser)
    wait_for(browser, lambda d: "Referral contacted" in text(d), reload=True, message="the contact in the timeline")
    assert re.search(r"Contact attempts\s+1\b", text(browser))
    rows = browser.find_elements(By.CSS_SELECTOR, ".console-timeline tbody tr")
    assert [r.text for r in rows if "Referral contacted" in r.text][0].count("learning-works") == 1
    # the hub's step is the API's: one contact attempt stored, by the caseworker's own credential
    api = get(site.url("referrals", f"/referrals/{referral['referral_id']}"),
              site.credentials("learning-works", "caseworker")).json()  # type: ignore[attr-defined]
    assert api["status"] == "contacted" and api["contact_attempts"] == 1


def test_caseworker_finds_a_client_by_ni_number(site: RunningPlatform, browser: WebDriver, shots: str) -> None:
    referral = refer_by_api(site, "console-club")
    as_person(browser, site, "caseworker")
    browser.get(base(site) + "/search")
    check(browser, "search", shots)
    fill(browser, {"ni_number": referral["form"]["person"]["ni_number"].lower()})
    submit(browser)
    assert "Clients found" in text(browser)
    browser.find_element(By.PARTIAL_LINK_TEXT, referral["referral_id"][:8]).click()
    assert referral["form"]["person"]["full_name"] in text(browser)
    browser.get(base(site) + "/search")
    fill(browser, {"full_name": "Nobody Ofthat Name"})
    submit(browser)
    assert "No client matches" in text(browser)


def test_partner_refers_a_person_and_sees_the_status(site: RunningPlatform, browser: WebDriver, shots: str) -> None:
    as_person(browser, site, "referrer")
    browser.get(base(site) + "/refer")
    check(browser, "refer", shots)
    person = form("console-club")["person"]
    born = person["date_of_birth"].split("-")
    submit(browser)  # empty: the API's messages on the fields it names
    assert "There is a problem" in text(browser)
    assert "Missing data for required field." in browser.find_element(By.ID, "person-full_name-error").text
    fill(browser, {"person.full_name": person["full_name"], "person.address.lines": person["address"]["lines"][0],
                   "person.address.town": "Birmingham", "person.address.postcode": "B18 7QH",
                   "person.email": person["email"], "person.mobile": person["mobile"],
                   "person.ni_number": person["ni_number"], "radio:person.gender=female": "",
                   "person.country_of_origin": "Nigeria", "person.date_of_birth-day": born[2],
                   "person.date_of_birth-month": born[1], "person.date_of_birth-year": born[0],
                   "radio:right_to_work=yes": "", "profession": "nurse", "country_qualified_in": "Nigeria",
                   "radio:ielts_taken=no": "", "external_reference": "CC-" + uuid.uuid4().hex[:6]})
    submit(browser)
    assert "Referral sent" in text(browser)
    reference = re.search(r"Your reference\s+([0-9a-f]{8})", text(browser))
    assert reference is not None, text(browser)[:3000]
    wait_for(browser, lambda d: reference[1] in d.find_element(By.TAG_NAME, "table").text if
             d.find_elements(By.TAG_NAME, "table") else False, reload=True, message="the referral in the list")
    row = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "tbody tr") if reference[1] in r.text][0]
    assert "Received" in row
    assert person["full_name"] not in text(browser)  # the partner's list carries no personal details
    check(browser, "my-referrals", shots)


def test_a_partner_sees_only_its_own_referrals(site: RunningPlatform, browser: WebDriver) -> None:
    """And no other role's page: the console refuses it before any call, as the API would refuse the call."""
    theirs = refer_by_api(site, "other-club")
    mine = refer_by_api(site, "console-club")
    as_person(browser, site, "referrer")
    browser.get(base(site) + "/my-referrals")
    wait_for(browser, lambda d: mine["referral_id"][:8] in text(d), reload=True)
    assert theirs["referral_id"][:8] not in text(browser)
    for path in ("/queue", f"/referrals/{theirs['referral_id']}", "/contracts", "/audit"):
        browser.get(base(site) + path)
        assert "You cannot see this page" in text(browser), path
        assert theirs["form"]["person"]["full_name"] not in browser.page_source
    assert axe(browser) == []  # the pages that refuse are as accessible as the others
    browser.get(base(site) + "/no-such-page")
    assert "Page not found" in text(browser) and axe(browser) == []


def test_finance_partner_reads_a_statement_changes_known_at_reads_the_difference_and_downloads_the_csv(
        site: RunningPlatform, browser: WebDriver, shots: str) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    credentials = site.credentials  # type: ignore[attr-defined]
    client, outcome_ref = nhs_job_outcome(site, credentials, credentials("learning-works", "caseworker"))
    participant = outcome_ref.split("~")[1]
    as_person(browser, site, "finance")
    browser.get(base(site) + "/contracts")
    check(browser, "contracts", shots)
    browser.find_element(By.PARTIAL_LINK_TEXT, "USE-IT! language training bond").click()
    assert "Statement" in text(browser) and "£4,500.00" in text(browser)
    check(browser, "statement", shots)
    # as known before the job start was recorded: nothing achieved then
    fill(browser, {"known_at-day": str(before.day), "known_at-month": str(before.month),
                   "known_at-year": str(before.year), "known_at-time": "00:00"})
    submit(browser)
    assert "Nothing achieved in this period as known then" in text(browser)
    browser.get(base(site) + f"/contracts/{BOND}")
    browser.find_element(By.LINK_TEXT, "What changed since an earlier time").click()
    fill(browser, {"a_known_at-day": str(before.day), "a_known_at-month": str(before.month),
                   "a_known_at-year": str(before.year), "a_known_at-time": "00:00"})
    submit(browser)
    row = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "tbody tr") if participant in r.text]
    assert row and "Achieved: the outcome was achieved" in row[0] and "£4,500.00" in row[0]
    check(browser, "difference", shots)
    # the download is the API's CSV byte for byte
    browser.get(base(site) + f"/contracts/{BOND}")
    link = browser.find_element(By.LINK_TEXT, "Download this statement (CSV)").get_attribute("href")
    assert link is not None
    cookie = browser.get_cookie("console_session")
    assert cookie is not None and cookie.get("httpOnly") is True
    download = requests.get(urljoin(base(site), link), cookies={"console_session": cookie["value"]}, timeout=10)
    params = dict(parse_qsl(urlsplit(link).query))
    api = get(site.url("reporting", f"/ledger/contracts/{BOND}/statement"), credentials("swbh-trust", "finance"),
              params={**params, "format": "csv"})
    assert download.status_code == 200 and download.headers["Content-Type"].startswith("text/csv")
    assert download.content == api.content and b"nhs_job_start" in api.content
    entries_link = browser.find_element(By.LINK_TEXT, "Download the claims behind it (CSV)").get_attribute("href")
    assert entries_link is not None
    entries = requests.get(entries_link, cookies={"console_session": cookie["value"]}, timeout=10)
    api_entries = get(site.url("reporting", f"/ledger/contracts/{BOND}/entries"), credentials("swbh-trust", "finance"),
                      params={**params, "format": "csv"})
    assert entries.content == api_entries.content and participant.encode() in entries.content
    # no personal data on a finance partner's pages: participants by pseudonym, never the client's id
    assert client not in browser.page_source and client.encode() not in download.content
    browser.get(base(site) + "/queue")
    assert "You cannot see this page" in text(browser)


def test_auditor_sees_every_chain_verify(site: RunningPlatform, browser: WebDriver, shots: str) -> None:
    as_person(browser, site, "auditor")
    browser.get(base(site) + "/audit")
    tags = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "h2 .govuk-tag")]
    assert tags == ["Verified"] * 4
    check(browser, "audit", shots)
    browser.get(base(site) + "/programme")
    assert "Key performance indicators" in text(browser)
    check(browser, "programme", shots)
    browser.get(base(site) + "/programme/indicators")
    check(browser, "indicators", shots)
    sign_out(browser)
    browser.get(base(site) + "/audit")
    assert "/sign-in" in browser.current_url


def test_caseworker_records_a_pathway_step_with_the_apis_messages(site: RunningPlatform, browser: WebDriver,
                                                                  shots: str) -> None:
    from launcher.demo import enrol
    from tests.support.waiting import now_iso

    hub = site.credentials("learning-works", "caseworker")  # type: ignore[attr-defined]
    referral = refer_by_api(site, "console-club")
    client = enrol(site, referral["referral_id"], hub, "E-B", "GMC", now_iso(), key())["client_id"]
    as_person(browser, site, "caseworker")
    browser.get(base(site) + f"/referrals/{referral['referral_id']}")
    wait_for(browser, lambda d: "Record a step on the GMC pathway" in text(d), reload=True, message="the pathway")
    browser.find_element(By.LINK_TEXT, "Record a step on the GMC pathway").click()
    check(browser, "pathway-steps", shots)
    browser.find_element(By.LINK_TEXT, "Mentoring session").click()
    fill(browser, {"payload.minutes": "2"})
    submit(browser)  # below the contract's minimum: the API's message on the field
    assert "greater than or equal to 5" in browser.find_element(By.ID, "payload-minutes-error").text
    check(browser, "pathway-step-error", shots)
    fill(browser, {"payload.minutes": "45"})
    submit(browser)  # valid, but the pathway's rule: a session needs a mentor (the rule's words, on the page)
    assert "There is a problem" in text(browser) and "name the mentor, or assign one first" in text(browser)
    fill(browser, {"payload.mentor_ref": "mentor-7", "payload.minutes": "45"})
    submit(browser)
    assert "Mentoring session: recorded" in text(browser)
    pathway = get(site.url("pathways", f"/clients/{client}/pathways"), hub).json()["pathways"][0]
    assert pathway["mentoring_sessions"] == 1
    # assigned to the caseworker, the client's due item joins the caseworker's queue (and a colleague's view)
    from datetime import date, timedelta

    from tests.support.journeys import step

    step(site, hub, client, "GMC", "caseworker_assigned", {"caseworker_id": PEOPLE["caseworker"][0]})
    step(site, hub, client, "GMC", "right_to_work_check",
         {"valid_until": (date.today() + timedelta(days=100)).isoformat()})
    browser.get(base(site) + "/queue")
    wait_for(browser, lambda d: "Right to work follow up check" in text(d), reload=True, message="the due item")
    browser.get(base(site) + "/queue?caseworker=cw-nobody-else")
    assert "Due items of cw-nobody-else's clients" in text(browser)
    assert "Right to work follow up check" not in text(browser)
