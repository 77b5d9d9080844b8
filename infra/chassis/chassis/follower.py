"""The log follower: a service's own read models and its audit chain, advanced from its notification log.

Beside the outbox relay (which publishes the log), the follower runs, in its own loop and under its own lease
(one runner per service, ``chassis.leader``): each ``chassis.projection.LocalProjection`` of the service first
(queries wait for them), then the audit chain (``chassis.audit.advance``), which hashes every stored event in
order and signs checkpoints. Nudged by every save; a read model or the chain may lag a save by moments.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chassis import audit
from chassis.leader import LeaderLoop


class LogFollower(LeaderLoop):
    job = "follower"
    #: No pause after a partial turn: a read model is read by people waiting for it (the ledger's statement
    #: after a decision), and a turn costs one transaction, not a publish round trip to amortise.
    gather = 0.0

    def __init__(self, projections: Sequence[Any] = ()) -> None:
        self.projections = tuple(projections)

    def begin(self) -> None:
        self.signer = audit.signing_key(self.container.config.get("ENV") or None)

    def get_dependency(self, worker_ctx: Any) -> LogFollower:
        return self

    def turn(self) -> int:
        moved = sum(projection.advance(self.app) for projection in self.projections)
        return moved + audit.advance(self.app, self.signer)
