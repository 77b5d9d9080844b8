"""Regulator and programme rules as dated data: each decision uses the version in force on the step's date.

Every row names its source (``../shared/reference/domain-brief.md`` sections 2.1 for the regulators, 2.3 for
observerships and attachments, 2.5 for interim care work, 5.2 for sustainment; the regulators' own pages where the
brief cites them). A source ending in ``[verify]`` could not be confirmed against the regulator's primary text:
the row is the best reading we have, kept as data so that correcting it is a new row, not a code change.

Add a row with a new ``effective_from`` when a rule changes; never edit a row that decisions were already made
under. Every table reaches back to 2014 at least, so that a programme running from 2016 (USE-IT!) is judged under
rules in force for its whole window (``tests/unit/pathways/test_rules.py`` checks it). docs/pathways.md lists the
rows in prose.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from chassis.errors import RuleBroken

IELTS, OET = "IELTS_ACADEMIC", "OET"
SKILLS = ("listening", "reading", "writing", "speaking")
#: OET grades, worst to best (C+ sits between C and B; NMC accepts C+ in writing from 28 Jan 2020).
OET_GRADES = ("E", "D", "C", "C+", "B", "A")
#: The earliest date every table below covers: a step dated before it is refused (``rule_in_force``).
RULES_FROM = date(2014, 1, 1)

GMC_ENGLISH = "gmc-uk.org English language requirements (brief 2.1: IELTS 7.5/7.0 one sitting, most recent)"
NMC_ENGLISH = "nmc.org.uk accepted English language tests (brief 2.1)"
HCPC_ENGLISH = "hcpc-uk.org English language proficiency (brief 2.1; news 13 Nov 2024 for 29 Jan 2025)"
GPHC_ENGLISH = "pharmacyregulation.org English language guidance (brief 2.1)"


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
    source: str = ""


def _each(score: float | str, writing: float | str | None = None) -> dict[str, float | str]:
    return {skill: (writing if skill == "writing" and writing is not None else score) for skill in SKILLS}


ENGLISH = (
    EnglishRule("GMC", IELTS, date(2014, 6, 1), _each(7.0), overall=7.5, source=GMC_ENGLISH),
    EnglishRule("GMC", OET, date(2018, 2, 1), _each("B"), source=GMC_ENGLISH + "; OET Medicine from Feb 2018"),
    # Before 5 Dec 2018 (the whole USE-IT! window): IELTS 7.0 overall and in every part, one sitting.
    EnglishRule("NMC", IELTS, date(2014, 1, 1), _each(7.0), overall=7.0,
                source=NMC_ENGLISH + "; the pre-2018 thresholds go back at least to 2016 [verify the start date]"),
    EnglishRule("NMC", OET, date(2017, 11, 1), _each("B"), source=NMC_ENGLISH + "; OET accepted from 1 Nov 2017"),
    EnglishRule("NMC", IELTS, date(2018, 12, 5), _each(7.0, 6.5), overall=7.0, combine_within_days=183,
                combine_floor=0.5, source=NMC_ENGLISH + "; writing 6.5 and combined sittings within 6 months"),
    EnglishRule("NMC", OET, date(2018, 12, 5), _each("B"), combine_within_days=183, combine_floor=1,
                source=NMC_ENGLISH + "; combined sittings within 6 months"),
    EnglishRule("NMC", OET, date(2020, 1, 28), _each("B", "C+"), combine_within_days=183, combine_floor=1,
                source=NMC_ENGLISH + "; C+ in writing from 28 Jan 2020"),
    EnglishRule("NMC", IELTS, date(2023, 2, 1), _each(7.0, 6.5), overall=7.0, combine_within_days=366,
                combine_floor=0.5, source=NMC_ENGLISH + "; 12-month combining window from early 2023 [verify]"),
    EnglishRule("NMC", OET, date(2023, 2, 1), _each("B", "C+"), combine_within_days=366, combine_floor=1,
                source=NMC_ENGLISH + "; 12-month combining window from early 2023 [verify]"),
    EnglishRule("HCPC", IELTS, date(2014, 1, 1), _each(6.5), overall=7.0, source=HCPC_ENGLISH),
    EnglishRule("HCPC", IELTS, date(2014, 1, 1), _each(7.5), overall=8.0,
                professions=("speech_and_language_therapist",),
                source=HCPC_ENGLISH + "; speech and language therapists 8.0, no element below 7.5"),
    EnglishRule("HCPC", OET, date(2025, 1, 29), _each("B"), source=HCPC_ENGLISH + "; OET added from 29 Jan 2025"),
    EnglishRule("GPhC", IELTS, date(2014, 1, 1), _each(7.0), overall=7.0, source=GPHC_ENGLISH),
    EnglishRule("GPhC", OET, date(2014, 1, 1), _each("B"),
                source=GPHC_ENGLISH + "; OET Pharmacy grade B [verify the date OET was first accepted]"),
)

#: An English certificate counts for this long from its (earliest combined) sitting (every regulator here).
ENGLISH_VALID_YEARS = 2


@dataclass(frozen=True)
class ExamRule:
    """One regulator exam: its attempts, its prerequisite and the waits between sittings.

    ``per_application``: the attempts are counted within one registration application (NMC: when they are used
    up the application closes; a new application may sit again ``reapply_after_months`` after the last attempt).
    Otherwise they are counted over the whole route (PLAB: four per part, one extra granted after 12 months).
    """

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
    per_application: bool = False
    reapply_after_months: int | None = None
    #: the least number of calendar days between two sittings (0: none)
    min_days_between: int = 0
    source: str = ""


PLAB = "gmc-uk.org PLAB pages (brief 2.1: 4 attempts per part, one more after 12 months and clinical practice)"
NMC_TOC = "nmc.org.uk Test of Competence (brief 2.1)"
EXAMS = (
    ExamRule("PLAB1", date(2010, 1, 1), 4, None, None, needs_english=True, extra_attempts=1, source=PLAB),
    ExamRule("PLAB2", date(2010, 1, 1), 4, "PLAB1", 3, extra_attempts=1,
             source=PLAB + "; PLAB 2 within 3 years of PLAB 1"),
    ExamRule("PLAB2", date(2025, 3, 31), 4, "PLAB1", 2, extra_attempts=1,
             source=PLAB + "; PLAB 2 within 2 years of PLAB 1 from 31 Mar 2025"),
    # NMC: the CBT up to three times within one application, at least 10 days apart; then the application closes
    # and the test may be sat again six months later under a new application.
    ExamRule("CBT", date(2014, 1, 1), 3, None, None, per_application=True, reapply_after_months=6,
             min_days_between=10, source=NMC_TOC + "; three sittings per application, 10 days apart [verify]"),
    # OSCE: two sittings per application (a first and one resit) until April 2017, three since, at least ten
    # working days (14 calendar days) apart; the CBT first until the 2021 test let them be sat in any order.
    ExamRule("OSCE", date(2014, 1, 1), 2, "CBT", 2, per_application=True, reapply_after_months=6,
             min_days_between=14, source=NMC_TOC + "; one resit per application before April 2017 [verify]"),
    ExamRule("OSCE", date(2017, 4, 1), 3, "CBT", 2, per_application=True, reapply_after_months=6,
             min_days_between=14, source=NMC_TOC + "; a second resit since April 2017, 10 working days apart"),
    ExamRule("OSCE", date(2021, 8, 2), 3, None, None, per_application=True, reapply_after_months=6,
             min_days_between=14, source=NMC_TOC + " 2021: 'you can sit your CBT or OSCE in any order'"),
    ExamRule("GPHC_ASSESSMENT", date(2014, 1, 1), 3, None, None,
             source="pharmacyregulation.org registration assessment: three attempts"),
)

EXAMS_OF = {"GMC": ("PLAB1", "PLAB2"), "NMC": ("CBT", "OSCE"), "HCPC": (), "GPhC": ("GPHC_ASSESSMENT",)}

#: Registration sub-steps that are not exams, per regulator, in the order they must happen (applications are
#: steps of their own: ``registration_applied``).
STAGES_OF: dict[str, tuple[str, ...]] = {
    "GMC": (),
    "NMC": (),
    "HCPC": (),
    "GPhC": ("eligibility_confirmed", "ospap_started", "ospap_completed", "foundation_started",
             "foundation_completed"),
}


@dataclass(frozen=True)
class RegistrationRule:
    """How a regulator's register is joined: whether an application must be open when registration is granted,
    and what must come before an application may be made."""

    regulator: str
    effective_from: date
    application_required: bool
    apply_after: tuple[str, ...] = ()
    source: str = ""


REGISTRATION = (
    RegistrationRule("GMC", date(2010, 1, 1), False, ("PLAB2",),
                     source="gmc-uk.org: apply for registration with a licence once PLAB 2 is passed"),
    RegistrationRule("NMC", date(2014, 1, 1), False, (),
                     source="nmc.org.uk: the application opens the route; the ToC is sat within it"),
    RegistrationRule("HCPC", date(2014, 1, 1), True, (), source="hcpc-uk.org/apply/international (brief 2.1)"),
    RegistrationRule("GPhC", date(2014, 1, 1), False, ("GPHC_ASSESSMENT",),
                     source="pharmacyregulation.org: the application to register after the assessment, within 4 years"),
)
BLOCK_REASONS = ("attempts_exhausted", "validity_expired", "route_window_expired", "fitness_to_practise", "other")


@dataclass(frozen=True)
class GPhCRule:
    effective_from: date
    #: the whole route, application included, within this many years of starting OSPAP
    window_years: int
    foundation_weeks: int
    source: str = "pharmacyregulation.org: OSPAP, 52 weeks' foundation training, assessment, within 4 years"


GPHC = (GPhCRule(date(2014, 1, 1), 4, 52),)


@dataclass(frozen=True)
class PlacementRule:
    """Observerships, clinical attachments and work experience: unpaid, observer-only, and how long one may last."""

    kind: str
    effective_from: date
    max_weeks: int
    source: str = ""


PLACEMENTS = (
    PlacementRule("observership", date(2014, 1, 1), 8, "UHDB clinical attachments: up to 8 weeks (brief 2.3)"),
    PlacementRule("clinical_attachment", date(2014, 1, 1), 6,
                  "UHS clinical attachments: 6 weeks, citing Home Office guidance (brief 2.3)"),
    PlacementRule("work_experience", date(2014, 1, 1), 12, "programme rule: up to 12 weeks [assumption]"),
)
GATES = ("dbs", "occupational_health", "references", "id_documents", "induction", "english")


@dataclass(frozen=True)
class PlacementGates:
    """The checks a trust must have cleared before a placement of a kind starts there.

    A trust's own row beats the programme's default (``trust=None``); the latest ``effective_from`` on the
    placement's start date wins. Trusts differ (brief 2.3): the NHS Employment Check Standards' identity,
    criminal record and work health checks are the default for an observer; a trust that also asks for
    references, its induction or an English threshold says so in a row of its own.
    """

    trust: str | None
    kind: str
    effective_from: date
    gates: tuple[str, ...]
    source: str = ""


DEFAULT_GATES = ("dbs", "occupational_health", "id_documents")
PLACEMENT_GATES = (
    *(PlacementGates(None, kind, date(2014, 1, 1), DEFAULT_GATES,
                     "NHS Employment Check Standards for observers: identity, criminal record, work health (brief 2.3)")
      for kind in ("observership", "clinical_attachment", "work_experience")),
    # Sandwell and West Birmingham (the journal's trust): its Learning Works records the three checks above.
    *(PlacementGates("swbh-trust", kind, date(2017, 1, 1), DEFAULT_GATES, "USE-IT! journal 3 [assumption]")
      for kind in ("observership", "clinical_attachment", "work_experience")),
)


@dataclass(frozen=True)
class SustainmentRule:
    """The programme's own sustainment measure (its due dates; outcomes contracts count weeks their own way)."""

    effective_from: date
    mode: str  # "cumulative" or "continuous"
    min_hours_per_week: float
    nhs_only: bool
    source: str = "brief 5.2: O5, weeks cumulative across NHS employers at 16 hours or more"


