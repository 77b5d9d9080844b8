"""Rebuilding reporting's read models from the upstream notification logs, and checking them against a rebuild.

``python -m reporting.readmodels.rebuild`` asks the running reporting service to rebuild (``rebuild_read_models`` over
RPC)
and prints its progress and an ETA until it is done; the service carries on meanwhile. The rebuild empties every
read model and the positions of the three upstreams, then pulls each upstream's log over RPC a page at a time,
applying a page in one transaction with its position, under the same lock as live deliveries (so they take turns,
and a delivery that arrives meanwhile is handled in order); the reset itself holds every upstream's lock, so no
delivery is mid-transaction while the read models are emptied. The ledger's read models are rebuilt from the
ledger's own events. The outcome ledger itself is a record (finance decisions are not re-derivable from upstream
logs): reconciliation (reporting.outcomes.reconcile) checks it against a from-scratch derivation instead.

``python -m reporting.readmodels.rebuild --verify`` rebuilds into a scratch store beside the live one, without touching
it,
and exits 1 if any read model differs (the fault-injection tests use it).
"""
from __future__ import annotations

import argparse
import itertools
import re
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from chassis.application import ServiceApplication, build_application
from chassis.delivery import Delivery
from reporting.application import Reporting
from reporting.outcomes.views import LEDGER_VIEWS, SEQUENCED
from reporting.readmodels import projections
from reporting.readmodels.grouped import GroupedWrites

UPSTREAMS = ("referrals", "pathways", "enterprises")
PAGE = 1000
Fetch = Callable[[int, "int | None", int], dict]
Spawn = Callable[..., Callable[[], dict]]
_scratch = itertools.count()


def projection_tables() -> list[str]:
    return [m.group(1) for m in (re.match(r"CREATE TABLE IF NOT EXISTS (\w+)", t) for t in projections.TABLES) if m]


@dataclass
class Progress:
    """How far a rebuild has come (what ``rebuild_progress`` answers and the rebuild gauges show)."""

    running: bool = False
    started: float = 0.0
    finished: float | None = None
    processed: int = 0
    total: int = 0
    upstream: str | None = None
    error: str | None = None
    per_upstream: dict[str, int] = field(default_factory=dict)

    def view(self) -> dict[str, Any]:
        elapsed = (self.finished or time.time()) - self.started if self.started else 0.0
        rate = self.processed / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.processed) / rate if rate > 0 and self.running else 0.0
        return {"running": self.running, "processed": self.processed, "total": self.total,
                "upstream": self.upstream, "events_per_second": round(rate, 1), "eta_seconds": round(eta, 1),
                "elapsed_seconds": round(elapsed, 1), "per_upstream": dict(self.per_upstream), "error": self.error}


def reset(app: ServiceApplication) -> None:
    """Empties every read model and forgets the upstream positions (one transaction)."""
    table = getattr(app.recorder, "tracking_table_name", "tracking")
    with app.sql() as sql:
        for name in projection_tables():
            sql.execute(f"DELETE FROM {name}")
        for upstream in UPSTREAMS:
            sql.execute(f"DELETE FROM {table} WHERE application_name = %s", (upstream,))
    LEDGER_VIEWS.reset(app)


def apply_page(app: ServiceApplication, upstream: str, page: dict, after: int) -> int:
    """One page of an upstream log applied to the read models in one transaction with its position."""
    items = page["items"]
    reached = max(int(page["scanned_to"]), after)
    if reached <= after:
        return 0
    with app.sql() as sql:
        grouped = GroupedWrites(sql)
        previous = after
        for item in items:
            delivery = Delivery(upstream, int(item["notification_id"]), previous, item["body"], trusted=True)
            projections.apply(grouped, delivery)  # type: ignore[arg-type]  # a Sql in all the handlers use
            previous = delivery.notification_id
        grouped.flush()
        app.record_tracking(sql, upstream, reached)
    return len(items)


def _bounded(fetch: Fetch, upto: int) -> Fetch:
    """``fetch`` that reads no further than ``upto``."""
    def bounded(after: int, _upto: int | None, limit: int) -> dict:
        return fetch(after, upto, limit)
    return bounded


def rebuild_upstream(app: ServiceApplication, upstream: str, fetch: Fetch, progress: Progress,
                     lock: Any = None, on_page: Callable[[], None] = lambda: None, spawn: Spawn | None = None) -> None:
    """``spawn(fetch, after, upto, limit)``, when given, starts fetching a page and returns a call that waits for
    it: the next page is then fetched (by the upstream, on its own CPU) while this one is applied."""
    progress.upstream = upstream
    ahead: tuple[int, Callable[[], dict]] | None = None  # the next page, asked for while this one was applied
    while True:
        with (lock if lock is not None else _nothing()):
            after = app.position(upstream)
            # a page asked for ahead is used only if it starts where the read models stand (nothing moved them)
            page = ahead[1]() if ahead is not None and ahead[0] == after else fetch(after, None, PAGE)
            ahead = None
            reached = int(page["scanned_to"])
            if spawn is not None and after < reached < int(page["head"]):
                ahead = (reached, spawn(fetch, reached, None, PAGE))
            apply_page(app, upstream, page, after)
        scanned = max(0, reached - after)  # stored events moved past (integration events or not)
        progress.processed += scanned
        progress.per_upstream[upstream] = progress.per_upstream.get(upstream, 0) + scanned
        progress.total = max(progress.total, progress.processed)
        on_page()
        if reached >= int(page["head"]) or reached <= after:
            return  # the head reached, or no further (a fetch bounded below the head)


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None


