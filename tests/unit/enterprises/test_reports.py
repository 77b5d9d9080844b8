"""Reporting's enterprise read models on SQLite, fed with messages the enterprises service really produces:
each enterprise counted once, the minimum intensity, CO05, replays changing nothing, the attendance trend."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chassis.delivery import Delivery
from enterprises.domain.enterprise import Enterprise
from enterprises.domain.network import NetworkEvent
from enterprises.translation import to_contract
from reporting.application import Reporting
from reporting.readmodels import enterprise_queries, enterprise_reports, projections
from tests.contracts.enterprise_events import enterprise_messages

WHEN = datetime(2018, 7, 16, 10, tzinfo=UTC)
TODAY = date.today()


@pytest.fixture
def reporting(tmp_path) -> Any:
    app = Reporting(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "r.sqlite")})
    app.migrate()
    app.fed = 0  # type: ignore[attr-defined]
    yield app
    app.close()


def feed(app: Any, *aggregates: Any) -> None:
    for aggregate in aggregates:
        for event in aggregate.collect_events():
            message = to_contract(event)
            if message is not None:
                app.fed += 1
                with app.sql() as sql:
                    projections.apply(sql,
                                      Delivery("enterprises", app.fed, app.fed - 1, json.loads(json.dumps(message))))


def supported(registered_on: date | None, hours: int, sessions: int = 1) -> Enterprise:
    enterprise = Enterprise.record(id=uuid.uuid4(), legal_form="cic" if registered_on else None,
                                   registered_on=registered_on, occurred_at=WHEN)
    for _ in range(sessions):
        enterprise.log_support("mentoring", hours * 60 // sessions, WHEN, source_id=uuid.uuid4())
    return enterprise


def test_an_enterprise_is_counted_once_however_many_sessions_and_only_at_the_minimum_intensity(reporting):
    feed(reporting, supported(date(2017, 9, 1), 12, sessions=6), supported(date(2014, 1, 1), 20, sessions=2),
         supported(date(2016, 1, 1), 11), supported(None, 30))
    indicators = enterprise_queries.indicators(reporting, TODAY)
    assert (indicators["CO01_enterprises_supported"], indicators["CO04_enterprises_receiving_non_financial_support"],
            indicators["CO05_new_enterprises_supported"]) == (2, 2, 1)
    assert (indicators["supported_below_minimum_intensity"], indicators["pre_start_ventures_supported"],
            indicators["enterprises_supported_any_intensity"]) == (1, 1, 4)


def test_the_minimum_intensity_is_a_setting(reporting, monkeypatch):
    feed(reporting, supported(date(2016, 1, 1), 11))
    monkeypatch.setenv("ENTERPRISE_MIN_SUPPORT_HOURS", "10")
    assert enterprise_queries.indicators(reporting, TODAY)["CO04_enterprises_receiving_non_financial_support"] == 1


def test_every_enterprise_message_applied_twice_changes_nothing_the_second_time(reporting):
    messages = [json.loads(json.dumps(m)) for m in enterprise_messages()]
    for number, message in enumerate(messages, 1):
        with reporting.sql() as sql:
            projections.apply(sql, Delivery("enterprises", number, number - 1, message))
    before = enterprise_queries.enterprise_report(reporting, TODAY)
    for number, message in enumerate(messages, 1):
        handler = enterprise_reports.HANDLERS.get(message["event_type"])
        if handler is not None:
            with reporting.sql() as sql:
                handler(sql, Delivery("enterprises", number, number - 1, message))
    assert enterprise_queries.enterprise_report(reporting, TODAY) == before


def test_the_figures_of_one_organisation_leave_out_the_others(reporting):
    messages = [json.loads(json.dumps(m)) for m in enterprise_messages()]
    for number, message in enumerate(messages, 1):
        message["organisation"] = "ise" if number % 2 else "university"
        with reporting.sql() as sql:
            projections.apply(sql, Delivery("enterprises", number, number - 1, message))
    whole = enterprise_queries.enterprise_report(reporting, TODAY)
    parts = [enterprise_queries.enterprise_report(reporting, TODAY, org) for org in ("ise", "university")]
    assert whole["mentors"]["recognitions"] == {"annual_dinner": 1}
    assert sum(p["mentors"]["sessions"] + p["research"]["training_sessions"] for p in parts) == \
        whole["mentors"]["sessions"] + whole["research"]["training_sessions"]
    assert enterprise_queries.enterprise_report(reporting, TODAY, "nobody")["fuse"]["rounds"] == []


@pytest.mark.parametrize("counts,direction", [((26, 22, 19, 17, 13, 11), "falling"), ((10, 10, 11, 10), "steady"),
                                              ((3, 7, 12), "rising"), ((5,), "not_enough_events")])
def test_the_attendance_trend_of_a_series(reporting, counts, direction):
    regular = str(uuid.uuid4())
    for number, count in enumerate(counts):
        meeting = NetworkEvent.hold(id=uuid.uuid4(), series="soho_network", title=f"SoHo {number}",
                                    held_on=date(2018, 1, 26) + timedelta(days=28 * number), theme=None, speakers=1,
                                    buyers_present=0, ideas_raised=0, occurred_at=WHEN)
        meeting.record_attendance([{"kind": "person", "ref": regular}], count - 1, WHEN)
        feed(reporting, meeting)
    trend = enterprise_queries.attendance_trend(reporting, "soho_network", TODAY)
    assert [e["attendance"] for e in trend["events"]] == list(counts)
    assert [e["returning"] for e in trend["events"]] == [0] + [1] * (len(counts) - 1)
    assert trend["direction"] == direction


def test_a_support_logged_late_counts_from_its_own_day_and_moves_the_first_support_back(reporting):
    enterprise = Enterprise.record(id=uuid.uuid4(), legal_form="cic", registered_on=date(2017, 8, 1), occurred_at=WHEN)
    enterprise.log_support("mentoring", 12 * 60, datetime(2018, 9, 1, tzinfo=UTC), source_id=uuid.uuid4())
    feed(reporting, enterprise)
    assert enterprise_queries.indicators(reporting, TODAY)["CO05_new_enterprises_supported"] == 0  # 13 months

    enterprise.log_support("mentoring", 12 * 60, WHEN, source_id=uuid.uuid4())  # 16 July, logged afterwards
    feed(reporting, enterprise)

    def on(day: date) -> tuple[int, int, str]:
        found = enterprise_queries.indicators(reporting, day)
        return found["CO01_enterprises_supported"], found["CO05_new_enterprises_supported"], \
            found["non_financial_support_hours"]

    assert on(date(2018, 7, 15)) == (0, 0, "0.00")
    assert on(date(2018, 7, 16)) == (1, 1, "12.00")  # registered eleven and a half months before
    assert on(TODAY) == (1, 1, "24.00")
