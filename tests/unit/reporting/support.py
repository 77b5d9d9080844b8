"""A reporting application on in-memory SQLite, fed pathways' integration events as the inbox would."""
from __future__ import annotations

import functools
import itertools
import json
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chassis.application import build_application
from chassis.delivery import Delivery
from contracts import pathways as pw
from reporting.application import Reporting
from reporting.outcomes.domain import ContractLedger, ParticipantLedger
from reporting.outcomes.engine import LedgerEngine, pathways_writes
from reporting.outcomes.terms import TermsSchema
from reporting.outcomes.views import LEDGER_VIEWS

TERMS_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "services", "reporting", "reporting",
                         "contract_terms")
KEY = b"k" * 32
_databases = itertools.count()
MEMORY_DIR = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


@functools.cache
def _terms(name: str, changes: str) -> str:
    with open(os.path.join(TERMS_DIR, f"{name}.json")) as handle:
        document = json.load(handle)
    document.update(json.loads(changes))
    return json.dumps(TermsSchema().dump(TermsSchema().load(document)))


def terms(name: str, **changes: Any) -> dict[str, Any]:
    """A shipped contract's terms document (loaded and dumped as the API stores it), with ``changes``."""
    return json.loads(_terms(name, json.dumps(changes, sort_keys=True)))


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


@dataclass
class PathwaysLog:
    """Builds pathways' integration events in log order (notification ids with gaps, as a real log has)."""

    events: list[tuple[int, dict]] = field(default_factory=list)
    next_id: int = 1

    def _append(self, body: dict) -> dict:
        self.next_id += 2  # events that are not integration events leave gaps
        self.events.append((self.next_id, body))
        return body

    def _envelope(self, pathway_id: str, event_type: str, day: str) -> dict:
        return {"event_id": f"{pathway_id}:{self.next_id}", "event_type": event_type,
                "occurred_at": at(day), "recorded_at": at(day),
                "aggregate_id": pathway_id, "actor": "uk_test", "organisation": "learning-works",
                "idempotency_key": None, "correlation_id": None}

    def opened(self, client_id: str, day: str, entry_point: str = "E-B", regulator: str = "GMC") -> str:
        pathway_id = str(uuid.uuid4())
        self._append(pw.PathwayOpenedV1().dump({**self._envelope(pathway_id, pw.PATHWAY_OPENED_V1, day),
                                                "pathway_id": pathway_id, "client_id": client_id,
                                                "entry_point": entry_point, "regulator": regulator,
                                                "profession": None}))
        return pathway_id

    def milestone(self, pathway_id: str, milestone: str, day: str, **detail: Any) -> None:
        self._append(pw.MilestoneReachedV1().dump({**self._envelope(pathway_id, pw.MILESTONE_REACHED_V1, day),
                                                   "pathway_id": pathway_id, "milestone": milestone,
                                                   "detail": detail}))

    def page(self, after: int, upto: int | None, limit: int) -> dict:
        """``integration_events`` as the pathways service answers it over RPC."""
        head = self.next_id + 1
        stop = head if upto is None else min(upto, head)
        items = [{"notification_id": n, "body": b} for n, b in self.events if after < n <= stop][:limit]
        scanned = items[-1]["notification_id"] if len(items) == limit else stop
        return {"items": items, "scanned_to": scanned, "head": head}


class Harness:
    """One reporting application and ledger engine, consuming a PathwaysLog in order."""

    def __init__(self) -> None:
        # a file (WAL), not shared memory: a run of deliveries reads committed rows while its transaction writes,
        # which SQLite's shared-memory mode refuses (its readers wait for the writer)
        # in memory where the machine has a tmpfs (SQLite's commits would otherwise wait for the disk)
        self.directory = tempfile.TemporaryDirectory(prefix="reporting-harness-", dir=MEMORY_DIR)
        self.app = build_application(Reporting, {}, PERSISTENCE_MODULE="eventsourcing.sqlite",
                                     SQLITE_DBNAME=os.path.join(self.directory.name, f"reporting{next(_databases)}.db"))
        self.app.migrate()
        self.engine = LedgerEngine(self.app, KEY)

    def close(self) -> None:
        self.app.close()
        self.directory.cleanup()

    def register(self, document: dict[str, Any]) -> ContractLedger:
        contract = ContractLedger(contract_id=document["contract_id"], terms=document, occurred_at=at("2018-01-01"))
        self.app.save(contract)
        LEDGER_VIEWS.catch_up(self.app)
        return contract

    def deliver(self, log: PathwaysLog, notification_id: int, body: dict, previous_id: int) -> None:
        writes = pathways_writes(self.engine, Delivery("pathways", notification_id, previous_id, body))
        self.app.save_tracked("pathways", notification_id, *writes.aggregates, sql=writes.sql)

    def consume(self, log: PathwaysLog) -> None:
        previous = self.app.position("pathways")
        for notification_id, body in log.events:
            if notification_id > previous:
                self.deliver(log, notification_id, body, previous)
                previous = notification_id
        self.engine.catch_up(log.page, self.app.position("pathways"))
        LEDGER_VIEWS.catch_up(self.app)

    def participant(self, contract_id: str, client_id: str) -> ParticipantLedger | None:
        from reporting.outcomes.engine import participant_reference

        return self.engine.participant_by_ref(contract_id, participant_reference(KEY, contract_id, client_id))

    def ledger(self) -> dict[str, Any]:
        """Every outcome of every participant and every contract's allocation: the state reconciliation compares."""
        outcomes = {}
        for (ref,) in self.app.query("SELECT DISTINCT participant_ref FROM ledger_participants"):
            for (contract_id,) in self.app.query("SELECT contract_id FROM ledger_participants WHERE participant_ref"
                                                 " = %s", (ref,)):
                found = self.engine.participant_by_ref(contract_id, ref)
                outcomes[(contract_id, ref)] = found.outcomes if found else None
        contracts = {c: self.engine.contract(c).allocated for c in self.engine.contract_ids(fresh=True)}
        return {"outcomes": outcomes, "allocated": contracts}


def seeds_in_two_workers(module: str, seeds: int) -> list[dict]:
    """Runs ``python -m MODULE FIRST LAST`` over seeds 0..seeds-1 in two processes (one per core) and returns
    the JSON lists they print, joined: the failures or differences, each naming its seed."""
    import subprocess
    import sys

    root = os.path.join(os.path.dirname(__file__), "..", "..", "..")
    half = seeds // 2
    workers = [subprocess.Popen([sys.executable, "-m", module, str(a), str(b)], cwd=root, stdout=subprocess.PIPE,
                                env={**os.environ, "PYTHONWARNINGS": "ignore"}) for a, b in ((0, half), (half, seeds))]
    found: list[dict] = []
    try:
        for worker in workers:
            out, _ = worker.communicate(timeout=1800)
            assert worker.returncode == 0, f"a {module} worker crashed"
            found += json.loads(out)
    finally:  # a timed-out or interrupted test leaves no worker behind
        for worker in workers:
            worker.kill()
    return found
