"""The referral lifecycle: given events, a command, the expected events (or the rule it breaks)."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from eventsourcing.application import Application

from chassis.clock import OccurredInFutureError
from chassis.errors import RuleBroken
from referrals.domain.referral import (
    ConsentRequiredError,
    NotAssessedError,
    Referral,
    ReferralClosedError,
    TooFewAttemptsError,
    entry_point_for,
)

WHEN = datetime(2018, 9, 3, 10, 30, tzinfo=UTC)


def referral() -> Referral:
    return Referral(id=uuid.uuid4(), client_id=uuid.uuid4(), partner_id="club", profession="doctor",
                    right_to_work="yes", ielts_taken=False, ielts_score_needed=None, personal="v1.sealed",
                    occurred_at=WHEN)


def assessed(english: str = "esol_level_2", eligible: bool = True, basis: str = "public_task") -> Referral:
    given = referral()
    given.record_contact_attempt("reached", WHEN)
    given.record_consent(basis, True, True, WHEN)
    given.assess(lives_in_area=eligible, overseas_health_qualification=True, immigration_status="refugee",
                 english=english, registered=False, occurred_at=WHEN)
    return given


def names(aggregate: Referral) -> list[str]:
    return [type(e).__name__ for e in aggregate.collect_events()]


@pytest.mark.parametrize("english,registered,entry_point", [
    ("below_esol_level_2", False, "E-A"), ("esol_level_2", False, "E-B"),
    ("regulator_requirement_met", False, "E-C"), ("below_esol_level_2", True, "E-D"),
])
def test_the_entry_point_follows_english_and_registration(english, registered, entry_point):
    assert entry_point_for(english, registered) == entry_point


def test_the_whole_path_to_acceptance_is_recorded_step_by_step():
    given = assessed("regulator_requirement_met")
    given.accept(regulator="GMC", occurred_at=WHEN)
    assert names(given) == ["Received", "Contacted", "ConsentRecorded", "Assessed", "Accepted"]
    assert (given.status, given.entry_point) == ("accepted", "E-C")


def test_assessment_before_a_lawful_basis_is_refused():
    given = referral()
    with pytest.raises(ConsentRequiredError):
        given.assess(lives_in_area=True, overseas_health_qualification=True, immigration_status="refugee",
                     english="esol_level_2", registered=False, occurred_at=WHEN)
    assert names(given) == ["Received"]


def test_acceptance_before_assessment_is_refused():
    given = referral()
    given.record_consent("public_task", True, True, WHEN)
    with pytest.raises(NotAssessedError):
        given.accept(regulator="GMC", occurred_at=WHEN)


def test_an_ineligible_person_cannot_be_accepted_but_can_be_declined():
    given = assessed(eligible=False)
    with pytest.raises(NotAssessedError):
        given.accept(regulator="NMC", occurred_at=WHEN)
    given.decline(reason="not_eligible_area", occurred_at=WHEN)
    assert (given.status, given.closed_reason) == ("declined", "not_eligible_area")


def test_withdrawn_consent_stops_what_relied_on_it():
    given = assessed(basis="consent")
    given.withdraw_consent(WHEN)
    with pytest.raises(ConsentRequiredError):
        given.accept(regulator="GMC", occurred_at=WHEN)


def test_an_asylum_seeker_without_permission_is_flagged_work_restricted():
    given = referral()
    given.record_consent("public_task", True, True, WHEN)
    given.assess(lives_in_area=True, overseas_health_qualification=True,
                 immigration_status="asylum_seeker_no_permission",
                 english="below_esol_level_2", registered=False, occurred_at=WHEN)
    given.accept(regulator="NMC", occurred_at=WHEN)
    accepted = [e for e in given.collect_events() if type(e).__name__ == "Accepted"][0]
    assert accepted.work_restricted is True and accepted.entry_point == "E-A"


def test_closing_for_no_contact_needs_three_unanswered_attempts():
    given = referral()
    for _ in range(2):
        given.record_contact_attempt("no_answer", WHEN)
    with pytest.raises(TooFewAttemptsError):
        given.close_for_no_contact(WHEN)
    given.record_contact_attempt("message_left", WHEN)
    given.close_for_no_contact(WHEN)
    assert (given.status, given.attempts) == ("closed_no_contact", 3)


def test_a_closed_referral_takes_no_more_steps():
    given = assessed()
    given.decline(reason="not_interested", occurred_at=WHEN)
    for step in (lambda: given.accept(regulator="GMC", occurred_at=WHEN),
                 lambda: given.record_contact_attempt("reached", WHEN),
                 lambda: given.withdraw("moved away", WHEN)):
        with pytest.raises(ReferralClosedError):
            step()


def test_a_client_may_withdraw_after_acceptance():
    given = assessed()
    given.accept(regulator="GMC", occurred_at=WHEN)
    given.withdraw("moved away", WHEN)
    assert given.status == "withdrawn"


def test_a_correction_is_its_own_event_and_erased_data_stays_erased():
    given = referral()
    given.correct_details("v1.corrected", ["person.email"], WHEN)
    assert given.personal == "v1.corrected"
    given.erase()
    with pytest.raises(RuleBroken):
        given.correct_details("v1.again", ["person.email"], WHEN)
    assert names(given) == ["Received", "DetailsCorrected", "Erased"]


def test_a_step_dated_in_the_future_is_refused():
    with pytest.raises(OccurredInFutureError):
        referral().record_contact_attempt("reached", datetime.now(UTC) + timedelta(days=1))


def test_every_event_carries_who_recorded_it():
    from chassis.meta import recording

    with recording(actor="caseworker-7", organisation="learning-works", idempotency_key="k", correlation_id="c"):
        given = referral()
    (received,) = given.collect_events()
    assert received.meta == {"actor": "caseworker-7", "organisation": "learning-works",
                             "idempotency_key": "k", "correlation_id": "c"}


def test_replaying_the_stored_events_rebuilds_the_same_referral():
    app = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    given = assessed("regulator_requirement_met")
    given.accept(regulator="GMC", occurred_at=WHEN)
    given.withdraw("found work elsewhere", WHEN)
    app.save(given)
    assert app.repository.get(given.id) == given


def test_the_immigration_status_is_stored_sealed_and_only_the_work_restriction_in_clear():
    given = referral()
    given.record_contact_attempt("reached", WHEN)
    given.record_consent("public_task", True, True, WHEN)
    given.collect_events()
    given.assess(lives_in_area=True, overseas_health_qualification=True,
                 immigration_status="asylum_seeker_no_permission",
                 english="esol_level_2", registered=False, occurred_at=WHEN,
                 seal=lambda data: "v1.sealed-" + str(len(data)))
    [assessed_event] = given.collect_events()
    assert assessed_event.immigration_status == "v1.sealed-1" and assessed_event.work_restricted is True
    assert "asylum" not in repr(vars(assessed_event))


def test_an_erased_person_is_not_assessed_nor_corrected():
    given = referral()
    given.record_contact_attempt("reached", WHEN)
    given.record_consent("public_task", True, True, WHEN)
    given.erase()
    for step in (lambda: given.assess(lives_in_area=True, overseas_health_qualification=True,
                                      immigration_status="refugee", english="esol_level_2", registered=False,
                                      occurred_at=WHEN),
                 lambda: given.correct_details("v1.new", ["person.mobile"], WHEN)):
        with pytest.raises(RuleBroken) as refused:
            step()
        assert refused.value.details["rule"] == "erased_data_stays_erased"
