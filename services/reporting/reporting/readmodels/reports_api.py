"""HTTP entrypoints of monitoring reports and the audit view (mixed into the reporting service).

Every report takes ``as_of`` (default today); ``format=csv`` exports it with small numbers suppressed.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Response

from chassis import config
from chassis.http import Call, json_response, route
from contracts import reporting as rp
from contracts.reporting_requests import AsOf, AttendanceTrendQuery, EnterpriseReportQuery
from reporting.outcomes.statements import to_csv
from reporting.readmodels import enterprise_queries, queries

HUB_AND_AUDIT = ("caseworker", "auditor", "admin")


def _as_of(call: Call) -> Any:
    return call.query.get("as_of") or datetime.now(UTC).date()


def placement_target() -> int:
    return int(config.env("PLACEMENT_TARGET", "60") or 60)


#: Figures that are not counts of people or organisations, so never suppressed (money, settings, dates).
NOT_COUNTS = ("_pence", "minimum_support_hours", "slope_per_event", "target")


def figures(found: Any, path: str = "") -> list[dict[str, Any]]:
    """A nested report as (figure, value) rows: ``fuse.rounds.<round_id>.applications``. A list item is named by its
    first field (an id, a partner, a legal form); figures that are not counts become text (never suppressed)."""
    if isinstance(found, dict):
        return [row for key, value in found.items() for row in figures(value, f"{path}.{key}" if path else str(key))]
    if isinstance(found, list):
        rows = []
        for number, item in enumerate(found):
            if isinstance(item, dict) and item and isinstance(next(iter(item.values())), str):
                label, *_ = item
                rows += figures({k: v for k, v in item.items() if k != label}, f"{path}.{item[label]}")
            else:
                rows += figures(item, f"{path}.{number}")
        return rows
    if isinstance(found, int) and not isinstance(found, bool) and path.endswith(NOT_COUNTS):
        found = str(found)
    return [{"figure": path, "value": found}]


def _export(rows: list[dict[str, Any]], columns: tuple[str, ...], name: str) -> Response:
    """A CSV export with counts below queries.SMALL_NUMBER suppressed."""
    safe = [{k: queries.suppress(v) for k, v in row.items()} for row in rows]
    return json_response(200, to_csv(safe, columns), {"Content-Disposition": f'attachment; filename="{name}.csv"'},
                         mimetype="text/csv")


class ReportEndpoints:
    store: Any

    @property
    def reads(self) -> Any:
        """Where the reports read, "as of" a date: a standby when one is configured (chassis.replica), else the
        primary. A partner's own referrals and a client's timeline stay on the primary (read after writing)."""
        return self.store.lagging_reads

    @route("GET", "/reports/referrals-by-partner", answer=rp.ReferralsByPartner, roles=HUB_AND_AUDIT, query=AsOf,
           summary="Clients referred and accepted, by partner and entry point", answers={200: "one row per partner"})
    def referrals_by_partner(self, call: Call) -> Any:
        rows = queries.referrals_by_partner(self.reads, _as_of(call))
        if call.query["format"] == "csv":
            flat = [{**{k: v for k, v in r.items() if k != "accepted_by_entry_point"}, **r["accepted_by_entry_point"]}
                    for r in rows]
            return _export(flat, ("partner_id", "referred", "accepted", "E-A", "E-B", "E-C", "E-D"),
                           "referrals-by-partner")
        return {"as_of": _as_of(call).isoformat(), "rows": rows}

    @route("GET", "/reports/clients-by-stage", answer=rp.ClientsByStage, roles=HUB_AND_AUDIT, query=AsOf,
           summary="Pathways at each stage (ESOL, English, registration, job matching, sustainment, closed)",
           answers={200: "counts per stage and entry point"})
    def clients_by_stage(self, call: Call) -> Any:
        found = queries.clients_by_stage(self.reads, _as_of(call))
        if call.query["format"] == "csv":
            rows = [{"stage": s, "pathways": n, **found["by_entry_point"][s]} for s, n in found["stages"].items()]
            return _export(rows, ("stage", "pathways", "E-A", "E-B", "E-C", "E-D"), "clients-by-stage")
        return {"as_of": _as_of(call).isoformat(), **found}

    @route("GET", "/reports/kpis", answer=rp.Kpis, roles=HUB_AND_AUDIT, query=AsOf,
           summary="Headline KPIs: clients on the database, placements offered (by kind) against target, jobs "
                   "(NHS as the bond counts them), sustainment, closures by reason, outcomes by each contract's "
                   "definition; every KPI's definition beside it",
           answers={200: "the KPIs and their definitions"})
    def kpis(self, call: Call) -> Any:
        day = _as_of(call)
        found = {**queries.placements(self.reads, day, placement_target()), **queries.employment(self.reads, day),
                 **queries.closures(self.reads, day),
                 "outcomes_by_contract": queries.outcomes_by_contract(self.reads, day)}
        if call.query["format"] == "csv":
            rows = [{"kpi": r["figure"], "value": r["value"]} for r in figures(found)]
            return _export(rows, ("kpi", "value"), "kpis")
        return {"as_of": day.isoformat(), **found, "definitions": queries.KPI_DEFINITIONS}

    @route("GET", "/reports/kpis/definitions", answer=rp.KpiDefinitions, roles=HUB_AND_AUDIT,
           summary="What each KPI counts", answers={200: "KPI name -> definition"})
    def kpi_definitions(self, call: Call) -> Any:
        return {"definitions": queries.KPI_DEFINITIONS}

    @route("GET", "/reports/esf-participants", answer=rp.EsfParticipants, roles=("auditor", "admin"), audit_read="*",
           query=AsOf,
           summary="ESF-style participant records: first start kept, final exit, immediate result",
           answers={200: "one record per participant"})
    def esf_participants(self, call: Call) -> Any:
        found = queries.esf_participants(self.reads, _as_of(call))
        if call.query["format"] == "csv":
            totals = [{"measure": "participants", "value": found["participants"]},
                      {"measure": "exited", "value": found["exited"]}]
            return _export(totals, ("measure", "value"), "esf-participants")
        return found

    @route("GET", "/reports/overdue-referrals", answer=rp.OverdueReferrals, roles=("caseworker", "admin"), query=AsOf,
           summary="Referrals past their first-contact date, and how many per partner",
           answers={200: "the overdue referrals"})
    def overdue_referrals(self, call: Call) -> dict:
        today = _as_of(call).isoformat()
        rows = queries.overdue_referrals(self.reads, today)
        per_partner: dict[str, int] = {}
        for row in rows:
            per_partner[row["partner_id"]] = per_partner.get(row["partner_id"], 0) + 1
        return {"as_of": today, "referrals": rows, "per_partner": per_partner}

    @route("GET", "/reports/awaiting-contact", answer=rp.AwaitingContact, roles=("caseworker", "admin"), query=AsOf,
           summary="The work queue: new referrals nobody has contacted yet, due date first; overdue ones per partner",
           answers={200: "the referrals awaiting first contact"})
    def awaiting_contact(self, call: Call) -> dict:
        today = _as_of(call).isoformat()
        rows = queries.awaiting_contact(self.reads, today)
        per_partner: dict[str, int] = {}
        for row in rows:
            if row["overdue"]:
                per_partner[row["partner_id"]] = per_partner.get(row["partner_id"], 0) + 1
        return {"as_of": today, "referrals": rows, "per_partner": per_partner}

    @route("GET", "/partners/me/referrals", answer=rp.PartnerReferrals, roles=("referrer",),
           answers={200: "the caller's referrals"},
           summary="A referring partner's own referrals and where each one stands (no personal data)")
    def my_referrals(self, call: Call) -> dict:
        return {"partner_id": call.organisation,
                "referrals": queries.referrals_of_partner(self.store, call.organisation)}

    @route("GET", "/reports/summary", answer=rp.Summary, roles=("caseworker", "enterprise_staff", "auditor", "admin"),
           query=AsOf,
           summary="Headline counts of every strand", answers={200: "counts"})
    def summary(self, call: Call) -> Any:
        day = _as_of(call)
        found = {"as_of": day.isoformat(),
                 "referrals_by_partner": queries.referrals_by_partner(self.reads, day),
                 "pathways_by_entry_point": queries.pathways_by_entry_point(self.reads, day),
                 "enterprises_by_legal_form": enterprise_queries.enterprises_by_legal_form(self.reads, day),
                 "pathway_funnel": queries.pathway_funnel(self.reads, day),
                 "clients_erased": queries.clients_erased(self.reads)}
        if call.query["format"] == "csv":
            return _export(figures(found), ("figure", "value"), "summary")
        return found

    @route("GET", "/reports/enterprises", answer=rp.EnterpriseReport, roles=("enterprise_staff", "auditor", "admin"),
           query=EnterpriseReportQuery, answers={200: "indicators and programme figures"},
           summary="ERDF CO01/CO02/CO04/CO05 (each enterprise once), FUSE rounds and cohorts, mentors, events, "
                   "research")
    def enterprise_report(self, call: Call) -> Any:
        found = enterprise_queries.enterprise_report(self.reads, _as_of(call), call.query["organisation"])
        if call.query["format"] == "csv":
            return _export(figures(found), ("figure", "value"), "enterprises")
        return found

    @route("GET", "/reports/events/attendance-trend", answer=rp.AttendanceTrend,
           roles=("enterprise_staff", "auditor", "admin"),
           query=AttendanceTrendQuery, answers={200: "attendance per event and the trend"},
           summary="Attendance of one series of network events over time (returning attendees, direction)")
    def attendance_trend(self, call: Call) -> Any:
        found = enterprise_queries.attendance_trend(self.reads, call.query["series"], _as_of(call),
                                                    call.query["organisation"])
        if call.query["format"] == "csv":  # no change column: a difference would undo the suppression
            return _export(found["events"], ("network_event_id", "held_on", "title", "attendance", "returning"),
                           f"attendance-trend-{found['series']}")
        return found

    @route("GET", "/audit/clients/<uuid:client_id>/history", answer=rp.ClientHistory, roles=HUB_AND_AUDIT,
           audit_read="client_id", query=AsOf,
           summary="Everything recorded about one client across services, in order, as of a date",
           answers={200: "the client's history (no personal data: ids and programme facts)"})
    def client_history(self, call: Call) -> dict:
        day = _as_of(call)
        return {"client_id": str(call.path["client_id"]), "as_of": day.isoformat(),
                "events": queries.client_history(self.store, str(call.path["client_id"]), day)}
