"""One achievement across every contract: the ledger's guard against double funding (edge case 11).

Stored as ``reporting.ledger:FundedAchievement...`` at first, then ``reporting.outcomes.domain:...``: both names
are registered (reporting/outcomes/__init__.py), so every stored event still loads.
"""
from __future__ import annotations

import uuid

from eventsourcing.domain import event

from chassis.meta import ReplacedStateAggregate
from reporting.outcomes.domain import LEDGER_NAMESPACE, LedgerRefused


class FundedAchievement(ReplacedStateAggregate):
    """One achievement of a participant (the pathway milestone that triggered outcomes), across every contract.
    Invariant: at most one contract holds a live claim on it (claimed, validated or paid), so the same job start
    or the same 26 weeks are never paid by two outcomes contracts (double funding, edge case 11). A rejected or
    clawed-back claim lets go of it. Outcomes of one contract may share it (two metrics of one milestone)."""

    @staticmethod
    def create_id(trigger: str) -> uuid.UUID:
        return uuid.uuid5(LEDGER_NAMESPACE, f"achievement:{trigger}")

    @event("Opened")
    def __init__(self, trigger: str) -> None:
        self.trigger = trigger
        self.holders: dict[str, str] = {}  # outcome ref -> contract

    def hold(self, ref: str, contract_id: str) -> None:
        others = sorted({c for c in self.holders.values() if c != contract_id})
        if others:
            raise LedgerRefused("double_funding", f"the same achievement is claimed under {', '.join(others)}",
                                contracts=others)
        self._held(ref=ref, contract_id=contract_id)

    @event("Held")
    def _held(self, ref: str, contract_id: str) -> None:
        self.holders = {**self.holders, ref: contract_id}

    def release(self, ref: str) -> None:
        if ref in self.holders:
            self._released(ref=ref)

    @event("Released")
    def _released(self, ref: str) -> None:
        self.holders = {k: v for k, v in self.holders.items() if k != ref}

