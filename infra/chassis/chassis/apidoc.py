"""OpenAPI and AsyncAPI documents generated from a service class and its marshmallow contracts.

Both are served by each service (``/openapi.json``, ``/asyncapi.json``) and committed under
``docs/api/``; ``tests/contracts/test_api_documents.py`` fails when a committed copy is stale.
"""
from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.openapi import OpenAPIConverter
from marshmallow import Schema

from chassis import bus
from chassis.http import HEADER_VALUE, JsonRoute

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                   "rule": {"type": "string"}, "fields": {"type": "object"}},
    "required": ["error", "message"],
}


ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _answer_content(entrypoint: JsonRoute) -> dict[str, Any]:
    """A 2xx body: the route's ``answer`` schema (CSV too where the route takes ``format``; text for
    /metrics; a file of the route's ``media_type``)."""
    if entrypoint.url == "/metrics":
        return {"text/plain": {"schema": {"type": "string"}}}
    if entrypoint.media_type is not None:  # a file
        return {entrypoint.media_type: {"schema": {"type": "string", "format": "binary"}}}
    schema: Any = entrypoint.answer_schema or {"type": "object"}
    content: dict[str, Any] = {"application/json": {"schema": schema}}
    if entrypoint.query_schema is not None and "format" in entrypoint.query_schema.fields:
        content["text/csv"] = {"schema": {"type": "string"}}
    return content


def _one_of_steps(spec: APISpec, body: Schema) -> dict[str, Any]:
    """A step body as a discriminated ``oneOf``: one schema per step ``type``, each with its own payload schema
    (``body.payloads``: type -> payload schema class), so an integrator sees every payload."""
    registered = spec.components.schemas
    mapping = {}
    for step_type, payload_cls in sorted(body.payloads.items()):  # type: ignore[attr-defined]
        payload = payload_cls.__name__
        if payload not in registered:
            spec.components.schema(payload, schema=payload_cls)
        name = "Step_" + step_type
        spec.components.schema(name, {
            "type": "object", "required": ["type", "occurred_at", "payload"], "additionalProperties": False,
            "properties": {"type": {"type": "string", "enum": [step_type]},
                           "occurred_at": {"type": "string", "format": "date-time"},
                           "payload": {"$ref": f"#/components/schemas/{payload}"}}})
        mapping[step_type] = f"#/components/schemas/{name}"
    return {"oneOf": [{"$ref": ref} for ref in mapping.values()],
            "discriminator": {"propertyName": "type", "mapping": mapping}}


def _path(entrypoint: JsonRoute) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", entrypoint.url)


def _links(source: JsonRoute, found: list[tuple[str, JsonRoute]]) -> dict[str, Any]:
    """OpenAPI links from a route's answer to every operation whose path it can fill: each path parameter
    from the answer's ids (``produces``) or from the source's own path (``POST /rounds/{round_id}/applications``
    gives ``application_id`` to ``/rounds/{round_id}/applications/{application_id}/decision``)."""
    own = set(re.findall(r"{([a-z_]+)}", _path(source)))
    links = {}
    for name, target in found:
        params = re.findall(r"{([a-z_]+)}", _path(target))
        if target is source or not set(params) & set(source.produces):
            continue
        if not set(params) <= own | set(source.produces):
            continue
        links[name] = {"operationId": name, "parameters": {
            param: f"$response.body#/{param}" if param in source.produces else f"$request.path.{param}"
            for param in params}}
    return links


def routes(service_cls: type) -> list[tuple[str, JsonRoute]]:
    found = []
    for name, method in inspect.getmembers(service_cls, inspect.isfunction):
        for entrypoint in getattr(method, "nameko_entrypoints", ()):
            if isinstance(entrypoint, JsonRoute):
                found.append((name, entrypoint))
    return sorted(found, key=lambda item: (item[1].url, item[1].method))


def _schema_name(schema: Schema) -> str:
    return type(schema).__name__


