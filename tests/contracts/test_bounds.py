"""Every number and date at the edge is bounded the one shared way (contracts/contracts/bounds.py, imported as
``from contracts import fields``)."""
from __future__ import annotations

import importlib
import pkgutil

import pytest
from marshmallow import Schema, ValidationError
from marshmallow import fields as marshmallow_fields

import contracts
from contracts.bounds import BOUNDED, UNBOUNDED

MODULES = [f"contracts.{m.name}" for m in pkgutil.iter_modules(contracts.__path__)] + [
    "reporting.outcomes.terms", "reporting.outcomes.api", "reporting.readmodels.reports_api", "referrals.service",
                                                                                       "pathways.service",
    "enterprises.service", "reporting.service"]


def schemas() -> list[type[Schema]]:
    found: dict[str, type[Schema]] = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == name:
                found[f"{name}.{value.__name__}"] = value
    return [found[k] for k in sorted(found)]


def leaves(field: marshmallow_fields.Field) -> list[marshmallow_fields.Field]:
    inner = getattr(field, "inner", None) or getattr(field, "value_field", None)
    return [field] + (leaves(inner) if inner is not None else [])


@pytest.mark.parametrize("schema", schemas(), ids=lambda s: s.__name__)
def test_every_number_and_date_field_is_a_bounded_one(schema):
    for name, field in schema._declared_fields.items():
        for leaf in leaves(field):
            assert not isinstance(leaf, UNBOUNDED) or isinstance(leaf, BOUNDED), \
                f"{schema.__name__}.{name} is a {type(leaf).__name__}: import fields from contracts.bounds"


@pytest.mark.parametrize("schema,body,field", [
    ("contracts.pathway_steps:EnglishSitting", {"test": "IELTS_ACADEMIC", "overall": 1e308, "listening": 7,
                                           "reading": 7, "writing": 7, "speaking": 7}, "overall"),
    ("contracts.pathway_steps:PlacementOffered", {"placement_ref": "p", "kind": "observership", "trust": "swbh-trust",
                                             "weeks": 4, "starts_on": "0001-01-01"}, "starts_on"),
    ("reporting.readmodels.reports_api:AsOf", {"as_of": "9999-12-31"}, "as_of"),
    ("reporting.outcomes.api:KnownAt", {"as_known_at": "0001-01-01T00:00:00+14:00"}, "as_known_at"),
    ("reporting.outcomes.api:EntriesQuery", {"from": "2019-01-01", "to": "2019-12-31", "after": 10 ** 30}, "after"),
])
def test_extreme_values_are_refused_naming_the_field(schema, body, field):
    module, name = schema.split(":")
    with pytest.raises(ValidationError) as refused:
        getattr(importlib.import_module(module), name)().load(body)
    assert field in refused.value.messages
