"""Single-step HTTP posts stored per second on referrals, beside raw single-row autocommit INSERTs.

``python -m benchmarks.bench_single_post``; prints one JSON line. Set-up: one API process of referrals
(RELAY=off) and one relay process, on the real RabbitMQ and PostgreSQL; wrk over 8 keep-alive connections,
a fresh Idempotency-Key per post. Three 8-second rounds; the median round is reported.

- **single steps**: `POST /referrals/<id>/contact-attempts` spread over 500 referrals (one step event and the
  key's record per post: the shape of the steps trust systems post);
- **referral forms**: `POST /referrals` with the journal's whole placement referral form (validation of every
  field, identity matching, per-client encryption, one event).

The raw baseline (single-row autocommit INSERTs into a logged table of the events table's shape) runs in the
same invocation, three times, median. The target (ratio ≥ 0.5, p99 ≤ 50 ms at that rate) applies to single steps.
"""
from __future__ import annotations

import argparse
import json
import statistics

from benchmarks import harness
from launcher.demo_people import referral_form

FORM = referral_form(1, "club-1", "doctor", "2018-09-03T00:00:00+00:00")
STEP = {"outcome": "no_answer", "occurred_at": "2018-09-04T10:00:00+00:00"}


def median_round(runs: list[dict]) -> dict:
    assert all(r["non_201"] == 0 and r["errors"] == 0 for r in runs), runs
    return sorted(runs, key=lambda r: r["per_s"])[len(runs) // 2]


def run(seconds: int = 8, connections: int = 8, rounds: int = 3, referrals: int = 500, quick: bool = False) -> dict:
    if quick:
        seconds, rounds = 5, 1
    raw = statistics.median(harness.raw_single_row_inserts() for _ in range(3))
    with harness.platform(["referrals"], extra_env={"RELAY": "off"}) as running:
        harness.start_relay_process(running, "referrals")
        port, credential = running.ports["referrals"], running.credential
        paths = [f"/referrals/{created['referral_id']}/contact-attempts"
                 for created in harness.create_referrals(running, referrals, "nurse")]
        harness.wrk_steps(port, paths, STEP, connections, 2, credential)  # warm up
        steps = median_round([harness.wrk_steps(port, paths, STEP, connections, seconds, credential)
                              for _ in range(rounds)])
        forms = median_round([harness.wrk_post(port, "/referrals", FORM, connections, seconds, credential)
                              for _ in range(rounds)])
    return {"benchmark": "single_step_posts", "processes": "1 API + 1 relay", "connections": connections,
            "steps_per_s": round(steps["per_s"], 1), "p50_ms": steps["p50_ms"], "p95_ms": steps["p95_ms"],
            "p99_ms": steps["p99_ms"], "referral_forms_per_s": round(forms["per_s"], 1),
            "forms_p99_ms": forms["p99_ms"], "raw_insert_per_s": round(raw, 1),
            "ratio": round(steps["per_s"] / raw, 3), "forms_ratio": round(forms["per_s"] / raw, 3),
            "figure": "steps_per_s", "baseline": "raw_insert_per_s", "target": "ratio ≥ 0.5, p99 ≤ 50 ms",
            "met": steps["per_s"] / raw >= 0.5 and steps["p99_ms"] <= 50}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    print(json.dumps(run(args.seconds, args.connections)))
