"""Many read-model writes sent in one round trip: reporting's handlers' writes held and sent together."""
from __future__ import annotations

import re
from typing import Any

_WRITE = re.compile(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)", re.IGNORECASE)
_READ = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)", re.IGNORECASE)


class GroupedWrites:
    """A ``Sql`` for a page of a rebuild: holds the handlers' writes and sends them together, in one round trip
    (``Sql.execute_all``) when a read needs them or the page ends.

    Why: under eventlet every statement sent on its own waits through the hub (green ``select``), and that wait,
    not PostgreSQL, was most of a rebuild's time (psycopg's pipeline mode and ``executemany`` still wait once per
    statement). Why it changes nothing: the handlers' writes each touch one table and read no other, so writes
    to different tables commute, and writes to one table keep their order; a read first sends the held writes of
    the tables it reads, and any other statement (or a write with a sub-select) first sends everything held.
    ``flush`` before the transaction's end."""

    def __init__(self, sql: Any) -> None:
        self.sql = sql
        self.held: dict[str, list[tuple[str, tuple]]] = {}

    def execute(self, statement: str, params: Any = ()) -> GroupedWrites:
        write = _WRITE.match(statement)
        if write is not None and "SELECT" not in statement.upper():
            self.held.setdefault(write.group(1).lower(), []).append((statement, tuple(params)))
            return self
        if write is None and statement.lstrip().upper().startswith("SELECT"):
            self.flush({table.lower() for table in _READ.findall(statement)})
        else:
            self.flush()
        self.sql.execute(statement, params)
        return self

    def flush(self, tables: set[str] | None = None) -> None:
        due = [statement for table in [t for t in self.held if tables is None or t in tables]
               for statement in self.held.pop(table)]
        if due:
            self.sql.execute_all(due)

    def fetchone(self) -> tuple | None:
        return self.sql.fetchone()

    def fetchall(self) -> list[tuple]:
        return self.sql.fetchall()
