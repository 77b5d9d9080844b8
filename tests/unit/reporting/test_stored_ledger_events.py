"""Ledger events stored before the ledger moved (as ``reporting.ledger:...``) still load, mean the same, and are
found by the readers that filter the log by topic (chassis.topics; STYLE.md B2)."""
from __future__ import annotations

import json
import os
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent

from chassis.application import DateAsISO
from chassis.topics import topics_of
from reporting.outcomes.domain import ContractLedger, ParticipantLedger
from reporting.outcomes.views import LEDGER_VIEWS

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "ledger_v1_events.json")
CONTRACT = UUID("{}".format(ContractLedger.create_id("use-it-nhs-bond")))
PARTICIPANT = UUID("2ae7e86b-b5f1-5e85-90d3-4b253e40c6cb")


class Store(Application):
    def register_transcodings(self, transcoder) -> None:  # as chassis.application.ServiceApplication does
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())


def stored() -> Store:
    app = Store(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    with open(FIXTURE) as handle:
        rows = json.load(handle)
    assert {row["topic"].partition(":")[0] for row in rows} == {"reporting.ledger"}
    app.recorder.insert_events([StoredEvent(UUID(r["originator_id"]), r["originator_version"], r["topic"],
                                            r["state"].encode()) for r in rows])
    return app


def test_a_contract_and_a_paid_outcome_stored_under_the_old_module_load_as_they_were():
    app = stored()
    contract = app.repository.get(CONTRACT)
    assert isinstance(contract, ContractLedger) and contract.contract_id == "use-it-nhs-bond"
    assert contract.allocated == 450000  # the paid job start, under the contract's cap
    participant = app.repository.get(PARTICIPANT)
    assert isinstance(participant, ParticipantLedger) and participant.version == 7
    outcome = participant.outcomes["nhs_job_start~1"]
    assert (outcome["status"], outcome["payable_pence"], outcome["paid_pence"]) == ("paid", 450000, 450000)
    assert [e["type"] for e in outcome["evidence"]] == ["payslip", "employer_letter"]


def test_readers_that_filter_the_log_by_topic_find_the_old_events():
    app = stored()
    topics = LEDGER_VIEWS.topics
    assert "reporting.ledger:ParticipantLedger.Paid" in topics_of(ParticipantLedger.Paid)
    found = app.recorder.select_notifications(start=1, limit=100, topics=topics)
    with open(FIXTURE) as handle:
        handled = [row for row in json.load(handle)
                   if type(app.mapper.to_domain_event(StoredEvent(UUID(row["originator_id"]), row["originator_version"],
                                                                  row["topic"], row["state"].encode())))
                   in LEDGER_VIEWS.handles]
    assert handled and [(n.originator_id, n.originator_version) for n in found] == [
        (UUID(row["originator_id"]), row["originator_version"]) for row in handled]
