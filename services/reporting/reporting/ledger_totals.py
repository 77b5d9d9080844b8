"""Outcome payment totals per contract, for the ``useit_outcome_payments_pence`` gauge (reporting.gauges).

A placeholder until the outcome ledger exists (issue #7): it returns no rows, so the gauge has no series yet.
The ledger replaces the body of ``outcome_payment_totals``; the signature is what the gauge relies on.
"""
from __future__ import annotations

from chassis.store import ServiceApplication

#: The states a payment total is reported in (the gauge's ``state`` label).
STATES = ("due", "paid", "clawed_back")


def outcome_payment_totals(app: ServiceApplication) -> list[tuple[str, str, int]]:
    """``(contract_id, state, pence)`` for every contract and state in ``STATES``; integer pence, exact."""
    return []
