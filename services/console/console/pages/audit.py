"""The auditor's pages: each service's audit chain checked now (by the offline verifier's own code, in the
service), its checkpoints, and the export to check offline with only the public key."""
from __future__ import annotations

from werkzeug.wrappers import Response

from console.apis import NAMES, ApiError, ServiceUnavailable
from console.web import View, Visit, page

AUDITORS = ("auditor", "admin")


class AuditPages:
    @page("GET", "/audit", roles=AUDITORS, title="Audit chains")
    def chains(self, visit: Visit) -> View:
        chains = []
        for name in NAMES:
            try:
                chains.append(visit.api.get(name, "/audit/chain"))
            except (ApiError, ServiceUnavailable):
                chains.append({"service": name, "verified": None, "findings": ["the service did not answer"]})
        return View("audit.html", {"chains": chains})

    @page("GET", "/audit/<service>/export", roles=AUDITORS)
    def export(self, visit: Visit) -> Response:
        service = visit.path["service"]
        if service not in NAMES:
            raise ApiError(404, {"message": "no such service"})
        answer = visit.api.call("GET", service, "/audit/chain/export")
        return Response(answer.content, mimetype="application/zip", headers={
            "Content-Disposition": f'attachment; filename="{service}-audit-chain.zip"'})
