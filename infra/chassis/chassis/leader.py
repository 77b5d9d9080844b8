"""One runner per service for the loops that follow its own notification log (the outbox relay, the log follower).

A ``LeaderLoop`` is a nameko DependencyProvider running one managed thread: while it holds its ``Lease`` (a
PostgreSQL session advisory lock on a connection of its own; always held on embedded SQLite, one process) it
calls ``turn()`` again and again, waits when a turn moved nothing, and is nudged awake by every save of the
service's store. A second instance of the service waits for the lease. ``RELAY=off`` makes an instance serve
requests only: none of its loops run (another instance, or a process of its own, runs them).
"""
from __future__ import annotations

import logging
import zlib

import eventlet
import psycopg
from eventlet.event import Event
from nameko.extensions import DependencyProvider

from chassis import config
from chassis.application import ServiceApplication
from chassis.providers import find_store

log = logging.getLogger(__name__)


class Lease:
    """Leadership of one loop per service across instances: a PostgreSQL session advisory lock on ``name``."""

    def __init__(self, app: ServiceApplication, name: str) -> None:
        self.app, self.key = app, zlib.crc32(name.encode())
        self.connection: psycopg.Connection | None = None

    def held(self) -> bool:
        if self.app.is_sqlite:
            return True  # embedded mode runs one process
        try:
            if self.connection is None or self.connection.closed:
                self.connection = None
                dbname = self.app.env.get("POSTGRES_DBNAME") or ""
                connection = psycopg.connect(config.postgres_conninfo(dbname), autocommit=True)
                row = connection.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
                if not (row and row[0]):
                    connection.close()
                    return False
                self.connection = connection
            self.connection.execute("SELECT 1")
            return True
        except psycopg.Error:
            self.release()
            return False

    def release(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except psycopg.Error:
                pass
        self.connection = None


def loops_enabled() -> bool:
    return (config.env("RELAY", "on") or "on").lower() not in ("off", "n", "no", "0")


class LeaderLoop(DependencyProvider):
    """Runs ``turn()`` while this instance holds the lease ``<job>:<service>``. Subclasses set ``job`` and
    ``batch_size``, and may override ``begin`` (resources for a running loop), ``end``, ``leading`` and
    ``failed`` (metrics)."""

    job = "loop"
    batch_size = 500
    idle_wait = 0.5
    #: Under load, a short pause after a partial turn gathers a larger next one (one read for many events).
    gather = 0.02

    def setup(self) -> None:
        self.store = find_store(self.container)
        self.service = self.container.service_name
        self.wakeup = Event()
        self.store.listeners.append(self.nudge)
        self.running, self.thread = False, None

    def start(self) -> None:
        self.lease = Lease(self.app, f"{self.job}:{self.service}")
        if not loops_enabled():
            return
        self.running = True
        self.begin()
        self.thread = self.container.spawn_managed_thread(self._run, identifier=self.job)

    def stop(self) -> None:
        self.running = False
        self.nudge()
        if self.thread is not None:
            self.thread.wait()
        self.end()
        self.lease.release()

    def kill(self) -> None:
        self.running = False
        if self.thread is not None:
            self.thread.kill()

    @property
    def app(self) -> ServiceApplication:
        assert self.store.app is not None
        return self.store.app

    def nudge(self) -> None:
        if not self.wakeup.ready():
            self.wakeup.send(True)

    def begin(self) -> None:
        """Called once before a running loop's first turn."""

    def end(self) -> None:
        """Called once when the container stops."""

    def leading(self, leader: bool) -> None:
        """Told before each turn whether this instance holds the lease."""

    def failed(self) -> None:
        """Told when a turn raised (it is retried with backoff)."""

    def turn(self) -> int:
        """One step of the loop; returns how many notifications it moved past."""
        raise NotImplementedError

    def _run(self) -> None:
        failures = 0
        while self.running:
            try:
                leader = self.lease.held()
                self.leading(leader)
                if not leader:
                    self._wait(2.0)
                    continue
                moved = self.turn()
                if moved == 0:
                    self._wait(self.idle_wait)
                elif moved < self.batch_size:
                    eventlet.sleep(self.gather)
                failures = 0
            except Exception:
                failures += 1
                self.failed()
                log.warning("%s of %s failed (attempt %d); retrying", self.job, self.service, failures, exc_info=True)
                self._wait(min(5.0, 0.2 * 2 ** min(failures, 5)))

    def _wait(self, seconds: float) -> None:
        with eventlet.Timeout(seconds, False):
            self.wakeup.wait()
        self.wakeup = Event()
