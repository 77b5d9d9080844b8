"""Enterprise events stored before the domain became a package (``enterprises.domain:``, ``enterprises.fuse:``,
``enterprises.mentors:``...) still load: every aggregate of a small programme, stored by that version of the
code, rebuilds as the same type at the same version (chassis.topics; STYLE.md B2)."""
from __future__ import annotations

import json
import os
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from enterprises.application import Enterprises

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "enterprise_v1_events.json")


def test_every_aggregate_stored_under_the_old_modules_rebuilds_as_it_was():
    with open(FIXTURE) as handle:
        stored = json.load(handle)
    old_modules = {row["topic"].partition(":")[0] for row in stored["events"]}
    assert old_modules == {"enterprises.domain", "enterprises.fuse", "enterprises.mentors", "enterprises.network",
                           "enterprises.research", "enterprises.support"}
    app = Enterprises(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    app.recorder.insert_events([StoredEvent(UUID(r["originator_id"]), r["originator_version"], r["topic"],
                                            r["state"].encode()) for r in stored["events"]])
    for aggregate_id, expected in stored["aggregates"].items():
        rebuilt = app.repository.get(UUID(aggregate_id))
        assert (type(rebuilt).__name__, rebuilt.version) == (expected["type"], expected["version"])
        assert type(rebuilt).__module__.startswith("enterprises.domain.")
