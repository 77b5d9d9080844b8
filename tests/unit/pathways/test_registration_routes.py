"""Registration routes: applications, refusals and blocks; exam attempts within an application (NMC)."""
from __future__ import annotations

from datetime import date

from pathways.translation import to_contract
from tests.unit.pathways.support import at, english_met, ielts, pathway, refused


def test_a_nurse_referred_in_2017_with_ielts_seven_in_every_skill_is_registered_by_the_nmc_in_2018():
    given = pathway("NMC", opened="2017-03-01")
    given.record_english_sitting("IELTS_ACADEMIC", ielts(7.0, 7.0), at("2017-05-20"))
    assert given.english_met and given.english_expires_on == "2019-05-20"
    given.apply_for_registration(at("2017-06-01"))
    given.record_exam_attempt("CBT", True, at("2017-07-03"))
    given.record_exam_attempt("OSCE", True, at("2018-01-15"))
    given.grant_registration(at("2018-03-01"))
    assert given.registered and given.applications[-1]["status"] == "granted"


def test_before_december_2018_the_nmc_refuses_writing_below_seven_and_does_not_combine_sittings():
    given = pathway("NMC", opened="2017-03-01")
    given.record_english_sitting("IELTS_ACADEMIC", ielts(7.5, 7.5, writing=6.5), at("2017-05-20"))
    assert not given.english_met
    given.record_english_sitting("IELTS_ACADEMIC", ielts(7.0, 6.5, writing=7.5), at("2017-08-20"))
    assert not given.english_met  # the two sittings together would pass; the rule then took one sitting


def test_osce_attempts_are_counted_within_an_application_and_a_new_one_waits_six_months():
    given = pathway("NMC", opened="2019-01-02")
    english_met(given, "2019-01-10")
    given.apply_for_registration(at("2019-01-15"))
    given.record_exam_attempt("CBT", True, at("2019-02-01"))
    given.record_exam_attempt("OSCE", False, at("2019-03-01"))
    assert refused(lambda: given.record_exam_attempt("OSCE", False, at("2019-03-10"))) == "exam_resit_interval"
    given.record_exam_attempt("OSCE", False, at("2019-03-15"))  # ten working days later
    given.record_exam_attempt("OSCE", False, at("2019-04-01"))
    assert refused(lambda: given.record_exam_attempt("OSCE", True, at("2019-05-01"))) == "exam_attempt_limit"
    assert refused(lambda: given.apply_for_registration(at("2019-09-30"))) == "reapplication_wait"
    given.apply_for_registration(at("2019-10-01"))  # six months after the last attempt
    given.record_exam_attempt("OSCE", True, at("2019-10-20"))
    given.grant_registration(at("2019-11-01"))
    assert given.registered and [a["status"] for a in given.applications] == ["closed", "granted"]


def test_plab_attempts_are_counted_over_the_route_and_an_exhausted_route_can_be_blocked():
    given = pathway("GMC")
    english_met(given, "2018-01-10")
    for month in ("02", "04", "06", "08"):
        given.record_exam_attempt("PLAB1", False, at(f"2018-{month}-01"))
    assert refused(lambda: given.record_exam_attempt("PLAB1", True, at("2018-10-01"))) == "exam_attempt_limit"
    assert refused(lambda: given.apply_for_registration(at("2018-10-01"))) == "application_after_route_steps"
    given.block_registration("attempts_exhausted", at("2018-10-02"))
    assert refused(lambda: given.record_exam_attempt("PLAB1", True, at("2019-10-01"))) == "registration_blocked"
    assert refused(lambda: given.grant_registration(at("2019-10-01"))) == "registration_blocked"
    given.grant_extra_attempt("PLAB1", "clinical_practice", at("2019-09-01"))  # reopens the route
    given.record_exam_attempt("PLAB1", True, at("2019-10-01"))
    assert given.blocked is None and "PLAB1" in given.passed_on


def test_a_refused_application_leaves_the_route_open_for_another():
    given = pathway("HCPC", profession="radiographer")
    english_met(given, "2020-01-01")
    assert refused(lambda: given.refuse_registration("incomplete_application", at("2020-02-01"))) == \
        "application_open"
    given.apply_for_registration(at("2020-02-01"))
    assert refused(lambda: given.apply_for_registration(at("2020-02-02"))) == "one_application_at_a_time"
    given.refuse_registration("incomplete_application", at("2020-04-01"))
    assert refused(lambda: given.grant_registration(at("2020-04-02"))) == "registration_requirements"
    given.apply_for_registration(at("2020-05-01"))
    given.grant_registration(at("2020-07-01"))
    assert [a["status"] for a in given.applications] == ["refused", "granted"]


