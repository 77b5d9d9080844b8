"""Mentors, network events, grants and consortia, community researchers, the asset map and introductions."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from chassis.errors import RuleBroken
from enterprises.domain.enterprise import Enterprise
from enterprises.domain.mentors import Mentor
from enterprises.domain.network import NetworkEvent
from enterprises.domain.research import (
    AssetMapEntry,
    CommunityResearcher,
    Introduction,
    looks_personal,
)
from enterprises.domain.support import Consortium, Diagnostic, Grant
from enterprises.identity import enterprise_keys, name_key, registration_key

WHEN = datetime(2018, 7, 2, 10, tzinfo=UTC)


def refused(action, rule: str) -> None:
    with pytest.raises(RuleBroken) as error:
        action()
    assert error.value.details["rule"] == rule


def member() -> Enterprise:
    enterprise = Enterprise.record(id=uuid.uuid4(), legal_form="cic", registered_on=date(2018, 1, 1), occurred_at=WHEN)
    enterprise.join_programme(uuid.uuid4(), "fuse_cohort", WHEN)
    return enterprise


def mentor(max_mentees: int = 1) -> Mentor:
    return Mentor(id=uuid.uuid4(), personal="v1.sealed", channel="former_participant", kind="specialist",
                  specialisms=["marketing"], max_mentees=max_mentees, former_applicant_id=str(uuid.uuid4()),
                  occurred_at=WHEN)


def test_a_mentor_is_matched_within_availability_and_a_session_is_support_of_the_enterprise():
    given, enterprise = mentor(max_mentees=1), member()
    refused(lambda: given.give_session(enterprise, 60, WHEN), "session_with_a_matched_enterprise")
    given.match(enterprise, WHEN)
    refused(lambda: given.match(enterprise, WHEN), "matched_once")
    refused(lambda: given.match(member(), WHEN), "mentor_availability")
    outsider = Enterprise.record(id=uuid.uuid4(), legal_form=None, registered_on=None, occurred_at=WHEN)
    given.change_availability(3, WHEN)
    refused(lambda: given.match(outsider, WHEN), "mentoring_within_a_programme")
    given.give_session(enterprise, 90, WHEN)
    assert (given.sessions, enterprise.non_financial_minutes, enterprise.first_support_on) == (1, 90, WHEN.date())
    given.step_down("no_time", WHEN)
    refused(lambda: given.give_session(enterprise, 60, WHEN), "stepped_down_is_final")


def test_attendance_counts_each_attendee_once_and_pitches_come_from_attending_enterprises():
    event = NetworkEvent.hold(id=uuid.uuid4(), series="supply_chain", title="Meet the buyers",
                              held_on=date(2018, 3, 15),
                              theme=None, speakers=0, buyers_present=9, ideas_raised=0, occurred_at=WHEN)
    enterprise = str(uuid.uuid4())
    refused(lambda: event.record_supply_chain_outcome(uuid.UUID(enterprise), "pitched", "wates", None, WHEN),
            "attended_before_pitching")
    event.record_attendance([{"kind": "enterprise", "ref": enterprise}, {"kind": "organisation", "ref": "wates"}], 3,
                            WHEN)
    refused(lambda: event.record_attendance([{"kind": "enterprise", "ref": enterprise}], 0, WHEN), "attended_once")
    refused(lambda: event.record_attendance([{"kind": "person", "ref": "p"}, {"kind": "person", "ref": "p"}], 0, WHEN),
            "attended_once")
    event.record_supply_chain_outcome(uuid.UUID(enterprise), "pitched", "wates", None, WHEN)
    refused(lambda: event.record_supply_chain_outcome(uuid.UUID(enterprise), "pitched", "kier", None, WHEN),
            "pitched_once")
    refused(lambda: event.record_supply_chain_outcome(uuid.UUID(enterprise), "lead", "kier", 500, WHEN),
            "value_of_contracts_won")
    event.record_supply_chain_outcome(uuid.UUID(enterprise), "contract_won", "wates", 1250000, WHEN)
    assert event.view()["attendance"] == 5 and (event.contracts, event.contract_pence) == (1, 1250000)


def test_each_series_keeps_its_own_facts():
    hold = dict(id=uuid.uuid4(), title="t", held_on=date(2018, 5, 1), speakers=1, occurred_at=WHEN)
    refused(lambda: NetworkEvent.hold(series="awareness_session", theme=None, buyers_present=0, ideas_raised=3, **hold),
            "awareness_sessions_have_a_theme")
    refused(lambda: NetworkEvent.hold(series="soho_network", theme=None, buyers_present=2, ideas_raised=0, **hold),
            "buyers_at_supply_chain_events")
    refused(lambda: NetworkEvent.hold(series="festival", theme=None, buyers_present=0, ideas_raised=0,
                                      **{**hold, "held_on": date(2018, 8, 1)}), "held_before_recorded")
    session = NetworkEvent.hold(series="awareness_session", theme="food", buyers_present=0, ideas_raised=1, **hold)
    session.record_idea_became_enterprise(uuid.uuid4(), WHEN)
    refused(lambda: session.record_idea_became_enterprise(uuid.uuid4(), WHEN), "ideas_within_raised")


def test_a_grant_and_a_diagnostic_are_support_of_their_enterprise_and_a_consortium_admits_each_once():
    enterprise = member()
    Grant.award(uuid.uuid4(), enterprise, "Power to Change", 250000, "start_up", WHEN)
    Diagnostic.complete(uuid.uuid4(), enterprise, {"finance": 2}, 120, WHEN)
    refused(lambda: Diagnostic.complete(uuid.uuid4(), enterprise, {}, 60, WHEN), "diagnostic_scores_an_area")
    assert (enterprise.grants, enterprise.grant_pence, enterprise.non_financial_minutes) == (1, 250000, 120)
    consortium = Consortium(id=uuid.uuid4(), name="Food consortium", theme="food", occurred_at=WHEN)
    consortium.admit(enterprise, WHEN)
    refused(lambda: consortium.admit(enterprise, WHEN), "member_once")


def test_researchers_train_before_fieldwork_lapse_and_return_and_partners_need_no_training():
    researcher = CommunityResearcher(id=uuid.uuid4(), personal="v1.s", programme="community_researcher",
                                     occurred_at=WHEN)
    refused(lambda: researcher.activate(WHEN), "training_before_activation")
    refused(lambda: researcher.log_fieldwork(60, WHEN), "fieldwork_while_active")
    researcher.complete_training("interviewing", 180, WHEN)
    researcher.activate(WHEN)
    refused(lambda: researcher.activate(WHEN), "already_active")
    researcher.log_fieldwork(120, WHEN)
    researcher.lapse("no_time", WHEN)
    refused(lambda: researcher.lapse("no_time", WHEN), "only_the_active_lapse")
    researcher.activate(WHEN)
    assert (researcher.status, researcher.fieldwork_minutes) == ("active", 120)
    partner = CommunityResearcher(id=uuid.uuid4(), personal="v1.s", programme="community_partner", occurred_at=WHEN)
    partner.activate(WHEN)
    refused(lambda: Introduction.make(uuid.uuid4(), partner, "fuse", None, None, WHEN), "connectors_introduce")


def test_an_asset_holds_personal_data_only_with_consent_and_withdrawal_is_recorded_once():
    consent = {"reference": "CF-1", "recorded_on": date(2018, 6, 1), "retain_until": date(2020, 6, 1)}
    refused(lambda: AssetMapEntry.check("Sewing", "ring 0121 496 0000", False, None, None, WHEN),
            "no_personal_data_without_consent")
    refused(lambda: AssetMapEntry.check("Sewing", "", True, None, None, WHEN), "consent_before_personal_data")
    refused(lambda: AssetMapEntry.check("Sewing", "", True, {**consent, "retain_until": date(2018, 1, 1)}, None, WHEN),
            "retention_after_consent")
    AssetMapEntry.check("Sewing", "ring 0121 496 0000", True, consent, None, WHEN)
    entry = AssetMapEntry(id=uuid.uuid4(), kind="skill", area="soho", title=None, description=None, sealed="v1.x",
                          consent_reference="CF-1", consent_recorded_on=date(2018, 6, 1), retain_until=date(2020, 6, 1),
                          recorded_by=None, occurred_at=WHEN)
    entry.withdraw_consent(WHEN)
    refused(lambda: entry.withdraw_consent(WHEN), "consent_withdrawn_once")
    assert looks_personal("mail me: a.b@example.org") and not looks_personal("Ladywood Community Centre, B16 8HA")


@pytest.mark.parametrize("one,other", [
    ("Ladywood Bakes CIC", "ladywood  bakes ltd"), ("The Soho Food Co-operative", "Soho Food Cooperative Limited"),
    ("Café & Co", "cafe and co"),
])
def test_names_of_one_enterprise_written_differently_share_a_key(one, other):
    assert name_key(one) == name_key(other)


def test_registration_numbers_are_compared_without_spaces_case_or_leading_zeros():
    assert registration_key("0123 4567") == registration_key("1234567") and registration_key("sc 012345") == "SC012345"
    assert enterprise_keys(None, None) == {} and set(enterprise_keys("A", "1")) == {"name", "registration"}
