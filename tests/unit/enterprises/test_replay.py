"""Replay reproduces state: every aggregate of a small programme, stored and rebuilt from its events through
the service's transcoder (dates, nested dicts, lists), equals the aggregate as it was built."""
from __future__ import annotations

from typing import Any

from enterprises.application import Enterprises
from tests.contracts.enterprise_events import enterprise_aggregates


def state(aggregate: Any) -> dict[str, Any]:
    return {name: value for name, value in vars(aggregate).items() if name != "_pending_events"}


def test_every_aggregate_rebuilt_from_its_stored_events_equals_the_one_that_made_them():
    app = Enterprises(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    built = enterprise_aggregates()
    app.save(*built)
    assert len(built) == 15
    for aggregate in built:
        rebuilt = app.repository.get(aggregate.id)
        assert type(rebuilt) is type(aggregate)
        assert state(rebuilt) == state(aggregate), type(aggregate).__name__


def test_an_aggregate_read_as_at_an_earlier_version_is_its_state_then():
    app = Enterprises(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    built = enterprise_aggregates()
    app.save(*built)
    round_ = next(a for a in built if type(a).__name__ == "RecruitmentRound")
    application = next(iter(round_.applications))
    stages = [app.repository.get(round_.id, version=v).applications[application]["status"]
              for v in range(2, round_.version + 1)]
    assert stages == ["submitted", "shortlisted", "interviewed", "shortlisted", "interviewed", "interviewed",
                      "accepted"]
