"""What investors and commissioners report on a contract (INDIGO, domain brief 1.5 and edge case 20): money
invested and returned per investor, outcome payments received, the internal rate of return (target and latest),
the investor repayment category, and each metric's achievements against its target and payments against the
maximum; as known at any past time.

Money is integer pence, summed from the ledger's read models. The IRR is a rate, not money: an annual rate
solved from the dated cash flows (XIRR, actual/365), reported in percent to two places.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from chassis.application import ServiceApplication
from reporting.outcomes.statements import _known
from reporting.outcomes.terms import INVESTMENTS, RETURNS, Terms


def xirr(flows: list[tuple[date, int]]) -> float | None:
    """The annual rate r with sum(amount / (1 + r) ** (days / 365)) == 0, or None when the flows do not both
    pay out and pay back (no rate exists). Bisection: the net present value falls as r grows when the money
    goes out before it comes back, as an investor's does."""
    if not flows or min(a for _, a in flows) >= 0 or max(a for _, a in flows) <= 0:
        return None
    start = min(d for d, _ in flows)

    def npv(rate: float) -> float:
        return sum(a / (1 + rate) ** ((d - start).days / 365) for d, a in flows)

    low, high = -0.9999, 100.0
    if npv(low) * npv(high) > 0:
        return None
    for _ in range(200):
        middle = (low + high) / 2
        if npv(low) * npv(middle) <= 0:
            high = middle
        else:
            low = middle
    return (low + high) / 2


def repayment_category(invested: int, returned: int) -> str:
    """INDIGO ``investor_repayment``, as things stand (final when the contract ends)."""
    if returned == 0:
        return "No repayment"
    if returned < invested:
        return "Some repayment below principal"
    return "Principal repaid, no net return" if returned == invested else "Principal + positive return"


def investment(app: ServiceApplication, terms: Terms, as_known_at: datetime | None = None) -> dict[str, Any]:
    contract_id, known = terms.contract_id, _known(as_known_at)
    flows = app.query("SELECT transaction_type, sender, receiver, pence, effective_on FROM ledger_transactions"
                      " WHERE contract_id = %s AND recorded_at <= %s ORDER BY effective_on, seq", (contract_id, known))
    investors = []
    for party in terms.document["investors"]:
        organisation = party["organisation"]
        dated: list[tuple[date, int]] = []
        invested = returned = 0
        for kind, sender, receiver, pence, on in flows:
            if kind in INVESTMENTS and sender == organisation:
                invested += int(pence)
                dated.append((date.fromisoformat(on), -int(pence)))
            elif kind in RETURNS and receiver == organisation:
                returned += int(pence)
                dated.append((date.fromisoformat(on), int(pence)))
        rate = xirr(dated)
        investors.append({"organisation": organisation, "invested_pence": invested, "returned_pence": returned,
                          "net_pence": returned - invested,
                          "repayment_category": repayment_category(invested, returned),
                          "irr_latest_percent": None if rate is None
                          else str(Decimal(rate * 100).quantize(Decimal("0.01")))})
    paid = app.query(
        "SELECT metric, SUM(CASE WHEN kind = 'paid' THEN pence ELSE -pence END),"
        " COUNT(DISTINCT CASE WHEN kind = 'paid' THEN outcome_ref END) FROM ledger_entries"
        " WHERE contract_id = %s AND recorded_at <= %s AND kind IN ('paid', 'clawed_back') GROUP BY metric",
        (contract_id, known))
    achieved = app.query(
        "SELECT metric, COUNT(DISTINCT outcome_ref) FROM ledger_entries WHERE contract_id = %s AND recorded_at <= %s"
        " AND kind = 'achieved' GROUP BY metric", (contract_id, known))
    paid_by = {m: (int(p), int(n)) for m, p, n in paid}
    achieved_by = {m: int(n) for m, n in achieved}
    metrics = [{"metric": m["code"], "target_count": m.get("target_count"),
                "achieved_count": achieved_by.get(m["code"], 0),
                "paid_count": paid_by.get(m["code"], (0, 0))[1], "paid_pence": paid_by.get(m["code"], (0, 0))[0]}
               for m in terms.metrics]
    received = sum(p for p, _ in paid_by.values())
    target = terms.document.get("irr_target_percent")
    return {"contract_id": contract_id, "as_known_at": known,
            "maximum_potential_outcome_payment_pence": int(terms.document["contract_cap_pence"]),
            "outcome_payments_received_pence": received, "irr_target_percent": None if target is None else str(target),
            "investors": investors, "metrics": metrics,
            "transactions": [{"transaction_type": k, "sender": s, "receiver": r, "pence": int(p), "date": on}
                             for k, s, r, p, on in flows]}
