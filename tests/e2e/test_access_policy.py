"""The access policy in docs/security.md, checked against every endpoint of the running services."""
from __future__ import annotations

import os
import re
import uuid

import pytest
import requests

from chassis import apidoc
from chassis.auth import ROLES
from chassis.serve import load
from launcher.services import SERVICES
from tests.support.waiting import form, key, post

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "security.md")


def policy() -> list[dict]:
    with open(DOC) as handle:
        text = handle.read()
    table = text.split("<!-- policy:start -->")[1].split("<!-- policy:end -->")[0]
    rows = []
    for line in table.strip().splitlines()[2:]:
        service, method, path, roles, rule = (cell.strip() for cell in line.strip().strip("|").split("|"))
        services = [spec.name for spec in SERVICES] if service == "every service" else [service]
        for name in services:
            rows.append({"service": name, "method": method, "path": path, "rule": rule,
                         "roles": None if roles == "public" else {r.strip() for r in roles.split(",")}})
    return rows


POLICY = policy()


def code_routes() -> set[tuple[str, str, str]]:
    found = set()
    for spec in SERVICES:
        for _, entrypoint in apidoc.routes(load(spec.service)):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", entrypoint.url)
            found.add((spec.name, entrypoint.method, path))
    return found


def test_the_policy_table_names_every_endpoint_and_nothing_else():
    assert {(row["service"], row["method"], row["path"]) for row in POLICY} == code_routes()


def test_the_code_declares_the_roles_the_policy_states():
    declared = {}
    for spec in SERVICES:
        for _, entrypoint in apidoc.routes(load(spec.service)):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", entrypoint.url)
            declared[(spec.name, entrypoint.method, path)] = None if entrypoint.roles is None else set(entrypoint.roles)
    assert {(r["service"], r["method"], r["path"]): r["roles"] for r in POLICY} == declared


def call(platform, row: dict, credential: str | None) -> requests.Response:
    path = re.sub(r"{[a-z_]+}", str(uuid.uuid4()), row["path"])
    headers = {"Authorization": f"Bearer {credential}"} if credential else {}
    if row["method"] == "POST":
        headers["Idempotency-Key"] = key()
        return requests.post(platform.url(row["service"], path), json={}, headers=headers, timeout=10)
    return requests.get(platform.url(row["service"], path), headers=headers, timeout=10)


@pytest.mark.parametrize("row", POLICY, ids=lambda r: f"{r['service']} {r['method']} {r['path']}")
def test_every_role_gets_the_answer_the_policy_gives_it(platform, credentials, row):
    answers = {"nobody": call(platform, row, None).status_code}
    for role in ROLES:
        answers[role] = call(platform, row, credentials("policy-org", role)).status_code
    if row["roles"] is None:
        assert set(answers.values()) == {200}, answers
        return
    assert answers["nobody"] == 401
    refused = {role for role, status in answers.items() if status == 403}
    assert refused == set(ROLES) - row["roles"], answers
    assert all(answers[role] not in (401, 403, 500) for role in row["roles"]), answers


def _referral(platform, credentials, partner: str) -> dict:
    response = post(platform.url("referrals", "/referrals"),
                    form(partner, "doctor"), key(),
                    credentials(partner, "referrer"))
    assert response.status_code == 201, response.text
    return response.json()


def referrer_refers_for_itself(platform, credentials) -> None:
    response = post(platform.url("referrals", "/referrals"),
                    form("someone-else", "doctor"), key(),
                    credentials("partner-a", "referrer"))
    assert response.status_code == 403
    assert _referral(platform, credentials, "partner-a")["referral_id"]


def referrer_sees_only_its_referrals(platform, credentials) -> None:
    mine = _referral(platform, credentials, "partner-a")
    url = platform.url("referrals", f"/referrals/{mine['referral_id']}")
    own = requests.get(url, headers={"Authorization": f"Bearer {credentials('partner-a', 'referrer')}"}, timeout=10)
    foreign = requests.get(url, headers={"Authorization": f"Bearer {credentials('partner-b', 'referrer')}"},
                           timeout=10)
    hub = requests.get(url, headers={"Authorization": f"Bearer {credentials('learning-works', 'caseworker')}"},
                       timeout=10)
    assert (own.status_code, foreign.status_code, hub.status_code) == (200, 404, 200)
    assert foreign.json()["error"] == "not_found"


