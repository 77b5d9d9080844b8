"""Pathways domain: one client's route to one regulator's register and into work.

Step methods check their rule (under the dated rules in force on the step's ``occurred_at``) and raise
``StepRefused`` *before* triggering an event, because event bodies re-run on replay. Event names and fields
are a stored contract: see STYLE B5a before changing one (``class_version`` + upcaster + replay test).
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from chassis.dates import months_later, years_later
from chassis.errors import RuleBroken
from chassis.meta import ReplacedStateAggregate, TracedAggregate
from pathways.domain import rules
from pathways.domain.dates import days_worked
from pathways.domain.english import standing

PATHWAY_NAMESPACE = uuid.UUID("0b8f4a52-51f5-4f0e-9d62-6c3ad1a0c2b4")
#: Qualification levels of the English framework, lowest first (ESOL runs from pre-entry to Level 2).
LEVELS = ("pre_entry", "entry_1", "entry_2", "entry_3", "level_1", "level_2", "level_3", "level_4")
ESOL_LEVELS = LEVELS[:6]
EMPLOYER_KINDS = ("nhs", "independent_healthcare", "social_care", "other_public", "private", "voluntary")


#: What a change of route carries to the new pathway: the person's own record, not the old route's exams.
CARRIED = ("esol_level", "qualifications", "right_to_work_checked", "right_to_work_until",
           "right_to_work_restriction", "spells", "employed_since", "interim_since", "interim_jobs", "mentor_ref")


class StepRefused(RuleBroken):
    """Raised when a step is impossible on this pathway; ``rule`` names why. Nothing is stored."""


def _day(occurred_at: datetime) -> str:
    return occurred_at.date().isoformat()


_WORK_DEFAULTS = {"employer_kind": None, "basis": None, "self_employed": False, "evidenced_until": None}


def _new_spell(employer: str, employer_kind: str | None, nhs: bool, basis: str | None, self_employed: bool,
               hours_per_week: float, role: str, started_on: str) -> dict:
    return {"employer": employer, "employer_kind": employer_kind, "nhs": nhs, "basis": basis,
            "self_employed": self_employed, "hours_per_week": hours_per_week, "role": role, "started_on": started_on,
            "ended_on": None, "evidenced_until": started_on}


def _new_interim(employer: str, hours_per_week: float, started_on: str) -> dict:
    return {"employer": employer, "hours_per_week": hours_per_week, "started_on": started_on, "ended_on": None,
            "care_certificate_on": None, "evidenced_until": started_on}



def _last_ended(jobs: list[dict], occurred_at: datetime) -> list[dict]:
    """The jobs with the last one ended (and evidenced) on ``occurred_at``: a new list, the state is replaced."""
    return [*jobs[:-1], {**jobs[-1], "ended_on": _day(occurred_at), "evidenced_until": _day(occurred_at)}]

class Pathway(ReplacedStateAggregate):
    """One client's route to one regulator's register and into work.

    Invariants: one pathway per (client, regulator); the entry point at enrolment never changes; a closed
    pathway takes no steps; English is judged by the most recent sitting(s) under the rule in force; exams keep
    their attempt limits, prerequisites (passed earlier and still valid) and date order; registration needs
    valid English and the route's exams and stages; placements need the trust's gates, a named supervisor and
    a length within the limit; a job needs a right-to-work check valid on its start date (and a shortage
    occupation where permission is limited to those); one main job and one interim job at a time.
    """

    @staticmethod
    def create_id(client_id: UUID, regulator: str) -> UUID:
        return uuid.uuid5(PATHWAY_NAMESPACE, f"{client_id}:{regulator}")

    class Opened(TracedAggregate.Created):
        client_id: UUID
        regulator: str
        entry_point: str
        occurred_at: datetime
        profession: str | None
        carried_sittings: list
        carried: dict
        class_version = 3

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["profession"], state["carried_sittings"] = None, []  # v1 pathways predate both

        @staticmethod
        def upcast_v2_v3(state: dict) -> None:
            state["carried"] = {}  # v2 changes of route carried English sittings only

    @event(Opened)
    def __init__(self, client_id: UUID, regulator: str, entry_point: str, occurred_at: datetime,
                 profession: str | None = None, carried_sittings: list | None = None,
                 carried: dict | None = None) -> None:
        self.client_id, self.regulator, self.profession = client_id, regulator, profession
        self.entry_point_at_enrolment = self.entry_point = entry_point
        self.opened_at = occurred_at
        self.status = "open"
        self.closed_reason: str | None = None
        self.caseworker_id: str | None = None
        self.trusts: list[str] = []
        self.esol_level: str | None = None
        self.sittings: list[dict] = list(carried_sittings or [])
        self.english_met = False
        self.english_met_on: str | None = None
        self.english_expires_on: str | None = None
        self.english_test: str | None = None
        self.attempts: dict[str, int] = {}
        self.last_attempt_on: dict[str, str] = {}
        self.passed_on: dict[str, str] = {}
        self.extra_attempts: dict[str, int] = {}
        self.stages: dict[str, str] = {}
        self.gates: dict[str, dict[str, str]] = {}
        self.placements: dict[str, dict] = {}
        self.mentoring_sessions, self.mentoring_minutes = 0, 0
        self.right_to_work_checked = False
        self.right_to_work_until: str | None = None
        self.right_to_work_restriction = "none"
        self.offers: dict[str, dict] = {}
        self.spells: list[dict] = []
        self.employed_since: str | None = None
        self.interim_since: str | None = None
        self.interim_jobs: list[dict] = []
        self.sustained: dict[str, str] = {}
        self.registered = False
        self.registered_on: str | None = None
        self.applications: list[dict] = []
        self.application_attempts: dict[str, int] = {}
        self.blocked: str | None = None
        self.mentor_ref: str | None = None
        self.qualifications: list[dict] = []
        self.courses: dict[str, dict] = {}
        for name, value in (carried or {}).items():  # a change of route carries the person's own record
            if name in CARRIED:
                setattr(self, name, value)
        if self.sittings:
            self._apply_standing(standing(self.sittings, regulator, profession))

    def _ensure_open(self) -> None:
        if self.status == "closed":
            raise StepRefused("closed_pathway_takes_no_steps", "this pathway is closed")

    # -- people and organisations around the client ------------------------------------------------------
    @event("CaseworkerAssigned")
    def assign_caseworker(self, caseworker_id: str, occurred_at: datetime) -> None:
        self._ensure_open()
        self.caseworker_id = caseworker_id

    def place_with_trust(self, trust: str, occurred_at: datetime) -> None:
        """The hub places the client with a hospital trust, whose systems may then post this pathway's steps."""
        self._ensure_open()
        if trust in self.trusts:
            raise StepRefused("placed_once_per_trust", f"the client is already placed with {trust}")
        self._placed_with_trust(trust=trust, occurred_at=occurred_at)

    @event("PlacedWithTrust")
    def _placed_with_trust(self, trust: str, occurred_at: datetime) -> None:
        self.trusts = [*self.trusts, trust]

    # -- English: ESOL and IELTS/OET --------------------------------------------------------------------------
    def record_esol_result(self, level: str, components: dict, occurred_at: datetime,
                           guided_learning_hours: int | None = None) -> None:
        """An ESOL Skills for Life qualification: achieved at ``level`` only when every component was passed."""
        self._ensure_open()
        achieved = all(components.values())
        first_level_2 = achieved and level == "level_2" and self.esol_level != "level_2"
        self._esol_assessed(level=level, components=components, achieved=achieved, first_level_2=first_level_2,
                            guided_learning_hours=guided_learning_hours, occurred_at=occurred_at)

    class EsolAssessed(TracedAggregate.Event):
        level: str
        components: dict
        achieved: bool
        first_level_2: bool
        guided_learning_hours: int | None
        occurred_at: datetime
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["guided_learning_hours"] = None  # v1 results did not record the course's hours

    @event(EsolAssessed)
    def _esol_assessed(self, level: str, components: dict, achieved: bool, first_level_2: bool,
                       guided_learning_hours: int | None, occurred_at: datetime) -> None:
        if achieved and (self.esol_level is None or ESOL_LEVELS.index(level) > ESOL_LEVELS.index(self.esol_level)):
            self.esol_level = level
        if achieved:
            self.qualifications = [*self.qualifications, {
                "kind": "esol", "level": level, "on": _day(occurred_at), "guided_learning_hours": guided_learning_hours,
                "qualification_ref": None}]

    def record_qualification(self, kind: str, level: str, occurred_at: datetime,
                             guided_learning_hours: int | None = None,
                             qualification_ref: str | None = None) -> None:
        """A qualification other than an ESOL result (basic skills, functional skills, vocational, academic), at a
        level of the English framework, awarded on ``occurred_at`` (the certificate's date)."""
        self._ensure_open()
        if qualification_ref and any(q["qualification_ref"] == qualification_ref for q in self.qualifications):
            raise StepRefused("qualification_ref_unique", f"qualification {qualification_ref} is recorded already")
        self._qualification_achieved(kind=kind, level=level, guided_learning_hours=guided_learning_hours,
                                     qualification_ref=qualification_ref, occurred_at=occurred_at)

    @event("QualificationAchieved")
    def _qualification_achieved(self, kind: str, level: str, guided_learning_hours: int | None,
                                qualification_ref: str | None, occurred_at: datetime) -> None:
        self.qualifications = [*self.qualifications, {
            "kind": kind, "level": level, "on": _day(occurred_at), "guided_learning_hours": guided_learning_hours,
            "qualification_ref": qualification_ref}]

    def start_course(self, course_ref: str, kind: str, occurred_at: datetime, level: str | None = None,
                     guided_learning_hours: int | None = None) -> None:
        """An ESOL, IELTS/OET preparation, English or other training course started (the learning agreement is in
        place and the client has attended)."""
        self._ensure_open()
        if course_ref in self.courses:
            raise StepRefused("course_ref_unique", f"course {course_ref} was started already")
        self._course_started(course_ref=course_ref, kind=kind, level=level,
                             guided_learning_hours=guided_learning_hours, occurred_at=occurred_at)

    @event("CourseStarted")
    def _course_started(self, course_ref: str, kind: str, level: str | None, guided_learning_hours: int | None,
                        occurred_at: datetime) -> None:
        self.courses = {**self.courses, course_ref: {"kind": kind, "level": level, "started_on": _day(occurred_at),
                                                     "ended_on": None, "outcome": None}}

    def end_course(self, course_ref: str, outcome: str, occurred_at: datetime) -> None:
        self._ensure_open()
        course = self.courses.get(course_ref)
        if course is None or course["ended_on"] is not None:
            raise StepRefused("course_started_first", f"no course {course_ref} is running")
        if _day(occurred_at) < course["started_on"]:
            raise StepRefused("steps_in_date_order", "a course ends after it starts")
        self._course_ended(course_ref=course_ref, outcome=outcome, occurred_at=occurred_at)

    @event("CourseEnded")
    def _course_ended(self, course_ref: str, outcome: str, occurred_at: datetime) -> None:
        self.courses = {**self.courses, course_ref: {**self.courses[course_ref], "ended_on": _day(occurred_at),
                                                     "outcome": outcome}}

    def record_english_sitting(self, test: str, scores: dict, occurred_at: datetime) -> None:
        """An IELTS Academic or OET sitting (scores per skill; IELTS also overall). The most recent sitting of
        each test decides, alone or combined with the one before where the regulator allows it."""
        self._ensure_open()
        if test not in rules.english_tests_of(self.regulator) or \
                rules.english_rule(self.regulator, test, occurred_at.date(), self.profession) is None:
            raise StepRefused("english_test_accepted", f"{test} is not accepted by the {self.regulator} on this date")
        sitting = {"test": test, "on": _day(occurred_at), "scores": scores}
        after = standing([*self.sittings, sitting], self.regulator, self.profession)
        self._english_sat(test=test, scores=scores, met=after.met, first_met=after.met and not self.english_met,
                          rule_from=after.rule_from.isoformat() if after.rule_from else None,
                          met_on=after.met_on.isoformat() if after.met_on else None,
                          expires_on=after.expires_on.isoformat() if after.expires_on else None,
                          combined=after.combined, occurred_at=occurred_at)

    class EnglishSat(TracedAggregate.Event):
        test: str
        scores: dict
        met: bool
        first_met: bool
        rule_from: str | None
        met_on: str | None
        expires_on: str | None
        combined: bool
        occurred_at: datetime
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            # v1 sittings were IELTS only, judged alone, valid two years from the sitting
            met, on = state["met"], state["occurred_at"].date()
            state["met_on"] = on.isoformat() if met else None
            state["expires_on"] = years_later(on, rules.ENGLISH_VALID_YEARS).isoformat() if met else None
            state["combined"] = False

    @event(EnglishSat)
    def _english_sat(self, test: str, scores: dict, met: bool, first_met: bool, rule_from: str | None,
                     met_on: str | None, expires_on: str | None, combined: bool, occurred_at: datetime) -> None:
        self.sittings = [*self.sittings, {"test": test, "on": _day(occurred_at), "scores": scores}]
        self.english_met, self.english_met_on, self.english_expires_on = met, met_on, expires_on
        self.english_test = test if met else None

    def _apply_standing(self, found: Any) -> None:
        self.english_met = found.met
        self.english_met_on = found.met_on.isoformat() if found.met_on else None
        self.english_expires_on = found.expires_on.isoformat() if found.expires_on else None
        self.english_test = found.test

    def english_valid_on(self, day: date) -> bool:
        return bool(self.english_met and self.english_met_on and self.english_expires_on
                    and self.english_met_on <= day.isoformat() <= self.english_expires_on)

    # -- regulator exams and registration stages ---------------------------------------------------------
    def _ensure_not_blocked(self) -> None:
        if self.blocked is not None:
            raise StepRefused("registration_blocked", f"the route to the {self.regulator} register is blocked"
                              f" ({self.blocked}): change route or close the pathway")

    def record_exam_attempt(self, exam: str, passed: bool, occurred_at: datetime) -> None:
        self._ensure_open()
        self._ensure_not_blocked()
        if exam not in rules.EXAMS_OF[self.regulator]:
            raise StepRefused("exam_of_this_regulator", f"{exam} is not an exam of the {self.regulator} route")
        on = occurred_at.date()
        rule = rules.in_force(rules.EXAMS, on, exam=exam)
        if exam in self.passed_on:
            raise StepRefused("exam_passed_once", f"{exam} was already passed")
        last = self.last_attempt_on.get(exam)
        if last is not None and last > on.isoformat():
            raise StepRefused("steps_in_date_order", f"a later {exam} attempt is already recorded")
        if last is not None and (on - date.fromisoformat(last)).days < rule.min_days_between:
            raise StepRefused("exam_resit_interval", f"{exam} sittings are at least {rule.min_days_between} days apart")
        if rule.per_application:
            self._ensure_application_attempts(exam, rule, on)
        elif self.attempts.get(exam, 0) >= rule.attempts + self.extra_attempts.get(exam, 0):
            raise StepRefused("exam_attempt_limit", f"{exam} allows {rule.attempts} attempts"
                              + (" and the extra attempt granted" if self.extra_attempts.get(exam) else ""))
        if rule.needs_english and not self.english_valid_on(on):
            raise StepRefused("english_valid_on_exam_day",
                              f"{exam} needs the English requirement met with a certificate valid on the exam day")
        if rule.prerequisite is not None:
            passed_on = self.passed_on.get(rule.prerequisite)
            if passed_on is None or passed_on > on.isoformat():
                raise StepRefused("exam_prerequisite_passed", f"{exam} needs a {rule.prerequisite} pass first")
            if rule.prerequisite_valid_years and \
                    on > years_later(date.fromisoformat(passed_on), rule.prerequisite_valid_years):
                raise StepRefused("exam_prerequisite_valid", f"the {rule.prerequisite} pass is older than "
                                  f"{rule.prerequisite_valid_years} years on this date")
        if exam == "GPHC_ASSESSMENT":
            self._ensure_gphc_window(on, needs="foundation_completed")
        self._exam_attempted(exam=exam, passed=passed, attempt=self.attempts.get(exam, 0) + 1,
                             rule_from=rule.effective_from.isoformat(), occurred_at=occurred_at)

    def _ensure_application_attempts(self, exam: str, rule: rules.ExamRule, on: date) -> None:
        """Attempts counted within the current application: when they are used up, a new application made
        after the last attempt allows more, ``reapply_after_months`` after it (NMC)."""
        if self.application_attempts.get(exam, 0) < rule.attempts:
            return
        wait = rule.reapply_after_months or 0
        raise StepRefused("exam_attempt_limit", f"{exam} allows {rule.attempts} attempts within one application;"
                          f" a new application may sit it again {wait} months after the last attempt")

    @event("ExamAttempted")
    def _exam_attempted(self, exam: str, passed: bool, attempt: int, rule_from: str, occurred_at: datetime) -> None:
        self.application_attempts = {**self.application_attempts, exam: self.application_attempts.get(exam, 0) + 1}
        self.attempts = {**self.attempts, exam: attempt}
        self.last_attempt_on = {**self.last_attempt_on, exam: _day(occurred_at)}
        if passed:
            self.passed_on = {**self.passed_on, exam: _day(occurred_at)}

    def grant_extra_attempt(self, exam: str, ground: str, occurred_at: datetime) -> None:
        """The regulator grants an attempt beyond the limit: only after the limit is used, 12 months after the
        last attempt, on clinical practice or a postgraduate qualification (observerships do not count)."""
        self._ensure_open()
        on = occurred_at.date()
        rule = rules.in_force(rules.EXAMS, on, exam=exam) if exam in rules.EXAMS_OF[self.regulator] else None
        if rule is None or rule.extra_attempts == 0:
            raise StepRefused("extra_attempt_allowed", f"no extra attempt exists for {exam} on this route")
        if self.extra_attempts.get(exam, 0) >= rule.extra_attempts or self.attempts.get(exam, 0) < rule.attempts:
            raise StepRefused("extra_attempt_allowed", f"an extra {exam} attempt follows the {rule.attempts} "
                              "attempts allowed, once")
        if on < months_later(date.fromisoformat(self.last_attempt_on[exam]), rule.extra_after_months):
            raise StepRefused("extra_attempt_allowed", f"an extra {exam} attempt needs {rule.extra_after_months}"
                              " months since the last attempt")
        self._extra_attempt_granted(exam=exam, ground=ground, occurred_at=occurred_at)

    @event("ExtraAttemptGranted")
    def _extra_attempt_granted(self, exam: str, ground: str, occurred_at: datetime) -> None:
        self.extra_attempts = {**self.extra_attempts, exam: self.extra_attempts.get(exam, 0) + 1}
        if self.blocked == "attempts_exhausted":
            self.blocked = None  # the regulator's grant reopens a route blocked by the attempt limit

    def reach_stage(self, stage: str, occurred_at: datetime) -> None:
        """A registration sub-step that is not an exam (the GPhC route), in its order; ``registration_applied``
        is an application (``apply_for_registration``) on every route."""
        if stage == "registration_applied":
            self.apply_for_registration(occurred_at)
            return
        self._ensure_open()
        self._ensure_not_blocked()
        order = rules.STAGES_OF[self.regulator]
        if stage not in order:
            raise StepRefused("stage_of_this_regulator", f"{stage} is not a step of the {self.regulator} route")
        if stage in self.stages:
            raise StepRefused("stage_reached_once", f"{stage} was already recorded")
        on = occurred_at.date()
        before = order[:order.index(stage)]
        if any(s not in self.stages or self.stages[s] > on.isoformat() for s in before):
            raise StepRefused("stages_in_order", f"{stage} comes after {', '.join(before)}")
        if self.regulator == "GPhC" and stage != "eligibility_confirmed" and stage != "ospap_started":
            self._ensure_gphc_window(on)
        if stage == "foundation_completed":
            weeks = rules.in_force(rules.GPHC, on).foundation_weeks
            if on < date.fromisoformat(self.stages["foundation_started"]) + timedelta(weeks=weeks):
                raise StepRefused("foundation_training_length", f"foundation training lasts {weeks} weeks")
        self._stage_reached(stage=stage, occurred_at=occurred_at)

    @event("StageReached")
    def _stage_reached(self, stage: str, occurred_at: datetime) -> None:
        self.stages = {**self.stages, stage: _day(occurred_at)}

    def _ensure_gphc_window(self, on: date, needs: str | None = None) -> None:
        if needs and needs not in self.stages:
            raise StepRefused("stages_in_order", f"the registration assessment comes after {needs}")
        started = self.stages.get("ospap_started")
        if started is not None:
            years = rules.in_force(rules.GPHC, on).window_years
            if on > years_later(date.fromisoformat(started), years):
                raise StepRefused("gphc_route_window", f"the GPhC route must be completed within {years} years"
                                  " of starting OSPAP")

    @property
    def application_open(self) -> bool:
        return bool(self.applications and self.applications[-1]["status"] == "open") or \
            "registration_applied" in self.stages  # v1 HCPC applications were stages

    def apply_for_registration(self, occurred_at: datetime, application_ref: str | None = None) -> None:
        """An application to the regulator's register. The route's earlier steps come first (GMC: PLAB 2 passed;
        GPhC: the registration assessment); one application is open at a time; after a refusal, or when the
        NMC's attempts within one application are used up, a new application may be made."""
        self._ensure_open()
        self._ensure_not_blocked()
        if self.registered:
            raise StepRefused("registered_once", "already registered")
        on = occurred_at.date()
        rule = rules.in_force(rules.REGISTRATION, on, regulator=self.regulator)
        before = [step for step in rule.apply_after if step not in self.passed_on and step not in self.stages]
        if before:
            raise StepRefused("application_after_route_steps", f"an application to the {self.regulator} comes after"
                              f" {', '.join(before)}")
        exhausted = self._attempts_exhausted(on)
        if self.application_open and not exhausted:
            raise StepRefused("one_application_at_a_time", "an application to the regulator is open already")
        if exhausted:
            rule_of, last = exhausted
            wait_until = months_later(date.fromisoformat(last), rule_of.reapply_after_months or 0)
            if on < wait_until:
                raise StepRefused("reapplication_wait", f"after {rule_of.attempts} {rule_of.exam} attempts a new "
                                  f"application may be made from {wait_until.isoformat()}")
        if self.applications and self.applications[-1]["applied_on"] > on.isoformat():
            raise StepRefused("steps_in_date_order", "a later application is already recorded")
        self._registration_applied(application_ref=application_ref, occurred_at=occurred_at)

    def _attempts_exhausted(self, on: date) -> tuple[rules.ExamRule, str] | None:
        """The exam whose attempts within the current application are used up (NMC), with its last attempt."""
        for exam in rules.EXAMS_OF[self.regulator]:
            rule = rules.in_force(rules.EXAMS, on, exam=exam)
            if rule.per_application and exam not in self.passed_on and \
                    self.application_attempts.get(exam, 0) >= rule.attempts:
                return rule, self.last_attempt_on[exam]
        return None

    @event("RegistrationApplied")
    def _registration_applied(self, application_ref: str | None, occurred_at: datetime) -> None:
        self.applications = [*[{**a, "status": "closed"} if a["status"] == "open" else a for a in self.applications],
                             {"application_ref": application_ref, "applied_on": _day(occurred_at), "status": "open",
                              "decided_on": None, "reason": None}]
        self.application_attempts = {}

    def refuse_registration(self, reason: str, occurred_at: datetime) -> None:
        """The regulator refused the application (the route stays open: the client may apply again)."""
        self._ensure_open()
        if self.registered:
            raise StepRefused("registered_once", "already registered")
        if not self.application_open:
            raise StepRefused("application_open", "no application to the regulator is open")
        self._registration_refused(reason=reason, occurred_at=occurred_at)

    @event("RegistrationRefused")
    def _registration_refused(self, reason: str, occurred_at: datetime) -> None:
        if self.applications:
            self.applications = [*self.applications[:-1], {**self.applications[-1], "status": "refused",
                                                            "decided_on": _day(occurred_at), "reason": reason}]
        self.stages = {k: v for k, v in self.stages.items() if k != "registration_applied"}

    def block_registration(self, reason: str, occurred_at: datetime) -> None:
        """The route to this register is blocked (attempts exhausted, a validity or route window expired, a
        fitness-to-practise decision): no more exams, applications or registration on it; an extra attempt the
        regulator grants reopens a route blocked by the attempt limit."""
        self._ensure_open()
        if self.registered:
            raise StepRefused("registered_once", "already registered")
        self._ensure_not_blocked()
        self._registration_blocked(reason=reason, occurred_at=occurred_at)

    @event("RegistrationBlocked")
    def _registration_blocked(self, reason: str, occurred_at: datetime) -> None:
        self.blocked = reason

    def grant_registration(self, occurred_at: datetime) -> None:
        self._ensure_open()
        if self.registered:
            raise StepRefused("registered_once", "already registered")
        self._ensure_not_blocked()
        on = occurred_at.date()
        missing = [exam for exam in rules.EXAMS_OF[self.regulator] if exam not in self.passed_on]
        missing += [stage for stage in rules.STAGES_OF[self.regulator] if stage not in self.stages]
        if rules.in_force(rules.REGISTRATION, on, regulator=self.regulator).application_required and \
                not self.application_open:
            missing.append("registration_applied")
        if not self.english_valid_on(on) or missing:
            raise StepRefused("registration_requirements",
                              "registration needs the English requirement met with a valid certificate" +
                              (f" and {', '.join(missing)}" if missing else ""))
        if self.regulator == "GPhC":
            self._ensure_gphc_window(on)
        self._registered(occurred_at=occurred_at)

    @event("Registered")
    def _registered(self, occurred_at: datetime) -> None:
        self.registered, self.registered_on = True, _day(occurred_at)
        if self.applications and self.applications[-1]["status"] == "open":
            self.applications = [*self.applications[:-1], {**self.applications[-1], "status": "granted",
                                                            "decided_on": _day(occurred_at)}]

    # -- clinical exposure and mentoring -----------------------------------------------------------------
    def clear_gate(self, trust: str, gate: str, occurred_at: datetime) -> None:
        """A trust's pre-placement check passed (DBS, occupational health, references, ID, induction, English)."""
        self._ensure_open()
        self._gate_cleared(trust=trust, gate=gate, occurred_at=occurred_at)

    @event("GateCleared")
    def _gate_cleared(self, trust: str, gate: str, occurred_at: datetime) -> None:
        self.gates = {**self.gates, trust: {**self.gates.get(trust, {}), gate: _day(occurred_at)}}

    def offer_placement(self, placement_ref: str, kind: str, trust: str, weeks: int, starts_on: date,
                        supervisor_ref: str | None, occurred_at: datetime) -> None:
        self._ensure_open()
        if placement_ref in self.placements:
            raise StepRefused("placement_ref_unique", f"placement {placement_ref} already exists")
        limit = rules.in_force(rules.PLACEMENTS, starts_on, kind=kind).max_weeks
        if weeks > limit:
            raise StepRefused("placement_time_limit", f"a {kind.replace('_', ' ')} lasts at most {limit} weeks")
        self._placement_offered(placement_ref=placement_ref, kind=kind, trust=trust, weeks=weeks,
                                starts_on=starts_on.isoformat(), supervisor_ref=supervisor_ref,
                                occurred_at=occurred_at)

    @event("PlacementOffered")
    def _placement_offered(self, placement_ref: str, kind: str, trust: str, weeks: int, starts_on: str,
                           supervisor_ref: str | None, occurred_at: datetime) -> None:
        self.placements = {**self.placements, placement_ref: {
            "kind": kind, "trust": trust, "weeks": weeks, "starts_on": starts_on, "supervisor_ref": supervisor_ref,
            "status": "offered", "started_on": None, "ended_on": None}}

    def start_placement(self, placement_ref: str, supervisor_ref: str | None, occurred_at: datetime) -> None:
        self._ensure_open()
        placement = self._placement(placement_ref, "offered")
        supervisor = supervisor_ref or placement["supervisor_ref"]
        if not supervisor:
            raise StepRefused("named_supervisor_before_placement", "name the supervising consultant first")
        required = rules.gates_for(placement["trust"], placement["kind"], occurred_at.date())
        missing = [gate for gate in required if gate not in self.gates.get(placement["trust"], {})]
        if missing:
            raise StepRefused("placement_gates_cleared", f"{placement['trust']} has not cleared: {', '.join(missing)}",
                              missing=missing)
        self._placement_started(placement_ref=placement_ref, supervisor_ref=supervisor, occurred_at=occurred_at)

    @event("PlacementStarted")
    def _placement_started(self, placement_ref: str, supervisor_ref: str, occurred_at: datetime) -> None:
        placement = {**self.placements[placement_ref], "status": "started", "started_on": _day(occurred_at),
                     "supervisor_ref": supervisor_ref}
        self.placements = {**self.placements, placement_ref: placement}

    def end_placement(self, placement_ref: str, outcome: str, occurred_at: datetime) -> None:
        """``completed`` or ``ended_early`` after a start; ``withdrawn`` before one."""
        self._ensure_open()
        wanted = "offered" if outcome == "withdrawn" else "started"
        placement = self._placement(placement_ref, wanted)
        if placement["started_on"] and _day(occurred_at) < placement["started_on"]:
            raise StepRefused("steps_in_date_order", "a placement ends after it starts")
        self._placement_ended(placement_ref=placement_ref, outcome=outcome, occurred_at=occurred_at)

    @event("PlacementEnded")
    def _placement_ended(self, placement_ref: str, outcome: str, occurred_at: datetime) -> None:
        self.placements = {**self.placements, placement_ref: {
            **self.placements[placement_ref], "status": outcome, "ended_on": _day(occurred_at)}}

    def _placement(self, placement_ref: str, status: str) -> dict:
        placement = self.placements.get(placement_ref)
        if placement is None:
            raise StepRefused("placement_offered_first", f"no placement {placement_ref} was offered")
        if placement["status"] != status:
            raise StepRefused("placement_status", f"placement {placement_ref} is {placement['status']}")
        return placement

    def assign_mentor(self, mentor_ref: str, occurred_at: datetime) -> None:
        """A mentor (a clinician of the profession, by reference) is assigned; sessions name them by default."""
        self._ensure_open()
        if mentor_ref == self.mentor_ref:
            raise StepRefused("mentor_changes", f"{mentor_ref} is the client's mentor already")
        self._mentor_assigned(mentor_ref=mentor_ref, occurred_at=occurred_at)

    @event("MentorAssigned")
    def _mentor_assigned(self, mentor_ref: str, occurred_at: datetime) -> None:
        self.mentor_ref = mentor_ref

    def record_mentoring(self, mentor_ref: str | None, minutes: int, occurred_at: datetime) -> None:
        """A mentoring session, with the mentor it names or else the mentor assigned."""
        self._ensure_open()
        mentor = mentor_ref or self.mentor_ref
        if mentor is None:
            raise StepRefused("mentor_named", "name the mentor, or assign one first")
        self._mentoring_recorded(mentor_ref=mentor, minutes=minutes, occurred_at=occurred_at)

    @event("MentoringRecorded")
    def _mentoring_recorded(self, mentor_ref: str, minutes: int, occurred_at: datetime) -> None:
        self.mentoring_sessions, self.mentoring_minutes = self.mentoring_sessions + 1, self.mentoring_minutes + minutes

    # -- right to work, offers and jobs ------------------------------------------------------------------
    def record_right_to_work_check(self, valid_until: date | None, occurred_at: datetime,
                                   restriction: str = "none") -> None:
        self._ensure_open()
        self._right_to_work_checked(valid_until=valid_until.isoformat() if valid_until else None,
                                    restriction=restriction, occurred_at=occurred_at)

    class RightToWorkChecked(TracedAggregate.Event):
        valid_until: str | None
        restriction: str
        occurred_at: datetime
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["restriction"] = "none"  # v1 checks recorded unrestricted permission only

    @event(RightToWorkChecked)
    def _right_to_work_checked(self, valid_until: str | None, restriction: str, occurred_at: datetime) -> None:
        self.right_to_work_checked, self.right_to_work_until = True, valid_until
        self.right_to_work_restriction = restriction

    def _ensure_right_to_work(self, on: date, shortage_occupation: bool) -> None:
        if not self.right_to_work_checked or (
                self.right_to_work_until is not None and self.right_to_work_until < on.isoformat()):
            raise StepRefused("right_to_work_before_employment",
                              "a right-to-work check valid on the start date must come before a job starts")
        if self.right_to_work_restriction == "shortage_occupations_only" and not shortage_occupation:
            raise StepRefused("right_to_work_restriction",
                              "this client's permission to work covers shortage occupations only")

    def offer_job(self, offer_ref: str, employer: str, nhs: bool, role: str, conditional: bool,
                  occurred_at: datetime) -> None:
        self._ensure_open()
        if offer_ref in self.offers:
            raise StepRefused("offer_ref_unique", f"job offer {offer_ref} already exists")
        self._job_offered(offer_ref=offer_ref, employer=employer, nhs=nhs, role=role, conditional=conditional,
                          occurred_at=occurred_at)

    @event("JobOffered")
    def _job_offered(self, offer_ref: str, employer: str, nhs: bool, role: str, conditional: bool,
                     occurred_at: datetime) -> None:
        self.offers = {**self.offers, offer_ref: {"employer": employer, "nhs": nhs, "role": role,
                                                  "status": "open", "offered_on": _day(occurred_at)}}

    def withdraw_job_offer(self, offer_ref: str, occurred_at: datetime) -> None:
        self._ensure_open()
        if self.offers.get(offer_ref, {}).get("status") != "open":
            raise StepRefused("job_offer_open", f"no open job offer {offer_ref}")
        self._job_offer_withdrawn(offer_ref=offer_ref, occurred_at=occurred_at)

    @event("JobOfferWithdrawn")
    def _job_offer_withdrawn(self, offer_ref: str, occurred_at: datetime) -> None:
        self.offers = {**self.offers, offer_ref: {**self.offers[offer_ref], "status": "withdrawn"}}

    # Work: each spell (a main job or an interim care job) carries the last day its continuation is evidenced
    # (its start, a confirmation, its end). Every event that changes the work record carries the whole record
    # after it (``work``), so that each outcomes contract counts weeks its own way from one message alone.
    def work(self, spells: list[dict] | None = None, interim_jobs: list[dict] | None = None) -> list[dict]:
        """The client's work record: main jobs and interim care jobs, in a shape outcomes contracts read."""
        record = [{**_WORK_DEFAULTS, **spell,
                   "interim": False} for spell in (self.spells if spells is None else spells)]
        for job in self.interim_jobs if interim_jobs is None else interim_jobs:
            record.append({**_WORK_DEFAULTS, "employer": job["employer"], "employer_kind": "social_care", "nhs": False,
                           "hours_per_week": job.get("hours_per_week"), "role": "health_care_assistant",
                           "started_on": job["started_on"], "ended_on": job["ended_on"],
                           "evidenced_until": job.get("evidenced_until") or job["ended_on"] or job["started_on"],
                           "interim": True})
        for spell in record:
            spell["evidenced_until"] = spell["evidenced_until"] or spell["ended_on"] or spell["started_on"]
        return sorted(record, key=lambda spell: (spell["started_on"], spell["interim"]))

    def start_employment(self, employer: str, nhs: bool, hours_per_week: float, role: str, occurred_at: datetime,
                         shortage_occupation: bool = False, employer_kind: str | None = None,
                         basis: str | None = None, self_employed: bool = False) -> None:
        self._ensure_open()
        if self.employed_since is not None:
            raise StepRefused("one_employment_spell_at_a_time", "end the current job before starting another")
        if self.spells and self.spells[-1]["ended_on"] > _day(occurred_at):
            raise StepRefused("steps_in_date_order", "a job starts after the previous one ended")
        self._ensure_right_to_work(occurred_at.date(), shortage_occupation)
        if self_employed and self.right_to_work_restriction != "none":
            raise StepRefused("right_to_work_restriction", "permission limited to shortage occupations does not"
                              " cover self-employment")
        kind = employer_kind or ("nhs" if nhs else None)
        spell = _new_spell(employer, kind, nhs, basis, self_employed, hours_per_week, role, _day(occurred_at))
        self._employment_started(employer=employer, nhs=nhs, hours_per_week=hours_per_week, role=role,
                                 shortage_occupation=shortage_occupation, employer_kind=kind, basis=basis,
                                 self_employed=self_employed, work=self.work([*self.spells, spell]),
                                 occurred_at=occurred_at)

    class EmploymentStarted(TracedAggregate.Event):
        employer: str
        nhs: bool
        hours_per_week: float
        role: str
        shortage_occupation: bool
        employer_kind: str | None
        basis: str | None
        self_employed: bool
        work: list | None
        occurred_at: datetime
        class_version = 3

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["shortage_occupation"] = False

        @staticmethod
        def upcast_v2_v3(state: dict) -> None:
            # v2 jobs named NHS or not; the kind of employer, the basis and the work record came with v3
            state["employer_kind"] = "nhs" if state["nhs"] else None
            state["basis"], state["self_employed"], state["work"] = None, False, None

    @event(EmploymentStarted)
    def _employment_started(self, employer: str, nhs: bool, hours_per_week: float, role: str,
                            shortage_occupation: bool, employer_kind: str | None, basis: str | None,
                            self_employed: bool, work: list | None, occurred_at: datetime) -> None:
        self.employed_since = _day(occurred_at)
        self.spells = [*self.spells, _new_spell(employer, employer_kind, nhs, basis, self_employed, hours_per_week,
                                                role, self.employed_since)]

    def end_employment(self, occurred_at: datetime) -> None:
        """The job ended; ``occurred_at`` is its last day (both the first and the last day are days worked)."""
        self._ensure_open()
        if self.employed_since is None:
            raise StepRefused("employment_ends_after_it_starts", "there is no current job to end")
        if _day(occurred_at) < self.employed_since:
            raise StepRefused("employment_ends_after_it_starts", "a job ends after it starts")
        ended = _last_ended(self.spells, occurred_at)
        self._employment_ended(work=self.work(ended), occurred_at=occurred_at)

    class EmploymentEnded(TracedAggregate.Event):
        work: list | None
        occurred_at: datetime
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["work"] = None

    @event(EmploymentEnded)
    def _employment_ended(self, work: list | None, occurred_at: datetime) -> None:
        self.employed_since = None
        self.spells = _last_ended(self.spells, occurred_at)

    def confirm_employment(self, job: str, evidence: str, occurred_at: datetime) -> None:
        """Evidence (a payslip, payroll, an employer's letter) that the client was still in the current main job
        (or interim job) on ``occurred_at``: the weeks it covers count from this message on."""
        self._ensure_open()
        current = self.employed_since if job == "main" else self.interim_since
        if current is None or current > _day(occurred_at):
            raise StepRefused("employment_current", f"no {job} job was current on this date")
        spells, interim = self._evidenced(_day(occurred_at), main=job == "main", interim=job == "interim")
        self._employment_confirmed(job=job, evidence=evidence, work=self.work(spells, interim),
                                   occurred_at=occurred_at)

    @event("EmploymentConfirmed")
    def _employment_confirmed(self, job: str, evidence: str, work: list, occurred_at: datetime) -> None:
        self.spells, self.interim_jobs = self._evidenced(_day(occurred_at), main=job == "main",
                                                         interim=job == "interim")

    def _evidenced(self, day: str, main: bool, interim: bool) -> tuple[list[dict], list[dict]]:
        """The spells with the current ones evidenced up to ``day``."""
        def extend(items: list[dict]) -> list[dict]:
            return [{**item, "evidenced_until": max(day, item.get("evidenced_until") or item["started_on"])}
                    if item["ended_on"] is None and item["started_on"] <= day else item for item in items]
        return ((extend(self.spells) if main else self.spells),
                (extend(self.interim_jobs) if interim else self.interim_jobs))

    def confirm_sustainment(self, weeks: int, occurred_at: datetime) -> None:
        """Evidence (payslips, payroll) that the client has worked ``weeks`` weeks by this date, in any work:
        each outcomes contract then counts the weeks its own way (employer, hours, continuous or cumulative)."""
        self._ensure_open()
        key = f"{weeks}_weeks"
        if key in self.sustained:
            raise StepRefused("sustainment_confirmed_once", f"{weeks} weeks were already confirmed")
        if weeks == 26 and "13_weeks" not in self.sustained:
            raise StepRefused("sustainment_in_order", "confirm 13 weeks before 26")
        on = occurred_at.date()
        spells, interim = self._evidenced(on.isoformat(), main=True, interim=True)
        work = self.work(spells, interim)
        counted = days_worked(work, on) / 7
        if counted < weeks:
            raise StepRefused("sustainment_reached", f"{counted:.1f} weeks of work by this date; {weeks} needed")
        rule = rules.in_force(rules.SUSTAINMENT, on)
        self._sustained(weeks=weeks, weeks_counted=round(counted, 2), mode="cumulative",
                        rule_from=rule.effective_from.isoformat(), spells=work, occurred_at=occurred_at)

    @event("Sustained")
    def _sustained(self, weeks: int, weeks_counted: float, mode: str, rule_from: str, spells: list,
                   occurred_at: datetime) -> None:
        """``spells``: the whole work record so far, so that each outcomes contract can count the weeks its own
        way (employer, hours, continuous or cumulative) from this evidence alone."""
        self.sustained = {**self.sustained, f"{weeks}_weeks": _day(occurred_at)}
        self.spells, self.interim_jobs = self._evidenced(_day(occurred_at), main=True, interim=True)

    def start_interim_job(self, employer: str, hours_per_week: float, occurred_at: datetime,
                          shortage_occupation: bool = True) -> None:
        """Interim work as a health care assistant in social care, in parallel with training."""
        self._ensure_open()
        if self.interim_since is not None:
            raise StepRefused("one_interim_job_at_a_time", "end the current interim job first")
        if self.interim_jobs and (self.interim_jobs[-1]["ended_on"] or "") > _day(occurred_at):
            raise StepRefused("steps_in_date_order", "an interim job starts after the previous one ended")
        self._ensure_right_to_work(occurred_at.date(), shortage_occupation)
        job = _new_interim(employer, hours_per_week, _day(occurred_at))
        self._interim_job_started(employer=employer, hours_per_week=hours_per_week,
                                  work=self.work(interim_jobs=[*self.interim_jobs, job]), occurred_at=occurred_at)

    class InterimJobStarted(TracedAggregate.Event):
        employer: str
        hours_per_week: float
        work: list | None
        occurred_at: datetime
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["work"] = None

    @event(InterimJobStarted)
    def _interim_job_started(self, employer: str, hours_per_week: float, work: list | None,
                             occurred_at: datetime) -> None:
        self.interim_since = _day(occurred_at)
        self.interim_jobs = [*self.interim_jobs, _new_interim(employer, hours_per_week, self.interim_since)]

    def complete_care_certificate(self, occurred_at: datetime) -> None:
        self._ensure_open()
        if not self.interim_jobs or self.interim_jobs[-1]["care_certificate_on"]:
            raise StepRefused("care_certificate_in_interim_job", "record an interim care job first (once)")
        self._care_certificate_completed(occurred_at=occurred_at)

    @event("CareCertificateCompleted")
    def _care_certificate_completed(self, occurred_at: datetime) -> None:
        self.interim_jobs = [*self.interim_jobs[:-1],
                             {**self.interim_jobs[-1], "care_certificate_on": _day(occurred_at)}]

    def end_interim_job(self, occurred_at: datetime) -> None:
        self._ensure_open()
        if self.interim_since is None or _day(occurred_at) < self.interim_since:
            raise StepRefused("interim_job_ends_after_it_starts", "there is no interim job to end on this date")
        ended = _last_ended(self.interim_jobs, occurred_at)
        self._interim_job_ended(work=self.work(interim_jobs=ended), occurred_at=occurred_at)

    class InterimJobEnded(TracedAggregate.Event):
        work: list | None
        occurred_at: datetime
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["work"] = None

    @event(InterimJobEnded)
    def _interim_job_ended(self, work: list | None, occurred_at: datetime) -> None:
        self.interim_since = None
        self.interim_jobs = _last_ended(self.interim_jobs, occurred_at)

    # -- the route itself ----------------------------------------------------------------------------------
    def close(self, reason: str, occurred_at: datetime) -> None:
        self._ensure_open()
        self._closed(reason=reason, occurred_at=occurred_at)

    @event("Closed")
    def _closed(self, reason: str, occurred_at: datetime) -> None:
        self.status, self.closed_reason = "closed", reason

    def move_entry_point(self, entry_point: str, reason: str, occurred_at: datetime) -> None:
        """A reassessment moves the client up or down; the entry point at enrolment (prices, cohorts) stays."""
        self._ensure_open()
        if entry_point == self.entry_point:
            raise StepRefused("entry_point_changes", f"the client is already at {entry_point}")
        self._entry_point_moved(entry_point=entry_point, previous=self.entry_point, reason=reason,
                                occurred_at=occurred_at)

    @event("EntryPointMoved")
    def _entry_point_moved(self, entry_point: str, previous: str, reason: str, occurred_at: datetime) -> None:
        self.entry_point = entry_point

    def change_route(self, regulator: str, occurred_at: datetime, profession: str | None = None) -> Pathway:
        """A change of profession or regulator (a doctor moving to nursing): this pathway closes and a new one
        opens at the current entry point, carrying the English sittings over (they may qualify there, under its
        own thresholds) and the person's own record (ESOL and other qualifications, right to work, jobs and
        interim work, the mentor); exams, attempts, applications and placements stay with the old route."""
        self._ensure_open()
        if regulator == self.regulator:
            raise StepRefused("route_changes", f"the pathway already leads to {regulator}")
        self._closed(reason=f"route_changed_to_{regulator}", occurred_at=occurred_at)
        return Pathway(client_id=self.client_id, regulator=regulator, entry_point=self.entry_point,
                       occurred_at=occurred_at, profession=profession, carried_sittings=self.sittings,
                       carried={name: getattr(self, name) for name in CARRIED})

    @property
    def stage(self) -> str:
        """Where the client is now (domain brief section 4): the furthest stage reached."""
        if self.status == "closed":
            return "closed"
        if self.employed_since:
            return "sustainment"
        if self.registered:
            return "job_matching"
        if self.english_met or self.attempts or self.stages:
            return "registration"
        if self.entry_point == "E-A" and self.esol_level != "level_2":
            return "esol"
        return "english"

