"""A finance partner's pages: the contracts it is party to, a statement for a period as known at any time, the
difference between two statements claim by claim, and the API's own CSV. Participants are pseudonymous: the
ledger holds no personal data, and these pages call nothing else."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Response

from console import translation
from console.pages.common import moment_query, now_fields
from console.web import View, Visit, page

READERS = ("finance", "auditor", "admin")


def _terms_and_period(visit: Visit) -> tuple[str, dict[str, Any], dict[str, str]]:
    """The contract asked for, its terms (a 404 page when the caller is no party to it) and the period asked for,
    by default the contract's service start to its claim deadline."""
    contract_id = visit.path["contract_id"]
    terms = visit.api.get("reporting", f"/outcomes-contracts/{contract_id}")
    return contract_id, terms, {"from": visit.query.get("from") or terms["service_start"],
                                "to": visit.query.get("to") or terms.get("claim_deadline") or terms["service_end"]}


class FinancePages:
    @page("GET", "/contracts", roles=READERS, title="Outcomes contracts")
    def contracts(self, visit: Visit) -> View:
        return View("contracts.html", {"contracts": visit.api.get("reporting", "/outcomes-contracts")["contracts"]})

    @page("GET", "/contracts/<contract_id>", roles=READERS, title="Statement")
    def statement(self, visit: Visit) -> View:
        contract_id, terms, period = _terms_and_period(visit)
        known_at, error = moment_query(visit.query, "known_at")
        query = {**period, "as_known_at": known_at}
        statement = visit.api.get("reporting", f"/ledger/contracts/{contract_id}/statement", **query)
        as_known = statement["as_known_at"]
        as_seen = urlencode({**period, "as_known_at": as_known})  # the downloads: the statement the page shows
        values = {**now_fields("known_at"), **{k: v for k, v in visit.query.items()}}
        return View("statement.html", {
            "terms": terms, "statement": statement, "period": period, "values": values, "errors":
            {"known_at": error} if error else {},
            "csv": f"/contracts/{contract_id}/statement.csv?{as_seen}",
            "entries_csv": f"/contracts/{contract_id}/entries.csv?{as_seen}",
            "compare": f"/contracts/{contract_id}/difference?" + urlencode({**period, "b_known_at": as_known})})

    @page("GET", "/contracts/<contract_id>/difference", roles=READERS, title="What changed")
    def difference(self, visit: Visit) -> View:
        contract_id, terms, period = _terms_and_period(visit)
        a_known_at, error = moment_query(visit.query, "a_known_at")
        b_known_at = visit.query.get("b_known_at") or datetime.now(UTC).isoformat()
        found = None
        if a_known_at and not error:
            found = visit.api.get("reporting", f"/ledger/contracts/{contract_id}/statement-diff", **period,
                                  a_known_at=a_known_at, b_known_at=b_known_at)
            for change in found["changes"]:
                change["reason"] = translation.change_reason(change["kind"], change["change_pence"])
        return View("difference.html", {"terms": terms, "period": period, "found": found, "b_known_at": b_known_at,
                                        "values": dict(visit.query), "errors": {"a_known_at": error} if error else {}})

    @page("GET", "/contracts/<contract_id>/<any(statement, entries):kind>.csv", roles=READERS)
    def ledger_csv(self, visit: Visit) -> Response:
        """The API's CSV, byte for byte (as known at the time the page showed, so it matches what was seen): the
        statement, or the entries behind it (each claim, pseudonymous)."""
        contract_id, kind = visit.path["contract_id"], visit.path["kind"]
        params = {k: visit.query.get(k) for k in ("from", "to", "as_known_at")}
        answer = visit.api.call("GET", "reporting", f"/ledger/contracts/{contract_id}/{kind}",
                                params={**params, "format": "csv"})
        return Response(answer.content, mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{contract_id}-{kind}.csv"'})
