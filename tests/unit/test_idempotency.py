from __future__ import annotations

from datetime import datetime, timezone

import pytest

from chassis.errors import Conflict
from referrals.application import Referrals

WHEN = datetime(2018, 9, 3, 10, 30, tzinfo=timezone.utc)


@pytest.fixture
def app() -> Referrals:
    return Referrals(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def stored(app: Referrals) -> int:
    return app.recorder.max_notification_id() or 0


def test_a_retried_command_is_answered_the_same_and_stored_once(app):
    first, replayed_first = app.submit_referral("club", "key-1", "club", "doctor", WHEN)
    after_first = stored(app)
    again, replayed_again = app.submit_referral("club", "key-1", "club", "doctor", WHEN)
    assert (again, replayed_first, replayed_again) == (first, False, True)
    assert stored(app) == after_first == 1  # the referral only: its id comes from the key


def test_a_retried_update_is_answered_the_same_even_though_repeating_it_would_be_refused(app):
    from uuid import UUID

    submitted, _ = app.submit_referral("club", "key-1", "club", "doctor", WHEN)
    first, _ = app.accept_client("club", "key-2", UUID(submitted["referral_id"]), "E-B", "GMC", WHEN)
    again, replayed = app.accept_client("club", "key-2", UUID(submitted["referral_id"]), "E-B", "GMC", WHEN)
    assert (again, replayed) == (first, True)


def test_a_key_reused_with_another_body_is_a_conflict(app):
    app.submit_referral("club", "key-1", "club", "doctor", WHEN)
    with pytest.raises(Conflict):
        app.submit_referral("club", "key-1", "club", "nurse", WHEN)


def test_keys_are_scoped_to_the_organisation_that_posts(app):
    mine, _ = app.submit_referral("club-a", "key-1", "club-a", "doctor", WHEN)
    theirs, replayed = app.submit_referral("club-b", "key-1", "club-b", "doctor", WHEN)
    assert not replayed and theirs["referral_id"] != mine["referral_id"]
