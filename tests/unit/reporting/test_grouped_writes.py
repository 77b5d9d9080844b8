"""A rebuild page's writes, held and sent grouped, leave the same rows as sent one by one."""
from __future__ import annotations

import sqlite3

from chassis.sql import Sql
from reporting.readmodels.grouped import GroupedWrites

SCHEMA = ("CREATE TABLE a (k INTEGER PRIMARY KEY, v TEXT)", "CREATE TABLE b (k INTEGER PRIMARY KEY, v TEXT)")
UPSERT_A = "INSERT INTO a (k, v) VALUES (%s, %s) ON CONFLICT (k) DO UPDATE SET v = a.v || EXCLUDED.v"
INSERT_B = "INSERT INTO b (k, v) VALUES (%s, %s) ON CONFLICT (k) DO NOTHING"
UPDATE_A = "UPDATE a SET v = v || '!' WHERE k = %s"


class Counting(Sql):
    def __init__(self, cursor) -> None:
        super().__init__(cursor, sqlite=True)
        self.sent = 0

    def execute(self, statement, params=()):
        self.sent += 1
        return super().execute(statement, params)

    def execute_all(self, statements):
        self.sent += 1  # one round trip on PostgreSQL (statement by statement here, on SQLite)
        for statement, params in statements:
            super().execute(statement, params)


def handlers(sql) -> list:
    """Interleaved writes to two tables, order-dependent within each, and reads in between."""
    seen = []
    for k in range(20):
        sql.execute(UPSERT_A, (k % 5, f"{k}"))
        sql.execute(INSERT_B, (k, f"b{k}"))
        if k % 4 == 3:
            sql.execute(UPDATE_A, (k % 5,))
        if k % 7 == 6:
            seen.append(sql.execute("SELECT v FROM a WHERE k = %s", (k % 5,)).fetchone())
            seen.append(sql.execute("SELECT COUNT(*) FROM b").fetchone())
    return seen


def run(grouped: bool) -> tuple[list, list, list, int]:
    connection = sqlite3.connect(":memory:")
    for statement in SCHEMA:
        connection.execute(statement)
    sql = Counting(connection.cursor())
    writer = GroupedWrites(sql) if grouped else sql
    seen = handlers(writer)
    if grouped:
        writer.flush()
    rows = [connection.execute(f"SELECT * FROM {t} ORDER BY k").fetchall() for t in ("a", "b")]
    return seen, rows[0], rows[1], sql.sent


def test_grouped_writes_leave_the_same_rows_and_reads_see_every_earlier_write():
    seen, a, b, sent_one_by_one = run(grouped=False)
    grouped_seen, grouped_a, grouped_b, sent_grouped = run(grouped=True)
    assert (grouped_seen, grouped_a, grouped_b) == (seen, a, b)
    assert len(b) == 20 and a[0][1] == "051015!"  # order within a table kept
    assert sent_grouped < sent_one_by_one / 4
