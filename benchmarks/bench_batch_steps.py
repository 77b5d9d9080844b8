"""100-step batches posted to pathways, steps stored per second, beside raw PostgreSQL executemany (100 rows).

``python -m benchmarks.bench_batch_steps``. Set-up: referrals, pathways (one API process each, relay in
process), 200 accepted clients with GMC pathways; 4 client threads post batches of 100 right-to-work checks
spread over each thread's own 50 pathways, each step with its own idempotency key, for 8 seconds. Every step
must be answered 201.
"""
from __future__ import annotations

import json
import statistics
import threading
import time
import uuid

import requests

from benchmarks import harness
from launcher.demo import enrol


def run(clients: int = 200, seconds: float = 8.0, threads: int = 4, batch: int = 100, quick: bool = False) -> dict:
    if quick:
        seconds = 5.0
    raw = statistics.median(harness.raw_executemany(5000, batch) for _ in range(3))
    with harness.platform(["referrals", "pathways"]) as running:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {running.credential}"
        client_ids = []
        for number, referral in enumerate(harness.create_referrals(running, clients)):
            enrol(running, referral["referral_id"], running.credential, "E-B", "GMC", "2018-09-04T00:00:00+00:00",
                  f"bench-{number}")
            client_ids.append(referral["client_id"])
        url = running.url("pathways", "/steps/batch")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # every pathway opened (relayed and consumed)
            opened = session.get(running.url("pathways", f"/clients/{client_ids[-1]}/pathways"), timeout=10).json()
            if opened["pathways"]:
                break
            time.sleep(0.1)
        stored, statuses, lock = [0], set(), threading.Lock()
        stop_at = time.monotonic() + seconds

        def poster(offset: int) -> None:
            local = requests.Session()
            local.headers["Authorization"] = f"Bearer {running.credential}"
            sent = 0
            while time.monotonic() < stop_at:
                mine = client_ids[offset::threads]  # each trust system posts for its own clients
                steps = [{"client_id": mine[(sent + i) % len(mine)], "regulator": "GMC",
                          "type": "right_to_work_check", "occurred_at": "2018-10-01T00:00:00+00:00",
                          "idempotency_key": uuid.uuid4().hex, "payload": {"valid_until": None}}
                         for i in range(batch)]
                results = local.post(url, data=json.dumps({"steps": steps}), timeout=60, headers={
                    "Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}).json()["results"]
                sent += batch
                with lock:
                    stored[0] += sum(1 for r in results if r["status"] == 201)
                    statuses.update(r["status"] for r in results)

        profilers = harness.profile(running, "batch")
        started = time.monotonic()
        workers = [threading.Thread(target=poster, args=(n,)) for n in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.monotonic() - started
        harness.stop_profiling(profilers)
    rate = stored[0] / elapsed
    return {"benchmark": "batch_steps", "batch": batch, "threads": threads, "steps_per_s": round(rate, 1),
            "answers": sorted(statuses), "raw_executemany_per_s": round(raw, 1), "ratio": round(rate / raw, 3),
            "figure": "steps_per_s", "baseline": "raw_executemany_per_s", "target": "ratio ≥ 0.3",
            "met": rate / raw >= 0.3}


if __name__ == "__main__":
    print(json.dumps(run()))
