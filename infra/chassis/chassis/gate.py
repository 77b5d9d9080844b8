"""The gate of a container's HTTP edge: who is calling (authentication) and how often (rate limit)."""
from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from nameko.extensions import SharedExtension

from chassis import config
from chassis.auth import Principal, Verifier
from chassis.errors import ClientError
from chassis.providers import find_store


class TooManyRequests(ClientError):
    """Raised when a credential sends more requests than its rate limit allows."""

    status, code = 429, "too_many_requests"


class Gate(SharedExtension):
    """Verifies credentials against the service's own table and limits each credential's request rate.

    The limit is a token bucket per credential and instance: ``RATE_LIMIT_PER_SECOND`` sustained (default
    50), bursts up to ``RATE_LIMIT_BURST`` (default 200). Trust systems send steps in batches, so the
    limit counts requests, not steps.
    """

    def setup(self) -> None:
        self.rate = float(config.env("RATE_LIMIT_PER_SECOND", "50") or 50)
        self.burst = float(config.env("RATE_LIMIT_BURST", "200") or 200)
        self.buckets: dict[str, tuple[float, float]] = {}
        self._verifier: Verifier | None = None

    @property
    def verifier(self) -> Verifier:
        if self._verifier is None:
            store = find_store(self.container)
            assert store.app is not None
            self._verifier = Verifier(store.app)
        return self._verifier

    def record_read(self, principal: Principal | None, route: str, subject: str) -> None:
        """A read of case data: who (credential, person, organisation), which route, whose (a client id, a
        contract, or * for a report over everyone), when."""
        store = find_store(self.container)
        assert store.app is not None
        with store.app.sql() as sql:
            sql.execute("INSERT INTO chassis_case_reads (read_at, actor, person, organisation, route, subject_id)"
                        " VALUES (%s, %s, %s, %s, %s, %s)",
                        (datetime.now(UTC).isoformat(), principal.key_id if principal else "anonymous",
                         principal.person if principal else None, principal.organisation if principal else "",
                         route, subject))

    def authenticate(self, request: Any) -> Principal:
        return self.verifier.principal(request.headers.get("Authorization"))

    def admit(self, principal: Principal) -> None:
        now = time.monotonic()
        tokens, last = self.buckets.get(principal.key_id, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1:
            self.buckets[principal.key_id] = (tokens, now)
            raise TooManyRequests(f"more than {self.rate:g} requests/s on this credential; retry shortly")
        self.buckets[principal.key_id] = (tokens - 1, now)
