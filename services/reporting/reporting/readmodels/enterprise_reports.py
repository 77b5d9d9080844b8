"""Read models of the enterprise strand: tables, idempotent handlers (run in the inbox's transaction, so a
redelivered event changes nothing). The queries behind ``/reports/enterprises`` and the attendance trend are
in enterprise_queries.py.

ERDF indicators count each ``enterprise_id`` once (a row per enterprise, never per application or session):
CO01 enterprises supported (a grant, or non-financial support reaching the minimum intensity), CO02 receiving
grants, CO04 receiving non-financial support of at least ``ENTERPRISE_MIN_SUPPORT_HOURS`` (default 12: the
England threshold is marked [verify] in the domain brief), CO05 new enterprises among CO01 (registered less
than 12 months before their first support; the enterprises service decides and the event says so). Only
registered enterprises count; ventures not yet registered are reported as ``pre_start_ventures_supported``.
Every row keeps the organisation that recorded it, so each figure can be read for one organisation, and the
business date of its fact, so each figure can be read as it stood at the end of any day (``as_of``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chassis import config
from chassis.delivery import Delivery
from chassis.sql import Sql
from contracts import enterprises as en
from contracts import trusted

#: Every row keeps the business date of its fact (``occurred_at``'s day, or the date the fact names: an event's
#: ``held_on``), so each figure is a query filtered by date: ``as_of`` is never a replay. The table names are new
#: with dates (an older database keeps its undated tables, unused; ``python -m reporting.readmodels.rebuild`` fills
# these).
TABLES = (
    "CREATE TABLE IF NOT EXISTS report_ent_register (enterprise_id TEXT PRIMARY KEY, organisation TEXT,"
    " legal_form TEXT, registered_on TEXT, entered_on TEXT NOT NULL, merged_into TEXT, merged_on TEXT)",
    "CREATE TABLE IF NOT EXISTS report_ent_dissolutions (enterprise_id TEXT PRIMARY KEY, organisation TEXT,"
    " dissolved_on TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS report_ent_supports (seq BIGINT PRIMARY KEY, enterprise_id TEXT NOT NULL,"
    " organisation TEXT, supported_on TEXT NOT NULL, kind TEXT NOT NULL, financial INTEGER NOT NULL,"
    " minutes INTEGER NOT NULL DEFAULT 0, amount_pence BIGINT NOT NULL DEFAULT 0)",
    "CREATE INDEX IF NOT EXISTS report_ent_supports_by_day ON report_ent_supports (supported_on)",
    "CREATE TABLE IF NOT EXISTS report_ent_rounds (round_id TEXT PRIMARY KEY, organisation TEXT, name TEXT,"
    " opens_on TEXT, closes_on TEXT, places INTEGER)",
    "CREATE TABLE IF NOT EXISTS report_ent_application_steps (seq BIGINT PRIMARY KEY, application_id TEXT NOT NULL,"
    " round_id TEXT NOT NULL, organisation TEXT, applicant_id TEXT NOT NULL, enterprise_id TEXT NOT NULL,"
    " stage TEXT NOT NULL, on_day TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS report_ent_programmes (programme_id TEXT PRIMARY KEY, organisation TEXT, kind TEXT,"
    " name TEXT, starts_on TEXT, ends_on TEXT)",
    "CREATE TABLE IF NOT EXISTS report_ent_memberships (programme_id TEXT NOT NULL, member_kind TEXT NOT NULL,"
    " member_id TEXT NOT NULL, programme_kind TEXT NOT NULL, organisation TEXT, joined_on TEXT NOT NULL,"
    " PRIMARY KEY (programme_id, member_kind, member_id))",
    "CREATE TABLE IF NOT EXISTS report_ent_mentor_terms (mentor_id TEXT PRIMARY KEY, organisation TEXT,"
    " channel TEXT, kind TEXT, specialisms TEXT, recruited_on TEXT, stepped_down_on TEXT)",
    "CREATE TABLE IF NOT EXISTS report_ent_researcher_steps (seq BIGINT PRIMARY KEY, researcher_id TEXT NOT NULL,"
    " organisation TEXT, programme TEXT, status TEXT NOT NULL, on_day TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS report_ent_network_events (network_event_id TEXT PRIMARY KEY, organisation TEXT,"
    " series TEXT NOT NULL, title TEXT, held_on TEXT NOT NULL, theme TEXT, speakers INTEGER NOT NULL DEFAULT 0,"
    " buyers_present INTEGER NOT NULL DEFAULT 0, ideas_raised INTEGER NOT NULL DEFAULT 0,"
    " walk_ins INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS report_ent_attendance (network_event_id TEXT NOT NULL, attendee_kind TEXT NOT NULL,"
    " attendee_ref TEXT NOT NULL, series TEXT NOT NULL, organisation TEXT,"
    " PRIMARY KEY (network_event_id, attendee_kind, attendee_ref))",
    "CREATE TABLE IF NOT EXISTS report_ent_activities (event_id TEXT PRIMARY KEY, organisation TEXT,"
    " activity TEXT NOT NULL, subject_id TEXT NOT NULL, enterprise_id TEXT, minutes INTEGER NOT NULL DEFAULT 0,"
    " amount_pence BIGINT NOT NULL DEFAULT 0, detail TEXT, on_day TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS report_ent_activities_by_day ON report_ent_activities (activity, on_day)",
    "CREATE TABLE IF NOT EXISTS report_ent_asset_entries (entry_id TEXT PRIMARY KEY, organisation TEXT, kind TEXT,"
    " area TEXT, with_consent INTEGER NOT NULL DEFAULT 0, mapped_on TEXT, consent_withdrawn_on TEXT)",
)


def minimum_support_hours() -> int:
    return int(config.env("ENTERPRISE_MIN_SUPPORT_HOURS", "12") or 12)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _day(m: dict[str, Any]) -> str:
    """The business date of a fact: the day it occurred (as the poster said)."""
    return m["occurred_at"].date().isoformat()


def _activity(sql: Sql, m: dict[str, Any], activity: str, subject: Any, enterprise: Any = None, minutes: int = 0,
              amount: int | None = 0, detail: str | None = None) -> None:
    sql.execute("INSERT INTO report_ent_activities (event_id, organisation, activity, subject_id, enterprise_id,"
                " minutes, amount_pence, detail, on_day) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (event_id) DO NOTHING",
                (m["event_id"], m["organisation"], activity, str(subject), _text(enterprise), minutes, amount or 0,
                 detail, _day(m)))


def _upsert(sql: Sql, table: str, key: str, values: dict[str, Any], keep: tuple[str, ...] = ("organisation",)) -> None:
    """Inserts the row, or updates its columns but ``keep`` (the first recorder stays the recorder)."""
    columns = list(values)
    updates = (", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != key and c not in keep)
               or f"{key} = EXCLUDED.{key}")
    sql.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('%s' for _ in columns)})"
                f" ON CONFLICT ({key}) DO UPDATE SET {updates}", [values[c] for c in columns])


_SCHEMAS: dict[type, Any] = {}


def _load(schema: type, delivery: Delivery) -> dict[str, Any]:
    # one instance per schema: building a marshmallow schema costs more than loading a message with it
    instance = _SCHEMAS.get(schema)
    if instance is None:
        instance = _SCHEMAS[schema] = schema()
    return trusted.loader(instance)(delivery.body) if delivery.trusted else instance.load(delivery.body)


def _register(sql: Sql, m: dict[str, Any], legal_form: str | None, registered_on: Any) -> None:
    """The enterprise's row: its registration once known, and the earliest day the programme had it."""
    sql.execute("INSERT INTO report_ent_register (enterprise_id, organisation, legal_form, registered_on, entered_on)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (enterprise_id) DO UPDATE SET"
                " legal_form = COALESCE(EXCLUDED.legal_form, report_ent_register.legal_form),"
                " registered_on = COALESCE(EXCLUDED.registered_on, report_ent_register.registered_on),"
                " entered_on = CASE WHEN EXCLUDED.entered_on < report_ent_register.entered_on"
                " THEN EXCLUDED.entered_on ELSE report_ent_register.entered_on END",
                (str(m["enterprise_id"]), m["organisation"], legal_form,
                 None if registered_on is None else registered_on.isoformat(), _day(m)))


