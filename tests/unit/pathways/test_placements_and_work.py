"""Clinical exposure, interim care work, job offers, employment spells, sustainment and due items."""
from __future__ import annotations

from datetime import date

import pytest

from chassis.errors import RuleBroken
from pathways.domain import rules
from pathways.domain.due import due_items
from pathways.domain.pathway import StepRefused
from tests.unit.pathways.support import at, pathway, refused

GATES = ("dbs", "occupational_health", "references", "id_documents", "induction")


def test_a_placement_starts_only_with_the_trusts_gates_cleared_and_a_named_supervisor():
    given = pathway()
    given.offer_placement("obs-1", "observership", "swbh-trust", 6, date(2019, 3, 1), None, at("2019-02-01"))
    assert refused(lambda: given.start_placement("obs-1", None, at("2019-03-01"))) == \
        "named_supervisor_before_placement"
    given.clear_gate("swbh-trust", "dbs", at("2019-02-10"))
    given.clear_gate("swbh-trust", "occupational_health", at("2019-02-10"))
    given.clear_gate("another-trust", "id_documents", at("2019-02-10"))  # another trust's check does not count
    with pytest.raises(StepRefused) as error:
        given.start_placement("obs-1", "consultant-12", at("2019-03-01"))
    assert error.value.details == {"rule": "placement_gates_cleared", "missing": ["id_documents"]}
    given.clear_gate("swbh-trust", "id_documents", at("2019-02-20"))
    given.start_placement("obs-1", "consultant-12", at("2019-03-01"))
    assert {"item": "placement_ends:obs-1", "due_on": "2019-04-12"} in due_items(given, date(2019, 3, 2))
    given.end_placement("obs-1", "completed", at("2019-04-12"))
    assert given.placements["obs-1"]["status"] == "completed"


def test_a_trusts_own_gates_beat_the_programme_default_from_their_date(monkeypatch):
    own = rules.PlacementGates("uhb-trust", "clinical_attachment", date(2019, 1, 1), GATES)
    monkeypatch.setattr(rules, "PLACEMENT_GATES", (*rules.PLACEMENT_GATES, own))
    assert rules.gates_for("uhb-trust", "clinical_attachment", date(2018, 12, 31)) == rules.DEFAULT_GATES
    assert rules.gates_for("uhb-trust", "clinical_attachment", date(2019, 1, 1)) == GATES
    assert rules.gates_for("uhb-trust", "observership", date(2019, 1, 1)) == rules.DEFAULT_GATES
    given = pathway()
    given.offer_placement("att-1", "clinical_attachment", "uhb-trust", 6, date(2019, 3, 1), "c-1", at("2019-02-01"))
    for gate in rules.DEFAULT_GATES:
        given.clear_gate("uhb-trust", gate, at("2019-02-10"))
    with pytest.raises(StepRefused) as error:
        given.start_placement("att-1", None, at("2019-03-01"))
    assert error.value.details["missing"] == ["references", "induction"]


def test_a_placement_dated_before_any_rule_is_refused_by_rule_not_by_a_server_error():
    given = pathway()
    with pytest.raises(RuleBroken) as error:  # a 422 naming the rule
        given.offer_placement("obs-9", "observership", "swbh-trust", 4, date(1, 1, 1), None, at("2019-02-01"))
    assert error.value.details["rule"] == "rule_in_force" and not given.placements


def test_a_placement_longer_than_the_limit_is_refused():
    given = pathway()
    assert refused(lambda: given.offer_placement("att-1", "clinical_attachment", "swbh-trust", 8, date(2019, 3, 1),
                                                 "consultant-1", at("2019-02-01"))) == "placement_time_limit"
    given.offer_placement("obs-1", "observership", "swbh-trust", 8, date(2019, 3, 1), None, at("2019-02-01"))
    assert refused(lambda: given.offer_placement("obs-1", "observership", "swbh-trust", 4, date(2019, 5, 1), None,
                                                 at("2019-02-02"))) == "placement_ref_unique"


