"""Queries over the enterprise read models (enterprise_reports.py): the funder indicators and programme
figures of ``GET /reports/enterprises``, and the attendance trend of a series of network events.

Every figure is as it stood at the end of ``as_of``: each query keeps the rows whose business date is on or
before it (a support, a step of an application, a recruitment, an event held); states that change (an
application's stage, a researcher's status, a mentor stepping down) are the last step on or before the day.
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from chassis.dates import months_later
from chassis.replica import Reads
from reporting.readmodels.enterprise_reports import minimum_support_hours

#: A series' trend is "falling" (or "rising") when the least-squares slope of attendance per event is more
#: than this share of the mean attendance; otherwise "steady".
TREND_TOLERANCE = 0.05
#: An application's status after a step (a conflict declared after the interview sends it back to shortlisted).
STATUS_OF_STAGE = {"interview_voided": "shortlisted"}


def _rows(app: Reads, statement: str, organisation: str | None, params: tuple = (),
          column: str = "organisation") -> list[tuple]:
    """``statement`` with ``{where}`` (its last placeholder) filtering on the recording organisation."""
    where = f"{column} = %s" if organisation else "1 = 1"
    values = (*params, *([organisation] if organisation else []))
    return app.query(statement.format(where=where), values)


def _int(value: Any) -> int:
    return int(value or 0)


def _hours(minutes: Any) -> str:
    return str((Decimal(_int(minutes)) / 60).quantize(Decimal("0.01")))


def is_new_enterprise(registered_on: str | None, first_support_on: str | None) -> bool:
    """ERDF CO05 as the enterprises service judges it (``domain.is_new_enterprise``), restated for a day in the
    past: registered less than 12 months before the first support known by then."""
    if registered_on is None or first_support_on is None:
        return False
    return date.fromisoformat(registered_on) > months_later(date.fromisoformat(first_support_on), -12)


def _standing(app: Reads, day: str, organisation: str | None) -> list[dict[str, Any]]:
    """Each enterprise the programme had by ``day`` and not merged away by then, with its support up to ``day``."""
    found: dict[Any, dict[str, Any]] = {r[0]: {
        "registered_on": r[2] if r[1] is not None and r[2] is not None and r[2] <= day else None,
                    "first_support_on": None, "supported": False, "minutes": 0, "grants": 0, "grant_pence": 0}
             for r in _rows(app, "SELECT enterprise_id, legal_form, registered_on FROM report_ent_register"
                                 " WHERE entered_on <= %s AND (merged_on IS NULL OR merged_on > %s) AND {where}",
                            organisation, (day, day))}
    for enterprise_id, on, financial, minutes, pence in _rows(
            app, "SELECT s.enterprise_id, s.supported_on, s.financial, s.minutes, s.amount_pence FROM "
                 "report_ent_supports"
                 " s JOIN report_ent_register r ON r.enterprise_id = s.enterprise_id WHERE s.supported_on <= %s"
                 " AND {where}", organisation, (day,), column="r.organisation"):
        row = found.get(enterprise_id)
        if row is None:
            continue
        row["supported"] = True
        row["first_support_on"] = min(filter(None, (row["first_support_on"], on)))
        if int(financial):
            row["grants"] += 1
            row["grant_pence"] += _int(pence)
        else:
            row["minutes"] += _int(minutes)
    return list(found.values())


def indicators(app: Reads, as_of: date, organisation: str | None = None) -> dict[str, Any]:
    """ERDF CO01, CO02, CO04, CO05 as of a day: unique enterprises, registered by then, not merged away. An
    enterprise that dissolved stays counted for the support it had (``enterprises_dissolved`` says how many)."""
    minimum = minimum_support_hours()
    figures = dict.fromkeys(("CO01_enterprises_supported", "CO02_enterprises_receiving_grants",
                             "CO04_enterprises_receiving_non_financial_support", "CO05_new_enterprises_supported",
                             "enterprises_supported_any_intensity", "pre_start_ventures_supported",
                             "supported_below_minimum_intensity", "enterprises_registered"), 0)
    minutes = pence = grants = 0
    for e in _standing(app, as_of.isoformat(), organisation):
        minutes, pence, grants = minutes + e["minutes"], pence + e["grant_pence"], grants + e["grants"]
        intense = e["grants"] > 0 or e["minutes"] >= minimum * 60
        registered = e["registered_on"] is not None
        figures["enterprises_supported_any_intensity"] += e["supported"]
        figures["pre_start_ventures_supported"] += e["supported"] and not registered
        if not registered:
            continue
        figures["enterprises_registered"] += 1
        figures["CO01_enterprises_supported"] += intense
        figures["CO02_enterprises_receiving_grants"] += e["grants"] > 0
        figures["CO04_enterprises_receiving_non_financial_support"] += e["minutes"] >= minimum * 60
        figures["CO05_new_enterprises_supported"] += intense and is_new_enterprise(e["registered_on"],
                                                                                   e["first_support_on"])
        figures["supported_below_minimum_intensity"] += e["supported"] and not intense
    figures["enterprises_dissolved"] = _int(_rows(
        app, "SELECT COUNT(*) FROM report_ent_dissolutions d JOIN report_ent_register r ON r.enterprise_id ="
             " d.enterprise_id WHERE d.dissolved_on <= %s AND {where}", organisation, (as_of.isoformat(),),
        column="r.organisation")[0][0])
    return {"minimum_support_hours": minimum, **{k: int(v) for k, v in figures.items()},
            "non_financial_support_hours": _hours(minutes), "grant_pence": pence, "grants": grants}


def enterprises_by_legal_form(app: Reads, as_of: date) -> list[dict[str, Any]]:
    """Registered enterprises the programme had by ``as_of`` (not merged away by then), by legal form."""
    day = as_of.isoformat()
    rows = app.query("SELECT legal_form, COUNT(*) FROM report_ent_register WHERE legal_form IS NOT NULL"
                     " AND registered_on <= %s AND entered_on <= %s AND (merged_on IS NULL OR merged_on > %s)"
                     " GROUP BY legal_form ORDER BY legal_form", (day, day, day))
    return [{"legal_form": form, "registered": int(count)} for form, count in rows]


def _activity(app: Reads, day: str, organisation: str | None) -> dict[str, dict[str, int]]:
    found = _rows(app, "SELECT activity, COUNT(*), SUM(minutes), SUM(amount_pence) FROM report_ent_activities"
                  " WHERE on_day <= %s AND {where} GROUP BY activity", organisation, (day,))
    table: dict[str, dict[str, int]] = defaultdict(lambda: {"count": 0, "minutes": 0, "pence": 0})
    for activity, count, minutes, pence in found:
        table[activity] = {"count": _int(count), "minutes": _int(minutes), "pence": _int(pence)}
    return table


def _details(app: Reads, activity: str, day: str, organisation: str | None) -> dict[str, int]:
    found = _rows(app, "SELECT detail, COUNT(*) FROM report_ent_activities WHERE activity = %s AND on_day <= %s"
                  " AND {where} GROUP BY detail ORDER BY detail", organisation, (activity, day))
    return {str(detail): _int(count) for detail, count in found}


def _applications(app: Reads, day: str, organisation: str | None) -> dict[str, dict[str, str]]:
    """Each application submitted by ``day`` (by the organisation that submitted it) after its last step by then."""
    found: dict[str, dict[str, str]] = {}
    for application_id, round_id, applicant_id, enterprise_id, stage in _rows(
            app, "SELECT application_id, round_id, applicant_id, enterprise_id, stage FROM report_ent_application_steps"
                 " WHERE on_day <= %s AND application_id IN (SELECT application_id FROM report_ent_application_steps"
                 " WHERE stage = 'submitted' AND {where}) ORDER BY on_day, seq", organisation, (day,)):
        application = found.setdefault(application_id, {"round_id": round_id, "applicant_id": applicant_id,
                                                         "status": "submitted", "submitted": "no"})
        application["enterprise_id"] = enterprise_id  # a link by staff moves it to another enterprise record
        if stage == "submitted":
            application["submitted"] = "yes"
        elif stage != "enterprise_linked":
            application["status"] = STATUS_OF_STAGE.get(stage, stage)
    return {k: v for k, v in found.items() if v["submitted"] == "yes"}


def fuse(app: Reads, as_of: date, organisation: str | None = None) -> dict[str, Any]:
    """Applications per round and their stages; organisations and individuals in cohorts and short programmes."""
    day = as_of.isoformat()
    names = dict(app.query("SELECT round_id, name FROM report_ent_rounds"))
    by_round: dict[str, list[dict[str, str]]] = defaultdict(list)
    for application in _applications(app, day, organisation).values():
        by_round[application["round_id"]].append(application)
    rounds = []
    for round_id in sorted(by_round):
        applications = by_round[round_id]
        statuses: dict[str, int] = defaultdict(int)
        for application in applications:
            statuses[application["status"]] += 1
        rounds.append({"round_id": round_id, "name": names.get(round_id), "applications": len(applications),
                       "enterprises": len({a["enterprise_id"] for a in applications}),
                       "applicants": len({a["applicant_id"] for a in applications}), "by_status": dict(statuses)})
    members = {(kind, member): _int(count) for kind, member, count in _rows(
        app, "SELECT programme_kind, member_kind, COUNT(DISTINCT member_id) FROM report_ent_memberships"
             " WHERE joined_on <= %s AND {where} GROUP BY programme_kind, member_kind", organisation, (day,))}
    return {"rounds": rounds,
            "start_up": {"organisations_supported": members.get(("fuse_cohort", "enterprise"), 0),
                         "individuals_supported": members.get(("fuse_cohort", "person"), 0)},
            "short_programmes": {"organisations": members.get(("boot_camp", "enterprise"), 0),
                                 "individuals": members.get(("boot_camp", "person"), 0)}}


def mentors(app: Reads, activity: dict[str, dict[str, int]], day: str,
            organisation: str | None) -> dict[str, Any]:
    """Mentors recruited by ``day``; active: not stepped down by then."""
    active = "(stepped_down_on IS NULL OR stepped_down_on > %s)"
    row = _rows(app, f"SELECT COUNT(*), SUM(CASE WHEN {active} THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'specialist'"
                f" AND {active} THEN 1 ELSE 0 END) FROM report_ent_mentor_terms WHERE recruited_on <= %s AND {{where}}",
                organisation, (day, day, day))[0]
    channels = _rows(app, "SELECT channel, COUNT(*) FROM report_ent_mentor_terms WHERE recruited_on <= %s AND {where}"
                     " GROUP BY channel ORDER BY channel", organisation, (day,))
    return {"recruited": _int(row[0]), "active": _int(row[1]), "active_specialists": _int(row[2]),
            "by_channel": {channel: _int(count) for channel, count in channels},
            "matches": activity["mentor_matched"]["count"], "sessions": activity["mentoring_given"]["count"],
            "mentoring_hours": _hours(activity["mentoring_given"]["minutes"]),
            "recognitions": _details(app, "mentor_recognised", day, organisation)}


_HELD = (" FROM report_ent_attendance a JOIN report_ent_network_events e ON e.network_event_id = a.network_event_id"
         " WHERE e.held_on <= %s")


def network(app: Reads, activity: dict[str, dict[str, int]], day: str,
            organisation: str | None) -> dict[str, Any]:
    """Events held by ``day``, their attendance, and the outcomes recorded by then."""
    named = dict(_rows(app, "SELECT a.series, COUNT(*)" + _HELD + " AND {where} GROUP BY a.series", organisation,
                       (day,), column="a.organisation"))
    series = {s: {"events": _int(n), "attendance": _int(walk_ins) + _int(named.get(s))} for s, n, walk_ins in _rows(
        app, "SELECT series, COUNT(*), SUM(walk_ins) FROM report_ent_network_events WHERE held_on <= %s AND {where}"
             " GROUP BY series", organisation, (day,))}
    kinds: dict[str, dict[str, int]] = defaultdict(dict)
    for event_id, kind, count in _rows(app, "SELECT a.network_event_id, a.attendee_kind, COUNT(*)" + _HELD +
                                       " AND a.series = 'supply_chain' AND {where}"
                                       " GROUP BY a.network_event_id, a.attendee_kind", organisation, (day,),
                                       column="a.organisation"):
        kinds[event_id][kind] = _int(count)
    outcomes: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for event_id, outcome, count, pence in _rows(app, "SELECT subject_id, activity, COUNT(*), SUM(amount_pence) FROM"
                                                      " report_ent_activities WHERE activity IN ('pitched', 'lead',"
                                                      " 'contract_won') AND on_day <= %s AND {where}"
                                                      " GROUP BY subject_id, activity", organisation, (day,)):
        outcomes[event_id][outcome] = (_int(count), _int(pence))
    supply_chain = [{"network_event_id": e, "title": title, "held_on": held_on, "buyers_present": _int(buyers),
                     "enterprises_attending": kinds[e].get("enterprise", 0),
                     "organisations_attending": kinds[e].get("organisation", 0),
                     "pitches": outcomes[e].get("pitched", (0, 0))[0], "leads": outcomes[e].get("lead", (0, 0))[0],
                     "contracts_won": outcomes[e].get("contract_won", (0, 0))[0],
                     "contract_value_pence": outcomes[e].get("contract_won", (0, 0))[1]}
                    for e, title, held_on, buyers in _rows(
                        app, "SELECT network_event_id, title, held_on, buyers_present FROM report_ent_network_events"
                             " WHERE series = 'supply_chain' AND held_on <= %s AND {where}"
                             " ORDER BY held_on, network_event_id", organisation, (day,))]
    themes = {str(theme): {"sessions": _int(n), "ideas_raised": _int(ideas)} for theme, n, ideas in _rows(
        app, "SELECT theme, COUNT(*), SUM(ideas_raised) FROM report_ent_network_events WHERE series ="
             " 'awareness_session' AND held_on <= %s AND {where} GROUP BY theme ORDER BY theme", organisation, (day,))}
    return {"series": series, "supply_chain_events": supply_chain,
            "awareness_sessions": {"by_theme": themes,
                                   "ideas_raised": sum(t["ideas_raised"] for t in themes.values()),
                                   "ideas_became_enterprises": activity["idea_became_enterprise"]["count"]}}


def _researchers(app: Reads, day: str, organisation: str | None) -> dict[str, dict[str, str]]:
    """Each researcher recruited by ``day`` (by the organisation that recruited them) and their status then."""
    found: dict[str, dict[str, str]] = {}
    for researcher_id, programme, status in _rows(
            app, "SELECT researcher_id, programme, status FROM report_ent_researcher_steps WHERE on_day <= %s"
                 " AND researcher_id IN (SELECT researcher_id FROM report_ent_researcher_steps WHERE status ="
                 " 'recruited' AND {where}) ORDER BY on_day, seq", organisation, (day,)):
        researcher = found.setdefault(researcher_id, {"programme": "", "status": status})
        researcher["status"] = status
        researcher["programme"] = programme or researcher["programme"]
    return {k: v for k, v in found.items() if v["programme"]}


def research(app: Reads, activity: dict[str, dict[str, int]], day: str,
             organisation: str | None) -> dict[str, Any]:
    by_programme: dict[str, dict[str, int]] = {}
    for researcher in sorted(_researchers(app, day, organisation).values(), key=lambda r: r["programme"]):
        counts = by_programme.setdefault(researcher["programme"], {"recruited": 0, "active": 0, "lapsed": 0})
        counts["recruited"] += 1
        if researcher["status"] in ("active", "lapsed"):
            counts[researcher["status"]] += 1
    withdrawn = "CASE WHEN consent_withdrawn_on IS NOT NULL AND consent_withdrawn_on <= %s THEN 1 ELSE 0 END"
    assets = {kind: {"entries": _int(n), "with_consent": _int(consent), "consent_withdrawn": _int(gone)}
              for kind, n, consent, gone in _rows(
                  app, f"SELECT kind, COUNT(*), SUM(with_consent), SUM({withdrawn}) FROM report_ent_asset_entries"
                       " WHERE mapped_on <= %s AND {where} GROUP BY kind ORDER BY kind", organisation, (day, day))}
    return {"recruited": sum(p["recruited"] for p in by_programme.values()),
            "active": sum(p["active"] for p in by_programme.values()),
            "lapsed": sum(p["lapsed"] for p in by_programme.values()), "by_programme": by_programme,
            "training_sessions": activity["research:training"]["count"],
            "fieldwork_hours": _hours(activity["research:fieldwork"]["minutes"]),
            "mentoring_sessions": activity["research:mentoring"]["count"],
            "introductions": _details(app, "introduction", day, organisation), "asset_map": assets}


def enterprise_report(app: Reads, as_of: date, organisation: str | None = None) -> dict[str, Any]:
    day = as_of.isoformat()
    activity = _activity(app, day, organisation)
    consortia = _details(app, "consortium_formed", day, organisation)
    return {"as_of": day, "organisation": organisation, "indicators": indicators(app, as_of, organisation),
            "fuse": fuse(app, as_of, organisation), "mentors": mentors(app, activity, day, organisation),
            "network": network(app, activity, day, organisation),
            "grants": {"awarded": activity["support:grant"]["count"], "pence": activity["support:grant"]["pence"]},
            "diagnostics": {"completed": activity["support:diagnostic"]["count"],
                            "hours": _hours(activity["support:diagnostic"]["minutes"])},
            "consortia": {"formed": sum(consortia.values()), "memberships": activity["consortium_joined"]["count"]},
            "research": research(app, activity, day, organisation)}


def attendance_trend(app: Reads, series: str, as_of: date,
                     organisation: str | None = None) -> dict[str, Any]:
    """Attendance per event of a series held by ``as_of``, in date order, returning attendees, and the direction
    of the trend."""
    day = as_of.isoformat()
    refs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for event_id, kind, ref in _rows(app, "SELECT a.network_event_id, a.attendee_kind, a.attendee_ref" + _HELD +
                                     " AND a.series = %s AND {where}", organisation, (day, series),
                                     column="a.organisation"):
        refs[event_id].add((kind, ref))
    seen: set[tuple[str, str]] = set()
    events, previous = [], None
    for event_id, held_on, title, walk_ins in _rows(
            app, "SELECT network_event_id, held_on, title, walk_ins FROM report_ent_network_events WHERE series = %s"
                 " AND held_on <= %s AND {where} ORDER BY held_on, network_event_id", organisation, (series, day)):
        attendance = len(refs[event_id]) + _int(walk_ins)
        events.append({"network_event_id": event_id, "held_on": held_on, "title": title, "attendance": attendance,
                       "returning": len(refs[event_id] & seen),
                       "change": None if previous is None else attendance - previous})
        seen |= refs[event_id]
        previous = attendance
    counts = [event["attendance"] for event in events]
    if len(counts) < 2:
        return {"as_of": day, "series": series, "events": events, "slope_per_event": None,
                "direction": "not_enough_events"}
    slope = statistics.linear_regression(range(len(counts)), counts).slope
    mean = statistics.fmean(counts)
    direction = "steady" if abs(slope) <= TREND_TOLERANCE * mean else ("rising" if slope > 0 else "falling")
    return {"as_of": day, "series": series, "events": events, "slope_per_event": round(slope, 2),
            "direction": direction}
