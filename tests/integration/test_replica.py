"""Reads that tolerate lag (chassis.replica): on the server ``POSTGRES_REPLICA_HOST`` names, and on the primary
while it cannot be reached. (tests/cluster shows them on a real standby, lagging when its replay is paused.)"""
from __future__ import annotations

from chassis.replica import Replica
from reporting.application import Reporting
from tests.support.fixtures import POSTGRES_HOST, free_port, scratch_store


class Primary:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def query(self, statement, params=()):
        self.asked.append(statement)
        return [("from the primary",)]


def test_reads_go_to_the_named_server(pg_env):
    app = scratch_store(pg_env, Reporting, "replicareads")
    try:
        dbname = pg_env["DB_PREFIX"] + "replicareads"  # scratch_store's database
        primary = Primary()
        replica = Replica(dbname, primary, {"POSTGRES_HOST": POSTGRES_HOST, "POSTGRES_REPLICA_HOST": POSTGRES_HOST,
                                            "POSTGRES_REPLICA_PORT": "5432"})
        try:
            assert replica.query("SELECT current_database(), %s", ("x",)) == [(dbname, "x")]
            assert primary.asked == []
        finally:
            replica.close()
    finally:
        app.close()


def test_while_the_standby_is_unreachable_the_primary_answers():
    primary = Primary()
    replica = Replica("useit_reporting", primary, {"POSTGRES_HOST": POSTGRES_HOST,
                                                   "POSTGRES_REPLICA_HOST": "127.0.0.1",
                                                   "POSTGRES_REPLICA_PORT": str(free_port())})  # nobody listens
    try:
        assert replica.query("SELECT 1") == [("from the primary",)]
        assert primary.asked == ["SELECT 1"]
    finally:
        replica.close()
