"""The enterprise strand of a programme, loaded over the public HTTP API (idempotent: every key derives from a
prefix, so loading it twice adds nothing).

``JOURNAL`` has the third USE-IT! journal's figures (sections 2.3 and 2.4): over 30 applications in a FUSE
recruitment round, 10 organisations / 12 individuals supported, about 15 specialist mentors, 27 social
enterprises at the supply-chain event, SoHo network attendance falling, 49 community researchers recruited and
10 active. ``SMALL`` is the same story in miniature, for ``bin/run``. All people are fictitious.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests

TRADES = ("Bakes", "Threads", "Print Co", "Green Cycles", "Kitchen", "Repair Cafe", "Arts Collective", "Care Circle",
          "Growers", "Tech Hub", "Laundry", "Market", "Media", "Builders")
AREAS = ("Ladywood", "Soho", "Smethwick", "Winson Green", "Icknield", "Handsworth", "Spring Hill")
GIVEN = ("Amina", "Yusuf", "Farah", "Tariq", "Leyla", "Omar", "Nadia", "Samir", "Hana", "Karim", "Rania", "Idris",
         "Grace", "Kwame", "Sofia", "Dylan")
FAMILY = ("Haddad", "Okafor", "Rahimi", "Mensah", "Nasser", "Kovacs", "Said", "Bello", "Aziz", "Demir", "Clarke")
FORMS = ("cic", "company", "co_operative", "charity", "sole_trader")
SPECIALISMS = ("finance", "legal", "marketing", "sales", "governance", "hr", "it", "operations", "procurement",
               "social_impact", "property", "food_safety")
CHANNELS = ("personal_contact", "business_event", "recruitment_evening", "employer_volunteering_scheme")
BUYERS = ("wates", "balfour-beatty", "kier", "willmott-dixon", "lendlease", "galliford-try", "morgan-sindall",
          "bam-construct", "interserve", "vinci", "mace", "laing-orourke")


@dataclass(frozen=True)
class Figures:
    applications: int
    shared_enterprises: int  # enterprises applied for by two people each (counted once)
    accepted: int  # people accepted into the cohort; organisations = accepted - shared_enterprises
    waitlisted: int
    specialist_mentors: int
    general_mentors: int
    supply_chain_enterprises: int
    buyers: int
    researchers: int
    connectors: int
    partners: int
    active_researchers: int
    lapsed_researchers: int
    soho_attendance: tuple[int, ...]
    boot_camp: int


JOURNAL = Figures(applications=30, shared_enterprises=2, accepted=12, waitlisted=3, specialist_mentors=15,
                  general_mentors=1, supply_chain_enterprises=27, buyers=9, researchers=49, connectors=5, partners=6,
                  active_researchers=10, lapsed_researchers=6, soho_attendance=(26, 22, 19, 17, 13, 11), boot_camp=7)
SMALL = Figures(applications=8, shared_enterprises=1, accepted=4, waitlisted=1, specialist_mentors=4, general_mentors=1,
                supply_chain_enterprises=6, buyers=3, researchers=8, connectors=2, partners=2, active_researchers=3,
                lapsed_researchers=1, soho_attendance=(12, 10, 9), boot_camp=3)


class Poster:
    """Posts as one credential, keys prefixed, waiting out the rate limit (429, Retry-After) when it bites."""

    def __init__(self, base_url: str, credential: str, prefix: str) -> None:
        self.base, self.prefix, self.session = base_url, prefix, requests.Session()
        self.session.headers["Authorization"] = f"Bearer {credential}"

    def __call__(self, path: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
        for _ in range(30):
            response = self.session.post(self.base + path, json=body, timeout=15,
                                         headers={"Idempotency-Key": f"{self.prefix}-{key}"})
            if response.status_code != 429:
                if response.status_code >= 400:
                    raise requests.HTTPError(f"{response.status_code} on {path}: {response.text}", response=response)
                return response.json()
            time.sleep(float(response.headers.get("Retry-After", "1")))
        raise RuntimeError(f"still rate-limited on {path}")


def at(day: str, hour: int = 10) -> str:
    return f"{day}T{hour:02d}:00:00+00:00"


def person(number: int) -> dict[str, str]:
    given, family = GIVEN[number % len(GIVEN)], FAMILY[(number // len(GIVEN)) % len(FAMILY)]
    return {"display_name": f"{given} {family}", "email": f"{given.lower()}.{family.lower()}.{number}@example.org"}


def venture(number: int, second_founder: bool = False) -> dict[str, Any]:
    """Every third venture registered in 2014 (not new), every third in late 2017 (new), the rest not yet."""
    name = f"{AREAS[number % len(AREAS)]} {TRADES[number % len(TRADES)]} {number}"
    if second_founder:  # the other founder writes the name their own way and knows no number
        return {"name": name.upper() + " LTD"}
    registered = {0: "2014-05-12", 1: "2017-11-20"}.get(number % 3)
    if registered is None:
        return {"name": name}
    return {"name": name, "registration_number": f"{10400000 + number:08d}", "legal_form": FORMS[number % 5],
            "registered_on": registered}


def load(base_url: str, credential: str, figures: Figures = SMALL, prefix: str = "demo-ent") -> dict[str, Any]:
    """Loads the strand; returns the ids a reader needs (round, cohort, events)."""
    post = Poster(base_url, credential, prefix)
    ids: dict[str, Any] = {}
    ids.update(fuse(post, figures))
    ids.update(mentors_and_support(post, figures, ids["cohort_enterprises"]))
    ids.update(network(post, figures, ids["round_enterprises"], ids["applicants"]))
    ids.update(research(post, figures, ids["round_enterprises"]))
    return ids


def fuse(post: Poster, f: Figures) -> dict[str, Any]:
    cohort = post("/programmes", "cohort",
                  {"kind": "fuse_cohort", "name": "FUSE cohort 2018", "starts_on": "2018-04-01",
                                            "ends_on": "2019-03-31", "occurred_at": at("2018-03-20")})["programme_id"]
    round_id = post("/rounds", "round", {"name": "FUSE recruitment round 2018", "programme_id": cohort,
                                         "opens_on": "2018-04-01", "closes_on": "2018-06-30", "places": f.accepted,
                                         "occurred_at": at("2018-03-20")})["round_id"]
    base = f"/rounds/{round_id}/applications"
    applications, enterprises, applicants = [], [], []
    for number in range(f.applications):
        shared = number < 2 * f.shared_enterprises
        venture_number = number // 2 if shared else number - f.shared_enterprises
        answer = post(base, f"application-{number}", {
            "applicant": person(number), "enterprise": venture(venture_number, shared and number % 2 == 1),
            "sector": ("food", "retail", "arts_and_culture", "community_services")[number % 4],
            "occurred_at": at(f"2018-04-{1 + number % 28:02d}")})
        applications.append(answer["application_id"])
        applicants.append(answer["applicant_id"])
        if answer["enterprise_id"] not in enterprises:
            enterprises.append(answer["enterprise_id"])
    interviewed = f.accepted + f.waitlisted + 3
    post(f"{base}/{applications[0]}/conflicts", "conflict", {"panel_member": "mentor-1", "nature": "family",
                                                            "occurred_at": at("2018-07-01")})
    for number, application in enumerate(applications):
        if number >= interviewed:
            post(f"{base}/{application}/decision", f"decision-{number}", {
                "decision": "rejected", "reason": ("no_social_purpose", "not_eligible", "not_viable_yet")[number % 3],
                "occurred_at": at("2018-07-02")})
            continue
        post(f"{base}/{application}/shortlisting", f"shortlist-{number}", {"occurred_at": at("2018-07-02")})
        post(f"{base}/{application}/interview", f"interview-{number}", {
            "panel": ["ise-fuse-lead", "mentor-2" if number == 0 else "mentor-1"], "occurred_at": at("2018-07-05")})
        decision = ("accepted" if number < f.accepted else "waitlisted" if number < f.accepted + f.waitlisted
                    else "rejected")
        post(f"{base}/{application}/decision", f"decision-{number}", {
            "decision": decision,
            "reason": {"accepted": "selected", "waitlisted": "places_full"}.get(decision, "not_viable_yet"),
            "occurred_at": at("2018-07-06")})
    cohort_enterprises = enterprises[:f.accepted - f.shared_enterprises]
    for number, enterprise in enumerate(cohort_enterprises):
        for kind, hours, day in (("workshop", "6", "2018-07-10"), ("one_to_one", "4", "2018-07-24")):
            post(f"/enterprises/{enterprise}/support", f"support-{kind}-{number}", {
                "programme_id": cohort, "kind": kind, "hours": hours, "occurred_at": at(day)})
        if number % 3 == 2:  # pre-start ventures register during the programme
            post(f"/enterprises/{enterprise}/registration", f"registration-{number}", {
                "legal_form": "cic", "registered_on": "2018-08-15", "occurred_at": at("2018-08-20")})
    return {"cohort_id": cohort, "round_id": round_id, "round_enterprises": enterprises, "applicants": applicants,
            "cohort_enterprises": cohort_enterprises}


def mentors_and_support(post: Poster, f: Figures, cohort: list[str]) -> dict[str, Any]:
    recruited = []
    for number in range(f.specialist_mentors + f.general_mentors):
        specialist = number < f.specialist_mentors
        recruited.append(post("/mentors", f"mentor-{number}", {
            "display_name": person(500 + number)["display_name"],
            "organisation": None if specialist else "Greater Birmingham Chambers of Commerce",
            "channel": CHANNELS[number % len(CHANNELS)], "kind": "specialist" if specialist else "general",
            "specialisms": [SPECIALISMS[number % len(SPECIALISMS)]] if specialist else [], "max_mentees": 2,
            "occurred_at": at("2018-05-10")})["mentor_id"])
    for number, enterprise in enumerate(cohort):
        mentor = recruited[number % f.specialist_mentors]
        post(f"/mentors/{mentor}/matches", f"match-{number}",
             {"enterprise_id": enterprise, "occurred_at": at("2018-07-08")})
        post(f"/mentors/{mentor}/sessions", f"session-{number}", {"enterprise_id": enterprise, "hours": "2",
                                                                  "occurred_at": at("2018-07-30")})
    for number, mentor in enumerate(recruited):
        post(f"/mentors/{mentor}/recognitions", f"dinner-{number}", {"recognition": "annual_dinner",
                                                                     "occurred_at": at("2018-09-06", 19)})
    for number, enterprise in enumerate(cohort[:3]):
        post("/grants", f"grant-{number}", {"enterprise_id": enterprise, "funder": "Power to Change",
                                           "amount_pence": 150000 + 50000 * number, "purpose": "start_up",
                                           "occurred_at": at("2018-08-01")})
        post("/diagnostics", f"diagnostic-{number}",
             {"enterprise_id": enterprise, "scores": {"finance": 2, "marketing": 3},
                                                     "hours": "1.5", "occurred_at": at("2018-07-12")})
    consortium = post("/consortia", "food-consortium", {"name": "Icknield food consortium", "theme": "food",
                                                        "occurred_at": at("2018-08-10")})["consortium_id"]
    for number, enterprise in enumerate(cohort[:3]):
        post(f"/consortia/{consortium}/members", f"consortium-{number}", {"enterprise_id": enterprise,
                                                                         "occurred_at": at("2018-08-10")})
    return {"mentors": recruited, "consortium_id": consortium}


def network(post: Poster, f: Figures, enterprises: list[str], people: list[str]) -> dict[str, Any]:
    event = post("/network-events", "supply-chain", {
        "series": "supply_chain", "title": "Supply chain development event with Wates", "held_on": "2018-03-15",
        "speakers": 2, "buyers_present": f.buyers, "occurred_at": at("2018-09-10")})["network_event_id"]
    attending = enterprises[:f.supply_chain_enterprises]
    post(f"/network-events/{event}/attendance", "supply-chain-attendance", {
        "attendees": [{"kind": "enterprise", "ref": e} for e in attending] +
                     [{"kind": "organisation", "ref": b} for b in BUYERS[:f.buyers]], "occurred_at": at("2018-09-10")})
    for number, enterprise in enumerate(attending):
        outcomes = ["pitched"] + (["lead"] if number % 5 == 0 else []) + (["contract_won"] if number % 12 == 0 else [])
        for outcome in outcomes:
            post(f"/network-events/{event}/supply-chain-outcomes", f"outcome-{outcome}-{number}", {
                "enterprise_id": enterprise, "outcome": outcome, "buyer": BUYERS[number % f.buyers],
                "value_pence": 1250000 if outcome == "contract_won" else None, "occurred_at": at("2018-09-10")})
    meetings = []
    for number, attendance in enumerate(f.soho_attendance):
        meeting = post("/network-events", f"soho-{number}", {
            "series": "soho_network", "title": f"SoHo social enterprise network {number + 1}",
            "held_on": f"2018-0{2 + number}-26", "speakers": 3 if number == 0 else 1,
            "occurred_at": at(f"2018-0{2 + number}-27")})["network_event_id"]
        named = people[:min(attendance, len(people)) // 2]  # the regulars come back
        post(f"/network-events/{meeting}/attendance", f"soho-attendance-{number}", {
            "attendees": [{"kind": "person", "ref": p} for p in named], "walk_ins": attendance - len(named),
            "occurred_at": at(f"2018-0{2 + number}-27")})
        meetings.append(meeting)
    for number, (theme, ideas) in enumerate((("food", 6), ("employment", 4))):
        session = post("/network-events", f"awareness-{theme}", {
            "series": "awareness_session", "title": f"What would you change: {theme}", "held_on": f"2018-05-1{number}",
            "theme": theme, "ideas_raised": ideas, "occurred_at": at(f"2018-05-1{number}", 18)})["network_event_id"]
        post(f"/network-events/{session}/attendance", f"awareness-attendance-{theme}", {
            "walk_ins": 14 - 3 * number, "occurred_at": at(f"2018-05-1{number}", 18)})
        if number == 0:
            post(f"/network-events/{session}/ideas", "idea-food", {"enterprise_id": enterprises[-1],
                                                                  "occurred_at": at("2018-07-01")})
    festival = post("/network-events", "festival", {"series": "festival", "title": "SE Festival, Birmingham City Drive",
                                                    "held_on": "2018-04-27", "occurred_at": at("2018-04-28")})
    post(f"/network-events/{festival['network_event_id']}/attendance", "festival-attendance", {
        "attendees": [{"kind": "enterprise", "ref": e} for e in enterprises[:5]], "walk_ins": 140,
        "occurred_at": at("2018-04-28")})
    camp = post("/programmes", "boot-camp", {"kind": "boot_camp", "name": "Summer Boot Camp 2018",
                                             "starts_on": "2018-07-16", "ends_on": "2018-08-24",
                                             "occurred_at": at("2018-07-01")})["programme_id"]
    for number in range(f.boot_camp):
        camper = post("/applicants", f"camper-{number}", {**person(800 + number), "occurred_at": at("2018-07-10")})
        post(f"/programmes/{camp}/members", f"camper-member-{number}", {"applicant_id": camper["applicant_id"],
                                                                       "occurred_at": at("2018-07-16")})
    return {"supply_chain_event_id": event, "soho_meetings": meetings, "boot_camp_id": camp}


def research(post: Poster, f: Figures, enterprises: list[str]) -> dict[str, Any]:
    researchers = []
    engaged = f.active_researchers + f.lapsed_researchers  # recruited early, trained, active (some lapse later)
    for number in range(f.researchers):
        programme = "community_connector" if number < f.connectors else \
            "community_partner" if number >= f.researchers - f.partners else "community_researcher"
        researchers.append(post("/researchers", f"researcher-{number}", {
            "display_name": person(300 + number)["display_name"], "programme": programme,
            "occurred_at": at(f"2018-0{2 + (number % 6 if number >= engaged else 0)}-0{1 + number % 9}")}
        )["researcher_id"])
    for number, researcher in enumerate(researchers[:engaged]):
        base = f"/researchers/{researcher}"
        post(f"{base}/training", f"training-{number}", {"course": "Interviewing and survey methods", "hours": "6",
                                                        "occurred_at": at("2018-03-10")})
        post(f"{base}/activation", f"activation-{number}", {"occurred_at": at("2018-03-12")})
        post(f"{base}/fieldwork", f"fieldwork-{number}", {"hours": "3.5", "occurred_at": at("2018-04-20")})
        if number % 2 == 0:
            post(f"{base}/mentoring", f"mentoring-{number}", {"hours": "1", "occurred_at": at("2018-05-03")})
        if number >= f.active_researchers:  # lapsed since (the journal's retention challenge)
            post(f"{base}/lapse", f"lapse-{number}", {"reason": "no_time", "occurred_at": at("2018-08-01")})
    recorder = researchers[0]
    for number, (kind, title) in enumerate((("place", "Ladywood Community Centre"),
                                            ("organisation", "Brushstrokes community project"),
                                            ("network", "Soho Road traders' group"),
                                            ("place", "Icknield Port Loop canal side"))):
        post("/asset-map", f"asset-{number}",
             {"kind": kind, "area": ("ladywood", "smethwick", "soho", "ladywood")[number],
                                               "title": title, "recorded_by": recorder,
                                               "occurred_at": at("2018-06-01")})
    post("/asset-map", "asset-skill", {
        "kind": "skill", "area": "winson_green", "title": "Upholstery and furniture restoration",
        "description": "A resident who would teach a class; contact through the connector", "personal_data": True,
        "consent": {"reference": "CR-CONSENT-0042", "recorded_on": "2018-06-02", "retain_until": "2021-06-02"},
        "recorded_by": recorder, "occurred_at": at("2018-06-02")})
    for number, (to, enterprise) in enumerate((("enterprise", enterprises[0]), ("enterprise", enterprises[1]),
                                               ("referrals", None), ("fuse", None))):
        post("/introductions", f"introduction-{number}", {"connector_id": researchers[0], "to": to,
                                                          "enterprise_id": enterprise, "occurred_at": at("2018-06-15")})
    return {"researchers": researchers}
