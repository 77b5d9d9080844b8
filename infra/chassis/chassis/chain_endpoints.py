"""Every service's audit chain over HTTP: ``GET /audit/chain`` checks it now, ``GET /audit/chain/export`` hands
an auditor what checks it offline.

Both use the offline verifier's own code (chassis.audit): the chain is exported into a temporary directory
(``export``: events, chain rows and signed checkpoints, from one snapshot) and verified there (``verify``) with
the public key of the service's ``AUDIT_SIGNING_KEY``, so the answer is what ``python -m chassis.audit verify``
would print. The cost grows with the log: each call reads all of it.
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
import zipfile
from datetime import UTC, datetime
from typing import Any

from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Response

from chassis import audit
from chassis.http import Call, route
from contracts import fields
from contracts.answers import Answer

AUDITORS = ("auditor", "admin")
FILES = ("events.csv", "chain.csv", "checkpoints.csv")
README = """The audit chain of the {service} service, exported {exported_at}.

events.csv       the stored events: notification id, originator id, version, topic, stored state (hex)
chain.csv        the hash chain over them: notification id, content digest, chain hash
checkpoints.csv  the chain's head signed every 1,000 events and whenever the log was quiet (Ed25519)
public_key.txt   the public key the checkpoints verify with, as the service gave it: compare it with the key
                 the programme gave you out of band (python -m chassis.audit public-key), since whoever could
                 alter this export could alter this copy too

To check it, in the project's virtual environment, from the directory these files were unzipped into:

    python -m chassis.audit verify . --service {service} --public-key {public_key}

It prints each finding, first problem first (altered, missing, inserted, reordered, checkpoint; "unsigned" only
says the newest events await the next checkpoint) and ends INTACT or TAMPERED (exit status 0 or 1).
"""


class AuditKey(DependencyProvider):
    """The public key of the service's AUDIT_SIGNING_KEY (the key the log follower signs checkpoints with)."""

    def setup(self) -> None:
        self.public_key = audit.public_key_text(audit.signing_key(self.container.config.get("ENV") or None))

    def get_dependency(self, worker_ctx: Any) -> str:
        return self.public_key


def _rows(directory: str, name: str) -> list[list[str]]:
    with open(os.path.join(directory, name), newline="") as handle:
        return list(csv.reader(handle))


def check(app: Any, service: str, public_key: str) -> dict[str, Any]:
    """The chain exported and verified as an auditor would: counts, the last signed checkpoint, the findings."""
    with tempfile.TemporaryDirectory(prefix="audit-chain-") as directory:
        audit.export(app, directory)
        findings = audit.verify(directory, service, public_key)
        events, chain, checkpoints = (_rows(directory, name) for name in FILES)
    last = checkpoints[-1] if checkpoints else None
    return {"service": service, "events": len(events), "chained": len(chain), "checkpoints": len(checkpoints),
            "last_checkpoint": None if last is None else
            {"notification_id": int(last[0]), "chain_hash": last[1], "signed_at": last[3]},
            "public_key": public_key, "verified": not [f for f in findings if f.kind != "unsigned"],
            "findings": [str(f) for f in findings]}


def export_zip(app: Any, service: str, public_key: str) -> bytes:
    """The export as a zip: the three CSV files, the public key and a README saying how to verify them."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="audit-chain-") as directory, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        audit.export(app, directory)
        for name in FILES:
            bundle.write(os.path.join(directory, name), name)
        bundle.writestr("public_key.txt", public_key + "\n")
        bundle.writestr("README.txt", README.format(service=service, public_key=public_key,
                                                    exported_at=datetime.now(UTC).isoformat(timespec="seconds")))
    return buffer.getvalue()


class Checkpoint(Answer):
    notification_id = fields.Integer(required=True)
    chain_hash = fields.String(required=True)
    signed_at = fields.String(required=True)


class ChainAnswer(Answer):
    service = fields.String(required=True)
    events = fields.Integer(required=True, metadata={"description": "stored events"})
    chained = fields.Integer(required=True, metadata={"description": "events in the hash chain so far"})
    checkpoints = fields.Integer(required=True, metadata={"description": "signed checkpoints"})
    last_checkpoint = fields.Nested(Checkpoint, required=True, allow_none=True)
    public_key = fields.String(required=True, metadata={"description": "what the checkpoints were verified with"})
    verified = fields.Boolean(required=True, metadata={"description": "no finding but 'unsigned' (the newest "
                                                                      "events awaiting the next checkpoint)"})
    findings = fields.List(fields.String(), required=True, metadata={"description": "the verifier's, first first"})


class AuditChainEndpoints:
    """Mixed into every service (chassis.endpoints.StandardEndpoints)."""

    name: str
    audit_key = AuditKey()

    @route("GET", "/audit/chain", roles=AUDITORS, answer=ChainAnswer,
           answers={200: "the chain as verified now (verified false: what was altered, missing or moved)"},
           summary="This service's audit chain checked now by the offline verifier's code")
    def audit_chain(self, call: Call) -> dict:
        return check(self.store, self.name, self.audit_key)  # type: ignore[attr-defined]  # the Store's app

    @route("GET", "/audit/chain/export", roles=AUDITORS, media_type="application/zip",
           answers={200: "a zip: events.csv, chain.csv, checkpoints.csv, public_key.txt, README.txt"},
           summary="The audit chain exported for an auditor to verify offline (python -m chassis.audit verify)")
    def audit_chain_export(self, call: Call) -> Response:
        data = export_zip(self.store, self.name, self.audit_key)  # type: ignore[attr-defined]
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return Response(data, mimetype="application/zip", headers={
            "Content-Disposition": f'attachment; filename="{self.name}-audit-chain-{stamp}.zip"'})
