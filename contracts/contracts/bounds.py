"""One way to bound numbers and dates at the edge: marshmallow's ``fields`` with its numbers and dates bounded.

Every schema of every message and HTTP body imports its fields from ``contracts.fields`` (marshmallow's, with
these in place of its own), not from marshmallow, so no field can take a value the code behind it cannot hold: a number
that is not finite or is beyond 10^12 (an IELTS band of 1e308 would overflow the half-band check), an integer
beyond 2^53 (JSON's exact integers; PostgreSQL's BIGINT is wider), a date or time outside 1900-2199 (year 1 or
9999 overflows date arithmetic and time zones; no programme fact is dated there). Each is a 422 naming the
field, before any other validator of the field runs. tests/contracts/test_bounds.py checks that every schema
uses these fields.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal as _Decimal
from typing import Any

from marshmallow import ValidationError
from marshmallow import fields as _fields

LARGEST = 10 ** 12
LARGEST_INTEGER = 2 ** 53
FIRST_YEAR, LAST_YEAR = 1900, 2199


def _number(value: Any) -> Any:
    if value is None:
        return value
    if isinstance(value, float) and not math.isfinite(value) or \
            isinstance(value, _Decimal) and not value.is_finite():
        raise ValidationError("must be a finite number")
    if abs(value) > LARGEST:
        raise ValidationError(f"must be at most {LARGEST:,} in size")
    return value


def _day(value: Any) -> Any:
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(f"must be a date from {FIRST_YEAR} to {LAST_YEAR}")
    return value


class _Checked:
    """A field whose deserialised value then passes ``check`` (before the field's own validators run)."""

    check: Callable[[Any], Any]

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        return type(self).check(super()._deserialize(value, attr, data, **kwargs))  # type: ignore[misc]


class Float(_Checked, _fields.Float):
    check = staticmethod(_number)


class Decimal(_Checked, _fields.Decimal):
    check = staticmethod(_number)


class Integer(_fields.Integer):
    """A whole number: 1.5 or "1.5" is refused, never truncated (money is pence)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()) or \
                isinstance(value, str) and not re.fullmatch(r"\s*[-+]?[0-9]+\s*", value):
            raise ValidationError("must be a whole number")
        found = super()._deserialize(value, attr, data, **kwargs)
        if found is not None and abs(found) > LARGEST_INTEGER:
            raise ValidationError("must be at most 2^53 in size")
        return found


class Date(_Checked, _fields.Date):
    check = staticmethod(_day)


class DateTime(_Checked, _fields.DateTime):
    check = staticmethod(_day)


class AwareDateTime(_Checked, _fields.AwareDateTime):
    check = staticmethod(_day)


UNBOUNDED = (_fields.Float, _fields.Decimal, _fields.Integer, _fields.Date, _fields.DateTime, _fields.Number)
BOUNDED = (Float, Decimal, Integer, Date, DateTime, AwareDateTime)
