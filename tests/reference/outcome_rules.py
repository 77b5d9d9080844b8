"""An independent reference implementation of the outcome rules, written from the rate cards' text.

It shares no code with the services (it imports nothing from ``reporting``, ``pathways`` or ``contracts``) and
works another way: the ledger engine follows pathway milestones and merges periods; this reads the programme
history step by step, as a caseworker would write it down, and counts covered days one by one in a set.

A history is a list of steps in the order they were recorded, each a dict:
- ``{"type": "enrolled", "participant", "on", "entry_point", "regulator"}`` (a pathway opened; the first
  one is the participant's enrolment) and ``{"type": "route_changed", "participant", "on", "regulator"}``;
- jobs: ``job_started`` (``employer_kind``, ``basis``, ``self_employed``, ``hours``), ``job_ended``,
  ``in_work`` (evidence that the current main job went on up to ``on``), ``weeks_confirmed`` (evidence that
  every current job, main or interim, went on up to ``on``), ``interim_started`` (``hours``), ``interim_ended``;
- ``qualification`` (``kind``, ``level``, ``glh``) and ``training_started`` (``kind``).

``claims(history, card)`` answers what the card pays for: every outcome achieved, in the order they are
served, with its achievement date, the date the evidence showed it, its price and the amount payable under the
caps; and ``paid`` (what a provider that claims each payable outcome as soon as it is achieved, with its
prerequisites paid first, is paid).

The rules, as the cards and the brief state them (domain brief 1.3, 5.1, 7b):
- Enrolment is the first pathway's opening; nothing before it counts, and a job that began before it is
  deadweight. Work counts from the service start. An outcome is achieved within the service period, within its
  window of months from enrolment, for the cohort (entry point at enrolment, route) the metric names.
- "N weeks" are 7·N days in qualifying work, the first and the last day of each job counted, a day counted once
  however many jobs cover it; an open job counts up to the last day evidence shows it went on. Cumulative weeks
  add jobs across gaps and employers; continuous weeks need 7·N days in a row. "13 more weeks after the 13-week
  outcome" count only days after that outcome's day.
- Qualifying work: the employer kinds named (any when none are named; none at all when employed work does not
  count, as for "entry to self-employment"), self-employment only if the card says it counts, interim care work only if
  the card counts it, the bases named, at least the minimum hours and
  below the maximum of a part-time band.
- A job-entry outcome is achieved on the day a qualifying job starts. A qualification outcome ("first Level N")
  is achieved by the first qualification at that level or above, of the kinds and guided hours named. A
  training outcome by entry to training of the kinds named.
- Price: the version in force on the achievement date for the entry point at enrolment (a row for the entry
  point beats a row for all). Caps in the order outcomes are reported (first reported, first served): the
  per-person cap, then the contract cap, then a metric's volume; the last outcome under a money cap is paid in
  part; later ones are recorded with nothing payable.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

LEVEL_ORDER = ["pre_entry", "entry_1", "entry_2", "entry_3", "level_1", "level_2", "level_3", "level_4"]


def _d(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _months_after(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return date(day.year + year, month + 1, last)
        except ValueError:
            pass
    raise ValueError(day)


class _Person:
    def __init__(self, step: dict) -> None:
        self.enrolled = _d(step["on"])
        self.entry_point = step["entry_point"]
        self.regulator = step["regulator"]
        self.jobs: list[dict] = []      # {"start", "end", "known_to", "kind", "basis", "self", "hours", "interim"}
        self.outcomes: dict[str, list[dict]] = {}

    def current(self, interim: bool) -> dict | None:
        for job in reversed(self.jobs):
            if job["interim"] == interim and job["end"] is None:
                return job
        return None


def _counts(metric: dict, job: dict) -> bool:
    if job["interim"]:
        if not metric.get("interim_care_work"):
            return False
    elif job["self"]:
        if not metric.get("self_employment"):
            return False
    else:
        if metric.get("employed_work") is False:
            return False
        kinds = metric.get("employers") or (["nhs"] if metric.get("nhs_only") else [])
        if kinds and job["kind"] not in kinds:
            return False
        bases = metric.get("employment_bases") or []
        if bases and job["basis"] not in bases:
            return False
    if job["hours"] < (metric.get("min_hours_per_week") or 0):
        return False
    top = metric.get("max_hours_per_week")
    return top is None or job["hours"] < top


def _days(jobs: list[dict], first_day: date) -> set[date]:
    covered: set[date] = set()
    for job in jobs:
        day, last = max(job["start"], first_day), job["end"] or job["known_to"]
        while day <= last:
            covered.add(day)
            day += timedelta(days=1)
    return covered


def _weeks_reached(metric: dict, days: set[date]) -> date | None:
    wanted = 7 * metric["weeks"]
    count, previous = 0, None
    for day in sorted(days):
        if metric.get("weeks_mode") == "continuous" and previous is not None and day != previous + timedelta(days=1):
            count = 0
        count, previous = count + 1, day
        if count == wanted:
            return day
    return None


def _price(card: dict, prices: list[dict], metric: str, entry_point: str, on: date) -> int | None:
    best = None
    for row in prices:
        if row["metric"] != metric or _d(row["effective_from"]) > on:
            continue
        if row.get("entry_points") and entry_point not in row["entry_points"]:
            continue
        rank = (_d(row["effective_from"]), bool(row.get("entry_points")))
        if best is None or rank > best[0]:
            best = (rank, int(row["pence"]))
    return None if best is None else best[1]


def claims(history: list[dict], card: dict) -> dict[str, Any]:
    """What ``card`` pays for over ``history`` (see the module's docstring)."""
    people: dict[str, _Person] = {}
    served: list[dict] = []
    start, end = _d(card["service_start"]), _d(card["service_end"])
    contract_left = card.get("contract_cap_pence")
    volume_used: dict[str, int] = {}
    metrics = [m for m in card["metrics"]]

    def eligible(person: _Person, metric: dict, on: date) -> bool:
        if not (start <= on <= end) or on < person.enrolled:
            return False
        if metric.get("entry_points") and person.entry_point not in metric["entry_points"]:
            return False
        if metric.get("regulators") and person.regulator not in metric["regulators"]:
            return False
        window = metric.get("achievement_window_months")
        return window is None or on <= _months_after(person.enrolled, window)

    def record(who: str, person: _Person, metric: dict, on: date, evidenced: date, key: str) -> None:
        nonlocal contract_left
        code = metric["code"]
        had = person.outcomes.setdefault(code, [])
        if len(had) >= metric.get("max_claims_per_participant", 1) or not eligible(person, metric, on):
            return
        price = _price(card, card["prices"], code, person.entry_point, on)
        payable = price or 0
        person_cap = card.get("participant_cap_pence")
        if person_cap is not None:
            payable = min(payable,
                          max(0, person_cap - sum(o["payable"] for os in person.outcomes.values() for o in os)))
        if contract_left is not None:
            payable = min(payable, max(0, contract_left))
        volume = metric.get("volume_cap")
        if volume is not None and volume_used.get(code, 0) >= volume:
            payable = 0
        if payable:
            volume_used[code] = volume_used.get(code, 0) + 1
            if contract_left is not None:
                contract_left -= payable
        outcome = {"participant": who, "metric": code, "occurrence": len(had) + 1, "achieved_on": on,
                   "evidenced_on": max(on, evidenced), "price": price or 0, "payable": payable, "key": key}
        had.append(outcome)
        served.append(outcome)

    def assess_work(who: str, person: _Person, today: date) -> None:
        for metric in metrics:
            trigger = metric["trigger"]
            if trigger not in ("employment_started", "sustained"):
                continue
            jobs = [j for j in person.jobs if j["start"] >= person.enrolled and _counts(metric, j)]
            if trigger == "employment_started":
                done = {o["key"] for o in person.outcomes.get(metric["code"], [])}
                for job in sorted(jobs, key=lambda j: (j["start"], j["interim"])):
                    key = f"{job['start']}:{job['interim']}"
                    if key not in done:
                        record(who, person, metric, job["start"], today, key)
                continue
            if person.outcomes.get(metric["code"]):
                continue
            first_day = max(person.enrolled, start)
            if metric.get("weeks_after"):
                before = person.outcomes.get(metric["weeks_after"])
                if not before:
                    continue
                first_day = max(first_day, before[0]["achieved_on"] + timedelta(days=1))
            reached = _weeks_reached(metric, _days(jobs, first_day))
            if reached is not None:
                record(who, person, metric, reached, today, "weeks")

    for step in history:
        who, kind, on = step["participant"], step["type"], _d(step["on"])
        if kind == "enrolled":
            people.setdefault(who, _Person(step))
            continue
        person = people[who]
        if kind == "route_changed":
            person.regulator = step["regulator"]
        elif kind in ("job_started", "interim_started"):
            interim = kind == "interim_started"
            person.jobs.append({"start": on, "end": None, "known_to": on, "interim": interim,
                                "kind": "social_care" if interim else step.get("employer_kind"),
                                "basis": None if interim else step.get("basis"),
                                "self": False if interim else bool(step.get("self_employed")),
                                "hours": float(step["hours"])})
        elif kind in ("job_ended", "interim_ended"):
            job = person.current(kind == "interim_ended")
            job["end"] = job["known_to"] = on
        elif kind in ("in_work", "weeks_confirmed"):
            for interim in ((False,) if kind == "in_work" else (False, True)):
                job = person.current(interim)
                if job is not None and job["start"] <= on:
                    job["known_to"] = max(job["known_to"], on)
        if kind in ("job_started", "interim_started", "job_ended", "interim_ended", "in_work", "weeks_confirmed"):
            assess_work(who, person, on)
        elif kind == "qualification":
            for metric in metrics:
                if metric["trigger"] != "qualification_achieved":
                    continue
                if LEVEL_ORDER.index(step["level"]) < LEVEL_ORDER.index(metric["qualification_level"]):
                    continue
                if metric.get("qualification_kinds") and step["kind"] not in metric["qualification_kinds"]:
                    continue
                least = metric.get("min_guided_learning_hours")
                if least is not None and (step.get("glh") is None or step["glh"] < least):
                    continue
                record(who, person, metric, on, on, "qualification")
        elif kind == "training_started":
            for metric in metrics:
                if metric["trigger"] == "training_started" and (not metric.get("training_kinds")
                                                                 or step["kind"] in metric["training_kinds"]):
                    record(who, person, metric, on, on, "training")
    return {"outcomes": served, "paid": _diligent(served, metrics)}


def _diligent(served: list[dict], metrics: list[dict]) -> set[tuple[str, str, int]]:
    """The outcomes paid when each payable outcome is claimed as soon as it is achieved and paid at once: a
    claim needs a payable amount and every prerequisite metric paid before it (per participant)."""
    needs = {m["code"]: m.get("prerequisites") or [] for m in metrics}
    order = {m["code"]: i for i, m in enumerate(metrics)}
    paid: set[tuple[str, str, int]] = set()
    for outcome in sorted(served, key=lambda o: (o["participant"], o["achieved_on"], order[o["metric"]],
                                                 o["occurrence"])):
        who = outcome["participant"]
        if outcome["payable"] and all(any(p == (who, need, n) for p in paid for n in range(1, 11))
                                      for need in needs[outcome["metric"]]):
            paid.add((who, outcome["metric"], outcome["occurrence"]))
    return paid
