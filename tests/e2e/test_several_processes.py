"""Two processes of one service on one port (SO_REUSEPORT, as docs/scaling.md runs them): both answer, one relay
and one log follower run between them, and steps posted through the shared port are stored, published and
applied once each."""
from __future__ import annotations

import signal
import subprocess
import sys
import uuid
import zlib

import psycopg
import requests

from chassis import config
from tests.support.journeys import accepted_client, step
from tests.support.waiting import get, metric, wait_for


def leader_seen(port: int) -> float:
    """``useit_relay_leader`` of whichever process the kernel hands this new connection to."""
    text = requests.get(f"http://127.0.0.1:{port}/metrics", headers={"Connection": "close"}, timeout=5).text
    return metric(text, "useit_relay_leader")


def holders(database: str, lease: str) -> int:
    """How many sessions hold the advisory lock of a lease (``chassis.leader.Lease``)."""
    key = zlib.crc32(lease.encode())
    with psycopg.connect(config.postgres_conninfo(database), autocommit=True) as connection:
        row = connection.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                                 " AND classid = 0 AND objid = %s AND database ="
                                 " (SELECT oid FROM pg_database WHERE datname = current_database())",
                                 (key,)).fetchone()
    return int(row[0]) if row else 0


def test_two_processes_share_a_port_one_relay_leads_and_every_step_is_applied_once(platform, credentials, caseworker,
                                                                                  tmp_path):
    port = platform.ports["pathways"]
    log = open(tmp_path / "second-pathways.log", "w")
    second = subprocess.Popen([sys.executable, "-m", "chassis.serve", "pathways.service:PathwaysService"],
                              env=platform.env, stdout=log, stderr=subprocess.STDOUT)
    try:
        # both processes answer on the one port (the kernel spreads new connections), and only one leads
        wait_for(lambda: {leader_seen(port) for _ in range(30)}, lambda seen: seen == {0.0, 1.0},
                 what="both processes to answer on the shared port, one of them the relay leader")
        database = config.database_name("pathways", platform.env)
        assert (holders(database, "relay:pathways"), holders(database, "follower:pathways")) == (1, 1)

        client = accepted_client(platform, credentials, caseworker, trust="swbh-trust")
        trust = credentials("swbh-trust", "trust")
        courses = [f"c-{uuid.uuid4().hex[:12]}" for _ in range(20)]
        for course in courses:  # each on a new connection: both processes take some
            step(platform, trust, client, "GMC", "course_started", {"course_ref": course, "kind": "esol"})
        auditor = credentials("audit-office", "auditor")

        def started() -> list[str]:
            history = get(platform.url("reporting", f"/audit/clients/{client}/history"), auditor).json()["events"]
            return [e for e in history if e["event_type"] == "milestone_reached_v1"
                    and e.get("milestone") == "training_started"]

        wait_for(started, lambda found: len(found) >= len(courses), what="reporting to apply every step")
        assert len(started()) == len(courses)  # once each, whichever process stored and relayed it
        chain = get(f"http://127.0.0.1:{port}/audit/chain", auditor).json()
        assert chain["findings"] == [], chain
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
        log.close()
