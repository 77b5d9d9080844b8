"""The one clock rule of every domain: a thing that happened did not happen in the future (contracts.vocabulary
sets the grace for a poster's clock; the edge refuses such dates too, this is the domain's own guard)."""
from __future__ import annotations

from datetime import datetime

from chassis.errors import RuleBroken
from contracts.vocabulary import in_future


class OccurredInFutureError(RuleBroken):
    """Raised when a step claims to have happened after now."""

    def __init__(self) -> None:
        super().__init__("occurred_at_not_in_future", "occurred_at is in the future",
                         fields={"occurred_at": ["in the future"]})


def ensure_past(occurred_at: datetime) -> None:
    if in_future(occurred_at):
        raise OccurredInFutureError()
