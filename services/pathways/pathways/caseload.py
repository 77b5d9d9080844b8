"""Each caseworker's caseload: which open pathways they are assigned to (a read model of our own events).

Due items themselves are computed from each pathway when asked (they depend on today's date and the rules in
force today); this index only finds the pathways.
"""
from __future__ import annotations

from typing import Any

from chassis.application import ServiceApplication
from chassis.projection import LocalProjection
from chassis.sql import Sql
from pathways.domain.pathway import Pathway

TABLES = (
    "CREATE TABLE IF NOT EXISTS pathway_caseload ("
    " pathway_id TEXT PRIMARY KEY, client_id TEXT NOT NULL, regulator TEXT NOT NULL, caseworker_id TEXT,"
    " status TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS pathway_caseload_by_caseworker ON pathway_caseload (caseworker_id, status)",
)


def apply(sql: Sql, domain_event: Any, notification_id: int) -> None:
    pathway_id = str(domain_event.originator_id)
    if isinstance(domain_event, Pathway.Opened):
        sql.execute("INSERT INTO pathway_caseload (pathway_id, client_id, regulator, status)"
                    " VALUES (%s, %s, %s, 'open') ON CONFLICT (pathway_id) DO NOTHING",
                    (pathway_id, str(domain_event.client_id), domain_event.regulator))
    elif isinstance(domain_event, Pathway.CaseworkerAssigned):
        sql.execute("UPDATE pathway_caseload SET caseworker_id = %s WHERE pathway_id = %s",
                    (domain_event.caseworker_id, pathway_id))
    elif isinstance(domain_event, Pathway.Closed):
        sql.execute("UPDATE pathway_caseload SET status = 'closed' WHERE pathway_id = %s", (pathway_id,))


CASELOAD = LocalProjection("pathways:caseload", (Pathway.Opened, Pathway.CaseworkerAssigned, Pathway.Closed),
                           apply, tables=("pathway_caseload",))


def open_pathways_of(app: ServiceApplication, caseworker_id: str) -> list[str]:
    rows = app.query("SELECT pathway_id FROM pathway_caseload WHERE caseworker_id = %s AND status = 'open'"
                     " ORDER BY pathway_id", (caseworker_id,))
    return [row[0] for row in rows]
