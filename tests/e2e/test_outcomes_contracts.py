"""The outcomes contracts a caller may see, listed: finance its own contracts only, auditors and admins all; names,
dates, parties and metrics, never money or participants."""
from __future__ import annotations

from tests.support.ledger import BOND, IF, shipped_terms
from tests.support.waiting import get


def listed(platform, credential: str) -> dict[str, dict]:
    answer = get(platform.url("reporting", "/outcomes-contracts"), credential)
    assert answer.status_code == 200, answer.text
    return {contract["contract_id"]: contract for contract in answer.json()["contracts"]}


def test_a_finance_party_sees_only_its_contracts_and_auditors_see_all(platform, credentials, registered_contracts):
    for organisation, sees, not_seen in (("swbh-trust", {BOND}, {IF}), ("dwp", {IF}, {BOND}),
                                         ("community-investor", {BOND, IF}, set()),
                                         ("a-bank-in-none", set(), {BOND, IF})):
        found = listed(platform, credentials(organisation, "finance"))
        assert sees <= set(found) and not (not_seen & set(found)), organisation
        for contract in found.values():  # whatever other tests registered: only contracts it is a party to
            assert organisation in {party["organisation"] for party in contract["parties"]}, contract["contract_id"]
    for role in ("auditor", "admin"):
        assert {BOND, IF} <= set(listed(platform, credentials("programme-office", role)))
    assert get(platform.url("reporting", "/outcomes-contracts"), credentials("learning-works", "caseworker")) \
        .status_code == 403


def test_each_contract_is_its_facts_without_money_or_participants(platform, credentials, registered_contracts):
    terms = shipped_terms("use_it_nhs_bond")
    answer = get(platform.url("reporting", "/outcomes-contracts"), credentials("swbh-trust", "finance"))
    bond = next(c for c in answer.json()["contracts"] if c["contract_id"] == BOND)
    assert bond == {
        "contract_id": BOND, "name": terms["name"], "signed_on": terms["signed_on"],
        "service_start": terms["service_start"], "service_end": terms["service_end"],
        "claim_deadline": terms["claim_deadline"],
        "parties": [{"organisation": "community-investor", "name": terms["investors"][0]["name"],
                     "roles": ["investor"]},
                    {"organisation": "learning-works", "name": terms["provider"]["name"], "roles": ["provider"]},
                    {"organisation": "swbh-trust", "name": terms["commissioners"][0]["name"],
                     "roles": ["commissioner", "payer"]}],
        "metrics": [metric["code"] for metric in terms["metrics"]]}
    for word in ("pence", "price", "_cap", "participant", "GBP", "payer_shares"):
        assert word not in answer.text
