"""English and learning: ESOL results, qualifications, courses, English test sittings.

The commands of ``Pathway`` for this part of the route (a mixin: each checks its rule, then calls the event
method on the aggregate, which records the event; events and their methods stay on ``Pathway`` itself,
eventsourcing names them after it).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pathways.domain import rules
from pathways.domain.base import (
    StepRefused,
    day,
)
from pathways.domain.english import standing


class LearningSteps:
    # -- English: ESOL and IELTS/OET --------------------------------------------------------------------------
    def record_esol_result(self, level: str, components: dict, occurred_at: datetime,
                           guided_learning_hours: int | None = None) -> None:
        """An ESOL Skills for Life qualification: achieved at ``level`` only when every component was passed."""
        self._ensure_open()
        achieved = all(components.values())
        first_level_2 = achieved and level == "level_2" and self.esol_level != "level_2"
        self._esol_assessed(level=level, components=components, achieved=achieved, first_level_2=first_level_2,
                            guided_learning_hours=guided_learning_hours, occurred_at=occurred_at)

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

    def start_course(self, course_ref: str, kind: str, occurred_at: datetime, level: str | None = None,
                     guided_learning_hours: int | None = None) -> None:
        """An ESOL, IELTS/OET preparation, English or other training course started (the learning agreement is in
        place and the client has attended)."""
        self._ensure_open()
        if course_ref in self.courses:
            raise StepRefused("course_ref_unique", f"course {course_ref} was started already")
        self._course_started(course_ref=course_ref, kind=kind, level=level,
                             guided_learning_hours=guided_learning_hours, occurred_at=occurred_at)

    def end_course(self, course_ref: str, outcome: str, occurred_at: datetime) -> None:
        self._ensure_open()
        course = self.courses.get(course_ref)
        if course is None or course["ended_on"] is not None:
            raise StepRefused("course_started_first", f"no course {course_ref} is running")
        if day(occurred_at) < course["started_on"]:
            raise StepRefused("steps_in_date_order", "a course ends after it starts")
        self._course_ended(course_ref=course_ref, outcome=outcome, occurred_at=occurred_at)

    def record_english_sitting(self, test: str, scores: dict, occurred_at: datetime) -> None:
        """An IELTS Academic or OET sitting (scores per skill; IELTS also overall). The most recent sitting of
        each test decides, alone or combined with the one before where the regulator allows it."""
        self._ensure_open()
        if test not in rules.english_tests_of(self.regulator) or \
                rules.english_rule(self.regulator, test, occurred_at.date(), self.profession) is None:
            raise StepRefused("english_test_accepted", f"{test} is not accepted by the {self.regulator} on this date")
        sitting = {"test": test, "on": day(occurred_at), "scores": scores}
        after = standing([*self.sittings, sitting], self.regulator, self.profession)
        self._english_sat(test=test, scores=scores, met=after.met, first_met=after.met and not self.english_met,
                          rule_from=after.rule_from.isoformat() if after.rule_from else None,
                          met_on=after.met_on.isoformat() if after.met_on else None,
                          expires_on=after.expires_on.isoformat() if after.expires_on else None,
                          combined=after.combined, occurred_at=occurred_at)

    def _apply_standing(self, found: Any) -> None:
        self.english_met = found.met
        self.english_met_on = found.met_on.isoformat() if found.met_on else None
        self.english_expires_on = found.expires_on.isoformat() if found.expires_on else None
        self.english_test = found.test

    def english_valid_on(self, day: date) -> bool:
        return bool(self.english_met and self.english_met_on and self.english_expires_on
                    and self.english_met_on <= day.isoformat() <= self.english_expires_on)