def enterprise_registered(sql: Sql, delivery: Delivery) -> None:
    m = _load(en.EnterpriseRegisteredV1, delivery)
    _register(sql, m, m["legal_form"], m["registered_on"])


def enterprise_supported(sql: Sql, delivery: Delivery) -> None:
    """One dated row per support: the indicators as of a day sum the rows up to it (the totals the event carries
    are the standing as recorded, not as of an earlier day, so they are not used)."""
    m = _load(en.EnterpriseSupportedV1, delivery)
    _register(sql, m, m["legal_form"], m["registered_on"])
    sql.execute("INSERT INTO report_ent_supports (seq, enterprise_id, organisation, supported_on, kind, financial,"
                " minutes, amount_pence) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (seq) DO NOTHING",
                (delivery.notification_id, str(m["enterprise_id"]), m["organisation"], _day(m), m["kind"],
                 int(m["financial"]), m["minutes"], m["amount_pence"]))
    _activity(sql, m, f"support:{m['kind']}", m["enterprise_id"], m["enterprise_id"], m["minutes"], m["amount_pence"])


def support_corrected(sql: Sql, delivery: Delivery) -> None:
    """A correction is a row of its own on the support's day: the difference it makes to the minutes."""
    m = _load(en.EnterpriseSupportCorrectedV1, delivery)
    sql.execute("INSERT INTO report_ent_supports (seq, enterprise_id, organisation, supported_on, kind, financial,"
                " minutes, amount_pence) VALUES (%s, %s, %s, %s, %s, 0, %s, 0) ON CONFLICT (seq) DO NOTHING",
                (delivery.notification_id, str(m["enterprise_id"]), m["organisation"], m["supported_on"].isoformat(),
                 m["kind"], m["minutes"] - m["previous_minutes"]))


