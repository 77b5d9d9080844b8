"""The HTTP edge: JSON routes that validate, limit and answer with clear 4xx errors, never a 500 body leak.

``route(method, path, body=Schema)`` replaces nameko's ``@http`` on service methods. The entrypoint parses
and validates the body *before* a worker runs (so a bad request costs no database work), passes a ``Call``
to the method, and turns every error into a JSON answer:

- malformed JSON 400, body or nesting over the limit 413, schema errors 422 ``{"fields": {...}}``;
- chassis.errors subclasses map to their status (rule broken 422, not found 404, conflict 409, ...);
- anything else is 500 with only a correlation id; the traceback goes to the log, not to the client.
"""
from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from eventlet.event import Event
from marshmallow import Schema, ValidationError
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Request, Response

from chassis import config
from chassis.auth import Principal
from chassis.errors import ClientError, Forbidden, LengthRequired, PayloadTooLarge
from chassis.gate import Gate
from chassis.idempotency import Once
from chassis.meta import new_correlation_id
from chassis.telemetry import Telemetry

log = logging.getLogger(__name__)

#: Caller-chosen header values that are stored with events and logs (Idempotency-Key, X-Correlation-Id): ids,
#: not text; no spaces, so no name or sentence can be smuggled in.
HEADER_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$")
HEADER_RULE = "1 to 128 letters, digits or . _ : / - (an id, not text)"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


@dataclass
class Call:
    """What a route method receives: the validated body and query, path values and who is calling."""

    body: Any
    query: dict[str, Any]
    path: dict[str, Any]
    meta: dict[str, Any]
    principal: Principal | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def organisation(self) -> str:
        return self.meta["organisation"]

    def acting_as(self, *roles: str) -> bool:
        """True when the caller holds one of these roles."""
        return self.principal is not None and self.principal.has_any(roles)

    @property
    def idempotency_key(self) -> str:
        """The Idempotency-Key of a route declared with ``requires_idempotency_key`` (the gate refuses such a
        call without one, so it is always there); the one name for it in every service."""
        key = self.meta.get("idempotency_key")
        if not key:
            raise RuntimeError("idempotency_key is only for routes that require an idempotency key")
        return str(key)

    @property
    def once(self) -> Once:
        """This request as an idempotent command: the caller's organisation (the keys' scope) and its key, read
        from the call's metadata. Use cases take it and run their command through it (``Once.run``)."""
        return Once(self.organisation, self.idempotency_key)


def json_response(status: int, payload: Any, headers: Mapping[str, str] | None = None,
                  mimetype: str = "application/json") -> Response:
    text = payload if isinstance(payload, str) else json.dumps(payload, default=str)
    response = Response(text, status=status, mimetype=mimetype)
    for key, value in {**SECURITY_HEADERS, **(headers or {})}.items():
        response.headers[key] = value
    return response


NUL_RULE = "text may not contain NUL characters (U+0000)"


def _depth(value: Any, limit: int, level: int = 0, where: str = "_schema") -> None:
    """The body's nesting within ``limit``, and no NUL in any key or text (PostgreSQL cannot store one)."""
    if level > limit:
        raise PayloadTooLarge(f"the body nests deeper than {limit} levels")
    if isinstance(value, dict):
        for name, item in value.items():
            if "\x00" in name:
                raise ValidationError({where: [NUL_RULE]})
            _depth(item, limit, level + 1, name if level == 0 else where)
    elif isinstance(value, list):
        for item in value:
            _depth(item, limit, level + 1, where)
    elif isinstance(value, str) and "\x00" in value:
        raise ValidationError({where: [NUL_RULE]})


PUBLIC = None


class JsonWsgiApp(WsgiApp):
    """nameko's WSGI app, answering what matches no route in JSON with the security headers (not werkzeug's
    HTML): 404 for an unknown path (or a path parameter of the wrong shape), 405 with Allow for a method the
    path does not take."""

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ, shallow=True)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
        except MethodNotAllowed as exc:
            allowed = sorted(exc.valid_methods or ())
            answer = json_response(405, {"error": "method_not_allowed", "message": f"use {', '.join(allowed)}",
                                         "allowed_methods": allowed}, {"Allow": ", ".join(allowed)})
            return answer(environ, start_response)
        except HTTPException as exc:
            code = exc.code or 404
            answer = json_response(code, {"error": "not_found" if code == 404 else "invalid",
                                          "message": "no such resource" if code == 404 else str(exc.description)})
            return answer(environ, start_response)
        request.path_values = values  # type: ignore[attr-defined]
        return provider.handle_request(request)(environ, start_response)


class JsonWebServer(WebServer):
    def get_wsgi_app(self) -> JsonWsgiApp:
        return JsonWsgiApp(self)


