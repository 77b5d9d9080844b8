"""Exams and registration: attempts and their limits, stages, the application, the regulator's decision.

The commands of ``Pathway`` for this part of the route (a mixin: each checks its rule, then calls the event
method on the aggregate, which records the event; events and their methods stay on ``Pathway`` itself,
eventsourcing names them after it).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from chassis.dates import months_later, years_later
from pathways.domain import rules
from pathways.domain.base import (
    StepRefused,
)


class RegistrationSteps:
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

    def refuse_registration(self, reason: str, occurred_at: datetime) -> None:
        """The regulator refused the application (the route stays open: the client may apply again)."""
        self._ensure_open()
        if self.registered:
            raise StepRefused("registered_once", "already registered")
        if not self.application_open:
            raise StepRefused("application_open", "no application to the regulator is open")
        self._registration_refused(reason=reason, occurred_at=occurred_at)

    def block_registration(self, reason: str, occurred_at: datetime) -> None:
        """The route to this register is blocked (attempts exhausted, a validity or route window expired, a
        fitness-to-practise decision): no more exams, applications or registration on it; an extra attempt the
        regulator grants reopens a route blocked by the attempt limit."""
        self._ensure_open()
        if self.registered:
            raise StepRefused("registered_once", "already registered")
        self._ensure_not_blocked()
        self._registration_blocked(reason=reason, occurred_at=occurred_at)

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
