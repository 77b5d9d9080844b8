"""A skills-matching programme loaded over the HTTP APIs of referrals and pathways (idempotent: keys are fixed).

``JOURNAL`` reproduces the USE-IT! journal's headline figures (Nov 2018): 161 clients on the database, 94 of them
offered placements against a three-year target of 60. ``SMALL`` is the demo's. Clients are fictitious; referrals
come from several partners between February and September 2018; most accepted clients start at the ESOL or IELTS
entry points (the journal: demand for language training was far greater than expected); some later start NHS
jobs in 2019, which the shipped outcomes contracts pay for.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests

from launcher.demo_people import PROFESSIONS, REGULATOR, referral_form
from launcher.enterprise_demo import Poster

ENTRY_POINTS = ("E-A", "E-B", "E-B", "E-A", "E-C", "E-B", "E-D")  # skewed to language training, as found
ENGLISH_FOR = {"E-A": ("below_esol_level_2", False), "E-B": ("esol_level_2", False),
               "E-C": ("regulator_requirement_met", False), "E-D": ("regulator_requirement_met", True)}
KINDS = ("observership", "clinical_attachment", "work_experience")
WEEKS = {"observership": 6, "clinical_attachment": 4, "work_experience": 8}


@dataclass(frozen=True)
class Programme:
    clients: int
    accepted: int
    placements_offered: int
    nhs_jobs: int
    partners: tuple[str, ...]


JOURNAL = Programme(clients=161, accepted=120, placements_offered=94, nhs_jobs=22,
                    partners=("brushstrokes-community-project", "ladywood-work-club", "smethwick-faith-centre",
                              "summerfield-work-club", "soho-road-community-hub"))
SMALL = Programme(clients=12, accepted=8, placements_offered=6, nhs_jobs=3,
                  partners=("brushstrokes-community-project", "ladywood-work-club", "smethwick-faith-centre"))


def _day(number: int, month_from: int = 2, months: int = 8) -> str:
    return f"2018-{month_from + number % months:02d}-{1 + number % 27:02d}"


def load(urls: dict[str, str], credentials: dict[str, str], programme: Programme = SMALL,
         prefix: str = "demo") -> dict[str, Any]:
    """``urls``: service -> base URL; ``credentials``: each partner's referrer credential and ``hub`` (a
    caseworker). Returns what was loaded."""
    hub = Poster(urls["referrals"], credentials["hub"], f"{prefix}-hub")
    steps = Poster(urls["pathways"], credentials["hub"], f"{prefix}-steps")
    accepted: list[tuple[dict, str, tuple[str, str, str]]] = []
    for number in range(programme.clients):
        partner = programme.partners[number % len(programme.partners)]
        profession = PROFESSIONS[number % len(PROFESSIONS)]
        referred_on = _day(number)
        form = referral_form(number, partner, profession, f"{referred_on}T10:00:00+00:00")
        referral = Poster(urls["referrals"], credentials[partner], f"{prefix}-{partner}")(
            "/referrals", f"referral-{number}", form)
        if len(accepted) < programme.accepted:
            accepted.append((referral, profession, _enrol(hub, referral["referral_id"], number, referred_on)))
    placed, batch = [], []
    for index, (_referral, profession, (entry_point, enrolled_on, client)) in \
            enumerate(accepted[:programme.placements_offered]):
        regulator = REGULATOR[profession]
        _wait_for_pathway(urls["pathways"], credentials["hub"], client)
        kind, when = KINDS[index % len(KINDS)], f"{enrolled_on}T15:00:00+00:00"
        batch += [_step(client, regulator, f"{prefix}-placed-{index}", "placed_with_trust", when,
                        {"trust": "swbh-trust"}),
                  _step(client, regulator, f"{prefix}-offer-{index}", "placement_offered", when, {
                      "placement_ref": f"{kind[:3]}-{index}", "kind": kind, "trust": "swbh-trust",
                      "weeks": WEEKS[kind], "starts_on": "2018-10-01", "supervisor_ref": f"consultant-{index % 9}"})]
        placed.append((client, regulator, entry_point))
    for client, regulator, _ in placed[:programme.nhs_jobs]:
        batch += [_step(client, regulator, f"{prefix}-rtw-{client}", "right_to_work_check", "2019-01-14T09:00:00+00:00",
                        {"valid_until": None}),
                  _step(client, regulator, f"{prefix}-job-{client}", "employment_started", "2019-02-04T09:00:00+00:00",
                        {"employer": "swbh-trust", "nhs": True, "hours_per_week": 37.5,
                         "role": "healthcare support worker"})]
    answers = [r for start in range(0, len(batch), 1000)
               for r in steps("/steps/batch", f"batch-{start}", {"steps": batch[start:start + 1000]})["results"]]
    refused = [a for a in answers if a["status"] != 201]
    if refused:
        raise RuntimeError(f"{len(refused)} programme steps refused, e.g. {refused[0]}")
    jobs = min(len(placed), programme.nhs_jobs)
    return {"referrals": programme.clients, "accepted": len(accepted), "placements_offered": len(placed),
            "nhs_jobs": jobs}


def _step(client: str, regulator: str, key: str, step_type: str, when: str, payload: dict) -> dict:
    return {"client_id": client, "regulator": regulator, "idempotency_key": key, "type": step_type,
            "occurred_at": when, "payload": payload}


def _wait_for_pathway(url: str, credential: str, client: str, seconds: float = 60.0) -> None:
    """Pathways opens a client's pathway when it consumes the acceptance: a moment after it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = requests.get(f"{url}/clients/{client}/pathways", timeout=10,
                              headers={"Authorization": f"Bearer {credential}"})
        if answer.status_code == 200 and answer.json()["pathways"]:
            return
        time.sleep(0.1)
    raise TimeoutError(f"no pathway opened for client {client} within {seconds:.0f} s")


def _enrol(hub: Poster, referral_id: str, number: int, referred_on: str) -> tuple[str, str, str]:
    """Contact, consent, assessment and acceptance a week after the referral: (entry point, enrolled on, the
    client's id: the hub learns it; the referrer's answer does not carry it)."""
    entry_point = ENTRY_POINTS[number % len(ENTRY_POINTS)]
    english, registered = ENGLISH_FOR[entry_point]
    when = f"{referred_on}T16:00:00+00:00"
    base = f"/referrals/{referral_id}"
    hub(f"{base}/contact-attempts", f"contact-{number}", {"outcome": "reached", "occurred_at": when})
    hub(f"{base}/consent", f"consent-{number}", {"lawful_basis": "public_task", "privacy_notice_given": True,
                                                 "consent_given": True, "occurred_at": when})
    hub(f"{base}/assessment", f"assessment-{number}", {
        "lives_in_area": True, "overseas_health_qualification": True, "immigration_status": "refugee",
        "english": english, "registered": registered, "occurred_at": when})
    answer = hub(f"{base}/acceptance", f"acceptance-{number}", {
        "regulator": REGULATOR[PROFESSIONS[number % len(PROFESSIONS)]], "occurred_at": when})
    return answer["entry_point"], referred_on, answer["client_id"]
