"""A small demo programme loaded over the public HTTP APIs (idempotent: loading it twice adds nothing)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import requests

from launcher import enterprise_demo
from launcher.processes import RunningPlatform

PARTNERS = ("brushstrokes-community-project", "ladywood-work-club", "smethwick-faith-centre")
PROFESSIONS = ("doctor", "nurse", "pharmacist", "radiographer", "physiotherapist")
REGULATOR = {"doctor": "GMC", "nurse": "NMC", "pharmacist": "GPhC", "radiographer": "HCPC",
             "physiotherapist": "HCPC"}
ENTRY_POINTS = ("E-A", "E-B", "E-C", "E-D")
GIVEN = ("Amina", "Yusuf", "Farah", "Tariq", "Leyla", "Omar", "Nadia", "Samir", "Hana", "Karim", "Rania", "Idris")
FAMILY = ("Haddad", "Okafor", "Rahimi", "Mensah", "Nasser", "Kovacs", "Said", "Bello", "Aziz", "Demir")
COUNTRIES = ("Syria", "Nigeria", "Iran", "Ghana", "Iraq", "Hungary", "Eritrea", "Sudan", "Pakistan", "Turkey")
# NI number prefix letters that are valid in any combination (none of BG GB KN NK NT TN ZZ can arise)
FIRST, SECOND = "ACEHJLMPRSW", "ABCEHJLMPRSW"


DEMO_NUMBERS = 2_000


def _phone(number: int) -> str:
    if number < 1_000:
        return f"+44121496{number:04d}"       # 0121 496 0000-0999
    if number < DEMO_NUMBERS:
        return f"+441632960{number - 1_000:03d}"  # 01632 960000-960999
    return f"+4477009{number:05d}"


def referral_form(number: int, partner: str, profession: str, occurred_at: str) -> dict:
    """A placement referral form for a fictitious person (the journal's fields, section 2.5).

    Different numbers below 1,000,000 never share an NI number, email, mobile, or name with date of birth, so
    identity matching never takes one for another (the demo numbers people from 0, tests from 500,000).
    Demo people (numbers below 2,000) have identifiers of their own, apart from the ranges realistic test data
    uses (Ofcom's drama mobiles 07700 900000-900999, NI numbers ending in C, emails at example.org/com): phone
    numbers from Ofcom's drama ranges for Birmingham (0121 496 0000-0999) and no area (01632 960000-960999),
    NI numbers ending in D, emails at demo.use-it.example; so a new user's own people are never attached to a
    demo client by identity matching.
    """
    given, family = GIVEN[number % len(GIVEN)], FAMILY[(number // len(GIVEN)) % len(FAMILY)]
    demo = number < DEMO_NUMBERS
    country = COUNTRIES[number % len(COUNTRIES)]
    return {
        "partner_id": partner, "occurred_at": occurred_at,
        "person": {
            "full_name": f"{given} {family}",
            "address": {"lines": [f"{10 + number % 90} Dudley Road"], "town": "Birmingham", "postcode": "B18 7QH"},
            "email": f"{given.lower()}.{family.lower()}{number}@{'demo.use-it.example' if demo else 'example.org'}",
            "mobile": _phone(number),
            "ni_number": f"{FIRST[number % 11]}{SECOND[(number // 11) % 12]}{number % 1000000:06d}"
                         f"{'D' if demo else 'C'}",
            "gender": ("female", "male")[number % 2], "country_of_origin": country,
            # name and date of birth together are unique per number (identity matching would attach a lookalike)
            "date_of_birth": (date(1950, 1, 1) + timedelta(days=number // (len(GIVEN) * len(FAMILY)))).isoformat(),
        },
        "right_to_work": ("yes", "not_sure", "no")[number % 3], "profession": profession,
        "country_qualified_in": country, "speciality_detail": f"{profession} with community health interest",
        "support_needed": "English for registration, clinical placement", "ielts_taken": number % 2 == 0,
        "ielts_score_needed": "7.5" if profession == "doctor" else "7.0",
        "documents": [{"type": "degree_certificate", "issuer": f"University of {country}",
                       "issued_on": "2010-07-01", "sha256": f"{number:064x}"}],
    }


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