"""Outcome payment totals per contract, for the ``useit_outcome_payments_pence`` gauge (reporting.readmodels.gauges).

Read from the ledger's read model (``ledger_entries``, as known now): paid and clawed back are sums of those
entries; due is what was validated and not yet paid. Every registered contract has a row for every state.
"""
from __future__ import annotations

from chassis.application import ServiceApplication

#: The states a payment total is reported in (the gauge's ``state`` label).
STATES = ("due", "paid", "clawed_back")


def outcome_payment_totals(app: ServiceApplication) -> list[tuple[str, str, int]]:
    """``(contract_id, state, pence)`` for every contract and state in ``STATES``; integer pence, exact."""
    sums: dict[tuple[str, str], int] = {}
    for contract_id, kind, pence in app.query(
            "SELECT contract_id, kind, SUM(pence) FROM ledger_entries WHERE kind IN ('validated', 'paid', "
            "'clawed_back')"
            " GROUP BY contract_id, kind"):
        sums[(contract_id, kind)] = int(pence)
    rows = []
    for (contract_id,) in app.query("SELECT contract_id FROM ledger_contracts ORDER BY contract_id"):
        paid = sums.get((contract_id, "paid"), 0)
        rows += [(contract_id, "due", sums.get((contract_id, "validated"), 0) - paid), (contract_id, "paid", paid),
                 (contract_id, "clawed_back", sums.get((contract_id, "clawed_back"), 0))]
    return rows
