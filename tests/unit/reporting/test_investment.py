"""Investor flows on a contract (edge case 20): who may send what, the IRR and the repayment category."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from reporting.outcomes.domain import LedgerRefused
from reporting.outcomes.investment import investment, repayment_category, xirr
from reporting.outcomes.views import LEDGER_VIEWS
from tests.unit.reporting.support import Harness, at, terms

INVESTOR, PROVIDER = "community-investor", "learning-works"


def test_xirr_solves_the_annual_rate_of_dated_flows():
    assert xirr([(date(2019, 1, 1), -100000), (date(2020, 1, 1), 110000)]) == pytest.approx(0.10, abs=1e-6)
    two_years = xirr([(date(2019, 1, 1), -100000), (date(2020, 1, 1), 5000), (date(2021, 1, 1), 105000)])
    assert two_years == pytest.approx(0.05, abs=1e-4)
    assert xirr([(date(2019, 1, 1), -100000), (date(2020, 1, 1), 50000)]) == pytest.approx(-0.5, abs=1e-6)
    assert xirr([(date(2019, 1, 1), -100000)]) is None  # nothing back yet: no rate


@pytest.mark.parametrize("invested,returned,category", [
    (100, 0, "No repayment"), (100, 40, "Some repayment below principal"),
    (100, 100, "Principal repaid, no net return"), (100, 130, "Principal + positive return")])
def test_the_repayment_category_follows_indigo(invested, returned, category):
    assert repayment_category(invested, returned) == category


def test_transactions_run_between_an_investor_and_the_provider_and_are_reported_as_known_at_a_time():
    harness = Harness()
    contract = harness.register(terms("use_it_nhs_bond"))
    for refused, rule in ((("Debt", PROVIDER, INVESTOR), "investment_from_investor"),
                          (("Interest Payment", INVESTOR, PROVIDER), "return_to_investor"),
                          (("Debt", "other-bank", PROVIDER), "investor_and_provider"),
                          (("Other", PROVIDER, PROVIDER), "investor_and_provider")):
        with pytest.raises(LedgerRefused) as error:
            contract.record_transaction(*refused, 100, None, at("2019-01-01"))
        assert error.value.details["rule"] == rule
    contract.record_transaction("Debt", INVESTOR, PROVIDER, 50_000_000, "drawdown 1", at("2018-10-01"))
    harness.app.save(contract)
    LEDGER_VIEWS.catch_up(harness.app)
    between = datetime.now(UTC)
    contract = harness.engine.contract("use-it-nhs-bond")
    contract.record_transaction("Capital Repayment and Interest", PROVIDER, INVESTOR, 55_000_000, None,
                                at("2019-10-01"))
    harness.app.save(contract)
    LEDGER_VIEWS.catch_up(harness.app)
    now = investment(harness.app, contract.terms)
    (investor,) = now["investors"]
    assert (investor["invested_pence"], investor["returned_pence"], investor["net_pence"]) == \
        (50_000_000, 55_000_000, 5_000_000)
    assert investor["repayment_category"] == "Principal + positive return"
    assert investor["irr_latest_percent"] == "10.00"
    assert [m["target_count"] for m in now["metrics"]] == [60, None]
    earlier = investment(harness.app, contract.terms, as_known_at=between)["investors"][0]
    assert (earlier["invested_pence"], earlier["returned_pence"], earlier["repayment_category"],
            earlier["irr_latest_percent"]) == (50_000_000, 0, "No repayment", None)


def test_an_irr_target_is_a_percentage():
    from marshmallow import ValidationError

    from reporting.outcomes.terms import TermsSchema

    document = terms("use_it_nhs_bond")
    assert TermsSchema().load({**document, "irr_target_percent": "6.50"})["irr_target_percent"] == Decimal("6.50")
    with pytest.raises(ValidationError) as refused:
        TermsSchema().load({**document, "irr_target_percent": "150"})
    assert "irr_target_percent" in refused.value.messages
