"""A recruitment round and its applications, and programmes: each step, and the rule each refusal names."""
from __future__ import annotations

import copy
import uuid
from datetime import UTC, date, datetime

import pytest

from chassis.errors import NotFound, RuleBroken
from enterprises.domain.fuse import Programme, RecruitmentRound

WHEN = datetime(2018, 7, 2, 10, tzinfo=UTC)
APPLIED = datetime(2018, 4, 10, 10, tzinfo=UTC)


def open_round(places: int | None = None) -> RecruitmentRound:
    return RecruitmentRound(id=uuid.uuid4(), name="FUSE round", programme_id=uuid.uuid4(), opens_on=date(2018, 4, 1),
                            closes_on=date(2018, 6, 30), places=places, occurred_at=APPLIED)


def submitted(round_: RecruitmentRound, applicant: uuid.UUID | None = None,
              enterprise: uuid.UUID | None = None) -> uuid.UUID:
    application = uuid.uuid4()
    round_.submit(application, applicant or uuid.uuid4(), enterprise or uuid.uuid4(), "new", "food", APPLIED)
    return application


def interviewed(round_: RecruitmentRound, panel: tuple[str, ...] = ("ise-lead",)) -> uuid.UUID:
    application = submitted(round_)
    round_.shortlist(application, WHEN)
    round_.interview(application, list(panel), WHEN)
    return application


def refused(action, rule: str) -> None:
    with pytest.raises(RuleBroken) as error:
        action()
    assert error.value.details["rule"] == rule


def test_an_application_is_shortlisted_interviewed_and_accepted_into_the_rounds_cohort():
    round_ = open_round()
    application = interviewed(round_)
    round_.decide(application, "accepted", "selected", None, WHEN)
    decided = round_.application(application)
    assert (decided["status"], decided["programme_id"]) == ("accepted", round_.programme_id)
    assert [type(e).__name__ for e in round_.collect_events()] == [
        "Opened", "ApplicationSubmitted", "Shortlisted", "Interviewed", "Decided"]


def test_applications_arrive_within_the_round_and_once_per_applicant_and_enterprise():
    round_ = open_round()
    refused(lambda: round_.submit(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "new", "food",
                                  datetime(2018, 7, 1, tzinfo=UTC)), "applications_within_the_round")
    person, venture = uuid.uuid4(), uuid.uuid4()
    submitted(round_, person, venture)
    refused(lambda: submitted(round_, person, venture), "one_application_per_applicant_and_enterprise")
    submitted(round_, uuid.uuid4(), venture)  # a co-founder applies for the same enterprise
    assert len({a["enterprise_id"] for a in round_.applications.values()}) == 1


def test_a_panel_member_with_a_declared_conflict_never_interviews_and_a_late_declaration_voids_the_interview():
    round_ = open_round()
    application = submitted(round_)
    round_.declare_conflict(application, "mentor-4", "family", WHEN)
    round_.shortlist(application, WHEN)
    refused(lambda: round_.interview(application, ["ise-lead", "mentor-4"], WHEN), "conflicted_member_off_the_panel")
    round_.interview(application, ["ise-lead", "mentor-5"], WHEN)
    round_.declare_conflict(application, "mentor-5", "business_interest", WHEN)
    assert round_.application(application)["status"] == "shortlisted"
    refused(lambda: round_.decide(application, "accepted", "selected", None, WHEN), "interview_before_decision")
    refused(lambda: round_.declare_conflict(application, "mentor-5", "friend", WHEN), "conflict_declared_once")


def test_accepted_and_rejected_are_final_and_a_waitlisted_applicant_may_be_accepted_later():
    round_ = open_round(places=1)
    first, second = interviewed(round_), interviewed(round_)
    round_.decide(first, "waitlisted", "places_full", None, WHEN)
    round_.decide(first, "accepted", "selected", None, WHEN)
    refused(lambda: round_.decide(first, "rejected", "other", None, WHEN), "decision_is_final")
    refused(lambda: round_.decide(second, "accepted", "selected", None, WHEN), "round_places")
    round_.decide(second, "rejected", "places_full", None, WHEN)
    refused(lambda: round_.decide(second, "waitlisted", "places_full", None, WHEN), "decision_is_final")


def test_a_refused_step_changes_nothing_and_a_closed_round_takes_no_steps():
    round_ = open_round()
    application = submitted(round_)
    round_.collect_events()
    before = copy.deepcopy(round_.__dict__)
    refused(lambda: round_.interview(application, ["ise-lead"], WHEN), "interview_shortlisted_applications")
    assert round_.__dict__ == before and not round_.pending_events
    round_.close(WHEN)
    refused(lambda: round_.shortlist(application, WHEN), "round_closed_is_final")
    with pytest.raises(NotFound):
        open_round().shortlist(uuid.uuid4(), WHEN)


def test_staff_link_an_application_to_another_enterprise_until_it_is_decided():
    round_ = open_round()
    application = interviewed(round_)
    other = uuid.uuid4()
    round_.link_enterprise(application, other, WHEN)
    assert round_.application(application)["enterprise_id"] == str(other)
    refused(lambda: round_.link_enterprise(application, other, WHEN), "link_to_another_enterprise")
    round_.decide(application, "rejected", "not_eligible", None, WHEN)
    refused(lambda: round_.link_enterprise(application, uuid.uuid4(), WHEN), "link_before_decision")


def test_a_programme_admits_each_enterprise_and_person_once_and_no_one_after_it_ends():
    camp = Programme(id=uuid.uuid4(), kind="boot_camp", name="Summer Boot Camp", starts_on=date(2018, 7, 16),
                     ends_on=date(2018, 8, 24), occurred_at=WHEN)
    venture, founder, cofounder = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assert camp.admit(venture, founder, WHEN) is True
    assert camp.admit(venture, cofounder, WHEN) is False  # the enterprise is a member already; the person joins
    refused(lambda: camp.admit(venture, founder, WHEN), "member_once")
    refused(lambda: camp.admit(None, uuid.uuid4(), datetime(2018, 9, 1, tzinfo=UTC)), "join_before_the_end")
    assert (camp.enterprises, camp.people) == ([str(venture)], [str(founder), str(cofounder)])
