"""Each shipped rate card's worked examples, from the card's own words, over the real services' HTTP APIs.

A client is referred, accepted and taken through the steps a hub records; the ledger's outcomes are read back
from ``GET /ledger/contracts/<id>/outcomes`` (claim order, pseudonymous). The DWP Innovation Fund and Fair
Chance Fund cards are registered afresh under a test's own contract id and dated into 2015-16, a window no
other test posts pathway steps in, so their caps are this test's alone; the bond and DWP round 1 are the
shipped contracts themselves.
"""
from __future__ import annotations

import uuid

from tests.support.journeys import accepted_client, step
from tests.support.ledger import BOND, IF, ledger_history, ledger_step, shipped_terms
from tests.support.waiting import get, key, post, wait_for

AT = "T09:00:00+00:00"


def card_in_2015(platform, admin: str, name: str) -> str:
    """The shipped card ``name`` under a fresh contract id, its service window moved to July 2015 - 2016."""
    terms = shipped_terms(name)
    contract_id = f"{terms['contract_id']}-{uuid.uuid4().hex[:6]}"
    terms.update(contract_id=contract_id, signed_on="2015-06-01", service_start="2015-07-01",
                 service_end="2016-12-31", claim_deadline="2017-06-30")
    for price in terms["prices"]:
        price["effective_from"] = "2015-07-01"
    answer = post(platform.url("reporting", "/outcomes-contracts"), terms, key(), admin)
    assert answer.status_code == 201, answer.text
    return contract_id


def take(platform, caseworker: str, client: str, regulator: str, steps: list[tuple[str, dict, str]]) -> None:
    """The steps (type, payload, day), each posted at 09:00 on its day."""
    for kind, payload, on in steps:
        step(platform, caseworker, client, regulator, kind, payload, on + AT)


def outcomes_of(platform, reader: str, contract_id: str, client: str, admin: str, count: int) -> list[dict]:
    """The client's outcomes under the contract, once ``count`` of them are recorded."""
    rows = wait_for(lambda: [r for r in ledger_history(platform, admin, client)
                             if r["outcome_ref"].startswith(f"{contract_id}~")
                             and r["event_type"] == "outcome_achieved"],
                    lambda found: len(found) >= count, what=f"{count} outcomes under {contract_id}")
    participant = rows[0]["outcome_ref"].split("~")[1]
    answer = get(platform.url("reporting", f"/ledger/contracts/{contract_id}/outcomes"), reader,
                 params={"participant_ref": participant})
    assert answer.status_code == 200, answer.text
    return answer.json()["outcomes"]


def table(found: list[dict]) -> list[tuple]:
    return [(o["metric"], o["achieved_on"], o["evidenced_on"], o["price_pence"], o["payable_pence"]) for o in found]


def test_dwp_round_2_a_participant_reaches_every_outcome_and_the_per_person_cap(platform, credentials, caseworker):
    """Card: first entry-level qualification £900, basic skills £900, first Level 1 £1,100, Level 2 £3,300,
    Level 3 £5,100, entry to a first job of 16+ hours lasting 13 weeks £3,500, sustained 26 weeks in total
    (13 more continuous weeks) £2,000; at most £11,700 per person. Any employer counts."""
    admin, dwp = credentials("programme-office", "admin"), credentials("dwp", "finance")
    contract = card_in_2015(platform, admin, "dwp_if_round_2")
    client = accepted_client(platform, credentials, caseworker, occurred_at="2015-08-03" + AT)
    steps = [("right_to_work_check", {"valid_until": None}, "2015-08-03"),
             ("qualification_achieved", {"kind": "basic_skills", "level": "entry_3"}, "2015-09-01"),
             ("esol_result", {"level": "level_1", "components": {"reading": True, "writing": True,
                                                                 "speaking_listening": True}}, "2015-10-01"),
             ("qualification_achieved", {"kind": "vocational", "level": "level_2"}, "2015-11-02"),
             ("qualification_achieved", {"kind": "academic", "level": "level_3"}, "2015-12-01"),
             ("employment_started", {"employer": "a private hospital", "employer_kind": "independent_healthcare",
                                     "hours_per_week": 30, "role": "healthcare assistant"}, "2016-01-04"),
             ("employment_confirmed", {"evidence": "payslip"}, "2016-04-08"),   # 13 weeks: 2016-01-04 + 90 days
             ("employment_confirmed", {"evidence": "payslip"}, "2016-07-03")]   # 13 more continuous: + 91 days
    take(platform, caseworker, client, "GMC", steps)
    found = outcomes_of(platform, dwp, contract, client, admin, 7)
    assert table(found) == [
        ("basic_skills", "2015-09-01", "2015-09-01", 90000, 90000),
        ("entry_level_qualification", "2015-09-01", "2015-09-01", 90000, 90000),
        ("first_level_1", "2015-10-01", "2015-10-01", 110000, 110000),
        ("first_level_2", "2015-11-02", "2015-11-02", 330000, 330000),
        ("first_level_3", "2015-12-01", "2015-12-01", 510000, 510000),
        ("job_entry_13_weeks", "2016-04-03", "2016-04-08", 350000, 40000),   # the last £400 under the cap
        ("sustained_26_weeks", "2016-07-03", "2016-07-03", 200000, 0)]
    assert sum(o["payable_pence"] for o in found) == 1170000
    assert found[-1]["not_payable_reason"] == "participant_cap"
    assert {o["external_reference"] for o in found} == {None}  # this card does not share references
    weeks_26 = found[-1]["outcome_ref"]
    assert ledger_step(platform, admin, weeks_26, "claim", {"occurred_at": "2016-07-10" + AT},
                       expect=422)["rule"] == "outcome_payable"


