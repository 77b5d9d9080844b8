"""Queries over the enterprise read models (enterprise_reports.py): the funder indicators and programme
figures of ``GET /reports/enterprises``, and the attendance trend of a series of network events."""
from __future__ import annotations

import statistics
from collections import defaultdict
from decimal import Decimal
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from chassis.store import ServiceApplication
from contracts import enterprises as en
from reporting.enterprise_reports import minimum_support_hours

#: A series' trend is "falling" (or "rising") when the least-squares slope of attendance per event is more
#: than this share of the mean attendance; otherwise "steady".
TREND_TOLERANCE = 0.05


class EnterpriseReportQuery(Schema):
    class Meta:
        unknown = RAISE

    organisation = fields.String(load_default=None, validate=validate.Length(1, 100),
                                 metadata={"description": "only what this organisation recorded"})


class AttendanceTrendQuery(EnterpriseReportQuery):
    series = fields.String(required=True, validate=validate.OneOf(en.SERIES))


def _rows(app: ServiceApplication, statement: str, organisation: str | None, params: tuple = (),
          column: str = "organisation") -> list[tuple]:
    """``statement`` with ``{where}`` (its last placeholder) filtering on the recording organisation."""
    where = f"{column} = %s" if organisation else "1 = 1"
    values = (*params, *([organisation] if organisation else []))
    return app.query(statement.format(where=where), values)


def _int(value: Any) -> int:
    return int(value or 0)


def _hours(minutes: Any) -> str:
    return str((Decimal(_int(minutes)) / 60).quantize(Decimal("0.01")))


def indicators(app: ServiceApplication, organisation: str | None = None) -> dict[str, Any]:
    """ERDF CO01, CO02, CO04, CO05: unique enterprises (rows), registered, not merged away."""
    minimum = minimum_support_hours()
    intense = "(grants > 0 OR non_financial_minutes >= %s)"
    row = _rows(app, "SELECT"
                f" SUM(CASE WHEN legal_form IS NOT NULL AND {intense} THEN 1 ELSE 0 END),"
                " SUM(CASE WHEN legal_form IS NOT NULL AND grants > 0 THEN 1 ELSE 0 END),"
                " SUM(CASE WHEN legal_form IS NOT NULL AND non_financial_minutes >= %s THEN 1 ELSE 0 END),"
                f" SUM(CASE WHEN legal_form IS NOT NULL AND {intense} AND new_enterprise = 1 THEN 1 ELSE 0 END),"
                " SUM(supported), SUM(CASE WHEN supported = 1 AND legal_form IS NULL THEN 1 ELSE 0 END),"
                f" SUM(CASE WHEN supported = 1 AND legal_form IS NOT NULL AND NOT {intense} THEN 1 ELSE 0 END),"
                " SUM(CASE WHEN legal_form IS NOT NULL THEN 1 ELSE 0 END),"
                " SUM(non_financial_minutes), SUM(grant_pence), SUM(grants)"
                " FROM report_ent_enterprises WHERE merged_into IS NULL AND {where}", organisation,
                (minimum * 60,) * 4)[0]
    names = ("CO01_enterprises_supported", "CO02_enterprises_receiving_grants",
             "CO04_enterprises_receiving_non_financial_support", "CO05_new_enterprises_supported",
             "enterprises_supported_any_intensity", "pre_start_ventures_supported",
             "supported_below_minimum_intensity", "enterprises_registered")
    found = {name: _int(value) for name, value in zip(names, row)}
    return {"minimum_support_hours": minimum, **found, "non_financial_support_hours": _hours(row[8]),
            "grant_pence": _int(row[9]), "grants": _int(row[10])}


def _activity(app: ServiceApplication, organisation: str | None) -> dict[str, dict[str, int]]:
    found = _rows(app, "SELECT activity, COUNT(*), SUM(minutes), SUM(amount_pence) FROM report_ent_activity"
                  " WHERE {where} GROUP BY activity", organisation)
    table: dict[str, dict[str, int]] = defaultdict(lambda: {"count": 0, "minutes": 0, "pence": 0})
    for activity, count, minutes, pence in found:
        table[activity] = {"count": _int(count), "minutes": _int(minutes), "pence": _int(pence)}
    return table


def _details(app: ServiceApplication, activity: str, organisation: str | None) -> dict[str, int]:
    found = _rows(app, "SELECT detail, COUNT(*) FROM report_ent_activity WHERE activity = %s AND {where}"
                  " GROUP BY detail ORDER BY detail", organisation, (activity,))
    return {str(detail): _int(count) for detail, count in found}


