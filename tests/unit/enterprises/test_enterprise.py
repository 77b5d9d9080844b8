"""The Enterprise aggregate: the new-enterprise rule (ERDF CO05), support within a programme, registration
once, merging duplicates; and the stored v1 registration replayed through its upcaster."""
from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, date, datetime

import pytest
from eventsourcing.persistence import StoredEvent

from chassis.clock import OccurredInFutureError
from chassis.errors import RuleBroken
from enterprises.application import Enterprises
from enterprises.domain.enterprise import Enterprise, is_new_enterprise, twelve_months_before

WHEN = datetime(2018, 7, 16, 10, tzinfo=UTC)
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def enterprise(registered_on: date | None = date(2017, 8, 16), legal_form: str | None = "cic") -> Enterprise:
    return Enterprise.record(id=uuid.uuid4(), legal_form=legal_form if registered_on else None,
                             registered_on=registered_on, occurred_at=datetime(2018, 9, 1, tzinfo=UTC))


def in_programme(given: Enterprise) -> uuid.UUID:
    programme = uuid.uuid4()
    given.join_programme(programme, "fuse_cohort", WHEN)
    return programme


def names(aggregate: Enterprise) -> list[str]:
    return [type(e).__name__ for e in aggregate.collect_events()]


@pytest.mark.parametrize("registered_on,new", [
    (date(2017, 8, 16), True),   # 11 months before the first support
    (date(2017, 6, 16), False),  # 13 months before
    (date(2017, 7, 16), False),  # exactly 12 months: not "less than 12 months"
    (date(2017, 7, 17), True),
    (date(2018, 8, 1), True),    # registered after pre-start support
])
def test_an_enterprise_is_new_when_registered_less_than_twelve_months_before_its_first_support(registered_on, new):
    given = enterprise(registered_on)
    given.log_support("one_to_one", 60, WHEN, programme_id=in_programme(given))
    assert given.new_enterprise is new
    assert is_new_enterprise(registered_on, WHEN.date()) is new


def test_twelve_months_before_a_leap_day_is_the_last_day_of_february():
    assert twelve_months_before(date(2020, 2, 29)) == date(2019, 2, 28)


def test_the_earliest_support_decides_even_when_it_is_logged_late():
    given = enterprise(date(2017, 8, 16))
    programme = in_programme(given)
    given.log_support("workshop", 60, datetime(2018, 9, 1, tzinfo=UTC), programme_id=programme)
    assert given.new_enterprise is False  # 12 months before 1 Sep 2018 is 1 Sep 2017: registered before that
    given.log_support("workshop", 60, WHEN, programme_id=programme)  # back-dated: 16 Jul 2018
    assert (given.first_support_on, given.new_enterprise) == (WHEN.date(), True)


def test_a_venture_supported_before_it_registers_becomes_new_when_it_registers():
    given = enterprise(None)
    given.log_support("mentoring", 90, WHEN)
    assert given.new_enterprise is None  # not yet an enterprise
    given.record_registration("co_operative", date(2018, 8, 15), datetime(2018, 8, 20, tzinfo=UTC))
    events = given.collect_events()
    assert (events[-1].new_enterprise, events[-1].first_support_on) == (True, WHEN.date())


def test_staff_support_hours_need_a_programme_the_enterprise_belongs_to():
    given = enterprise()
    with pytest.raises(RuleBroken) as refused:
        given.log_support("workshop", 120, WHEN, programme_id=uuid.uuid4())
    assert refused.value.details["rule"] == "support_within_a_programme"
    assert names(given) == ["Registered"]
    given.log_support("mentoring", 60, WHEN, source_id=uuid.uuid4())  # a mentor's session needs no programme here
    given.log_support("grant", 0, WHEN, source_id=uuid.uuid4(), amount_pence=150000)
    assert (given.non_financial_minutes, given.grant_pence, given.grants) == (60, 150000, 1)


def test_registration_is_recorded_once_and_not_in_the_future():
    given = enterprise(None)
    with pytest.raises(OccurredInFutureError):
        given.record_registration("cic", date(2018, 1, 1), datetime(2999, 1, 1, tzinfo=UTC))
    given.record_registration("cic", date(2018, 1, 1), WHEN)
    with pytest.raises(RuleBroken) as refused:
        given.record_registration("charity", date(2018, 1, 1), WHEN)
    assert refused.value.details["rule"] == "registered_once"


def test_only_a_record_without_support_is_merged_and_then_it_takes_no_steps():
    kept, duplicate, supported = enterprise(), enterprise(), enterprise()
    supported.log_support("mentoring", 30, WHEN)
    with pytest.raises(RuleBroken) as refused:
        supported.merge_into(kept, WHEN)
    assert refused.value.details["rule"] == "merge_before_support"
    duplicate.merge_into(kept, WHEN)
    with pytest.raises(RuleBroken) as closed:
        duplicate.log_support("mentoring", 30, WHEN)
    assert closed.value.details == {"rule": "merged_enterprise_takes_no_steps", "enterprise_id": str(kept.id)}


