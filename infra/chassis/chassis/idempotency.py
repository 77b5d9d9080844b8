"""Idempotent commands: the same key and body are answered the same and stored once.

The record of a key is an aggregate whose id is derived from (scope, key), saved in the same transaction as
the command's events. A retry finds the record and gets the stored answer; two concurrent first tries race
on creating the record, and the loser (IntegrityError) reads the winner's answer. No extra table, no window
between "stored" and "remembered".
"""
from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any, Callable, Sequence

from eventsourcing.application import AggregateNotFoundError
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
    record_id = IdempotencyRecord.create_id(scope, key)
    try:
        aggregates, answer = command()
    except ClientError:
        previous = _answer(app, record_id, digest)
        if previous is not None:
            return previous, True  # a retry of a command that has since changed what it would decide
        raise
    record = IdempotencyRecord(scope=scope, key=key, request_hash=digest, response=answer)
    try:
        app.save(*aggregates, record)
    except IntegrityError:
        previous = _answer(app, record_id, digest)
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


def _answer(app: Any, record_id: uuid.UUID, digest: str) -> dict[str, Any] | None:
    try:
        record = app.repository.get(record_id)
    except AggregateNotFoundError:
        return None
    if record.request_hash != digest:
        raise Conflict("this idempotency key was already used with a different body",
                       rule="idempotency_key_reused")
    return dict(record.response)
