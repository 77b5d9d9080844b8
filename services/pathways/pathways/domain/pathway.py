"""Pathways domain: one client's route to one regulator's register and into work.

Step methods check their rule (under the dated rules in force on the step's ``occurred_at``) and raise
``StepRefused`` *before* triggering an event, because event bodies re-run on replay. Event names and fields
are a stored contract: see STYLE B5a before changing one (``class_version`` + upcaster + replay test).
"""
from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from chassis.dates import years_later
from chassis.meta import ReplacedStateAggregate, TracedAggregate
from pathways.domain import rules
from pathways.domain.base import (
    ESOL_LEVELS,
    StepRefused,
    day,
    last_ended,
    new_interim,
    new_spell,
)
from pathways.domain.english import standing
from pathways.domain.learning import LearningSteps
from pathways.domain.placements import PlacementSteps
from pathways.domain.registration import RegistrationSteps
from pathways.domain.work import WorkSteps

PATHWAY_NAMESPACE = uuid.UUID("0b8f4a52-51f5-4f0e-9d62-6c3ad1a0c2b4")
#: What a change of route carries to the new pathway: the person's own record, not the old route's exams.
CARRIED = ("esol_level", "qualifications", "right_to_work_checked", "right_to_work_until",
           "right_to_work_restriction", "spells", "employed_since", "interim_since", "interim_jobs", "mentor_ref")


