"""Refuses to run on a PostgreSQL primary that streams to an asynchronous standby (docs/scaling.md).

Consumers trust an upstream's notification ids: an id they processed is never processed again. A promoted
asynchronous standby can lack the last events its primary committed *and the relay published*; its next events
then take those ids again, and every consumer drops them as already done. A synchronous standby
(``synchronous_standby_names``, ``synchronous_commit = on``) has every committed event before the commit
returns, so a promotion reuses nothing. ``POSTGRES_ASYNC_STANDBY=accept`` runs anyway (an operator who never
promotes that standby, e.g. a reporting replica); tests/cluster/test_cluster.py shows both the refusal and what
it prevents. The service's database user must see the standbys' states: a superuser, or a member of
``pg_monitor`` (to others PostgreSQL shows ``sync_state`` as null, and nothing is refused).
"""
from __future__ import annotations

from collections.abc import Mapping

import psycopg

from chassis import config


def asynchronous_standbys(conninfo: str) -> list[str]:
    """The standbys streaming from this server asynchronously ("potential" ones included: until they are the
    synchronous one, a commit does not wait for them)."""
    with psycopg.connect(conninfo, autocommit=True) as connection:
        rows = connection.execute("SELECT application_name, sync_state FROM pg_stat_replication"
                                  " WHERE sync_state IN ('async', 'potential')").fetchall()
    return [f"{name} ({state})" for name, state in rows]


def problem(source: Mapping[str, str] | None = None) -> str | None:
    """Why this service must not start on its database's server, or None."""
    if not config.uses_postgres(source) or (config.env("POSTGRES_ASYNC_STANDBY", "", source) or "") == "accept":
        return None
    found = asynchronous_standbys(config.postgres_conninfo("postgres", source))
    if not found:
        return None
    return (f"PostgreSQL streams to an asynchronous standby: {', '.join(found)}. Promoting it could lose events"
            " already published and reuse their notification ids; make it synchronous (synchronous_standby_names"
            " and synchronous_commit = on), or set POSTGRES_ASYNC_STANDBY=accept if it is never promoted"
            " (docs/scaling.md)")
