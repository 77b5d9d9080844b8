"""A small demo programme loaded over the public HTTP APIs (idempotent: loading it twice adds nothing)."""
from __future__ import annotations

import requests

from launcher.processes import RunningPlatform

PARTNERS = ("brushstrokes-community-project", "ladywood-work-club", "smethwick-faith-centre")
PROFESSIONS = ("doctor", "nurse", "pharmacist", "radiographer", "physiotherapist")
REGULATOR = {"doctor": "GMC", "nurse": "NMC", "pharmacist": "GPhC", "radiographer": "HCPC",
             "physiotherapist": "HCPC"}
ENTRY_POINTS = ("E-A", "E-B", "E-C", "E-D")


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
        referral = post(platform, "referrals", "/referrals", f"demo-referral-{number}", {
            "partner_id": partner, "profession": profession,
            "occurred_at": f"2018-0{1 + number % 9}-1{number % 10}T10:00:00+00:00"}, credentials[partner])
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