def partner_lists_only_its_referrals(platform, credentials) -> None:
    from tests.support.waiting import wait_for

    mine = _referral(platform, credentials, "partner-a")
    _referral(platform, credentials, "partner-b")
    url = platform.url("reporting", "/partners/me/referrals")
    listed = wait_for(lambda: requests.get(url, timeout=10, headers={
        "Authorization": f"Bearer {credentials('partner-a', 'referrer')}"}).json()["referrals"],
        lambda rows: any(r["referral_id"] == mine["referral_id"] for r in rows), what="the partner's referral")
    assert {row["referral_id"] for row in listed} >= {mine["referral_id"]}
    other = requests.get(url, timeout=10, headers={"Authorization": f"Bearer {credentials('partner-c', 'referrer')}"})
    assert mine["referral_id"] not in other.text


def trust_posts_only_for_its_clients(platform, credentials) -> None:
    from tests.support.journeys import accepted_client, step

    hub = credentials("learning-works", "caseworker")
    client = accepted_client(platform, credentials, hub, trust="trust-a")
    assert step(platform, credentials("trust-b", "trust"), client, "GMC", "right_to_work_check", {},
                expect=404)["error"] == "not_found"
    own = credentials("trust-a", "trust")
    assert step(platform, own, client, "GMC", "caseworker_assigned", {"caseworker_id": "cw-1"},
                expect=403)["rule"] == "hub_only_step"
    assert step(platform, own, client, "GMC", "gate_cleared", {"trust": "trust-b", "gate": "dbs"},
                expect=403)["rule"] == "trust_names_itself"
    step(platform, own, client, "GMC", "right_to_work_check", {})


def trust_batches_only_for_its_clients(platform, credentials) -> None:
    from tests.support.journeys import accepted_client

    hub = credentials("learning-works", "caseworker")
    client = accepted_client(platform, credentials, hub, trust="trust-a")
    steps = [{"client_id": client, "regulator": "GMC", "type": "right_to_work_check", "payload": {},
              "occurred_at": "2020-01-01T00:00:00+00:00", "idempotency_key": key()} for _ in range(2)]
    statuses = [[r["status"] for r in post(platform.url("pathways", "/steps/batch"), {"steps": [s]}, key(),
                                           credentials(org, "trust")).json()["results"]]
                for org, s in (("trust-b", steps[0]), ("trust-a", steps[1]))]
    assert statuses == [[404], [201]]


def _finance_reads(platform, credentials, path: str) -> None:
    from tests.support.ledger import register_shipped_contracts

    register_shipped_contracts(platform, credentials("programme-office", "admin"))
    url = platform.url("reporting", path)
    party = requests.get(url, headers={"Authorization": f"Bearer {credentials('swbh-trust', 'finance')}"}, timeout=10)
    other = requests.get(url, headers={"Authorization": f"Bearer {credentials('other-bank', 'finance')}"}, timeout=10)
    assert (party.status_code, other.status_code) == (200, 404), (party.text, other.text)
    assert "client_id" not in party.text  # finance sees pseudonymous participant references only


PERIOD = "?from=2018-01-01&to=2022-12-31"


def finance_reads_its_contracts(path: str):
    return lambda platform, credentials: _finance_reads(platform, credentials, path)


def finance_lists_its_contracts(platform, credentials) -> None:
    from tests.support.ledger import register_shipped_contracts

    register_shipped_contracts(platform, credentials("programme-office", "admin"))
    url = platform.url("reporting", "/outcomes-contracts")

    def listed(organisation: str) -> set[str]:
        answer = requests.get(url, headers={"Authorization": f"Bearer {credentials(organisation, 'finance')}"},
                              timeout=10)
        assert answer.status_code == 200, answer.text
        return {contract["contract_id"] for contract in answer.json()["contracts"]}

    assert "use-it-nhs-bond" in listed("swbh-trust") and "use-it-nhs-bond" not in listed("other-bank")


def finance_records_its_own_transactions(platform, credentials) -> None:
    from tests.support.ledger import register_shipped_contracts

    register_shipped_contracts(platform, credentials("programme-office", "admin"))
    url = platform.url("reporting", "/outcomes-contracts/use-it-nhs-bond/transactions")
    body = {"transaction_type": "Debt", "sender": "community-investor", "receiver": "learning-works",
            "pence": 100, "occurred_at": "2018-10-01T00:00:00+00:00"}
    answers = [post(url, body, key(), credentials(org, "finance")).status_code
               for org in ("community-investor", "swbh-trust", "other-bank")]
    assert answers == [201, 404, 404]  # the investor itself; a party that is not in it; a stranger


