"""The reporting application: its own database of read models and the outcome ledger's events."""
from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from chassis.application import ServiceApplication
from chassis.vault import master_key
from reporting.outcomes import views as ledger_views
from reporting.readmodels import projections


class Reporting(ServiceApplication):
    name = "reporting"
    extra_tables = (*projections.TABLES, *ledger_views.TABLES)


def pseudonym_key(source: Any = None) -> bytes:
    """The key of participant references, derived from MASTER_KEY (HKDF): no second secret to manage, and a
    reference cannot be recomputed, or reversed, without it."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"useit reporting participant reference").derive(master_key(source))
