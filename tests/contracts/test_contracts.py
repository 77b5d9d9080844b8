"""Every integration event: its sample loads, its producer emits it, and its consumers accept it."""
from __future__ import annotations

import glob
import json
import os
import uuid
from datetime import UTC, datetime

import pytest
from marshmallow import ValidationError

from chassis.delivery import Delivery
from contracts import enterprises as en
from contracts import pathways as pw
from contracts import referrals as rf
from pathways.domain.pathway import Pathway
from pathways.translation import to_contract as pathways_out
from referrals.domain.referral import Referral
from referrals.translation import to_contract as referrals_out
from tests.contracts.enterprise_events import enterprise_messages

SAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "contracts", "samples")
PUBLISHED = {"referrals": rf.PUBLISHED, "pathways": pw.PUBLISHED, "enterprises": en.PUBLISHED}
WHEN = datetime(2018, 9, 3, 10, 30, tzinfo=UTC)


def sample(service: str, event_type: str) -> dict:
    with open(os.path.join(SAMPLES, service, f"{event_type}.json")) as handle:
        return json.load(handle)


def all_published() -> list[tuple[str, str]]:
    return [(service, event_type) for service, published in PUBLISHED.items() for event_type in published]


@pytest.mark.parametrize("service,event_type", all_published())
def test_every_published_event_has_a_sample_that_loads(service, event_type):
    loaded = PUBLISHED[service][event_type]().load(sample(service, event_type))
    assert loaded["event_type"] == event_type


def test_there_is_no_sample_of_an_event_nobody_publishes():
    files = {(os.path.basename(os.path.dirname(p)), os.path.basename(p)[:-5])
             for p in glob.glob(os.path.join(SAMPLES, "*", "*.json"))}
    assert files == set(all_published())


def test_consumers_ignore_fields_they_do_not_know():
    body = {**sample("referrals", rf.CLIENT_ACCEPTED_V1), "a_field_added_later": 1}
    assert "a_field_added_later" not in rf.ClientAcceptedV1().load(body)


def test_a_message_missing_a_required_field_is_refused():
    body = sample("referrals", rf.CLIENT_ACCEPTED_V1)
    del body["entry_point"]
    with pytest.raises(ValidationError):
        rf.ClientAcceptedV1().load(body)


def produced() -> list[tuple[str, dict]]:
    referral = Referral(id=uuid.uuid4(), client_id=uuid.uuid4(), partner_id="club", profession="nurse",
                        right_to_work="yes",
                        ielts_taken=False, ielts_score_needed=None, personal="v1.sealed", occurred_at=WHEN)
    referral.record_contact_attempt("reached", WHEN)
    referral.record_consent("consent", True, True, WHEN)
    referral.assess(lives_in_area=True, overseas_health_qualification=True, immigration_status="refugee",
                    english="below_esol_level_2", registered=False, occurred_at=WHEN)
    referral.accept(regulator="NMC", occurred_at=WHEN)
    referral.correct_details("v1.corrected", ["person.mobile"], WHEN)
    referral.withdraw_consent(WHEN)
    referral.withdraw("moved away", WHEN)
    referral.erase()
    pathway = Pathway(client_id=uuid.uuid4(), regulator="HCPC", entry_point="E-D", occurred_at=WHEN,
                      profession="radiographer")
    pathway.record_english_sitting("IELTS_ACADEMIC", {"overall": 7.5, "listening": 7.0, "reading": 7.0,
                                                      "writing": 7.0, "speaking": 7.0}, WHEN)
    pathway.offer_placement("obs-1", "observership", "swbh-trust", 4, WHEN.date(), "consultant-1", WHEN)
    pathway.offer_job("offer-1", "an NHS trust", True, "radiographer", False, WHEN)
    pathway.record_right_to_work_check(None, WHEN)
    pathway.start_employment("an NHS trust", True, 37.5, "radiographer", WHEN)
    out = [("referrals", referrals_out(e)) for e in referral.collect_events()]
    out += [("pathways", pathways_out(e)) for e in pathway.collect_events()]
    out += [("enterprises", message) for message in enterprise_messages()]
    return [(service, message) for service, message in out if message is not None]  # internal events stay home


@pytest.mark.parametrize("service,message", produced(), ids=lambda v: v if isinstance(v, str) else v["event_type"])
def test_each_producer_emits_what_its_contract_and_sample_describe(service, message):
    schema = PUBLISHED[service][message["event_type"]]()
    assert schema.validate(message) == {}
    assert set(message) == set(sample(service, message["event_type"]))
    json.dumps(message)  # JSON primitives only


def test_every_published_event_is_produced_by_some_domain_event():
    assert {(service, message["event_type"]) for service, message in produced()} == set(all_published())


def test_internal_events_never_leave_their_service():
    from chassis.idempotency import IdempotencyRecord

    record = IdempotencyRecord(scope="s", key="k", request_hash="h", response={})
    assert [referrals_out(e) for e in record.collect_events()] == [None]


def test_pathways_opens_a_pathway_from_the_client_accepted_sample():
    from pathways.application import Pathways

    app = Pathways(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    message = rf.ClientAcceptedV1().load(sample("referrals", rf.CLIENT_ACCEPTED_V1))
    opened = app.open_pathway(message["client_id"], message["regulator"], message["entry_point"],
                              message["occurred_at"])
    assert [(p.regulator, p.entry_point_at_enrolment) for p in opened] == [("GMC", "E-B")]


def fingerprint(app) -> list:
    with app.sql() as sql:
        tables = [r[0] for r in sql.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                            " AND name LIKE 'report_%'").fetchall()]
        return [(table, sql.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()) for table in sorted(tables)]


@pytest.mark.parametrize("service,event_type", all_published())
def test_reporting_projects_every_published_sample(service, event_type, tmp_path):
    from reporting.application import Reporting
    from reporting.readmodels import projections

    app = Reporting(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                         "SQLITE_DBNAME": str(tmp_path / "reporting.sqlite")})
    app.migrate()
    seeds = ((rf.CLIENT_REFERRED_V1, "referrals"), (pw.PATHWAY_OPENED_V1, "pathways"))
    with app.sql() as sql:  # a referral and a pathway for the later samples to update
        for seed_type, upstream in seeds:
            projections.apply(sql, Delivery(upstream, 1, 0, sample(upstream, seed_type)))
    before = fingerprint(app)
    with app.sql() as sql:
        projections.apply(sql, Delivery(service, 2, 1, sample(service, event_type)))
    changed = fingerprint(app) != before
    seeded = event_type in (seed_type for seed_type, _ in seeds)
    assert changed == (event_type in projections.HANDLERS and not seeded) or seeded
    app.close()