class JsonRoute(HttpRequestHandler):
    """``roles``: who may call it (any of them), checked before the body is read; ``PUBLIC`` for none."""

    telemetry = Telemetry()
    gate = Gate()
    server = JsonWebServer()

    def __init__(self, method: str, url: str, roles: tuple[str, ...] | None = PUBLIC,
                 body: type[Schema] | Schema | None = None,
                 query: type[Schema] | None = None, summary: str = "", requires_idempotency_key: bool = False,
                 answers: Mapping[int, str] | None = None, raw: bool = False, audit_read: str | None = None,
                 produces: tuple[str, ...] = (), answer: type[Schema] | None = None, media_type: str | None = None,
                 **kwargs: Any) -> None:
        """``audit_read``: this GET reads case data; a 200 is recorded (``chassis_case_reads``) with the path
        parameter of that name as whose data it was, or ``*`` for a report over everyone.

        ``produces``: the ids every 2xx answer carries (``("referral_id",)``); the OpenAPI document requires them
        in the answer and links the answer to every operation of the service whose path takes one of them, so
        a client (and schemathesis' stateful run) can follow a created resource. ``answer``: the schema of
        a 2xx JSON answer (contracts.answers), published in the OpenAPI document and checked by the fuzzing;
        ``media_type``: the type of a 2xx answer that is a file, not JSON (``application/zip``)."""
        self.body_schema = body() if isinstance(body, type) else body
        self.query_schema = query() if isinstance(query, type) else query
        self.summary = summary
        self.requires_idempotency_key = requires_idempotency_key
        self.answers = dict(answers or {})
        self.raw = raw
        self.audit_read = audit_read
        self.produces = tuple(produces)
        self.answer_schema = answer
        self.media_type = media_type
        self.roles = roles
        self.max_body = self.max_depth = 0
        kwargs.setdefault("expected_exceptions", (ClientError, ValidationError))
        super().__init__(method, url, **kwargs)

    # -- request handling --------------------------------------------------------------------------
    def setup(self) -> None:
        # read once, not on every request
        self.max_body = int(config.env("MAX_BODY_BYTES", str(1024 * 1024)) or 0)
        self.max_depth = int(config.env("MAX_BODY_DEPTH", "12") or 12)
        super().setup()

    def handle_request(self, request: Any) -> Response:
        started = time.perf_counter()
        request.shallow = False
        given = request.headers.get("X-Correlation-Id")
        correlation_id = given if given and HEADER_VALUE.match(given) else new_correlation_id()
        try:
            if given and correlation_id != given:  # caller-chosen text would be stored with every event
                raise ValidationError({"X-Correlation-Id": [HEADER_RULE]})
            call = self.build_call(request, correlation_id)
            done = Event()
            self.container.spawn_worker(self, (call,), {}, context_data=call.meta,
                                        handle_result=partial(self.handle_result, done))
            result = done.wait()
            response = self.response_from_result(result)
            if self.audit_read is not None and response.status_code == 200:
                subject = "*" if self.audit_read == "*" else str(call.path.get(self.audit_read, "*"))
                self.gate.record_read(call.principal, self.url, subject)
        except Exception as exc:  # every failure becomes a JSON answer
            response = self.response_from_exception(exc, correlation_id)
        response.headers["X-Correlation-Id"] = correlation_id
        self.telemetry.metrics.answered(self.url, request.method, response.status_code, time.perf_counter() - started)
        return response

    def build_call(self, request: Any, correlation_id: str) -> Call:
        principal = None
        if self.roles is not PUBLIC:
            principal = self.gate.authenticate(request)
            if not principal.has_any(self.roles):
                raise Forbidden("your credential's roles may not do this", allowed_roles=list(self.roles))
            self.gate.admit(principal)
        body: Any = None
        if self.body_schema is not None:
            limit = self.max_body
            length = request.content_length
            if length is not None and length > limit:
                raise PayloadTooLarge(f"the body is larger than {limit} bytes")
            if length is None and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
                raise LengthRequired("send the body with a Content-Length (chunked bodies are not read)")
            raw = request.get_data(cache=False)
            if len(raw) > limit:
                raise PayloadTooLarge(f"the body is larger than {limit} bytes")
            try:
                document = json.loads(raw or b"null")
            except (ValueError, UnicodeDecodeError):
                raise ClientError("the body is not valid JSON") from None
            except RecursionError:
                raise ClientError(f"the body nests deeper than {self.max_depth} levels") from None
            _depth(document, self.max_depth)
            if not isinstance(document, (dict, list)):
                raise ValidationError({"_schema": ["a JSON object is required"]})
            body = self.body_schema.load(document)
        for name, value in (*request.args.items(multi=True), *request.path_values.items()):
            if "\x00" in name or "\x00" in str(value):
                raise ValidationError({name.replace("\x00", "") or "_schema": [NUL_RULE]})
        query = self.query_schema.load(dict(request.args)) if self.query_schema is not None else {}
        key = request.headers.get("Idempotency-Key")
        if self.requires_idempotency_key and not key:
            raise ValidationError({"Idempotency-Key": ["this header is required: a unique key per step"]})
        if key is not None and not HEADER_VALUE.match(key):
            raise ValidationError({"Idempotency-Key": [HEADER_RULE]})
        meta = {
            "actor": principal.key_id if principal else "anonymous",
            "organisation": principal.organisation if principal else None,
            "idempotency_key": key,
            "correlation_id": correlation_id,
        }
        return Call(body=body, query=query, path=dict(request.path_values), meta=meta, principal=principal,
                    headers=request.headers)

    def response_from_result(self, result: Any) -> Response:
        if isinstance(result, Response):
            for key, value in SECURITY_HEADERS.items():
                result.headers.setdefault(key, value)
            return result
        status, payload = (result if isinstance(result, tuple) else (200, result))
        return json_response(status, payload)

    def response_from_exception(self, exc: Exception, correlation_id: str = "") -> Response:
        if isinstance(exc, ValidationError):
            messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
            return json_response(422, {"error": "invalid", "message": "some fields are not valid",
                                       "fields": messages})
        if isinstance(exc, ClientError):
            headers = {"WWW-Authenticate": 'Bearer realm="useit"'} if exc.status == 401 else {}
            if exc.status == 429:
                headers["Retry-After"] = "1"
            return json_response(exc.status, exc.body(), headers)
        log.error("unhandled error on %s %s (correlation %s)", self.method, self.url, correlation_id,
                  exc_info=(type(exc), exc, exc.__traceback__))
        return json_response(500, {"error": "internal", "message": "the request failed on our side",
                                   "correlation_id": correlation_id})


route = JsonRoute.decorator
