"""A small demo programme loaded over the public HTTP APIs (idempotent: loading it twice adds nothing)."""
from __future__ import annotations

from typing import Any

import requests

from launcher import enterprise_demo
from launcher.processes import RunningPlatform

PARTNERS = ("brushstrokes-community-project", "ladywood-work-club", "smethwick-faith-centre")
ENTRY_POINTS = ("E-A", "E-B", "E-C", "E-D")


def post(platform: RunningPlatform, service: str, path: str, key: str, body: dict, credential: str) -> dict:
    response = requests.post(platform.url(service, path), json=body, timeout=10,
                             headers={"Idempotency-Key": key, "Authorization": f"Bearer {credential}"})
    response.raise_for_status()
    return response.json()


def demo_credentials(source: dict | None = None) -> dict[str, str]:
    """Credentials of the demo's organisations (new ones each run; keys are scoped per organisation)."""
    from launcher.credentials import issue

    issued = {partner: issue(partner, ["referrer"], source).credential for partner in PARTNERS + ("embedded-club",)}
    issued["learning-works"] = issue("learning-works", ["caseworker"], source).credential
    issued["ise"] = issue("ise", ["enterprise_staff"], source).credential
    issued["admin"] = issue("programme-office", ["admin"], source).credential
    return issued


ENGLISH_FOR = {"E-A": ("below_esol_level_2", False), "E-B": ("esol_level_2", False),
               "E-C": ("regulator_requirement_met", False), "E-D": ("regulator_requirement_met", True)}


def enrol(platform: RunningPlatform, referral_id: str, credential: str, entry_point: str, regulator: str,
          occurred_at: str, key_prefix: str) -> dict:
    """The hub's steps from referral to acceptance: contact, consent, assessment (giving ``entry_point``), accept."""
    base = f"/referrals/{referral_id}"
    english, registered = ENGLISH_FOR[entry_point]
    post(platform, "referrals", f"{base}/contact-attempts", f"{key_prefix}-contact",
         {"outcome": "reached", "occurred_at": occurred_at}, credential)
    post(platform, "referrals", f"{base}/consent", f"{key_prefix}-consent",
         {"lawful_basis": "public_task", "privacy_notice_given": True, "consent_given": True,
          "occurred_at": occurred_at}, credential)
    post(platform, "referrals", f"{base}/assessment", f"{key_prefix}-assessment",
         {"lives_in_area": True, "overseas_health_qualification": True, "immigration_status": "refugee",
          "english": english, "registered": registered, "occurred_at": occurred_at}, credential)
    return post(platform, "referrals", f"{base}/acceptance", f"{key_prefix}-acceptance",
                {"regulator": regulator, "occurred_at": occurred_at}, credential)


def register_partners(platform: RunningPlatform, credentials: dict[str, str]) -> None:
    for partner, kind in zip(PARTNERS + ("embedded-club",),
                             ("community_organisation", "work_club", "work_club", "other"), strict=True):
        answer = requests.post(platform.url("referrals", "/partners"), timeout=10, json={
            "partner_id": partner, "name": partner.replace("-", " ").title(), "kind": kind,
            "occurred_at": "2018-01-01T00:00:00+00:00"}, headers={
            "Idempotency-Key": f"demo-partner-{partner}", "Authorization": f"Bearer {credentials['learning-works']}"})
        if answer.status_code not in (201, 409):
            answer.raise_for_status()


def load(platform: RunningPlatform, credentials: dict[str, str]) -> dict[str, Any]:
    """The demo programme: partners, a small skills-matching programme (referrals, acceptances, placements, NHS
    jobs), the shipped outcomes contracts (whose ledger then holds the jobs' outcomes) and a small enterprise
    programme. Every post carries a fixed idempotency key, so loading twice adds nothing."""
    from launcher import programme_demo

    register_partners(platform, credentials)
    skills = programme_demo.load({name: platform.url(name) for name in ("referrals", "pathways")},
                                 {**credentials, "hub": credentials["learning-works"]}, programme_demo.SMALL)
    contracts = register_contracts(platform, credentials["admin"])
    for number, form in enumerate(("cic", "co_operative", "charity", "company")):
        post(platform, "enterprises", "/enterprises", f"demo-enterprise-{number}", {
            "legal_form": form, "registered_on": f"2018-0{number + 2}-01",
            "occurred_at": "2018-06-01T10:00:00+00:00"}, credentials["ise"])
    enterprise_demo.load(platform.url("enterprises"), credentials["ise"], enterprise_demo.SMALL)
    small = enterprise_demo.SMALL
    return {**skills, "outcomes_contracts": contracts, "enterprises": 4, "fuse_applications": small.applications,
            "mentors": small.specialist_mentors + small.general_mentors, "community_researchers": small.researchers}


def register_contracts(platform: RunningPlatform, admin: str) -> list[str]:
    """The shipped outcomes contracts (services/reporting/reporting/contract_terms/*.json) registered in reporting."""
    import json
    from importlib import resources

    registered = []
    for terms in sorted(resources.files("reporting").joinpath("contract_terms").iterdir(), key=lambda p: p.name):
        document = json.loads(terms.read_text())
        answer = requests.post(platform.url("reporting", "/outcomes-contracts"), json=document, timeout=10, headers={
            "Idempotency-Key": f"demo-contract-{document['contract_id']}", "Authorization": f"Bearer {admin}"})
        if answer.status_code not in (201, 409):
            answer.raise_for_status()
        registered.append(document["contract_id"])
    return registered