"""Pathways domain: one client's route to one regulator's register and into work."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from uuid import UUID

from eventsourcing.domain import event

from chassis.errors import RuleBroken
from chassis.meta import TracedAggregate
from pathways import rules

PATHWAY_NAMESPACE = uuid.UUID("0b8f4a52-51f5-4f0e-9d62-6c3ad1a0c2b4")


class StepRefused(RuleBroken):
    """Raised when a step is impossible on this pathway; ``rule`` names why. Nothing is stored."""


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Pathway(TracedAggregate):
    """One client's route to one regulator's register. Invariants: one pathway per (client, regulator); the
    entry point at enrolment never changes; a closed pathway takes no steps; exams keep their attempt limits and
    prerequisites, and employment needs a valid right-to-work check, under the rules in force on each step's date.
    """

    @staticmethod
    def create_id(client_id: UUID, regulator: str) -> UUID:
        return uuid.uuid5(PATHWAY_NAMESPACE, f"{client_id}:{regulator}")

    @event("Opened")
    def __init__(self, client_id: UUID, regulator: str, entry_point: str, occurred_at: datetime) -> None:
        self.client_id, self.regulator = client_id, regulator
        self.entry_point_at_enrolment = self.entry_point = entry_point
        self.opened_at = occurred_at
        self.status = "open"
        self.english_met = False
        self.attempts: dict[str, int] = {}
        self.passed_on: dict[str, str] = {}
        self.right_to_work_until: str | None = None
        self.right_to_work_checked = False
        self.employed_since: str | None = None
        self.english_met_on: str | None = None
        self.registered = False

    def _ensure_open(self) -> None:
        if self.status == "closed":
            raise StepRefused("closed_pathway_takes_no_steps", "this pathway is closed")

    # -- steps ------------------------------------------------------------------------------------------------
    def record_english_sitting(self, test: str, overall: float, listening: float, reading: float, writing: float,
                               speaking: float, occurred_at: datetime) -> None:
        """The most recent sitting decides (GMC's rule applies to all here): a later, worse sitting undoes a pass."""
        self._ensure_open()
        rule = rules.in_force(rules.ENGLISH, occurred_at.date(), regulator=self.regulator)
        sitting = {"overall": overall, "listening": listening, "reading": reading, "writing": writing,
                   "speaking": speaking}
        met = rules.english_met(rule, sitting)
        self._english_sat(test=test, scores=sitting, met=met, rule_from=rule.effective_from.isoformat(),
                          first_met=met and not self.english_met, occurred_at=occurred_at)

    @event("EnglishSat")
    def _english_sat(self, test: str, scores: dict, met: bool, rule_from: str, first_met: bool,
                     occurred_at: datetime) -> None:
        self.english_met = met
        self.english_met_on = occurred_at.date().isoformat() if met else None

    def record_exam_attempt(self, exam: str, passed: bool, occurred_at: datetime) -> None:
        self._ensure_open()
        if exam not in rules.EXAMS_OF[self.regulator]:
            raise StepRefused("exam_of_this_regulator", f"{exam} is not an exam of the {self.regulator} route")
        on = occurred_at.date()
        rule = rules.in_force(rules.EXAMS, on, exam=exam)
        if exam in self.passed_on:
            raise StepRefused("exam_passed_once", f"{exam} was already passed")
        if self.attempts.get(exam, 0) >= rule.attempts:
            raise StepRefused("exam_attempt_limit", f"{exam} allows {rule.attempts} attempts")
        if rule.prerequisite is not None:
            passed_on = self.passed_on.get(rule.prerequisite)
            if passed_on is None:
                raise StepRefused("exam_prerequisite_passed", f"{exam} needs a {rule.prerequisite} pass first")
            if rule.prerequisite_valid_years and \
                    on > _years_later(date.fromisoformat(passed_on), rule.prerequisite_valid_years):
                raise StepRefused("exam_prerequisite_valid", f"the {rule.prerequisite} pass is older than "
                                  f"{rule.prerequisite_valid_years} years on this date")
        self._exam_attempted(exam=exam, passed=passed, attempt=self.attempts.get(exam, 0) + 1,
                             rule_from=rule.effective_from.isoformat(), occurred_at=occurred_at)

    @event("ExamAttempted")
    def _exam_attempted(self, exam: str, passed: bool, attempt: int, rule_from: str, occurred_at: datetime) -> None:
        self.attempts[exam] = attempt
        if passed:
            self.passed_on[exam] = occurred_at.date().isoformat()

    def record_right_to_work_check(self, valid_until: date | None, occurred_at: datetime) -> None:
        self._ensure_open()
        self._right_to_work_checked(valid_until=valid_until.isoformat() if valid_until else None,
                                    occurred_at=occurred_at)

    @event("RightToWorkChecked")
    def _right_to_work_checked(self, valid_until: str | None, occurred_at: datetime) -> None:
        self.right_to_work_checked, self.right_to_work_until = True, valid_until

    def start_employment(self, employer: str, nhs: bool, hours_per_week: float, role: str,
                         occurred_at: datetime) -> None:
        self._ensure_open()
        if self.employed_since is not None:
            raise StepRefused("one_employment_spell_at_a_time", "end the current job before starting another")
        if not self.right_to_work_checked or (
                self.right_to_work_until is not None and self.right_to_work_until < occurred_at.date().isoformat()):
            raise StepRefused("right_to_work_before_employment",
                              "a right-to-work check valid on the start date must come before a job starts")
        self._employment_started(employer=employer, nhs=nhs, hours_per_week=hours_per_week, role=role,
                                 occurred_at=occurred_at)

    @event("EmploymentStarted")
    def _employment_started(self, employer: str, nhs: bool, hours_per_week: float, role: str,
                            occurred_at: datetime) -> None:
        self.employed_since = occurred_at.date().isoformat()

    def end_employment(self, occurred_at: datetime) -> None:
        self._ensure_open()
        if self.employed_since is None:
            raise StepRefused("employment_ends_after_it_starts", "there is no current job to end")
        self._employment_ended(occurred_at=occurred_at)

    @event("EmploymentEnded")
    def _employment_ended(self, occurred_at: datetime) -> None:
        self.employed_since = None

    def grant_registration(self, occurred_at: datetime) -> None:
        self._ensure_open()
        if self.registered:
            raise StepRefused("registered_once", "already registered")
        missing = [exam for exam in rules.EXAMS_OF[self.regulator] if exam not in self.passed_on]
        if not self.english_met or missing:
            raise StepRefused("registration_requirements",
                              "registration needs the English requirement met" +
                              (f" and {', '.join(missing)} passed" if missing else ""))
        self._registered(occurred_at=occurred_at)

    @event("Registered")
    def _registered(self, occurred_at: datetime) -> None:
        self.registered = True

    def close(self, reason: str, occurred_at: datetime) -> None:
        self._ensure_open()
        self._closed(reason=reason, occurred_at=occurred_at)

    @event("Closed")
    def _closed(self, reason: str, occurred_at: datetime) -> None:
        self.status = "closed"

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

    def change_route(self, regulator: str, occurred_at: datetime) -> "Pathway":
        """A change of profession or regulator (a doctor moving to nursing): this pathway closes and a new one
        opens at the current entry point; English results may still count there, under its own thresholds."""
        self._ensure_open()
        if regulator == self.regulator:
            raise StepRefused("route_changes", f"the pathway already leads to {regulator}")
        self._closed(reason=f"route_changed_to_{regulator}", occurred_at=occurred_at)
        return Pathway(client_id=self.client_id, regulator=regulator, entry_point=self.entry_point,
                       occurred_at=occurred_at)

    def due_items(self) -> list[dict[str, str]]:
        """Dates a caseworker must act by: certificate expiry, PLAB 1 validity, right-to-work follow-up,
        13- and 26-week sustainment (under the rules in force today)."""
        items = []
        if self.status == "closed":
            return items
        if self.english_met_on and not self.registered:
            items.append({"item": "english_certificate_expires",
                          "due_on": _years_later(date.fromisoformat(self.english_met_on), 2).isoformat()})
        for exam, passed_on in self.passed_on.items():
            follower = [r for r in rules.EXAMS if r.prerequisite == exam]
            if follower and follower[0].exam not in self.passed_on:
                rule = rules.in_force(rules.EXAMS, date.today(), exam=follower[0].exam)
                if rule.prerequisite_valid_years:
                    items.append({"item": f"{exam.lower()}_pass_expires", "due_on": _years_later(
                        date.fromisoformat(passed_on), rule.prerequisite_valid_years).isoformat()})
        if self.right_to_work_until:
            items.append({"item": "right_to_work_follow_up_check",
                          "due_on": (date.fromisoformat(self.right_to_work_until) - timedelta(days=28)).isoformat()})
        if self.employed_since:
            start = date.fromisoformat(self.employed_since)
            items += [{"item": "sustained_13_weeks", "due_on": (start + timedelta(weeks=13)).isoformat()},
                      {"item": "sustained_26_weeks", "due_on": (start + timedelta(weeks=26)).isoformat()}]
        return sorted(items, key=lambda item: item["due_on"])

    def take_step(self, step_type: str, payload: dict, occurred_at: datetime) -> None:
        """Applies one posted step (contracts.pathways.PAYLOADS names each type's payload)."""
        step = {
            "english_sitting": lambda: self.record_english_sitting(occurred_at=occurred_at, **payload),
            "exam_attempt": lambda: self.record_exam_attempt(occurred_at=occurred_at, **payload),
            "right_to_work_check": lambda: self.record_right_to_work_check(occurred_at=occurred_at, **payload),
            "employment_started": lambda: self.start_employment(occurred_at=occurred_at, **payload),
            "employment_ended": lambda: self.end_employment(occurred_at=occurred_at),
            "registration_granted": lambda: self.grant_registration(occurred_at=occurred_at),
            "pathway_closed": lambda: self.close(occurred_at=occurred_at, **payload),
            "entry_point_moved": lambda: self.move_entry_point(occurred_at=occurred_at, **payload),
        }[step_type]
        step()