def enterprise_dissolved(sql: Sql, delivery: Delivery) -> None:
    m = _load(en.EnterpriseDissolvedV1, delivery)
    sql.execute("INSERT INTO report_ent_dissolutions (enterprise_id, organisation, dissolved_on) VALUES (%s, %s, %s)"
                " ON CONFLICT (enterprise_id) DO NOTHING", (str(m["enterprise_id"]), m["organisation"], _day(m)))


def enterprise_merged(sql: Sql, delivery: Delivery) -> None:
    m = _load(en.EnterpriseMergedV1, delivery)
    sql.execute("INSERT INTO report_ent_register (enterprise_id, organisation, legal_form, entered_on, merged_into,"
                " merged_on) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (enterprise_id) DO UPDATE SET"
                " merged_into = COALESCE(report_ent_register.merged_into, EXCLUDED.merged_into),"
                " merged_on = COALESCE(report_ent_register.merged_on, EXCLUDED.merged_on)",
                (str(m["enterprise_id"]), m["organisation"], m["legal_form"], _day(m), str(m["merged_into"]), _day(m)))


def round_opened(sql: Sql, delivery: Delivery) -> None:
    m = _load(en.RecruitmentRoundOpenedV1, delivery)
    _upsert(sql, "report_ent_rounds", "round_id", {
        "round_id": str(m["round_id"]), "organisation": m["organisation"], "name": m["name"],
        "opens_on": m["opens_on"].isoformat(), "closes_on": m["closes_on"].isoformat(), "places": m["places"]})


def _application_step(sql: Sql, delivery: Delivery, m: dict[str, Any], stage: str) -> None:
    sql.execute("INSERT INTO report_ent_application_steps (seq, application_id, round_id, organisation, applicant_id,"
                " enterprise_id, stage, on_day) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (seq) DO NOTHING",
                (delivery.notification_id, str(m["application_id"]), str(m["round_id"]), m["organisation"],
                 str(m["applicant_id"]), str(m["enterprise_id"]), stage, _day(m)))


def application_submitted(sql: Sql, delivery: Delivery) -> None:
    _application_step(sql, delivery, _load(en.ApplicationSubmittedV1, delivery), "submitted")


def application_progressed(sql: Sql, delivery: Delivery) -> None:
    m = _load(en.ApplicationProgressedV1, delivery)
    _application_step(sql, delivery, m, m["stage"])


def programme_started(sql: Sql, delivery: Delivery) -> None:
    m = _load(en.ProgrammeStartedV1, delivery)
    _upsert(sql, "report_ent_programmes", "programme_id", {
        "programme_id": str(m["programme_id"]), "organisation": m["organisation"], "kind": m["kind"], "name": m["name"],
        "starts_on": m["starts_on"].isoformat(), "ends_on": m["ends_on"].isoformat()})