class Pathway(LearningSteps, RegistrationSteps, PlacementSteps, WorkSteps, ReplacedStateAggregate):
    """One client's route to one regulator's register and into work.

    Its commands are in the mixins beside it (learning, registration, placements, work: each checks its rule and
    calls an event method here); the events and the methods that apply them are on this class.

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

    @event("PlacedWithTrust")
    def _placed_with_trust(self, trust: str, occurred_at: datetime) -> None:
        self.trusts = [*self.trusts, trust]


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
                "kind": "esol", "level": level, "on": day(occurred_at), "guided_learning_hours": guided_learning_hours,
                "qualification_ref": None}]

    @event("QualificationAchieved")
    def _qualification_achieved(self, kind: str, level: str, guided_learning_hours: int | None,
                                qualification_ref: str | None, occurred_at: datetime) -> None:
        self.qualifications = [*self.qualifications, {
            "kind": kind, "level": level, "on": day(occurred_at), "guided_learning_hours": guided_learning_hours,
            "qualification_ref": qualification_ref}]

    @event("CourseStarted")
    def _course_started(self, course_ref: str, kind: str, level: str | None, guided_learning_hours: int | None,
                        occurred_at: datetime) -> None:
        self.courses = {**self.courses, course_ref: {"kind": kind, "level": level, "started_on": day(occurred_at),
                                                     "ended_on": None, "outcome": None}}

    @event("CourseEnded")
    def _course_ended(self, course_ref: str, outcome: str, occurred_at: datetime) -> None:
        self.courses = {**self.courses, course_ref: {**self.courses[course_ref], "ended_on": day(occurred_at),
                                                     "outcome": outcome}}


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
        self.sittings = [*self.sittings, {"test": test, "on": day(occurred_at), "scores": scores}]
        self.english_met, self.english_met_on, self.english_expires_on = met, met_on, expires_on
        self.english_test = test if met else None

    @event("ExamAttempted")
    def _exam_attempted(self, exam: str, passed: bool, attempt: int, rule_from: str, occurred_at: datetime) -> None:
        self.application_attempts = {**self.application_attempts, exam: self.application_attempts.get(exam, 0) + 1}
        self.attempts = {**self.attempts, exam: attempt}
        self.last_attempt_on = {**self.last_attempt_on, exam: day(occurred_at)}
        if passed:
            self.passed_on = {**self.passed_on, exam: day(occurred_at)}

    @event("ExtraAttemptGranted")
    def _extra_attempt_granted(self, exam: str, ground: str, occurred_at: datetime) -> None:
        self.extra_attempts = {**self.extra_attempts, exam: self.extra_attempts.get(exam, 0) + 1}
        if self.blocked == "attempts_exhausted":
            self.blocked = None  # the regulator's grant reopens a route blocked by the attempt limit

    @event("StageReached")
    def _stage_reached(self, stage: str, occurred_at: datetime) -> None:
        self.stages = {**self.stages, stage: day(occurred_at)}

    @event("RegistrationApplied")
    def _registration_applied(self, application_ref: str | None, occurred_at: datetime) -> None:
        self.applications = [*[{**a, "status": "closed"} if a["status"] == "open" else a for a in self.applications],
                             {"application_ref": application_ref, "applied_on": day(occurred_at), "status": "open",
                              "decided_on": None, "reason": None}]
        self.application_attempts = {}

    @event("RegistrationRefused")
    def _registration_refused(self, reason: str, occurred_at: datetime) -> None:
        if self.applications:
            self.applications = [*self.applications[:-1], {**self.applications[-1], "status": "refused",
                                                            "decided_on": day(occurred_at), "reason": reason}]
        self.stages = {k: v for k, v in self.stages.items() if k != "registration_applied"}

    @event("RegistrationBlocked")
    def _registration_blocked(self, reason: str, occurred_at: datetime) -> None:
        self.blocked = reason

    @event("Registered")
    def _registered(self, occurred_at: datetime) -> None:
        self.registered, self.registered_on = True, day(occurred_at)
        if self.applications and self.applications[-1]["status"] == "open":
            self.applications = [*self.applications[:-1], {**self.applications[-1], "status": "granted",
                                                            "decided_on": day(occurred_at)}]

    @event("GateCleared")
    def _gate_cleared(self, trust: str, gate: str, occurred_at: datetime) -> None:
        self.gates = {**self.gates, trust: {**self.gates.get(trust, {}), gate: day(occurred_at)}}

    @event("PlacementOffered")
    def _placement_offered(self, placement_ref: str, kind: str, trust: str, weeks: int, starts_on: str,
                           supervisor_ref: str | None, occurred_at: datetime) -> None:
        self.placements = {**self.placements, placement_ref: {
            "kind": kind, "trust": trust, "weeks": weeks, "starts_on": starts_on, "supervisor_ref": supervisor_ref,
            "status": "offered", "started_on": None, "ended_on": None}}

    @event("PlacementStarted")
    def _placement_started(self, placement_ref: str, supervisor_ref: str, occurred_at: datetime) -> None:
        placement = {**self.placements[placement_ref], "status": "started", "started_on": day(occurred_at),
                     "supervisor_ref": supervisor_ref}
        self.placements = {**self.placements, placement_ref: placement}

    @event("PlacementEnded")
    def _placement_ended(self, placement_ref: str, outcome: str, occurred_at: datetime) -> None:
        self.placements = {**self.placements, placement_ref: {
            **self.placements[placement_ref], "status": outcome, "ended_on": day(occurred_at)}}

    @event("MentorAssigned")
    def _mentor_assigned(self, mentor_ref: str, occurred_at: datetime) -> None:
        self.mentor_ref = mentor_ref

    @event("MentoringRecorded")
    def _mentoring_recorded(self, mentor_ref: str, minutes: int, occurred_at: datetime) -> None:
        self.mentoring_sessions, self.mentoring_minutes = self.mentoring_sessions + 1, self.mentoring_minutes + minutes


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

    @event("JobOffered")
    def _job_offered(self, offer_ref: str, employer: str, nhs: bool, role: str, conditional: bool,
                     occurred_at: datetime) -> None:
        self.offers = {**self.offers, offer_ref: {"employer": employer, "nhs": nhs, "role": role,
                                                  "status": "open", "offered_on": day(occurred_at)}}

    @event("JobOfferWithdrawn")
    def _job_offer_withdrawn(self, offer_ref: str, occurred_at: datetime) -> None:
        self.offers = {**self.offers, offer_ref: {**self.offers[offer_ref], "status": "withdrawn"}}



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
        self.employed_since = day(occurred_at)
        self.spells = [*self.spells, new_spell(employer, employer_kind, nhs, basis, self_employed, hours_per_week,
                                                role, self.employed_since)]


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
        self.spells = last_ended(self.spells, occurred_at)

    @event("EmploymentConfirmed")
    def _employment_confirmed(self, job: str, evidence: str, work: list, occurred_at: datetime) -> None:
        self.spells, self.interim_jobs = self._evidenced(day(occurred_at), main=job == "main",
                                                         interim=job == "interim")

    @event("Sustained")
    def _sustained(self, weeks: int, weeks_counted: float, mode: str, rule_from: str, spells: list,
                   occurred_at: datetime) -> None:
        """``spells``: the whole work record so far, so that each outcomes contract can count the weeks its own
        way (employer, hours, continuous or cumulative) from this evidence alone."""
        self.sustained = {**self.sustained, f"{weeks}_weeks": day(occurred_at)}
        self.spells, self.interim_jobs = self._evidenced(day(occurred_at), main=True, interim=True)


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
        self.interim_since = day(occurred_at)
        self.interim_jobs = [*self.interim_jobs, new_interim(employer, hours_per_week, self.interim_since)]

    @event("CareCertificateCompleted")
    def _care_certificate_completed(self, occurred_at: datetime) -> None:
        self.interim_jobs = [*self.interim_jobs[:-1],
                             {**self.interim_jobs[-1], "care_certificate_on": day(occurred_at)}]


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
        self.interim_jobs = last_ended(self.interim_jobs, occurred_at)

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

