"""psycopg waits cooperatively under eventlet: two workers' slow queries overlap instead of queuing."""
from __future__ import annotations

import eventlet
import psycopg
import requests
from nameko.containers import ServiceContainer

from chassis import config
from chassis.application import ServiceApplication
from chassis.http import Call, route
from chassis.providers import Store
from tests.support.fixtures import free_port


class SleepyApp(ServiceApplication):
    name = "sleepy"


class SleepyService:
    name = "sleepy"
    store = Store(SleepyApp)

    @route("GET", "/sleep")
    def sleep(self, call: Call) -> dict:
        with self.store.sql() as sql:
            started = sql.execute("SELECT extract(epoch FROM clock_timestamp())").fetchone()[0]
            sql.execute("SELECT pg_sleep(1)")
            ended = sql.execute("SELECT extract(epoch FROM clock_timestamp())").fetchone()[0]
        return {"started": float(started), "ended": float(ended)}


def test_two_workers_slow_queries_overlap_in_time(pg_env, monkeypatch):
    from chassis.migrate import ensure_database

    assert psycopg.waiting.wait.__name__ == "wait_select"
    for name, value in pg_env.items():
        monkeypatch.setenv(name, value)
    ensure_database(config.database_name("sleepy"))
    port = free_port()
    container = ServiceContainer(SleepyService, {"AMQP_URI": config.MEMORY_URI, "max_workers": 4,
                                                 "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"})
    container.start()
    try:
        pool = eventlet.GreenPool()
        threads = [pool.spawn(requests.get, f"http://127.0.0.1:{port}/sleep", timeout=10) for _ in range(2)]
        first, second = (thread.wait().json() for thread in threads)
    finally:
        container.stop()
    assert first["started"] < second["ended"] and second["started"] < first["ended"], (first, second)
