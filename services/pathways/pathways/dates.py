"""Date arithmetic the pathway rules use, and the weeks of work a client has sustained."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Sequence

from pathways import rules


def counting_spells(spells: Sequence[dict[str, Any]], rule: rules.SustainmentRule) -> list[tuple[date, date | None]]:
    """The (start, end) of each employment spell that counts under ``rule`` (hours, NHS employer)."""
    counted = []
    for spell in spells:
        if spell["hours_per_week"] < rule.min_hours_per_week or (rule.nhs_only and not spell["nhs"]):
            continue
        counted.append((date.fromisoformat(spell["started_on"]),
                        date.fromisoformat(spell["ended_on"]) if spell.get("ended_on") else None))
    return counted


def weeks_sustained(spells: Sequence[dict[str, Any]], rule: rules.SustainmentRule, on: date) -> float:
    """Weeks of counting work up to ``on``: every spell summed (cumulative), or the longest unbroken run of
    spells that follow each other without a gap (continuous)."""
    periods = sorted((start, min(end or on, on)) for start, end in counting_spells(spells, rule) if start <= on)
    if rule.mode != "continuous":
        return sum((end - start).days for start, end in periods) / 7
    longest, run = 0, None
    for start, end in periods:
        if run is not None and start <= run[1] + timedelta(days=1):
            run = (run[0], max(run[1], end))
        else:
            run = (start, end)
        longest = max(longest, (run[1] - run[0]).days)
    return longest / 7


def date_reaching(spells: Sequence[dict[str, Any]], rule: rules.SustainmentRule, weeks: int) -> date | None:
    """The day the client reaches ``weeks`` of counting work if the current spell goes on (None: not employed
    in counting work now, or the weeks are already behind them)."""
    counted = counting_spells(spells, rule)
    current = [start for start, end in counted if end is None]
    if not current:
        return None
    start = current[-1]
    if rule.mode == "continuous":
        return start + timedelta(weeks=weeks)
    done = sum((end - s).days for s, end in counted if end is not None)
    remaining = weeks * 7 - done
    return start + timedelta(days=max(0, remaining))
