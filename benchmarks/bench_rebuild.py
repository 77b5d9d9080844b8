"""Rebuilding reporting from 1,000,000 stored upstream events, and every service's peak memory meanwhile.

``python -m benchmarks.bench_rebuild [--events N]``; prints one JSON line. Set-up: the four services (one process
each) on the real RabbitMQ and PostgreSQL; the demo programme loaded through the APIs (the templates); the
services stopped; the three upstream logs replicated to about ``events`` stored events in all with COPY
(benchmarks/seed_events.py: fresh ids per copy, the audit chain extended, relay and consumer positions moved to
the heads); the services started again.

Figures:
- **rebuild** (``python -m reporting.readmodels.rebuild``'s RPC, ``rebuild_read_models``): every read model emptied and
  rebuilt from the three upstream logs, pulled page by page over RPC, then the ledger views; events/s =
  upstream events read / seconds until ``rebuild_progress`` reports it finished.
- **peak RSS per service** (``VmHWM`` of each service process): after serving on the seeded stores (report and
  pathway reads), and again after the rebuild and reports over the rebuilt read models.

Baseline (same run): a raw ``SELECT`` of the same rows (notification id, originator, version, topic, state) of
the three upstream events tables, fetched in pages of 1,000 in notification order, events/s.
"""
from __future__ import annotations

import argparse
import json
import time

import psycopg
import requests
from nameko.standalone.rpc import ClusterRpcProxy

from benchmarks import harness, seed_events
from chassis import config
from launcher import demo

REPORTS = ("/reports/clients-by-stage", "/reports/kpis", "/reports/summary", "/reports/referrals-by-partner")


def caught_up(env: dict[str, str]) -> bool:
    """Every upstream's log relayed and chained, and reporting's position at its last published event."""
    for upstream in seed_events.UPSTREAMS:
        database = seed_events.dbname(env, upstream)
        head = int(harness.one(database, f"SELECT COALESCE(MAX(notification_id), 0) FROM {upstream}_events"))
        chained = int(harness.one(database, "SELECT COALESCE(MAX(notification_id), 0) FROM chassis_audit_chain"))
        relayed = harness.row(database, "SELECT position, last_published FROM chassis_relay WHERE name = %s",
                              (upstream,)) or (0, 0)
        consumed = int(harness.one(seed_events.dbname(env, "reporting"), "SELECT COALESCE(MAX(notification_id), 0)"
                                   " FROM reporting_tracking WHERE application_name = %s", (upstream,)))
        if chained < head or relayed[0] < head or consumed < relayed[1]:
            return False
    return True


def raw_select(env: dict[str, str], page: int = 1000) -> float:
    """Events/s of reading the three upstream logs with plain SELECTs, page by page in notification order."""
    rows = 0
    started = time.perf_counter()
    for upstream in seed_events.UPSTREAMS:
        with psycopg.connect(config.postgres_conninfo(seed_events.dbname(env, upstream), env)) as connection:
            after = 0
            while True:
                found = connection.execute(
                    f"SELECT notification_id, originator_id, originator_version, topic, state FROM {upstream}_events"
                    " WHERE notification_id > %s ORDER BY notification_id LIMIT %s", (after, page)).fetchall()
                if not found:
                    break
                rows += len(found)
                after = found[-1][0]
    return rows / (time.perf_counter() - started)


def peaks(running) -> dict[str, float]:
    return {label: harness.peak_rss_mb(process.pid) for label, process in running.processes.items()}


def serve(running, session: requests.Session, seconds: float = 5.0) -> int:
    """Report and pathway reads for ``seconds`` (what the services do between rebuilds)."""
    answered, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in REPORTS:
            answer = session.get(running.url("reporting", path), timeout=120)
            answer.raise_for_status()
            answered += 1
    return answered


def run(events: int = 1_000_000, max_seconds: float = 1800.0, quick: bool = False) -> dict:
    if quick:
        events = 100_000
    with harness.platform() as running:
        credentials = demo.demo_credentials(running.env)
        demo.load(running, credentials)
        harness.wait_until(lambda: caught_up(running.env), 120, "reporting and the audit chains to catch up")
        running.stop()
        seeding_started = time.monotonic()
        seeded = seed_events.seed(running.env, events)
        seeding = time.monotonic() - seeding_started
        running.start()
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {running.credential}"
        harness.wait_until(lambda: int(harness.one(seed_events.dbname(running.env, "pathways"),
                                                   "SELECT notification_id FROM pathways_tracking"
                                                   " WHERE application_name = 'pathways:caseload'") or 0)
                           >= seeded["heads"]["pathways"], 600, "pathways' caseload projection over the seeded log")
        serve(running, session)
        serving = peaks(running)
        raw = raw_select(running.env)
        with ClusterRpcProxy({"AMQP_URI": running.env["AMQP_URI"]}, timeout=120) as rpc:
            profilers = harness.profile(running, "rebuild")
            started = time.monotonic()
            assert rpc.reporting.rebuild_read_models()["started"]
            state: dict = {}
            during: dict[str, float] = {}
            while time.monotonic() - started < max_seconds:
                time.sleep(1.0)
                state = rpc.reporting.rebuild_progress()
                for label, peak in peaks(running).items():
                    during[label] = max(during.get(label, 0.0), peak)
                if not state["running"]:
                    break
        elapsed = time.monotonic() - started
        harness.stop_profiling(profilers)
        assert not state.get("error"), state
        finished = not state["running"]
        serve(running, session)
        overall = peaks(running)
    rate = state["processed"] / elapsed
    worst = max(overall.values())
    return {"benchmark": "rebuild_1m_events", "stored_events": seeded["stored_events"],
            "template_events": seeded["template_events"], "copies": seeded["copies"],
            "seeding_s": round(seeding, 1), "rebuilt_events": state["processed"], "rebuild_s": round(elapsed, 1),
            "finished": finished, "rebuild_events_per_s": round(rate, 1), "raw_select_per_s": round(raw, 1),
            "ratio": round(rate / raw, 3), "peak_rss_mb_serving": serving, "peak_rss_mb_overall": overall,
            "peak_rss_mb_max": worst, "figure": "rebuild_events_per_s", "baseline": "raw_select_per_s",
            "target": "≥ 0.1; peak RSS ≤ 250 MB per service", "met": rate / raw >= 0.1 and worst <= 250}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    options = parser.parse_args()
    print(json.dumps(run(options.events, options.max_seconds)))
