"""Pathway steps and the dated rules they are judged by: exams, registration routes, entry points and routes."""
from __future__ import annotations

from datetime import date

from eventsourcing.application import Application

from pathways.domain import rules
from pathways.domain.due import due_items
from pathways.domain.pathway import Pathway
from tests.unit.pathways.support import at, english_met, pathway, refused


def test_plab2_before_a_plab1_pass_is_refused_and_nothing_is_recorded():
    given = pathway()
    assert refused(lambda: given.record_exam_attempt("PLAB2", True, at("2019-01-01"))) == "exam_prerequisite_passed"
    assert [type(e).__name__ for e in given.collect_events()] == ["Opened"]


def test_plab1_needs_an_english_certificate_valid_on_the_exam_day():
    given = pathway()
    assert refused(lambda: given.record_exam_attempt("PLAB1", True, at("2019-01-01"))) == \
        "english_valid_on_exam_day"
    english_met(given, "2019-01-01")
    assert refused(lambda: given.record_exam_attempt("PLAB1", True, at("2021-01-02"))) == \
        "english_valid_on_exam_day"  # the certificate lasted two years
    given.record_exam_attempt("PLAB1", True, at("2020-12-31"))
    assert given.passed_on == {"PLAB1": "2020-12-31"}


def test_a_fifth_plab1_attempt_is_refused_until_the_regulator_grants_an_extra_one():
    given = pathway()
    english_met(given, "2019-01-01")
    for month in range(1, 5):
        given.record_exam_attempt("PLAB1", False, at(f"2019-0{month + 1}-01"))
    assert refused(lambda: given.record_exam_attempt("PLAB1", True, at("2019-06-01"))) == "exam_attempt_limit"
    assert refused(lambda: given.grant_extra_attempt("PLAB1", "clinical_practice", at("2020-04-30"))) == \
        "extra_attempt_allowed"  # not yet 12 months after the last attempt
    given.grant_extra_attempt("PLAB1", "postgraduate_qualification", at("2020-05-01"))
    given.record_exam_attempt("PLAB1", True, at("2020-05-20"))
    assert given.attempts["PLAB1"] == 5 and "PLAB1" in given.passed_on
    assert refused(lambda: given.grant_extra_attempt("PLAB1", "clinical_practice", at("2021-06-01"))) == \
        "extra_attempt_allowed"  # one only


def test_an_extra_attempt_before_the_limit_is_used_is_refused():
    given = pathway()
    english_met(given, "2019-01-01")
    given.record_exam_attempt("PLAB1", False, at("2019-02-01"))
    assert refused(lambda: given.grant_extra_attempt("PLAB1", "clinical_practice", at("2020-03-01"))) == \
        "extra_attempt_allowed"


def test_the_plab1_validity_rule_in_force_on_the_step_date_decides():
    before, after = pathway(), pathway()
    for given in (before, after):
        english_met(given, "2022-05-01")
        given.record_exam_attempt("PLAB1", True, at("2022-06-01"))
    before.record_exam_attempt("PLAB2", True, at("2025-03-30"))  # 3 years under the old rule: still valid
    assert refused(lambda: after.record_exam_attempt("PLAB2", True, at("2025-04-01"))) == "exam_prerequisite_valid"
    assert rules.in_force(rules.EXAMS, date(2025, 3, 31), exam="PLAB2").prerequisite_valid_years == 2


def test_exam_attempts_are_taken_in_date_order():
    given = pathway()
    english_met(given, "2019-01-01")
    given.record_exam_attempt("PLAB1", False, at("2019-05-01"))
    assert refused(lambda: given.record_exam_attempt("PLAB1", True, at("2019-03-01"))) == "steps_in_date_order"
    given.record_exam_attempt("PLAB1", True, at("2019-09-01"))
    assert refused(lambda: given.record_exam_attempt("PLAB2", True, at("2019-08-01"))) == \
        "exam_prerequisite_passed"  # PLAB 1 was passed after this date


