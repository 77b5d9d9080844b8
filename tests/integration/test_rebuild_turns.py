"""Reporting's rebuild and its live consumers take turns: the reset waits for a delivery being processed.

Found by fault injection: a reset that ran while a delivery was being processed emptied the read models and
forgot the position, and the delivery then committed its rows and its position, so the rebuild carried on
from there and the rebuilt read models lacked every earlier event.
"""
from __future__ import annotations

import threading
import uuid
from typing import Any

from chassis.delivery import Delivery
from chassis.inbox import Inbox
from reporting.application import Reporting
from reporting.readmodels import projections
from reporting.readmodels.rebuild import Progress, rebuild
from tests.support.fixtures import scratch_store
from tests.support.waiting import wait_for


def referred(number: int) -> dict[str, Any]:
    referral = str(uuid.uuid4())
    return {"event_id": f"{referral}:1", "event_type": "client_referred_v1", "occurred_at": "2018-09-03T10:30:00+00:00",
            "recorded_at": "2018-09-12T08:00:00+00:00", "aggregate_id": referral, "organisation": "learning-works",
            "actor": "k1", "idempotency_key": f"k{number}",
            "correlation_id": f"c{number}",
            "referral_id": referral, "client_id": str(uuid.uuid4()), "partner_id": "ladywood-work-club",
            "profession": "doctor"}


def log_of(items: list[dict]) -> Any:
    """An upstream's integration events as its ``integration_events`` RPC serves them."""
    def fetch(after: int, upto: int | None, limit: int) -> dict:
        head = len(items)
        stop = head if upto is None else min(upto, head)
        page = [{"notification_id": n, "body": items[n - 1]} for n in range(after + 1, stop + 1)][:limit]
        scanned = page[-1]["notification_id"] if len(page) == limit else max(stop, after)
        return {"items": page, "scanned_to": scanned, "head": head}
    return fetch


class NotingLock:
    """The inbox's lock, noting when someone first tries to take it."""

    def __init__(self, lock: Any) -> None:
        self.lock, self.tried = lock, threading.Event()

    def __enter__(self) -> None:
        self.tried.set()
        self.lock.acquire()

    def __exit__(self, *_: object) -> None:
        self.lock.release()


def test_a_rebuild_waits_for_the_delivery_in_progress_and_the_rebuilt_models_miss_nothing(pg_env):
    app = scratch_store(pg_env, Reporting, "rebuildturns")
    try:
        referrals = [referred(n) for n in range(1, 6)]
        fetchers = {"referrals": log_of(referrals), "pathways": log_of([]), "enterprises": log_of([])}
        inbox = Inbox.outside_a_container(app, "reporting")
        rebuild(app, fetchers, Progress())  # a clean start in this database
        for n in range(1, 6):
            inbox.handle(Delivery("referrals", n, n - 1, referrals[n - 1]), fetchers["referrals"],
                         apply_sql=projections.apply)
        referrals.append(referred(6))  # the upstream stores one more, and its delivery arrives
        inside, go = threading.Event(), threading.Event()

        def slow_apply(sql, delivery: Delivery) -> None:
            inside.set()
            go.wait(30)
            projections.apply(sql, delivery)

        delivery = threading.Thread(target=inbox.handle, args=(
            Delivery("referrals", 6, 5, referrals[5]), fetchers["referrals"]), kwargs={"apply_sql": slow_apply})
        delivery.start()
        wait_for(inside.is_set, what="the delivery to be mid-transaction")
        locks = {upstream: NotingLock(inbox.locks[upstream]) for upstream in fetchers}
        rebuilding = threading.Thread(target=rebuild, args=(app, fetchers, Progress(), locks))
        rebuilding.start()
        wait_for(locks["referrals"].tried.is_set, what="the rebuild to ask for the referrals lock")
        go.set()
        delivery.join(30)
        rebuilding.join(30)
        rows = app.query("SELECT referral_id FROM report_referrals")
        assert sorted(row[0] for row in rows) == sorted(r["referral_id"] for r in referrals)
        assert app.position("referrals") == 6
    finally:
        app.close()
