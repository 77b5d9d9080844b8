"""Outcome payments per contract: due, paid and clawed back (from the outcome ledger in reporting)."""
from __future__ import annotations

from typing import Any

from monitoring.grafana import dashboard as build
from monitoring.grafana import table, timeseries

PENCE = 'job="reporting"'


def per_contract(state: str) -> str:
    return f'sum by (contract) (useit_outcome_payments_pence{{{PENCE},state="{state}"}}) / 100'


def dashboard(settings: dict[str, Any]) -> dict[str, Any]:
    panels = [
        timeseries("Due per contract", [(per_contract("due"), "{{contract}}")], settings, width=8,
                   unit="currencyGBP", description="Outcomes validated and not yet paid."),
        timeseries("Paid per contract", [(per_contract("paid"), "{{contract}}")], settings, width=8,
                   unit="currencyGBP"),
        timeseries("Clawed back per contract", [(per_contract("clawed_back"), "{{contract}}")], settings, width=8,
                   unit="currencyGBP"),
        table("Payments per contract and state", [
            (f"sum by (contract, state) (useit_outcome_payments_pence{{{PENCE}}}) / 100", "{{contract}} {{state}}")],
            settings, width=24, unit="currencyGBP"),
    ]
    return build("USE-IT: outcomes", "Outcome payments per contract (GBP): due, paid and clawed back.", panels,
                 refresh="1m")
