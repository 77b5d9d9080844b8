from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chassis.errors import Conflict
from chassis.idempotency import Once
from referrals.application import Referrals

WHEN = datetime(2018, 9, 3, 10, 30, tzinfo=UTC)


def submit(app, scope: str, key: str, partner: str, profession: str):
    from chassis.errors import Conflict
    from contracts.referrals import SubmitReferral
    from launcher.demo_people import referral_form

    try:
        app.register_partner(Once("hub", f"register-{partner}"), partner, partner.title(), "work_club", WHEN)
    except Conflict:
        pass  # registered by an earlier call under another key
    loaded = SubmitReferral().load(referral_form(1, partner, profession, WHEN.isoformat()))
    return app.submit_referral(Once(scope, key), loaded, lambda client_id, data: "v1.sealed")


@pytest.fixture
def app() -> Referrals:
    return Referrals(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def stored(app: Referrals) -> int:
    return app.recorder.max_notification_id() or 0


def test_a_retried_command_is_answered_the_same_and_stored_once(app):
    app.register_partner(Once("hub", "register-club"), "club", "Club", "work_club", WHEN)
    before = stored(app)
    first, replayed_first = submit(app, "club", "key-1", "club", "doctor")
    after_first = stored(app)
    again, replayed_again = submit(app, "club", "key-1", "club", "doctor")
    assert (again, replayed_first, replayed_again) == (first, False, True)
    assert stored(app) == after_first == before + 1  # the referral only: its id comes from the key


def test_a_retried_update_is_answered_the_same_even_though_repeating_it_would_be_refused(app):
    from uuid import UUID

    submitted, _ = submit(app, "club", "key-1", "club", "doctor")
    referral_id = UUID(submitted["referral_id"])

    def decline():
        return app.change_referral(Once("club", "key-2"), "decline", referral_id,
                                   {"reason": "other", "occurred_at": WHEN},
                                   lambda referral: referral.decline("other", WHEN))

    first, _ = decline()
    again, replayed = decline()  # declining twice would break "closed is final": the retry gets the first answer
    assert (again, replayed) == (first, True) and first["status"] == "declined"

def test_a_key_reused_with_another_body_is_a_conflict(app):
    submit(app, "club", "key-1", "club", "doctor")
    with pytest.raises(Conflict):
        submit(app, "club", "key-1", "club", "nurse")


def test_keys_are_scoped_to_the_organisation_that_posts(app):
    mine, _ = submit(app, "club-a", "key-1", "club-a", "doctor")
    theirs, replayed = submit(app, "club-b", "key-1", "club-b", "doctor")
    assert not replayed and theirs["referral_id"] != mine["referral_id"]


def test_the_in_memory_store_keeps_key_rows_as_production_does(app):
    """A change records its key as a row in the append, not as an aggregate of its own; a key used again refuses
    the whole append, so none of the second command's events are stored."""
    from uuid import UUID

    from eventsourcing.persistence import IntegrityError

    from chassis.idempotency import key_row

    first, _ = submit(app, "club", "key-1", "club", "doctor")
    second, _ = submit(app, "club", "key-2", "club", "nurse")
    head = stored(app)
    referral = app.repository.get(UUID(first["referral_id"]))
    referral.decline("other", WHEN)
    app.save(referral, keys=[key_row("club", "key-3", "h", {"n": 1})])
    assert stored(app) == head + 1 and app.key_rows("club", ["key-3", "key-4"]) == {"key-3": ("h", '{"n": 1}')}
    other = app.repository.get(UUID(second["referral_id"]))
    other.decline("other", WHEN)
    with pytest.raises(IntegrityError):
        app.save(other, keys=[key_row("club", "key-3", "h2", {"n": 2})])
    assert stored(app) == head + 1 and app.key_rows("club", ["key-3"]) == {"key-3": ("h", '{"n": 1}')}
    assert app.repository.get(other.id).version == other.version - 1  # its decline was not stored
