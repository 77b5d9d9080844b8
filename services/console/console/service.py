"""The console's nameko service: its pages (console.pages.*), /health and /metrics."""
from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.wrappers import Response

from chassis.endpoints import HealthAnswer
from chassis.http import Call, route
from chassis.providers import Store
from chassis.telemetry import Telemetry
from console.application import Console
from console.dependencies import AccountsProvider, ServicesProvider
from console.pages.audit import AuditPages
from console.pages.casework import CaseworkPages
from console.pages.finance import FinancePages
from console.pages.partners import PartnerPages
from console.pages.programme import ProgrammePages
from console.pages.start import StartPages


class ConsoleService(StartPages, CaseworkPages, PartnerPages, FinancePages, ProgrammePages, AuditPages):
    name = "console"
    http_port = 8000
    store = Store(Console)
    accounts = AccountsProvider()
    services = ServicesProvider()
    telemetry = Telemetry()

    @route("GET", "/health", answer=HealthAnswer, summary="The console's database answers",
           answers={200: "healthy", 503: "degraded"})
    def health(self, call: Call) -> tuple[int, dict]:
        try:
            self.store.head()
        except Exception:  # noqa: BLE001  (any failure of the database is "degraded")
            return 503, {"status": "degraded", "checks": {"database": False}, "error": "degraded",
                         "message": "unreachable: database"}
        return 200, {"status": "ok", "checks": {"database": True}}

    @route("GET", "/metrics", summary="Prometheus metrics", answers={200: "text exposition format"})
    def metrics(self, call: Call) -> Response:
        return Response(generate_latest(self.telemetry.metrics.registry), content_type=CONTENT_TYPE_LATEST)
