"""A small demo programme loaded over the public HTTP APIs (idempotent: loading it twice adds nothing)."""
from __future__ import annotations

import requests

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


def referral_form(number: int, partner: str, profession: str, occurred_at: str) -> dict:
    """A placement referral form for a fictitious person (the journal's fields, section 2.5)."""
    given, family = GIVEN[number % len(GIVEN)], FAMILY[(number // len(GIVEN)) % len(FAMILY)]
    country = COUNTRIES[number % len(COUNTRIES)]
    return {
        "partner_id": partner, "occurred_at": occurred_at,
        "person": {
            "full_name": f"{given} {family}",
            "address": {"lines": [f"{10 + number % 90} Dudley Road"], "town": "Birmingham", "postcode": "B18 7QH"},
            "email": f"{given.lower()}.{family.lower()}{number}@example.org",
            "mobile": f"+4477009{number:05d}",
            "ni_number": f"{FIRST[number % 11]}{SECOND[(number // 11) % 12]}{number % 1000000:06d}C",
            "gender": ("female", "male")[number % 2], "country_of_origin": country,
            "date_of_birth": f"19{70 + number % 25}-0{1 + number % 9}-15",
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

    issued = {partner: issue(partner, ["referrer"], source).credential for partner in PARTNERS}
    issued["learning-works"] = issue("learning-works", ["caseworker"], source).credential
    issued["ise"] = issue("ise", ["enterprise_staff"], source).credential
    issued["admin"] = issue("programme-office", ["admin"], source).credential
    return issued


def load(platform: RunningPlatform, credentials: dict[str, str], clients: int = 12) -> dict[str, int]:
    accepted = 0
    for number in range(clients):
        partner = PARTNERS[number % len(PARTNERS)]
        profession = PROFESSIONS[number % len(PROFESSIONS)]
        referral = post(platform, "referrals", "/referrals", f"demo-referral-{number}", referral_form(
            number, partner, profession, f"2018-0{1 + number % 9}-1{number % 10}T10:00:00+00:00"), credentials[partner])
        if number % 3 != 2:
            post(platform, "referrals", f"/referrals/{referral['referral_id']}/acceptance",
                 f"demo-acceptance-{number}", {
                     "entry_point": ENTRY_POINTS[number % 4], "regulator": REGULATOR[profession],
                     "occurred_at": f"2018-0{1 + number % 9}-2{number % 10}T10:00:00+00:00"},
                 credentials["learning-works"])
            accepted += 1
    for number, form in enumerate(("cic", "co_operative", "charity", "company")):
        post(platform, "enterprises", "/enterprises", f"demo-enterprise-{number}", {
            "legal_form": form, "registered_on": f"2018-0{number + 2}-01",
            "occurred_at": "2018-06-01T10:00:00+00:00"}, credentials["ise"])
    return {"referrals": clients, "accepted": accepted, "enterprises": 4}
