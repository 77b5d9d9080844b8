"""Session fixtures over the real RabbitMQ and PostgreSQL on this machine.

Each test session gets its own RabbitMQ vhost and its own databases (prefix ``t<random>_``), so runs never
see each other's messages or rows, and both are removed at the end.
"""
from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
import requests

from chassis import config
from launcher.processes import RunningPlatform, platform_env
from launcher.run import migrate
from launcher.services import SERVICES

AMQP_BASE = os.environ.get("TEST_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672")
RABBIT_API = os.environ.get("RABBIT_API_URI", "http://guest:guest@127.0.0.1:15672")
POSTGRES_HOST = os.environ.get("TEST_POSTGRES_HOST", "127.0.0.1")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _api(method: str, path: str, **kwargs: object) -> requests.Response:
    base, credentials = RABBIT_API.split("@")[-1], RABBIT_API.split("//")[1].split("@")[0].split(":")
    response = requests.request(method, f"http://{base}/api{path}", auth=tuple(credentials), timeout=10, **kwargs)
    response.raise_for_status()
    return response


@pytest.fixture(scope="session")
def amqp_uri() -> Iterator[str]:
    """A fresh vhost on the real RabbitMQ (management API), deleted afterwards."""
    vhost = f"test_{uuid.uuid4().hex[:10]}"
    _api("PUT", f"/vhosts/{vhost}")
    _api("PUT", f"/permissions/{vhost}/guest", json={"configure": ".*", "write": ".*", "read": ".*"})
    yield f"{AMQP_BASE}/{quote(vhost)}"
    _api("DELETE", f"/vhosts/{vhost}")


@pytest.fixture(scope="session")
def db_prefix() -> Iterator[str]:
    """A prefix for this session's databases on the real PostgreSQL; they are dropped afterwards."""
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    yield prefix
    with psycopg.connect(config.postgres_conninfo("postgres", {"POSTGRES_HOST": POSTGRES_HOST}),
                         autocommit=True) as connection:
        names = [row[0] for row in connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (prefix + "%",))]
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def production_env(amqp_uri: str, db_prefix: str) -> dict[str, str]:
    from chassis.vault import new_master_key

    return {**os.environ, "AMQP_URI": amqp_uri, "POSTGRES_HOST": POSTGRES_HOST, "DB_PREFIX": db_prefix,
            "PSYCOPG_WAIT_FUNC": "wait_select", "MASTER_KEY": new_master_key(),
            "AUDIT_SIGNING_KEY": new_master_key()}


@pytest.fixture(scope="session")
def platform(production_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    """The four services, each its own process, on the real RabbitMQ and PostgreSQL."""
    ports = {spec.name: free_port() for spec in SERVICES}
    env = platform_env(production_env, ports)
    migrate(env)
    running = RunningPlatform(env=env, ports=ports, embedded=False,
                              log_dir=str(tmp_path_factory.mktemp("service-logs")))
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def pg_env(db_prefix: str) -> dict[str, str]:
    """Environment for Applications built in the test process against this session's databases."""
    return {"POSTGRES_HOST": POSTGRES_HOST, "DB_PREFIX": db_prefix, "CREATE_TABLE": "y"}


def scratch_store(pg_env: dict[str, str], app_class: Any, name: str) -> Any:
    """A migrated application of ``app_class`` over a database of its own (``<prefix><name>``): not a platform's
    store, for integration tests that drive the chassis in-process."""
    from chassis.application import build_application
    from chassis.migrate import ensure_database

    env = {**pg_env, f"{app_class.name.upper()}_POSTGRES_DBNAME": pg_env["DB_PREFIX"] + name}
    ensure_database(config.database_name(app_class.name, env))
    application = build_application(app_class, env)
    application.migrate()
    return application


class Credentials:
    """Issues (and caches) API credentials in every service database of a platform, as the admin command does."""

    def __init__(self, source: dict[str, str], platform: RunningPlatform | None = None) -> None:
        self.source, self.cache, self.platform = source, {}, platform

    def __call__(self, organisation: str, *roles: str) -> str:
        from launcher.credentials import issue

        wanted = (organisation, tuple(sorted(roles)))
        if wanted not in self.cache:
            self.cache[wanted] = issue(organisation, roles, self.source).credential
            if "referrer" in roles and self.platform is not None:
                register_partner(self.platform, self("learning-works", "caseworker"), organisation)
        return self.cache[wanted]


@pytest.fixture(scope="session")
def credentials(platform: RunningPlatform) -> Credentials:
    return Credentials(platform.env, platform)


def register_partner(platform: RunningPlatform, caseworker: str, partner_id: str, kind: str = "work_club") -> None:
    """Onboards a referral partner as the hub does (its credentials are issued separately)."""
    response = requests.post(platform.url("referrals", "/partners"), timeout=10,
                             json={"partner_id": partner_id, "name": partner_id.replace("-", " ").title(),
                                   "kind": kind, "occurred_at": "2018-01-01T00:00:00+00:00"},
                             headers={"Authorization": f"Bearer {caseworker}",
                                      "Idempotency-Key": f"partner-{partner_id}"})
    assert response.status_code in (201, 409), response.text


@pytest.fixture(scope="session")
def caseworker(credentials: Credentials) -> str:
    return credentials("learning-works", "caseworker")


@pytest.fixture(scope="session")
def registered_contracts(platform: RunningPlatform, credentials: Credentials) -> tuple[str, str]:
    """The two shipped outcomes contracts, registered in reporting (tests/support/ledger.py)."""
    from tests.support.ledger import BOND, IF, register_shipped_contracts

    register_shipped_contracts(platform, credentials("programme-office", "admin"))
    return BOND, IF
