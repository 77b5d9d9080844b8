"""Which outcome metrics a pathway milestone achieves, and on which date: pure functions of the milestone, the
participant's enrolment and the contract's metric definitions (no clock, no database)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Mapping, Sequence

from chassis.dates import months_later
from reporting.terms import Terms

SUSTAINED = ("sustained_13_weeks", "sustained_26_weeks")


@dataclass(frozen=True)
class Enrolment:
    """A participant's first start (ESF: kept for ever) and the entry point then; prices and cohorts use it."""

    client_id: str
    enrolled_on: date
    entry_point: str


def weeks_reached_on(spells: Sequence[Mapping[str, Any]], metric: Mapping[str, Any], enrolled_on: date,
                     until: date) -> date | None:
    """The day the participant reached ``metric['weeks']`` weeks of qualifying work, or None if not by ``until``.

    Qualifying: NHS employers only if ``nhs_only``, at least ``min_hours_per_week``, and only work from enrolment
    on (deadweight). ``cumulative`` adds every spell; ``continuous`` needs one unbroken run (spells that follow
    each other within a day count as one run)."""
    need = timedelta(weeks=int(metric["weeks"]))
    periods = []
    for spell in spells:
        if metric["nhs_only"] and not spell["nhs"]:
            continue
        if float(spell["hours_per_week"]) < float(metric["min_hours_per_week"]):
            continue
        start = max(date.fromisoformat(spell["started_on"]), enrolled_on)
        end = min(date.fromisoformat(spell["ended_on"]) if spell.get("ended_on") else until, until)
        if end > start:
            periods.append((start, end))
    periods.sort()
    if metric["weeks_mode"] == "continuous":
        run: tuple[date, date] | None = None
        for start, end in periods:
            run = (run[0], max(run[1], end)) if run and start <= run[1] + timedelta(days=1) else (start, end)
            if run[1] - run[0] >= need:
                return run[0] + need
        return None
    done = timedelta(0)
    for start, end in periods:
        if done + (end - start) >= need:
            return start + (need - done)
        done += end - start
    return None


def achieved_on(metric: Mapping[str, Any], milestone: str, occurred_on: date, detail: Mapping[str, Any],
                enrolment: Enrolment) -> date | None:
    """The achievement date of ``metric`` by this milestone, or None (another milestone, or not qualifying)."""
    trigger = metric["trigger"]
    if trigger == "sustained":
        if milestone not in SUSTAINED:
            return None
        return weeks_reached_on(detail.get("spells") or [], metric, enrolment.enrolled_on, occurred_on)
    if milestone != trigger:
        return None
    if trigger == "employment_started":
        if metric["nhs_only"] and not detail.get("nhs"):
            return None
        if float(detail.get("hours_per_week") or 0) < float(metric["min_hours_per_week"]):
            return None
        if occurred_on < enrolment.enrolled_on:
            return None  # a job that started before enrolment is deadweight
    return occurred_on


def qualifies(terms: Terms, metric: Mapping[str, Any], on: date, enrolment: Enrolment, regulator: str) -> bool:
    """The contract's period, the metric's cohort and its achievement window."""
    document = terms.document
    if not (date.fromisoformat(str(document["service_start"])) <= on <= date.fromisoformat(str(document["service_end"]))):
        return False
    if on < enrolment.enrolled_on:
        return False
    if metric["entry_points"] and enrolment.entry_point not in metric["entry_points"]:
        return False
    if metric["regulators"] and regulator not in metric["regulators"]:
        return False
    window = metric.get("achievement_window_months")
    return window is None or on <= months_later(enrolment.enrolled_on, int(window))
