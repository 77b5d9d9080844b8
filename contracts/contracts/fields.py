"""marshmallow's fields with every number and date bounded (contracts/contracts/bounds.py).

Every schema imports its fields from here (``from contracts import fields``), never from marshmallow.
"""
from marshmallow.fields import UUID, Boolean, Dict, Email, Field, List, Nested, Raw, String

from contracts.bounds import AwareDateTime, Date, DateTime, Decimal, Float, Integer

__all__ = ["UUID", "AwareDateTime", "Boolean", "Date", "DateTime", "Decimal", "Dict", "Email", "Field", "Float",
           "Integer", "List", "Nested", "Raw", "String"]