def programme_joined(sql: Sql, delivery: Delivery) -> None:
    m = _load(en.ProgrammeJoinedV1, delivery)
    for kind, member in (("enterprise", m["enterprise_id"]), ("person", m["applicant_id"])):
        if member is not None:
            sql.execute("INSERT INTO report_ent_memberships (programme_id, member_kind, member_id, programme_kind,"
                        " organisation, joined_on) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                        (str(m["programme_id"]), kind, str(member), m["kind"], m["organisation"], _day(m)))


def mentor_recruited(sql: Sql, delivery: Delivery) -> None:
    m = _load(en.MentorRecruitedV1, delivery)
    _upsert(sql, "report_ent_mentor_terms", "mentor_id", {
        "mentor_id": str(m["mentor_id"]), "organisation": m["organisation"], "channel": m["channel"],
        "kind": m["kind"], "specialisms": ",".join(m["specialisms"]), "recruited_on": _day(m)})


def mentor_stepped_down(sql: Sql, delivery: Delivery) -> None:
    m = _load(en.MentorSteppedDownV1, delivery)
    _upsert(sql, "report_ent_mentor_terms", "mentor_id", {"mentor_id": str(m["mentor_id"]),
                                                          "organisation": m["organisation"],
                                                          "stepped_down_on": _day(m)})


def _researcher_step(sql: Sql, delivery: Delivery, m: dict[str, Any], programme: str | None, status: str) -> None:
    sql.execute("INSERT INTO report_ent_researcher_steps (seq, researcher_id, organisation, programme, status, on_day)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (seq) DO NOTHING",
                (delivery.notification_id, str(m["researcher_id"]), m["organisation"], programme, status, _day(m)))


def researcher_recruited(sql: Sql, delivery: Delivery) -> None:
    m = _load(en.ResearcherRecruitedV1, delivery)
    _researcher_step(sql, delivery, m, m["programme"], "recruited")


def researcher_status_changed(sql: Sql, delivery: Delivery) -> None:
    m = _load(en.ResearcherStatusChangedV1, delivery)
    _researcher_step(sql, delivery, m, None, m["status"])


def network_event_held(sql: Sql, delivery: Delivery) -> None:
    m = _load(en.NetworkEventHeldV1, delivery)
    _upsert(sql, "report_ent_network_events", "network_event_id", {
        "network_event_id": str(m["network_event_id"]), "organisation": m["organisation"], "series": m["series"],
        "title": m["title"], "held_on": m["held_on"].isoformat(), "theme": m["theme"], "speakers": m["speakers"],
        "buyers_present": m["buyers_present"], "ideas_raised": m["ideas_raised"]}, ("organisation", "walk_ins"))


def network_event_attended(sql: Sql, delivery: Delivery) -> None:
    m = _load(en.NetworkEventAttendedV1, delivery)
    event_id = str(m["network_event_id"])
    sql.execute("INSERT INTO report_ent_network_events (network_event_id, organisation, series, held_on, walk_ins)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (network_event_id) DO UPDATE SET walk_ins = "
                "EXCLUDED.walk_ins",
                (event_id, m["organisation"], m["series"], m["held_on"].isoformat(), m["walk_ins_total"]))
    for attendee in m["attendees"]:
        sql.execute("INSERT INTO report_ent_attendance (network_event_id, attendee_kind, attendee_ref, series,"
                    " organisation) VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (event_id, attendee["kind"], attendee["ref"], m["series"], m["organisation"]))


def asset_mapped(sql: Sql, delivery: Delivery) -> None:
    m = _load(en.AssetMappedV1, delivery)
    _upsert(sql, "report_ent_asset_entries", "entry_id", {
        "entry_id": str(m["entry_id"]), "organisation": m["organisation"], "kind": m["kind"], "area": m["area"],
        "with_consent": int(m["with_consent"]), "mapped_on": _day(m)}, ("organisation", "consent_withdrawn_on"))


def asset_consent_withdrawn(sql: Sql, delivery: Delivery) -> None:
    m = _load(en.AssetConsentWithdrawnV1, delivery)
    _upsert(sql, "report_ent_asset_entries", "entry_id", {"entry_id": str(m["entry_id"]),
                                                          "organisation": m["organisation"],
                                                          "consent_withdrawn_on": _day(m)})


def _activities() -> dict[str, Callable[[Sql, Delivery], None]]:
    """Events that are one activity row each: (schema, activity, subject, enterprise, minutes, amount, detail)."""
    table: dict[str, tuple[type, Callable[[dict], tuple]]] = {
        en.MENTOR_MATCHED_V1: (en.MentorMatchedV1, lambda m: ("mentor_matched", m["mentor_id"], m["enterprise_id"],
                                                              0, 0, None)),
        en.MENTORING_GIVEN_V1: (en.MentoringGivenV1, lambda m: ("mentoring_given", m["mentor_id"], m["enterprise_id"],
                                                                m["minutes"], 0, None)),
        en.MENTOR_RECOGNISED_V1: (en.MentorRecognisedV1, lambda m: ("mentor_recognised", m["mentor_id"], None, 0, 0,
                                                                    m["recognition"])),
        en.SUPPLY_CHAIN_OUTCOME_RECORDED_V1: (en.SupplyChainOutcomeRecordedV1, lambda m: (
            m["outcome"], m["network_event_id"], m["enterprise_id"], 0, m["value_pence"], m["buyer"])),
        en.IDEA_BECAME_ENTERPRISE_V1: (en.IdeaBecameEnterpriseV1, lambda m: (
            "idea_became_enterprise", m["network_event_id"], m["enterprise_id"], 0, 0, m["theme"])),
        en.CONSORTIUM_FORMED_V1: (en.ConsortiumFormedV1, lambda m: ("consortium_formed", m["consortium_id"], None, 0,
                                                                    0, m["name"])),
        en.CONSORTIUM_JOINED_V1: (en.ConsortiumJoinedV1, lambda m: ("consortium_joined", m["consortium_id"],
                                                                    m["enterprise_id"], 0, 0, None)),
        en.RESEARCHER_ACTIVITY_RECORDED_V1: (en.ResearcherActivityRecordedV1, lambda m: (
            f"research:{m['activity']}", m["researcher_id"], None, m["minutes"], 0, None)),
        en.INTRODUCTION_MADE_V1: (en.IntroductionMadeV1, lambda m: ("introduction", m["connector_id"],
                                                                    m["enterprise_id"], 0, 0, m["to"])),
    }

    def handler(schema: type, fields_of: Callable[[dict], tuple]) -> Callable[[Sql, Delivery], None]:
        def handle(sql: Sql, delivery: Delivery) -> None:
            message = _load(schema, delivery)
            _activity(sql, message, *fields_of(message))
        return handle

    return {event_type: handler(schema, fields_of) for event_type, (schema, fields_of) in table.items()}


HANDLERS: dict[str, Callable[[Sql, Delivery], None]] = {
    en.ENTERPRISE_REGISTERED_V1: enterprise_registered, en.ENTERPRISE_SUPPORTED_V1: enterprise_supported,
                                                        en.ENTERPRISE_MERGED_V1: enterprise_merged,
    en.ENTERPRISE_SUPPORT_CORRECTED_V1: support_corrected, en.ENTERPRISE_DISSOLVED_V1: enterprise_dissolved,
    en.RECRUITMENT_ROUND_OPENED_V1: round_opened, en.APPLICATION_SUBMITTED_V1: application_submitted,
    en.APPLICATION_PROGRESSED_V1: application_progressed, en.PROGRAMME_STARTED_V1: programme_started,
    en.PROGRAMME_JOINED_V1: programme_joined, en.MENTOR_RECRUITED_V1: mentor_recruited,
    en.MENTOR_STEPPED_DOWN_V1: mentor_stepped_down, en.RESEARCHER_RECRUITED_V1: researcher_recruited,
    en.RESEARCHER_STATUS_CHANGED_V1: researcher_status_changed, en.NETWORK_EVENT_HELD_V1: network_event_held,
    en.NETWORK_EVENT_ATTENDED_V1: network_event_attended, en.ASSET_MAPPED_V1: asset_mapped,
    en.ASSET_CONSENT_WITHDRAWN_V1: asset_consent_withdrawn, **_activities(),
}

