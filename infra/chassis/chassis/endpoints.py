"""What every service serves besides its domain: /health, /metrics, its API documents, its audit views (who read
what; the audit chain, in chassis.chain_endpoints), and its log over RPC.

A service class inherits ``StandardEndpoints`` and declares ``store = Store(App)``, ``outbox =
OutboxRelay(translate)``, ``publishes`` (event type -> contract schema) and ``consumes`` (upstream names).
"""
from __future__ import annotations

import time
from typing import Any

from kombu import Connection
from marshmallow import RAISE, Schema, fields, validate
from nameko.extensions import DependencyProvider
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.wrappers import Response

from chassis import apidoc, bus, config
from chassis.chain_endpoints import AuditChainEndpoints
from chassis.http import Call, json_response, route
from chassis.providers import find_store
from chassis.rpc import rpc
from chassis.telemetry import Telemetry
from contracts.answers import Answer


class Probe(DependencyProvider):
    """Checks the service's database and broker (cached for a second) and exposes its metrics registry.

    The broker check also reads how many messages wait in the service's dead-letter queue (consumers only).
    """

    telemetry = Telemetry()

    def setup(self) -> None:
        self.store = find_store(self.container)
        self.checked_at, self.last = 0.0, {"database": False, "broker": False}

    def get_dependency(self, worker_ctx: Any) -> Probe:
        return self

    def metrics_text(self) -> bytes:
        self.check()  # database and broker health are measured at scrape time too (cached for a second)
        return generate_latest(self.telemetry.metrics.registry)

    def _dead_letters_waiting(self, connection: Connection) -> int:
        # Declared as dead_letter() declares it (idempotent): a passive declare of a queue not made yet would
        # be a channel error, logged by the broker at every check.
        queue = bus.dead_letter_queue(self.container.service_name)(connection.channel())
        queue.declare()
        _, count, _ = queue.queue_declare(passive=True)
        return int(count)

    def check(self) -> dict[str, bool]:
        if time.monotonic() - self.checked_at < 1.0:
            return self.last
        result = {"database": False, "broker": False}
        try:
            assert self.store.app is not None
            self.store.app.head()
            result["database"] = True
        except Exception:
            pass
        uri = config.amqp_uri(self.container.config.get("ENV") or None)
        metrics = self.telemetry.metrics
        try:
            with Connection(uri, connect_timeout=2) as connection:
                connection.ensure_connection(max_retries=1)
                result["broker"] = True
                if getattr(self.container.service_cls, "consumes", ()):
                    metrics.labels(metrics.dead_letter_queue).set(self._dead_letters_waiting(connection))
        except Exception:
            pass
        for name, up in result.items():
            metrics.labels(metrics.dependency_up, dependency=name).set(1 if up else 0)
        self.checked_at, self.last = time.monotonic(), result
        return result


class ReadsQuery(Schema):
    class Meta:
        unknown = RAISE

    since = fields.AwareDateTime(load_default=None, validate=lambda at: 1900 <= at.year <= 2199,
                                 metadata={"description": "reads at or after this time"})
    subject = fields.String(load_default=None, validate=validate.Length(1, 100),
                            metadata={"description": "whose data: a client, referral, contract or person id"})
    limit = fields.Integer(load_default=1000, validate=validate.Range(1, 10000))


class HealthAnswer(Answer):
    status = fields.String(required=True, metadata={"description": "ok, or degraded (then a 503)"})
    checks = fields.Dict(keys=fields.String(), values=fields.Boolean(), required=True)


class Read(Answer):
    read_at = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "case (a view of case data) or personal"})
    actor = fields.String(required=True)
    person = fields.String(required=True, allow_none=True, metadata={"description": "the member of staff"})
    organisation = fields.String(required=True)
    what = fields.String(required=True)
    subject_id = fields.String(required=True)


class ReadsAnswer(Answer):
    service = fields.String(required=True)
    reads = fields.List(fields.Nested(Read), required=True)


class OpenApiAnswer(Answer):
    openapi = fields.String(required=True)
    info = fields.Dict(required=True)
    paths = fields.Dict(required=True)


