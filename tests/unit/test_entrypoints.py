"""Each service's entrypoints on their own (nameko's ``worker_factory``: the service class with its dependencies
replaced), below the edge the end-to-end tests drive: the rules an entrypoint applies itself (whose data a
caller may see or write, which path values exist) and what it hands its application.

The edge's own checks (credential, role, body schema: 401, 403, 422) are chassis.http's and are tested over the
real services in tests/e2e/test_access_policy.py and test_http_edge.py.
"""
from __future__ import annotations

import uuid
from unittest.mock import MagicMock

import pytest
from nameko.testing.services import worker_factory

from chassis.auth import Principal
from chassis.errors import Forbidden, NotFound
from chassis.http import Call
from enterprises.service import EnterprisesService
from pathways.service import PathwaysService
from referrals.application import ReferralCases, ReferralNotFoundError
from referrals.service import ReferralsService
from reporting.outcomes.cases import LedgerCases
from reporting.service import ReportingService


def call(organisation: str, *roles: str, body=None, path=None, query=None) -> Call:
    principal = Principal(key_id="k1", organisation=organisation, roles=frozenset(roles))
    return Call(body=body or {}, query=query or {}, path=path or {},
                meta={"organisation": organisation, "actor": "k1", "idempotency_key": "key-1"}, principal=principal)


def test_a_referrer_refers_for_its_own_organisation_only_and_nothing_is_stored():
    service = worker_factory(ReferralsService)
    with pytest.raises(Forbidden) as refused:
        service.submit_referral(call("ladywood-work-club", "referrer", body={"partner_id": "another-club"}))
    assert (refused.value.status, refused.value.body()["fields"]) == (403, {"partner_id": ["not yours"]})
    service.cases.submit_referral.assert_not_called()


def test_a_referrer_is_not_told_the_clients_id_or_that_the_person_was_known():
    service = worker_factory(ReferralsService)
    service.cases.submit_referral.return_value = {"referral_id": "r1", "client_id": "c1", "match": "exact",
                                                  "status": "received"}
    status, answer = service.submit_referral(call("club", "referrer", body={"partner_id": "club"}))
    assert (status, answer) == (201, {"referral_id": "r1", "status": "received"})
    hub = worker_factory(ReferralsService)
    hub.cases.submit_referral.return_value = service.cases.submit_referral.return_value
    assert hub.submit_referral(call("learning-works", "caseworker", body={"partner_id": "club"}))[1]["match"] == "exact"


def test_a_partner_gets_the_partners_view_and_the_hub_the_audited_one():
    service = worker_factory(ReferralsService)
    referral_id = uuid.uuid4()
    service.get_referral(call("club", "referrer", path={"referral_id": referral_id}))
    service.cases.referral_for_partner.assert_called_once_with(referral_id, "club")
    service.cases.referral_for_hub.assert_not_called()  # a partner's read never opens the sealed form
    service.get_referral(call("learning-works", "caseworker", path={"referral_id": referral_id}))
    service.cases.referral_for_hub.assert_called_once_with(referral_id, "k1", "learning-works")


def test_another_partners_referral_is_not_found_and_its_form_never_opened():
    store, vault = MagicMock(), MagicMock()
    referral_id = uuid.uuid4()
    store.referral_view.return_value = {"referral_id": str(referral_id), "partner_id": "club"}
    cases = ReferralCases(store, vault, MagicMock())
    assert cases.referral_for_partner(referral_id, "club")["partner_id"] == "club"
    with pytest.raises(ReferralNotFoundError):
        cases.referral_for_partner(referral_id, "another-club")
    vault.read.assert_not_called()


def test_an_unregistered_partner_is_a_404():
    service = worker_factory(ReferralsService)
    service.cases.partner.return_value = None
    with pytest.raises(NotFound):
        service.get_partner(call("learning-works", "caseworker", path={"partner_id": "nobody"}))


def test_a_step_for_a_regulator_the_programme_does_not_know_is_a_404_and_stores_nothing():
    service = worker_factory(PathwaysService)
    with pytest.raises(NotFound):
        service.post_step(call("swbh-trust", "trust", path={"client_id": uuid.uuid4(), "regulator": "GDC"},
                               body={"type": "gate_cleared", "payload": {}, "occurred_at": None}))
    with pytest.raises(NotFound):
        service.pathway_history(call("learning-works", "caseworker",
                                     path={"client_id": uuid.uuid4(), "regulator": "GDC"}))
    service.store.assert_not_called()


def test_a_finance_partner_sees_only_contracts_it_is_a_party_to():
    app, engine = MagicMock(), MagicMock()
    app.key_rows.return_value = {}  # no key used before
    service = worker_factory(ReportingService, cases=LedgerCases(app, engine))
    terms = MagicMock()
    terms.parties.return_value = {"swbh-trust", "bridges-fund"}
    engine.contract.return_value = MagicMock(terms=terms)
    query = {"period_from": None, "period_to": None, "as_known_at": None, "format": "json"}
    with pytest.raises(NotFound):
        service.statement(call("another-fund", "finance", path={"contract_id": "use-it-nhs-bond"}, query=query))
    with pytest.raises(NotFound):  # and pays nothing of it
        service.pay_outcome(call("another-fund", "finance", path={"outcome_ref": "use-it-nhs-bond~P1~job_start~1"},
                                 body={"occurred_at": None}))
    engine.contract.return_value = None
    with pytest.raises(NotFound):
        service.statement(call("bridges-fund", "finance", path={"contract_id": "no-such"}, query=query))
    app.save.assert_not_called()


def test_staff_read_an_enterprises_sealed_name_as_a_recorded_read_and_auditors_never_do():
    service = worker_factory(EnterprisesService)
    enterprise_id = uuid.uuid4()
    enterprise = MagicMock(id=enterprise_id, details="v1.sealed")
    enterprise.view.return_value = {"enterprise_id": str(enterprise_id)}
    service.store.load.return_value = enterprise
    service.vault.read.return_value = {"name": "Soho Road Bakery"}
    staff = service.get_enterprise(call("fuse-team", "enterprise_staff", path={"enterprise_id": enterprise_id}))
    assert staff["personal"] == {"name": "Soho Road Bakery"}
    service.vault.read.assert_called_once_with(enterprise_id, "v1.sealed", actor="k1", organisation="fuse-team",
                                               purpose="GET /enterprises/<enterprise_id>")
    auditor = service.get_enterprise(call("audit-office", "auditor", path={"enterprise_id": enterprise_id}))
    assert "personal" not in auditor and service.vault.read.call_count == 1
