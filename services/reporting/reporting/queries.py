"""Read-model queries."""
from __future__ import annotations

from typing import Any

from chassis.store import ServiceApplication


def referrals_by_partner(app: ServiceApplication) -> list[dict[str, Any]]:
    with app.sql() as sql:
        rows = sql.execute("SELECT partner_id, referred, accepted FROM report_referrals_by_partner"
                           " ORDER BY partner_id").fetchall()
    return [{"partner_id": r[0], "referred": int(r[1]), "accepted": int(r[2])} for r in rows]


def pathways_by_entry_point(app: ServiceApplication) -> list[dict[str, Any]]:
    with app.sql() as sql:
        rows = sql.execute("SELECT entry_point, opened FROM report_pathways_by_entry_point"
                           " ORDER BY entry_point").fetchall()
    return [{"entry_point": r[0], "opened": int(r[1])} for r in rows]


def overdue_referrals(app: ServiceApplication, today: str) -> list[dict[str, Any]]:
    """Referrals nobody has tried to contact by their due date (a closed loop for referral partners)."""
    with app.sql() as sql:
        rows = sql.execute("SELECT referral_id, partner_id, received_on, first_contact_due FROM report_referrals"
                           " WHERE first_contact_on IS NULL AND status = 'received' AND first_contact_due < %s"
                           " ORDER BY first_contact_due, referral_id", (today,)).fetchall()
    return [{"referral_id": r[0], "partner_id": r[1], "received_on": r[2], "first_contact_due": r[3]} for r in rows]


def referrals_of_partner(app: ServiceApplication, partner_id: str) -> list[dict[str, Any]]:
    with app.sql() as sql:
        rows = sql.execute("SELECT referral_id, status, received_on, first_contact_due, first_contact_on,"
                           " contact_attempts FROM report_referrals WHERE partner_id = %s"
                           " ORDER BY received_on, referral_id", (partner_id,)).fetchall()
    return [dict(zip(("referral_id", "status", "received_on", "first_contact_due", "first_contact_on",
                      "contact_attempts"), row)) for row in rows]


def pathway_funnel(app: ServiceApplication) -> dict[str, int]:
    """How many pathways have reached each milestone at least once."""
    rows = app.query("SELECT milestone, COUNT(*) FROM report_milestones GROUP BY milestone ORDER BY milestone")
    return {milestone: int(count) for milestone, count in rows}


def clients_erased(app: ServiceApplication) -> int:
    with app.sql() as sql:
        return int(sql.execute("SELECT COUNT(*) FROM report_erasures").fetchone()[0])


def enterprises_by_legal_form(app: ServiceApplication) -> list[dict[str, Any]]:
    with app.sql() as sql:
        rows = sql.execute("SELECT legal_form, registered FROM report_enterprises_by_legal_form"
                           " ORDER BY legal_form").fetchall()
    return [{"legal_form": r[0], "registered": int(r[1])} for r in rows]
