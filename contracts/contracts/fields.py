"""marshmallow's fields with every number and date bounded (contracts/contracts/bounds.py).

Every schema imports its fields from here (``from contracts import fields``), never from marshmallow.
"""
from marshmallow.fields import *  # noqa: F401,F403

from contracts.bounds import AwareDateTime, Date, DateTime, Decimal, Float, Integer  # noqa: F401
