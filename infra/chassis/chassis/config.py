"""Configuration read from the environment, by small functions called at setup time (never at import)."""
from __future__ import annotations

import os
from collections.abc import Mapping

MEMORY_URI = "useit-memory://localhost/"


def env(name: str, default: str | None = None, source: Mapping[str, str] | None = None) -> str | None:
    source = os.environ if source is None else source
    value = source.get(name)
    return value if value not in (None, "") else default


def amqp_uri(source: Mapping[str, str] | None = None) -> str:
    """The broker: ``AMQP_URI`` when set, else the embedded in-memory transport."""
    return env("AMQP_URI", MEMORY_URI, source) or MEMORY_URI


def embedded(source: Mapping[str, str] | None = None) -> bool:
    return amqp_uri(source).startswith(MEMORY_URI.split(":")[0])


def uses_postgres(source: Mapping[str, str] | None = None) -> bool:
    return env("POSTGRES_HOST", None, source) is not None


def data_dir(source: Mapping[str, str] | None = None) -> str:
    return env("DATA_DIR", os.path.join(os.getcwd(), "var"), source) or "var"


def database_name(service: str, source: Mapping[str, str] | None = None) -> str:
    """One database per service: ``<SERVICE>_POSTGRES_DBNAME``, else ``<DB_PREFIX><service>``."""
    explicit = env(f"{service.upper()}_POSTGRES_DBNAME", None, source)
    return explicit or f"{env('DB_PREFIX', 'useit_', source)}{service}"


def postgres_conninfo(dbname: str, source: Mapping[str, str] | None = None) -> str:
    # make_conninfo quotes values: a bare "password= dbname=x" would make libpq read the password as
    # "dbname=x" and connect to the user's default database instead.
    from psycopg.conninfo import make_conninfo

    # several hosts (a primary and its standby: docs/scaling.md) are tried in order; libpq's own
    # PGTARGETSESSIONATTRS=read-write, in the services' environment, keeps a connection off a standby
    attrs = env("PGTARGETSESSIONATTRS", None, source)
    return make_conninfo(
        host=env("POSTGRES_HOST", "127.0.0.1", source), port=env("POSTGRES_PORT", "5432", source),
        user=env("POSTGRES_USER", "postgres", source), password=env("POSTGRES_PASSWORD", "", source),
        dbname=dbname, connect_timeout=5, **({"target_session_attrs": attrs} if attrs else {}),
    )


def eventsourcing_env(service: str, source: Mapping[str, str] | None = None) -> dict[str, str]:
    """The eventsourcing settings of one service: PostgreSQL when configured, else SQLite under DATA_DIR."""
    if uses_postgres(source):
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": database_name(service, source),
            "POSTGRES_HOST": env("POSTGRES_HOST", "127.0.0.1", source) or "127.0.0.1",
            "POSTGRES_PORT": env("POSTGRES_PORT", "5432", source) or "5432",
            "POSTGRES_USER": env("POSTGRES_USER", "postgres", source) or "postgres",
            "POSTGRES_PASSWORD": env("POSTGRES_PASSWORD", "", source) or "",
            "POSTGRES_SCHEMA": env("POSTGRES_SCHEMA", "public", source) or "public",
            # eventsourcing's DB-function append takes no table lock (ids can commit out of order): the
            # chassis recorder appends through its own locked function instead (chassis.recorders).
            "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
            "POSTGRES_POOL_SIZE": env("POSTGRES_POOL_SIZE", "10", source) or "10",
            "POSTGRES_MAX_OVERFLOW": env("POSTGRES_MAX_OVERFLOW", "20", source) or "20",
            "POSTGRES_CONNECT_TIMEOUT": env("POSTGRES_CONNECT_TIMEOUT", "10", source) or "10",
            # Tables are made once by `chassis.migrate` before services start (lab pitfall 7).
            "CREATE_TABLE": env("CREATE_TABLE", "n", source) or "n",
            "PROCESS_RECORDER_TOPIC": "chassis.recorders:TrackingPostgresProcessRecorder",
            # Recently used aggregates stay in memory and are fast-forwarded from the store on each get, so a
            # step on a long history reads only the events after the cached version (never stale: it reads).
            "AGGREGATE_CACHE_MAXSIZE": env("AGGREGATE_CACHE_MAXSIZE", "10000", source) or "10000",
        }
    path = os.path.join(data_dir(source), f"{service}.sqlite")
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": path,
        "SQLITE_LOCK_TIMEOUT": "10",
        "CREATE_TABLE": "y",
        "PROCESS_RECORDER_TOPIC": "chassis.recorders:TrackingSQLiteProcessRecorder",
        "AGGREGATE_CACHE_MAXSIZE": env("AGGREGATE_CACHE_MAXSIZE", "10000", source) or "10000",
    }


def embedded_secret(filename: str, source: Mapping[str, str] | None = None) -> str:
    """A random 32-byte secret kept under DATA_DIR, for the embedded mode only (production sets it in env)."""
    import base64
    import secrets

    path = os.path.join(data_dir(source), filename)
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    with open(path) as handle:
        return handle.read().strip()


def inbox_prefetch(source: Mapping[str, str] | None = None) -> int:
    """Messages in flight on a service's upstream queues (chassis.consumers): held by the entrypoint while a
    worker applies the ones before them, and handed to the inbox together (its runs)."""
    return max(1, int(env("INBOX_PREFETCH", "400", source) or "400"))


def catch_up_quiet(source: Mapping[str, str] | None = None) -> float:
    """Seconds without a delivery of an upstream before a timer's catch-up pulls its log (chassis.inbox)."""
    return float(env("INBOX_CATCH_UP_QUIET", "5", source) or "5")


def max_workers(source: Mapping[str, str] | None = None) -> int:
    return int(env("MAX_WORKERS", "20", source) or "20")