def rebuild(app: ServiceApplication, fetchers: dict[str, Fetch], progress: Progress,
            locks: dict[str, Any] | None = None, on_page: Callable[[], None] = lambda: None,
            inbox: Any = None, spawn: Spawn | None = None) -> Progress:
    """Resets and rebuilds every read model from the upstream logs (``fetchers``: upstream -> its RPC).

    ``inbox`` (the service's ``chassis.inbox.Inbox``) is paused for each upstream until its log is rebuilt: a
    live delivery or catch-up would otherwise fill the gap the reset opened one event per transaction, holding
    the upstream's lock, while the rebuild waited. Dropped deliveries are filled after ``resume``."""
    progress.running, progress.started, progress.finished = True, time.time(), None
    progress.processed, progress.error, progress.per_upstream = 0, None, {}
    paused = list(UPSTREAMS) if inbox is not None else []
    try:
        progress.total = sum(int(fetch(0, 0, 1)["head"]) for fetch in fetchers.values())  # stored events
        for upstream in paused:
            inbox.pause(upstream)
        with ExitStack() as held:
            # Every upstream's lock, in a fixed order (a delivery holds one lock and waits for none): a delivery
            # mid-transaction would otherwise commit its rows and its position right after the reset, and the
            # rebuild would carry on from that position, missing every earlier event.
            for upstream in UPSTREAMS:
                lock = (locks or {}).get(upstream)
                if lock is not None:
                    held.enter_context(lock)
            reset(app)
        for upstream in UPSTREAMS:
            rebuild_upstream(app, upstream, fetchers[upstream], progress, (locks or {}).get(upstream), on_page,
                             spawn)
            if inbox is not None:
                inbox.resume(upstream)
        LEDGER_VIEWS.catch_up(app)
        progress.total = progress.processed
    except Exception as error:  # reported through rebuild_progress; the next live delivery resumes the work
        progress.error = f"{type(error).__name__}: {error}"
        raise
    finally:
        for upstream in paused:
            inbox.resume(upstream)
        progress.running, progress.finished = False, time.time()
    return progress


def snapshot(app: ServiceApplication) -> dict[str, list[tuple]]:
    """Every read model's rows, sorted (the ledger's own tables included)."""
    found = {}
    for name in [*projection_tables(), *LEDGER_VIEWS.tables]:
        rows = app.query(f"SELECT * FROM {name}")
        if name in SEQUENCED:  # their seq numbers come from the store's notification ids
            rows = [row[1:] for row in rows]
        found[name] = sorted(tuple("" if v is None else str(v) for v in row) for row in rows)
    return found


def verify(live: ServiceApplication, fetchers: dict[str, Fetch]) -> list[str]:
    """Rebuilds into a scratch store (the live one untouched) and names every table whose rows differ."""
    scratch = build_application(Reporting, {}, PERSISTENCE_MODULE="eventsourcing.sqlite",
                                SQLITE_DBNAME=f"file:rebuild{next(_scratch)}?mode=memory&cache=shared")
    try:
        scratch.migrate()
        for upstream in UPSTREAMS:
            upto = live.position(upstream)  # compare like with like: up to where the live models are
            rebuild_upstream(scratch, upstream, _bounded(fetchers[upstream], upto), Progress())
        _copy_ledger(live, scratch)
        LEDGER_VIEWS.catch_up(scratch)
        ours, theirs = snapshot(live), snapshot(scratch)
    finally:
        scratch.close()
    return [f"{name}: {len(ours[name])} live rows, {len(theirs[name])} rebuilt, "
            f"{len(set(ours[name]) ^ set(theirs[name]))} differing" for name in ours if ours[name] != theirs[name]]


def _copy_ledger(live: ServiceApplication, scratch: ServiceApplication) -> None:
    """The ledger's stored events (the record its read models are built from), copied as they are."""
    start = 1
    while True:
        notifications = live.recorder.select_notifications(start=start, limit=PAGE, topics=LEDGER_VIEWS.topics)
        if notifications:
            scratch.recorder.insert_events(notifications)
        if len(notifications) < PAGE:
            return
        start = notifications[-1].id + 1


def main(argv: list[str] | None = None, source: Any = None) -> int:
    from nameko.standalone.rpc import ClusterRpcProxy

    from chassis import config

    parser = argparse.ArgumentParser(prog="python -m reporting.readmodels.rebuild")
    parser.add_argument("--verify", action="store_true", help="rebuild into a scratch store and compare")
    options = parser.parse_args(argv)
    with ClusterRpcProxy({"AMQP_URI": config.amqp_uri(source)}, timeout=120) as rpc:
        if options.verify:
            app = build_application(Reporting, source)
            try:
                found = verify(app, {u: getattr(rpc, u).integration_events for u in UPSTREAMS})
            finally:
                app.close()
            for line in found:
                print("DIFFERENCE " + line)
            print("the read models equal a clean rebuild" if not found else f"{len(found)} read models differ")
            return 1 if found else 0
        print(rpc.reporting.rebuild_read_models())
        while True:
            state = rpc.reporting.rebuild_progress()
            print(f"{state['processed']:>10,} of ~{state['total']:,} events ({state['upstream']}),"
                  f" {state['events_per_second']:,.0f}/s, ETA {state['eta_seconds']:.0f} s", flush=True)
            if not state["running"]:
                print("failed: " + state["error"] if state["error"] else
                      f"rebuilt {state['processed']:,} events in {state['elapsed_seconds']} s")
                return 1 if state["error"] else 0
            time.sleep(1.0)


if __name__ == "__main__":
    sys.exit(main())
