"""Days and weeks of work, counted as the programme counts them (domain brief 7b).

A spell covers every day from its first to its last, both counted; an open spell is covered up to the last day
its continuation is evidenced (``evidenced_until``: its start, a confirmation). "N weeks in work" is 7·N covered
days: one spell from day S completes 13 weeks at the end of S+90 and 26 weeks at the end of S+181. A day covered
by two spells (a main job and interim care work) counts once.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from pathways.domain import rules


def covered_days(spells: Iterable[dict[str, Any]], until: date) -> set[date]:
    """Every day (up to ``until``) on which some spell was evidenced as worked."""
    days: set[date] = set()
    for spell in spells:
        start = date.fromisoformat(spell["started_on"])
        last = date.fromisoformat(spell.get("ended_on") or spell.get("evidenced_until") or spell["started_on"])
        for offset in range((min(last, until) - start).days + 1):
            days.add(start + timedelta(days=offset))
    return days


def days_worked(spells: Sequence[dict[str, Any]], on: date) -> int:
    """Days of any work by ``on`` (the floor a confirmation of N weeks must reach)."""
    return len(covered_days(spells, on))


def counting_spells(spells: Sequence[dict[str, Any]], rule: rules.SustainmentRule) -> list[dict[str, Any]]:
    """The main-job spells that count under the programme's own sustainment rule (hours, NHS employer)."""
    return [s for s in spells if s["hours_per_week"] >= rule.min_hours_per_week and (s["nhs"] or not rule.nhs_only)]


def date_reaching(spells: Sequence[dict[str, Any]], rule: rules.SustainmentRule, weeks: int) -> date | None:
    """The last day of the client's ``weeks``-th week of counting work if the current job goes on (None: not in
    counting work now, or reached already). Cumulative: the days of earlier counting spells are carried; continuous:
    the current run."""
    counted = counting_spells(spells, rule)
    current = [s for s in counted if s.get("ended_on") is None]
    if not current:
        return None
    start = date.fromisoformat(current[-1]["started_on"])
    done = 0 if rule.mode == "continuous" else len(covered_days([s for s in counted if s.get("ended_on")], start))
    if done >= weeks * 7:
        return None  # reached already, before this job
    return start + timedelta(days=weeks * 7 - done - 1)
