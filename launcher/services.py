"""The four services (their nameko class, their eventsourcing Application and their HTTP port), and the console."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    service: str
    application: str
    port: int


SERVICES = (
    ServiceSpec("referrals", "referrals.service:ReferralsService", "referrals.application:Referrals", 8001),
    ServiceSpec("pathways", "pathways.service:PathwaysService", "pathways.application:Pathways", 8002),
    ServiceSpec("enterprises", "enterprises.service:EnterprisesService", "enterprises.application:Enterprises", 8003),
    ServiceSpec("reporting", "reporting.service:ReportingService", "reporting.application:Reporting", 8004),
)

#: the web console: pages over the four services' APIs (it holds only staff accounts and sessions)
CONSOLE = ServiceSpec("console", "console.service:ConsoleService", "console.application:Console", 8000)
