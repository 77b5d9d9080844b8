"""A finance statement of an outcomes contract with 100,000 participants, from the ledger's read models.

``python -m benchmarks.bench_statement [--participants N]``; prints one JSON line. Set-up: one reporting
process on the real PostgreSQL; the shipped NHS bond registered through the API; then its ledger read models
(``ledger_participants``, ``ledger_outcomes``, ``ledger_entries``) seeded in bulk with COPY, in the shape the
ledger views write: every participant achieved an NHS job start (some beyond the contract cap, so partly not
payable), most were claimed, many validated and paid, a few clawed back, a fifth also reached 26 weeks.
Figure: ``GET /ledger/contracts/<id>/statement`` over the whole period (HTTP, JSON), median of 5 after one
warm-up. Baseline: a raw ``SELECT`` of the same contract's ledger rows (every row fetched), same run.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

import psycopg
import requests

from benchmarks import harness
from chassis import config

CONTRACT = "use-it-nhs-bond"
PERIOD = {"from": "2018-10-01", "to": "2022-03-31"}
RECORDED = "2019-{:02d}-{:02d}T10:00:00+00:00"


def ledger_rows(participants: int) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """(participants, outcomes, entries) rows as reporting.outcomes.views writes them (integer pence)."""
    people, outcomes, entries = [], [], []
    seq = 1000
    for number in range(participants):
        ref = f"P{number:015X}"
        people.append((f"00000000-0000-4000-8000-{number:012x}", CONTRACT, ref, f"c-{number}"))
        month, day = 1 + number % 12, 1 + number % 28
        for metric, price, reached in (("nhs_job_start", 450000, True), ("nhs_26_weeks", 300000, number % 5 == 0)):
            if not reached:
                continue
            outcome = f"{CONTRACT}~{ref}~{metric}~1"
            payable = price if number % 50 else price // 3  # every fiftieth beyond a cap: partly not payable
            status, on = "achieved", f"2019-{month:02d}-{day:02d}"

            def entry(kind: str, pence: int, payer: str = "swbh-trust") -> None:
                nonlocal seq
                seq += 2
                entries.append((seq, CONTRACT, outcome, ref, metric, payer, kind, pence, on,  # noqa: B023
                                RECORDED.format(month, day)))  # noqa: B023  (called within the iteration)

            entry("achieved", payable)
            if payable < price:
                entry("not_payable", price - payable, "")
            for kind, share in (("claimed", 10), ("validated", 6), ("paid", 4), ("clawed_back", 1)):
                if number % 10 < share and payable == price:
                    entry(kind, payable)
                    status = kind
            outcomes.append((outcome, CONTRACT, ref, metric, 1, on, price, payable,
                             json.dumps({"swbh-trust": payable}), None if payable == price else "contract_cap",
                             status, RECORDED.format(month, day)))
    return people, outcomes, entries


def copy(connection: psycopg.Connection, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as out:
        for row in rows:
            out.write_row(row)


def seed(dbname: str, participants: int) -> int:
    people, outcomes, entries = ledger_rows(participants)
    with psycopg.connect(config.postgres_conninfo(dbname)) as connection:
        copy(connection, "ledger_participants", ("aggregate_id", "contract_id", "participant_ref", "client_id"), people)
        copy(connection, "ledger_outcomes", ("outcome_ref", "contract_id", "participant_ref", "metric", "occurrence",
                                             "achieved_on", "price_pence", "payable_pence", "payer_split",
                                             "not_payable_reason", "status", "recorded_at"), outcomes)
        copy(connection, "ledger_entries", ("seq", "contract_id", "outcome_ref", "participant_ref", "metric", "payer",
                                            "kind", "pence", "effective_on", "recorded_at"), entries)
        connection.commit()
        connection.execute("ANALYZE ledger_entries")
        connection.execute("ANALYZE ledger_outcomes")
        connection.commit()
    return len(entries)


def raw_select(dbname: str) -> float:
    """Seconds to fetch every ledger row of the contract with a plain SELECT (the baseline)."""
    with psycopg.connect(config.postgres_conninfo(dbname)) as connection:
        started = time.perf_counter()
        rows = connection.execute("SELECT metric, payer, kind, pence, outcome_ref, effective_on, recorded_at"
                                  " FROM ledger_entries WHERE contract_id = %s", (CONTRACT,)).fetchall()
        assert rows
        return time.perf_counter() - started


def run(participants: int = 100_000, repeats: int = 5, quick: bool = False) -> dict:
    with harness.platform(["reporting"]) as running:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {running.credential}"
        with open(harness.contract_terms_path("use_it_nhs_bond")) as handle:
            terms = json.load(handle)
        session.post(running.url("reporting", "/outcomes-contracts"), json=terms, timeout=30,
                     headers={"Idempotency-Key": "bench-contract"}).raise_for_status()
        dbname = config.database_name("reporting", running.env)
        harness.wait_until(lambda: harness.one(dbname, "SELECT COUNT(*) FROM ledger_contracts") == 1, 30,
                           "the contract in the ledger views")
        rows = seed(dbname, participants)
        url = running.url("reporting", f"/ledger/contracts/{CONTRACT}/statement")

        def timed() -> tuple[float, dict]:
            started = time.perf_counter()
            answer = session.get(url, params=PERIOD, timeout=120)
            answer.raise_for_status()
            return time.perf_counter() - started, answer.json()

        _, warm = timed()
        times = [timed()[0] for _ in range(repeats)]
        raw = statistics.median(raw_select(dbname) for _ in range(3))
    seconds = statistics.median(times)
    achieved = warm["totals"]["achieved_count"]
    assert achieved == participants + (participants + 4) // 5, warm["totals"]
    return {"benchmark": "finance_statement", "participants": participants, "ledger_rows": rows,
            "statement_ms": round(seconds * 1000, 1), "statement_max_ms": round(max(times) * 1000, 1),
            "raw_select_ms": round(raw * 1000, 1), "ratio": round(raw / seconds, 3),
            "figure": "statement_ms", "baseline": "raw_select_ms",
            "target": "≤ 1000 ms", "met": seconds <= 1.0,
            "ratio_means": "raw SELECT time / statement time"}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=100_000)
    print(json.dumps(run(parser.parse_args().participants)))