def test_an_exam_of_another_regulator_is_refused():
    assert refused(lambda: pathway("NMC").record_exam_attempt("PLAB1", True, at("2019-01-01"))) == \
        "exam_of_this_regulator"


def test_the_gmc_route_registers_after_english_and_both_plab_parts():
    given = pathway()
    assert refused(lambda: given.grant_registration(at("2020-01-01"))) == "registration_requirements"
    english_met(given, "2019-01-01")
    given.record_exam_attempt("PLAB1", True, at("2019-02-01"))
    given.record_exam_attempt("PLAB2", True, at("2019-06-01"))
    given.grant_registration(at("2019-09-01"))
    assert given.registered and given.stage == "job_matching"


def test_registration_needs_the_english_certificate_still_valid_on_the_decision_date():
    given = pathway()
    english_met(given, "2019-01-01")
    given.record_exam_attempt("PLAB1", True, at("2019-02-01"))
    given.record_exam_attempt("PLAB2", True, at("2019-06-01"))
    assert refused(lambda: given.grant_registration(at("2021-02-01"))) == "registration_requirements"


def test_the_nmc_route_needs_cbt_then_an_osce_within_the_cbt_validity():
    given = pathway("NMC", profession="nurse")
    english_met(given, "2019-01-01")
    assert refused(lambda: given.record_exam_attempt("OSCE", True, at("2019-02-01"))) == "exam_prerequisite_passed"
    for month in (2, 3, 4):
        given.record_exam_attempt("CBT", False, at(f"2019-0{month}-01"))
    assert refused(lambda: given.record_exam_attempt("CBT", True, at("2019-05-01"))) == "exam_attempt_limit"
    nurse = pathway("NMC", profession="nurse")
    english_met(nurse, "2019-01-01")
    nurse.record_exam_attempt("CBT", True, at("2019-02-01"))
    assert refused(lambda: nurse.record_exam_attempt("OSCE", True, at("2021-02-02"))) == "exam_prerequisite_valid"
    nurse.record_exam_attempt("OSCE", True, at("2019-10-01"))
    nurse.grant_registration(at("2019-12-01"))
    assert nurse.registered


def test_the_hcpc_route_registers_after_its_international_application():
    given = pathway("HCPC", profession="radiographer")
    english_met(given, "2020-01-01", {"overall": 7.0, "listening": 6.5, "reading": 6.5, "writing": 6.5,
                                      "speaking": 6.5})
    assert refused(lambda: given.grant_registration(at("2020-03-01"))) == "registration_requirements"
    given.reach_stage("registration_applied", at("2020-02-01"))
    given.grant_registration(at("2020-06-01"))
    assert given.registered
    assert [(a["applied_on"], a["status"]) for a in given.applications] == [("2020-02-01", "granted")]


def test_the_gphc_route_goes_through_ospap_and_52_weeks_of_training_within_four_years():
    given = pathway("GPhC", profession="pharmacist")
    english_met(given, "2019-01-01", {"overall": 7.0, "listening": 7.0, "reading": 7.0, "writing": 7.0,
                                      "speaking": 7.0})
    assert refused(lambda: given.reach_stage("ospap_started", at("2019-02-01"))) == "stages_in_order"
    given.reach_stage("eligibility_confirmed", at("2019-02-01"))
    given.reach_stage("ospap_started", at("2019-09-01"))
    given.reach_stage("ospap_completed", at("2020-07-01"))
    given.reach_stage("foundation_started", at("2020-08-01"))
    assert refused(lambda: given.reach_stage("foundation_completed", at("2021-06-01"))) == \
        "foundation_training_length"
    given.reach_stage("foundation_completed", at("2021-08-02"))
    given.record_exam_attempt("GPHC_ASSESSMENT", False, at("2021-09-01"))
    given.record_exam_attempt("GPHC_ASSESSMENT", True, at("2022-01-10"))
    assert refused(lambda: given.grant_registration(at("2022-02-01"))) == "registration_requirements"  # English
    english_met(given, "2022-01-20", {"overall": 7.5, "listening": 7.5, "reading": 7.5, "writing": 7.0,
                                      "speaking": 7.5})
    given.grant_registration(at("2022-02-01"))
    assert given.registered


