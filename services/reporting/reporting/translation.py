"""reporting's domain events -> integration events: none yet. reporting publishes nothing; its relay serves its
own log to the ledger's projection (outcomes.views) and the audit chain. A ledger event other services should
hear of (an outcome paid, say) would be translated here into a contract of contracts.reporting."""
from __future__ import annotations

from typing import Any

#: the domain event classes translated (and so published): none
TRANSLATED: tuple[type, ...] = ()


def to_contract(domain_event: Any) -> dict[str, Any] | None:
    """No ledger event is published (yet)."""
    return None
