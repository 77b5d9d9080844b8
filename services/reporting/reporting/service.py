"""The reporting nameko service: entrypoints only."""
from __future__ import annotations

from datetime import datetime, timezone

from marshmallow import RAISE, Schema, fields
from nameko.rpc import RpcProxy
from nameko.timer import timer

from chassis.endpoints import StandardEndpoints
from chassis.http import Call, route
from chassis.inbox import Delivery, Inbox, upstream_events
from chassis.relay import OutboxRelay
from chassis.store import Store
from reporting import enterprise_queries, projections, queries
from reporting.application import Reporting

UPSTREAMS = ("referrals", "pathways", "enterprises")


class OverdueQuery(Schema):
    class Meta:
        unknown = RAISE

    as_of = fields.Date(load_default=None)


class ReportingService(StandardEndpoints):
    name = "reporting"
    http_port = 8004
    consumes = UPSTREAMS
    store = Store(Reporting)
    outbox = OutboxRelay(lambda domain_event: None)  # publishes nothing yet; serves its (empty) log
    inbox = Inbox()
    referrals = RpcProxy("referrals")
    pathways = RpcProxy("pathways")
    enterprises = RpcProxy("enterprises")

    @upstream_events("referrals")
    def on_referrals_event(self, delivery: Delivery) -> None:
        self.inbox.handle(delivery, self.referrals.integration_events, apply_sql=projections.apply)

    @upstream_events("pathways")
    def on_pathways_event(self, delivery: Delivery) -> None:
        self.inbox.handle(delivery, self.pathways.integration_events, apply_sql=projections.apply)

    @upstream_events("enterprises")
    def on_enterprises_event(self, delivery: Delivery) -> None:
        self.inbox.handle(delivery, self.enterprises.integration_events, apply_sql=projections.apply)

    @timer(interval=5)
    def catch_up(self) -> None:
        """Pulls what each upstream log holds beyond our position (a missed last message, a restart)."""
        for upstream in UPSTREAMS:
            self.inbox.catch_up(upstream, getattr(self, upstream).integration_events,
                                apply_sql=projections.apply)

    @route("GET", "/reports/referrals-by-partner", roles=("caseworker", "auditor", "admin"), summary="Clients referred and accepted, by partner",
           answers={200: "one row per partner"})
    def referrals_by_partner(self, call: Call) -> dict:
        return {"rows": queries.referrals_by_partner(self.store)}

    @route("GET", "/reports/overdue-referrals", roles=("caseworker", "admin"), query=OverdueQuery,
           summary="Referrals past their first-contact date, and how many per partner",
           answers={200: "the overdue referrals"})
    def overdue_referrals(self, call: Call) -> dict:
        today = (call.query.get("as_of") or datetime.now(timezone.utc).date()).isoformat()
        rows = queries.overdue_referrals(self.store, today)
        per_partner: dict[str, int] = {}
        for row in rows:
            per_partner[row["partner_id"]] = per_partner.get(row["partner_id"], 0) + 1
        return {"as_of": today, "referrals": rows, "per_partner": per_partner}

    @route("GET", "/partners/me/referrals", roles=("referrer",), answers={200: "the caller's referrals"},
           summary="A referring partner's own referrals and where each one stands (no personal data)")
    def my_referrals(self, call: Call) -> dict:
        return {"partner_id": call.organisation, "referrals": queries.referrals_of_partner(self.store, call.organisation)}

    @route("GET", "/reports/summary", roles=("caseworker", "enterprise_staff", "auditor", "admin"), summary="Headline counts of every strand", answers={200: "counts"})
    def summary(self, call: Call) -> dict:
        return {"referrals_by_partner": queries.referrals_by_partner(self.store),
                "pathways_by_entry_point": queries.pathways_by_entry_point(self.store),
                "enterprises_by_legal_form": queries.enterprises_by_legal_form(self.store),
                "pathway_funnel": queries.pathway_funnel(self.store),
                "clients_erased": queries.clients_erased(self.store)}

    @route("GET", "/reports/enterprises", roles=("enterprise_staff", "auditor", "admin"),
           query=enterprise_queries.EnterpriseReportQuery, answers={200: "indicators and programme figures"},
           summary="ERDF CO01/CO02/CO04/CO05 (each enterprise once), FUSE rounds and cohorts, mentors, events, research")
    def enterprise_report(self, call: Call) -> dict:
        return enterprise_queries.enterprise_report(self.store, call.query["organisation"])

    @route("GET", "/reports/events/attendance-trend", roles=("enterprise_staff", "auditor", "admin"),
           query=enterprise_queries.AttendanceTrendQuery, answers={200: "attendance per event and the trend"},
           summary="Attendance of one series of network events over time (returning attendees, direction)")
    def attendance_trend(self, call: Call) -> dict:
        return enterprise_queries.attendance_trend(self.store, call.query["series"], call.query["organisation"])
