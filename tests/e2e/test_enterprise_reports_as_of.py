"""The enterprise reports as they stood at the end of any day, over the real services: facts loaded through the
enterprises API on different dates, read back as of the days between them; and the CSV exports, which suppress
small numbers where the JSON for the roles entitled to it does not."""
from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from reporting.readmodels.queries import SMALL_NUMBER
from tests.support.enterprise_staff import Staff, accept, at, cohort_and_round
from tests.support.waiting import get, wait_for

SOHO = "soho_network"


def report(staff: Staff, as_of: str, credential: str | None = None, **params: str) -> Any:
    response = get(staff.platform.url("reporting", "/reports/enterprises"), credential or staff.credential,
                   params={"organisation": staff.organisation, "as_of": as_of, **params})
    assert response.status_code == 200, response.text
    return response.json() if params.get("format") != "csv" else response


def trend(staff: Staff, as_of: str, **params: str) -> Any:
    response = get(staff.platform.url("reporting", "/reports/events/attendance-trend"), staff.credential,
                   params={"organisation": staff.organisation, "series": SOHO, "as_of": as_of, **params})
    assert response.status_code == 200, response.text
    return response.json() if params.get("format") != "csv" else response


def csv_rows(response: Any) -> list[dict[str, str]]:
    assert response.headers["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def load_a_programme_over_six_months(staff: Staff) -> dict[str, str]:
    """A FUSE round with one enterprise applied for by two founders a month apart, accepted in July and supported on
    20 July; another enterprise joining in August, supported on 10 September; two mentors (one leaving in August);
    two SoHo meetings (May: 3 attend, June: 7); a community partner recruited in May, active from June."""
    cohort, round_id = cohort_and_round(staff)
    name = f"Icknield Growers {uuid.uuid4().hex[:6]}"
    founders = []
    for founder, day in (("Leyla Kovacs", "2018-04-10"), ("Karim Aziz", "2018-05-10")):
        founders.append(staff.ok(f"/rounds/{round_id}/applications", {
            "applicant": {"display_name": founder, "email": None}, "sector": "food", "occurred_at": at(day),
            "enterprise": {"name": name, "legal_form": "cic", "registered_on": "2017-10-02"}}))
    assert founders[0]["enterprise_id"] == founders[1]["enterprise_id"]
    later = staff.ok("/enterprises", {"name": f"Soho Threads {uuid.uuid4().hex[:6]}", "legal_form": "company",
                                      "registered_on": "2016-01-04", "occurred_at": at("2018-04-01")})["enterprise_id"]
    specialist = staff.ok("/mentors", {"display_name": "Grace Clarke", "channel": "personal_contact",
                                       "kind": "specialist", "specialisms": ["finance"], "max_mentees": 2,
                                       "occurred_at": at("2018-05-01")})["mentor_id"]
    staff.ok("/mentors", {"display_name": "Tom Reid", "channel": "business_event", "kind": "general",
                          "max_mentees": 2, "occurred_at": at("2018-06-01")})
    regular = str(uuid.uuid4())
    for held_on, attendees, walk_ins in (("2018-05-26", [regular], 2), ("2018-06-23", [regular, str(uuid.uuid4())], 5)):
        meeting = staff.ok("/network-events", {"series": SOHO, "title": f"SoHo {held_on}", "held_on": held_on,
                                               "speakers": 1, "occurred_at": at(held_on)})["network_event_id"]
        staff.ok(f"/network-events/{meeting}/attendance",
                 {"attendees": [{"kind": "person", "ref": a} for a in attendees],
                                                           "walk_ins": walk_ins, "occurred_at": at(held_on)})
    partner = staff.ok("/researchers", {"display_name": "Rania I", "programme": "community_partner",
                                        "occurred_at": at("2018-05-01")})["researcher_id"]
    staff.ok(f"/researchers/{partner}/activation", {"occurred_at": at("2018-06-01")})
    accept(staff, round_id, founders[0]["application_id"])  # 1-3 July: the enterprise joins the cohort
    first = founders[0]["enterprise_id"]
    staff.ok(f"/enterprises/{first}/support", {"programme_id": cohort, "kind": "one_to_one", "hours": "12",
                                               "occurred_at": at("2018-07-20")})
    staff.ok(f"/mentors/{specialist}/stepping-down", {"reason": "changed_job", "occurred_at": at("2018-08-15")})
    staff.ok(f"/programmes/{cohort}/members", {"enterprise_id": later, "occurred_at": at("2018-08-01")})
    staff.ok(f"/enterprises/{later}/support", {"programme_id": cohort, "kind": "workshop", "hours": "12",
                                               "occurred_at": at("2018-09-10")})
    return {"round_id": round_id, "first": first, "later": later}


def test_each_enterprise_figure_is_what_stood_at_the_end_of_the_day_asked(platform, credentials):
    staff = Staff(platform, credentials)
    loaded = load_a_programme_over_six_months(staff)
    now = staff.report(lambda r: r["indicators"]["CO01_enterprises_supported"] == 2, "the second enterprise supported")
    assert now["indicators"]["CO05_new_enterprises_supported"] == 1  # the one registered in 2016 is not new

    def round_on(day: str) -> list[tuple[int, int, int, dict]]:
        return [(r["applications"], r["enterprises"], r["applicants"], r["by_status"])
                for r in report(staff, day)["fuse"]["rounds"]]

    assert round_on("2018-03-31") == []
    assert round_on("2018-04-30") == [(1, 1, 1, {"submitted": 1})]
    assert round_on("2018-05-31") == [(2, 1, 2, {"submitted": 2})]  # a second application, still one enterprise
    assert round_on("2018-07-19") == [(2, 1, 2, {"accepted": 1, "submitted": 1})]

    def indicators_on(day: str) -> tuple[int, ...]:
        found = report(staff, day)["indicators"]
        return (found["enterprises_registered"], found["enterprises_supported_any_intensity"],
                found["CO01_enterprises_supported"], found["CO04_enterprises_receiving_non_financial_support"],
                found["CO05_new_enterprises_supported"])

    assert indicators_on("2018-03-31") == (0, 0, 0, 0, 0)
    assert indicators_on("2018-04-05") == (1, 0, 0, 0, 0)  # the company came into the programme on 1 April
    assert indicators_on("2018-07-19") == (2, 0, 0, 0, 0)
    assert indicators_on("2018-07-20") == (2, 1, 1, 1, 1)  # supported on the 20th: counted from that day
    assert indicators_on("2018-09-09") == (2, 1, 1, 1, 1)  # the other's support is dated after: not counted
    assert indicators_on("2018-09-10") == (2, 2, 2, 2, 1)
    assert report(staff, "2018-07-20")["indicators"]["non_financial_support_hours"] == "12.00"

    def cohort_and_mentors_on(day: str) -> tuple[Any, ...]:
        found = report(staff, day)
        mentors = found["mentors"]
        return (found["fuse"]["start_up"]["organisations_supported"], mentors["recruited"], mentors["active"],
                mentors["active_specialists"])

    assert cohort_and_mentors_on("2018-05-31") == (0, 1, 1, 1)
    assert cohort_and_mentors_on("2018-07-03") == (1, 2, 2, 1)
    assert cohort_and_mentors_on("2018-08-31") == (2, 2, 1, 0)  # the specialist left on 15 August

    def network_and_research_on(day: str) -> tuple[Any, ...]:
        found = report(staff, day)
        return (found["network"]["series"].get(SOHO), found["research"]["recruited"], found["research"]["active"])

    assert network_and_research_on("2018-04-30") == (None, 0, 0)
    assert network_and_research_on("2018-05-31") == ({"events": 1, "attendance": 3}, 1, 0)
    assert network_and_research_on("2018-06-30") == ({"events": 2, "attendance": 10}, 1, 1)

    early = trend(staff, "2018-06-01")
    assert ([e["attendance"] for e in early["events"]], early["direction"]) == ([3], "not_enough_events")
    later = trend(staff, "2018-06-30")
    assert [(e["attendance"], e["returning"], e["change"]) for e in later["events"]] == [(3, 0, None), (7, 1, 4)]
    assert report(staff, "2018-06-30")["as_of"] == "2018-06-30" and loaded["round_id"]


def test_the_csv_exports_suppress_small_numbers_and_the_json_for_entitled_roles_does_not(platform, credentials):
    staff = Staff(platform, credentials)
    loaded = load_a_programme_over_six_months(staff)
    staff.report(lambda r: r["indicators"]["CO01_enterprises_supported"] == 2, "the second enterprise supported")
    auditor = credentials("programme-office", "auditor")
    for reader in (staff.credential, auditor):
        shown = report(staff, "2018-09-30", reader)
        assert shown["indicators"]["CO01_enterprises_supported"] == 2
        assert shown["fuse"]["rounds"][0]["applications"] == 2

    exported = report(staff, "2018-09-30", format="csv")
    assert exported.headers["Content-Disposition"] == 'attachment; filename="enterprises.csv"'
    figures = {row["figure"]: row["value"] for row in csv_rows(exported)}
    assert figures["as_of"] == "2018-09-30"
    assert figures["indicators.CO01_enterprises_supported"] == "<5"  # 1 to 4: could single out an enterprise
    assert figures["indicators.CO02_enterprises_receiving_grants"] == "0"  # none is not small
    assert figures[f"fuse.rounds.{loaded['round_id']}.applications"] == "<5"
    assert figures["indicators.minimum_support_hours"] == "12"  # a setting, not a count
    assert figures["indicators.non_financial_support_hours"] == "24.00"
    for name in ("Leyla", "Karim", "Grace", "Rania", "Icknield", loaded["first"], loaded["later"]):
        assert name not in exported.text

    rows = csv_rows(trend(staff, "2018-06-30", format="csv"))
    assert [(r["held_on"], r["attendance"], r["returning"]) for r in rows] == \
        [("2018-05-26", "<5", "0"), ("2018-06-23", "7", "<5")]
    assert "change" not in rows[0]  # the difference of two counts would give a suppressed one away


def test_the_summary_counts_enterprises_by_legal_form_as_of_a_day_and_exports_them(platform, credentials):
    reader = credentials("programme-office", "auditor")
    url = platform.url("reporting", "/reports/summary")

    def co_operatives(day: str) -> int:
        rows = get(url, reader, params={"as_of": day}).json()["enterprises_by_legal_form"]
        return sum(r["registered"] for r in rows if r["legal_form"] == "co_operative")

    before = (co_operatives("2011-03-14"), co_operatives("2011-03-15"))
    staff = Staff(platform, credentials)
    staff.ok("/enterprises", {"name": f"Balsall Heath Bakers {uuid.uuid4().hex[:6]}", "legal_form": "co_operative",
                              "registered_on": "2011-03-01", "occurred_at": at("2011-03-15")})
    wait_for(lambda: co_operatives("2011-03-15"), lambda n: n == before[1] + 1, what="the co-operative counted")
    assert co_operatives("2011-03-14") == before[0]  # it came into the programme on the 15th

    exported = get(url, reader, params={"as_of": "2011-03-15", "format": "csv"})
    assert exported.headers["Content-Type"].startswith("text/csv")
    figures = {row["figure"]: row["value"] for row in csv.DictReader(io.StringIO(exported.text))}
    count = before[1] + 1
    expected = f"<{SMALL_NUMBER}" if count < SMALL_NUMBER else str(count)
    assert figures["enterprises_by_legal_form.co_operative.registered"] == expected
