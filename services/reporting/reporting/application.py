"""The reporting application: its own database of read models (and, later, the outcome ledger's events)."""
from chassis.store import ServiceApplication
from reporting.projections import TABLES


class Reporting(ServiceApplication):
    name = "reporting"
    extra_tables = TABLES
