"""Referrals stored before the domain became a package (``referrals.domain:...``) still load as they were
(chassis.topics; STYLE.md B2)."""
from __future__ import annotations

import json
import os
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from referrals.application import Referrals

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "referral_v1_events.json")


def test_a_referral_and_its_partner_stored_under_the_old_module_rebuild_as_they_were():
    with open(FIXTURE) as handle:
        stored = json.load(handle)
    assert {row["topic"].partition(":")[0] for row in stored["events"]} == {"referrals.domain"}
    app = Referrals(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    app.recorder.insert_events([StoredEvent(UUID(r["originator_id"]), r["originator_version"], r["topic"],
                                            r["state"].encode()) for r in stored["events"]])
    for aggregate_id, expected in stored["aggregates"].items():
        rebuilt = app.repository.get(UUID(aggregate_id))
        assert (type(rebuilt).__name__, rebuilt.version) == (expected["type"], expected["version"])
        if expected["type"] == "Referral":
            assert (rebuilt.status, rebuilt.entry_point) == (expected["status"], expected["entry_point"])