def openapi(service_cls: Any, version: str = "0.1.0") -> dict[str, Any]:
    spec = APISpec(title=f"USE-IT {service_cls.name} service", version=version, openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()])
    spec.components.schema("Error", ERROR_SCHEMA)
    spec.components.security_scheme("credential", {"type": "http", "scheme": "bearer",
                                                   "description": "uk_<key id>_<secret>, issued per organisation"})
    found = routes(service_cls)
    for name, entrypoint in found:
        path = _path(entrypoint)
        operation: dict[str, Any] = {"operationId": name, "summary": entrypoint.summary or name,
                                     "responses": {}}
        parameters = [{"name": param, "in": "path", "required": True, "schema": {"type": "string"}}
                      for param in re.findall(r"{([a-z_]+)}", path)]
        if entrypoint.requires_idempotency_key:
            parameters.append({"name": "Idempotency-Key", "in": "header", "required": True,
                               "schema": {"type": "string", "pattern": HEADER_VALUE.pattern, "maxLength": 128}})
        if entrypoint.query_schema is not None:
            parameters.append({"in": "query", "schema": entrypoint.query_schema})
        if parameters:
            operation["parameters"] = parameters
        if entrypoint.roles is not None:
            operation["security"] = [{"credential": []}]
            operation["x-roles"] = list(entrypoint.roles)
            operation["responses"]["401"] = {"description": "no valid credential"}
            operation["responses"]["403"] = {"description": f"only for: {', '.join(entrypoint.roles)}"}
            operation["responses"]["429"] = {"description": "rate limit of the credential exceeded"}
        if entrypoint.body_schema is not None:
            body: Any = entrypoint.body_schema
            if getattr(body, "payloads", None):
                body = _one_of_steps(spec, body)
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        answers = {200: "OK", **entrypoint.answers} if not entrypoint.answers else dict(entrypoint.answers)
        for status, text in sorted(answers.items()):
            operation["responses"][str(status)] = {"description": text}
            if 200 <= status < 300:
                operation["responses"][str(status)]["content"] = _answer_content(entrypoint)
                if entrypoint.produces and _links(entrypoint, found):
                    operation["responses"][str(status)]["links"] = _links(entrypoint, found)
            elif status >= 400:
                operation["responses"][str(status)]["content"] = ERROR_CONTENT
        # what the edge itself may answer on any such route (chassis.http), each a JSON error
        edge = [(422, "Invalid fields or a broken rule")]
        if parameters and any(p.get("in") == "path" for p in parameters):
            edge.append((404, "no such resource (or a path parameter of the wrong shape)"))
        if entrypoint.body_schema is not None:
            edge += [(400, "Malformed JSON"), (411, "a chunked body without a length"),
                     (413, "Body too large or too deep")]
        if entrypoint.requires_idempotency_key:
            edge.append((409, "the Idempotency-Key was used with another body, or a concurrent write won"))
        for status, text in edge:
            operation["responses"].setdefault(str(status), {"description": text, "content": ERROR_CONTENT})
        for code in ("401", "403", "429"):
            if code in operation["responses"]:
                operation["responses"][code]["content"] = ERROR_CONTENT
        spec.path(path=path, operations={entrypoint.method.lower(): operation})
    return _plain(spec.to_dict())


def _plain(value: Any) -> Any:
    """JSON numbers for the Decimals apispec copies from Decimal fields' ranges (a string "9.0" is invalid)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def asyncapi(service: str, publishes: Mapping[str, type[Schema]], consumes: tuple[str, ...]) -> dict[str, Any]:
    converter = OpenAPIConverter("3.0.3", lambda schema: None, None)  # type: ignore[arg-type]  # no spec: no refs
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type, schema_cls in sorted(publishes.items()):
        messages[event_type] = {
            "name": event_type, "contentType": "application/json",
            "headers": {"type": "object", "properties": {
                bus.NOTIFICATION_ID: {"type": "integer"}, bus.PREVIOUS_ID: {"type": "integer"},
                bus.UPSTREAM: {"type": "string", "const": service}}},
            "payload": converter.schema2jsonschema(schema_cls()),
        }
        channels[f"{service}.{event_type}"] = {
            "description": f"routing key on the topic exchange {bus.exchange_name()}",
            "bindings": {"amqp": {"is": "routingKey", "exchange": {"name": bus.exchange_name(), "type": "topic",
                                                                   "durable": True}}},
            "publish": {"message": {"$ref": f"#/components/messages/{event_type}"}},
        }
    for upstream in consumes:
        channels[f"{service}.from.{upstream}"] = {
            "description": f"durable queue bound to {upstream}.# (a nudge; gaps are pulled over RPC)",
            "bindings": {"amqp": {"is": "queue", "queue": {"name": f"{service}.from.{upstream}", "durable": True}}},
            "subscribe": {"summary": f"every integration event of {upstream}"},
        }
    return {"asyncapi": "2.6.0", "info": {"title": f"USE-IT {service} events", "version": "0.1.0"},
            "defaultContentType": "application/json", "channels": channels,
            "components": {"messages": messages}}