class AsyncApiAnswer(Answer):
    asyncapi = fields.String(required=True)
    info = fields.Dict(required=True)
    channels = fields.Dict(required=True)


class StandardEndpoints(AuditChainEndpoints):
    name: str
    probe = Probe()
    publishes: dict = {}
    consumes: tuple[str, ...] = ()

    @route("GET", "/health", answer=HealthAnswer, summary="Database and broker reachability",
           answers={200: "healthy", 503: "degraded"})
    def health(self, call: Call) -> tuple[int, dict]:
        checks = self.probe.check()
        if all(checks.values()):
            return 200, {"status": "ok", "checks": checks}
        failing = ", ".join(sorted(name for name, ok in checks.items() if not ok))
        return 503, {"status": "degraded", "checks": checks, "error": "degraded", "message": f"unreachable: {failing}"}

    @route("GET", "/metrics", summary="Prometheus metrics", answers={200: "text exposition format"})
    def metrics(self, call: Call) -> Response:
        return Response(self.probe.metrics_text(), mimetype=CONTENT_TYPE_LATEST.split(";")[0],
                        content_type=CONTENT_TYPE_LATEST)

    @route("GET", "/openapi.json", answer=OpenApiAnswer, summary="This document", answers={200: "OpenAPI 3"})
    def openapi_document(self, call: Call) -> Response:
        return json_response(200, apidoc.openapi(type(self)))

    @route("GET", "/asyncapi.json", answer=AsyncApiAnswer, summary="The messages this service publishes and consumes",
           answers={200: "AsyncAPI 2"})
    def asyncapi_document(self, call: Call) -> Response:
        return json_response(200, apidoc.asyncapi(self.name, self.publishes, self.consumes))

    @route("GET", "/audit/reads", roles=("auditor", "admin"), query=ReadsQuery, answer=ReadsAnswer,
           answers={200: "reads of case and personal data, newest first"},
           summary="Who read whose data, when, under which credential (and which member of staff)")
    def audited_reads(self, call: Call) -> dict:
        """Case reads (a client's pathway or history, ESF records, statements: ``chassis_case_reads``) and
        decryptions of personal data (``chassis_personal_data_reads``) recorded by this service."""
        q = call.query
        since = q["since"].isoformat() if q["since"] else ""
        where, params = "read_at >= %s", [since]
        if q["subject"]:
            where += " AND subject_id = %s"
            params.append(q["subject"])
        app = self.store  # type: ignore[attr-defined]  # the service's Store dependency: its application
        with app.sql() as sql:
            cases = sql.execute("SELECT read_at, actor, person, organisation, route, subject_id FROM chassis_case_reads"
                                f" WHERE {where} ORDER BY read_at DESC LIMIT %s", (*params, q["limit"])).fetchall()
            personal = sql.execute("SELECT r.read_at, r.actor, h.person, r.organisation, r.purpose, r.subject_id"
                                   " FROM chassis_personal_data_reads r LEFT JOIN chassis_credential_holders h"
                                   f" ON h.key_id = r.actor WHERE {where} ORDER BY r.read_at DESC LIMIT %s",
                                   (*params, q["limit"])).fetchall()
        reads = [{"read_at": r[0], "kind": "case", "actor": r[1], "person": r[2], "organisation": r[3],
                  "what": r[4], "subject_id": r[5]} for r in cases]
        reads += [{"read_at": r[0], "kind": "personal_data", "actor": r[1], "person": r[2], "organisation": r[3],
                   "what": r[4], "subject_id": r[5]} for r in personal]
        reads.sort(key=lambda r: r["read_at"], reverse=True)
        return {"service": self.name, "reads": reads[:q["limit"]]}

    @rpc
    def integration_events(self, after: int, upto: int | None = None, limit: int = 500) -> dict:
        """Takes a notification range; returns the integration events in it (gap filling, rebuilds)."""
        return self.outbox.read_range(after, upto, limit)  # type: ignore[attr-defined]
