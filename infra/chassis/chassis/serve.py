"""Runs service classes in this process: ``python -m chassis.serve package.module:ServiceClass ...``.

Each class gets its own nameko runner and config (its own HTTP port), so the embedded mode can run all
four services in one process while production runs one per process. Stops cleanly on SIGINT/SIGTERM.
"""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import importlib
import logging
import signal
import sys
import time
from collections.abc import Sequence
from typing import Any

from nameko.runners import ServiceRunner

from chassis import config, transport  # noqa: F401  (registers the embedded transport)
from chassis.logs import configure_logging

log = logging.getLogger("chassis.serve")


def load(path: str) -> Any:
    module_name, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def container_config(service_cls: Any) -> dict[str, Any]:
    port_env = f"{service_cls.name.upper()}_HTTP_PORT"
    port = config.env(port_env, None) or config.env("HTTP_PORT", None) or str(service_cls.http_port)
    return {
        "AMQP_URI": config.amqp_uri(),
        "WEB_SERVER_ADDRESS": f"{config.env('HTTP_HOST', '127.0.0.1')}:{port}",
        "max_workers": config.max_workers(),
        "parent_calls_tracked": 5,
        "serializer": "json",
        "HEARTBEAT": 30,
    }


def _replication_problem() -> str | None:
    import psycopg

    from chassis import replication

    try:
        return replication.problem()
    except psycopg.OperationalError as error:  # the database is down: the service waits for it as always
        log.warning("replication not checked", extra={"error": str(error).splitlines()[0][:200]})
        return None


def start(paths: Sequence[str]) -> list[ServiceRunner]:
    runners = []
    for path in paths:
        service_cls = load(path)
        runner = ServiceRunner(container_config(service_cls))
        runner.add_service(service_cls)
        runner.start()
        runners.append(runner)
        log.info("started", extra={"service": service_cls.name,
                                   "address": container_config(service_cls)["WEB_SERVER_ADDRESS"]})
    return runners


def main(argv: Sequence[str]) -> int:
    configure_logging()
    refused = _replication_problem()
    if refused:
        log.error("refusing to start", extra={"why": refused})
        return 2
    runners = start(argv)
    stopping = eventlet.event.Event()

    def on_signal(signum: int, frame: Any) -> None:
        if not stopping.ready():
            stopping.send(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    for runner in runners:
        for container in runner.containers:
            eventlet.spawn(_exit_when_dead, container, stopping)
    reason = stopping.wait()
    # All at once (each container takes about 2 s to drain); a consumer's RPC to an upstream that stopped
    # first gives up after RPC_TIMEOUT and its message goes back to the queue.
    started = time.monotonic()
    pool = eventlet.GreenPool()
    for runner in runners:
        pool.spawn(runner.stop)
    pool.waitall()
    log.info("stopped", extra={"seconds": round(time.monotonic() - started, 2)})
    return 1 if reason == "died" else 0


def _exit_when_dead(container: Any, stopping: Any) -> None:
    """A container that nameko killed (an error escaped one of its threads) consumes and answers nothing: the
    process exits (status 1) so that its supervisor starts it again, instead of lingering half-alive."""
    try:
        container.wait()
    except BaseException:  # noqa: BLE001  (whatever killed it)
        log.critical("the %s container died; exiting so that the process is restarted", container.service_name)
        if not stopping.ready():
            stopping.send("died")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