def _only_payers_decide(platform, credentials, action: str, body: dict) -> None:
    from tests.support.ledger import ledger_step, nhs_job_outcome

    _, ref = nhs_job_outcome(platform, credentials, credentials("learning-works", "caseworker"))
    body = {"occurred_at": "2019-06-01T00:00:00+00:00", **body}
    for org in ("other-bank", "community-investor"):  # a stranger, and a party that is not a payer
        assert ledger_step(platform, credentials(org, "finance"), ref, action, body, expect=404)["error"] == "not_found"
    refused = ledger_step(platform, credentials("swbh-trust", "finance"), ref, action, body, expect=422)
    assert refused["rule"] == "outcome_status"  # the payer gets past the gate (the outcome is not claimed yet)


def only_payers(action: str, body: dict):
    return lambda platform, credentials: _only_payers_decide(platform, credentials, action, body)


ORGANISATION_RULES = {
    ("reporting", "GET", "/outcomes-contracts"): finance_lists_its_contracts,
    ("reporting", "GET", "/outcomes-contracts/{contract_id}"): finance_reads_its_contracts(
        "/outcomes-contracts/use-it-nhs-bond"),
    ("reporting", "GET", "/ledger/contracts/{contract_id}/statement"): finance_reads_its_contracts(
        "/ledger/contracts/use-it-nhs-bond/statement" + PERIOD),
    ("reporting", "GET", "/ledger/contracts/{contract_id}/entries"): finance_reads_its_contracts(
        "/ledger/contracts/use-it-nhs-bond/entries" + PERIOD),
    ("reporting", "GET", "/ledger/contracts/{contract_id}/outcomes"): finance_reads_its_contracts(
        "/ledger/contracts/use-it-nhs-bond/outcomes"),
    ("reporting", "GET", "/ledger/contracts/{contract_id}/statement-diff"): finance_reads_its_contracts(
        "/ledger/contracts/use-it-nhs-bond/statement-diff" + PERIOD + "&a_known_at=2020-01-01T00:00:00Z"),
    ("reporting", "GET", "/ledger/contracts/{contract_id}/investment"): finance_reads_its_contracts(
        "/ledger/contracts/use-it-nhs-bond/investment"),
    ("reporting", "POST", "/outcomes-contracts/{contract_id}/transactions"): finance_records_its_own_transactions,
    ("reporting", "POST", "/ledger/outcomes/{outcome_ref}/decision"):
        only_payers("decision", {"decision": "validated"}),
    ("reporting", "POST", "/ledger/outcomes/{outcome_ref}/payment"): only_payers("payment", {}),
    ("reporting", "POST", "/ledger/outcomes/{outcome_ref}/clawback"):
        only_payers("clawback", {"reason": "sample failed"}),
    ("pathways", "POST", "/clients/{client_id}/pathways/{regulator}/steps"): trust_posts_only_for_its_clients,
    ("pathways", "POST", "/steps/batch"): trust_batches_only_for_its_clients,
    ("reporting", "GET", "/partners/me/referrals"): partner_lists_only_its_referrals,
    ("referrals", "POST", "/referrals"): referrer_refers_for_itself,
    ("referrals", "GET", "/referrals/{referral_id}"): referrer_sees_only_its_referrals,
}


@pytest.mark.parametrize("row", POLICY, ids=lambda r: f"{r['service']} {r['method']} {r['path']}")
def test_organisation_rules_hold_for_a_foreign_organisation(platform, credentials, row):
    check = ORGANISATION_RULES.get((row["service"], row["method"], row["path"]))
    assert (check is None) == (row["rule"] == "–"), "the policy table and the tested rules disagree"
    if check is not None:
        check(platform, credentials)


def test_revoked_and_rotated_credentials_stop_working(platform):
    from launcher import credentials as admin

    issued = admin.issue("rotating-org", ["auditor"], platform.env)
    url = platform.url("reporting", "/reports/summary")

    def status(credential: str) -> int:
        return requests.get(url, headers={"Authorization": f"Bearer {credential}"}, timeout=10).status_code

    assert status(issued.credential) == 200
    replacement = admin.rotate(issued.key_id, grace_hours=0, source=platform.env)
    assert status(replacement.credential) == 200
    admin.revoke(replacement.key_id, platform.env)
    from tests.support.waiting import wait_for

    wait_for(lambda: (status(issued.credential), status(replacement.credential)), lambda s: s == (401, 401),
             timeout=15, what="both credentials to be refused")
    assert status(issued.credential[:-2] + "xx") == 401
