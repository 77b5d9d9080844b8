"""Single-step HTTP posts stored per second on referrals, beside raw single-row autocommit INSERTs.

``python -m benchmarks.bench_single_post``; prints one JSON line. Set-up: one API process of referrals
(RELAY=off) and one relay process, on the real RabbitMQ and PostgreSQL; wrk posts over 8 keep-alive
connections, each post with its own Idempotency-Key. Three rounds; the median round is reported. The raw
baseline (single-row autocommit INSERTs into a logged table of the events table's shape) runs in the same
invocation, three times, median.
"""
from __future__ import annotations

import argparse
import json
import statistics

from benchmarks import harness

BODY = {"partner_id": "club-1", "profession": "doctor", "occurred_at": "2018-09-03T00:00:00+00:00"}


def run(seconds: int = 8, connections: int = 8, rounds: int = 3) -> dict:
    raw = statistics.median(harness.raw_single_row_inserts() for _ in range(3))
    with harness.platform(["referrals"], extra_env={"RELAY": "off"}) as running:
        harness.start_relay_process(running, "referrals")
        port = running.ports["referrals"]
        credential = running.credential
        harness.wrk_post(port, "/referrals", BODY, connections, 2, credential)  # warm up
        results = sorted((harness.wrk_post(port, "/referrals", BODY, connections, seconds, credential)
                          for _ in range(rounds)),
                         key=lambda r: r["per_s"])
    median = results[len(results) // 2]
    assert all(r["non_201"] == 0 and r["errors"] == 0 for r in results), results
    return {"benchmark": "single_step_posts", "processes": "1 API + 1 relay", "connections": connections,
            "posts_per_s": round(median["per_s"], 1), "rounds_per_s": [round(r["per_s"]) for r in results],
            "p50_ms": median["p50_ms"], "p95_ms": median["p95_ms"], "p99_ms": median["p99_ms"],
            "raw_insert_per_s": round(raw, 1), "ratio": round(median["per_s"] / raw, 3), "target_ratio": 0.3}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    print(json.dumps(run(args.seconds, args.connections)))
