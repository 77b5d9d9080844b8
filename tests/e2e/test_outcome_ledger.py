"""The outcome ledger over the real services: achieved from pathway steps, claimed, decided, paid, clawed back;
statements as known at any time, their differences, CSV, and reconciliation against a from-scratch replay."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import UTC, datetime

import psycopg

from chassis import config
from tests.support.journeys import step
from tests.support.ledger import BOND, ledger_history, ledger_step, nhs_job_outcome
from tests.support.waiting import get, key, post, wait_for

PERIOD = {"from": "2018-10-01", "to": "2022-03-31"}


def statement(platform, reader: str, **params: str) -> dict:
    answer = get(platform.url("reporting", f"/ledger/contracts/{BOND}/statement"), reader, params={**PERIOD, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


def figures(found: dict, metric: str = "nhs_job_start") -> dict:
    return next(r for r in found["rows"] if r["metric"] == metric and r["payer"] == "swbh-trust")


def test_an_nhs_job_start_is_achieved_evidenced_claimed_validated_and_paid_once(platform, credentials, caseworker,
                                                                                registered_contracts):
    admin, nhs = credentials("programme-office", "admin"), credentials("swbh-trust", "finance")
    client, ref = nhs_job_outcome(platform, credentials, caseworker)
    base = statement(platform, nhs)
    assert ledger_step(platform, admin, ref, "claim", {"occurred_at": "2019-06-01T09:00:00+00:00"},
                       expect=422)["rule"] == "evidence_required"
    for kind in ("employer_letter", "payslip"):  # late evidence: obtained after the achievement, before the deadline
        ledger_step(platform, caseworker, ref, "evidence", {"type": kind, "source": "swbh-trust",
                                                            "obtained_on": "2019-06-20",
                                                            "occurred_at": "2019-06-21T09:00:00+00:00"})
    claimed = ledger_step(platform, admin, ref, "claim", {"occurred_at": "2019-07-01T09:00:00+00:00"})
    assert (claimed["status"], claimed["payable_pence"]) == ("claimed", 450000)
    ledger_step(platform, nhs, ref, "decision", {"decision": "validated", "occurred_at": "2019-07-15T09:00:00+00:00"})
    validated_at = datetime.now(UTC).isoformat()
    ledger_step(platform, nhs, ref, "payment", {"occurred_at": "2019-07-31T09:00:00+00:00"})
    assert ledger_step(platform, nhs, ref, "payment", {"occurred_at": "2019-08-01T09:00:00+00:00"},
                       expect=422)["rule"] == "outcome_status"  # never paid twice

    def moved(found: dict) -> bool:
        return figures(found)["paid_pence"] == figures(base)["paid_pence"] + 450000 if base["rows"] else \
            figures(found)["paid_pence"] == 450000

    now = wait_for(lambda: statement(platform, nhs), moved, what="the payment in the statement")
    before_payment = statement(platform, nhs, as_known_at=validated_at)
    paid_delta = figures(now)["paid_pence"] - figures(before_payment)["paid_pence"]
    assert paid_delta == 450000 and figures(now)["due_pence"] == figures(before_payment)["due_pence"] - 450000
    diff = get(platform.url("reporting", f"/ledger/contracts/{BOND}/statement-diff"), nhs,
               params={**PERIOD, "a_known_at": validated_at}).json()
    mine = [c for c in diff["changes"] if c["outcome_ref"] == ref]
    assert [(c["kind"], c["a_pence"], c["b_pence"]) for c in mine] == [("paid", 0, 450000)]
    assert "client_id" not in str(diff) and client not in str(diff)  # pseudonymous references only
    exported = get(platform.url("reporting", f"/ledger/contracts/{BOND}/statement"), nhs,
                   params={**PERIOD, "format": "csv"})
    assert exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert int(next(r for r in rows if r["metric"] == "nhs_job_start" and r["payer"] == "swbh-trust")["paid_pence"]) \
        == figures(now)["paid_pence"]
    kinds = [e["event_type"] for e in ledger_history(platform, admin, client)]
    assert kinds == ["outcome_achieved", "outcome_claimed", "outcome_validated", "outcome_paid"]


def test_26_weeks_are_claimable_only_after_the_job_start_is_paid_and_a_clawback_is_kept(platform, credentials,
                                                                                          caseworker,
                                                                                          registered_contracts):
    admin, nhs = credentials("programme-office", "admin"), credentials("swbh-trust", "finance")
    client, start = nhs_job_outcome(platform, credentials, caseworker, entry_point="E-C",
                                    started="2019-03-04T09:00:00+00:00")
    step(platform, caseworker, client, "GMC", "sustainment_confirmed", {"weeks": 13}, "2019-06-10T09:00:00+00:00")
    step(platform, caseworker, client, "GMC", "sustainment_confirmed", {"weeks": 26}, "2019-09-10T09:00:00+00:00")
    rows = wait_for(lambda: ledger_history(platform, admin, client),
                    lambda r: any("nhs_26_weeks" in e["outcome_ref"] for e in r), what="the 26-week outcome")
    other = {e["outcome_ref"].split("~")[2] for e in rows if e["outcome_ref"].startswith("dwp-if-round-1")}
    assert other <= {"job_entry_13_weeks", "sustained_26_weeks"}  # the other contract counts the same job its way
    weeks = next(r["outcome_ref"] for r in rows if "nhs_26_weeks" in r["outcome_ref"])
    assert next(r["pence"] for r in rows if r["outcome_ref"] == weeks) == 240000  # E-C price
    ledger_step(platform, caseworker, weeks, "evidence", {"type": "payroll_confirmation", "source": "ESR",
                                                          "obtained_on": "2019-09-12",
                                                          "occurred_at": "2019-09-12T09:00:00+00:00"})
    assert ledger_step(platform, admin, weeks, "claim", {"occurred_at": "2019-09-13T09:00:00+00:00"},
                       expect=422)["rule"] == "prerequisite_paid"
    for kind in ("employer_letter", "payslip"):
        ledger_step(platform, caseworker, start, "evidence", {"type": kind, "source": "swbh-trust",
                                                              "obtained_on": "2019-04-01",
                                                              "occurred_at": "2019-04-02T09:00:00+00:00"})
    ledger_step(platform, admin, start, "claim", {"occurred_at": "2019-04-03T09:00:00+00:00"})
    ledger_step(platform, nhs, start, "decision", {"decision": "validated", "occurred_at": "2019-04-10T09:00:00+00:00"})
    ledger_step(platform, nhs, start, "payment", {"occurred_at": "2019-04-30T09:00:00+00:00"})
    ledger_step(platform, admin, weeks, "claim", {"occurred_at": "2019-09-13T09:00:00+00:00"})
    assert ledger_step(platform, nhs, weeks, "decision", {"decision": "rejected", "occurred_at":
                                                          "2019-09-20T09:00:00+00:00"}, expect=422)["rule"] == \
        "rejection_reason"
    ledger_step(platform, nhs, start, "clawback", {"reason": "post-payment sample: payslips did not match payroll",
                                                   "occurred_at": "2020-01-15T09:00:00+00:00"})
    kinds = wait_for(lambda: [e["event_type"] for e in ledger_history(platform, admin, client)
                              if e["outcome_ref"] == start], lambda k: "outcome_clawed_back" in k,
                     what="the clawback in the client's history")
    assert kinds == ["outcome_achieved", "outcome_claimed", "outcome_validated", "outcome_paid",
                     "outcome_clawed_back"]  # a paid claim is never deleted


def test_reconciliation_agrees_with_the_stored_ledger_and_names_a_tampered_amount(platform, credentials, caseworker,
                                                                                  registered_contracts):
    nhs_job_outcome(platform, credentials, caseworker)
    command = [sys.executable, "-m", "reporting.outcomes.reconcile"]

    def reconcile() -> subprocess.CompletedProcess:
        return subprocess.run(command, env=platform.env, capture_output=True, text=True, timeout=300)

    clean = wait_for(reconcile, lambda r: r.returncode == 0, timeout=60, what="a clean reconciliation")
    assert "equals a from-scratch replay" in clean.stdout
    database = config.database_name("reporting", platform.env)
    with psycopg.connect(config.postgres_conninfo(database, platform.env), autocommit=True) as connection:
        row = connection.execute(
            "SELECT notification_id, state FROM reporting_events WHERE topic LIKE %s ORDER BY notification_id DESC"
            " LIMIT 1", ("%ParticipantLedger.Achieved",)).fetchone()
        tampered = bytes(row[1]).replace(b'"payable_pence":450000', b'"payable_pence":460000')
        assert tampered != bytes(row[1])
        connection.execute("UPDATE reporting_events SET state = %s WHERE notification_id = %s", (tampered, row[0]))
        try:
            dirty = reconcile()
        finally:
            connection.execute("UPDATE reporting_events SET state = %s WHERE notification_id = %s", (row[1], row[0]))
    assert dirty.returncode == 1 and "DIFFERENCE" in dirty.stdout and "460000" in dirty.stdout


def test_an_outcome_another_fund_pays_for_cannot_be_claimed_and_shows_in_the_overlaps(platform, credentials,
                                                                                     caseworker, registered_contracts):
    admin, auditor = credentials("programme-office", "admin"), credentials("national-audit", "auditor")
    _, ref = nhs_job_outcome(platform, credentials, caseworker)
    for kind in ("employer_letter", "payslip"):
        ledger_step(platform, caseworker, ref, "evidence", {"type": kind, "source": "swbh-trust",
                                                            "obtained_on": "2019-06-20",
                                                            "occurred_at": "2019-06-21T09:00:00+00:00"})
    declared = {"fund": "trust recruitment budget", "reference": "swbh-rec-0412",
                "occurred_at": "2019-06-25T09:00:00+00:00"}
    ledger_step(platform, caseworker, ref, "other-funding", declared)
    assert ledger_step(platform, caseworker, ref, "other-funding", declared,
                       expect=422)["rule"] == "declared_once"
    refused = ledger_step(platform, admin, ref, "claim", {"occurred_at": "2019-07-01T09:00:00+00:00"}, expect=422)
    assert refused["rule"] == "double_funding" and "trust recruitment budget" in refused["message"]
    overlaps = wait_for(lambda: get(platform.url("reporting", "/ledger/funding-overlaps"), auditor).json(),
                        lambda found: any(o["outcome_ref"] == ref for o in found["other_funding"]),
                        what="the declaration in the overlaps report")
    mine = next(o for o in overlaps["other_funding"] if o["outcome_ref"] == ref)
    assert (mine["fund"], mine["status"], mine["needs_action"]) == ("trust recruitment budget", "achieved", False)
    finance = get(platform.url("reporting", "/ledger/funding-overlaps"), credentials("swbh-trust", "finance"))
    assert finance.status_code == 403  # it links one person's outcomes across contracts


def test_investors_see_money_in_and_out_the_irr_and_results_against_targets(platform, credentials, caseworker,
                                                                            registered_contracts):
    investor, stranger = credentials("community-investor", "finance"), credentials("other-bank", "finance")
    url = platform.url("reporting", f"/outcomes-contracts/{BOND}/transactions")
    flow = {"sender": "community-investor", "receiver": "learning-works", "pence": 12_000_000,
            "transaction_type": "Debt", "occurred_at": "2018-10-01T09:00:00+00:00", "reference": "tranche-1"}
    refused = post(url, {**flow, "transaction_type": "Interest Payment"}, key(), investor)
    assert refused.status_code == 422 and refused.json()["rule"] == "return_to_investor"
    assert post(url, flow, key(), stranger).status_code == 404
    assert post(url, flow, key(), investor).status_code == 201
    back = {**flow, "sender": "learning-works", "receiver": "community-investor", "pence": 13_200_000,
            "transaction_type": "Capital Repayment and Interest", "occurred_at": "2019-10-01T09:00:00+00:00"}
    assert post(url, back, key(), credentials("programme-office", "admin")).status_code == 201
    def both_in(found: dict) -> bool:  # other tests record transactions on this contract too: wait for these two
        seen = {(t["sender"], t["receiver"], t["pence"]) for t in found["transactions"]}
        return {("community-investor", "learning-works", 12_000_000),
                ("learning-works", "community-investor", 13_200_000)} <= seen

    report = wait_for(lambda: get(platform.url("reporting", f"/ledger/contracts/{BOND}/investment"), investor).json(),
                      both_in, what="both transactions in the report")
    mine = next(i for i in report["investors"] if i["organisation"] == "community-investor")
    assert mine["invested_pence"] >= 12_000_000 and mine["returned_pence"] >= 13_200_000
    assert report["maximum_potential_outcome_payment_pence"] == 45_000_000
    assert next(m for m in report["metrics"] if m["metric"] == "nhs_job_start")["target_count"] == 60
    assert get(platform.url("reporting", f"/ledger/contracts/{BOND}/investment"), stranger).status_code == 404
