"""Before starting: can the configured RabbitMQ and PostgreSQL be reached? Say which and how to start it."""
from __future__ import annotations

import os
from collections.abc import Mapping

import psycopg
from kombu import Connection

from chassis import config

HOW_TO_START = {
    "rabbitmq": "start it with `rabbitmq-server -detached` (Debian package rabbitmq-server) "
                "or `docker compose up -d rabbitmq`",
    "postgres": "start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` "
                "or `docker compose up -d postgres`",
}


def problems(env: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if env is None else env
    found = []
    uri = config.amqp_uri(env)
    if not config.embedded(env):
        try:
            with Connection(uri, connect_timeout=3) as connection:
                connection.ensure_connection(max_retries=1)
        except Exception as error:
            found.append(f"RabbitMQ at {_redact(uri)} cannot be reached ({type(error).__name__}): "
                         + HOW_TO_START["rabbitmq"])
    if config.uses_postgres(env):
        try:
            with psycopg.connect(config.postgres_conninfo("postgres", env)) as connection:
                connection.execute("SELECT 1")
        except psycopg.Error as error:
            host = f"{config.env('POSTGRES_HOST', source=env)}:{config.env('POSTGRES_PORT', '5432', env)}"
            found.append(f"PostgreSQL at {host} cannot be reached ({type(error).__name__}): "
                         f"" + HOW_TO_START["postgres"])
    if not config.embedded(env) and not config.env("MASTER_KEY", None, env):
        found.append("MASTER_KEY is not set: personal data is encrypted under it. Make one with "
                     "`python3 -c 'import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())'` "
                     "and keep it safe (losing it makes every stored personal detail unreadable)")
    if not config.embedded(env) and not config.env("AUDIT_SIGNING_KEY", None, env):
        found.append("AUDIT_SIGNING_KEY is not set: audit checkpoints are signed with it. Make one the same way "
                     "as MASTER_KEY; give auditors the public key from `python -m chassis.audit public-key`")
    return found


def _redact(uri: str) -> str:
    if "@" in uri:
        scheme, rest = uri.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return uri