def fuse(app: ServiceApplication, organisation: str | None = None) -> dict[str, Any]:
    """Applications per round and their stages; organisations and individuals in cohorts and short programmes."""
    rounds = {r[0]: {"round_id": r[0], "name": r[1], "applications": _int(r[2]), "enterprises": _int(r[3]),
                     "applicants": _int(r[4]), "by_status": {}}
              for r in _rows(app, "SELECT a.round_id, MAX(r.name), COUNT(*), COUNT(DISTINCT a.enterprise_id),"
                             " COUNT(DISTINCT a.applicant_id) FROM report_ent_applications a LEFT JOIN report_ent_rounds"
                             " r ON r.round_id = a.round_id WHERE {where} GROUP BY a.round_id ORDER BY a.round_id",
                             organisation, column="a.organisation")}
    for round_id, status, count in _rows(app, "SELECT round_id, status, COUNT(*) FROM report_ent_applications"
                                              " WHERE {where} GROUP BY round_id, status", organisation):
        rounds[round_id]["by_status"][status] = _int(count)
    members = {(kind, member): _int(count) for kind, member, count in _rows(
        app, "SELECT programme_kind, member_kind, COUNT(DISTINCT member_id) FROM report_ent_members WHERE {where}"
             " GROUP BY programme_kind, member_kind", organisation)}
    return {"rounds": list(rounds.values()),
            "start_up": {"organisations_supported": members.get(("fuse_cohort", "enterprise"), 0),
                         "individuals_supported": members.get(("fuse_cohort", "person"), 0)},
            "short_programmes": {"organisations": members.get(("boot_camp", "enterprise"), 0),
                                 "individuals": members.get(("boot_camp", "person"), 0)}}


def mentors(app: ServiceApplication, activity: dict[str, dict[str, int]], organisation: str | None) -> dict[str, Any]:
    row = _rows(app, "SELECT COUNT(*), SUM(1 - stepped_down), SUM(CASE WHEN kind = 'specialist' THEN 1 - stepped_down"
                " ELSE 0 END) FROM report_ent_mentors WHERE channel IS NOT NULL AND {where}", organisation)[0]
    channels = _rows(app, "SELECT channel, COUNT(*) FROM report_ent_mentors WHERE channel IS NOT NULL AND {where}"
                     " GROUP BY channel ORDER BY channel", organisation)
    return {"recruited": _int(row[0]), "active": _int(row[1]), "active_specialists": _int(row[2]),
            "by_channel": {channel: _int(count) for channel, count in channels},
            "matches": activity["mentor_matched"]["count"], "sessions": activity["mentoring_given"]["count"],
            "mentoring_hours": _hours(activity["mentoring_given"]["minutes"]),
            "recognitions": _details(app, "mentor_recognised", organisation)}


def network(app: ServiceApplication, activity: dict[str, dict[str, int]], organisation: str | None) -> dict[str, Any]:
    named = dict(_rows(app, "SELECT series, COUNT(*) FROM report_ent_attendance WHERE {where} GROUP BY series",
                       organisation))
    series = {s: {"events": _int(n), "attendance": _int(walk_ins) + _int(named.get(s))} for s, n, walk_ins in _rows(
        app, "SELECT series, COUNT(*), SUM(walk_ins) FROM report_ent_network_events WHERE {where} GROUP BY series",
        organisation)}
    kinds: dict[str, dict[str, int]] = defaultdict(dict)
    for event_id, kind, count in _rows(app, "SELECT network_event_id, attendee_kind, COUNT(*) FROM report_ent_attendance"
                                            " WHERE series = 'supply_chain' AND {where}"
                                            " GROUP BY network_event_id, attendee_kind", organisation):
        kinds[event_id][kind] = _int(count)
    outcomes: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for event_id, outcome, count, pence in _rows(app, "SELECT subject_id, activity, COUNT(*), SUM(amount_pence) FROM"
                                                      " report_ent_activity WHERE activity IN ('pitched', 'lead',"
                                                      " 'contract_won') AND {where} GROUP BY subject_id, activity",
                                                 organisation):
        outcomes[event_id][outcome] = (_int(count), _int(pence))
    supply_chain = [{"network_event_id": e, "title": title, "held_on": held_on, "buyers_present": _int(buyers),
                     "enterprises_attending": kinds[e].get("enterprise", 0),
                     "organisations_attending": kinds[e].get("organisation", 0),
                     "pitches": outcomes[e].get("pitched", (0, 0))[0], "leads": outcomes[e].get("lead", (0, 0))[0],
                     "contracts_won": outcomes[e].get("contract_won", (0, 0))[0],
                     "contract_value_pence": outcomes[e].get("contract_won", (0, 0))[1]}
                    for e, title, held_on, buyers in _rows(
                        app, "SELECT network_event_id, title, held_on, buyers_present FROM report_ent_network_events"
                             " WHERE series = 'supply_chain' AND {where} ORDER BY held_on, network_event_id",
                        organisation)]
    themes = {str(theme): {"sessions": _int(n), "ideas_raised": _int(ideas)} for theme, n, ideas in _rows(
        app, "SELECT theme, COUNT(*), SUM(ideas_raised) FROM report_ent_network_events WHERE series ="
             " 'awareness_session' AND {where} GROUP BY theme ORDER BY theme", organisation)}
    return {"series": series, "supply_chain_events": supply_chain,
            "awareness_sessions": {"by_theme": themes,
                                   "ideas_raised": sum(t["ideas_raised"] for t in themes.values()),
                                   "ideas_became_enterprises": activity["idea_became_enterprise"]["count"]}}


