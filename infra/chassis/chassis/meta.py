"""Who, why and under which request every stored event was recorded.

Every event carries ``meta``: the authenticated actor and organisation, the poster's idempotency key and the
correlation id. Entrypoints put them in the worker's context (``recording``), and ``TracedAggregate``
stamps them on each event it triggers, so domain code never passes them by hand. ``occurred_at`` (when it
happened in the world) is business data and stays an explicit argument of each command; ``timestamp`` (when
we recorded it) is set by eventsourcing.
"""
from __future__ import annotations

import contextvars
import copy
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.domain import Aggregate

META_FIELDS = ("actor", "organisation", "idempotency_key", "correlation_id")
_digest: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_digest", default=None)
_current: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("event_meta", default=None)


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def current_meta() -> dict[str, Any]:
    meta = _current.get()
    if meta is None:
        meta = {"actor": "system", "organisation": None, "idempotency_key": None,
                "correlation_id": new_correlation_id()}
    digest = _digest.get()
    return {**meta, "request_hash": digest} if digest else dict(meta)


@contextmanager
def request_digest(digest: str) -> Iterator[None]:
    """Stamps the hash of the request body on the events triggered inside (see chassis.idempotency)."""
    token = _digest.set(digest)
    try:
        yield
    finally:
        _digest.reset(token)


def set_meta(meta: dict[str, Any]) -> None:
    """Sets the metadata for the rest of this green thread (a nameko worker runs in its own)."""
    _current.set({key: meta.get(key) for key in META_FIELDS})


@contextmanager
def recording(**meta: Any) -> Iterator[None]:
    token = _current.set({key: meta.get(key) for key in META_FIELDS})
    try:
        yield
    finally:
        _current.reset(token)


class TracedAggregate(Aggregate):
    """An aggregate whose every event carries ``meta`` (see module docstring)."""

    class Event(Aggregate.Event):
        meta: dict

    class Created(Event, Aggregate.Created):
        pass

    @classmethod
    def _create(cls, event_class: Any, *, id: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("meta", current_meta())
        return super()._create(event_class, id=id, **kwargs)

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs.setdefault("meta", current_meta())
        super().trigger_event(event_class, **kwargs)


class ReplacedStateAggregate(TracedAggregate):
    """A traced aggregate whose state attributes are only ever *replaced* (``self.items = {**self.items, k: v}``),
    never changed in place. That makes a shallow copy as good as a deep one, so the repository's cache hands out
    copies cheaply (eventsourcing deep-copies a cached aggregate on every ``get``, which for a large state costs
    more than the rest of a command). Subclasses must keep the rule in every event body."""

    def __deepcopy__(self, memo: dict) -> ReplacedStateAggregate:
        twin = copy.copy(self)
        twin._pending_events = list(self._pending_events)
        memo[id(self)] = twin
        return twin
