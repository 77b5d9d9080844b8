"""The demo's fictitious people: referral forms whose identifiers never collide with real or test data."""
from __future__ import annotations

from datetime import date, timedelta

PROFESSIONS = ("doctor", "nurse", "pharmacist", "radiographer", "physiotherapist")
REGULATOR = {"doctor": "GMC", "nurse": "NMC", "pharmacist": "GPhC", "radiographer": "HCPC",
             "physiotherapist": "HCPC"}
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
