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
from pathways import rules
from pathways.dates import weeks_sustained
from pathways.english import standing

PATHWAY_NAMESPACE = uuid.UUID("0b8f4a52-51f5-4f0e-9d62-6c3ad1a0c2b4")
ESOL_LEVELS = ("entry_1", "entry_2", "entry_3", "level_1", "level_2")


class StepRefused(RuleBroken):
    """Raised when a step is impossible on this pathway; ``rule`` names why. Nothing is stored."""


def _day(occurred_at: datetime) -> str:
    return occurred_at.date().isoformat()


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
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["profession"], state["carried_sittings"] = None, []  # v1 pathways predate both

    @event(Opened)
    def __init__(self, client_id: UUID, regulator: str, entry_point: str, occurred_at: datetime,
                 profession: str | None = None, carried_sittings: list | None = None) -> None:
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
    def record_esol_result(self, level: str, components: dict, occurred_at: datetime) -> None:
        """An ESOL qualification: achieved at ``level`` only when every component was passed."""
        self._ensure_open()
        achieved = all(components.values())
        first_level_2 = achieved and level == "level_2" and self.esol_level != "level_2"
        self._esol_assessed(level=level, components=components, achieved=achieved, first_level_2=first_level_2,
                            occurred_at=occurred_at)

    @event("EsolAssessed")
    def _esol_assessed(self, level: str, components: dict, achieved: bool, first_level_2: bool,
                       occurred_at: datetime) -> None:
        if achieved and (self.esol_level is None or ESOL_LEVELS.index(level) > ESOL_LEVELS.index(self.esol_level)):
            self.esol_level = level

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
    def record_exam_attempt(self, exam: str, passed: bool, occurred_at: datetime) -> None:
        self._ensure_open()
        if exam not in rules.EXAMS_OF[self.regulator]:
            raise StepRefused("exam_of_this_regulator", f"{exam} is not an exam of the {self.regulator} route")
        on = occurred_at.date()
        rule = rules.in_force(rules.EXAMS, on, exam=exam)
        if exam in self.passed_on:
            raise StepRefused("exam_passed_once", f"{exam} was already passed")
        if self.last_attempt_on.get(exam, "") > on.isoformat():
            raise StepRefused("steps_in_date_order", f"a later {exam} attempt is already recorded")
        if self.attempts.get(exam, 0) >= rule.attempts + self.extra_attempts.get(exam, 0):
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

    @event("ExamAttempted")
    def _exam_attempted(self, exam: str, passed: bool, attempt: int, rule_from: str, occurred_at: datetime) -> None:
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

    def reach_stage(self, stage: str, occurred_at: datetime) -> None:
        """A registration sub-step that is not an exam (HCPC application; the GPhC route), in its order."""
        self._ensure_open()
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

    def grant_registration(self, occurred_at: datetime) -> None:
        self._ensure_open()
        if self.registered:
            raise StepRefused("registered_once", "already registered")
        on = occurred_at.date()
        missing = [exam for exam in rules.EXAMS_OF[self.regulator] if exam not in self.passed_on]
        missing += [stage for stage in rules.STAGES_OF[self.regulator] if stage not in self.stages]
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
        rule = rules.in_force(rules.PLACEMENTS, occurred_at.date(), kind=placement["kind"])
        missing = [gate for gate in rule.gates if gate not in self.gates.get(placement["trust"], {})]
        if missing:
            raise StepRefused("placement_gates_cleared", f"{placement['trust']} has not cleared: {', '.join(missing)}")
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

    @event("MentoringRecorded")
    def record_mentoring(self, mentor_ref: str, minutes: int, occurred_at: datetime) -> None:
        self._ensure_open()
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

    def start_employment(self, employer: str, nhs: bool, hours_per_week: float, role: str, occurred_at: datetime,
                         shortage_occupation: bool = False) -> None:
        self._ensure_open()
        if self.employed_since is not None:
            raise StepRefused("one_employment_spell_at_a_time", "end the current job before starting another")
        if self.spells and self.spells[-1]["ended_on"] > _day(occurred_at):
            raise StepRefused("steps_in_date_order", "a job starts after the previous one ended")
        self._ensure_right_to_work(occurred_at.date(), shortage_occupation)
        self._employment_started(employer=employer, nhs=nhs, hours_per_week=hours_per_week, role=role,
                                 shortage_occupation=shortage_occupation, occurred_at=occurred_at)

    class EmploymentStarted(TracedAggregate.Event):
        employer: str
        nhs: bool
        hours_per_week: float
        role: str
        shortage_occupation: bool
        occurred_at: datetime
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["shortage_occupation"] = False

    @event(EmploymentStarted)
    def _employment_started(self, employer: str, nhs: bool, hours_per_week: float, role: str,
                            shortage_occupation: bool, occurred_at: datetime) -> None:
        self.employed_since = _day(occurred_at)
        self.spells = [*self.spells, {"employer": employer, "nhs": nhs, "hours_per_week": hours_per_week,
                                      "role": role, "started_on": self.employed_since, "ended_on": None}]

    def end_employment(self, occurred_at: datetime) -> None:
        self._ensure_open()
        if self.employed_since is None:
            raise StepRefused("employment_ends_after_it_starts", "there is no current job to end")
        if _day(occurred_at) < self.employed_since:
            raise StepRefused("employment_ends_after_it_starts", "a job ends after it starts")
        self._employment_ended(occurred_at=occurred_at)

    @event("EmploymentEnded")
    def _employment_ended(self, occurred_at: datetime) -> None:
        self.employed_since = None
        self.spells = [*self.spells[:-1], {**self.spells[-1], "ended_on": _day(occurred_at)}]

    def confirm_sustainment(self, weeks: int, occurred_at: datetime) -> None:
        """Evidence (payslips, payroll) that the client has worked ``weeks`` weeks under the sustainment rule."""
        self._ensure_open()
        key = f"{weeks}_weeks"
        if key in self.sustained:
            raise StepRefused("sustainment_confirmed_once", f"{weeks} weeks were already confirmed")
        if weeks == 26 and "13_weeks" not in self.sustained:
            raise StepRefused("sustainment_in_order", "confirm 13 weeks before 26")
        on = occurred_at.date()
        rule = rules.in_force(rules.SUSTAINMENT, on)
        counted = weeks_sustained(self.spells, rule, on)
        if counted < weeks:
            raise StepRefused("sustainment_reached", f"{counted:.1f} {rule.mode} weeks of qualifying work by this "
                              f"date (at least {rule.min_hours_per_week:g} h/week"
                              + (", NHS employers" if rule.nhs_only else "") + f"); {weeks} needed")
        self._sustained(weeks=weeks, weeks_counted=round(counted, 2), mode=rule.mode,
                        rule_from=rule.effective_from.isoformat(), spells=self.spells, occurred_at=occurred_at)

    @event("Sustained")
    def _sustained(self, weeks: int, weeks_counted: float, mode: str, rule_from: str, spells: list,
                   occurred_at: datetime) -> None:
        """``spells``: every employment spell so far, so that each outcomes contract can count the weeks its
        own way (NHS or any employer, hours, continuous or cumulative) from this evidence alone."""
        self.sustained = {**self.sustained, f"{weeks}_weeks": _day(occurred_at)}

    def start_interim_job(self, employer: str, hours_per_week: float, occurred_at: datetime,
                          shortage_occupation: bool = True) -> None:
        """Interim work as a health care assistant in social care, in parallel with training."""
        self._ensure_open()
        if self.interim_since is not None:
            raise StepRefused("one_interim_job_at_a_time", "end the current interim job first")
        self._ensure_right_to_work(occurred_at.date(), shortage_occupation)
        self._interim_job_started(employer=employer, hours_per_week=hours_per_week, occurred_at=occurred_at)

    @event("InterimJobStarted")
    def _interim_job_started(self, employer: str, hours_per_week: float, occurred_at: datetime) -> None:
        self.interim_since = _day(occurred_at)
        self.interim_jobs = [*self.interim_jobs, {"employer": employer, "started_on": self.interim_since,
                                                  "ended_on": None, "care_certificate_on": None}]

    def complete_care_certificate(self, occurred_at: datetime) -> None:
        self._ensure_open()
        if not self.interim_jobs or self.interim_jobs[-1]["care_certificate_on"]:
            raise StepRefused("care_certificate_in_interim_job", "record an interim care job first (once)")
        self._care_certificate_completed(occurred_at=occurred_at)

    @event("CareCertificateCompleted")
    def _care_certificate_completed(self, occurred_at: datetime) -> None:
        self.interim_jobs = [*self.interim_jobs[:-1], {**self.interim_jobs[-1], "care_certificate_on": _day(occurred_at)}]

    def end_interim_job(self, occurred_at: datetime) -> None:
        self._ensure_open()
        if self.interim_since is None or _day(occurred_at) < self.interim_since:
            raise StepRefused("interim_job_ends_after_it_starts", "there is no interim job to end on this date")
        self._interim_job_ended(occurred_at=occurred_at)

    @event("InterimJobEnded")
    def _interim_job_ended(self, occurred_at: datetime) -> None:
        self.interim_since = None
        self.interim_jobs = [*self.interim_jobs[:-1], {**self.interim_jobs[-1], "ended_on": _day(occurred_at)}]

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

    def change_route(self, regulator: str, occurred_at: datetime, profession: str | None = None) -> "Pathway":
        """A change of profession or regulator (a doctor moving to nursing): this pathway closes and a new one
        opens at the current entry point, carrying the English sittings over (they may qualify there, under its
        own thresholds); exams, attempts and placements stay with the old route."""
        self._ensure_open()
        if regulator == self.regulator:
            raise StepRefused("route_changes", f"the pathway already leads to {regulator}")
        self._closed(reason=f"route_changed_to_{regulator}", occurred_at=occurred_at)
        return Pathway(client_id=self.client_id, regulator=regulator, entry_point=self.entry_point,
                       occurred_at=occurred_at, profession=profession, carried_sittings=self.sittings)

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

    def due_items(self, today: date) -> list[dict[str, str]]:
        """Dates a caseworker must act by (rules in force ``today``): certificate expiry, exam-pass validity,
        the GPhC route window, right-to-work follow-up, placement ends, the Care Certificate, sustainment."""
        from pathways.due import due_items

        return due_items(self, today)

    def take_step(self, step_type: str, payload: dict, occurred_at: datetime) -> None:
        """Applies one posted step (contracts.pathways.PAYLOADS names each type's payload)."""
        from pathways.steps import STEPS

        STEPS[step_type](self, payload, occurred_at)