SUSTAINMENT = (SustainmentRule(date(2014, 1, 1), "cumulative", 16.0, True),)

#: Care Certificate: its 15 standards within about the first 12 weeks of an interim care job (brief 2.5).
CARE_CERTIFICATE_WEEKS = 12

T = TypeVar("T", EnglishRule, ExamRule, GPhCRule, PlacementRule, SustainmentRule, RegistrationRule, PlacementGates)


def in_force(rules: Sequence[T], on: date, **match: object) -> T:
    """The rule with the latest effective_from on or before ``on`` among those matching ``match``; refused
    (``rule_in_force``) for a date before any version of it."""
    candidates = [r for r in rules if all(getattr(r, k) == v for k, v in match.items()) and r.effective_from <= on]
    if not candidates:
        raise RuleBroken("rule_in_force", f"no rule for {', '.join(map(str, match.values())) or 'this step'} was in"
                         f" force on {on.isoformat()} (rules cover {RULES_FROM.isoformat()} onwards)")
    return max(candidates, key=lambda r: r.effective_from)


def gates_for(trust: str, kind: str, on: date) -> tuple[str, ...]:
    """The checks ``trust`` needs cleared before a ``kind`` placement starting on ``on`` (its own row, else the
    programme's default)."""
    own = [r for r in PLACEMENT_GATES if r.trust == trust and r.kind == kind and r.effective_from <= on]
    if own:
        return max(own, key=lambda r: r.effective_from).gates
    return in_force([r for r in PLACEMENT_GATES if r.trust is None], on, kind=kind).gates


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
