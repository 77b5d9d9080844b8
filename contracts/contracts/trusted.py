"""Loading integration events read back from a service's own log, without validating them again.

A consumer validates every message it is delivered (``schema.load``): the broker is an edge. A rebuild or a
reconciliation reads the upstream's *log* page by page (``integration_events``), events its own producer
translated from stored domain events, and marshmallow's field-by-field machinery was most of reporting's CPU
there (docs/performance.md, rebuild). ``loader(schema)`` compiles, once per schema, a function that converts
such a message to exactly what ``schema.load`` returns for it, the same keys and the same Python types
(tests/contracts/test_trusted.py compares the two on every integration event the contracts publish), but runs
no validator: no bounds, no ``OneOf``, no schema-level check.

It is exact only where it is fast. A schema with load hooks (``pre_load``/``post_load``), a field type it does
not know, or a message it cannot convert (a required field missing, a value of the wrong type) is handed to
``schema.load`` itself, so an odd message fails, or loads, exactly as it would have.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from marshmallow import EXCLUDE, INCLUDE, Schema, missing
from marshmallow import fields as mf
from marshmallow.decorators import POST_LOAD, PRE_LOAD

from contracts import bounds

Load = Callable[[Mapping[str, Any]], dict[str, Any]]
_Convert = Callable[[Any], Any]


class _Fallback(Exception):
    """The message is not one the compiled loader converts exactly: ``schema.load`` decides."""


def _same(value: Any) -> Any:
    return value


def _string(value: Any) -> Any:
    if type(value) is not str:
        raise _Fallback
    return value


def _integer(value: Any) -> Any:
    if type(value) is not int:
        raise _Fallback
    return value


def _boolean(value: Any) -> Any:
    if type(value) is not bool:
        raise _Fallback
    return value


def _uuid(value: Any) -> Any:
    if type(value) is uuid.UUID:
        return value
    if type(value) is not str:
        raise _Fallback
    return uuid.UUID(value)


def _date(value: Any) -> Any:
    if type(value) is not str or len(value) != 10:
        raise _Fallback  # marshmallow's Date takes ISO dates only; anything else it decides
    return date.fromisoformat(value)


def _aware_datetime(value: Any) -> Any:
    if type(value) is not str:
        raise _Fallback
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise _Fallback  # naive: AwareDateTime refuses it (or applies its default zone)
    return parsed


#: field class -> converter, for the exact classes whose deserialisation it reproduces (subclasses with
#: their own _deserialize are not here, and go to schema.load)
_SIMPLE: dict[type, _Convert] = {
    mf.String: _string, mf.Email: _string, mf.Raw: _same, mf.Field: _same, mf.UUID: _uuid,
    mf.Boolean: _boolean, bounds.Integer: _integer, bounds.Date: _date, bounds.AwareDateTime: _aware_datetime,
}
_SCHEMA_LOADERS: dict[int, tuple[Schema, Load]] = {}


def _nullable(field: mf.Field, convert: _Convert) -> _Convert:
    if not field.allow_none:
        return convert

    def convert_or_none(value: Any) -> Any:
        return None if value is None else convert(value)
    return convert_or_none


def _converter(field: mf.Field) -> _Convert:
    """How one field's value converts, or _Fallback raised at compile time for a field it does not know."""
    kind = type(field)
    if kind in _SIMPLE:
        if kind in (bounds.Date, bounds.AwareDateTime) and field.format not in (None, "iso"):  # type: ignore[attr-defined]
            raise _Fallback
        return _nullable(field, _SIMPLE[kind])
    if kind is mf.List:
        inner = _converter(field.inner)  # type: ignore[attr-defined]

        def each(value: Any) -> Any:
            if type(value) is not list:
                raise _Fallback
            return [inner(item) for item in value]
        return _nullable(field, each)
    if kind is mf.Dict:
        keys = _converter(field.key_field) if field.key_field else _same  # type: ignore[attr-defined]
        values = _converter(field.value_field) if field.value_field else _same  # type: ignore[attr-defined]

        def mapping(value: Any) -> Any:
            if type(value) is not dict:
                raise _Fallback
            if keys is _same and values is _same:
                return dict(value)
            return {keys(k): values(v) for k, v in value.items()}
        return _nullable(field, mapping)
    if kind is mf.Nested and not field.only and not field.exclude:  # type: ignore[attr-defined]
        nested = _compile(field.schema)  # type: ignore[attr-defined]
        if nested is None:
            raise _Fallback
        many = bool(field.many)  # type: ignore[attr-defined]

        def inner_schema(value: Any) -> Any:
            if many:
                if type(value) is not list:
                    raise _Fallback
                return [nested(item) for item in value]
            return nested(value)
        return _nullable(field, inner_schema)
    raise _Fallback


def _compile(schema: Schema) -> Load | None:
    """The compiled loader of ``schema``'s messages, or None when it must be ``schema.load`` itself."""
    if schema.many or schema._hooks.get(PRE_LOAD) or schema._hooks.get(POST_LOAD) or \
            schema.unknown not in (EXCLUDE, INCLUDE):
        return None
    plan: list[tuple[str, str, _Convert, Any, bool]] = []
    try:
        for name, field in schema.load_fields.items():
            key = field.data_key if field.data_key is not None else name
            attribute = field.attribute or name
            plan.append((key, attribute, _converter(field), field.load_default, bool(field.required)))
    except _Fallback:
        return None
    declared = {key for key, *_ in plan}
    include = schema.unknown == INCLUDE
    dict_class = schema.dict_class

    def load(data: Mapping[str, Any]) -> dict[str, Any]:
        if type(data) is not dict:
            raise _Fallback
        result = dict_class()
        for key, attribute, convert, default, required in plan:
            if key in data:
                result[attribute] = convert(data[key])
            elif required:
                raise _Fallback
            elif default is not missing:
                result[attribute] = default() if callable(default) else default
        if include:
            for key, value in data.items():
                if key not in declared:
                    result[key] = value
        return result
    return load


def loader(schema: Schema) -> Load:
    """``schema.load`` for messages read back from our own log, without validation (see the module)."""
    cached = _SCHEMA_LOADERS.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    compiled = _compile(schema)

    def load(data: Mapping[str, Any]) -> dict[str, Any]:
        if compiled is not None:
            try:
                return compiled(data)
            except (_Fallback, ValueError, TypeError, AttributeError):
                pass
        return schema.load(data)
    _SCHEMA_LOADERS[id(schema)] = (schema, load)
    return load
