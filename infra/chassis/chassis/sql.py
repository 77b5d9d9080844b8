"""Plain SQL in a transaction of the event store, with ``%s`` placeholders on PostgreSQL and SQLite alike."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from psycopg.rows import tuple_row


class Sql:
    """A cursor that takes ``%s`` placeholders and gives tuple rows on both PostgreSQL and SQLite.

    ``cursor`` is the recorder's own cursor of the transaction (eventsourcing's recorders use it); statements
    run through a tuple-row cursor of the same connection, so two columns of the same name (``SUM(a), SUM(b)``)
    are never folded into one, as they would be in eventsourcing's dict rows."""

    def __init__(self, cursor: Any, sqlite: bool) -> None:
        self.cursor, self.sqlite = cursor, sqlite
        self._rows = cursor if sqlite else cursor.connection.cursor(row_factory=tuple_row)
        #: Run once the transaction has committed (``ServiceApplication.sql``): e.g. telling the log's followers
        #: about events appended inside it (``ServiceApplication.save_events``).
        self.committed: list[Callable[[], None]] = []

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Sql:
        if self.sqlite:
            statement = statement.replace("%s", "?")
        self._rows.execute(statement, tuple(params))
        return self

    def execute_all(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Runs writes in order; on PostgreSQL as one script in one round trip.

        Each statement's parameters are bound client-side by psycopg's own adapters (``ClientCursor.mogrify``)
        and the script is sent with the simple query protocol (several statements, no parameters). Under
        eventlet each statement sent on its own waits through the hub, which costs more than the statement."""
        if self.sqlite or len(statements) < 2:
            for statement, params in statements:
                self.execute(statement, params)
            return
        binder = psycopg.ClientCursor(self._rows.connection)
        self._rows.execute(";\n".join(binder.mogrify(statement, tuple(params)) for statement, params in statements))

    def fetchone(self) -> tuple | None:
        row = self._rows.fetchone()
        return None if row is None else tuple(row)

    def fetchall(self) -> list[tuple]:
        return [tuple(row) for row in self._rows.fetchall()]

    @property
    def rowcount(self) -> int:
        # eventsourcing's SQLite cursor wrapper hides rowcount; its sqlite3 cursor has it
        return int(getattr(self._rows, "sqlite_cursor", self._rows).rowcount)
