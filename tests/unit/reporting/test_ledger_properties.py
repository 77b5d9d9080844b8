"""10,000 random programme histories through the outcome ledger (tests/unit/reporting/ledger_histories.py).

The histories are checked in two processes, one per core (``LEDGER_HISTORIES`` sets how many; a failure names
its seed: ``python -c "from tests.unit.reporting.ledger_histories import check; check(SEED)"`` replays it).
"""
from __future__ import annotations

import os

import pytest

from tests.unit.reporting.ledger_histories import check
from tests.unit.reporting.support import seeds_in_two_workers

HISTORIES = int(os.environ.get("LEDGER_HISTORIES", "10000"))


@pytest.mark.properties  # bin/test runs it in a session of its own, after the main suite
@pytest.mark.timeout(1200)  # about 3 minutes on a quiet 2-core machine; far more when the machine is shared
def test_ten_thousand_random_histories_keep_the_ledger_invariants_whatever_the_delivery():
    failures = seeds_in_two_workers("tests.unit.reporting.ledger_histories", HISTORIES)
    assert failures == [], f"{len(failures)} of {HISTORIES} histories failed, e.g. {failures[:3]}"


def first_failure(seeds: int = 500) -> str:
    """The first history whose checks fail, as its message ("" when none does)."""
    for seed in range(seeds):
        try:
            check(seed)
        except AssertionError as error:
            return str(error)
    return ""


def test_a_history_with_a_broken_cap_is_caught(monkeypatch):
    """The checks can fail: with the contract cap ignored, some history exceeds it."""
    from reporting.outcomes.domain import ContractLedger

    monkeypatch.setattr(ContractLedger, "room", property(lambda self: 10**12))
    assert "cap exceeded" in first_failure()


def test_a_history_with_double_funding_is_caught(monkeypatch):
    """The checks can fail: with claims across contracts not held, some history pays one job start twice."""
    from reporting.outcomes.funding import FundedAchievement

    def hold_without_looking(self, ref: str, contract_id: str) -> None:
        self._held(ref=ref, contract_id=contract_id)

    monkeypatch.setattr(FundedAchievement, "hold", hold_without_looking)
    assert "paid under two contracts" in first_failure()


def test_a_history_paying_beyond_a_volume_cap_is_caught(monkeypatch):
    """The checks can fail: with volume caps ignored, some history pays more job starts than its cap."""
    from reporting.outcomes.domain import ContractLedger

    monkeypatch.setattr(ContractLedger, "volume_left", lambda self, metric: True)
    assert "volume cap exceeded" in first_failure()
