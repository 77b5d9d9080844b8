"""Regulator and programme rules as dated data: each decision uses the version in force on the step's date.

Sources: ../shared/reference/domain-brief.md sections 2.1 (GMC, NMC, HCPC, GPhC), 2.3 (observerships and
attachments), 2.5 (interim care work) and 5.2 (sustainment). Add a row with a new ``effective_from`` when a
rule changes; never edit a row that decisions were already made under. Rows the brief marks [verify] say so.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Mapping, Sequence, TypeVar

IELTS, OET = "IELTS_ACADEMIC", "OET"
SKILLS = ("listening", "reading", "writing", "speaking")
#: OET grades, worst to best (C+ sits between C and B; NMC accepts C+ in writing from 28 Jan 2020).
OET_GRADES = ("E", "D", "C", "C+", "B", "A")


@dataclass(frozen=True)
class EnglishRule:
    """What one test must show for one regulator (and, optionally, only some of its professions).

    IELTS scores are bands (0-9, overall plus four skills); OET scores are grades per sub-test (no overall).
    ``combine_within_days``: two sittings of this test may be combined when taken that close together, each
    sitting reaching ``combine_floor`` below the target in every skill (None: one sitting only). Under GMC's
    rule the most recent sitting decides; this applies to every regulator here, per test.
    """

    regulator: str
    test: str
    effective_from: date
    minimum: Mapping[str, float | str]
    overall: float | None = None
    professions: tuple[str, ...] = ()
    combine_within_days: int | None = None
    combine_floor: float = 0.0


def _each(score: float | str, writing: float | str | None = None) -> dict[str, float | str]:
    return {skill: (writing if skill == "writing" and writing is not None else score) for skill in SKILLS}


ENGLISH = (
    EnglishRule("GMC", IELTS, date(2014, 6, 1), _each(7.0), overall=7.5),
    EnglishRule("GMC", OET, date(2018, 2, 1), _each("B")),
    EnglishRule("NMC", IELTS, date(2018, 12, 5), _each(7.0, 6.5), overall=7.0, combine_within_days=183,
                combine_floor=0.5),
    EnglishRule("NMC", OET, date(2018, 12, 5), _each("B"), combine_within_days=183, combine_floor=1),
    EnglishRule("NMC", OET, date(2020, 1, 28), _each("B", "C+"), combine_within_days=183, combine_floor=1),
    # NMC widened combining to 12 months in early 2023 [verify current]
    EnglishRule("NMC", IELTS, date(2023, 2, 1), _each(7.0, 6.5), overall=7.0, combine_within_days=366,
                combine_floor=0.5),
    EnglishRule("NMC", OET, date(2023, 2, 1), _each("B", "C+"), combine_within_days=366, combine_floor=1),
    EnglishRule("HCPC", IELTS, date(2014, 1, 1), _each(6.5), overall=7.0),
    EnglishRule("HCPC", IELTS, date(2014, 1, 1), _each(7.5), overall=8.0, professions=("speech_and_language_therapist",)),
    EnglishRule("HCPC", OET, date(2025, 1, 29), _each("B")),  # OET accepted from 29 Jan 2025
    EnglishRule("GPhC", IELTS, date(2014, 1, 1), _each(7.0), overall=7.0),
    EnglishRule("GPhC", OET, date(2014, 1, 1), _each("B")),
)

#: An English certificate counts for this long from its (earliest combined) sitting.
ENGLISH_VALID_YEARS = 2


@dataclass(frozen=True)
class ExamRule:
    exam: str
    effective_from: date
    attempts: int
    prerequisite: str | None
    #: a pass of the prerequisite counts for this many years (None: no limit)
    prerequisite_valid_years: int | None
    #: the English requirement must be met and its certificate valid on the exam day
    needs_english: bool = False
    #: extra attempts a regulator may grant after the limit (PLAB: one, after 12 months and clinical practice)
    extra_attempts: int = 0
    extra_after_months: int = 12


EXAMS = (
    ExamRule("PLAB1", date(2010, 1, 1), 4, None, None, needs_english=True, extra_attempts=1),
    ExamRule("PLAB2", date(2010, 1, 1), 4, "PLAB1", 3, extra_attempts=1),
    ExamRule("PLAB2", date(2025, 3, 31), 4, "PLAB1", 2, extra_attempts=1),  # PLAB 1 lasts 2 years from 31 Mar 2025
    ExamRule("CBT", date(2014, 1, 1), 3, None, None),
    ExamRule("OSCE", date(2014, 1, 1), 3, "CBT", 2),  # CBT validity [verify length]
    ExamRule("GPHC_ASSESSMENT", date(2014, 1, 1), 3, None, None),
)

EXAMS_OF = {"GMC": ("PLAB1", "PLAB2"), "NMC": ("CBT", "OSCE"), "HCPC": (), "GPhC": ("GPHC_ASSESSMENT",)}

#: Registration sub-steps that are not exams, per regulator, in the order they must happen.
STAGES_OF = {
    "GMC": (),
    "NMC": (),
    "HCPC": ("registration_applied",),
    "GPhC": ("eligibility_confirmed", "ospap_started", "ospap_completed", "foundation_started",
             "foundation_completed"),
}


@dataclass(frozen=True)
class GPhCRule:
    effective_from: date
    #: the whole route, application included, within this many years of starting OSPAP
    window_years: int
    foundation_weeks: int


GPHC = (GPhCRule(date(2014, 1, 1), 4, 52),)


@dataclass(frozen=True)
class PlacementRule:
    """Observerships and clinical attachments: unpaid, observer-only, gated by the trust's checks."""

    kind: str
    effective_from: date
    max_weeks: int
    gates: tuple[str, ...] = field(default=("dbs", "occupational_health", "references", "id_documents",
                                            "induction"))