def test_the_gphc_assessment_after_the_four_year_window_is_refused():
    given = pathway("GPhC", profession="pharmacist")
    for stage, day in (("eligibility_confirmed", "2018-02-01"), ("ospap_started", "2018-09-01"),
                       ("ospap_completed", "2019-07-01"), ("foundation_started", "2019-08-01"),
                       ("foundation_completed", "2020-08-01")):
        given.reach_stage(stage, at(day))
    assert refused(lambda: given.record_exam_attempt("GPHC_ASSESSMENT", True, at("2022-09-02"))) == \
        "gphc_route_window"
    assert {"item": "gphc_route_deadline", "due_on": "2022-09-01"} in due_items(given, date(2022, 1, 1))


def test_a_closed_pathway_takes_no_steps():
    given = pathway()
    given.close("moved_away", at("2019-01-01"))
    assert refused(lambda: given.record_right_to_work_check(None, at("2019-02-01"))) == "closed_pathway_takes_no_steps"
    assert given.stage == "closed" and due_items(given, date(2019, 3, 1)) == []


def test_moving_entry_point_keeps_the_one_at_enrolment():
    given = pathway()
    given.move_entry_point("E-A", "new IELTS result below ESOL level 2", at("2019-01-01"))
    assert (given.entry_point, given.entry_point_at_enrolment) == ("E-A", "E-B")
    assert given.stage == "esol"
    assert refused(lambda: given.move_entry_point("E-A", "again", at("2019-02-01"))) == "entry_point_changes"


def test_esol_level_2_counts_only_with_every_component_passed():
    given = pathway(entry_point="E-A")
    given.record_esol_result("level_2", {"reading": True, "writing": False, "speaking_listening": True},
                             at("2018-06-01"))
    assert given.esol_level is None and given.stage == "esol"
    given.record_esol_result("level_1", {"reading": True, "writing": True, "speaking_listening": True},
                             at("2018-09-01"))
    given.record_esol_result("level_2", {"reading": True, "writing": True, "speaking_listening": True},
                             at("2019-01-01"))
    events = given.collect_events()
    assert given.esol_level == "level_2" and given.stage == "english"
    assert [e.first_level_2 for e in events if type(e).__name__ == "EsolAssessed"] == [False, False, True]


def test_a_change_of_route_closes_this_pathway_and_opens_one_that_keeps_the_history_apart():
    doctor = pathway("GMC", profession="doctor")
    doctor.record_english_sitting("IELTS_ACADEMIC", {"overall": 7.0, "listening": 7.0, "reading": 7.0,
                                                     "writing": 7.0, "speaking": 7.0}, at("2019-01-01"))
    nurse = doctor.change_route("NMC", at("2019-06-01"), "nurse")
    assert doctor.status == "closed" and nurse.regulator == "NMC" and nurse.client_id == doctor.client_id
    assert nurse.attempts == {} and nurse.id == Pathway.create_id(doctor.client_id, "NMC")
    assert nurse.english_met and not doctor.english_met  # the same sitting meets the NMC's thresholds
    assert refused(lambda: doctor.record_exam_attempt("PLAB1", True, at("2019-07-01"))) == \
        "closed_pathway_takes_no_steps"


def test_replay_reproduces_the_pathway():
    app = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    given = pathway()
    english_met(given, "2018-12-01")
    given.record_exam_attempt("PLAB1", False, at("2019-01-01"))
    given.record_exam_attempt("PLAB1", True, at("2019-05-01"))
    given.record_right_to_work_check(None, at("2019-06-01"))
    given.start_employment("care home", False, 20, "healthcare assistant", at("2019-06-03"))
    given.end_employment(at("2019-09-30"))
    given.assign_caseworker("cw-7", at("2019-10-01"))
    app.save(given)
    assert app.repository.get(given.id) == given