def test_a_placement_is_withdrawn_before_it_starts_or_ended_after():
    given = pathway()
    given.offer_placement("obs-1", "observership", "swbh-trust", 4, date(2019, 3, 1), "c-1", at("2019-02-01"))
    assert refused(lambda: given.end_placement("obs-1", "completed", at("2019-03-01"))) == "placement_status"
    given.end_placement("obs-1", "withdrawn", at("2019-02-15"))
    assert refused(lambda: given.start_placement("obs-1", None, at("2019-03-01"))) == "placement_status"


def test_a_job_start_before_the_right_to_work_check_is_refused():
    given = pathway()
    assert refused(lambda: given.start_employment("SWBH", True, 37.5, "doctor", at("2020-01-06"))) == \
        "right_to_work_before_employment"
    given.record_right_to_work_check(date(2020, 1, 31), at("2020-01-02"))
    assert refused(lambda: given.start_employment("SWBH", True, 37.5, "doctor", at("2020-02-03"))) == \
        "right_to_work_before_employment"  # the permission had expired by the start date
    given.start_employment("SWBH", True, 37.5, "doctor", at("2020-01-06"))
    assert given.employed_since == "2020-01-06"


def test_an_asylum_seekers_permission_covers_shortage_occupations_only():
    given = pathway("NMC")
    given.record_right_to_work_check(date(2021, 6, 30), at("2020-01-02"), "shortage_occupations_only")
    assert refused(lambda: given.start_employment("Acme Ltd", False, 37.5, "clerk", at("2020-02-03"))) == \
        "right_to_work_restriction"
    given.start_employment("SWBH", True, 37.5, "nursing assistant", at("2020-02-03"), shortage_occupation=True)
    given.end_employment(at("2020-06-01"))
    given.record_right_to_work_check(None, at("2020-07-01"))  # granted refugee status: no limit any more
    given.start_employment("Acme Ltd", False, 37.5, "clerk", at("2020-07-06"))
    assert len(given.spells) == 2


def test_a_job_that_ends_and_another_that_starts_keep_their_history():
    given = pathway()
    given.record_right_to_work_check(None, at("2019-01-01"))
    given.start_employment("swbh-trust", True, 37.5, "clinical fellow", at("2019-02-04"))
    assert refused(lambda: given.end_employment(at("2019-02-01"))) == "employment_ends_after_it_starts"
    given.end_employment(at("2019-04-05"))
    assert refused(lambda: given.start_employment("uhb", True, 37.5, "fy2", at("2019-04-01"))) == \
        "steps_in_date_order"
    given.start_employment("uhb", True, 37.5, "fy2", at("2019-05-06"))
    assert [(s["employer"], s["started_on"], s["ended_on"]) for s in given.spells] == [
        ("swbh-trust", "2019-02-04", "2019-04-05"), ("uhb", "2019-05-06", None)]


def test_the_programmes_sustainment_dates_count_cumulative_nhs_weeks_at_sixteen_hours_or_more():
    given = pathway()
    given.record_right_to_work_check(None, at("2019-01-01"))
    given.start_employment("care home", False, 37.5, "care assistant", at("2019-01-07"))  # not NHS: no weeks
    given.end_employment(at("2019-03-01"))
    given.start_employment("swbh-trust", True, 37.5, "clinical fellow", at("2019-03-04"))
    given.end_employment(at("2019-05-03"))  # 61 days, both ends counted
    given.start_employment("uhb", True, 12, "bank", at("2019-05-06"))  # under 16 hours: no weeks
    given.end_employment(at("2019-06-28"))
    given.start_employment("uhb", True, 37.5, "fy2", at("2019-07-01"))  # 30 more days: 2019-07-01..07-30
    assert {"item": "sustained_13_weeks", "due_on": "2019-07-30"} in due_items(given, date(2019, 7, 2))


