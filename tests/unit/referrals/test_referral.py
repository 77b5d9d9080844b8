from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from eventsourcing.application import Application

from referrals.domain import OccurredInFutureError, Referral, ReferralAlreadyDecidedError

WHEN = datetime(2018, 9, 3, 10, 30, tzinfo=timezone.utc)


def referral() -> Referral:
    return Referral(id=uuid.uuid4(), client_id=uuid.uuid4(), partner_id="club", profession="doctor", right_to_work="yes",
                    ielts_taken=False, ielts_score_needed=None, personal="v1.sealed", occurred_at=WHEN)


def test_accepting_an_accepted_referral_is_refused_and_changes_nothing():
    given = referral()
    given.accept(entry_point="E-B", regulator="GMC", occurred_at=WHEN)
    with pytest.raises(ReferralAlreadyDecidedError) as refused:
        given.accept(entry_point="E-C", regulator="GMC", occurred_at=WHEN)
    assert refused.value.details["rule"] == "referral_decided_once"
    assert [type(e).__name__ for e in given.collect_events()] == ["Received", "Accepted"]
    assert given.entry_point == "E-B"


def test_an_acceptance_dated_in_the_future_is_refused():
    given = referral()
    with pytest.raises(OccurredInFutureError):
        given.accept(entry_point="E-A", regulator="NMC", occurred_at=datetime.now(timezone.utc) + timedelta(days=1))
    assert given.status == "received"


def test_every_event_carries_who_recorded_it():
    from chassis.meta import recording

    with recording(actor="caseworker-7", organisation="learning-works", idempotency_key="k", correlation_id="c"):
        given = referral()
    (received,) = given.collect_events()
    assert received.meta == {"actor": "caseworker-7", "organisation": "learning-works",
                             "idempotency_key": "k", "correlation_id": "c"}


def test_replaying_the_stored_events_rebuilds_the_same_referral():
    app = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    given = referral()
    given.accept(entry_point="E-D", regulator="HCPC", occurred_at=WHEN)
    app.save(given)
    assert app.repository.get(given.id) == given
