"""Due items: the dates a caseworker must act by on one pathway, derived from its state and the rules."""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from chassis.dates import years_later
from pathways.domain import rules
from pathways.domain.dates import date_reaching

if TYPE_CHECKING:
    from pathways.domain.pathway import Pathway

#: A follow-up right-to-work check is due this long before time-limited permission ends.
RIGHT_TO_WORK_NOTICE = timedelta(days=28)


def last_valid_day(exam: str, prerequisite_passed_on: date) -> date | None:
    """The last day ``exam`` may be sat on a prerequisite pass of that date, across every version of its
    rule (a shorter validity that comes into force later can end the pass sooner)."""
    versions = sorted((r for r in rules.EXAMS if r.exam == exam), key=lambda r: r.effective_from)
    for version, following in zip(versions, [*versions[1:], None], strict=True):
        if not version.prerequisite_valid_years:
            continue
        refused_from = max(version.effective_from, years_later(prerequisite_passed_on,
                                                               version.prerequisite_valid_years) + timedelta(days=1))
        if following is None or refused_from < following.effective_from:
            return refused_from - timedelta(days=1)
    return None


def due_items(pathway: Pathway, today: date) -> list[dict[str, str]]:
    if pathway.status == "closed":
        return []
    items: list[dict[str, str]] = []

    def add(item: str, due_on: date) -> None:
        items.append({"item": item, "due_on": due_on.isoformat()})

    if pathway.english_met and pathway.english_expires_on and not pathway.registered:
        add("english_certificate_expires", date.fromisoformat(pathway.english_expires_on))
    for exam, passed_on in pathway.passed_on.items():
        followers = {r.exam for r in rules.EXAMS if r.prerequisite == exam}
        for follower in followers - set(pathway.passed_on):
            last = last_valid_day(follower, date.fromisoformat(passed_on))
            if last is not None:
                add(f"{exam.lower()}_pass_expires", last)
    if pathway.regulator == "GPhC" and "ospap_started" in pathway.stages and not pathway.registered:
        add("gphc_route_deadline", years_later(date.fromisoformat(pathway.stages["ospap_started"]),
                                               rules.in_force(rules.GPHC, today).window_years))
    if pathway.right_to_work_until:
        add("right_to_work_follow_up_check", date.fromisoformat(pathway.right_to_work_until) - RIGHT_TO_WORK_NOTICE)
    for ref, placement in sorted(pathway.placements.items()):
        if placement["status"] == "started":
            add(f"placement_ends:{ref}",
                date.fromisoformat(placement["started_on"]) + timedelta(weeks=placement["weeks"]))
    if pathway.interim_since and not pathway.interim_jobs[-1]["care_certificate_on"]:
        add("care_certificate_due", date.fromisoformat(pathway.interim_since)
            + timedelta(weeks=rules.CARE_CERTIFICATE_WEEKS))
    sustainment = rules.in_force(rules.SUSTAINMENT, today)
    for weeks in (13, 26):
        if f"{weeks}_weeks" not in pathway.sustained:
            reached = date_reaching(pathway.spells, sustainment, weeks)
            if reached is not None:
                add(f"sustained_{weeks}_weeks", reached)
    return sorted(items, key=lambda item: (item["due_on"], item["item"]))
