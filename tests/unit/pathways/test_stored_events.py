"""Pathways stored by the first version of the code still replay (upcasters) and keep their meaning."""
from __future__ import annotations

import json
import os
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent

from chassis.application import DateAsISO
from pathways.domain.pathway import Pathway

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "pathway_v1_events.json")


class Store(Application):
    def register_transcodings(self, transcoder) -> None:  # as chassis.application.ServiceApplication does
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())


def test_a_pathway_stored_with_version_1_events_replays_with_todays_meaning():
    app = Store(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    with open(FIXTURE) as handle:
        rows = json.load(handle)
    app.recorder.insert_events([StoredEvent(UUID(r["originator_id"]), r["originator_version"], r["topic"],
                                            r["state"].encode()) for r in rows])
    pathway = app.repository.get(UUID(rows[0]["originator_id"]))
    assert isinstance(pathway, Pathway) and pathway.profession is None and pathway.version == 7
    assert (pathway.english_met, pathway.english_met_on, pathway.english_expires_on) == \
        (True, "2019-02-01", "2021-02-01")
    assert pathway.right_to_work_restriction == "none" and pathway.registered
    assert pathway.spells == [{"employer": "swbh-trust", "employer_kind": "nhs", "nhs": True, "basis": None,
                               "self_employed": False, "hours_per_week": 37.5, "role": "clinical fellow",
                               "started_on": "2019-09-02", "ended_on": None, "evidenced_until": "2019-09-02"}]
    assert pathway.stage == "sustainment"
