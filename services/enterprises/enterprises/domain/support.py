"""Grants, business diagnostics and consortia, each linked to enterprises.

A grant and a diagnostic are also support of their enterprise (ERDF CO02 and CO04): the enterprise logs them
in the same save, so its indicators never disagree with them.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from chassis.clock import ensure_past
from chassis.errors import RuleBroken
from chassis.meta import TracedAggregate
from enterprises.domain.enterprise import Enterprise


class Grant(TracedAggregate):
    """A grant awarded to one enterprise. Invariant: a positive amount in pence, logged on the enterprise."""

    @event("Awarded")
    def __init__(self, id: UUID, enterprise_id: str, funder: str, amount_pence: int, purpose: str,
                 occurred_at: datetime) -> None:
        self.enterprise_id, self.funder, self.amount_pence, self.purpose = enterprise_id, funder, amount_pence, purpose

    @classmethod
    def award(cls, id: UUID, enterprise: Enterprise, funder: str, amount_pence: int, purpose: str,
              occurred_at: datetime) -> Grant:
        enterprise.log_support("grant", 0, occurred_at, source_id=id, amount_pence=amount_pence)
        return cls(id=id, enterprise_id=str(enterprise.id), funder=funder, amount_pence=amount_pence,
                   purpose=purpose, occurred_at=occurred_at)

    def view(self) -> dict[str, Any]:
        return {"grant_id": str(self.id), "enterprise_id": self.enterprise_id, "funder": self.funder,
                "amount_pence": self.amount_pence, "purpose": self.purpose}


class Diagnostic(TracedAggregate):
    """A business diagnostic of one enterprise: a score (1 to 5) per area and the time it took.

    Invariant: at least one area scored; its time is logged on the enterprise as non-financial support."""

    @event("Completed")
    def __init__(self, id: UUID, enterprise_id: str, scores: dict[str, int], minutes: int,
                 occurred_at: datetime) -> None:
        self.enterprise_id, self.scores, self.minutes = enterprise_id, dict(scores), minutes

    @classmethod
    def complete(cls, id: UUID, enterprise: Enterprise, scores: dict[str, int], minutes: int,
                 occurred_at: datetime) -> Diagnostic:
        if not scores:
            raise RuleBroken("diagnostic_scores_an_area", "score at least one area", fields={"scores": ["empty"]})
        enterprise.log_support("diagnostic", minutes, occurred_at, source_id=id)
        return cls(id=id, enterprise_id=str(enterprise.id), scores=scores, minutes=minutes, occurred_at=occurred_at)

    def view(self) -> dict[str, Any]:
        return {"diagnostic_id": str(self.id), "enterprise_id": self.enterprise_id, "scores": dict(self.scores),
                "minutes": self.minutes}


class Consortium(TracedAggregate):
    """Enterprises bidding or trading together (for example the food consortium).

    Invariant: an enterprise is a member once, and only a current (not merged) enterprise joins."""

    @event("Formed")
    def __init__(self, id: UUID, name: str, theme: str, occurred_at: datetime) -> None:
        self.name, self.theme = name, theme
        self.members: list[str] = []

    def admit(self, enterprise: Enterprise, occurred_at: datetime) -> None:
        ensure_past(occurred_at)
        if str(enterprise.id) in self.members:
            raise RuleBroken("member_once", "this enterprise is already a member")
        if enterprise.merged_into is not None:
            raise RuleBroken("merged_enterprise_takes_no_steps", "this record was merged into another",
                             enterprise_id=enterprise.merged_into)
        enterprise.ensure_trading(occurred_at)
        self._member_joined(enterprise_id=str(enterprise.id), occurred_at=occurred_at)

    @event("MemberJoined")
    def _member_joined(self, enterprise_id: str, occurred_at: datetime) -> None:
        self.members.append(enterprise_id)

    def view(self) -> dict[str, Any]:
        return {"consortium_id": str(self.id), "version": self.version, "name": self.name, "theme": self.theme,
                "members": list(self.members)}
