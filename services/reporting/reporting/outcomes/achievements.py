"""Which outcome metrics a pathway milestone achieves, and on which date: pure functions of the milestone, the
participant's enrolment, what the participant has achieved under the contract so far, and the contract's metric
definitions (no clock, no database). docs/ledger.md states each rule in words.

Counting work (domain brief 7b): a spell covers every day from its first to its last, both counted; an open
spell is covered up to the last day its continuation is evidenced. N weeks are 7·N covered days: one spell from
day S reaches 13 weeks at the end of S+90 and 26 at the end of S+181. Cumulative weeks add spells across
employers and gaps, a day covered twice counting once; continuous weeks restart after any uncovered day. Work
counts from the later of enrolment and the contract's service start; a job that began before enrolment is
deadweight and never counts.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from chassis.dates import months_later
from contracts import pathway_steps
from reporting.outcomes.terms import Terms, employers_of

SUSTAINED = ("sustained_13_weeks", "sustained_26_weeks")
QUALIFICATIONS = ("qualification_achieved", "esol_level_2_achieved")


@dataclass(frozen=True)
class Enrolment:
    """A participant's first start (ESF: kept for ever) and the entry point then; prices and cohorts use it."""

    client_id: str
    enrolled_on: date
    entry_point: str


@dataclass(frozen=True)
class Achievement:
    """One metric achieved: on which day, on which day the evidence showed it, and the achievement's identity
    across contracts (the same job start or the same weeks are one achievement, whoever pays for them)."""

    metric: str
    achieved_on: date
    evidenced_on: date
    key: str


def work_of(milestone: str, detail: Mapping[str, Any], occurred_on: date) -> list[dict[str, Any]] | None:
    """The client's work record a milestone carries (None: it carries none). Milestones stored before the
    record existed: a 26/13-week confirmation carried its spells (evidence up to its date), a job start its job."""
    if detail.get("work") is not None:
        return list(detail["work"])
    if milestone in SUSTAINED and detail.get("spells"):
        return [_legacy_spell(s, occurred_on) for s in detail["spells"]]
    if milestone == "employment_started":
        return [_legacy_spell({**detail, "started_on": occurred_on.isoformat(), "ended_on": None}, occurred_on)]
    return None


def _legacy_spell(spell: Mapping[str, Any], evidenced: date) -> dict[str, Any]:
    end = spell.get("ended_on")
    return {"employer": spell.get("employer"), "employer_kind": spell.get("employer_kind") or
            ("nhs" if spell.get("nhs") else None), "nhs": bool(spell.get("nhs")), "basis": spell.get("basis"),
            "self_employed": bool(spell.get("self_employed")), "hours_per_week": spell.get("hours_per_week") or 0,
            "role": spell.get("role"), "started_on": spell["started_on"], "ended_on": end,
            "evidenced_until": spell.get("evidenced_until") or end or evidenced.isoformat(),
            "interim": bool(spell.get("interim"))}


def spell_counts(metric: Mapping[str, Any], spell: Mapping[str, Any]) -> bool:
    """Whether a spell is work of the kind the metric counts: interim care work and self-employment only where
    the metric says so; other jobs by employer kind and basis; every spell within the hours band."""
    if spell.get("interim"):
        if not metric["interim_care_work"]:
            return False
    elif spell.get("self_employed"):
        if not metric["self_employment"]:
            return False
    else:
        if not metric.get("employed_work", True):
            return False
        employers = employers_of(metric)
        if employers and spell.get("employer_kind") not in employers:
            return False
        if metric["employment_bases"] and spell.get("basis") not in metric["employment_bases"]:
            return False
    hours = float(spell.get("hours_per_week") or 0)
    if hours < float(metric["min_hours_per_week"]):
        return False
    high = metric["max_hours_per_week"]
    return high is None or hours < float(high)


def _periods(spells: Iterable[Mapping[str, Any]], from_day: date) -> list[tuple[date, date]]:
    """Merged, inclusive (first, last) periods covered by the spells from ``from_day`` on."""
    periods = []
    for spell in spells:
        start = max(date.fromisoformat(spell["started_on"]), from_day)
        last = date.fromisoformat(spell.get("ended_on") or spell.get("evidenced_until") or spell["started_on"])
        if last >= start:
            periods.append((start, last))
    merged: list[tuple[date, date]] = []
    for start, last in sorted(periods):
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((start, last))
    return merged


def day_reaching(periods: Sequence[tuple[date, date]], days: int, continuous: bool) -> date | None:
    """The day on which ``days`` covered days are reached (the last of them), or None."""
    done = 0
    for start, last in periods:
        length = (last - start).days + 1
        if continuous:
            if length >= days:
                return start + timedelta(days=days - 1)
            continue
        if done + length >= days:
            return start + timedelta(days=days - done - 1)
        done += length
    return None


