"""Every domain event of the enterprises service that leaves it, produced by real aggregates (for the
contract tests: each published event type is produced, matches its contract and its sample)."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from enterprises.domain.enterprise import Enterprise
from enterprises.domain.fuse import Programme, RecruitmentRound
from enterprises.domain.mentors import Mentor
from enterprises.domain.network import NetworkEvent
from enterprises.domain.research import AssetMapEntry, CommunityResearcher, Introduction
from enterprises.domain.support import Consortium, Diagnostic, Grant
from enterprises.translation import to_contract

WHEN = datetime(2018, 9, 3, 10, 30, tzinfo=UTC)


def enterprise_aggregates() -> list[Any]:
    """A small programme touching every translated event (unsaved aggregates with their pending events)."""
    cohort = Programme(id=uuid.uuid4(), kind="fuse_cohort", name="FUSE cohort 3", starts_on=date(2018, 9, 1),
                       ends_on=date(2019, 3, 31), occurred_at=WHEN)
    venture = Enterprise.record(id=uuid.uuid4(), legal_form=None, registered_on=None, occurred_at=WHEN)
    enterprise = Enterprise.record(id=uuid.uuid4(), legal_form="cic", registered_on=date(2018, 3, 1), occurred_at=WHEN)
    duplicate = Enterprise.record(id=uuid.uuid4(), legal_form="charity", registered_on=date(2015, 1, 5),
                                  occurred_at=WHEN)
    duplicate.merge_into(enterprise, WHEN)
    round_ = RecruitmentRound(id=uuid.uuid4(), name="FUSE round 3", programme_id=cohort.id, opens_on=date(2018, 8, 1),
                              closes_on=date(2018, 9, 30), places=12, occurred_at=WHEN)
    application, applicant = uuid.uuid4(), uuid.uuid4()
    round_.submit(application, applicant, venture.id, "new", "food", WHEN)
    round_.shortlist(application, WHEN)
    round_.interview(application, ["mentor-7", "ise-staff-2"], WHEN)
    round_.declare_conflict(application, "mentor-7", "family", WHEN)
    round_.interview(application, ["ise-staff-2", "ise-staff-3"], WHEN)
    round_.link_enterprise(application, enterprise.id, WHEN)
    round_.decide(application, "accepted", "selected", None, WHEN)
    cohort.admit(enterprise.id, applicant, WHEN)
    enterprise.join_programme(cohort.id, cohort.kind, WHEN)
    enterprise.log_support("one_to_one", 90, WHEN, programme_id=cohort.id)
    enterprise.correct_support(enterprise.version, 120, "hours_mistyped", WHEN)
    venture.record_registration("co_operative", date(2018, 9, 1), WHEN)
    mentor = Mentor(id=uuid.uuid4(), personal="v1.sealed", channel="recruitment_evening", kind="specialist",
                    specialisms=["finance", "legal"], max_mentees=2, former_applicant_id=None, occurred_at=WHEN)
    mentor.match(enterprise, WHEN)
    mentor.give_session(enterprise, 60, WHEN)
    mentor.recognise("annual_dinner", WHEN)
    mentor.step_down("no_time", WHEN)
    grant = Grant.award(uuid.uuid4(), enterprise, "Power to Change", 250000, "start_up", WHEN)
    diagnostic = Diagnostic.complete(uuid.uuid4(), enterprise, {"finance": 2, "marketing": 4}, 120, WHEN)
    meeting = NetworkEvent.hold(id=uuid.uuid4(), series="supply_chain", title="Wates supply chain",
                                held_on=date(2018, 3, 15),
                                theme=None, speakers=2, buyers_present=9, ideas_raised=0, occurred_at=WHEN)
    meeting.record_attendance([{"kind": "enterprise", "ref": str(enterprise.id)},
                               {"kind": "organisation", "ref": "wates"}],
                              4, WHEN)
    meeting.record_supply_chain_outcome(enterprise.id, "contract_won", "wates", 1250000, WHEN)
    session = NetworkEvent.hold(id=uuid.uuid4(), series="awareness_session", title="Food in Icknield",
                                held_on=date(2018, 6, 7), theme="food", speakers=1, buyers_present=0, ideas_raised=5,
                                occurred_at=WHEN)
    session.record_idea_became_enterprise(venture.id, WHEN)
    consortium = Consortium(id=uuid.uuid4(), name="Icknield food consortium", theme="food", occurred_at=WHEN)
    consortium.admit(enterprise, WHEN)
    connector = CommunityResearcher(id=uuid.uuid4(), personal="v1.sealed", programme="community_connector",
                                    occurred_at=WHEN)
    connector.complete_training("interviewing techniques", 180, WHEN)
    connector.activate(WHEN)
    connector.log_fieldwork(240, WHEN)
    connector.record_mentoring(60, WHEN)
    connector.lapse("no_time", WHEN)
    connector.activate(WHEN)
    entry = AssetMapEntry(id=uuid.uuid4(), kind="skill", area="ladywood", title=None, description=None,
                          sealed="v1.sealed", consent_reference="CF-18-044", consent_recorded_on=date(2018, 9, 1),
                          retain_until=date(2021, 9, 1), recorded_by=str(connector.id), occurred_at=WHEN)
    entry.withdraw_consent(WHEN)
    introduction = Introduction.make(uuid.uuid4(), connector, "enterprise", enterprise, None, WHEN)
    closed = Enterprise.record(id=uuid.uuid4(), legal_form="sole_trader", registered_on=date(2016, 4, 1),
                               occurred_at=WHEN)
    closed.dissolve("ceased_trading", WHEN)
    return [cohort, venture, enterprise, duplicate, closed, round_, mentor, grant, diagnostic, meeting, session,
            consortium,
            connector, entry, introduction]


def enterprise_messages() -> list[dict[str, Any]]:
    return [message for aggregate in enterprise_aggregates() for event in aggregate.collect_events()
            if (message := to_contract(event)) is not None]
