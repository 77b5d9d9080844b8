"""The pathways service's dependencies, wired in one place: its event store, the relay that publishes its log,
the follower of that log (the caseload index, and the audit chain) and the inbox of referrals' events."""
from __future__ import annotations

from chassis.follower import LogFollower
from chassis.inbox import Inbox
from chassis.providers import Store
from chassis.relay import OutboxRelay
from pathways.application import Pathways
from pathways.caseload import CASELOAD
from pathways.translation import TRANSLATED, to_contract


def store() -> Store:
    return Store(Pathways)


def outbox() -> OutboxRelay:
    return OutboxRelay(to_contract, TRANSLATED)


def follower() -> LogFollower:
    return LogFollower(projections=(CASELOAD,))


def inbox() -> Inbox:
    return Inbox()