def employment_achievements(metric: Mapping[str, Any], work: Sequence[Mapping[str, Any]], occurred_on: date,
                            enrolment: Enrolment, service_start: date, achieved: Mapping[str, Sequence[Any]]
                            ) -> list[Achievement]:
    """What a work record achieves for one employment metric, given what is ``achieved`` already (metric ->
    its outcomes, each with ``achieved_on`` and ``trigger``)."""
    counting = [s for s in work if spell_counts(metric,
                                                s) and date.fromisoformat(s["started_on"]) >= enrolment.enrolled_on]
    code = metric["code"]
    if metric["trigger"] == "employment_started":
        known = {o["trigger"] for o in achieved.get(code, ())}
        found = []
        for spell in sorted(counting, key=lambda s: (s["started_on"], bool(s.get("interim")), str(s.get("employer")))):
            key = f"job:{enrolment.client_id}:{spell['started_on']}:{'interim' if spell.get('interim') else 'main'}"
            start = date.fromisoformat(spell["started_on"])
            if key not in known:
                found.append(Achievement(code, start, max(start, occurred_on), key))
        return found
    if achieved.get(code):
        return []  # N weeks are reached once
    from_day = max(enrolment.enrolled_on, service_start)
    if metric["weeks_after"]:
        before = achieved.get(metric["weeks_after"])
        if not before:
            return []
        from_day = max(from_day, date.fromisoformat(str(before[0]["achieved_on"])) + timedelta(days=1))
    reached = day_reaching(_periods(counting, from_day), 7 * int(metric["weeks"]), metric["weeks_mode"] == "continuous")
    if reached is None:
        return []
    return [Achievement(code, reached, max(reached, occurred_on), f"weeks:{enrolment.client_id}:{metric['weeks']}")]


def milestone_achievements(metric: Mapping[str, Any], milestone: str, occurred_on: date, detail: Mapping[str, Any],
                           event_id: str) -> list[Achievement]:
    """What a milestone that is not about work achieves for one metric."""
    trigger, code = metric["trigger"], metric["code"]
    if trigger == "qualification_achieved":
        if milestone not in QUALIFICATIONS:
            return []
        kind, level = detail.get("kind") or "esol", detail.get("level") or "level_2"
        if pathway_steps.LEVELS.index(level) < pathway_steps.LEVELS.index(metric["qualification_level"]):
            return []
        if metric["qualification_kinds"] and kind not in metric["qualification_kinds"]:
            return []
        hours, least = detail.get("guided_learning_hours"), metric["min_guided_learning_hours"]
        if least is not None and (hours is None or int(hours) < int(least)):
            return []
        return [Achievement(code, occurred_on, occurred_on, f"qualification:{event_id}")]
    if trigger == "training_started":
        if milestone != "training_started" or (metric["training_kinds"] and detail.get("kind") not in
                                               metric["training_kinds"]):
            return []
        return [Achievement(code, occurred_on, occurred_on, f"training:{event_id}")]
    if milestone != trigger:
        return []
    return [Achievement(code, occurred_on, occurred_on, event_id)]


def achievements_of(terms: Terms, milestone: str, occurred_on: date, detail: Mapping[str, Any], event_id: str,
                    enrolment: Enrolment, regulator: str, achieved: Mapping[str, Sequence[Any]]
                    ) -> list[tuple[Achievement, int]]:
    """Every outcome this milestone achieves under the contract, with its occurrence, in the terms' order: what
    each metric counts, within the service period, cohort and window, up to its ``max_claims_per_participant``.
    ``achieved`` (metric -> outcomes so far) grows as we go, so a metric listed after another sees it."""
    work = work_of(milestone, detail, occurred_on)
    service_start = date.fromisoformat(str(terms.document["service_start"]))
    seen = {code: list(outcomes) for code, outcomes in achieved.items()}
    found: list[tuple[Achievement, int]] = []
    for metric in terms.metrics:
        code = metric["code"]
        if metric["trigger"] in ("employment_started", "sustained"):
            new = [] if work is None else employment_achievements(metric, work, occurred_on, enrolment, service_start,
                                                                  seen)
        else:
            new = milestone_achievements(metric, milestone, occurred_on, detail, event_id)
        for achievement in new:
            occurrence = len(seen.get(code, ())) + 1
            if occurrence > int(metric["max_claims_per_participant"]):
                break
            if not qualifies(terms, metric, achievement.achieved_on, enrolment, regulator):
                continue
            seen.setdefault(code, []).append({"achieved_on": achievement.achieved_on.isoformat(),
                                              "trigger": achievement.key})
            found.append((achievement, occurrence))
    return found


def qualifies(terms: Terms, metric: Mapping[str, Any], on: date, enrolment: Enrolment, regulator: str) -> bool:
    """The contract's period, the metric's cohort and its achievement window."""
    document = terms.document
    start, end = date.fromisoformat(str(document["service_start"])), date.fromisoformat(str(document["service_end"]))
    if not (start <= on <= end):
        return False
    if on < enrolment.enrolled_on:
        return False
    if metric["entry_points"] and enrolment.entry_point not in metric["entry_points"]:
        return False
    if metric["regulators"] and regulator not in metric["regulators"]:
        return False
    window = metric.get("achievement_window_months")
    return window is None or on <= months_later(enrolment.enrolled_on, int(window))