def test_steps_of_the_route_publish_their_milestones():
    given = pathway("HCPC", profession="radiographer")
    given.apply_for_registration(at("2020-02-01"))
    given.refuse_registration("english_not_met", at("2020-04-01"))
    given.block_registration("fitness_to_practise", at("2020-05-01"))
    published = [to_contract(e) for e in given.collect_events()]
    assert [(m["milestone"], m["detail"]) for m in published if m and "milestone" in m] == [
        ("registration_applied", {}), ("registration_refused", {"reason": "english_not_met"}),
        ("registration_blocked", {"reason": "fitness_to_practise"})]


def test_courses_qualifications_and_a_mentor_are_steps_of_their_own():
    given = pathway(entry_point="E-A")
    given.start_course("esol-e3", "esol", at("2018-01-10"), "entry_3", 60)
    assert refused(lambda: given.start_course("esol-e3", "esol", at("2018-01-11"))) == "course_ref_unique"
    given.end_course("esol-e3", "completed", at("2018-06-30"))
    given.record_esol_result("entry_3", {"reading": True, "writing": True, "speaking_listening": True},
                             at("2018-07-05"), 60)
    given.record_qualification("vocational", "level_2", at("2018-09-01"), 330, "cert-77")
    assert refused(lambda: given.record_qualification("vocational", "level_2", at("2018-09-02"), None, "cert-77")) \
        == "qualification_ref_unique"
    assert [(q["kind"], q["level"], q["on"]) for q in given.qualifications] == [
        ("esol", "entry_3", "2018-07-05"), ("vocational", "level_2", "2018-09-01")]
    assert refused(lambda: given.record_mentoring(None, 60, at("2018-02-01"))) == "mentor_named"
    given.assign_mentor("mentor-4", at("2018-02-01"))
    given.record_mentoring(None, 60, at("2018-02-08"))
    published = [to_contract(e) for e in given.collect_events()]
    milestones = [(m["milestone"], m["detail"].get("level")) for m in published if m and "milestone" in m]
    assert milestones == [("training_started", "entry_3"), ("training_ended", None),
                          ("qualification_achieved", "entry_3"), ("qualification_achieved", "level_2"),
                          ("mentor_assigned", None)]
    assert [e for e in published if e and e.get("milestone") == "mentor_assigned"][0]["detail"] == {}


def test_a_change_of_route_carries_the_persons_work_and_qualifications():
    given = pathway("GMC", opened="2018-01-02")
    given.record_right_to_work_check(None, at("2018-01-05"))
    given.record_qualification("esol", "level_2", at("2018-02-01"))
    given.start_interim_job("Oak care home", 20, at("2018-03-01"))
    given.start_employment("swbh-trust", True, 37.5, "healthcare assistant", at("2018-04-02"))
    new = given.change_route("NMC", at("2018-05-01"))
    assert new.employed_since == "2018-04-02" and new.interim_since == "2018-03-01"
    assert [q["level"] for q in new.qualifications] == ["level_2"] and new.right_to_work_checked
    new.end_employment(at("2018-10-31"))
    assert [(w["interim"], w["started_on"], w["ended_on"]) for w in new.work()] == [
        (True, "2018-03-01", None), (False, "2018-04-02", "2018-10-31")]
    assert new.attempts == {} and new.applications == []


def test_each_step_of_the_work_record_publishes_the_whole_record_after_it():
    given = pathway("GMC", opened="2018-01-02")
    given.record_right_to_work_check(None, at("2018-01-05"))
    given.start_employment("Spire", False, 30, "hca", at("2018-02-01"), employer_kind="independent_healthcare")
    given.confirm_employment("main", "payslip", at("2018-03-01"))
    given.end_employment(at("2018-03-31"))
    published = [to_contract(e) for e in given.collect_events()]
    work = [(m["milestone"], [(w["employer_kind"], w["evidenced_until"], w["ended_on"]) for w in m["detail"]["work"]])
            for m in published if m and m.get("milestone", "").startswith("employment")]
    assert work == [("employment_started", [("independent_healthcare", "2018-02-01", None)]),
                    ("employment_confirmed", [("independent_healthcare", "2018-03-01", None)]),
                    ("employment_ended", [("independent_healthcare", "2018-03-31", "2018-03-31")])]
    assert date.fromisoformat(work[-1][1][0][2]) == date(2018, 3, 31)
