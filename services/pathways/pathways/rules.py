"""Regulator rules as dated data: each decision uses the version in force on the step's occurred_at date.

Sources: ../shared/reference/domain-brief.md section 2.1 (GMC, NMC, HCPC, GPhC). Add a row with a new
``effective_from`` when a rule changes; never edit a row that decisions were already made under.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence, TypeVar


@dataclass(frozen=True)
class EnglishRule:
    """IELTS Academic: an overall band and a minimum per skill (writing may differ), in one sitting or not."""

    regulator: str
    effective_from: date
    overall: float
    each: float
    writing: float
    one_sitting: bool


@dataclass(frozen=True)
class ExamRule:
    exam: str
    effective_from: date
    attempts: int
    prerequisite: str | None
    #: a pass of the prerequisite counts for this many years (None: no limit)
    prerequisite_valid_years: int | None


ENGLISH = (
    EnglishRule("GMC", date(2014, 6, 1), 7.5, 7.0, 7.0, True),
    EnglishRule("NMC", date(2018, 12, 5), 7.0, 7.0, 6.5, False),
    EnglishRule("HCPC", date(2014, 1, 1), 7.0, 6.5, 6.5, True),
    EnglishRule("GPhC", date(2014, 1, 1), 7.0, 7.0, 7.0, True),
)

EXAMS = (
    ExamRule("PLAB1", date(2010, 1, 1), 4, None, None),
    ExamRule("PLAB2", date(2010, 1, 1), 4, "PLAB1", 3),
    ExamRule("PLAB2", date(2025, 3, 31), 4, "PLAB1", 2),  # a PLAB 1 pass lasts 2 years from 31 Mar 2025
    ExamRule("CBT", date(2014, 1, 1), 3, None, None),
    ExamRule("OSCE", date(2014, 1, 1), 3, "CBT", 2),
)

EXAMS_OF = {"GMC": ("PLAB1", "PLAB2"), "NMC": ("CBT", "OSCE"), "HCPC": (), "GPhC": ()}

T = TypeVar("T", EnglishRule, ExamRule)


def in_force(rules: Sequence[T], on: date, **match: str) -> T:
    """The rule with the latest effective_from on or before ``on`` among those matching ``match``."""
    candidates = [r for r in rules if all(getattr(r, k) == v for k, v in match.items()) and r.effective_from <= on]
    if not candidates:
        raise LookupError(f"no rule for {match} in force on {on}")
    return max(candidates, key=lambda r: r.effective_from)


def english_met(rule: EnglishRule, sitting: dict) -> bool:
    skills = ("listening", "reading", "speaking")
    return (sitting["overall"] >= rule.overall and all(sitting[s] >= rule.each for s in skills)
            and sitting["writing"] >= rule.writing)