def test_fair_chance_fund_a_part_time_worker_is_paid_the_part_time_rows(platform, credentials, caseworker):
    """Card: entry to education or training £500; first Entry-level qualification of 45+ guided learning hours
    £1,500 (Level 1 needs 120); job entry £500; 13 and 26 weeks in part-time work (8 to under 16 hours)
    £3,000 and £2,000, in full-time work (16+) £4,500 and £3,500. No cap stated."""
    admin, dclg = credentials("programme-office", "admin"), credentials("dclg", "finance")
    contract = card_in_2015(platform, admin, "fair_chance_fund")
    client = accepted_client(platform, credentials, caseworker, regulator="NMC", occurred_at="2015-08-03" + AT)
    steps = [("right_to_work_check", {"valid_until": None}, "2015-08-03"),
             ("course_started", {"course_ref": "esol-e3-2015", "kind": "esol", "level": "entry_3"}, "2015-08-10"),
             ("esol_result", {"level": "entry_3", "guided_learning_hours": 60,
                              "components": {"reading": True, "writing": True, "speaking_listening": True}},
              "2015-12-01"),
             ("qualification_achieved", {"kind": "vocational", "level": "level_1", "guided_learning_hours": 100},
              "2015-12-14"),                                                   # under 120 hours: not Level 1
             ("employment_started", {"employer": "a care home", "employer_kind": "social_care",
                                     "hours_per_week": 12, "role": "care assistant"}, "2016-01-04"),
             ("employment_confirmed", {"evidence": "payslip"}, "2016-04-03"),
             ("employment_confirmed", {"evidence": "payroll_confirmation"}, "2016-07-10")]
    take(platform, caseworker, client, "NMC", steps)
    found = outcomes_of(platform, dclg, contract, client, admin, 5)
    assert table(found) == [
        ("education_or_training_entry", "2015-08-10", "2015-08-10", 50000, 50000),
        ("first_entry_level_qualification", "2015-12-01", "2015-12-01", 150000, 150000),
        ("job_entry", "2016-01-04", "2016-01-04", 50000, 50000),
        ("part_time_13_weeks", "2016-04-03", "2016-04-03", 300000, 300000),
        ("part_time_26_weeks", "2016-07-03", "2016-07-10", 200000, 200000)]   # 26 weeks: start + 181 days


def test_the_bond_pays_nhs_work_only_and_finance_sees_the_trusts_reference(platform, credentials, caseworker,
                                                                         registered_contracts):
    """The bond pays a job start with an NHS employer (a private hospital first does not count); it shares the
    trust's case reference with finance, DWP round 1 (which pays the ESOL pass, £1,200) does not."""
    admin, nhs, dwp = (credentials("programme-office", "admin"), credentials("swbh-trust", "finance"),
                       credentials("dwp", "finance"))
    reference = f"SWBH/EH/{uuid.uuid4().hex[:8]}"
    client = accepted_client(platform, credentials, caseworker, entry_point="E-A", occurred_at="2019-01-07" + AT,
                             external_reference=reference)
    take(platform, caseworker, client, "GMC", [
            ("right_to_work_check", {"valid_until": None}, "2019-01-07"),
            ("esol_result", {"level": "entry_2", "components": {"reading": True, "writing": True,
                                                                "speaking_listening": True}}, "2019-02-01"),
            ("employment_started", {"employer": "a private hospital", "employer_kind": "independent_healthcare",
                                    "hours_per_week": 37.5, "role": "healthcare assistant"}, "2019-02-04"),
            ("employment_ended", {}, "2019-04-26"),
            ("employment_started", {"employer": "swbh-trust", "nhs": True, "hours_per_week": 37.5,
                                    "role": "clinical fellow"}, "2019-05-01")])
    bond = outcomes_of(platform, nhs, BOND, client, admin, 1)
    assert [(o["metric"], o["achieved_on"], o["price_pence"], o["external_reference"]) for o in bond] == [
        ("nhs_job_start", "2019-05-01", 450000, reference)]                    # E-A price
    round_1 = outcomes_of(platform, dwp, IF, client, admin, 1)
    assert [(o["metric"], o["price_pence"], o["external_reference"]) for o in round_1][0] == \
        ("esol_completion", 120000, None)
    listed = get(platform.url("reporting", f"/ledger/contracts/{BOND}/outcomes"), nhs,
                 params={"format": "csv", "metric": "nhs_job_start"})
    assert listed.headers["Content-Type"].startswith("text/csv") and reference in listed.text
    assert get(platform.url("reporting", f"/ledger/contracts/{BOND}/outcomes"), dwp).status_code == 404


def test_a_referral_refuses_an_external_reference_that_is_personal_data(platform, credentials):
    from tests.support.waiting import form

    partner = f"partner-{uuid.uuid4().hex[:6]}"
    for bad in ("AB123456C", "ab-123456-c", "9434765919", "07700900123", "jo@example.org", "B152TT", "a b"):
        answer = post(platform.url("referrals", "/referrals"), form(partner, external_reference=bad), key(),
                      credentials(partner, "referrer"))
        assert answer.status_code == 422 and "external_reference" in answer.json()["fields"], (bad, answer.text)
