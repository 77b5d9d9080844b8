"""Creates each service's database and tables once, before the services start (runtime lab pitfall 7).

``python -m chassis.migrate package.module:AppClass ...``. Idempotent. With no PostgreSQL configured the
SQLite files are created on first use instead, so this is a no-op there.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence

import psycopg
from psycopg import sql

from chassis import config
from chassis.application import build_application
from chassis.serve import load


def ensure_database(dbname: str) -> bool:
    """Creates the database if missing; returns True when it created it."""
    with psycopg.connect(config.postgres_conninfo("postgres"), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if exists:
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
        return True


def migrate(paths: Sequence[str]) -> None:
    for path in paths:
        app_class = load(path)
        if config.uses_postgres():
            ensure_database(config.database_name(app_class.name))
        app = build_application(app_class, CREATE_TABLE="y")
        try:
            app.migrate()
        finally:
            app.close()


if __name__ == "__main__":
    migrate(sys.argv[1:])
