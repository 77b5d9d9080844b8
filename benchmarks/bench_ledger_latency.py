"""Post-to-ledger latency: from the HTTP post of a step that completes an outcome to its ledger entry.

``python -m benchmarks.bench_ledger_latency [--probes N]``; prints one JSON line. Set-up: referrals, pathways and
reporting, with enterprises (one process each, relay in process) on the real RabbitMQ and PostgreSQL; the shipped NHS
bond
registered; ``probes`` clients referred, enrolled (E-B, GMC, January 2019) and given a right-to-work check.
Load: the single-step load of bench_single_post (wrk, 8 connections, contact attempts over 500 referrals on
referrals, whose events reporting also consumes). Under it, one probe at a time posts an NHS employment start
for the next client (``POST /clients/<id>/pathways/GMC/steps``) and polls reporting's ledger view
(``ledger_entries`` joined to ``ledger_participants``, every 5 ms) until the client's achieved entry appears;
the latency is the time from sending the post to seeing the row. The path: pathways append, outbox relay,
RabbitMQ, reporting's inbox (read models + the ledger engine's achievements, one transaction), reporting's
ledger-views projection.

Baseline (same run, before the platform starts): the raw path of one message, a kombu publish (persistent,
with a publisher confirm) consumed by a kombu consumer that INSERTs a row into PostgreSQL, polled the same way.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
import uuid

import psycopg
import requests
from kombu import Connection, Exchange, Producer, Queue

from benchmarks import harness
from benchmarks.bench_single_post import STEP
from chassis import config
from launcher.demo import enrol

CONTRACT = "use-it-nhs-bond"
JOB = {"employer": "swbh-trust", "nhs": True, "hours_per_week": 37.5, "role": "clinical fellow"}
SEEN = ("SELECT 1 FROM ledger_entries e JOIN ledger_participants p ON p.contract_id = e.contract_id"
        " AND p.participant_ref = e.participant_ref WHERE p.client_id = %s AND e.kind = 'achieved'")

MILESTONE = "SELECT 1 FROM report_milestones WHERE client_id = %s AND milestone = 'employment_started'"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def poll(connection: psycopg.Connection, statement: str, params: tuple, timeout: float = 30.0) -> float:
    """Polls until the statement returns a row; returns when (perf_counter) it did."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if connection.execute(statement, params).fetchone() is not None:
            return time.perf_counter()
        time.sleep(0.005)
    raise TimeoutError(f"no row after {timeout:.0f} s")


def raw_path_ms(probes: int = 40) -> list[float]:
    """Latency of the raw path: publish (confirmed, persistent) -> consume -> INSERT -> seen by a poller."""
    table, name = f"bench_path_{uuid.uuid4().hex[:8]}", f"bench-path-{uuid.uuid4().hex[:8]}"
    exchange = Exchange(name, type="direct", durable=False, auto_delete=True)
    queue = Queue(name, exchange, routing_key=name, durable=False, auto_delete=True)
    uri = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672//")
    with psycopg.connect(config.postgres_conninfo("postgres"), autocommit=True) as poller:
        poller.execute(f"CREATE TABLE {table} (id text PRIMARY KEY)")
        stop = threading.Event()

        def consume() -> None:
            with Connection(uri) as connection, psycopg.connect(config.postgres_conninfo("postgres"),
                                                                autocommit=True) as writer:
                def on_message(body: dict, message) -> None:
                    writer.execute(f"INSERT INTO {table} (id) VALUES (%s)", (body["id"],))
                    message.ack()

                with connection.Consumer(queue, callbacks=[on_message], prefetch_count=10):
                    while not stop.is_set():
                        try:
                            connection.drain_events(timeout=0.2)
                        except TimeoutError:
                            pass
        with Connection(uri, transport_options={"confirm_publish": True}) as connection:
            queue(connection.default_channel).declare()
            consumer = threading.Thread(target=consume, daemon=True)
            consumer.start()
            time.sleep(0.5)
            producer = Producer(connection.channel(), exchange=exchange)
            latencies = []
            for _ in range(probes):
                ident = uuid.uuid4().hex
                started = time.perf_counter()
                producer.publish({"id": ident}, routing_key=name, delivery_mode=2, serializer="json")
                latencies.append((poll(poller, f"SELECT 1 FROM {table} WHERE id = %s", (ident,)) - started) * 1000)
            stop.set()
            consumer.join(5)
        poller.execute(f"DROP TABLE {table}")
    return latencies