def research(app: ServiceApplication, activity: dict[str, dict[str, int]], organisation: str | None) -> dict[str, Any]:
    by_programme = {p: {"recruited": _int(n), "active": _int(active), "lapsed": _int(lapsed)} for p, n, active, lapsed
                    in _rows(app, "SELECT programme, COUNT(*), SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END),"
                             " SUM(CASE WHEN status = 'lapsed' THEN 1 ELSE 0 END) FROM report_ent_researchers"
                             " WHERE programme IS NOT NULL AND {where} GROUP BY programme ORDER BY programme",
                             organisation)}
    assets = {kind: {"entries": _int(n), "with_consent": _int(consent), "consent_withdrawn": _int(withdrawn)}
              for kind, n, consent, withdrawn in _rows(
                  app, "SELECT kind, COUNT(*), SUM(with_consent), SUM(consent_withdrawn) FROM report_ent_assets"
                       " WHERE kind IS NOT NULL AND {where} GROUP BY kind ORDER BY kind", organisation)}
    return {"recruited": sum(p["recruited"] for p in by_programme.values()),
            "active": sum(p["active"] for p in by_programme.values()),
            "lapsed": sum(p["lapsed"] for p in by_programme.values()), "by_programme": by_programme,
            "training_sessions": activity["research:training"]["count"],
            "fieldwork_hours": _hours(activity["research:fieldwork"]["minutes"]),
            "mentoring_sessions": activity["research:mentoring"]["count"],
            "introductions": _details(app, "introduction", organisation), "asset_map": assets}


def enterprise_report(app: ServiceApplication, organisation: str | None = None) -> dict[str, Any]:
    activity = _activity(app, organisation)
    consortia = _details(app, "consortium_formed", organisation)
    return {"organisation": organisation, "indicators": indicators(app, organisation), "fuse": fuse(app, organisation),
            "mentors": mentors(app, activity, organisation), "network": network(app, activity, organisation),
            "grants": {"awarded": activity["support:grant"]["count"], "pence": activity["support:grant"]["pence"]},
            "diagnostics": {"completed": activity["support:diagnostic"]["count"],
                            "hours": _hours(activity["support:diagnostic"]["minutes"])},
            "consortia": {"formed": sum(consortia.values()), "memberships": activity["consortium_joined"]["count"]},
            "research": research(app, activity, organisation)}


def attendance_trend(app: ServiceApplication, series: str, organisation: str | None = None) -> dict[str, Any]:
    """Attendance per event of a series in date order, returning attendees, and the direction of the trend."""
    refs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for event_id, kind, ref in _rows(app, "SELECT network_event_id, attendee_kind, attendee_ref FROM"
                                          " report_ent_attendance WHERE series = %s AND {where}", organisation,
                                     (series,)):
        refs[event_id].add((kind, ref))
    seen: set[tuple[str, str]] = set()
    events, previous = [], None
    for event_id, held_on, title, walk_ins in _rows(
            app, "SELECT network_event_id, held_on, title, walk_ins FROM report_ent_network_events WHERE series = %s"
                 " AND {where} ORDER BY held_on, network_event_id", organisation, (series,)):
        attendance = len(refs[event_id]) + _int(walk_ins)
        events.append({"network_event_id": event_id, "held_on": held_on, "title": title, "attendance": attendance,
                       "returning": len(refs[event_id] & seen),
                       "change": None if previous is None else attendance - previous})
        seen |= refs[event_id]
        previous = attendance
    counts = [event["attendance"] for event in events]
    if len(counts) < 2:
        return {"series": series, "events": events, "slope_per_event": None, "direction": "not_enough_events"}
    slope = statistics.linear_regression(range(len(counts)), counts).slope
    mean = statistics.fmean(counts)
    direction = "steady" if abs(slope) <= TREND_TOLERANCE * mean else ("rising" if slope > 0 else "falling")
    return {"series": series, "events": events, "slope_per_event": round(slope, 2), "direction": direction}
