"""The programme's shared vocabulary, named once for every contract and service, and the one clock rule.

Every contract imports these from here (never from another service's contract module).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from marshmallow import ValidationError

#: The hub's entry points: where a client starts, by English level (E-A: below ESOL level 2 ... E-D: met).
ENTRY_POINTS = ("E-A", "E-B", "E-C", "E-D")
#: The regulators a pathway registers with.
REGULATORS = ("GMC", "NMC", "HCPC", "GPhC")
PROFESSIONS = ("doctor", "nurse", "midwife", "pharmacist", "radiographer", "physiotherapist",
               "occupational_therapist", "speech_and_language_therapist", "dietitian", "paramedic",
               "biomedical_scientist", "dentist", "other")

#: Grace for a poster's clock running ahead of ours: a thing that happened may be stamped up to this far ahead.
CLOCK_SKEW = timedelta(minutes=5)


def in_future(moment: date | datetime, now: datetime | None = None) -> bool:
    """Whether a thing said to have happened at ``moment`` is after now (beyond ``CLOCK_SKEW`` for a time)."""
    now = now or datetime.now(UTC)
    if isinstance(moment, datetime):
        return moment > now + CLOCK_SKEW
    return moment > now.date()


def not_in_future(value: date | datetime) -> None:
    """A marshmallow validator for dates of things that happened: not after now."""
    if in_future(value):
        raise ValidationError("is in the future")
