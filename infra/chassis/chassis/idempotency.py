"""Idempotent commands: the same key and body are answered the same and stored once.

The record of a key is a row of ``chassis_idempotency`` (scope, key, request hash, answer) written by the very
statement that appends the command's events (ADR 0005). A retry finds the row and gets the stored answer; two
concurrent first tries race on inserting it, and the loser (IntegrityError) reads the winner's answer. No window
between "stored" and "remembered", and no second aggregate per command. Records kept as ``IdempotencyRecord``
aggregates by earlier versions are copied into the table by ``ServiceApplication.migrate`` (``copy_records``).
The in-memory store of unit tests keeps the same rows (``chassis.recorders.KeyedPOPOProcessRecorder``).
"""
from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import event
from eventsourcing.persistence import IntegrityError

from chassis.errors import ClientError, Conflict
from chassis.meta import TracedAggregate, request_digest

NAMESPACE = uuid.UUID("6f1c1f0e-2b1a-4d39-9a8e-2f3f0b9b7c11")


class IdempotencyRecord(TracedAggregate):
    """The answer given to the first request with a key. Invariant: written once, never changed."""

    @staticmethod
    def create_id(scope: str, key: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"{scope}\x00{key}")

    @event("Recorded")
    def __init__(self, scope: str, key: str, request_hash: str, response: dict) -> None:
        self.scope, self.key, self.request_hash, self.response = scope, key, request_hash, response


@dataclass(frozen=True)
class Once:
    """One idempotent request: the scope of its key (the caller's organisation) and the Idempotency-Key it sent.
    A use case runs its command through it: stored once, and a retry answered as the first request was
    (``chassis.http.Call.once`` reads both from the call)."""

    scope: str
    key: str

    def name(self, command: str) -> str:
        return f"{self.scope}:{command}"

    def run(self, app: Any, command: str, body: Any, act: Command) -> tuple[dict[str, Any], bool]:
        """``run_once`` under this request's key, in the command's own scope."""
        return run_once(app, self.name(command), self.key, body, act)

    def create(self, app: Any, command: str, body: Any, build: Callable[[uuid.UUID], Any],
               answer: Callable[[Any], dict[str, Any]]) -> tuple[dict[str, Any], bool]:
        """``create_once`` under this request's key: the new aggregate's id is ``created_id(command)``."""
        return create_once(app, self.name(command), self.key, body, build, answer)

    def created_id(self, command: str) -> uuid.UUID:
        """The id ``create`` gives the aggregate it creates for ``command``."""
        return IdempotencyRecord.create_id(self.name(command), self.key)

    def derived_id(self, command: str, role: str) -> uuid.UUID:
        """The id of an aggregate created beside others by ``command`` (the same on a retry)."""
        return uuid.uuid5(self.created_id(command), role)


def request_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


Command = Callable[[], "tuple[Sequence[Any], dict[str, Any]]"]


def run_once(app: Any, scope: str, key: str, body: Any, command: Command) -> tuple[dict[str, Any], bool]:
    """Runs ``command`` (which returns the aggregates to save and the answer) at most once per key.

    Returns ``(answer, replayed)``. Optimistic: the key's record is looked up only when the command is
    refused or the save collides, so a first request costs one write and no read. Raises Conflict when the
    key was used with another body, or when a concurrent write to the same aggregate won (retry).
    """
    digest = request_hash(body)
    try:
        aggregates, answer = command()
    except ClientError:
        previous = _answer(app, scope, key, digest)
        if previous is not None:
            return previous, True  # a retry of a command that has since changed what it would decide
        raise
    try:
        save_keyed(app, aggregates, [key_row(scope, key, digest, answer)])
    except IntegrityError:
        previous = _answer(app, scope, key, digest)
        if previous is None:
            raise Conflict("a concurrent write changed this record first; retry the request") from None
        return previous, True
    return answer, False


def create_once(app: Any, scope: str, key: str, body: Any, create: Callable[[uuid.UUID], Any],
                answer: Callable[[Any], dict[str, Any]]) -> tuple[dict[str, Any], bool]:
    """A command that creates one aggregate, at most once per key, with no record of its own.

    The new aggregate's id is derived from (scope, key), so a retry collides with the first request's
    aggregate in the same insert that would store it: the first request costs one event and no read. The
    request's hash travels in the creating event's ``meta``; a retry is answered from the aggregate as it was
    created (version 1), or refused with Conflict when its body differs.
    """
    digest = request_hash(body)
    aggregate_id = IdempotencyRecord.create_id(scope, key)
    with request_digest(digest):
        aggregate = create(aggregate_id)
    try:
        app.save(aggregate)
    except IntegrityError:
        created = next(iter(app.events.get(aggregate_id, lte=1)), None)
        if created is None or (getattr(created, "meta", None) or {}).get("request_hash") != digest:
            raise Conflict("this idempotency key was already used with a different body",
                           rule="idempotency_key_reused") from None
        return answer(created.mutate(None)), True  # the aggregate as that first request created it
    return answer(aggregate), False


def key_row(scope: str, key: str, digest: str, answer: dict[str, Any]) -> tuple[str, str, str, str]:
    """A ``chassis_idempotency`` row, for ``ServiceApplication.save(keys=...)``."""
    return scope, key, digest, json.dumps(answer, sort_keys=True, default=str)


def save_keyed(app: Any, aggregates: Sequence[Any], rows: Sequence[tuple[str, str, str, str]]) -> None:
    """Saves the aggregates with the idempotency rows (``key_row``) in one append; IntegrityError when a key
    (or an aggregate's version) was taken first."""
    app.save(*aggregates, keys=rows)


def answers(app: Any, scope: str, keys: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """``(request hash, answer)`` of each of ``keys`` already used in ``scope`` (one query)."""
    return {key: (digest, json.loads(response)) for key, (digest, response) in app.key_rows(scope, keys).items()}


def _answer(app: Any, scope: str, key: str, digest: str) -> dict[str, Any] | None:
    found = answers(app, scope, [key]).get(key)
    if found is None:
        return None
    if found[0] != digest:
        raise Conflict("this idempotency key was already used with a different body",
                       rule="idempotency_key_reused")
    return found[1]


def copy_records(app: Any, page: int = 1000) -> int:
    """Copies the ``IdempotencyRecord`` aggregates of earlier versions into ``chassis_idempotency`` (idempotent:
    run by ``ServiceApplication.migrate``); returns how many records it read."""
    from eventsourcing.utils import get_topic

    topic, start, copied = get_topic(IdempotencyRecord.Recorded), 1, 0
    while True:
        notifications = app.recorder.select_notifications(start=start, limit=page, topics=(topic,))
        rows = []
        for notification in notifications:
            recorded = app.mapper.to_domain_event(notification)
            rows.append(key_row(recorded.scope, recorded.key, recorded.request_hash, dict(recorded.response)))
        if rows:
            with app.sql() as sql:
                for row in rows:
                    sql.execute("INSERT INTO chassis_idempotency (scope, key, request_hash, response)"
                                " VALUES (%s, %s, %s, %s) ON CONFLICT (scope, key) DO NOTHING", row)
        copied += len(rows)
        if len(notifications) < page:
            return copied
        start = notifications[-1].id + 1