PLACEMENTS = (
    PlacementRule("observership", date(2014, 1, 1), 8),        # UHDB: up to 8 weeks
    PlacementRule("clinical_attachment", date(2014, 1, 1), 6),  # UHS: 6 weeks, citing Home Office guidance
    PlacementRule("work_experience", date(2014, 1, 1), 12, ("dbs", "occupational_health", "id_documents")),
)
GATES = ("dbs", "occupational_health", "references", "id_documents", "induction", "english")


@dataclass(frozen=True)
class SustainmentRule:
    """Which work counts towards 13/26 weeks sustained, and whether the weeks must be continuous."""

    effective_from: date
    mode: str  # "cumulative" or "continuous"
    min_hours_per_week: float
    nhs_only: bool


SUSTAINMENT = (SustainmentRule(date(2014, 1, 1), "cumulative", 16.0, True),)

#: Care Certificate: its 15 standards within about the first 12 weeks of an interim care job.
CARE_CERTIFICATE_WEEKS = 12

T = TypeVar("T", EnglishRule, ExamRule, GPhCRule, PlacementRule, SustainmentRule)


def in_force(rules: Sequence[T], on: date, **match: object) -> T:
    """The rule with the latest effective_from on or before ``on`` among those matching ``match``."""
    candidates = [r for r in rules if all(getattr(r, k) == v for k, v in match.items()) and r.effective_from <= on]
    if not candidates:
        raise LookupError(f"no rule for {match} in force on {on}")
    return max(candidates, key=lambda r: r.effective_from)


def english_rule(regulator: str, test: str, on: date, profession: str | None) -> EnglishRule | None:
    """The rule for this test on this date, profession-specific where one exists; None if not accepted."""
    rows = [r for r in ENGLISH if r.regulator == regulator and r.test == test and r.effective_from <= on]
    special = [r for r in rows if profession in r.professions]
    chosen = special or [r for r in rows if not r.professions]
    return max(chosen, key=lambda r: r.effective_from) if chosen else None


def english_tests_of(regulator: str) -> tuple[str, ...]:
    return tuple(sorted({r.test for r in ENGLISH if r.regulator == regulator}))


def _rank(test: str, score: float | str) -> float:
    return float(OET_GRADES.index(str(score))) if test == OET else float(score)


def sitting_meets(rule: EnglishRule, scores: Mapping[str, float | str], floor: float = 0.0) -> bool:
    """Every skill (and the IELTS overall band) at the rule's minimum, less ``floor`` (for combining)."""
    if rule.overall is not None and float(scores["overall"]) < rule.overall - floor:
        return False
    return all(_rank(rule.test, scores[s]) >= _rank(rule.test, rule.minimum[s]) - floor for s in SKILLS)


def combined_meets(rule: EnglishRule, first: Mapping[str, float | str], second: Mapping[str, float | str]) -> bool:
    """Two sittings combined: the best of each skill meets the target, and each sitting is within the floor."""
    if rule.combine_within_days is None:
        return False
    if not (sitting_meets(rule, first, rule.combine_floor) and sitting_meets(rule, second, rule.combine_floor)):
        return False
    best = {s: max(first[s], second[s], key=lambda v: _rank(rule.test, v)) for s in SKILLS}
    if rule.overall is not None:
        best["overall"] = max(float(first["overall"]), float(second["overall"]))
    return sitting_meets(rule, best)
