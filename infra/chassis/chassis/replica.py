"""Reads that tolerate lag, from a standby (docs/scaling.md): ``POSTGRES_REPLICA_HOST`` (and
``POSTGRES_REPLICA_PORT``) name a streaming standby of the service's primary; reads sent here (reporting's
``/reports/*``: "as of" figures) go to it, over a small pool of its own, and the primary keeps the writes and
every read that must see the latest commit (the relay, gap filling, rebuilds, a partner's own referrals, a
client's timeline). Without the setting, they are the service's ordinary reads.

A standby answers as of its last replayed commit: a report may lag the primary by that much (milliseconds when
the standby keeps up; ``pg_stat_replication.replay_lag`` says). It never serves the log (``integration_events``):
a lagging head would let a consumer filling a gap move past events it has not seen.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from chassis import config

log = logging.getLogger(__name__)


class Reads(Protocol):
    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple]: ...


class Replica:
    """``query`` on the standby, with the primary's database name (a physical replica has the same ones); while
    the standby cannot be reached, on the primary (``fallback``): a report is late, never refused, for it."""

    def __init__(self, dbname: str, fallback: Reads, source: Mapping[str, str] | None = None) -> None:
        from psycopg.conninfo import make_conninfo
        from psycopg_pool import ConnectionPool

        conninfo = make_conninfo(
            config.postgres_conninfo(dbname, source), host=config.env("POSTGRES_REPLICA_HOST", None, source),
            port=config.env("POSTGRES_REPLICA_PORT", "5432", source),
            target_session_attrs="any")  # a standby is read-only: PGTARGETSESSIONATTRS=read-write would refuse it
        self.pool = ConnectionPool(conninfo, min_size=1, max_size=int(config.env("POSTGRES_REPLICA_POOL", "4",
                                                                                 source) or 4),
                                   kwargs={"autocommit": True}, open=False, name=f"replica:{dbname}",
                                   timeout=2.0)
        self.pool.open(wait=False)
        self.fallback = fallback

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
        import psycopg

        try:
            with self.pool.connection() as connection:
                return connection.execute(statement, tuple(params)).fetchall()
        except psycopg.OperationalError as error:  # the standby is down or unreachable (PoolTimeout included)
            log.warning("standby unreachable: read from the primary", extra={"error": str(error)[:200]})
            return self.fallback.query(statement, params)

    def close(self) -> None:
        self.pool.close()


def configured(source: Mapping[str, str] | None = None) -> bool:
    return config.uses_postgres(source) and config.env("POSTGRES_REPLICA_HOST", None, source) is not None
