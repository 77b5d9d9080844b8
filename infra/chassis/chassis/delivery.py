"""What the inbox processes: one upstream's integration event as delivered, and what a handler gives back."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from chassis.meta import recording
from chassis.sql import Sql


class Poison(Exception):
    """Raised by a handler when a message can never be processed (it breaks its contract)."""


@dataclass(frozen=True)
class Delivery:
    upstream: str
    notification_id: int
    previous_id: int
    body: dict[str, Any]
    replay: bool = False
    #: read back from the upstream's own log by a rebuild (not delivered by the broker): its handlers may load
    #: it without validating it again (``contracts.trusted``)
    trusted: bool = False

    @property
    def event_type(self) -> str:
        return str(self.body.get("event_type", ""))

    @contextmanager
    def recorded(self, service: str) -> Iterator[None]:
        """Events triggered inside carry this delivery's organisation, event id and correlation id, and the
        consuming service as their actor."""
        with recording(actor=f"system:{service}", organisation=self.body.get("organisation"),
                       idempotency_key=self.body.get("event_id"), correlation_id=self.body.get("correlation_id")):
            yield


@dataclass(frozen=True)
class Writes:
    """What an event-sourced handler may return besides a plain list of aggregates: the aggregates and SQL
    writes (read models) to commit with them and the position, in one transaction."""

    aggregates: Sequence[Any] = ()
    sql: Callable[[Sql], None] | None = None


Fetch = Callable[[int, "int | None", int], dict]
#: An event-sourced handler returns the aggregates to save with the position (or ``Writes``); a SQL handler
#: writes itself.
ApplyEvents = Callable[[Delivery], "Sequence[Any] | Writes"]
ApplySql = Callable[[Sql, Delivery], None]
#: A SQL handler of a whole run of consecutive deliveries, inside one transaction the inbox opened (each
#: delivery's events under ``delivery.recorded``); the inbox records the run's positions in it.
ApplyRun = Callable[[Sql, Sequence[Delivery]], None]


def as_writes(result: Sequence[Any] | Writes) -> Writes:
    """What an event-sourced handler returned, as Writes."""
    return result if isinstance(result, Writes) else Writes(tuple(result))