def run(probes: int = 40, connections: int = 8, referrals: int = 500, quick: bool = False) -> dict:
    if quick:
        probes = 20
    raw = raw_path_ms()
    with harness.platform() as running:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {running.credential}"
        with open(harness.contract_terms_path("use_it_nhs_bond")) as handle:
            session.post(running.url("reporting", "/outcomes-contracts"), json=json.load(handle), timeout=30,
                         headers={"Idempotency-Key": "bench-contract"}).raise_for_status()
        clients = []
        for number, referral in enumerate(harness.create_referrals(running, probes, "doctor")):
            enrol(running, referral["referral_id"], running.credential, "E-B", "GMC", "2019-01-07T10:00:00+00:00",
                  f"bench-enrol-{number}")
            clients.append(referral["client_id"])

        def step(client: str, step_type: str, payload: dict, when: str) -> None:
            session.post(running.url("pathways", f"/clients/{client}/pathways/GMC/steps"), timeout=30,
                         json={"type": step_type, "occurred_at": when, "payload": payload},
                         headers={"Idempotency-Key": uuid.uuid4().hex}).raise_for_status()

        for client in clients:
            harness.wait_until(lambda c=client: session.get(running.url("pathways", f"/clients/{c}/pathways"),
                                                            timeout=10).json()["pathways"], 60, "the pathway")
            step(client, "right_to_work_check", {"valid_until": None}, "2019-04-01T09:00:00+00:00")
        load_paths = [f"/referrals/{created['referral_id']}/contact-attempts"
                      for created in harness.create_referrals(running, referrals, "nurse", "bench-load")]
        dbname = config.database_name("reporting", running.env)
        harness.wait_until(lambda: harness.one(dbname, "SELECT COUNT(*) FROM report_pathways") == len(clients), 60,
                           "every pathway in reporting's read models")
        seconds = int(10 + probes * 0.6)
        load: dict = {}
        loader = threading.Thread(target=lambda: load.update(harness.wrk_steps(
            running.ports["referrals"], load_paths, STEP, connections, seconds, running.credential)))
        loader.start()
        time.sleep(2)  # the load is running
        latencies, read_model, posts = [], [], []
        with psycopg.connect(config.postgres_conninfo(dbname), autocommit=True) as poller:
            for client in clients:
                if not loader.is_alive():
                    break
                started = time.perf_counter()
                step(client, "employment_started", JOB, "2019-05-01T09:00:00+00:00")
                posts.append((time.perf_counter() - started) * 1000)
                read_model.append((poll(poller, MILESTONE, (client,)) - started) * 1000)
                latencies.append((poll(poller, SEEN, (client,)) - started) * 1000)
                time.sleep(0.2)
        loader.join()
    p95, raw_p95 = percentile(latencies, 0.95), percentile(raw, 0.95)
    return {"benchmark": "post_to_ledger_latency", "probes": len(latencies),
            "p95_ms": round(p95, 1), "p50_ms": round(statistics.median(latencies), 1),
            "max_ms": round(max(latencies), 1), "read_model_p95_ms": round(percentile(read_model, 0.95), 1),
            "post_p95_ms": round(percentile(posts, 0.95), 1), "raw_path_p95_ms": round(raw_p95, 1),
            "raw_path_p50_ms": round(statistics.median(raw), 1), "ratio": round(p95 / raw_p95, 2),
            "load_steps_per_s": round(load.get("per_s", 0.0), 1), "load_non_201": load.get("non_201"),
            "figure": "p95_ms", "baseline": "raw_path_p95_ms", "target": "p95 ≤ 100 ms", "met": p95 <= 100,
            "ratio_means": "p95 / raw path p95 (times slower)"}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--probes", type=int, default=40)
    print(json.dumps(run(parser.parse_args().probes)))