def test_sustainment_is_confirmed_once_the_client_has_worked_the_weeks_in_any_job_both_ends_counted():
    given = pathway()
    given.record_right_to_work_check(None, at("2019-01-01"))
    given.start_employment("Oak care home", False, 12, "care assistant", at("2019-01-07"), employer_kind="social_care")
    assert refused(lambda: given.confirm_sustainment(13, at("2019-04-06"))) == "sustainment_reached"  # 90 days
    assert refused(lambda: given.confirm_sustainment(26, at("2019-12-31"))) == "sustainment_in_order"
    given.confirm_sustainment(13, at("2019-04-07"))  # S+90: the 91st day
    assert given.spells[-1]["evidenced_until"] == "2019-04-07"
    assert refused(lambda: given.confirm_sustainment(26, at("2019-07-06"))) == "sustainment_reached"
    given.confirm_sustainment(26, at("2019-07-07"))  # S+181
    assert given.sustained == {"13_weeks": "2019-04-07", "26_weeks": "2019-07-07"}
    assert refused(lambda: given.confirm_sustainment(13, at("2019-11-01"))) == "sustainment_confirmed_once"


def test_a_confirmation_of_work_evidences_the_current_job_up_to_its_date():
    given = pathway()
    given.record_right_to_work_check(None, at("2019-01-01"))
    assert refused(lambda: given.confirm_employment("main", "payslip", at("2019-02-01"))) == "employment_current"
    given.start_employment("Spire Hospital", False, 30, "hca", at("2019-01-07"), employer_kind="independent_healthcare",
                           basis="fixed_term")
    given.confirm_employment("main", "payslip", at("2019-03-01"))
    work = given.work()
    assert [(w["employer_kind"], w["basis"], w["evidenced_until"], w["interim"]) for w in work] == \
        [("independent_healthcare", "fixed_term", "2019-03-01", False)]
    assert refused(lambda: given.confirm_employment("interim", "payslip", at("2019-03-01"))) == "employment_current"


def test_interim_care_work_runs_beside_the_pathway_with_its_care_certificate():
    given = pathway(entry_point="E-A")
    assert refused(lambda: given.start_interim_job("Oak care home", 24, at("2019-01-07"))) == \
        "right_to_work_before_employment"
    given.record_right_to_work_check(None, at("2019-01-02"))
    given.start_interim_job("Oak care home", 24, at("2019-01-07"))
    assert {"item": "care_certificate_due", "due_on": "2019-04-01"} in due_items(given, date(2019, 1, 8))
    given.complete_care_certificate(at("2019-03-20"))
    given.start_employment("swbh-trust", True, 37.5, "healthcare assistant", at("2019-06-03"))
    assert given.interim_since == "2019-01-07" and given.employed_since == "2019-06-03"
    given.end_interim_job(at("2019-06-01"))
    assert refused(lambda: given.end_interim_job(at("2019-07-01"))) == "interim_job_ends_after_it_starts"


def test_a_job_offer_is_withdrawn_once():
    given = pathway()
    given.offer_job("offer-1", "swbh-trust", True, "clinical fellow", True, at("2019-05-01"))
    given.withdraw_job_offer("offer-1", at("2019-06-01"))
    assert refused(lambda: given.withdraw_job_offer("offer-1", at("2019-06-02"))) == "job_offer_open"


def test_mentoring_sessions_add_up():
    given = pathway()
    given.record_mentoring("mentor-3", 60, at("2019-01-10"))
    given.record_mentoring("mentor-3", 45, at("2019-02-10"))
    assert (given.mentoring_sessions, given.mentoring_minutes) == (2, 105)


def test_due_items_follow_the_pathway_and_the_rules_in_force():
    given = pathway()
    given.record_english_sitting("IELTS_ACADEMIC", {"overall": 8.0, "listening": 8.0, "reading": 8.0,
                                                    "writing": 8.0, "speaking": 8.0}, at("2024-01-10"))
    given.record_exam_attempt("PLAB1", True, at("2024-02-01"))
    given.record_right_to_work_check(date(2026, 6, 30), at("2024-03-01"))
    given.start_employment("swbh-trust", True, 20, "clinical fellow", at("2024-03-04"))
    assert due_items(given, date(2024, 3, 5)) == [
        {"item": "sustained_13_weeks", "due_on": "2024-06-02"},  # S+90: the last day of the 13th week
        {"item": "sustained_26_weeks", "due_on": "2024-09-01"},  # S+181
        {"item": "english_certificate_expires", "due_on": "2026-01-10"},
        {"item": "plab1_pass_expires", "due_on": "2026-02-01"},  # 2 years under the rule in force
        {"item": "right_to_work_follow_up_check", "due_on": "2026-06-02"},
    ]
