"""Pathway steps and the dated rules they are judged by."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import pytest
from eventsourcing.application import Application

from pathways import rules
from pathways.domain import Pathway, StepRefused


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=timezone.utc)


def pathway(regulator: str = "GMC") -> Pathway:
    return Pathway(client_id=uuid.uuid4(), regulator=regulator, entry_point="E-B", occurred_at=at("2018-01-02"))


def refused(step) -> str:
    with pytest.raises(StepRefused) as error:
        step()
    return error.value.details["rule"]


def test_plab2_before_a_plab1_pass_is_refused_and_nothing_is_recorded():
    given = pathway()
    assert refused(lambda: given.record_exam_attempt("PLAB2", True, at("2019-01-01"))) == "exam_prerequisite_passed"
    assert [type(e).__name__ for e in given.collect_events()] == ["Opened"]


def test_a_fifth_plab1_attempt_is_refused():
    given = pathway()
    for month in range(1, 5):
        given.record_exam_attempt("PLAB1", False, at(f"2019-0{month}-01"))
    assert refused(lambda: given.record_exam_attempt("PLAB1", True, at("2019-06-01"))) == "exam_attempt_limit"


def test_the_plab1_validity_rule_in_force_on_the_step_date_decides():
    before, after = pathway(), pathway()
    for given in (before, after):
        given.record_exam_attempt("PLAB1", True, at("2022-06-01"))
    before.record_exam_attempt("PLAB2", True, at("2025-03-30"))  # 3 years under the old rule: still valid
    assert refused(lambda: after.record_exam_attempt("PLAB2", True, at("2025-04-01"))) == "exam_prerequisite_valid"
    assert rules.in_force(rules.EXAMS, date(2025, 3, 31), exam="PLAB2").prerequisite_valid_years == 2


def test_an_exam_of_another_regulator_is_refused():
    assert refused(lambda: pathway("NMC").record_exam_attempt("PLAB1", True, at("2019-01-01"))) == \
        "exam_of_this_regulator"


def test_a_job_start_before_the_right_to_work_check_is_refused():
    given = pathway()
    assert refused(lambda: given.start_employment("SWBH", True, 37.5, "doctor", at("2020-01-06"))) == \
        "right_to_work_before_employment"
    given.record_right_to_work_check(date(2020, 1, 31), at("2020-01-02"))
    assert refused(lambda: given.start_employment("SWBH", True, 37.5, "doctor", at("2020-02-03"))) == \
        "right_to_work_before_employment"  # the permission had expired by the start date
    given.start_employment("SWBH", True, 37.5, "doctor", at("2020-01-06"))
    assert given.employed_since == "2020-01-06"


def test_the_most_recent_english_sitting_decides():
    given = pathway()
    good = {"overall": 7.5, "listening": 7.5, "reading": 7.0, "writing": 7.0, "speaking": 8.0}
    worse = {**good, "writing": 6.5}
    given.record_english_sitting("IELTS_ACADEMIC", occurred_at=at("2019-01-01"), **good)
    assert given.english_met
    given.record_english_sitting("IELTS_ACADEMIC", occurred_at=at("2019-03-01"), **worse)
    assert not given.english_met  # a later, worse sitting makes the earlier pass unusable (GMC)


def test_nursing_allows_a_lower_writing_score_than_medicine():
    scores = {"overall": 7.0, "listening": 7.0, "reading": 7.0, "writing": 6.5, "speaking": 7.0}
    nurse, doctor = pathway("NMC"), pathway("GMC")
    nurse.record_english_sitting("IELTS_ACADEMIC", occurred_at=at("2019-01-01"), **scores)
    doctor.record_english_sitting("IELTS_ACADEMIC", occurred_at=at("2019-01-01"), **scores)
    assert (nurse.english_met, doctor.english_met) == (True, False)


def test_registration_needs_english_and_the_route_exams():
    given = pathway()
    assert refused(lambda: given.grant_registration(at("2020-01-01"))) == "registration_requirements"
    given.record_english_sitting("IELTS_ACADEMIC", 8.0, 8.0, 8.0, 8.0, 8.0, at("2019-01-01"))
    given.record_exam_attempt("PLAB1", True, at("2019-02-01"))
    given.record_exam_attempt("PLAB2", True, at("2019-06-01"))
    given.grant_registration(at("2019-09-01"))
    assert given.registered


def test_a_closed_pathway_takes_no_steps():
    given = pathway()
    given.close("moved_away", at("2019-01-01"))
    assert refused(lambda: given.record_right_to_work_check(None, at("2019-02-01"))) == "closed_pathway_takes_no_steps"


def test_replay_reproduces_the_pathway():
    app = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    given = pathway()
    given.record_exam_attempt("PLAB1", False, at("2019-01-01"))
    given.record_exam_attempt("PLAB1", True, at("2019-05-01"))
    given.record_right_to_work_check(None, at("2019-06-01"))
    given.start_employment("care home", False, 20, "healthcare assistant", at("2019-06-03"))
    given.end_employment(at("2019-09-30"))
    app.save(given)
    assert app.repository.get(given.id) == given


def test_due_items_follow_the_pathway_and_the_rules():
    given = pathway()
    given.record_english_sitting("IELTS_ACADEMIC", 8.0, 8.0, 8.0, 8.0, 8.0, at("2024-01-10"))
    given.record_exam_attempt("PLAB1", True, at("2024-02-01"))
    given.record_right_to_work_check(date(2026, 6, 30), at("2024-03-01"))
    given.start_employment("care home", False, 20, "healthcare assistant", at("2024-03-04"))
    assert given.due_items() == [
        {"item": "sustained_13_weeks", "due_on": "2024-06-03"},
        {"item": "sustained_26_weeks", "due_on": "2024-09-02"},
        {"item": "english_certificate_expires", "due_on": "2026-01-10"},
        {"item": "plab1_pass_expires", "due_on": "2026-02-01"},  # 2 years under the rule in force today
        {"item": "right_to_work_follow_up_check", "due_on": "2026-06-02"},
    ]


def test_moving_entry_point_keeps_the_one_at_enrolment():
    given = pathway()
    given.move_entry_point("E-A", "new IELTS result below ESOL level 2", at("2019-01-01"))
    assert (given.entry_point, given.entry_point_at_enrolment) == ("E-A", "E-B")
    assert refused(lambda: given.move_entry_point("E-A", "again", at("2019-02-01"))) == "entry_point_changes"


def test_a_change_of_route_closes_this_pathway_and_opens_one_that_keeps_the_history_apart():
    doctor = pathway("GMC")
    for month in range(1, 5):
        doctor.record_exam_attempt("PLAB1", False, at(f"2019-0{month}-01"))
    nurse = doctor.change_route("NMC", at("2019-06-01"))
    assert doctor.status == "closed" and nurse.regulator == "NMC" and nurse.client_id == doctor.client_id
    assert nurse.attempts == {} and nurse.id == Pathway.create_id(doctor.client_id, "NMC")
    assert refused(lambda: doctor.record_exam_attempt("PLAB1", True, at("2019-07-01"))) == \
        "closed_pathway_takes_no_steps"