def test_a_stored_version_1_registration_replays_with_no_details():
    with open(os.path.join(FIXTURES, "enterprise_registered_v1.json")) as handle:
        stored = json.load(handle)
    app = Enterprises(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    event = app.mapper.to_domain_event(StoredEvent(
        originator_id=uuid.UUID(stored["originator_id"]), originator_version=stored["originator_version"],
        topic=stored["topic"], state=stored["state"].encode()))
    replayed = event.mutate(None)
    assert (replayed.legal_form, replayed.registered_on, replayed.details) == ("cic", date(2018, 3, 1), None)
    assert event.meta["organisation"] == "ise" and replayed.programmes == {}


def test_a_correction_changes_the_hours_of_staff_support_from_its_day_and_keeps_the_support_as_logged():
    given = enterprise()
    programme = in_programme(given)
    given.log_support("workshop", 6 * 60, WHEN, programme_id=programme)
    logged = given.version
    given.log_support("one_to_one", 60, WHEN, programme_id=programme)
    given.collect_events()
    later = datetime(2018, 8, 1, tzinfo=UTC)
    given.correct_support(logged, 4 * 60, "hours_mistyped", later)
    (corrected,) = given.collect_events()
    assert (type(corrected).__name__, corrected.support_version, corrected.supported_on, corrected.previous_minutes,
            corrected.minutes) == ("SupportCorrected", logged, WHEN.date(), 360, 240)
    assert given.non_financial_minutes == 5 * 60 and given.staff_support[logged] == ("workshop", 240, WHEN.date())
    given.correct_support(logged, 5 * 60, "hours_revised_by_provider", later)  # corrected again, from the correction
    assert given.non_financial_minutes == 6 * 60


@pytest.mark.parametrize("version,minutes,when,rule", [
    (3, 60, datetime(2018, 8, 1, tzinfo=UTC), "correction_changes_the_hours"),
    (2, 60, datetime(2018, 8, 1, tzinfo=UTC), "staff_support_to_correct"),  # joining a programme
    (9, 60, datetime(2018, 8, 1, tzinfo=UTC), "staff_support_to_correct"),
    (3, 30, datetime(2018, 7, 15, tzinfo=UTC), "correction_after_the_support"),
])
def test_a_correction_is_refused_unless_it_changes_logged_staff_support_after_it(version, minutes, when, rule):
    given = enterprise()
    given.log_support("one_to_one", 60, WHEN, programme_id=in_programme(given))
    with pytest.raises(RuleBroken) as refused:
        given.correct_support(version, minutes, "other", when)
    assert refused.value.details["rule"] == rule


def test_a_grant_or_a_mentoring_session_is_not_corrected_as_staff_support():
    given = enterprise()
    given.log_support("mentoring", 60, WHEN, source_id=uuid.uuid4())
    with pytest.raises(RuleBroken) as refused:
        given.correct_support(given.version, 90, "other", WHEN)
    assert refused.value.details["rule"] == "staff_support_to_correct"


def test_a_dissolved_enterprise_takes_no_step_after_the_day_it_dissolved_but_support_before_it_is_still_logged():
    given = enterprise()
    programme = in_programme(given)
    given.log_support("one_to_one", 60, WHEN, programme_id=programme)
    with pytest.raises(RuleBroken) as early:
        given.dissolve("wound_up", datetime(2018, 7, 15, tzinfo=UTC))  # before its last support
    assert early.value.details["rule"] == "dissolution_after_what_it_did"
    given.dissolve("ceased_trading", datetime(2018, 8, 31, tzinfo=UTC))
    given.log_support("workshop", 60, datetime(2018, 8, 31, 9, tzinfo=UTC), programme_id=programme)  # logged late
    for step in (lambda: given.log_support("workshop", 60, datetime(2018, 9, 1, tzinfo=UTC), programme_id=programme),
                 lambda: given.join_programme(uuid.uuid4(), "boot_camp", datetime(2018, 9, 2, tzinfo=UTC))):
        with pytest.raises(RuleBroken) as refused:
            step()
        assert refused.value.details["rule"] == "dissolved_enterprise_takes_no_steps"
    with pytest.raises(RuleBroken) as twice:
        given.dissolve("other", datetime(2018, 9, 3, tzinfo=UTC))
    assert twice.value.details["rule"] == "dissolved_once"
    assert given.view()["dissolved_on"] == date(2018, 8, 31) and given.non_financial_minutes == 120
