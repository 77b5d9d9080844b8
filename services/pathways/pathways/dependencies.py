"""The pathways service's dependencies, wired in one place: its event store, the relay that publishes its log
(and keeps the caseload index, a projection of that log) and the inbox of referrals' events."""
from __future__ import annotations

from chassis.inbox import Inbox
from chassis.providers import Store
from chassis.relay import OutboxRelay
from pathways.application import Pathways
from pathways.caseload import CASELOAD
from pathways.translation import TRANSLATED, to_contract


def store() -> Store:
    return Store(Pathways)


def outbox() -> OutboxRelay:
    return OutboxRelay(to_contract, TRANSLATED, projections=(CASELOAD,))


def inbox() -> Inbox:
    return Inbox()
